//! The public statements: the privacy notice, the accessibility statement, the cookie
//! statement and the contact page, each linked from the footer of every page. What is
//! particular to the area — the organisation, its contact details, its data protection
//! officer — comes from configuration (`nwd_http::public_info::PublicInfo`, the `[public]`
//! table of `serve --public FILE`), with defaults that name no contact details.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use nwd_http::public_info::PublicInfo;
use nwd_http::AppState;

use crate::layout::{render, Layout, Sensitivity};

/// One statement page: its layout and the configured text.
#[derive(Template)]
#[template(path = "statement.html")]
struct StatementPage {
    layout: Layout,
    /// `privacy`, `accessibility`, `cookies` or `contact`: which body to show.
    which: &'static str,
    info: PublicInfo,
    /// The telephone number for a `tel:` link (digits and `+` only).
    tel: String,
    /// The staff session's idle timeout, in minutes (the cookie statement).
    idle_minutes: i64,
    /// The staff session's absolute timeout, in hours.
    absolute_hours: i64,
}

fn statement(state: &AppState, which: &'static str, title: &str) -> Response {
    let sessions = state.store.access().sessions;
    render(
        &StatementPage {
            layout: Layout::public(title),
            which,
            info: (*state.public).clone(),
            tel: state
                .public
                .phone
                .as_deref()
                .unwrap_or_default()
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '+')
                .collect(),
            idle_minutes: sessions.idle.as_mins(),
            absolute_hours: sessions.absolute.as_hours(),
        },
        StatusCode::OK,
        Sensitivity::Public,
    )
}

/// The privacy notice: who holds what, why, for how long, and the rights people have.
#[utoipa::path(get, path = "/privacy-notice", tag = "pages",
    responses((status = 200, description = "Privacy notice", content_type = "text/html")))]
pub async fn privacy_notice(State(state): State<AppState>) -> Response {
    statement(&state, "privacy", "Privacy notice")
}

/// The accessibility statement.
#[utoipa::path(get, path = "/accessibility", tag = "pages",
    responses((status = 200, description = "Accessibility statement", content_type = "text/html")))]
pub async fn accessibility(State(state): State<AppState>) -> Response {
    statement(&state, "accessibility", "Accessibility statement")
}

/// The cookie statement: no cookie on public pages; the staff sign-in's strictly necessary
/// cookies.
#[utoipa::path(get, path = "/cookies", tag = "pages",
    responses((status = 200, description = "Cookie statement", content_type = "text/html")))]
pub async fn cookies(State(state): State<AppState>) -> Response {
    statement(&state, "cookies", "Cookies")
}

/// How to contact the service (not for emergencies: urgent help is linked first).
#[utoipa::path(get, path = "/contact", tag = "pages",
    responses((status = 200, description = "Contact page", content_type = "text/html")))]
pub async fn contact(State(state): State<AppState>) -> Response {
    statement(&state, "contact", "Contact us")
}
