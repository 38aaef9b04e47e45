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

mod guard;
mod router;
mod scope;
mod session;

use guard::guard;
pub use guard::CHANGE_PASSWORD_PAGE;
pub use router::{RoutePolicy, SecureRouter};
pub use scope::RequestAudit;
use scope::{deny, entry_id, scope_check, Params};
pub use session::{authenticate, session_cookie, session_cookie_header, Credential};

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
    /// 404 for a browser: no page at this address (the fallback, [`crate::fallback`]).
    fn no_page(&self) -> Response {
        ApiError::NotFound("there is no page at this address".into()).into_response()
    }
    /// 405 for a browser: the page exists but does not take this method
    /// ([`crate::fallback`]).
    fn wrong_method(&self) -> Response {
        ApiError::MethodNotAllowed("this page does not take this method".into()).into_response()
    }
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
pub(super) fn with_timing(mut response: Response, phases: [(&str, Duration); 4]) -> Response {
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
