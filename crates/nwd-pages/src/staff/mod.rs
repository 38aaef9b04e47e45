//! Pages for staff at work: signing in (`sign_in`, `oidc`), the single point of access's
//! triage queue and search, the referral page with every action on it (triage, urgency,
//! allocation, contacts, step up and down, transition, destinations, discharge), contact and
//! "about the young person", services' waiting lists and caseloads, the transition and crisis
//! lists, the person-match review and the standards in force. Every change needs the clinical
//! write permission and a relationship with the referral, checked by the route guard.

pub mod about_staff;
pub mod actions;
pub mod consultations;
pub mod destinations;
pub mod lists;
pub mod measure_links;
pub mod oidc;
pub mod outcomes;
pub mod password;
pub mod queue;
pub mod referral_contact;
pub mod review;
pub mod search;
pub mod service;
pub mod service_fit;
pub mod sign_in;
pub mod standards;
pub mod transitions;
pub mod triage;
pub mod urgency;

use nwd_domain::authz::{Permission, Policy, Scope};
use nwd_http::secure::SecureRouter;
use utoipa_axum::routes;

/// This group's routes, each with its policy.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(Policy::Public, "session", routes!(sign_in::staff_home))
        .route(Policy::Public, "session", routes!(sign_in::sign_in_form))
        .route(Policy::Public, "session", routes!(sign_in::sign_in))
        .route(Policy::Public, "session", routes!(sign_in::demo_sign_in))
        .route(Policy::SignedIn, "session", routes!(sign_in::sign_out))
        .route(Policy::SignedIn, "user", routes!(password::form))
        .route(Policy::SignedIn, "user", routes!(password::change))
        .route(Policy::Public, "session", routes!(oidc::start))
        .route(Policy::Public, "session", routes!(oidc::callback))
        .route(
            Policy::Requires(Permission::SearchReferrals, Scope::None),
            "referral",
            routes!(queue::queue),
        )
        .route(
            Policy::Requires(Permission::SearchReferrals, Scope::None),
            "referral",
            routes!(search::search),
        )
        .route(
            Policy::Requires(Permission::ReadClinical, Scope::Referral("id")),
            "referral",
            routes!(triage::referral),
        )
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(triage::triage),
        )
        .route(
            Policy::Requires(Permission::ReadClinical, Scope::Referral("id")),
            "person_about",
            routes!(about_staff::show),
        )
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::Referral("id")),
            "person_about",
            routes!(about_staff::change),
        )
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(actions::allocate),
        )
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::Referral("id")),
            "contact",
            routes!(actions::record_contact),
        )
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::Referral("id")),
            "outcome",
            routes!(outcomes::new_outcome),
        )
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::Referral("id")),
            "outcome",
            routes!(outcomes::record_outcome),
        )
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::Referral("id")),
            "outcome",
            routes!(measure_links::new_link),
        )
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::Referral("id")),
            "outcome",
            routes!(outcomes::new_goals),
        )
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::Referral("id")),
            "outcome",
            routes!(outcomes::agree_goals),
        )
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::Referral("id")),
            "outcome",
            routes!(measure_links::send_link),
        )
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(actions::step),
        )
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::Referral("id")),
            "allocation",
            routes!(actions::discharge),
        )
        .route(
            Policy::Requires(Permission::ReadServiceLists, Scope::None),
            "service",
            routes!(service::services),
        )
        .route(
            Policy::Requires(Permission::ReadServiceLists, Scope::Service("id")),
            "waiting_list",
            routes!(service::service),
        )
        .route(
            Policy::Requires(Permission::ReadServiceLists, Scope::None),
            "transition_list",
            routes!(lists::transitions),
        )
        .route(
            Policy::Requires(Permission::SearchReferrals, Scope::None),
            "referral",
            routes!(lists::crisis),
        )
        .route(
            Policy::Requires(Permission::ManageRegister, Scope::None),
            "match_review",
            routes!(review::queue),
        )
        .route(
            Policy::Requires(Permission::ManageRegister, Scope::None),
            "match_review",
            routes!(review::review),
        )
        .route(
            Policy::Requires(Permission::ManageRegister, Scope::None),
            "match_review",
            routes!(review::decide),
        )
        .route(Policy::SignedIn, "standards", routes!(standards::standards))
        .merge(urgency_routes())
        .merge(destination_routes())
}

/// Priority and risk (issue 14): the urgency form and the overdue risk reviews. A change
/// needs the clinical write permission and a relationship with the referral (the single
/// point of access, or a team of a service the young person is allocated to).
fn urgency_routes() -> SecureRouter {
    SecureRouter::new()
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(urgency::record),
        )
        .route(
            Policy::Requires(Permission::SearchReferrals, Scope::None),
            "referral",
            routes!(urgency::overdue_reviews),
        )
}

/// The referral page's destinations besides allocation and discharge (issue 14).
fn destination_routes() -> SecureRouter {
    let write = Policy::Requires(Permission::WriteClinical, Scope::Referral("id"));
    SecureRouter::new()
        .route(write, "referral", routes!(destinations::decline))
        .route(write, "allocation", routes!(transitions::record))
        .route(write, "allocation", routes!(transitions::plan))
        // Only the member of staff who closed the referral, after closing it ended their
        // relationship: the handler checks that, and shows the destination only.
        .route(
            Policy::Requires(Permission::WriteClinical, Scope::None),
            "referral",
            routes!(destinations::outcome),
        )
}
