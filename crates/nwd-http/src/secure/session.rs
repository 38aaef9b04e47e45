//! Authentication: the session cookie, its `Set-Cookie` header, and [`authenticate`] from
//! a bearer token or the cookie.

use super::*;

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
