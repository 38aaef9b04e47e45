//! The guard middleware in front of every route: authenticate, authorise, scope, audit.

use super::*;

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

/// Where a signed-in browser goes while its account must still change its initial password.
pub const CHANGE_PASSWORD_PAGE: &str = "/staff/change-password";

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
pub(super) async fn guard(
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

    // An initial password an administrator gave must be changed before anything else
    // (`Store::change_password`): only the routes that need no permission stay open (the
    // change itself, sign-out, who am I). Pages go to the change page; the API says so.
    if principal.must_change_password && policy != Policy::SignedIn {
        let refusal = if page {
            crate::headers::see_other(CHANGE_PASSWORD_PAGE)
        } else {
            ApiError::Forbidden(
                "change the initial password your administrator gave you first (POST /api/session/password)"
                    .into(),
            )
            .into_response()
        };
        return deny(&state, entry, "initial password not yet changed", refusal).await;
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
