//! Staff sign-in and sign-out pages. Sign-in takes username, password and the authenticator
//! code together (as `POST /api/session` does), answers one generic message for any failure,
//! audits both outcomes, and sets the same `__Host-` session cookie. A page that needed a
//! session sends the browser here with `next`; after sign-in it goes back there — only ever
//! to a local `/staff/` path ([`local_next`]), never to another site.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use nwd_store::auth::AuthError;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageResult, Sensitivity};
use nwd_http::extract::Caller;
use nwd_http::extract::ClientAddress;
use nwd_http::secure::RequestAudit;
use nwd_http::secure::{authenticate, session_cookie, SESSION_COOKIE};
use nwd_http::AppState;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    layout: Layout,
    username: String,
    next: String,
    /// OpenID Connect providers: (id, name) for a "Sign in with …" button each.
    providers: Vec<(String, String)>,
}

fn providers(state: &AppState) -> Vec<(String, String)> {
    state
        .oidc
        .providers()
        .map(|p| (p.config.id.clone(), p.config.name.clone()))
        .collect()
}

/// The sign-in page's query.
#[derive(Debug, Default, serde::Deserialize)]
pub struct SignInQuery {
    /// Where to go after signing in (a local `/staff/` path).
    pub next: Option<String>,
}

/// `next` when it is a local staff page path, else the triage queue. Refuses anything that a
/// browser could read as another origin (`//host`, `/\host`, a scheme) or that is not plain
/// visible ASCII.
pub fn local_next(next: &str) -> &str {
    let local = (next.starts_with("/staff/") || next.starts_with("/commissioning"))
        && !next.starts_with("/staff/sign-")
        && !next.starts_with("/staff/oidc")
        && !next.contains("//")
        && !next.contains('\\')
        && next.bytes().all(|b| b.is_ascii_graphic());
    if local {
        next
    } else {
        "/staff/triage"
    }
}

/// Staff: to the queue when signed in, else to the sign-in page. Reads only whether the
/// session cookie is valid.
#[utoipa::path(get, path = "/staff", tag = "pages",
    responses((status = 303, description = "To the triage queue or the sign-in page")))]
pub async fn staff_home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match authenticate(&state, &headers).await {
        Ok(Some((principal, _))) => see_other(&home_of(&principal)),
        _ => see_other("/staff/sign-in"),
    }
}

/// The sign-in form.
#[utoipa::path(get, path = "/staff/sign-in", tag = "pages",
    params(("next" = Option<String>, Query, description = "Where to go after signing in (a local /staff/ path)")),
    responses((status = 200, description = "Staff sign-in page", content_type = "text/html")))]
pub async fn sign_in_form(
    State(state): State<AppState>,
    Query(query): Query<SignInQuery>,
) -> Response {
    render(
        &SignInPage {
            layout: Layout::public("Sign in"),
            username: String::new(),
            // No `next`: left empty, so that signing in goes to the person's own home page.
            next: match query.next.as_deref() {
                None | Some("") => String::new(),
                Some(next) => local_next(next).to_owned(),
            },
            providers: providers(&state),
        },
        StatusCode::OK,
        Sensitivity::Identifiable,
    )
}

/// Where a member of staff starts: their role's own home page (`crate::navigation::home`).
pub(crate) fn home_of(principal: &nwd_store::auth::Principal) -> String {
    crate::navigation::home(principal)
}

/// Signs in: sets the session cookie and goes to the triage queue.
#[utoipa::path(post, path = "/staff/sign-in", tag = "pages",
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Signed in: to the triage queue"), (status = 200, description = "A field is missing: the form again, naming it", content_type = "text/html"), (status = 401, description = "Sign-in failed", content_type = "text/html")))]
pub async fn sign_in(
    trail: RequestAudit,
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let next = match form.first("next") {
        "" => String::new(),
        next => local_next(next).to_owned(),
    };
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
        return Ok(sign_in_again(
            &state,
            username,
            next,
            errors,
            StatusCode::OK,
        ));
    }
    let attempt = nwd_usecase::sign_in::SignInAttempt {
        route: "POST /staff/sign-in",
        username: &username,
        password: form.first("password"),
        code: form.first("code"),
        address,
        status: 303,
    };
    match attempt.run(&state.store, &trail).await? {
        Ok(session) => {
            let cookie = nwd_http::secure::session_cookie_header(&state, &session.token);
            // Back to the page that sent them here, else to their home page.
            let target = if next.is_empty() {
                home_of(&session.principal)
            } else {
                next
            };
            let mut response = see_other(&target);
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(AuthError::SignInFailed) => Ok(sign_in_again(
            &state,
            username,
            next,
            vec![FieldMessage::new(
                "username",
                "The username, password or code is not right. Check them and try again",
            )],
            StatusCode::UNAUTHORIZED,
        )),
        Err(AuthError::Invalid { field, message }) => Ok(sign_in_again(
            &state,
            username,
            next,
            vec![FieldMessage::new(field, message)],
            StatusCode::OK,
        )),
        Err(error @ AuthError::Forbidden(_)) => Err(crate::layout::PageError::staff(error)),
        Err(AuthError::Store(e)) => Err(e.into()),
    }
}

fn sign_in_again(
    state: &AppState,
    username: String,
    next: String,
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> Response {
    render(
        &SignInPage {
            layout: Layout::public("Sign in").with_errors(errors),
            username,
            next,
            providers: providers(state),
        },
        status,
        Sensitivity::Identifiable,
    )
}

/// Signs out: ends the session on the server, clears the cookie.
#[utoipa::path(post, path = "/staff/sign-out", tag = "pages",
    params(("csrf" = String, Query, description = "The session's CSRF token")),
    responses((status = 303, description = "Signed out: to the sign-in page")))]
pub async fn sign_out(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
) -> PageResult {
    if let Some(token) = session_cookie(&headers) {
        state
            .store
            .end_session(&trail.signed_in(&principal), &token)
            .await?;
    }
    let mut response = see_other("/staff/sign-in");
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"
    )) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::local_next;

    #[test]
    fn next_is_only_ever_a_local_staff_page() {
        for (next, want) in [
            (
                "/staff/referrals/abc?allocation=1",
                "/staff/referrals/abc?allocation=1",
            ),
            ("/staff/services/x", "/staff/services/x"),
            ("", "/staff/triage"),
            ("https://evil.example/staff/", "/staff/triage"),
            ("//evil.example/staff/", "/staff/triage"),
            ("/staff//evil.example", "/staff/triage"),
            ("/staff/\\evil.example", "/staff/triage"),
            ("/\\evil.example", "/staff/triage"),
            ("/api/referrals", "/staff/triage"),
            ("/staff/sign-in?next=/staff/x", "/staff/triage"),
            ("/staff/x y", "/staff/triage"),
            ("/staff/oidc/cis2/callback", "/staff/triage"),
            ("/staff/x\r\nSet-Cookie: a=b", "/staff/triage"),
        ] {
            assert_eq!(local_next(next), want, "{next:?}");
        }
    }
}
