//! The answers every route can give that no handler annotates, added to the OpenAPI document
//! from the route's policy, so the document says what the server really answers (checked by
//! `scripts/api-fuzz`, Schemathesis's status-code and content-type conformance).
//!
//! - Every error the JSON API sends is RFC 9457 `application/problem+json` ([`ApiError`]), so
//!   a 4xx/5xx documented as `application/json` is renamed to `application/problem+json`.
//! - A route that reads a body or query string answers 400 when it cannot be read.
//! - The guard ([`crate::secure`]) answers 401 (no or unknown credentials), 403 (role lacks
//!   the permission, or a cookie change without its CSRF token) and 503 (the audit entry
//!   could not be written) on every signed-in route, and 404 on a route scoped to a record
//!   the caller has no relationship with. On a page route (outside `/api/`) its 403 and 404
//!   are HTML pages (`text/html`, `pages::refusal`); everywhere else problem+json.
//! - The anonymous submissions in [`crate::limits::LIMITED`] answer 413 and 429.
//! - OpenAPI path templates cannot hold axum's catch-all `{*name}`; it is written `{name}`.
//!
//! [`ApiError`]: crate::problem::ApiError

use nwd_domain::authz::{Policy, Scope};
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};

use crate::secure::RoutePolicy;

/// The problem+json media type (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Adds the policy-derived responses to every operation of `openapi`.
pub fn complete(openapi: &mut OpenApi, policies: &[RoutePolicy]) {
    for policy in policies {
        let Some(item) = openapi.paths.paths.get_mut(&policy.path) else {
            continue;
        };
        let operation = match policy.method.as_str() {
            "get" => item.get.as_mut(),
            "post" => item.post.as_mut(),
            "put" => item.put.as_mut(),
            "delete" => item.delete.as_mut(),
            "patch" => item.patch.as_mut(),
            _ => None,
        };
        if let Some(operation) = operation {
            complete_operation(operation, policy);
        }
    }
    declare_security(openapi);
    let catch_all: Vec<String> = openapi
        .paths
        .paths
        .keys()
        .filter(|path| path.contains("{*"))
        .cloned()
        .collect();
    for path in catch_all {
        if let Some(item) = openapi.paths.paths.remove(&path) {
            openapi.paths.paths.insert(path.replace("{*", "{"), item);
        }
    }
}

/// The security scheme of the staff session cookie (its CSRF token goes in `X-CSRF-Token`).
pub const SESSION_COOKIE: &str = "session_cookie";
/// The security scheme of API tokens (`Authorization: Bearer …`).
pub const BEARER_TOKEN: &str = "bearer_token";

/// Declares how callers authenticate: the session cookie set by `POST /api/session` (changes
/// must echo its CSRF token in `X-CSRF-Token`) and bearer API tokens. Every signed-in
/// operation requires one of them (added per operation); public ones name none.
fn declare_security(openapi: &mut OpenApi) {
    use utoipa::openapi::security::{
        ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
    };
    let components = openapi.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        SESSION_COOKIE,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            "__Host-nwd_session",
            "Staff session from POST /api/session (Secure, HttpOnly, SameSite=Strict). A change made with it must send the session's CSRF token in the X-CSRF-Token header.",
        ))),
    );
    components.add_security_scheme(
        BEARER_TOKEN,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "An API token (`nowrongdoor tokens create`), limited to its listed permissions",
                ))
                .build(),
        ),
    );
}

/// Whether `path` is a JSON API route (its errors are problem+json); every other route is an
/// HTML page, whose guard refusals (403, and 404 out of scope) are HTML pages.
pub(crate) fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz"
}

fn complete_operation(operation: &mut Operation, policy: &RoutePolicy) {
    if is_api(&policy.path) {
        for (status, response) in operation.responses.responses.iter_mut() {
            if !status.starts_with('4') && !status.starts_with('5') {
                continue;
            }
            if let RefOr::T(response) = response {
                if let Some(content) = response.content.shift_remove("application/json") {
                    response.content.insert(PROBLEM_JSON.to_owned(), content);
                }
                if response.content.is_empty() {
                    response.content.insert(PROBLEM_JSON.to_owned(), problem());
                }
            }
        }
        let reads_input = operation.request_body.is_some()
            || operation
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query));
        if reads_input {
            add(operation, "400", "The request could not be read (malformed JSON or query string, wrong content type)");
        }
    }
    if policy.policy != Policy::Public {
        operation.security = Some(vec![
            SecurityRequirement::new::<_, [&str; 0], &str>(SESSION_COOKIE, []),
            SecurityRequirement::new::<_, [&str; 0], &str>(BEARER_TOKEN, []),
        ]);
        add(
            operation,
            "401",
            "Not signed in: no session cookie or API token, or an unknown or expired one",
        );
        let forbidden = "Signed in, but no role allows this (or a cookie-authenticated change without its CSRF token)";
        if is_api(&policy.path) {
            add(operation, "403", forbidden);
        } else {
            add_html(operation, "403", forbidden);
        }
        add(
            operation,
            "503",
            "The audit trail could not be written, so nothing was returned or changed",
        );
    }
    if let Policy::Requires(_, scope) = policy.policy {
        if scope != Scope::None {
            let missing = "No such record, or none you have a relationship with";
            if is_api(&policy.path) {
                add(operation, "404", missing);
            } else {
                add_html(operation, "404", missing);
            }
        }
    }
    let method = policy.method.to_uppercase();
    if crate::limits::LIMITED
        .iter()
        .any(|(m, p)| *m == method && *p == policy.path)
    {
        add(
            operation,
            "413",
            "The body is larger than an anonymous submission may be",
        );
        add(
            operation,
            "429",
            "Too many requests from this address, or overall; see Retry-After",
        );
    }
}

/// Documents `status` as an HTML page (a page route's refusal), keeping any description.
fn add_html(operation: &mut Operation, status: &str, description: &str) {
    let responses = &mut operation.responses.responses;
    match responses.get_mut(status) {
        Some(RefOr::T(response)) => {
            response.content.entry(HTML.to_owned()).or_insert_with(html);
            if response.description.is_empty() {
                response.description = description.to_owned();
            }
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let mut response = Response::new(description);
            response.content.insert(HTML.to_owned(), html());
            responses.insert(status.to_owned(), RefOr::T(response));
        }
    }
}

/// The media type of pages.
const HTML: &str = "text/html";

fn html() -> Content {
    Content::new(Some(
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .build(),
    ))
}

fn problem() -> Content {
    Content::new(Some(Ref::from_schema_name("Problem")))
}

/// Documents `status` as a problem+json answer, keeping any description and other media
/// types already documented (e.g. an HTML page's own 404).
fn add(operation: &mut Operation, status: &str, description: &str) {
    let responses = &mut operation.responses.responses;
    match responses.get_mut(status) {
        Some(RefOr::T(response)) => {
            if !response.content.contains_key(PROBLEM_JSON) {
                response.content.insert(PROBLEM_JSON.to_owned(), problem());
            }
            if response.description.is_empty() {
                response.description = description.to_owned();
            }
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            let mut response = Response::new(description);
            response.content.insert(PROBLEM_JSON.to_owned(), problem());
            responses.insert(status.to_owned(), RefOr::T(response));
        }
    }
}
