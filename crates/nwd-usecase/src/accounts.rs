//! Accounts and teams, as every door administers them: the administrator's JSON API
//! (`api::admin`) and pages (`pages::admin`, `pages::teams`) call the same checks and the same
//! writes, so both accept and refuse the same input and record the same actor.
//!
//! Owns: reading an administrator's answers into the store's types ([`NewAccount::check`],
//! [`parse_role`], [`parse_scopes`], [`TeamForm::new_team`]) and the actions built on them.
//! Does not own the rules the store checks inside its transactions (username form, password
//! rules, uniqueness, the second administrator for a clinical role).

use std::collections::BTreeSet;

use nwd_domain::authz::{Permission, Role};
use nwd_domain::FieldError;
use nwd_store::admin::{parse_team_kind, MembershipGrant, NewTeam, TeamSummary};
use nwd_store::audit::AuditContext;
use nwd_store::auth::{CreatedUser, NewUser};
use nwd_store::Store;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{UseCaseError, UseCaseResult};

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
    store: &Store,
    audit: &AuditContext,
    account: &NewAccount,
) -> UseCaseResult<CreatedUser> {
    let teams = store.teams().await?;
    let user = account.check(&teams).map_err(UseCaseError::Invalid)?;
    Ok(store.create_account(audit, user).await?)
}

/// A person's own new password (the change-password page and `POST /api/session/password`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password they have now (the initial one, at first sign-in).
    pub current_password: String,
    /// The new password.
    pub new_password: String,
    /// The new password again.
    pub confirm_password: String,
}

/// Changes the signed-in person's own password (`Store::change_password`): every door the
/// same. The new password typed twice must match; then the store's checks (the current one
/// right, the password rules, not the same as now). Their other sessions end.
pub async fn change_password(
    store: &Store,
    audit: &AuditContext,
    principal: &nwd_store::auth::Principal,
    change: &PasswordChange,
) -> UseCaseResult<()> {
    let mut missing = Vec::new();
    if change.current_password.is_empty() {
        missing.push(field("current_password", "enter your current password"));
    }
    if change.new_password.is_empty() {
        missing.push(field("new_password", "enter a new password"));
    } else if change.confirm_password != change.new_password {
        missing.push(field(
            "confirm_password",
            "the two new passwords are not the same; type the new password again",
        ));
    }
    if !missing.is_empty() {
        return Err(UseCaseError::Invalid(missing));
    }
    Ok(store
        .change_password(
            audit,
            &principal.user_id,
            &principal.credential_ref,
            &change.current_password,
            &change.new_password,
        )
        .await?)
}

/// Disables an account, refusing the caller's own (an administrator cannot lock themselves
/// out). Every session of the account ends and every token is revoked in the same
/// transaction.
pub async fn disable_account(store: &Store, audit: &AuditContext, id: &str) -> UseCaseResult<()> {
    Ok(store.disable_user(audit, id).await?)
}

/// Who is acting, as recorded on role requests and decisions.
pub fn by(principal: &nwd_store::auth::Principal) -> String {
    format!("user:{}", principal.user_id)
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
    store: &Store,
    audit: &AuditContext,
    form: &TeamForm,
) -> UseCaseResult<String> {
    Ok(store.add_team(audit, &form.new_team()).await?)
}

/// Gives the account `user_id` the role `role` (API name) in team `team_id`: 404 for an
/// unknown team; an unknown account, a role the account already has there, the parent/carer
/// role or a disabled account are refused naming the field; nothing is written then.
pub async fn add_member(
    store: &Store,
    audit: &AuditContext,
    team_id: &str,
    user_id: &str,
    role: &str,
) -> UseCaseResult<MembershipGrant> {
    store.team(team_id).await?;
    let mut errors = Vec::new();
    let role = parse_role(role).map_err(|e| errors.push(e)).ok();
    let known = match store.user(user_id.trim()).await {
        Ok(_) => true,
        Err(nwd_store::StoreError::NotFound { .. }) => false,
        Err(other) => return Err(other.into()),
    };
    if !known {
        errors.push(field("user_id", "choose the person to add from the list"));
    }
    let Some(role) = role.filter(|_| errors.is_empty()) else {
        return Err(UseCaseError::Invalid(errors));
    };
    store
        .add_membership(audit, user_id.trim(), team_id, role)
        .await
        .map_err(|e| match e {
            nwd_store::auth::AuthError::Invalid {
                field: "user",
                message,
            } => UseCaseError::field("user_id", message),
            other => other.into(),
        })
}

/// Takes the role `role` in team `team_id` away from the account `user_id` (not its last
/// role: disable the account instead). 404 for an unknown team or account.
pub async fn remove_member(
    store: &Store,
    audit: &AuditContext,
    team_id: &str,
    user_id: &str,
    role: &str,
) -> UseCaseResult<()> {
    store.team(team_id).await?;
    let role = Role::parse(role).map_err(|e| UseCaseError::field("role", e))?;
    Ok(store
        .remove_membership(audit, user_id, team_id, role)
        .await?)
}
