//! Scope checks and the request's audit: [`RequestAudit`], the path parameters a scope
//! names, the relationship check and the audited denial.

use super::*;

/// The request's audit scope, as the route guard opened it (route, address, who, roles,
/// session, why): the handler names on it what it read or changed, and builds from it the
/// [`AuditContext`] every store function that writes takes, so the change commits with this
/// request's one entry. Refused with 500 on a route the guard does not cover (none: every
/// route is registered through [`SecureRouter::route`]).
#[derive(Debug, Clone)]
pub struct RequestAudit(pub AuditScope);

impl RequestAudit {
    /// The context of a change by the signed-in `principal`.
    pub fn signed_in(&self, principal: &Principal) -> AuditContext {
        AuditContext::signed_in(principal, self.0.clone())
    }

    /// Runs a command on a referral for the signed-in `principal` — from the API or a page —
    /// at the version the caller read, limited to the allocations their teams may change
    /// (`nwd_domain::referral::authority`), and committed with this request's audit entry.
    pub async fn change_referral(
        &self,
        state: &crate::AppState,
        principal: &Principal,
        id: nwd_domain::ReferralId,
        version: u32,
        command: nwd_domain::referral::Command,
        actor: &str,
    ) -> Result<
        (
            nwd_domain::referral::Referral,
            Vec<nwd_domain::referral::RecordedEvent>,
        ),
        nwd_store::StoreError,
    > {
        let authority = principal.write_authority(&state.store.access().roles);
        state
            .store
            .execute_as(
                &self.signed_in(principal),
                id,
                version,
                command,
                actor,
                &authority,
            )
            .await
    }

    /// The context of a change by `actor` (a member of the public, or someone signing in),
    /// signed in as `account` when they are.
    pub fn acting(&self, actor: Actor, account: Option<&str>) -> AuditContext {
        AuditContext::request(actor, account, self.0.clone())
    }
}

impl std::ops::Deref for RequestAudit {
    type Target = AuditScope;
    fn deref(&self) -> &AuditScope {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestAudit {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<AuditScope>()
            .cloned()
            .map(RequestAudit)
            .ok_or_else(|| ApiError::Internal("the route has no audit scope".into()))
    }
}

/// Path parameters by name.
pub(super) struct Params(pub(super) Vec<(String, String)>);

impl Params {
    pub(super) fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }
}

pub(super) fn entry_id(scope: Scope, param: &Params) -> String {
    match scope {
        Scope::Referral(name) | Scope::Person(name) | Scope::Service(name) => {
            param.get(name).unwrap_or_default()
        }
        Scope::None => String::new(),
    }
}

/// Records a denial and answers with `response` (or 503 if even the denial cannot be
/// recorded).
pub(super) async fn deny(
    state: &AppState,
    mut entry: AuditEntry,
    why: &str,
    response: Response,
) -> Response {
    entry.why = why.to_owned();
    entry.outcome = "denied".into();
    entry.status = response.status().as_u16();
    match state.store.append_audit(entry).await {
        Ok(_) => response,
        Err(e) => {
            let id = uuid::Uuid::new_v4().simple().to_string();
            tracing::error!(error_id = %id, error = %e, "audit append failed on a denial");
            ApiError::AuditUnavailable(id).into_response()
        }
    }
}

/// Whether the register-wide roles (administration, the single point of access) may use a
/// register permission on anyone: the register is theirs to keep clean.
fn register_wide(
    principal: &Principal,
    permission: Permission,
    state: &AppState,
) -> Option<String> {
    if !matches!(
        permission,
        Permission::ReadDemographics | Permission::ManageRegister
    ) {
        return None;
    }
    principal
        .memberships_with(permission, &state.store.access().roles)
        .find(|m| {
            m.role == Role::Administrator
                || (m.role == Role::Triage && m.kind == TeamKind::SinglePointOfAccess)
        })
        .map(|m| format!("role:{}:team:{}", m.role, m.team_id))
}

pub(super) async fn scope_check(
    state: &AppState,
    principal: &Principal,
    permission: Permission,
    scope: Scope,
    param: &Params,
    entry: &mut AuditEntry,
) -> Result<Option<String>, ApiError> {
    let store = &state.store;
    match scope {
        Scope::None => Ok(Some(format!("role:{}", principal.roles_text()))),
        Scope::Referral(name) => {
            let Some(raw) = param.get(name) else {
                return Ok(None);
            };
            entry.record_id = Some(raw.clone());
            let Ok(uuid) = uuid::Uuid::parse_str(&raw) else {
                return Ok(None);
            };
            // The referral's person and the caller's relationship in one query.
            let Some((person, why)) = store
                .referral_relationship(principal, permission, nwd_domain::ReferralId(uuid))
                .await?
            else {
                return Ok(None);
            };
            entry.person_id = Some(person);
            Ok(why)
        }
        Scope::Person(name) => {
            let Some(raw) = param.get(name) else {
                return Ok(None);
            };
            entry.record_id = Some(raw.clone());
            entry.person_id = Some(raw.clone());
            if uuid::Uuid::parse_str(&raw).is_err() {
                return Ok(None);
            }
            if let Some(why) = register_wide(principal, permission, state) {
                return Ok(Some(why));
            }
            Ok(store.relationship(principal, permission, &raw).await?)
        }
        Scope::Service(name) => {
            let Some(raw) = param.get(name) else {
                return Ok(None);
            };
            entry.record_id = Some(raw.clone());
            Ok(principal
                .memberships_with(permission, &store.access().roles)
                .find(|m| {
                    m.kind == TeamKind::SinglePointOfAccess
                        || m.service_id.as_deref() == Some(raw.as_str())
                })
                .map(|m| format!("team:{}", m.team_id)))
        }
    }
}
