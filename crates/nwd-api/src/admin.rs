//! Administration of accounts for the administrator role (`manage_users`): list accounts and
//! teams, create an account (initial password, checked by the same rules as the CLI; the TOTP
//! secret is answered once), give or take away a role in a team, disable an account (every
//! session ends and every token is revoked at once), and issue or revoke scoped API tokens
//! (the token is answered once). No clinical content is read or shown.
//!
//! Teams: list, add (organisation, name, kind, and the service a service team runs), one
//! team with its members, give someone a role in it, take a role away.
//!
//! The checks and the writes (`NewAccount::check`, `parse_scopes`, `parse_role`, `TeamForm`,
//! `add_member`, `remove_member`) are `usecase::accounts`'s, shared with the administration
//! pages, so the API and the pages accept and refuse the same input.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use nwd_domain::authz::{Permission::*, Policy::*, Role, Scope};
use nwd_store::admin::{ApiTokenSummary, MembershipGrant, TeamMember, TeamSummary, UserSummary};
use nwd_store::auth::CreatedUser;
use nwd_store::role_grants::PendingRoleGrant;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use nwd_http::extract::{Caller, JsonBody};
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::RequestAudit;
use nwd_http::secure::SecureRouter;
use nwd_http::AppState;
use nwd_usecase::accounts::{
    add_member, add_team, create_account, disable_account, parse_role, parse_scopes, remove_member,
    NewAccount, TeamForm,
};

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
        .route(users, "team", routes!(create_team))
        .route(users, "team", routes!(get_team))
        .route(users, "team", routes!(add_team_member))
        .route(users, "team", routes!(remove_team_member))
        .route(users, "api_token", routes!(create_token))
        .route(users, "api_token", routes!(revoke_token))
        .route(users, "role_grant", routes!(list_role_grants))
        .route(users, "role_grant", routes!(approve_role_grant))
        .route(users, "role_grant", routes!(refuse_role_grant))
        .route(SignedIn, "api_token", routes!(create_own_token))
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
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody { value, .. }: JsonBody<NewAccount>,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    let created = create_account(&state.store, &trail.signed_in(&principal), &value).await?;
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
    trail: RequestAudit,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<UserDetail>> {
    trail.set_record("user", id.clone());
    let user = state.store.user(&id).await?;
    let tokens = state.store.api_tokens(&id).await?;
    Ok(Json(UserDetail { user, tokens }))
}

/// Disables an account: every session ends and every token is revoked, at once.
#[utoipa::path(post, path = "/api/admin/users/{id}/disable", tag = "admin", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn disable_user(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    disable_account(&state.store, &trail.signed_in(&principal), &id).await?;
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

/// The answer to giving a role: 204 when it is in effect; 202 with the request's id when it
/// is a clinical role waiting for a second administrator.
fn granted(grant: MembershipGrant) -> axum::response::Response {
    use axum::response::IntoResponse;
    match grant {
        MembershipGrant::Granted => StatusCode::NO_CONTENT.into_response(),
        pending @ MembershipGrant::Pending { .. } => {
            (StatusCode::ACCEPTED, Json(pending)).into_response()
        }
    }
}

/// Gives an account a role in a team: in effect at once (204), or — a clinical role (triage,
/// clinician, team manager) — waiting for a second administrator's approval (202).
#[utoipa::path(post, path = "/api/admin/users/{id}/memberships", tag = "admin", params(("id" = String, Path)),
    request_body = MembershipChange,
    responses((status = 204), (status = 202, body = MembershipGrant), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_membership(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value, .. }: JsonBody<MembershipChange>,
) -> ApiResult<axum::response::Response> {
    let role = parse_role(&value.role).map_err(|e| ApiError::Invalid(vec![e]))?;
    let grant = state
        .store
        .add_membership(&trail.signed_in(&principal), &id, &value.team_id, role)
        .await?;
    Ok(granted(grant))
}

/// Clinical roles waiting for a second administrator's approval.
#[utoipa::path(get, path = "/api/admin/role-grants", tag = "admin",
    responses((status = 200, body = Vec<PendingRoleGrant>), (status = 403, body = Problem)))]
async fn list_role_grants(State(state): State<AppState>) -> ApiResult<Json<Vec<PendingRoleGrant>>> {
    Ok(Json(state.store.pending_role_grants().await?))
}

/// Approves a waiting clinical role: the membership takes effect. Refused (403) to the
/// administrator who asked for it and to the account that gains it.
#[utoipa::path(post, path = "/api/admin/role-grants/{id}/approve", tag = "admin", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn approve_role_grant(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .decide_role_grant(&trail.signed_in(&principal), &id, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Refuses a waiting clinical role (as approval, never by the one who asked or gains it).
#[utoipa::path(post, path = "/api/admin/role-grants/{id}/refuse", tag = "admin", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn refuse_role_grant(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .decide_role_grant(&trail.signed_in(&principal), &id, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a role in a team away from an account (not its last one: disable it instead).
#[utoipa::path(post, path = "/api/admin/users/{id}/memberships/remove", tag = "admin", params(("id" = String, Path)),
    request_body = MembershipChange,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn remove_membership(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value, .. }: JsonBody<MembershipChange>,
) -> ApiResult<StatusCode> {
    let role = Role::parse(&value.role).map_err(|e| ApiError::field("role", e))?;
    state
        .store
        .remove_membership(&trail.signed_in(&principal), &id, &value.team_id, role)
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

/// Issues an API token to its holder (`principal`), limited to some permissions — and, when
/// the holder is calling with a token, to that token's permissions; answered once. A token is
/// created by and for its holder only (`Store::issue_api_token`).
pub async fn issue_own_token(
    trail: &RequestAudit,
    state: &AppState,
    principal: &nwd_store::auth::Principal,
    holder: &str,
    name: &str,
    scopes: &[String],
) -> ApiResult<(String, String)> {
    let scopes =
        parse_scopes(scopes.iter().map(String::as_str)).map_err(|e| ApiError::Invalid(vec![e]))?;
    if let Some(limit) = &principal.scopes {
        if !scopes.is_subset(limit) {
            return Err(ApiError::field(
                "scopes",
                "a token can only be limited further than the token you are using",
            ));
        }
    }
    Ok(state
        .store
        .issue_api_token(&trail.signed_in(principal), holder, name, &scopes)
        .await?)
}

/// Issues an API token for one's own account (an administrator's own; anyone else's is
/// refused, 403: tokens are created by their holder, `POST /api/account/tokens`).
#[utoipa::path(post, path = "/api/admin/users/{id}/tokens", tag = "admin", params(("id" = String, Path)),
    request_body = NewToken,
    responses((status = 201, body = IssuedToken), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_token(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value, .. }: JsonBody<NewToken>,
) -> ApiResult<(StatusCode, Json<IssuedToken>)> {
    let (token_id, token) =
        issue_own_token(&trail, &state, &principal, &id, &value.name, &value.scopes).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedToken {
            id: token_id,
            token,
        }),
    ))
}

/// Issues an API token for the signed-in member of staff, limited to some permissions (and
/// never more than their roles allow); answered once, to them only.
#[utoipa::path(post, path = "/api/account/tokens", tag = "admin",
    request_body = NewToken,
    responses((status = 201, body = IssuedToken), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn create_own_token(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody { value, .. }: JsonBody<NewToken>,
) -> ApiResult<(StatusCode, Json<IssuedToken>)> {
    let holder = principal.user_id.clone();
    let (token_id, token) = issue_own_token(
        &trail,
        &state,
        &principal,
        &holder,
        &value.name,
        &value.scopes,
    )
    .await?;
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
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path((id, token_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state
        .store
        .revoke_api_token(&trail.signed_in(&principal), Some(&id), &token_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A team's id.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTeam {
    /// Team id.
    pub id: String,
}

/// Adds a team (organisation, name, kind, and the service a service team runs).
#[utoipa::path(post, path = "/api/admin/teams", tag = "admin", request_body = TeamForm,
    responses((status = 201, body = CreatedTeam), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn create_team(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody { value, .. }: JsonBody<TeamForm>,
) -> ApiResult<(StatusCode, Json<CreatedTeam>)> {
    let id = add_team(&state.store, &trail.signed_in(&principal), &value).await?;
    Ok((StatusCode::CREATED, Json(CreatedTeam { id })))
}

/// A team and its members.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamDetail {
    /// The team.
    #[serde(flatten)]
    pub team: TeamSummary,
    /// Everyone in it with their role (one row per role).
    pub memberships: Vec<TeamMember>,
}

/// One team and its members with their roles.
#[utoipa::path(get, path = "/api/admin/teams/{id}", tag = "admin", params(("id" = String, Path)),
    responses((status = 200, body = TeamDetail), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_team(
    trail: RequestAudit,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<TeamDetail>> {
    trail.set_record("team", id.clone());
    let team = state.store.team(&id).await?;
    let memberships = state.store.team_members(&id).await?;
    Ok(Json(TeamDetail { team, memberships }))
}

/// Someone's role in the team.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberChange {
    /// User id.
    pub user_id: String,
    /// Role (API name).
    pub role: String,
}

/// Gives an account a role in the team: in effect at once (204), or — a clinical role —
/// waiting for a second administrator's approval (202).
#[utoipa::path(post, path = "/api/admin/teams/{id}/members", tag = "admin", params(("id" = String, Path)),
    request_body = MemberChange,
    responses((status = 204), (status = 202, body = MembershipGrant), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_team_member(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value, .. }: JsonBody<MemberChange>,
) -> ApiResult<axum::response::Response> {
    let grant = add_member(
        &state.store,
        &trail.signed_in(&principal),
        &id,
        &value.user_id,
        &value.role,
    )
    .await?;
    Ok(granted(grant))
}

/// Takes a role in the team away from an account (not its last one: disable it instead).
#[utoipa::path(post, path = "/api/admin/teams/{id}/members/remove", tag = "admin", params(("id" = String, Path)),
    request_body = MemberChange,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn remove_team_member(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value, .. }: JsonBody<MemberChange>,
) -> ApiResult<StatusCode> {
    remove_member(
        &state.store,
        &trail.signed_in(&principal),
        &id,
        &value.user_id,
        &value.role,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
