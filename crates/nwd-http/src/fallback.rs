//! What answers when no route does: an unknown address ([`no_route`], the router's
//! fallback), a known address with a method it does not take ([`wrong_method`], a layer over
//! the router's bare 405), and a page address with a trailing slash.
//!
//! - Under `/api/` (and `/healthz`): RFC 9457 problem+json, always — 404 "there is no route",
//!   405 with `Allow`.
//! - A page address ending in `/` (`/get-help/`): `308 Permanent Redirect` to the address
//!   without it, query kept. Only to a path of this site: a path that would start `//` or
//!   `/\` after trimming (another host to a browser) is not redirected but answered 404.
//! - Any other address: the pages' NHS-styled HTML 404 or 405
//!   ([`crate::secure::PageRefusals::no_page`], [`crate::secure::PageRefusals::wrong_method`])
//!   when the client accepts `text/html`, as browsers do; problem+json otherwise.
//!
//! None of these is a route: nothing is registered, so the guard's rule that every route has
//! a policy is untouched, and none of them reads or shows any record.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::problem::ApiError;
use crate::AppState;

/// Whether `path` belongs to the JSON API (problem+json whatever the client accepts).
pub fn is_api(path: &str) -> bool {
    path == "/api" || crate::openapi_responses::is_api(path)
}

/// Whether the client asked for HTML (a browser's navigation sends `text/html`).
pub fn accepts_html(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|kind| {
            let mut parts = kind.split(';');
            let media = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|p| {
                let p = p.trim().replace(' ', "");
                p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
            });
            media.eq_ignore_ascii_case("text/html") && !refused
        })
}

/// The same path without trailing slashes, if it is a page path that ends in one and the
/// result is still a path on this site.
fn without_trailing_slash(path: &str) -> Option<&str> {
    if path == "/" || !path.ends_with('/') || is_api(path) {
        return None;
    }
    let trimmed = path.trim_end_matches('/');
    let local = trimmed.starts_with('/')
        && !trimmed.starts_with("//")
        && !trimmed.starts_with("/\\")
        && trimmed.len() > 1;
    local.then_some(trimmed)
}

/// The router's fallback: no route has this address (see the module's documentation).
pub async fn no_route(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if let Some(trimmed) = without_trailing_slash(path) {
        let location = match uri.query() {
            Some(query) => format!("{trimmed}?{query}"),
            None => trimmed.to_owned(),
        };
        if let Ok(location) = HeaderValue::from_str(&location) {
            let mut response = StatusCode::PERMANENT_REDIRECT.into_response();
            response.headers_mut().insert(header::LOCATION, location);
            crate::headers::security_headers(
                response.headers_mut(),
                crate::headers::Sensitivity::Public,
            );
            return response;
        }
    }
    if !is_api(path) && accepts_html(&headers) {
        return state.page_refusals.no_page();
    }
    crate::problem::no_route(uri).await.into_response()
}

/// A layer over the router: the bare 405 the router gives for a method an address does not
/// take becomes problem+json under `/api/`, and the pages' HTML 405 for a browser elsewhere;
/// the `Allow` header is kept.
pub async fn wrong_method(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let api = is_api(request.uri().path());
    let html = accepts_html(request.headers());
    let method = request.method().clone();
    let response = next.run(request).await;
    // Only the router's own 405 (no body, no content type); a handler's answer is its own.
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut answer = if !api && html {
        state.page_refusals.wrong_method()
    } else {
        ApiError::MethodNotAllowed(format!(
            "this address does not take {method}{}",
            allow
                .as_ref()
                .and_then(|a| a.to_str().ok())
                .map(|a| format!("; it takes {a}"))
                .unwrap_or_default()
        ))
        .into_response()
    };
    *answer.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    if let Some(allow) = allow {
        answer.headers_mut().insert(header::ALLOW, allow);
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trailing_slash_is_trimmed_only_to_a_local_page_path() {
        assert_eq!(without_trailing_slash("/get-help/"), Some("/get-help"));
        assert_eq!(
            without_trailing_slash("/find-support//"),
            Some("/find-support")
        );
        assert_eq!(without_trailing_slash("/"), None);
        assert_eq!(without_trailing_slash("/get-help"), None);
        assert_eq!(without_trailing_slash("/api/referrals/"), None);
        assert_eq!(without_trailing_slash("//evil.example/"), None);
        assert_eq!(without_trailing_slash("/\\evil.example/"), None);
        assert_eq!(without_trailing_slash("///"), None);
    }

    #[test]
    fn html_is_accepted_only_when_asked_for() {
        let with = |accept: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT, HeaderValue::from_str(accept).unwrap());
            accepts_html(&headers)
        };
        assert!(with("text/html,application/xhtml+xml,*/*;q=0.8"));
        assert!(with("TEXT/HTML"));
        assert!(!with("*/*"));
        assert!(!with("application/json"));
        assert!(!with("text/html;q=0"));
        assert!(!accepts_html(&HeaderMap::new()));
    }
}
