//! Sign-in, sign-out, who am I, and break-glass access.
//!
//! Sign-in takes username, password and a TOTP code together and answers one generic error
//! for any failure. A new session id is issued at every sign-in (never reused from the
//! request), in a `__Host-` cookie with `Secure`, `HttpOnly` and `SameSite=Strict`.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiff::{SignedDuration, Timestamp};
use nwd_domain::authz::{BreakGlassRequest, Permission, Policy, Scope};
use nwd_domain::PersonId;
use nwd_store::auth::Principal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use nwd_http::extract::{parse_id, Caller, ClientAddress, JsonBody};
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::RequestAudit;
use nwd_http::secure::{session_cookie, session_cookie_header, SecureRouter, SESSION_COOKIE};
use nwd_http::AppState;
use nwd_usecase::sign_in::SignInAttempt;

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(Policy::Public, "session", routes!(sign_in))
        .route(Policy::SignedIn, "session", routes!(who_am_i))
        .route(Policy::SignedIn, "session", routes!(sign_out))
        .route(Policy::SignedIn, "user", routes!(change_password))
        .route(
            Policy::Requires(Permission::BreakGlass, Scope::None),
            "break_glass",
            routes!(break_glass),
        )
}

/// Sign-in details.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
    /// The 6-digit code from the authenticator app.
    pub code: String,
}

/// A signed-in session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// Who.
    pub principal: Principal,
    /// Echo this in `X-CSRF-Token` on every change made with the session cookie.
    pub csrf_token: Option<String>,
}

/// Sign in: sets the session cookie.
#[utoipa::path(post, path = "/api/session", tag = "access", request_body = SignIn,
    responses((status = 200, body = SessionInfo), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn sign_in(
    trail: RequestAudit,
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    JsonBody { value: body, .. }: JsonBody<SignIn>,
) -> ApiResult<Response> {
    let attempt = SignInAttempt {
        route: "POST /api/session",
        username: &body.username,
        password: &body.password,
        code: &body.code,
        address,
        status: 200,
    };
    match attempt.run(&state.store, &trail).await? {
        Ok(session) => {
            let cookie = session_cookie_header(&state, &session.token);
            let mut response = Json(SessionInfo {
                principal: session.principal,
                csrf_token: Some(session.csrf_token),
            })
            .into_response();
            set_header(&mut response, header::SET_COOKIE, &cookie);
            set_header(&mut response, header::CACHE_CONTROL, "no-store");
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

fn set_header(response: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

/// Who is signed in.
#[utoipa::path(get, path = "/api/session", tag = "access",
    responses((status = 200, body = SessionInfo), (status = 401, body = Problem)))]
async fn who_am_i(Caller(principal): Caller) -> Json<SessionInfo> {
    let csrf_token = principal.csrf_token.clone();
    Json(SessionInfo {
        principal,
        csrf_token,
    })
}

/// Sign out: ends the session on the server and clears the cookie.
#[utoipa::path(delete, path = "/api/session", tag = "access",
    responses((status = 204), (status = 401, body = Problem)))]
async fn sign_out(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if let Some(token) = session_cookie(&headers) {
        state
            .store
            .end_session(&trail.signed_in(&principal), &token)
            .await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    set_header(
        &mut response,
        header::SET_COOKIE,
        &format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    Ok(response)
}

/// Change your own password: needed once, at first sign-in, when an administrator gave the
/// account an initial password (until then every other route answers 403); any time after.
/// Your other sessions end.
#[utoipa::path(post, path = "/api/session/password", tag = "access",
    request_body = nwd_usecase::accounts::PasswordChange,
    responses((status = 204, description = "Changed"), (status = 401, body = Problem),
        (status = 422, description = "A field is wrong (named)", body = Problem)))]
async fn change_password(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody { value, .. }: JsonBody<nwd_usecase::accounts::PasswordChange>,
) -> ApiResult<StatusCode> {
    nwd_usecase::accounts::change_password(
        &state.store,
        &trail.signed_in(&principal),
        &principal,
        &value,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A break-glass request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassBody {
    /// Why access is needed now, without a relationship (shown to the privacy officer).
    pub reason: String,
    /// For how many minutes (1–480).
    pub minutes: i64,
}

/// A granted break-glass access.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakGlassGranted {
    /// Grant id.
    pub id: String,
    /// Access ends at.
    #[schema(value_type = String)]
    pub expires_at: Timestamp,
}

/// Break glass: time-boxed access to one young person's record without a relationship. Needs a
/// reason; raises an alert; waits in the privacy officer's review queue.
#[utoipa::path(post, path = "/api/persons/{id}/break-glass", tag = "access",
    params(("id" = String, Path)), request_body = BreakGlassBody,
    responses((status = 201, body = BreakGlassGranted), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn break_glass(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value: body, .. }: JsonBody<BreakGlassBody>,
) -> ApiResult<(StatusCode, Json<BreakGlassGranted>)> {
    let person = PersonId(parse_id(&id, "person")?);
    trail.set_person(person);
    trail.set_record("break_glass", id.clone());
    trail.set_detail(format!("reason: {}", body.reason.trim()));
    let request = BreakGlassRequest {
        reason: body.reason,
        duration: SignedDuration::from_mins(body.minutes.clamp(0, 24 * 60)),
    };
    if !(1..=480).contains(&body.minutes) {
        return Err(ApiError::field(
            "minutes",
            "give a number of minutes from 1 to 480",
        ));
    }
    let (grant, expires_at) = state
        .store
        .break_glass(&trail.signed_in(&principal), &principal, person, &request)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(BreakGlassGranted {
            id: grant,
            expires_at,
        }),
    ))
}
