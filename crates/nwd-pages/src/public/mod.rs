//! Pages for anyone, signed in or not: the start page, the self-referral and parent/carer
//! journeys (`get_help`, with its `safety_question` and the optional `about` questions; their
//! answers kept between pages in a server-side draft, `journey_draft`),
//! finding support in the directory, urgent help, a referral's private status link, the
//! public `statements` (privacy notice, accessibility, cookies, contact), and the
//! professional's referral journey (`refer_journey` for anyone, `refer` for signed-in staff).
//! Each door into the single point of access ends in the shared intake use cases
//! (`nwd_usecase::intake`).

pub mod about;
pub mod find_support;
pub mod get_help;
pub mod journey_draft;
pub mod measure_link;
pub mod refer;
pub mod refer_journey;
pub mod safety_question;
pub mod start;
pub mod statements;
pub mod status;
pub mod urgent_help;

use nwd_domain::authz::{Permission, Policy, Scope};
use nwd_http::secure::SecureRouter;
use utoipa_axum::routes;

/// This group's routes, each with its policy.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(Policy::Public, "asset", routes!(crate::assets::asset))
        .route(Policy::Public, "page", routes!(start::start))
        .route(Policy::Public, "page", routes!(urgent_help::urgent_help))
        .route(Policy::Public, "page", routes!(statements::privacy_notice))
        .route(Policy::Public, "page", routes!(statements::accessibility))
        .route(Policy::Public, "page", routes!(statements::cookies))
        .route(Policy::Public, "page", routes!(statements::contact))
        .route(Policy::Public, "page", routes!(get_help::start))
        .route(Policy::Public, "referral", routes!(get_help::question))
        .route(Policy::Public, "referral", routes!(get_help::answer))
        .route(Policy::Public, "referral", routes!(get_help::done))
        .route(Policy::Public, "service", routes!(find_support::search))
        .route(Policy::Public, "service", routes!(find_support::service))
        .route(
            Policy::Public,
            "page",
            routes!(get_help::start_parent_carer),
        )
        .route(
            Policy::Public,
            "referral_status",
            routes!(status::status_page),
        )
        .route(Policy::Public, "page", routes!(measure_link::done))
        .route(
            Policy::Public,
            "outcome_measure",
            routes!(measure_link::questionnaire, measure_link::answer),
        )
        .route(Policy::Public, "page", routes!(refer_journey::start_page))
        .route(
            Policy::Public,
            "page",
            routes!(refer_journey::advice_start_page),
        )
        .route(Policy::Public, "page", routes!(refer_journey::start))
        .route(Policy::Public, "referral", routes!(refer_journey::question))
        .route(Policy::Public, "referral", routes!(refer_journey::answer))
        .route(Policy::Public, "referral", routes!(refer_journey::send))
        .route(Policy::Public, "referral", routes!(refer_journey::done))
        .route(
            Policy::Requires(Permission::ViewSentReferrals, Scope::None),
            "referral_status",
            routes!(refer::sent),
        )
        .route(
            Policy::Requires(Permission::MakeReferral, Scope::None),
            "page",
            routes!(refer::staff_form),
        )
        .route(
            Policy::Requires(Permission::MakeReferral, Scope::None),
            "referral",
            routes!(refer::staff_submit),
        )
}
