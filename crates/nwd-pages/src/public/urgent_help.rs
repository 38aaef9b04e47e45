//! Urgent help: NHS 111 (mental health option), 999, and text and phone lines, from
//! `config/urgent-help.toml` (checked and built in by `build.rs`; each number's public source
//! is written beside it there), and beside them the area's own 24/7 crisis lines from the
//! directory (services flagged `crisis_line`, `Store::crisis_lines`) with their numbers. One
//! click from every public page. If the directory cannot be read the national lines still
//! show.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use nwd_http::AppState;

use crate::public::find_support::{crisis_lines, CrisisLineView};

use crate::layout::{render, Layout, Sensitivity};

/// One way to get urgent help.
#[derive(Debug, Clone, Copy)]
pub struct UrgentLine {
    /// Name, e.g. "Shout".
    pub name: &'static str,
    /// What to do, e.g. "Text SHOUT to 85258".
    pub how: &'static str,
    /// The number as shown.
    pub number: &'static str,
    /// `tel:` or `sms:` link.
    pub href: &'static str,
    /// When to use it.
    pub when: &'static str,
    /// `emergency`, `urgent` or `support`.
    pub kind: &'static str,
    /// Where the number comes from.
    pub source: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/urgent_help.rs"));

#[derive(Template)]
#[template(path = "urgent_help.html")]
struct UrgentHelpPage {
    layout: Layout,
    lines: &'static [UrgentLine],
    local: Vec<CrisisLineView>,
}

/// Get help now: the urgent help page.
#[utoipa::path(get, path = "/urgent-help", tag = "pages",
    responses((status = 200, description = "Urgent help page", content_type = "text/html")))]
pub async fn urgent_help(State(state): State<AppState>) -> Response {
    render(
        &UrgentHelpPage {
            layout: Layout::public("Get help now"),
            lines: URGENT_HELP,
            local: crisis_lines(&state).await,
        },
        axum::http::StatusCode::OK,
        Sensitivity::Public,
    )
}
