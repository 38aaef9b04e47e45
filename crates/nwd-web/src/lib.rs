//! # nwd-web — the application assembled
//!
//! Puts the doors together on the HTTP kernel: every route of the JSON API (`nwd-api`) and of
//! the pages (`nwd-pages`) with its policy, one OpenAPI document built from the same route
//! table (`/api/openapi.json`, so the two cannot drift), the fallback, the body and rate
//! limits, and the server loop ([`serve`]). The black-box tests (`tests/api`, `tests/browser`)
//! drive this crate over real HTTP.
//!
//! It owns no handler, rule or SQL. The layers below it, each its own crate so that Cargo
//! enforces the direction (the `layering` test checks the graph): `nwd-http` (kernel: state,
//! route guard, limits, problem+json) ← `nwd-api` and `nwd-pages` (the two doors, never
//! importing each other) ← this crate; both doors call `nwd-usecase`, which knows no HTTP.

pub use nwd_http::{
    extract, headers, limits, problem, proxy, public_info, secure, server, AppState,
};

#[doc(hidden)]
pub mod fuzz;

#[cfg(test)]
mod layering;

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "No Wrong Door API",
        description = "Single point of access, referral lifecycle, service directory and waiting lists for children and young people's mental health (0–25).",
        license(name = "MIT")
    ),
    tags(
        (name = "intake", description = "Referrals and self-referrals into the single point of access"),
        (name = "referrals", description = "The referral lifecycle: triage, allocation, contacts, step up/down, transition, discharge"),
        (name = "directory", description = "Organisations and services"),
        (name = "lists", description = "Waiting lists, transition list, access measures"),
        (name = "commissioning", description = "The commissioning record (agreements, contributions, contracts, KPIs) and contracts' payment and activity statements"),
        (name = "outcomes", description = "Routine outcome measures: their definitions, and as FHIR R4 Questionnaires"),
        (name = "register", description = "Person matching review, merge and unmerge"),
        (name = "access", description = "Sign-in, sessions, break-glass access"),
        (name = "admin", description = "Accounts, team roles and API tokens for administrators (no clinical content)"),
        (name = "privacy", description = "Audit reports and break-glass review for the privacy officer"),
        (name = "system", description = "Health"),
        (name = "consent", description = "Young people's confidentiality: competence per decision, parent/carer access, not-for-parent entries, parent contact, safeguarding overrides")
    )
)]
struct ApiDoc;

/// Every route with its policy.
pub fn secure_routes() -> secure::SecureRouter {
    secure::SecureRouter::new()
        .merge(nwd_api::health::router())
        .merge(nwd_api::session::router())
        .merge(nwd_api::intake::router())
        .merge(nwd_api::referrals::router())
        .merge(nwd_api::urgency::router())
        .merge(nwd_api::directory::router())
        .merge(nwd_api::lists::router())
        .merge(nwd_api::measures::router())
        .merge(nwd_api::register::router())
        .merge(nwd_api::privacy::router())
        .merge(nwd_api::admin::router())
        .merge(nwd_api::consent::router())
        .merge(nwd_api::commissioning::router())
        .merge(nwd_api::need::router())
        .merge(nwd_pages::router())
}

/// The API routes and their OpenAPI document, built from one table, and every route's policy.
pub fn routes() -> (
    Router<AppState>,
    utoipa::openapi::OpenApi,
    Vec<secure::RoutePolicy>,
) {
    let (router, policies) = secure_routes().into_parts();
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(router)
        .split_for_parts();
    nwd_http::openapi_responses::complete(&mut openapi, &policies);
    (router, openapi, policies)
}

/// The whole application: API routes, the OpenAPI document, and the fallback.
pub fn app(state: AppState) -> Router {
    let state = state.with_page_refusals(nwd_pages::refusal::HtmlRefusals);
    let (router, openapi, _) = routes();
    let openapi = std::sync::Arc::new(openapi);
    router
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let openapi = openapi.clone();
                async move { axum::Json(openapi.as_ref().clone()) }
            }),
        )
        // Unknown addresses, trailing slashes and wrong methods: problem+json under /api/,
        // the pages' HTML 404 and 405 for browsers elsewhere (`nwd_http::fallback`).
        .fallback(nwd_http::fallback::no_route)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            nwd_http::fallback::wrong_method,
        ))
        .layer(axum::middleware::from_fn(api_headers))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(1024 * 1024))
        // Anonymous submissions: a smaller body limit and rate limits (limits.rs).
        .layer(axum::middleware::from_fn({
            let limits = state.limits.clone();
            move |request, next| limits::limit(limits.clone(), request, next)
        }))
        // The guard in front of each route reads the state from the request.
        .layer(axum::Extension(state.clone()))
        // Spans carry the method and path only: query strings can hold identifiers (an NHS
        // number in a search) and never reach a log (LOGGING.md).
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            tracing::debug_span!("request", method = %request.method(), path = %limits::loggable_path(request.uri().path()))
        }))
        // gzip or brotli for every answer big enough to gain (pages, JSON, assets), as the
        // client accepts; the default predicate leaves out tiny bodies and raster images.
        .layer(tower_http::compression::CompressionLayer::new())
        // …except the answers to a signed-in browser (outside the compression, which reads
        // the request's `Accept-Encoding`): see [`no_compression_for_sessions`].
        .layer(axum::middleware::from_fn(no_compression_for_sessions))
        .with_state(state)
}

/// A request carrying the session cookie is answered uncompressed, except assets. Pages for a
/// signed-in member of staff carry the session's CSRF token beside text the request can
/// choose (a search, a form sent back); compressing both together would let a page on another
/// site guess the token from the answers' sizes (BREACH). Public pages, the API with its
/// bearer tokens and the assets hold no such secret and are compressed.
async fn no_compression_for_sessions(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::header;
    let signed_in = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .any(|pair| {
            pair.trim()
                .starts_with(&format!("{}=", secure::SESSION_COOKIE))
        });
    if signed_in && !request.uri().path().starts_with("/assets/") {
        request.headers_mut().remove(header::ACCEPT_ENCODING);
    }
    next.run(request).await
}

/// Every JSON API answer may carry identifiable data: never stored by a cache (`no-store`
/// unless the handler chose otherwise) and never content-sniffed (`nosniff`).
async fn api_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    if api {
        let headers = response.headers_mut();
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
}

/// Serves the application on `listener` with the default connection limits until the
/// process is asked to stop (Ctrl-C or SIGTERM), then drains requests under way.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    serve_with(listener, state, server::ServerLimits::default()).await
}

/// As [`serve`], with these connection limits.
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    limits: server::ServerLimits,
) -> std::io::Result<()> {
    let address: SocketAddr = listener.local_addr()?;
    tracing::info!(%address, "serving");
    server::serve_until(listener, app(state), limits, server::stop_signal()).await
}
