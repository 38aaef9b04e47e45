//! Pages for administrators (no clinical content): accounts and API tokens (`users`), their
//! OpenID Connect links, teams and role grants, the service directory and each service's
//! waiting-time standards, and the outcome measures' licensed wording.

pub mod confirm;
pub mod directory;
pub mod measures;
pub mod oidc_links;
pub mod role_grants;
pub mod service_standards;
pub mod teams;
pub mod users;

use nwd_domain::authz::{Permission, Policy, Scope};
use nwd_http::secure::SecureRouter;
use utoipa_axum::routes;

/// This group's routes, each with its policy.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .merge(admin_oidc_routes())
        .merge(admin_routes())
}

/// The administrator's page for an account's OpenID Connect links (issue 5).
fn admin_oidc_routes() -> SecureRouter {
    let users = Policy::Requires(Permission::ManageUsers, Scope::None);
    SecureRouter::new()
        .route(users, "user", routes!(oidc_links::links))
        .route(users, "user", routes!(oidc_links::link))
        .route(users, "user", routes!(oidc_links::unlink))
        .route(users, "user", routes!(oidc_links::unlink_question))
}

/// The administrator's pages (issue 6): accounts, teams, the service directory and each
/// service's waiting-time standards.
fn admin_routes() -> SecureRouter {
    let users = Policy::Requires(Permission::ManageUsers, Scope::None);
    let directory = Policy::Requires(Permission::ManageDirectory, Scope::None);
    SecureRouter::new()
        .route(users, "user", routes!(users::users))
        .route(users, "user", routes!(users::new_user))
        .route(users, "user", routes!(users::create_user))
        .route(users, "user", routes!(users::user))
        .route(users, "user", routes!(users::set_up))
        .route(users, "user", routes!(users::add_membership))
        .route(users, "user", routes!(users::remove_membership))
        .route(users, "user", routes!(users::remove_membership_question))
        .route(users, "user", routes!(users::disable))
        .route(users, "user", routes!(users::disable_question))
        .route(users, "api_token", routes!(users::create_token))
        .route(users, "api_token", routes!(users::revoke_token))
        .route(users, "api_token", routes!(users::revoke_token_question))
        .route(users, "role_grant", routes!(role_grants::approve))
        .route(users, "role_grant", routes!(role_grants::refuse))
        .route(users, "role_grant", routes!(role_grants::refuse_question))
        .route(users, "team", routes!(teams::teams))
        .route(users, "team", routes!(teams::new_team))
        .route(users, "team", routes!(teams::create_team))
        .route(users, "team", routes!(teams::team))
        .route(users, "team", routes!(teams::add_team_member))
        .route(users, "team", routes!(teams::remove_team_member))
        .route(users, "team", routes!(teams::remove_team_member_question))
        .route(directory, "service", routes!(directory::services))
        .route(directory, "service", routes!(directory::new_service))
        .route(directory, "service", routes!(directory::create_service))
        .route(directory, "service", routes!(directory::edit_service))
        .route(directory, "service", routes!(directory::update_service))
        .route(directory, "service", routes!(directory::offer::form))
        .route(directory, "service", routes!(directory::offer::save))
        .route(directory, "service", routes!(service_standards::form))
        .route(directory, "service", routes!(service_standards::save))
        .route(directory, "service", routes!(service_standards::reset))
        .route(
            directory,
            "service",
            routes!(service_standards::reset_question),
        )
        .route(directory, "measure", routes!(measures::list))
        .route(directory, "measure", routes!(measures::measure))
        .route(directory, "measure", routes!(measures::load))
        .route(directory, "measure", routes!(measures::remove))
        .route(directory, "measure", routes!(measures::remove_question))
}
