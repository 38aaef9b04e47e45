//! What the system measures against, read-only, for any signed-in member of staff: the
//! waiting-time standards by team type (the defaults a new service gets, from the loaded
//! `config/standards.toml` or `--standards FILE`), the transition notice period, the
//! small-number suppression of commissioner figures, and the access thresholds in force
//! (session timeouts, relationship grace period, sign-in lockout) — each with its source.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use nwd_domain::codes::TeamType;
use nwd_domain::standards::WaitStandard;

use crate::layout::{render, Layout, PageResult, Sensitivity};
use nwd_http::extract::Caller;
use nwd_http::AppState;

/// A standard as a row.
#[derive(Debug, Clone)]
pub struct StandardRow {
    /// Name.
    pub name: String,
    /// Target, in words.
    pub target: String,
    /// Share expected within it.
    pub share: String,
    /// When it applies.
    pub applies: String,
    /// Where it comes from.
    pub source: String,
}

/// The standards of one team type.
#[derive(Debug, Clone)]
pub struct StandardGroup {
    /// The team type, in words (or "Any other team type").
    pub team_type: String,
    /// Its standards, first match wins.
    pub rows: Vec<StandardRow>,
}

fn rows(list: &[WaitStandard]) -> Vec<StandardRow> {
    list.iter()
        .map(|s| {
            let mut applies = Vec::new();
            if !s.priorities.is_empty() {
                applies.push(format!(
                    "priority {}",
                    s.priorities
                        .iter()
                        .map(|p| p.label())
                        .collect::<Vec<_>>()
                        .join(" or ")
                ));
            }
            if !s.sources.is_empty() {
                applies.push(format!(
                    "referred by {}",
                    s.sources
                        .iter()
                        .map(|p| p.label())
                        .collect::<Vec<_>>()
                        .join(" or ")
                ));
            }
            StandardRow {
                name: s.name.clone(),
                target: s.target.describe(),
                share: s
                    .target_share_percent
                    .map(|p| format!("{p}%"))
                    .unwrap_or_default(),
                applies: if applies.is_empty() {
                    "Every referral".into()
                } else {
                    applies.join("; ")
                },
                source: s.source.clone(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "standards.html")]
struct StandardsPage {
    layout: Layout,
    groups: Vec<StandardGroup>,
    transition_notice_months: i32,
    suppression_enabled: bool,
    suppression_below: u64,
    suppression_round_to: u64,
    idle_minutes: i64,
    absolute_hours: i64,
    grace_hours: i64,
    lockout_attempts: i64,
    lockout_minutes: i64,
}

/// The standards and thresholds in force, with their sources.
#[utoipa::path(get, path = "/staff/standards", tag = "pages",
    responses((status = 200, description = "Standards and thresholds in force", content_type = "text/html")))]
pub async fn standards(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let config = state.store.standards();
    let mut groups: Vec<StandardGroup> = config
        .by_team_type
        .iter()
        .map(|(team, list)| StandardGroup {
            team_type: TeamType::parse(team)
                .map(|t| t.label().to_owned())
                .unwrap_or_else(|_| team.clone()),
            rows: rows(list),
        })
        .collect();
    groups.push(StandardGroup {
        team_type: "Any other team type".into(),
        rows: rows(&config.fallback),
    });
    let access = state.store.access();
    let page = StandardsPage {
        layout: Layout::staff("Standards and thresholds", &principal),
        groups,
        transition_notice_months: config.transition_notice_months,
        suppression_enabled: config.suppression.enabled,
        suppression_below: config.suppression.below,
        suppression_round_to: config.suppression.round_to,
        idle_minutes: access.sessions.idle.as_mins(),
        absolute_hours: access.sessions.absolute.as_hours(),
        grace_hours: access.grace.as_hours(),
        lockout_attempts: nwd_store::auth::MAX_FAILED_ATTEMPTS,
        lockout_minutes: nwd_store::auth::LOCKOUT.as_mins(),
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
