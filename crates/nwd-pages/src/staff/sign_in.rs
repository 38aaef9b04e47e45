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
use nwd_store::demo::DemoError;

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
    /// On a demonstration database only: (role, how the page names it) for a one-click
    /// "Sign in as a demo …" button each; empty everywhere else.
    demo: Vec<(String, String)>,
    /// The form token the demonstration buttons carry (also in the [`DEMO_COOKIE`]).
    demo_csrf: String,
}

/// The cookie that binds the demonstration sign-in buttons to the browser that was shown
/// them (double submit: the form's `csrf` field must equal it). `SameSite=Strict`, so that a
/// form on another site cannot sign a visitor in as a demo account.
pub const DEMO_COOKIE: &str = "__Host-nwd_demo";

/// The demonstration buttons, on a demonstration database only: each demo account's role and
/// label (none anywhere else).
async fn demo_buttons(state: &AppState) -> Result<Vec<(String, String)>, nwd_store::StoreError> {
    if !state.store.is_demo().await? {
        return Ok(Vec::new());
    }
    Ok(state
        .store
        .demo_accounts()
        .await?
        .into_iter()
        .filter_map(|account| {
            demo_label(account.role).map(|label| (account.role.as_str().to_owned(), label))
        })
        .collect())
}

/// How the sign-in page names a demo role ("triage clinician").
fn demo_label(role: nwd_domain::authz::Role) -> Option<String> {
    use nwd_domain::authz::Role;
    Some(
        match role {
            Role::Triage => "triage clinician",
            Role::Clinician => "service clinician",
            Role::TeamManager => "team manager",
            Role::Commissioner => "commissioner",
            Role::Administrator => "administrator",
            Role::PrivacyOfficer => "privacy officer",
            Role::ExternalReferrer => "external referrer",
            Role::ParentCarer => return None,
        }
        .to_owned(),
    )
}

fn set_demo_cookie(response: &mut Response, token: &str) {
    if let Ok(value) = HeaderValue::from_str(&format!(
        "{DEMO_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Strict"
    )) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
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
    responses((status = 200, description = "Staff sign-in page (on a demonstration database, with one-click demonstration sign-in)", content_type = "text/html")))]
pub async fn sign_in_form(
    State(state): State<AppState>,
    Query(query): Query<SignInQuery>,
) -> PageResult {
    // No `next`: left empty, so that signing in goes to the person's own home page.
    let next = match query.next.as_deref() {
        None | Some("") => String::new(),
        Some(next) => local_next(next).to_owned(),
    };
    signing_in(&state, String::new(), next, Vec::new(), StatusCode::OK).await
}

/// The sign-in page: with the demonstration section (and its form token's cookie) on a
/// demonstration database only.
async fn signing_in(
    state: &AppState,
    username: String,
    next: String,
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> PageResult {
    let demo = demo_buttons(state).await?;
    let demo_csrf = if demo.is_empty() {
        String::new()
    } else {
        nwd_oidc::random_value()
    };
    let mut response = render(
        &SignInPage {
            layout: Layout::public("Sign in").with_errors(errors),
            username,
            next,
            providers: providers(state),
            demo,
            demo_csrf: demo_csrf.clone(),
        },
        status,
        Sensitivity::Identifiable,
    );
    if !demo_csrf.is_empty() {
        set_demo_cookie(&mut response, &demo_csrf);
    }
    Ok(response)
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
        return sign_in_again(&state, username, next, errors, StatusCode::OK).await;
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
        Err(AuthError::SignInFailed) => {
            sign_in_again(
                &state,
                username,
                next,
                vec![FieldMessage::new(
                    "username",
                    "The username, password or code is not right. Check them and try again",
                )],
                StatusCode::UNAUTHORIZED,
            )
            .await
        }
        Err(AuthError::Invalid { field, message }) => {
            sign_in_again(
                &state,
                username,
                next,
                vec![FieldMessage::new(field, message)],
                StatusCode::OK,
            )
            .await
        }
        Err(error @ AuthError::Forbidden(_)) => Err(crate::layout::PageError::staff(error)),
        Err(AuthError::Store(e)) => Err(e.into()),
    }
}

async fn sign_in_again(
    state: &AppState,
    username: String,
    next: String,
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> PageResult {
    signing_in(state, username, next, errors, status).await
}

/// Demonstration sign-in, on a demonstration database only (`Store::demo_sign_in`): signs in
/// as the demo's account for the role chosen, without password or code, audited as a demo
/// sign-in, and goes to that role's home page. The form must carry the token of the
/// [`DEMO_COOKIE`] the sign-in page set (so another site cannot post it). Anywhere else:
/// 404, audited as a refusal, nothing written.
#[utoipa::path(post, path = "/staff/sign-in/demo", tag = "pages",
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Signed in as the demo account: to its home page"),
              (status = 403, description = "The form's token does not match the sign-in page's", content_type = "text/html"),
              (status = 404, description = "Not a demonstration database, or no demo account for the role", content_type = "text/html")))]
pub async fn demo_sign_in(
    trail: RequestAudit,
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let role = nwd_domain::authz::Role::parse(form.first("role").trim()).ok();
    let refuse = |why: &str, status: StatusCode| {
        let mut entry = trail.entry();
        entry.action = "sign_in".into();
        entry.record_type = "session".into();
        entry.outcome = "denied".into();
        entry.why = why.to_owned();
        entry.status = status.as_u16();
        entry.detail = role.map(|r| format!("demo sign-in as the demo {}", r.as_str()));
        entry
    };
    if !state.store.is_demo().await? {
        state
            .store
            .append_audit(refuse(
                "demo sign-in refused: not a demonstration database",
                StatusCode::NOT_FOUND,
            ))
            .await?;
        return Err(nwd_http::problem::ApiError::NotFound("no such page".into()).into());
    }
    let sent = form.first("csrf");
    let expected = cookie_value(&headers, DEMO_COOKIE).unwrap_or_default();
    if sent.is_empty() || expected.is_empty() || !constant_time_eq(sent, &expected) {
        state
            .store
            .append_audit(refuse(
                "demo sign-in refused: form token missing or wrong",
                StatusCode::FORBIDDEN,
            ))
            .await?;
        return Err(nwd_http::problem::ApiError::CsrfRefused(
            "The form did not come from this sign-in page. Open the sign-in page again and choose a role.".into(),
        )
        .into());
    }
    let Some(role) = role else {
        state
            .store
            .append_audit(refuse(
                "demo sign-in refused: no such role",
                StatusCode::NOT_FOUND,
            ))
            .await?;
        return Err(nwd_http::problem::ApiError::NotFound("no such role".into()).into());
    };
    let audit = trail.acting(
        nwd_domain::actor::Actor::User(format!("demo.{}", role.as_str())),
        None,
    );
    match state
        .store
        .demo_sign_in(&audit, role, address.as_deref())
        .await
    {
        Ok(session) => {
            let cookie = nwd_http::secure::session_cookie_header(&state, &session.token);
            let mut response = see_other(&home_of(&session.principal));
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            // The demonstration form's token is spent.
            if let Ok(value) = HeaderValue::from_str(&format!(
                "{DEMO_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"
            )) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(error @ (DemoError::NotADemo | DemoError::NoAccount(_))) => {
            state
                .store
                .append_audit(refuse(
                    &format!("demo sign-in refused: {error}"),
                    StatusCode::NOT_FOUND,
                ))
                .await?;
            Err(nwd_http::problem::ApiError::NotFound("no such page".into()).into())
        }
        Err(DemoError::Store(error)) => Err(error.into()),
        Err(error) => Err(nwd_store::StoreError::Corrupt(error.to_string()).into()),
    }
}

/// Compares two tokens in time independent of where they differ.
fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
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
