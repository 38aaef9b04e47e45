//! # nwd-pages — the web pages
//!
//! Server-rendered HTML on the NHS design system (`nhsuk-frontend`, built into the binary by
//! `build.rs`), working without JavaScript, grouped by who uses them: [`public`] (anyone:
//! start, get help, refer, find support, urgent help, a status link), [`staff`] (sign-in, the
//! triage queue, the referral page and every action on it, services' lists, the transition and
//! crisis lists, the match review), [`commissioner`] (the dashboard and the simulator),
//! [`privacy`] (the privacy officer's access reports and break-glass reviews) and [`admin`]
//! (accounts, teams, the directory, services' standards). What every group shares sits at the
//! top: the [`layout`] and its security headers, [`navigation`], [`form`] reading,
//! [`pagination`], server-drawn SVG [`chart`]s, the built [`assets`] and the guard's HTML
//! [`refusal`]s.
//!
//! Every route is registered through the same `SecureRouter` as the API, with the same
//! policies, guard and audit. Handlers parse form fields into domain types (through the shared
//! readings of `nwd_usecase`, e.g. `person` and `about`), call a use case or the store and
//! render one template per page (`templates/`, askama, escaping on). It does **not** own
//! rules or SQL, and never depends on the JSON API (`nwd-api`; Cargo enforces it).

pub mod admin;
pub mod assets;
pub mod chart;
pub mod commissioner;
pub mod form;
pub mod layout;
pub mod navigation;
pub mod pagination;
pub mod privacy;
pub mod public;
pub mod refusal;
pub mod staff;

use nwd_domain::authz::{Permission, Policy, Scope};
use utoipa_axum::routes;

use nwd_http::secure::SecureRouter;

/// Every page route with its policy, group by group.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .merge(public::router())
        .merge(staff::router())
        .merge(commissioner::router())
        .merge(privacy_routes())
        .merge(admin::router())
}

/// The privacy officer's pages (issue 5).
fn privacy_routes() -> SecureRouter {
    let audit = Policy::Requires(Permission::AuditReports, Scope::None);
    let review = Policy::Requires(Permission::ReviewBreakGlass, Scope::None);
    SecureRouter::new()
        .route(audit, "audit", routes!(privacy::home))
        .route(audit, "audit", routes!(privacy::person_access))
        .route(audit, "audit", routes!(privacy::person_download))
        .route(audit, "audit", routes!(privacy::user_access))
        .route(audit, "audit", routes!(privacy::user_download))
        .route(audit, "audit", routes!(privacy::without_consent))
        .route(review, "break_glass", routes!(privacy::reviews))
        .route(review, "break_glass", routes!(privacy::review_break_glass))
        .route(
            review,
            "safeguarding_override",
            routes!(privacy::review_override),
        )
}
