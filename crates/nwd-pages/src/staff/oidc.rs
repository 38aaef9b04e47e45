//! Staff sign-in through an OpenID Connect provider (NHS CIS2 or an area's own): the button on
//! the sign-in page leads to [`start`], which sends the browser to the provider; the provider
//! sends it back to [`callback`], which checks everything (`nwd_oidc`) and signs in the
//! linked account with a new session exactly like a local sign-in.
//!
//! The sign-in under way is kept on the server (`oidc_flows`, single use, 10 minutes) under
//! the SHA-256 of `state`, and bound to the browser that started it by a random value in a
//! `__Host-nwd_oidc` cookie (`SameSite=Lax`, so that it comes back on the provider's top-level
//! redirect; `Strict` would not). Every refusal is audited with its reason and answers one
//! generic page; the person never learns which check failed.
//!
//! After a successful sign-in the answer is a page that moves on by itself (`Refresh: 0`)
//! with a link to continue, rather than a redirect: browsers withhold `SameSite=Strict`
//! cookies — the session cookie — on a redirect chain that began at another site.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use nwd_oidc::{random_value, Identity, Refusal};
use nwd_store::audit::AuditEntry;
use nwd_store::auth::token_hash;
use nwd_store::oidc::{FederatedError, OidcFlow};
use serde::Deserialize;

use crate::layout::{render, see_other, Layout, PageResult, Sensitivity};
use crate::staff::sign_in::{local_next, SignInQuery};
use nwd_http::extract::ClientAddress;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// The cookie binding a sign-in under way to the browser that started it.
pub const FLOW_COOKIE: &str = "__Host-nwd_oidc";

#[derive(Template)]
#[template(path = "oidc_signed_in.html")]
struct SignedInPage {
    layout: Layout,
    next: String,
}

#[derive(Template)]
#[template(path = "oidc_failed.html")]
struct FailedPage {
    layout: Layout,
    provider: String,
}

/// The provider's answer (OpenID Connect Core §3.1.2.5 and §3.1.2.6).
#[derive(Debug, Default, Deserialize)]
pub struct CallbackQuery {
    /// The authorization code.
    pub code: Option<String>,
    /// The `state` we sent.
    pub state: Option<String>,
    /// An error code instead of a code (e.g. `access_denied`).
    pub error: Option<String>,
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.to_owned())
}

fn append_cookie(response: &mut Response, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn clear_flow_cookie(response: &mut Response) {
    append_cookie(
        response,
        &format!("{FLOW_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
}

/// The one page every refusal answers with.
fn failed(provider: &str, status: StatusCode) -> Response {
    let mut response = render(
        &FailedPage {
            layout: Layout::public("You could not be signed in"),
            provider: provider.to_owned(),
        },
        status,
        Sensitivity::Identifiable,
    );
    clear_flow_cookie(&mut response);
    response
}

/// Audits a refusal with its reason; then the generic page.
async fn refuse(
    state: &AppState,
    route: &'static str,
    provider: &str,
    address: Option<String>,
    refusal: Refusal,
    identity: Option<&Identity>,
    user: Option<(String, String)>,
) -> PageResult {
    let status = match refusal {
        Refusal::UnknownProvider => StatusCode::NOT_FOUND,
        Refusal::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::UNAUTHORIZED,
    };
    let mut entry = AuditEntry::new(route, "sign_in");
    entry.record_type = "session".into();
    entry.address = address;
    entry.outcome = "denied".into();
    entry.why = format!("OpenID Connect sign-in refused: {refusal}");
    entry.status = status.as_u16();
    let mut detail = format!("provider {}", nwd_oidc::sanitise(provider));
    if let Some(identity) = identity {
        detail.push_str(&format!(
            "; issuer {}; subject {}",
            identity.issuer, identity.subject
        ));
    }
    entry.detail = Some(detail);
    if let Some((user_id, username)) = user {
        entry.user_id = Some(user_id);
        entry.username = Some(username);
    }
    tracing::info!(provider = %nwd_oidc::sanitise(provider), reason = %refusal, "OpenID Connect sign-in refused");
    state.store.append_audit(entry).await?;
    Ok(failed(provider, status))
}

/// Sign in with a provider: sends the browser to the provider's sign-in.
#[utoipa::path(get, path = "/staff/oidc/{provider}", tag = "pages",
    params(("provider" = String, Path, description = "The provider's id in the OpenID Connect configuration"),
           ("next" = Option<String>, Query, description = "Where to go after signing in (a local /staff/ path)")),
    responses((status = 303, description = "To the provider's sign-in"),
              (status = 404, description = "No such provider", content_type = "text/html"),
              (status = 503, description = "The provider cannot be reached", content_type = "text/html")))]
pub async fn start(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Path(provider_id): Path<String>,
    Query(query): Query<SignInQuery>,
) -> PageResult {
    const ROUTE: &str = "GET /staff/oidc/{provider}";
    let Some(provider) = state.oidc.get(&provider_id) else {
        return refuse(
            &state,
            ROUTE,
            &provider_id,
            address,
            Refusal::UnknownProvider,
            None,
            None,
        )
        .await;
    };
    let authorization = match provider.authorize().await {
        Ok(a) => a,
        Err(refusal) => {
            return refuse(&state, ROUTE, &provider_id, address, refusal, None, None).await
        }
    };
    let browser = random_value();
    state
        .store
        .begin_oidc_flow(
            &authorization.state,
            &OidcFlow {
                provider: provider_id,
                browser_hash: token_hash(&browser),
                nonce: authorization.nonce,
                code_verifier: authorization.code_verifier,
                next_path: local_next(query.next.as_deref().unwrap_or_default()).to_owned(),
            },
        )
        .await?;
    let mut response = see_other(&authorization.url);
    append_cookie(
        &mut response,
        &format!(
            "{FLOW_COOKIE}={browser}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age={}",
            nwd_store::oidc::FLOW_LIFETIME.as_secs()
        ),
    );
    Ok(response)
}

/// The provider's answer: checks it, signs in the linked account.
#[utoipa::path(get, path = "/staff/oidc/{provider}/callback", tag = "pages",
    params(("provider" = String, Path, description = "The provider's id in the OpenID Connect configuration"),
           ("code" = Option<String>, Query, description = "The authorization code"),
           ("state" = Option<String>, Query, description = "The state sent to the provider"),
           ("error" = Option<String>, Query, description = "The provider's error code")),
    responses((status = 200, description = "Signed in: a page that moves on to the staff pages", content_type = "text/html"),
              (status = 401, description = "Sign-in refused (the reason is audited)", content_type = "text/html"),
              (status = 404, description = "No such provider", content_type = "text/html"),
              (status = 503, description = "The provider cannot be reached", content_type = "text/html")))]
pub async fn callback(
    trail: RequestAudit,
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Path(provider_id): Path<String>,
    Query(query): Query<CallbackQuery>,
    headers: HeaderMap,
) -> PageResult {
    const ROUTE: &str = "GET /staff/oidc/{provider}/callback";
    let refuse_with = |refusal: Refusal| {
        let state = state.clone();
        let provider_id = provider_id.clone();
        let address = address.clone();
        async move { refuse(&state, ROUTE, &provider_id, address, refusal, None, None).await }
    };
    let Some(provider) = state.oidc.get(&provider_id) else {
        return refuse_with(Refusal::UnknownProvider).await;
    };
    // The sign-in this answer belongs to: taken (single use) whatever happens next.
    let flow = match &query.state {
        Some(s) if !s.is_empty() && s.len() <= 200 => state.store.take_oidc_flow(s).await?,
        _ => None,
    };
    let browser = cookie(&headers, FLOW_COOKIE).map(|b| token_hash(&b));
    let Some(flow) = flow.filter(|f| {
        f.provider == provider_id && browser.as_deref() == Some(f.browser_hash.as_str())
    }) else {
        return refuse_with(Refusal::State).await;
    };
    if let Some(error) = &query.error {
        return refuse_with(Refusal::ProviderError(nwd_oidc::sanitise(error))).await;
    }
    let Some(code) = query.code.as_deref().filter(|c| !c.is_empty()) else {
        return refuse_with(Refusal::Malformed("no code in the answer".into())).await;
    };
    let identity = match provider
        .finish(
            code,
            &flow.code_verifier,
            &flow.nonce,
            state.store.now(),
            nwd_store::oidc::FLOW_LIFETIME,
        )
        .await
    {
        Ok(identity) => identity,
        Err(refusal) => return refuse_with(refusal).await,
    };
    let session = match state
        .store
        .sign_in_federated(
            &trail.acting(
                nwd_domain::actor::Actor::User(identity.subject.clone()),
                None,
            ),
            &identity.issuer,
            &identity.subject,
            address.as_deref(),
        )
        .await
    {
        Ok(session) => session,
        Err(FederatedError::Unlinked) => {
            return refuse(
                &state,
                ROUTE,
                &provider_id,
                address,
                Refusal::Unlinked,
                Some(&identity),
                None,
            )
            .await
        }
        Err(FederatedError::Disabled { user_id, username }) => {
            return refuse(
                &state,
                ROUTE,
                &provider_id,
                address,
                Refusal::Disabled,
                Some(&identity),
                Some((user_id, username)),
            )
            .await
        }
        Err(FederatedError::Locked {
            user_id,
            username,
            until,
        }) => {
            return refuse(
                &state,
                ROUTE,
                &provider_id,
                address,
                Refusal::Locked(until),
                Some(&identity),
                Some((user_id, username)),
            )
            .await
        }
        Err(FederatedError::Store(e)) => return Err(e.into()),
    };
    let mut entry = AuditEntry::new(ROUTE, "sign_in");
    entry.record_type = "session".into();
    entry.address = address;
    entry.user_id = Some(session.principal.user_id.clone());
    entry.username = Some(session.principal.username.clone());
    entry.roles = session.principal.roles_text();
    entry.organisation_id = Some(session.principal.organisation_id.clone());
    entry.session_id = Some(session.principal.credential_ref.clone());
    entry.why = format!(
        "OpenID Connect: ID token verified, acr {}",
        nwd_oidc::sanitise(&identity.acr)
    );
    entry.detail = Some(format!(
        "provider {provider_id}; issuer {}; subject {}",
        identity.issuer, identity.subject
    ));
    entry.status = 200;
    // If the audit entry cannot be written, the session is not handed out.
    state.store.append_audit(entry).await?;
    let next = if flow.next_path.is_empty() || flow.next_path == "/staff/triage" {
        crate::staff::sign_in::home_of(&session.principal)
    } else {
        flow.next_path
    };
    let mut response = render(
        &SignedInPage {
            layout: Layout::public("You are signed in"),
            next: next.clone(),
        },
        StatusCode::OK,
        Sensitivity::Identifiable,
    );
    if let Ok(value) = HeaderValue::from_str(&format!("0;url={next}")) {
        response
            .headers_mut()
            .insert(header::HeaderName::from_static("refresh"), value);
    }
    append_cookie(
        &mut response,
        &nwd_http::secure::session_cookie_header(&state, &session.token),
    );
    clear_flow_cookie(&mut response);
    Ok(response)
}
