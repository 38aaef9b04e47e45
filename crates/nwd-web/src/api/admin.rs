//! Administration of accounts for the administrator role (`manage_users`): list accounts and
//! teams, create an account (initial password, checked by the same rules as the CLI; the TOTP
//! secret is answered once), give or take away a role in a team, disable an account (every
//! session ends and every token is revoked at once), and issue or revoke scoped API tokens
//! (the token is answered once). No clinical content is read or shown.
//!
//! The parsing here ([`NewAccount::check`], [`parse_scopes`], [`parse_role`]) is shared with
//! the administration pages (`pages::admin`), so the API and the pages accept and refuse the
//! same input.

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use nwd_domain::authz::{Permission, Permission::*, Policy::*, Role, Scope};
use nwd_domain::FieldError;
use nwd_store::admin::{ApiTokenSummary, TeamSummary, UserSummary};
use nwd_store::auth::{CreatedUser, NewUser};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::extract::{Caller, JsonBody};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::secure::SecureRouter;
use crate::AppState;

/// Routes.
pub fn router() -> SecureRouter {
    let users = Requires(ManageUsers, Scope::None);
    SecureRouter::new()
        .route(users, "user", routes!(list_users))
        .route(users, "user", routes!(create_user))
        .route(users, "user", routes!(get_user))
        .route(users, "user", routes!(disable_user))
        .route(users, "user", routes!(add_membership))
        .route(users, "user", routes!(remove_membership))
        .route(users, "team", routes!(list_teams))
        .route(users, "api_token", routes!(create_token))
        .route(users, "api_token", routes!(revoke_token))
}

/// A new staff account.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// Sign-in name: letters, digits, dots, hyphens, underscores or @.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// The team the account starts in (its organisation becomes the account's).
    pub team_id: String,
    /// The role in that team (API name).
    pub role: String,
    /// The initial password (8+ characters, not breached, not the username); the member of
    /// staff should change it after first sign-in.
    pub password: String,
}

impl NewAccount {
    /// Checks every field the store does not, naming each invalid one; on success the store's
    /// new user (its own checks — username form, password rules, uniqueness — follow).
    pub fn check(&self, teams: &[TeamSummary]) -> Result<NewUser, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.display_name.trim().is_empty() {
            errors.push(field("display_name", "enter the name shown to others"));
        }
        let team = teams.iter().find(|t| t.id == self.team_id);
        if team.is_none() {
            errors.push(field("team_id", "choose the team the account starts in"));
        }
        let role = parse_role(&self.role).map_err(|e| errors.push(e)).ok();
        if self.password.is_empty() {
            errors.push(field(
                "password",
                "enter an initial password of 8 or more characters",
            ));
        }
        match (team, role) {
            (Some(team), Some(role)) if errors.is_empty() => Ok(NewUser {
                username: self.username.clone(),
                display_name: self.display_name.trim().to_owned(),
                organisation_id: team.organisation_id.clone(),
                password: Some(self.password.clone()),
                memberships: vec![(team.id.clone(), role)],
            }),
            _ => Err(errors),
        }
    }
}

fn field(name: &str, message: &str) -> FieldError {
    FieldError {
        field: name.to_owned(),
        message: message.to_owned(),
    }
}

/// A role that an administrator may give (every role but parent/carer, which comes only with
/// a recorded carer link).
pub fn parse_role(value: &str) -> Result<Role, FieldError> {
    match Role::parse(value) {
        Ok(Role::ParentCarer) | Err(_) => Err(field(
            "role",
            "choose a role: triage, clinician, team_manager, administrator, privacy_officer, commissioner or external_referrer",
        )),
        Ok(role) => Ok(role),
    }
}

/// Token scopes from their API names; at least one.
pub fn parse_scopes<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<BTreeSet<Permission>, FieldError> {
    let scopes = values
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Permission::parse(s).map_err(|e| field("scopes", &e)))
        .collect::<Result<BTreeSet<_>, _>>()?;
    if scopes.is_empty() {
        return Err(field(
            "scopes",
            "choose at least one permission for the token",
        ));
    }
    Ok(scopes)
}

/// Creates an account after every check; nothing is written when any fails.
pub async fn create_account(
    state: &AppState,
    by: &str,
    account: &NewAccount,
) -> ApiResult<CreatedUser> {
    let teams = state.store.teams().await?;
    let user = account.check(&teams).map_err(ApiError::Invalid)?;
    Ok(state.store.create_user(user, by).await?)
}

/// Disables an account, refusing the caller's own (an administrator cannot lock themselves
/// out). Every session of the account ends and every token is revoked in the same
/// transaction.
pub async fn disable_account(state: &AppState, caller: &str, id: &str) -> ApiResult<()> {
    if caller == id {
        return Err(ApiError::field(
            "user",
            "you cannot disable your own account; ask another administrator",
        ));
    }
    // 404 for an unknown account before anything is written.
    state.store.user(id).await?;
    if let Some(audit) = nwd_store::audit::current() {
        audit.set_record("user", id.to_owned());
    }
    Ok(state.store.disable_user(id).await?)
}

/// Every account with its organisation, teams, roles, second factor and state.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin",
    responses((status = 200, body = Vec<UserSummary>), (status = 403, body = Problem)))]
async fn list_users(State(state): State<AppState>) -> ApiResult<Json<Vec<UserSummary>>> {
    Ok(Json(state.store.users().await?))
}

/// Creates an account with an initial password and one team role. The TOTP secret to enrol
/// in an authenticator app is in this answer only.
#[utoipa::path(post, path = "/api/admin/users", tag = "admin", request_body = NewAccount,
    responses((status = 201, body = CreatedUser), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_user(
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody { value, .. }: JsonBody<NewAccount>,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    let created = create_account(&state, &format!("user:{}", principal.user_id), &value).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// An account and its API tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserDetail {
    /// The account.
    #[serde(flatten)]
    pub user: UserSummary,
    /// Its API tokens, newest first (never the tokens themselves).
    pub tokens: Vec<ApiTokenSummary>,
}

/// One account and its API tokens.
#[utoipa::path(get, path = "/api/admin/users/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = UserDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_user(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<UserDetail>> {
    if let Some(audit) = nwd_store::audit::current() {
        audit.set_record("user", id.clone());
    }
    let user = state.store.user(&id).await?;
    let tokens = state.store.api_tokens(&id).await?;
    Ok(Json(UserDetail { user, tokens }))
}

/// Disables an account: every session ends and every token is revoked, at once.
#[utoipa::path(post, path = "/api/admin/users/{id}/disable", tag = "admin", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn disable_user(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    disable_account(&state, &principal.user_id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A role in a team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipChange {
    /// Team id.
    pub team_id: String,
    /// Role (API name).
    pub role: String,
}

/// Gives an account a role in a team.
#[utoipa::path(post, path = "/api/admin/users/{id}/memberships", tag = "admin", params(("id" = String, Path)),
    request_body = MembershipChange,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_membership(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody { value, .. }: JsonBody<MembershipChange>,
) -> ApiResult<StatusCode> {
    let role = parse_role(&value.role).map_err(|e| ApiError::Invalid(vec![e]))?;
    state
        .store
        .add_membership(&id, &value.team_id, role)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a role in a team away from an account (not its last one: disable it instead).
#[utoipa::path(post, path = "/api/admin/users/{id}/memberships/remove", tag = "admin", params(("id" = String, Path)),
    request_body = MembershipChange,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn remove_membership(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody { value, .. }: JsonBody<MembershipChange>,
) -> ApiResult<StatusCode> {
    let role = Role::parse(&value.role).map_err(|e| ApiError::field("role", e))?;
    state
        .store
        .remove_membership(&id, &value.team_id, role)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every team with its organisation and number of members.
#[utoipa::path(get, path = "/api/admin/teams", tag = "admin",
    responses((status = 200, body = Vec<TeamSummary>), (status = 403, body = Problem)))]
async fn list_teams(State(state): State<AppState>) -> ApiResult<Json<Vec<TeamSummary>>> {
    Ok(Json(state.store.teams().await?))
}

/// A new API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What it is for (e.g. the system that uses it).
    pub name: String,
    /// The permissions it is limited to (API names), at least one.
    pub scopes: Vec<String>,
}

/// A token, answered once.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedToken {
    /// Token id (to revoke it).
    pub id: String,
    /// The token: send as `Authorization: Bearer <token>`. Not shown again.
    pub token: String,
}

/// Issues an API token for an account, limited to some permissions; answered once.
#[utoipa::path(post, path = "/api/admin/users/{id}/tokens", tag = "admin", params(("id" = String, Path)),
    request_body = NewToken,
    responses((status = 201, body = IssuedToken), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody { value, .. }: JsonBody<NewToken>,
) -> ApiResult<(StatusCode, Json<IssuedToken>)> {
    let scopes = parse_scopes(value.scopes.iter().map(String::as_str))
        .map_err(|e| ApiError::Invalid(vec![e]))?;
    let (token_id, token) = state
        .store
        .issue_api_token(&id, &value.name, &scopes)
        .await?;
    if let Some(audit) = nwd_store::audit::current() {
        audit.set_record("api_token", token_id.clone());
    }
    Ok((
        StatusCode::CREATED,
        Json(IssuedToken {
            id: token_id,
            token,
        }),
    ))
}

/// Revokes one of an account's API tokens.
#[utoipa::path(post, path = "/api/admin/users/{id}/tokens/{token_id}/revoke", tag = "admin",
    params(("id" = String, Path), ("token_id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn revoke_token(
    State(state): State<AppState>,
    Path((id, token_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.store.revoke_user_token(&id, &token_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
