//! Administration of accounts for the administrator role (`manage_users`): list accounts and
//! teams, create an account (initial password, checked by the same rules as the CLI; the TOTP
//! secret is answered once), give or take away a role in a team, disable an account (every
//! session ends and every token is revoked at once), and issue or revoke scoped API tokens
//! (the token is answered once). No clinical content is read or shown.
//!
//! Teams: list, add (organisation, name, kind, and the service a service team runs), one
//! team with its members, give someone a role in it, take a role away.
//!
//! The parsing here ([`NewAccount::check`], [`parse_scopes`], [`parse_role`], [`TeamForm`],
//! [`add_member`], [`remove_member`]) is shared with the administration pages
//! (`pages::admin`, `pages::teams`), so the API and the pages accept and refuse the same
//! input.

use std::collections::BTreeSet;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use nwd_domain::authz::{Permission, Permission::*, Policy::*, Role, Scope};
use nwd_domain::FieldError;
use nwd_store::admin::{
    parse_team_kind, ApiTokenSummary, MembershipGrant, NewTeam, TeamMember, TeamSummary,
    UserSummary,
};
use nwd_store::audit::AuditContext;
use nwd_store::auth::{CreatedUser, NewUser};
use nwd_store::role_grants::PendingRoleGrant;
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
    audit: &AuditContext,
    account: &NewAccount,
) -> ApiResult<CreatedUser> {
    let teams = state.store.teams().await?;
    let user = account.check(&teams).map_err(ApiError::Invalid)?;
    Ok(state.store.create_account(audit, user).await?)
}

/// Disables an account, refusing the caller's own (an administrator cannot lock themselves
/// out). Every session of the account ends and every token is revoked in the same
/// transaction.
pub async fn disable_account(state: &AppState, audit: &AuditContext, id: &str) -> ApiResult<()> {
    Ok(state.store.disable_user(audit, id).await?)
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
    let created = create_account(&state, &AuditContext::signed_in(&principal), &value).await?;
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
    disable_account(&state, &AuditContext::signed_in(&principal), &id).await?;
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

/// Who is acting, as recorded on role requests and decisions.
pub fn by(principal: &nwd_store::auth::Principal) -> String {
    format!("user:{}", principal.user_id)
}

/// Gives an account a role in a team: in effect at once (204), or — a clinical role (triage,
/// clinician, team manager) — waiting for a second administrator's approval (202).
#[utoipa::path(post, path = "/api/admin/users/{id}/memberships", tag = "admin", params(("id" = String, Path)),
    request_body = MembershipChange,
    responses((status = 204), (status = 202, body = MembershipGrant), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn add_membership(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value, .. }: JsonBody<MembershipChange>,
) -> ApiResult<axum::response::Response> {
    let role = parse_role(&value.role).map_err(|e| ApiError::Invalid(vec![e]))?;
    let grant = state
        .store
        .add_membership(
            &AuditContext::signed_in(&principal),
            &id,
            &value.team_id,
            role,
        )
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
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .decide_role_grant(&AuditContext::signed_in(&principal), &id, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Refuses a waiting clinical role (as approval, never by the one who asked or gains it).
#[utoipa::path(post, path = "/api/admin/role-grants/{id}/refuse", tag = "admin", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn refuse_role_grant(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state
        .store
        .decide_role_grant(&AuditContext::signed_in(&principal), &id, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a role in a team away from an account (not its last one: disable it instead).
#[utoipa::path(post, path = "/api/admin/users/{id}/memberships/remove", tag = "admin", params(("id" = String, Path)),
    request_body = MembershipChange,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn remove_membership(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value, .. }: JsonBody<MembershipChange>,
) -> ApiResult<StatusCode> {
    let role = Role::parse(&value.role).map_err(|e| ApiError::field("role", e))?;
    state
        .store
        .remove_membership(
            &AuditContext::signed_in(&principal),
            &id,
            &value.team_id,
            role,
        )
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
        .issue_api_token(&AuditContext::signed_in(principal), holder, name, &scopes)
        .await?)
}

/// Issues an API token for one's own account (an administrator's own; anyone else's is
/// refused, 403: tokens are created by their holder, `POST /api/account/tokens`).
#[utoipa::path(post, path = "/api/admin/users/{id}/tokens", tag = "admin", params(("id" = String, Path)),
    request_body = NewToken,
    responses((status = 201, body = IssuedToken), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_token(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value, .. }: JsonBody<NewToken>,
) -> ApiResult<(StatusCode, Json<IssuedToken>)> {
    let (token_id, token) =
        issue_own_token(&state, &principal, &id, &value.name, &value.scopes).await?;
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
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody { value, .. }: JsonBody<NewToken>,
) -> ApiResult<(StatusCode, Json<IssuedToken>)> {
    let holder = principal.user_id.clone();
    let (token_id, token) =
        issue_own_token(&state, &principal, &holder, &value.name, &value.scopes).await?;
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
    Caller(principal): Caller,
    Path((id, token_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state
        .store
        .revoke_api_token(&AuditContext::signed_in(&principal), Some(&id), &token_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new team.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamForm {
    /// The organisation it belongs to.
    pub organisation_id: String,
    /// Its name, unique within the organisation.
    pub name: String,
    /// `single_point_of_access` (relates to every open referral), `service` (relates to the
    /// people allocated to its service) or `other` (commissioning, administration, referrers:
    /// relates to nobody).
    pub kind: String,
    /// The service a service team runs (only for `service`).
    #[serde(default)]
    pub service_id: Option<String>,
}

impl TeamForm {
    /// The store's new team: an unknown kind is `None`, which the store names.
    pub fn new_team(&self) -> NewTeam {
        NewTeam {
            organisation_id: self.organisation_id.trim().to_owned(),
            name: self.name.trim().to_owned(),
            kind: parse_team_kind(&self.kind),
            service_id: self
                .service_id
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        }
    }
}

/// Adds a team after every check (the store's); nothing is written when any fails.
pub async fn add_team(
    state: &AppState,
    audit: &AuditContext,
    form: &TeamForm,
) -> ApiResult<String> {
    Ok(state.store.add_team(audit, &form.new_team()).await?)
}

/// Gives the account `user_id` the role `role` (API name) in team `team_id`: 404 for an
/// unknown team; an unknown account, a role the account already has there, the parent/carer
/// role or a disabled account are refused naming the field; nothing is written then.
pub async fn add_member(
    state: &AppState,
    audit: &AuditContext,
    team_id: &str,
    user_id: &str,
    role: &str,
) -> ApiResult<MembershipGrant> {
    state.store.team(team_id).await?;
    let mut errors = Vec::new();
    let role = parse_role(role).map_err(|e| errors.push(e)).ok();
    let known = match state.store.user(user_id.trim()).await {
        Ok(_) => true,
        Err(nwd_store::StoreError::NotFound { .. }) => false,
        Err(other) => return Err(other.into()),
    };
    if !known {
        errors.push(field("user_id", "choose the person to add from the list"));
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    state
        .store
        .add_membership(audit, user_id.trim(), team_id, role)
        .await
        .map_err(|e| match e {
            nwd_store::auth::AuthError::Invalid {
                field: "user",
                message,
            } => ApiError::field("user_id", message),
            other => other.into(),
        })
}

/// Takes the role `role` in team `team_id` away from the account `user_id` (not its last
/// role: disable the account instead). 404 for an unknown team or account.
pub async fn remove_member(
    state: &AppState,
    audit: &AuditContext,
    team_id: &str,
    user_id: &str,
    role: &str,
) -> ApiResult<()> {
    state.store.team(team_id).await?;
    let role = Role::parse(role).map_err(|e| ApiError::field("role", e))?;
    Ok(state
        .store
        .remove_membership(audit, user_id, team_id, role)
        .await?)
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
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody { value, .. }: JsonBody<TeamForm>,
) -> ApiResult<(StatusCode, Json<CreatedTeam>)> {
    let id = add_team(&state, &AuditContext::signed_in(&principal), &value).await?;
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
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<TeamDetail>> {
    if let Some(audit) = nwd_store::audit::current() {
        audit.set_record("team", id.clone());
    }
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
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value, .. }: JsonBody<MemberChange>,
) -> ApiResult<axum::response::Response> {
    let grant = add_member(
        &state,
        &AuditContext::signed_in(&principal),
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
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value, .. }: JsonBody<MemberChange>,
) -> ApiResult<StatusCode> {
    remove_member(
        &state,
        &AuditContext::signed_in(&principal),
        &id,
        &value.user_id,
        &value.role,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
