//! Pages for commissioners: the dashboard of waits, outcomes and who gets help (with its
//! charts and data tables, and its download), and the what-if simulator.

pub mod dashboard;
pub mod dashboard_ledger;
pub mod dashboard_outcomes;
pub mod dashboard_uptake;
pub mod dashboard_waits;
pub mod simulate;

use nwd_domain::authz::{Permission, Policy, Scope};
use nwd_http::secure::SecureRouter;
use utoipa_axum::routes;

/// This group's routes, each with its policy.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(dashboard::dashboard),
        )
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(dashboard::download),
        )
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(simulate::form),
        )
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(simulate::run),
        )
}
