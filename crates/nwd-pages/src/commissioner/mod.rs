//! Pages for commissioners: the dashboard of waits, outcomes and who gets help (with its
//! charts and data tables, and its download), money and contracts (agreements, contributions,
//! contracts and their payment and activity statements; changed with `manage_commissioning`),
//! need and equality (expected need against referrals and access, uptake by group; the
//! population table loaded with `manage_commissioning`), and the what-if simulator.

pub mod dashboard;
pub mod dashboard_ledger;
pub mod dashboard_outcomes;
pub mod dashboard_uptake;
pub mod dashboard_waits;
pub mod money;
pub mod need;
pub mod need_population;
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
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(money::overview),
        )
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(money::statement::contract),
        )
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(money::statement::download),
        )
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(money::edit::history),
        )
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(money::report::quarterly),
        )
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(money::report::quarterly_csv),
        )
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(money::plan::page),
        )
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(money::plan::download),
        )
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(money::edit::version),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::edit::form),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::edit::save),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::edit::restore),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::edit::restore_question),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::change::vary::vary_form),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::change::vary::vary),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::change::milestone::milestone_form),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::change::milestone::milestone),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::change::staff::staff_form),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::change::staff::staff),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::change::value::value_form),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::change::value::value),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::change::kpi::kpi_form),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(money::change::kpi::kpi),
        )
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(need::page),
        )
        .route(
            Policy::Requires(Permission::ReadAggregates, Scope::None),
            "aggregate",
            routes!(need::download),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(need_population::form),
        )
        .route(
            Policy::Requires(Permission::ManageCommissioning, Scope::None),
            "commissioning",
            routes!(need_population::load),
        )
}
