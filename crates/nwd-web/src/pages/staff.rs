//! Staff sign-in and sign-out pages. Sign-in takes username, password and the authenticator
//! code together (as `POST /api/session` does), answers one generic message for any failure,
//! audits both outcomes, and sets the same `__Host-` session cookie.

use std::net::SocketAddr;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use nwd_store::audit::AuditEntry;
use nwd_store::auth::AuthError;

use super::form::FormData;
use super::layout::{render, see_other, FieldMessage, Layout, PageResult, Sensitivity};
use crate::secure::{authenticate, session_cookie, SESSION_COOKIE};
use crate::AppState;

/// The client's address, when the server records it (for the audit trail).
pub struct ClientAddress(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string()),
        ))
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    username: String,
}

/// Staff: to the queue when signed in, else to the sign-in page. Reads only whether the
/// session cookie is valid.
#[utoipa::path(get, path = "/staff", tag = "pages",
    responses((status = 303, description = "To the triage queue or the sign-in page")))]
pub async fn staff_home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match authenticate(&state, &headers).await {
        Ok(Some(_)) => see_other("/staff/triage"),
        _ => see_other("/staff/sign-in"),
    }
}

/// The sign-in form.
#[utoipa::path(get, path = "/staff/sign-in", tag = "pages",
    responses((status = 200, description = "Staff sign-in page", content_type = "text/html")))]
pub async fn sign_in_form() -> Response {
    render(
        &SignInPage {
            layout: Layout::public("Sign in"),
            username: String::new(),
        },
        StatusCode::OK,
        Sensitivity::Identifiable,
    )
}

/// Signs in: sets the session cookie and goes to the triage queue.
#[utoipa::path(post, path = "/staff/sign-in", tag = "pages",
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Signed in: to the triage queue"), (status = 200, description = "A field is missing: the form again, naming it", content_type = "text/html"), (status = 401, description = "Sign-in failed", content_type = "text/html")))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let username = form.first("username").trim().to_owned();
    let mut errors = Vec::new();
    if username.is_empty() {
        errors.push(FieldMessage::new("username", "Enter your username"));
    }
    if form.first("password").is_empty() {
        errors.push(FieldMessage::new("password", "Enter your password"));
    }
    if form.first("code").trim().is_empty() {
        errors.push(FieldMessage::new(
            "code",
            "Enter the 6-digit code from your authenticator app",
        ));
    }
    if !errors.is_empty() {
        return Ok(sign_in_again(username, errors, StatusCode::OK));
    }
    let result = state
        .store
        .sign_in(
            &username,
            form.first("password"),
            form.first("code").trim(),
            address.as_deref(),
        )
        .await;
    let mut entry = AuditEntry::new("POST /staff/sign-in", "sign_in");
    entry.record_type = "session".into();
    entry.address = address;
    match result {
        Ok(session) => {
            entry.user_id = Some(session.principal.user_id.clone());
            entry.username = Some(session.principal.username.clone());
            entry.roles = session.principal.roles_text();
            entry.organisation_id = Some(session.principal.organisation_id.clone());
            entry.session_id = Some(session.principal.credential_ref.clone());
            entry.why = "password and TOTP verified".into();
            entry.status = 303;
            state.store.append_audit(entry).await?;
            let cookie = format!(
                "{SESSION_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age={}",
                session.token,
                state.store.access().sessions.absolute.as_secs()
            );
            let mut response = see_other("/staff/triage");
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(AuthError::SignInFailed) => {
            entry.username = Some(username.to_lowercase());
            entry.outcome = "denied".into();
            entry.why = "sign-in failed".into();
            entry.status = 401;
            state.store.append_audit(entry).await?;
            Ok(sign_in_again(
                username,
                vec![FieldMessage::new(
                    "username",
                    "The username, password or code is not right. Check them and try again",
                )],
                StatusCode::UNAUTHORIZED,
            ))
        }
        Err(AuthError::Invalid { field, message }) => Ok(sign_in_again(
            username,
            vec![FieldMessage::new(field, message)],
            StatusCode::OK,
        )),
        Err(AuthError::Store(e)) => Err(e.into()),
    }
}

fn sign_in_again(username: String, errors: Vec<FieldMessage>, status: StatusCode) -> Response {
    render(
        &SignInPage {
            layout: Layout::public("Sign in").with_errors(errors),
            username,
        },
        status,
        Sensitivity::Identifiable,
    )
}

/// Signs out: ends the session on the server, clears the cookie.
#[utoipa::path(post, path = "/staff/sign-out", tag = "pages",
    params(("csrf" = String, Query, description = "The session's CSRF token")),
    responses((status = 303, description = "Signed out: to the sign-in page")))]
pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    if let Some(token) = session_cookie(&headers) {
        state.store.end_session(&token).await?;
    }
    let mut response = see_other("/staff/sign-in");
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"
    )) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}
