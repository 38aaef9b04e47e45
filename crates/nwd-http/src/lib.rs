//! # nwd-http — the HTTP kernel
//!
//! What every door over HTTP stands on, and nothing that is a door: the application state
//! ([`AppState`]), the route guard and its policies ([`secure`]: deny by default, a legitimate
//! relationship for person-level data, every access audited), per-client rate limits and
//! trusted proxies ([`limits`], [`proxy`]), the connection loop ([`server`]), security headers
//! ([`headers`]), extractors ([`extract`]) and the one error type at the edge, RFC 9457
//! problem+json ([`problem`]), with the responses every route may give added to the OpenAPI
//! document ([`openapi_responses`]).
//!
//! It knows no route and renders no page: the JSON API (`nwd-api`) and the pages
//! (`nwd-pages`) register their routes through [`secure::SecureRouter`], and the pages give
//! the guard its HTML refusals ([`secure::PageRefusals`]). Depends on the domain, the store
//! and the use cases' error type only (Cargo enforces it).

pub mod extract;
pub mod fallback;
pub mod headers;
pub mod limits;
pub mod openapi_responses;
pub mod problem;
pub mod proxy;
pub mod public_info;
pub mod secure;
pub mod server;

use nwd_store::Store;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// OpenID Connect providers for staff sign-in (none: local sign-in only).
    pub oidc: std::sync::Arc<nwd_oidc::Federation>,
    /// Rate limits and the trusted proxies (`limits.rs`).
    pub limits: limits::Limits,
    /// How the route guard refuses on a page route (the pages' HTML refusals, or
    /// problem+json when the application has no pages).
    pub page_refusals: std::sync::Arc<dyn secure::PageRefusals>,
    /// Who runs the service and how the public reach them, for the public statements.
    pub public: std::sync::Arc<public_info::PublicInfo>,
}

impl AppState {
    /// The state for `store`, with local sign-in only and limits from the environment.
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            oidc: Default::default(),
            limits: limits::Limits::from_env(),
            page_refusals: std::sync::Arc::new(secure::ProblemRefusals),
            public: Default::default(),
        }
    }

    /// With these limits (and trusted proxies).
    pub fn with_limits(mut self, limits: limits::Limits) -> AppState {
        self.limits = limits;
        self
    }

    /// With these HTML refusals for the guard on page routes.
    pub fn with_page_refusals(mut self, refusals: impl secure::PageRefusals + 'static) -> AppState {
        self.page_refusals = std::sync::Arc::new(refusals);
        self
    }

    /// With this organisation's text for the public statements.
    pub fn with_public(mut self, public: public_info::PublicInfo) -> AppState {
        self.public = std::sync::Arc::new(public);
        self
    }

    /// With these OpenID Connect providers.
    pub fn with_oidc(mut self, federation: nwd_oidc::Federation) -> AppState {
        self.oidc = std::sync::Arc::new(federation);
        self
    }
}
