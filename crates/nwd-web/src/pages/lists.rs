//! Cross-service lists: the transition list (young people approaching their service's upper
//! age, from the configured notice period) and the crisis list (emergency and very urgent
//! referrals not yet closed, with the time since referral in hours). Both show only what the
//! caller may open: the single point of access sees every service, a service team its own;
//! both in pages of [`PAGE_SIZE`] with the whole list's total.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use nwd_domain::authz::Permission;
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::ReferralStatus;
use serde::Deserialize;

use super::layout::{render, Layout, PageError, PageResult, Sensitivity};
use super::pagination::{self, PAGE_SIZE};
use super::triage::{reference_of, shown};
use crate::extract::Caller;
use crate::AppState;

/// Someone approaching their service's upper age.
#[derive(Debug, Clone)]
pub struct TransitionRow {
    /// Referral id.
    pub referral_id: String,
    /// Allocation id.
    pub allocation_id: String,
    /// Reference.
    pub reference: String,
    /// Service name.
    pub service: String,
    /// Current need group.
    pub need_group: String,
    /// The day they leave the service's age range.
    pub leaves_on: String,
    /// Days from today.
    pub days_left: i32,
}

#[derive(Template)]
#[template(path = "transition_list.html")]
struct TransitionPage {
    layout: Layout,
    total: u64,
    first_shown: u64,
    last_shown: u64,
    paged: bool,
    rows: Vec<TransitionRow>,
    pagination: String,
}

/// The transition list, soonest first, in pages of [`PAGE_SIZE`]. The list is computed
/// whole (and kept under the data version, `Store::transition_list`), so the total counts
/// every row the caller may see and a page is a slice of it.
#[utoipa::path(get, path = "/staff/transitions", tag = "pages",
    params(("page" = Option<u32>, Query, description = "Page number, from 1")),
    responses((status = 200, description = "Young people approaching their service's upper age", content_type = "text/html")))]
pub async fn transitions(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let asked = pagination::requested(query.page.as_deref(), "page").map_err(PageError::staff)?;
    let visible = state
        .store
        .visibility(&principal, Permission::ReadServiceLists);
    let today = state.store.now().to_zoned(state.store.tz().clone()).date();
    let list: Vec<_> = state
        .store
        .transition_list()
        .await
        .map_err(PageError::staff)?
        .into_iter()
        .filter(|e| {
            visible.single_point_of_access
                || visible.service_ids.contains(&e.service_id.to_string())
        })
        .collect();
    let total = list.len() as u64;
    let page = pagination::clamp(asked, total);
    if let Some(audit) = nwd_store::audit::current() {
        audit.set_detail(format!("transition list page {page}"));
    }
    let rows: Vec<TransitionRow> = list
        .into_iter()
        .skip(pagination::offset(page) as usize)
        .take(PAGE_SIZE as usize)
        .map(|e| TransitionRow {
            referral_id: e.referral_id.to_string(),
            allocation_id: e.allocation_id.to_string(),
            reference: reference_of(e.referral_id),
            service: e.service_name.clone(),
            need_group: e
                .need_group
                .as_deref()
                .and_then(|g| NeedGroup::parse(g).ok())
                .map(|g| g.label().to_owned())
                .unwrap_or_else(|| "Not recorded".into()),
            leaves_on: e.due.leaves_service_on.strftime("%-d %b %Y").to_string(),
            days_left: today
                .until(e.due.leaves_service_on)
                .map(|span| span.get_days())
                .unwrap_or(0),
        })
        .collect();
    let first_shown = u64::from(pagination::offset(page)) + 1;
    let page = TransitionPage {
        layout: Layout::staff("Transition list", &principal),
        total,
        first_shown,
        last_shown: first_shown + rows.len() as u64 - 1,
        paged: total > u64::from(PAGE_SIZE),
        pagination: pagination::nav("Transition list pages", total, page, |n| {
            format!("/staff/transitions?page={n}")
        }),
        rows,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

/// A referral on the crisis list.
#[derive(Debug, Clone)]
pub struct CrisisRow {
    /// Referral id.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Priority label.
    pub priority: &'static str,
    /// Awaiting triage or open.
    pub status: &'static str,
    /// Source label.
    pub source: &'static str,
    /// Primary reason label.
    pub reason: &'static str,
    /// Need group, when agreed.
    pub need_group: String,
    /// Received, as shown.
    pub received: String,
    /// Whole hours since the referral was received.
    pub hours: i64,
}

#[derive(Template)]
#[template(path = "crisis_list.html")]
struct CrisisPage {
    layout: Layout,
    total: u64,
    first_shown: u64,
    last_shown: u64,
    paged: bool,
    rows: Vec<CrisisRow>,
    pagination: String,
}

/// The list's query: which page.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// Page number, from 1.
    pub page: Option<String>,
}

/// The crisis list: emergency and very urgent referrals not closed, longest waiting first,
/// in pages of [`PAGE_SIZE`].
#[utoipa::path(get, path = "/staff/crisis", tag = "pages",
    params(("page" = Option<u32>, Query, description = "Page number, from 1")),
    responses((status = 200, description = "Emergency and very urgent referrals", content_type = "text/html")))]
pub async fn crisis(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let asked = pagination::requested(query.page.as_deref(), "page").map_err(PageError::staff)?;
    let visible = state.store.visibility(&principal, Permission::ReadClinical);
    let mut list = state
        .store
        .crisis_list(&visible, PAGE_SIZE, pagination::offset(asked))
        .await
        .map_err(PageError::staff)?;
    let page = pagination::clamp(asked, list.total);
    if page != asked {
        list = state
            .store
            .crisis_list(&visible, PAGE_SIZE, pagination::offset(page))
            .await
            .map_err(PageError::staff)?;
    }
    if let Some(audit) = nwd_store::audit::current() {
        audit.set_detail(format!("crisis list page {page}"));
    }
    let now = state.store.now();
    let rows = list
        .items
        .iter()
        .map(|r| CrisisRow {
            id: r.id.to_string(),
            reference: reference_of(r.id),
            priority: r.priority.label(),
            status: match r.status {
                ReferralStatus::AwaitingTriage => "Awaiting triage",
                ReferralStatus::Open => "Open",
                ReferralStatus::Closed => "Closed",
            },
            source: r.source.label(),
            reason: r.primary_reason.label(),
            need_group: r
                .need_group
                .map(|g| g.label().to_owned())
                .unwrap_or_else(|| "Not yet agreed".into()),
            received: shown(r.received_at, &state),
            hours: (now.as_second() - r.received_at.as_second()).max(0) / 3600,
        })
        .collect::<Vec<_>>();
    let first_shown = u64::from(pagination::offset(page)) + 1;
    let page = CrisisPage {
        layout: Layout::staff("Crisis list", &principal),
        total: list.total,
        first_shown,
        last_shown: first_shown + rows.len() as u64 - 1,
        paged: list.total > u64::from(PAGE_SIZE),
        pagination: pagination::nav("Crisis list pages", list.total, page, |n| {
            format!("/staff/crisis?page={n}")
        }),
        rows,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
