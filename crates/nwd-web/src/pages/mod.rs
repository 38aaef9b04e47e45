//! # Web pages
//!
//! Server-rendered HTML on the NHS design system (`nhsuk-frontend`, built into the binary by
//! `build.rs`), working without JavaScript. Public pages (start, get help, refer, find support,
//! urgent help, staff sign-in) and staff pages (triage queue, referral and its forms, service
//! waiting lists and caseloads, transition and crisis lists, person-match review), the privacy
//! officer's pages (`privacy`), the administrator's (`admin`: users; `teams`; `directory`: services;
//! `service_standards`: a service's own waiting-time standards) and
//! the standards in force (`standards`) are registered through
//! the same [`SecureRouter`] as the API, with the same policies, guard and audit. Every page
//! carries the security headers of [`layout::security_headers`].
//!
//! It does **not** own rules or SQL, nor anything the JSON API also needs: handlers parse form
//! fields into domain types (through the shared readings in `usecase`, e.g. `usecase::person`
//! and `usecase::about`), call a use case or the store and render one template per page
//! (`crates/nwd-web/templates/`, askama, escaping on). It never imports `crate::api`.

pub mod about;
pub mod about_staff;
pub mod actions;
pub mod admin;
pub mod admin_oidc;
pub mod assets;
pub mod chart;
pub mod dashboard;
pub mod dashboard_uptake;
pub mod destinations;
pub mod directory;
pub mod find_support;
pub mod form;
pub mod get_help;
pub mod layout;
pub mod lists;
pub mod navigation;
pub mod oidc;
pub mod pagination;
pub mod privacy;
pub mod public;
pub mod queue;
pub mod refer;
pub mod refer_journey;
pub mod referral_contact;
pub mod refusal;
pub mod review;
pub mod role_grants;
pub mod safety_question;
pub mod search;
pub mod service;
pub mod service_fit;
pub mod service_standards;
pub mod simulate;
pub mod staff;
pub mod standards;
pub mod status;
pub mod teams;
pub mod transitions;
pub mod triage;
pub mod urgency;
pub mod urgent_help;

use nwd_domain::authz::{Permission, Policy, Scope};
use utoipa_axum::routes;

use crate::secure::SecureRouter;

/// Every page route with its policy.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(Policy::Public, "asset", routes!(assets::asset))
        .route(Policy::Public, "page", routes!(public::start))
        .route(Policy::Public, "page", routes!(urgent_help::urgent_help))
        .route(Policy::Public, "page", routes!(get_help::start))
        .route(Policy::Public, "referral", routes!(get_help::answer))
        .route(Policy::Public, "service", routes!(find_support::search))
        .route(Policy::Public, "service", routes!(find_support::service))
        .route(Policy::Public, "session", routes!(staff::staff_home))
        .route(Policy::Public, "session", routes!(staff::sign_in_form))
        .route(Policy::Public, "session", routes!(staff::sign_in))
        .route(Policy::SignedIn, "session", routes!(staff::sign_out))
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
        .route(Policy::Public, "page", routes!(refer_journey::start_page))
        .route(Policy::Public, "page", routes!(refer_journey::start))
        .route(Policy::Public, "referral", routes!(refer_journey::answer))
        .route(Policy::Public, "referral", routes!(refer_journey::send))
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
        .route(Policy::SignedIn, "standards", routes!(standards::standards))
        .merge(urgency_routes())
        .merge(destination_routes())
        .merge(privacy_routes())
        .merge(admin_routes())
        .merge(admin_oidc_routes())
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

/// The administrator's page for an account's OpenID Connect links (issue 5).
fn admin_oidc_routes() -> SecureRouter {
    let users = Policy::Requires(Permission::ManageUsers, Scope::None);
    SecureRouter::new()
        .route(users, "user", routes!(admin_oidc::links))
        .route(users, "user", routes!(admin_oidc::link))
        .route(users, "user", routes!(admin_oidc::unlink))
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
        .route(review, "break_glass", routes!(privacy::reviews))
        .route(review, "break_glass", routes!(privacy::review_break_glass))
        .route(
            review,
            "safeguarding_override",
            routes!(privacy::review_override),
        )
}

/// The administrator's pages (issue 6): accounts, teams, the service directory and each
/// service's waiting-time standards.
fn admin_routes() -> SecureRouter {
    let users = Policy::Requires(Permission::ManageUsers, Scope::None);
    let directory = Policy::Requires(Permission::ManageDirectory, Scope::None);
    SecureRouter::new()
        .route(users, "user", routes!(admin::users))
        .route(users, "user", routes!(admin::new_user))
        .route(users, "user", routes!(admin::create_user))
        .route(users, "user", routes!(admin::user))
        .route(users, "user", routes!(admin::add_membership))
        .route(users, "user", routes!(admin::remove_membership))
        .route(users, "user", routes!(admin::disable))
        .route(users, "api_token", routes!(admin::create_token))
        .route(users, "api_token", routes!(admin::revoke_token))
        .route(users, "role_grant", routes!(role_grants::approve))
        .route(users, "role_grant", routes!(role_grants::refuse))
        .route(users, "team", routes!(teams::teams))
        .route(users, "team", routes!(teams::new_team))
        .route(users, "team", routes!(teams::create_team))
        .route(users, "team", routes!(teams::team))
        .route(users, "team", routes!(teams::add_team_member))
        .route(users, "team", routes!(teams::remove_team_member))
        .route(directory, "service", routes!(directory::services))
        .route(directory, "service", routes!(directory::new_service))
        .route(directory, "service", routes!(directory::create_service))
        .route(directory, "service", routes!(directory::edit_service))
        .route(directory, "service", routes!(directory::update_service))
        .route(directory, "service", routes!(service_standards::form))
        .route(directory, "service", routes!(service_standards::save))
        .route(directory, "service", routes!(service_standards::reset))
}
