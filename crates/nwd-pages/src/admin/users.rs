//! The administrator's account pages (permission `manage_users`; no clinical content): the
//! user list with organisation, teams, roles, second factor and state; creating an account
//! with an initial password (the TOTP secret is shown once); giving and taking away roles in
//! teams; disabling an account, which ends every session and revokes every token at once;
//! issuing API tokens (shown once) and revoking them.
//!
//! The checks are the ones the JSON API uses too (`usecase::accounts`) and the store's, so a
//! page and an API call accept and refuse the same input; a refused form comes back with an
//! NHS error summary linked to its fields and nothing written.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nwd_domain::authz::{Permission, Role};
use nwd_domain::FieldError;
use nwd_store::admin::{ApiTokenSummary, TeamSummary, TotpState, UserSummary};
use nwd_store::auth::{AuthError, Principal};

use crate::admin::confirm;
use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::staff::triage::shown;
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::accounts::{
    create_account, disable_account, parse_role, parse_scopes, NewAccount,
};

mod memberships;
mod set_up;
mod tokens;

// Globs, so the `routes!` macros also find the handlers' generated `__path_*` items.
pub use memberships::*;
pub use set_up::*;
pub use tokens::*;

/// An account as a row of the list.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// Id.
    pub id: String,
    /// Username.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Organisation name.
    pub organisation: String,
    /// "Team: role" pairs.
    pub roles: Vec<(String, String, String, String)>,
    /// Second factor, in words.
    pub totp: &'static str,
    /// Disabled.
    pub disabled: bool,
    /// Still holds the initial password (must choose their own at first sign-in).
    pub initial_password: bool,
}

fn totp_words(state: TotpState) -> &'static str {
    match state {
        TotpState::None => "None (single sign-on only)",
        TotpState::Issued => "Not yet enrolled",
        TotpState::Enrolled => "Enrolled",
    }
}

fn role_words(role: Role) -> String {
    role.as_str().replace('_', " ")
}

impl UserRow {
    fn of(user: &UserSummary) -> UserRow {
        UserRow {
            id: user.id.clone(),
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            organisation: user.organisation_name.clone(),
            roles: user
                .memberships
                .iter()
                .map(|m| {
                    (
                        m.team_id.clone(),
                        m.team_name.clone(),
                        m.role.as_str().to_owned(),
                        role_words(m.role),
                    )
                })
                .collect(),
            totp: totp_words(user.totp),
            disabled: user.disabled_at.is_some(),
            initial_password: user.must_change_password,
        }
    }
}

/// A team for a select list: (id, "Team — Organisation").
fn team_options(teams: &[TeamSummary]) -> Vec<(String, String)> {
    teams
        .iter()
        .map(|t| {
            (
                t.id.clone(),
                format!("{} — {}", t.name, t.organisation_name),
            )
        })
        .collect()
}

/// The roles an administrator may give: (API name, words).
fn role_options() -> Vec<(&'static str, String)> {
    Role::ALL
        .into_iter()
        .filter(|r| *r != Role::ParentCarer)
        .map(|r| (r.as_str(), role_words(r)))
        .collect()
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<UserRow>,
    teams: Vec<TeamSummary>,
}

/// Every account.
#[utoipa::path(get, path = "/staff/admin/users", tag = "pages",
    responses((status = 200, description = "Accounts and teams", content_type = "text/html")))]
pub async fn users(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let users = state.store.users().await.map_err(PageError::staff)?;
    let teams = state.store.teams().await.map_err(PageError::staff)?;
    let page = UsersPage {
        layout: Layout::staff("Users and teams", &principal),
        users: users.iter().map(UserRow::of).collect(),
        teams,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

#[derive(Template)]
#[template(path = "admin_user_new.html")]
struct NewUserPage {
    layout: Layout,
    teams: Vec<(String, String)>,
    roles: Vec<(&'static str, String)>,
    typed: NewAccount,
    csrf: String,
}

async fn new_user_page(
    state: &AppState,
    principal: &Principal,
    typed: NewAccount,
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> PageResult {
    let teams = state.store.teams().await.map_err(PageError::staff)?;
    let page = NewUserPage {
        layout: Layout::staff("Create an account", principal).with_errors(errors),
        teams: team_options(&teams),
        roles: role_options(),
        typed: NewAccount {
            password: String::new(),
            ..typed
        },
        csrf: principal.csrf_token.clone().unwrap_or_default(),
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// The form for a new account.
#[utoipa::path(get, path = "/staff/admin/users/new", tag = "pages",
    responses((status = 200, description = "New account form", content_type = "text/html")))]
pub async fn new_user(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    new_user_page(
        &state,
        &principal,
        NewAccount::default(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

fn field_messages(fields: Vec<FieldError>) -> Vec<FieldMessage> {
    fields
        .into_iter()
        .map(|f| FieldMessage::new(&f.field, capitalised(&f.message)))
        .collect()
}

fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Creates an account, then to its set-up page (post/redirect/get); else the form again.
#[utoipa::path(post, path = "/staff/admin/users", tag = "pages",
    params(("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Created: to the account's set-up page"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn create_user(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let account = NewAccount {
        username: form.first("username").trim().to_owned(),
        display_name: form.first("display_name").to_owned(),
        team_id: form.first("team_id").to_owned(),
        role: form.first("role").to_owned(),
        password: form.first("password").to_owned(),
    };
    match create_account(&state.store, &trail.signed_in(&principal), &account).await {
        Ok(created) => Ok(see_other(&format!(
            "/staff/admin/users/{}/set-up?created=1",
            created.id
        ))),
        Err(nwd_usecase::UseCaseError::Invalid(fields)) => {
            new_user_page(
                &state,
                &principal,
                account,
                field_messages(fields),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(PageError::staff(other)),
    }
}

/// A token for the page: its id, name, scopes in words, created, revoked.
#[derive(Debug, Clone)]
pub struct TokenRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Scopes.
    pub scopes: String,
    /// Created, as shown.
    pub created: String,
    /// Revoked, as shown.
    pub revoked: Option<String>,
}

fn token_rows(state: &AppState, tokens: &[ApiTokenSummary]) -> Vec<TokenRow> {
    tokens
        .iter()
        .map(|t| TokenRow {
            id: t.id.clone(),
            name: t.name.clone(),
            scopes: t
                .scopes
                .iter()
                .map(|s| s.as_str().replace('_', " "))
                .collect::<Vec<_>>()
                .join(", "),
            created: shown(t.created_at, state),
            revoked: t.revoked_at.map(|r| shown(r, state)),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    layout: Layout,
    user: UserRow,
    disabled_at: Option<String>,
    created: String,
    is_self: bool,
    tokens: Vec<TokenRow>,
    teams: Vec<(String, String)>,
    roles: Vec<(&'static str, String)>,
    scopes: Vec<(&'static str, String)>,
    typed: Typed,
    new_token: Option<(String, String)>,
    pending: Vec<crate::admin::role_grants::PendingRow>,
    csrf: String,
}

/// What was typed into the user page's forms.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    /// Membership: team.
    pub team_id: String,
    /// Membership: role.
    pub role: String,
    /// Token: name.
    pub token_name: String,
    /// Token: scopes ticked.
    pub token_scopes: Vec<String>,
}

impl Typed {
    /// Whether the scope `value` was ticked.
    pub fn ticked(&self, value: &str) -> bool {
        self.token_scopes.iter().any(|s| s == value)
    }
}

#[allow(clippy::too_many_arguments)]
async fn user_page(
    trail: &RequestAudit,
    state: &AppState,
    principal: &Principal,
    id: &str,
    typed: Typed,
    errors: Vec<FieldMessage>,
    new_token: Option<(String, String)>,
    status: StatusCode,
) -> PageResult {
    trail.set_record("user", id.to_owned());
    let user = state.store.user(id).await.map_err(PageError::staff)?;
    let tokens = state.store.api_tokens(id).await.map_err(PageError::staff)?;
    let teams = state.store.teams().await.map_err(PageError::staff)?;
    let page = UserPage {
        layout: Layout::staff(&user.display_name, principal).with_errors(errors),
        disabled_at: user.disabled_at.map(|d| shown(d, state)),
        created: shown(user.created_at, state),
        is_self: user.id == principal.user_id,
        user: UserRow::of(&user),
        tokens: token_rows(state, &tokens),
        teams: team_options(&teams),
        roles: role_options(),
        scopes: Permission::ALL
            .into_iter()
            .map(|p| (p.as_str(), p.as_str().replace('_', " ")))
            .collect(),
        typed,
        new_token,
        pending: crate::admin::role_grants::pending_rows(state, principal, id).await?,
        csrf: principal.csrf_token.clone().unwrap_or_default(),
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// One account: its roles, tokens and the forms that change them.
#[utoipa::path(get, path = "/staff/admin/users/{id}", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "An account", content_type = "text/html"), (status = 404, description = "Not found")))]
pub async fn user(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> PageResult {
    user_page(
        &trail,
        &state,
        &principal,
        &id,
        Typed::default(),
        Vec::new(),
        None,
        StatusCode::OK,
    )
    .await
}

/// A refused change: the page again with the message beside `field`, or the failure page.
async fn refused(
    trail: &RequestAudit,
    state: &AppState,
    principal: &Principal,
    id: &str,
    typed: Typed,
    error: ApiError,
    field_id: impl Fn(&str) -> &'static str,
) -> PageResult {
    match error {
        ApiError::Invalid(fields) => {
            let errors = fields
                .into_iter()
                .map(|f| FieldMessage::new(field_id(&f.field), capitalised(&f.message)))
                .collect();
            user_page(
                trail,
                state,
                principal,
                id,
                typed,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        other => Err(PageError::staff(other)),
    }
}

fn auth(error: AuthError) -> ApiError {
    error.into()
}

/// Disables the account (after "Are you sure?": `admin::confirm`): every session ends and
/// every token is revoked, at once.
#[utoipa::path(post, path = "/staff/admin/users/{id}/disable", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Not yet confirmed: the confirmation page", content_type = "text/html"), (status = 303, description = "Disabled: back to the account"), (status = 404, description = "Not found"), (status = 422, description = "Refused (your own account)", content_type = "text/html")))]
pub async fn disable(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    if !confirm::confirmed(&form) {
        return Ok(confirm::to_question(
            &format!("/staff/admin/users/{id}/disable"),
            &form,
        ));
    }
    match disable_account(&state.store, &trail.signed_in(&principal), &id).await {
        Ok(()) => Ok(see_other(&format!("/staff/admin/users/{id}"))),
        Err(error) => {
            refused(
                &trail,
                &state,
                &principal,
                &id,
                Typed::default(),
                error.into(),
                |_| "disable",
            )
            .await
        }
    }
}

/// "Are you sure?" before disabling an account (`admin::confirm`): the question the button's post redirects
/// to; only its "Yes" changes anything.
#[utoipa::path(get, path = "/staff/admin/users/{id}/disable", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "The confirmation page", content_type = "text/html"), (status = 404, description = "Not found", content_type = "text/html")))]
pub async fn disable_question(
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
            title: format!("Disable {}?", user.username),
            consequence: format!(
                "{} is signed out everywhere at once, every API token of the account is revoked, and the account can no longer sign in. Their records and everything they did stay.",
                user.display_name
            ),
            button: "Yes, disable the account".into(),
            action: format!("/staff/admin/users/{id}/disable"),
            back: format!("/staff/admin/users/{id}"),
        },
    )
}
