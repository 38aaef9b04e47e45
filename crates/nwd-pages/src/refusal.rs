//! The HTML answers the guard ([`nwd_http::secure`]) gives on page routes instead of the API's
//! problem+json: a member of staff whose roles do not allow a page (403), a change sent
//! without the session's CSRF token (403), and a record out of their scope (404, the same
//! page as a record that does not exist). Each is an NHS-styled page with the staff header,
//! saying what to do and leading to the person's own home page, with the security headers of
//! every page (`no-store`). The guard audits the denial exactly as for the API.
//!
//! It also gives the kernel's fallback (`nwd_http::fallback`) the public HTML 404 for an
//! address with no page and 405 for a method a page does not take, for browsers.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use nwd_domain::authz::RoleTable;
use nwd_store::auth::Principal;

use crate::layout::{render, Layout, Sensitivity, StaffHeader};

#[derive(Template)]
#[template(path = "refusal.html")]
struct RefusalPage {
    layout: Layout,
    paragraphs: Vec<String>,
    home: String,
}

/// Where the person starts: their home page, which their roles can always open
/// (`crate::navigation::home`).
fn home(principal: &Principal, _roles: &RoleTable) -> String {
    StaffHeader::of(principal).home
}

fn page(
    principal: &Principal,
    roles: &RoleTable,
    status: StatusCode,
    heading: &str,
    paragraphs: Vec<String>,
) -> Response {
    let page = RefusalPage {
        layout: Layout::staff(heading, principal),
        paragraphs,
        home: home(principal, roles),
    };
    render(&page, status, Sensitivity::Identifiable)
}

/// 403: the person's roles do not allow this page.
pub fn forbidden(principal: &Principal, roles: &RoleTable) -> Response {
    page(
        principal,
        roles,
        StatusCode::FORBIDDEN,
        "You do not have access to this page",
        vec![
            format!(
                "Your roles ({}) do not allow you to open this page.",
                principal.roles_text().replace('_', " ").replace(',', ", ")
            ),
            "If you need it for your work, ask your administrator to give you the role.".into(),
        ],
    )
}

/// 403: a change sent without the session's CSRF token (e.g. a form kept open across a
/// sign-out and sign-in, or a page from somewhere else).
pub fn csrf_refused(principal: &Principal, roles: &RoleTable) -> Response {
    page(
        principal,
        roles,
        StatusCode::FORBIDDEN,
        "Your answers could not be sent",
        vec![
            "The form did not carry the security code of your current sign-in, so nothing was saved.".into(),
            "Go back, reload the page and send it again. If this keeps happening, sign out and sign in again.".into(),
        ],
    )
}

/// 404: no such record, or none the person has a relationship with (the two are not told
/// apart).
pub fn not_found(principal: &Principal, roles: &RoleTable) -> Response {
    page(
        principal,
        roles,
        StatusCode::NOT_FOUND,
        "Page not found",
        vec![
            "There is no such record, or it is not one you work with.".into(),
            "If you need to see it for someone's care, ask the single point of access or the team that holds it.".into(),
        ],
    )
}

/// The pages' refusals, given to the guard by `nwd_web::app` ([`nwd_http::AppState::with_page_refusals`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlRefusals;

impl nwd_http::secure::PageRefusals for HtmlRefusals {
    fn forbidden(&self, principal: &Principal, roles: &RoleTable) -> Response {
        forbidden(principal, roles)
    }
    fn csrf_refused(&self, principal: &Principal, roles: &RoleTable) -> Response {
        csrf_refused(principal, roles)
    }
    fn not_found(&self, principal: &Principal, roles: &RoleTable) -> Response {
        not_found(principal, roles)
    }
    fn no_page(&self) -> Response {
        crate::layout::no_page()
    }
    fn wrong_method(&self) -> Response {
        crate::layout::wrong_method()
    }
}
