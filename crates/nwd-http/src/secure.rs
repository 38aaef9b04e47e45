//! Deny by default. Every route is registered through [`SecureRouter::route`] with a
//! [`Policy`]; the router offers no other way to add a route, so a route without a policy
//! cannot be registered, and the public allow-list is exactly the routes registered with
//! [`Policy::Public`] ([`SecureRouter::policies`] lists them all; a test enumerates them).
//!
//! The guard in front of each route:
//! 1. authenticates the caller (session cookie `__Host-nwd_session`, or `Authorization:
//!    Bearer` API token);
//! 2. checks the caller's roles grant the route's permission (403 otherwise);
//! 3. resolves the record the route names and checks a legitimate relationship or an active
//!    break-glass grant — out-of-scope ids answer 404 with no record data, exactly like ids
//!    that do not exist;
//! 4. opens the request's audit scope ([`AuditScope`], the entry so far) and puts it in the
//!    request's extensions, where the handler takes it with the [`RequestAudit`] extractor: it
//!    annotates the entry (record, person, detail) and builds the [`AuditContext`] it passes
//!    to every store function that writes, whose transaction appends the entry before it
//!    commits (once per request, however many changes it makes). A read's entry is appended
//!    by the guard before the response leaves, and if that append fails the data is not
//!    returned (503). Denials are audited too. Nothing is ambient: no task-local, no global.
//!
//! A page read under `/staff/` without a session goes to the sign-in page with `next` set to
//! where it was going (303); the API answers 401. On page routes (every path outside `/api/`)
//! the guard's 403 and 404 are HTML pages (`pages::refusal`); the API keeps problem+json.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams, Request};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use nwd_domain::actor::Actor;
use nwd_domain::authz::{Permission, Policy, Role, RoleTable, Scope};
use nwd_store::audit::{AuditContext, AuditEntry, AuditScope};
use nwd_store::auth::{Principal, TeamKind};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};

use crate::problem::ApiError;
use crate::AppState;

/// How the guard refuses on a page route, in HTML: the pages supply it
/// ([`AppState::with_page_refusals`]), so that the kernel renders no page of its own. Each
/// answer has the status named (403, 403, 404), and the guard audits the denial exactly as
/// for the API. Without pages, [`ProblemRefusals`] answers as the API does.
pub trait PageRefusals: Send + Sync {
    /// 403: the person's roles do not allow this page.
    fn forbidden(&self, principal: &Principal, roles: &RoleTable) -> Response;
    /// 403: a change sent without the session's CSRF token.
    fn csrf_refused(&self, principal: &Principal, roles: &RoleTable) -> Response;
    /// 404: no such record, or none the person has a relationship with.
    fn not_found(&self, principal: &Principal, roles: &RoleTable) -> Response;
}

/// The refusals of an application without pages: problem+json, as on the API's routes.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProblemRefusals;

impl PageRefusals for ProblemRefusals {
    fn forbidden(&self, principal: &Principal, _roles: &RoleTable) -> Response {
        ApiError::Forbidden(format!(
            "your roles ({}) do not allow this page",
            principal.roles_text()
        ))
        .into_response()
    }
    fn csrf_refused(&self, _principal: &Principal, _roles: &RoleTable) -> Response {
        ApiError::CsrfRefused("the form did not carry your sign-in's CSRF token".into())
            .into_response()
    }
    fn not_found(&self, _principal: &Principal, _roles: &RoleTable) -> Response {
        ApiError::NotFound("no such record".into()).into_response()
    }
}

/// The session cookie. `__Host-` binds it to this origin over HTTPS with `Path=/` (RFC 6265bis).
pub const SESSION_COOKIE: &str = "__Host-nwd_session";

static SERVER_TIMING: AtomicBool = AtomicBool::new(false);

/// Turns the `Server-Timing` response header on or off (off by default). When on, every
/// guarded, allowed response says how long each phase of the guard took (W3C Server Timing:
/// `authn` = authentication, `policy` = role, CSRF and relationship checks, `app` = the
/// handler, `audit` = the read's audit append), which is how `nwd-bench lists` measures what
/// access control costs. Timings are a side channel, so it is for benchmarks and trusted
/// operations only (`nowrongdoor serve --server-timing`).
pub fn set_server_timing(on: bool) {
    SERVER_TIMING.store(on, Ordering::Relaxed);
}

/// Adds the `Server-Timing` header (see [`set_server_timing`]) to `response`.
fn with_timing(mut response: Response, phases: [(&str, Duration); 4]) -> Response {
    if !SERVER_TIMING.load(Ordering::Relaxed) {
        return response;
    }
    let value = phases
        .iter()
        .map(|(name, d)| format!("{name};dur={:.3}", d.as_secs_f64() * 1000.0))
        .collect::<Vec<_>>()
        .join(", ");
    if let Ok(value) = header::HeaderValue::from_str(&value) {
        response.headers_mut().insert("server-timing", value);
    }
    response
}

/// One registered route and its policy.
#[derive(Debug, Clone)]
pub struct RoutePolicy {
    /// Lower-case HTTP method.
    pub method: String,
    /// Path pattern, e.g. `/api/referrals/{id}`.
    pub path: String,
    /// The policy.
    pub policy: Policy,
    /// What kind of record the route reads or changes (for the audit trail).
    pub record_type: &'static str,
}

/// A router that only accepts routes with a policy.
pub struct SecureRouter {
    inner: OpenApiRouter<AppState>,
    policies: Vec<RoutePolicy>,
}

impl Default for SecureRouter {
    fn default() -> Self {
        SecureRouter::new()
    }
}

impl SecureRouter {
    /// An empty router.
    pub fn new() -> SecureRouter {
        SecureRouter {
            inner: OpenApiRouter::new(),
            policies: Vec::new(),
        }
    }

    /// Registers the operations of `routes` (from `utoipa_axum::routes!`) under `policy`.
    pub fn route(
        mut self,
        policy: Policy,
        record_type: &'static str,
        routes: UtoipaMethodRouter<AppState>,
    ) -> SecureRouter {
        let (schemas, paths, method_router) = routes;
        let mut labels = Vec::new();
        for (path, item) in &paths.paths {
            let methods = [
                ("get", item.get.is_some()),
                ("post", item.post.is_some()),
                ("put", item.put.is_some()),
                ("delete", item.delete.is_some()),
                ("patch", item.patch.is_some()),
            ];
            for (method, present) in methods {
                if present {
                    labels.push(format!("{} {path}", method.to_uppercase()));
                    self.policies.push(RoutePolicy {
                        method: method.to_owned(),
                        path: path.clone(),
                        policy,
                        record_type,
                    });
                }
            }
        }
        let label = labels.join(", ");
        // A page route refuses with an HTML page, an API route with problem+json.
        let page = paths
            .paths
            .keys()
            .all(|path| !crate::openapi_responses::is_api(path));
        let guarded = method_router.route_layer(axum::middleware::from_fn(
            move |request: Request, next: Next| {
                let label = label.clone();
                async move { guard(policy, record_type, page, label, request, next).await }
            },
        ));
        self.inner = self.inner.routes((schemas, paths, guarded));
        self
    }

    /// Adds another secure router's routes.
    pub fn merge(mut self, other: SecureRouter) -> SecureRouter {
        self.inner = self.inner.merge(other.inner);
        self.policies.extend(other.policies);
        self
    }

    /// Every route and its policy.
    pub fn policies(&self) -> &[RoutePolicy] {
        &self.policies
    }

    /// The router, for serving.
    pub fn into_parts(self) -> (OpenApiRouter<AppState>, Vec<RoutePolicy>) {
        (self.inner, self.policies)
    }
}

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// Session cookie (needs CSRF protection on unsafe methods).
    Cookie,
    /// Bearer API token.
    Bearer,
}

/// The caller's session cookie value, if any.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// The `Set-Cookie` value of a new session: `__Host-`, Secure, HttpOnly, SameSite=Strict,
/// lasting the absolute timeout.
pub fn session_cookie_header(state: &AppState, token: &str) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
        state.store.access().sessions.absolute.as_secs()
    )
}

/// Authenticates from the bearer token or the session cookie.
pub async fn authenticate(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Option<(Principal, Credential)>, ApiError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::Unauthenticated(
                    "the Authorization header must be `Bearer <token>`".into(),
                )
            })?;
        return Ok(state
            .store
            .token_principal(token)
            .await?
            .map(|p| (p, Credential::Bearer)));
    }
    match session_cookie(headers) {
        Some(token) => Ok(state
            .store
            .session_principal(&token)
            .await?
            .map(|p| (p, Credential::Cookie))),
        None => Ok(None),
    }
}

/// Where a browser that is not signed in goes instead of a 401: the sign-in page, then back.
/// Only for page reads under `/staff/` and `/commissioning` (the API keeps its 401); `next` is the path and query
/// of this request, so it is always a local path.
fn sign_in_location(request: &Request) -> Option<String> {
    let uri = request.uri();
    if !matches!(*request.method(), Method::GET | Method::HEAD)
        || !(uri.path().starts_with("/staff/") || uri.path().starts_with("/commissioning"))
    {
        return None;
    }
    let here = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/staff/triage");
    let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
    Some(format!("/staff/sign-in?next={next}"))
}

fn action_of(method: &Method, policy: Policy) -> &'static str {
    match (method, policy) {
        (&Method::GET, Policy::Requires(Permission::SearchReferrals, _)) => "search",
        (&Method::GET, Policy::Requires(Permission::AuditReports, _)) => "export",
        (&Method::GET | &Method::HEAD, _) => "read",
        _ => "change",
    }
}

fn client_address(request: &Request) -> Option<String> {
    // Resolved by `limits::limit` (X-Forwarded-For only from a trusted proxy).
    if let Some(address) = request.extensions().get::<crate::proxy::ClientAddress>() {
        return Some(address.0.to_string());
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// The guard: authenticate, authorise, scope, audit. `page`: the route is an HTML page, so
/// its refusals are pages too.
async fn guard(
    policy: Policy,
    record_type: &'static str,
    page: bool,
    route: String,
    request: Request,
    next: Next,
) -> Response {
    let Some(state) = request.extensions().get::<AppState>().cloned() else {
        return ApiError::Internal("app state missing".into()).into_response();
    };
    let mut entry = AuditEntry::new(route, action_of(request.method(), policy));
    entry.record_type = record_type.to_owned();
    entry.address = client_address(&request);
    if policy == Policy::Public {
        // Public routes: nothing identifiable is read; writes (self-referral) are audited by
        // the store's transaction.
        let mut request = request;
        request.extensions_mut().insert(AuditScope::new(entry));
        return next.run(request).await;
    }
    let started = Instant::now();
    let (principal, credential) = match authenticate(&state, request.headers()).await {
        Ok(Some(found)) => found,
        Ok(None) => {
            if let Some(location) = sign_in_location(&request) {
                return crate::headers::see_other(&location);
            }
            return ApiError::Unauthenticated(
                "sign in first (POST /api/session), or send an API token as `Authorization: Bearer <token>`"
                    .into(),
            )
            .into_response();
        }
        Err(e) => return e.into_response(),
    };
    let authenticated = Instant::now();
    entry.user_id = Some(principal.user_id.clone());
    entry.username = Some(principal.username.clone());
    entry.roles = principal.roles_text();
    entry.organisation_id = Some(principal.organisation_id.clone());
    entry.session_id = Some(principal.credential_ref.clone());

    // CSRF: a cookie-authenticated change must echo the session's token.
    if credential == Credential::Cookie && !request.method().is_safe() {
        // From the header (scripts, API clients) or the `csrf` query parameter (HTML forms
        // post to `action="…?csrf=TOKEN"`, so that no body needs buffering here; query
        // strings never reach a log).
        let from_query = request.uri().query().and_then(|q| {
            q.split('&')
                .filter_map(|pair| pair.split_once('='))
                .find(|(k, _)| *k == "csrf")
                .map(|(_, v)| v.to_owned())
        });
        let sent = request
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or(from_query);
        let sent = sent.as_deref();
        if sent.is_none() || sent != principal.csrf_token.as_deref() {
            let refusal = if page {
                state
                    .page_refusals
                    .csrf_refused(&principal, &state.store.access().roles)
            } else {
                ApiError::CsrfRefused(
                    "send the CSRF token you received at sign-in with every change (X-CSRF-Token header or csrf query parameter)".into(),
                )
                .into_response()
            };
            return deny(&state, entry, "csrf token missing or wrong", refusal).await;
        }
    }

    let (mut request, why) = match policy {
        Policy::Public | Policy::SignedIn => (request, "signed_in".to_owned()),
        Policy::Requires(permission, scope) => {
            if !principal.holds(permission, &state.store.access().roles) {
                let refusal = if page {
                    state
                        .page_refusals
                        .forbidden(&principal, &state.store.access().roles)
                } else {
                    ApiError::Forbidden(format!(
                        "your roles ({}) do not allow this; ask your administrator if you need it",
                        principal.roles_text()
                    ))
                    .into_response()
                };
                return deny(
                    &state,
                    entry,
                    &format!("role lacks {}", permission.as_str()),
                    refusal,
                )
                .await;
            }
            let (parts, body) = request.into_parts();
            let mut parts = parts;
            let params = RawPathParams::from_request_parts(&mut parts, &state)
                .await
                .ok();
            let params: Vec<(String, String)> = params
                .map(|p| {
                    p.iter()
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            let param = Params(params);
            let request = Request::from_parts(parts, body);
            let outcome =
                scope_check(&state, &principal, permission, scope, &param, &mut entry).await;
            match outcome {
                Ok(Some(why)) => (request, why),
                Ok(None) => {
                    let refusal = if page {
                        state
                            .page_refusals
                            .not_found(&principal, &state.store.access().roles)
                    } else {
                        ApiError::NotFound(format!(
                            "{record_type} {} was not found",
                            entry_id(scope, &param)
                        ))
                        .into_response()
                    };
                    return deny(&state, entry, "no relationship", refusal).await;
                }
                Err(e) => return e.into_response(),
            }
        }
    };
    entry.why = why;
    request.extensions_mut().insert(principal);
    let authorised = Instant::now();
    let scope = AuditScope::new(entry);
    request.extensions_mut().insert(scope.clone());
    let response = next.run(request).await;
    let handled = Instant::now();
    let phases = |audited: Instant| {
        [
            ("authn", authenticated - started),
            ("policy", authorised - authenticated),
            ("app", handled - authorised),
            ("audit", audited - handled),
        ]
    };
    if scope.written() {
        // A change: its audit entry was written inside the handler's transaction.
        return with_timing(response, phases(handled));
    }
    let mut entry = scope.entry();
    entry.status = response.status().as_u16();
    entry.outcome = if response.status().is_success() {
        "allowed".into()
    } else {
        "failed".into()
    };
    match state.store.append_audit(entry).await {
        Ok(_) => with_timing(response, phases(Instant::now())),
        Err(error) => {
            let id = uuid::Uuid::new_v4().simple().to_string();
            tracing::error!(error_id = %id, error = %error, "audit append failed: response withheld");
            ApiError::AuditUnavailable(id).into_response()
        }
    }
}

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
struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }
}

fn entry_id(scope: Scope, param: &Params) -> String {
    match scope {
        Scope::Referral(name) | Scope::Person(name) | Scope::Service(name) => {
            param.get(name).unwrap_or_default()
        }
        Scope::None => String::new(),
    }
}

/// Records a denial and answers with `response` (or 503 if even the denial cannot be
/// recorded).
async fn deny(state: &AppState, mut entry: AuditEntry, why: &str, response: Response) -> Response {
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

async fn scope_check(
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
