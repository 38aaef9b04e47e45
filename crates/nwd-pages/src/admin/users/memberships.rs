//! Giving an account a role in a team, and taking it away.

use super::*;

/// Gives the account a role in a team.
#[utoipa::path(post, path = "/staff/admin/users/{id}/memberships", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Added: back to the account"), (status = 404, description = "Not found"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn add_membership(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let typed = Typed {
        team_id: form.first("team_id").to_owned(),
        role: form.first("role").to_owned(),
        ..Typed::default()
    };
    let outcome = match parse_role(&typed.role) {
        Ok(role) => state
            .store
            .add_membership(&trail.signed_in(&principal), &id, &typed.team_id, role)
            .await
            .map(|_| ())
            .map_err(auth),
        Err(e) => Err(ApiError::Invalid(vec![e])),
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!("/staff/admin/users/{id}#roles"))),
        Err(error) => {
            refused(&trail, &state, &principal, &id, typed, error, |f| match f {
                "team_id" => "team_id",
                _ => "role",
            })
            .await
        }
    }
}

/// Takes a role in a team away from the account.
#[utoipa::path(post, path = "/staff/admin/users/{id}/memberships/remove", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Removed: back to the account"), (status = 404, description = "Not found"), (status = 422, description = "Refused", content_type = "text/html")))]
pub async fn remove_membership(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    if !confirm::confirmed(&form) {
        return Ok(confirm::to_question(
            &format!("/staff/admin/users/{id}/memberships/remove"),
            &form,
        ));
    }
    let outcome = match Role::parse(form.first("role")) {
        Ok(role) => state
            .store
            .remove_membership(
                &trail.signed_in(&principal),
                &id,
                form.first("team_id"),
                role,
            )
            .await
            .map_err(auth),
        Err(message) => Err(ApiError::field("role", message)),
    };
    match outcome {
        Ok(()) => Ok(see_other(&format!("/staff/admin/users/{id}#roles"))),
        Err(error) => {
            refused(
                &trail,
                &state,
                &principal,
                &id,
                Typed::default(),
                error,
                |_| "roles",
            )
            .await
        }
    }
}

/// "Are you sure?" before taking a role away (`admin::confirm`): the question the button's post redirects
/// to; only its "Yes" changes anything.
#[utoipa::path(get, path = "/staff/admin/users/{id}/memberships/remove", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "The confirmation page", content_type = "text/html"), (status = 404, description = "Not found", content_type = "text/html")))]
pub async fn remove_membership_question(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> PageResult {
    let form = crate::form::FormData::parse(query.unwrap_or_default().as_bytes());
    let user = state.store.user(&id).await.map_err(PageError::staff)?;
    confirm::ask(
        &principal,
        &form,
        confirm::Question {
            title: format!("Take this role away from {}?", user.username),
            consequence: format!(
                "{} loses the {} role in this team at once, and with it what the role lets them see and do. You can give it back later (a clinical role then waits for a second administrator again).",
                user.display_name,
                form.first("role").replace('_', " ")
            ),
            button: "Yes, take the role away".into(),
            action: format!("/staff/admin/users/{id}/memberships/remove"),
            back: format!("/staff/admin/users/{id}#roles"),
        },
    )
}
