//! Clinical roles waiting for a second administrator, on the account's page
//! (`/staff/admin/users/{id}`): each with who asked, and — for an administrator who may
//! decide (neither the one who asked nor the account's owner) — Approve and Refuse. The rule
//! and the audit entry are the store's (`nwd_store::role_grants`), shared with the API
//! (`/api/admin/role-grants/…`).

use axum::extract::{Path, State};
use nwd_domain::authz::Role;
use nwd_store::auth::Principal;

use crate::layout::{see_other, PageError, PageResult};
use nwd_http::extract::Caller;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::accounts::by;

/// A waiting role as the account's page shows it.
#[derive(Debug, Clone)]
pub struct PendingRow {
    /// The request's id.
    pub id: String,
    /// Team name.
    pub team: String,
    /// Role in words.
    pub role_words: String,
    /// Who asked, by username when known.
    pub requested_by: String,
    /// Whether the viewer may approve or refuse it.
    pub may_decide: bool,
}

/// The roles waiting for `user_id`, as `viewer` sees them.
pub async fn pending_rows(
    state: &AppState,
    viewer: &Principal,
    user_id: &str,
) -> Result<Vec<PendingRow>, PageError> {
    let grants = state
        .store
        .pending_role_grants()
        .await
        .map_err(PageError::staff)?;
    let viewer_ref = by(viewer);
    let names = state.store.users().await.map_err(PageError::staff)?;
    Ok(grants
        .into_iter()
        .filter(|g| g.user_id == user_id)
        .map(|g| PendingRow {
            may_decide: g.requested_by != viewer_ref && g.user_id != viewer.user_id,
            requested_by: g
                .requested_by
                .strip_prefix("user:")
                .and_then(|id| names.iter().find(|u| u.id == id))
                .map_or_else(|| g.requested_by.clone(), |u| u.username.clone()),
            id: g.id,
            team: g.team_name,
            role_words: role_words(g.role),
        })
        .collect())
}

fn role_words(role: Role) -> String {
    role.as_str().replace('_', " ")
}

/// Approves a waiting clinical role; back to the account's page.
#[utoipa::path(post, path = "/staff/admin/role-grants/{id}/approve", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    responses((status = 303, description = "Approved: back to the account"), (status = 403, description = "You asked for it, or it is yours", content_type = "text/html"), (status = 404, description = "Not found")))]
pub async fn approve(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> PageResult {
    decide(&trail, state, principal, id, true).await
}

/// Refuses a waiting clinical role; back to the account's page.
#[utoipa::path(post, path = "/staff/admin/role-grants/{id}/refuse", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Not yet confirmed: the confirmation page", content_type = "text/html"), (status = 303, description = "Refused: back to the account"), (status = 403, description = "You asked for it, or it is yours", content_type = "text/html"), (status = 404, description = "Not found")))]
pub async fn refuse(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let form = crate::form::FormData::parse(&body);
    if !crate::admin::confirm::confirmed(&form) {
        return Ok(crate::admin::confirm::to_question(
            &format!("/staff/admin/role-grants/{id}/refuse"),
            &form,
        ));
    }
    decide(&trail, state, principal, id, false).await
}

async fn decide(
    trail: &RequestAudit,
    state: AppState,
    principal: Principal,
    id: String,
    approve: bool,
) -> PageResult {
    let user_id = state
        .store
        .decide_role_grant(&trail.signed_in(&principal), &id, approve)
        .await
        .map_err(PageError::staff)?;
    Ok(see_other(&format!("/staff/admin/users/{user_id}#roles")))
}

/// "Are you sure?" before refusing a role (`admin::confirm`): the question the button's post redirects
/// to; only its "Yes" changes anything.
#[utoipa::path(get, path = "/staff/admin/role-grants/{id}/refuse", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "The confirmation page", content_type = "text/html"), (status = 404, description = "Not found", content_type = "text/html")))]
pub async fn refuse_question(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> PageResult {
    let form = crate::form::FormData::parse(query.unwrap_or_default().as_bytes());
    let grant = state
        .store
        .pending_role_grants()
        .await
        .map_err(PageError::staff)?
        .into_iter()
        .find(|g| g.id == id);
    let Some(grant) = grant else {
        return Err(PageError::staff(nwd_http::problem::ApiError::NotFound(
            "this role request was not found, or has been decided already".into(),
        )));
    };
    crate::admin::confirm::ask(
        &principal,
        &form,
        crate::admin::confirm::Question {
            title: format!("Refuse the {} role for {}?", role_words(grant.role), grant.username),
            consequence: format!(
                "{} will not get the {} role in {}. Another administrator can ask for it again later.",
                grant.display_name,
                role_words(grant.role),
                grant.team_name
            ),
            button: "Yes, refuse the role".into(),
            action: format!("/staff/admin/role-grants/{id}/refuse"),
            back: format!("/staff/admin/users/{}#roles", grant.user_id),
        },
    )
}
