//! Cross-service lists: the transition list (young people approaching their service's upper
//! age, from the configured notice period) and the crisis list (emergency and very urgent
//! referrals — clinical or asked for — and high or immediate risk, not yet closed: untriaged
//! first, then by time to breach, with filters; times in hours under two days, days after). Both show only what the
//! caller may open: the single point of access sees every service, a service team its own;
//! both in pages of [`PAGE_SIZE`] with the whole list's total.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use nwd_domain::authz::Permission;
use nwd_domain::codes::{Priority, ReferralSource};
use nwd_domain::need::{NeedGroup, RiskLevel};
use nwd_domain::referral::ReferralStatus;
use nwd_store::CrisisFilter;
use serde::Deserialize;

use crate::layout::{render, Layout, PageError, PageResult, Sensitivity};
use crate::pagination::{self, PAGE_SIZE};
use crate::staff::triage::{reference_of, shown, waited, Choice};
use crate::staff::urgency::{left, UrgencyTags};
use nwd_http::extract::Caller;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

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
    /// The current plan ("1 Jun 2030: Delta Hub"), if one was made.
    pub plan: Option<String>,
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
    trail: RequestAudit,
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
    trail.set_detail(format!("transition list page {page}"));
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
            plan: e.planned_on.map(|on| {
                format!(
                    "{}: {}",
                    on.strftime("%-d %b %Y"),
                    e.planned_to.as_deref().unwrap_or_default()
                )
            }),
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
    /// Priority and risk tags.
    pub tags: UrgencyTags,
    /// Awaiting triage or open.
    pub status: &'static str,
    /// Source label.
    pub source: &'static str,
    /// Primary reason label.
    pub reason: &'static str,
    /// Received, as shown.
    pub received: String,
    /// Waited since received: hours under two days, days after.
    pub waited: String,
    /// What the breach is of: "Triage" or "First contact".
    pub breach_of: &'static str,
    /// The breach time, as shown ("" when none applies).
    pub breach_at: String,
    /// Time left to the breach, or how long past it.
    pub left: String,
    /// Past the breach.
    pub breached: bool,
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
    priorities: Vec<Choice>,
    risks: Vec<Choice>,
    triaged: Vec<Choice>,
    sources: Vec<Choice>,
    filtered: bool,
}

/// The list's query: which page.
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// Page number, from 1.
    pub page: Option<String>,
}

/// The crisis list's query: page and filters.
#[derive(Debug, Default, Deserialize)]
pub struct CrisisQuery {
    /// Page number, from 1.
    pub page: Option<String>,
    /// Clinical or requested priority (API name).
    pub priority: Option<String>,
    /// Risk level (API name).
    pub risk: Option<String>,
    /// `no`: awaiting triage; `yes`: triaged.
    pub triaged: Option<String>,
    /// Source of referral (API name).
    pub source: Option<String>,
}

fn chosen<T>(value: Option<&str>, parse: impl Fn(&str) -> Result<T, String>) -> Option<T> {
    value.filter(|v| !v.is_empty()).and_then(|v| parse(v).ok())
}

/// The crisis list: referrals not closed that are emergency or very urgent (clinical, or
/// asked for and awaiting triage's confirmation) or at high or immediate risk — untriaged
/// first, then by time to breach — with filters, in pages of [`PAGE_SIZE`].
#[utoipa::path(get, path = "/staff/crisis", tag = "pages",
    params(("page" = Option<u32>, Query, description = "Page number, from 1"),
        ("priority" = Option<String>, Query), ("risk" = Option<String>, Query),
        ("triaged" = Option<String>, Query, description = "yes or no"), ("source" = Option<String>, Query)),
    responses((status = 200, description = "Emergency, very urgent and high-risk referrals", content_type = "text/html")))]
pub async fn crisis(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Query(query): Query<CrisisQuery>,
) -> PageResult {
    let asked = pagination::requested(query.page.as_deref(), "page").map_err(PageError::staff)?;
    let filter = CrisisFilter {
        priority: chosen(query.priority.as_deref(), Priority::parse),
        risk: chosen(query.risk.as_deref(), RiskLevel::parse),
        triaged: match query.triaged.as_deref() {
            Some("yes") => Some(true),
            Some("no") => Some(false),
            _ => None,
        },
        source: chosen(query.source.as_deref(), ReferralSource::parse),
    };
    let visible = state.store.visibility(&principal, Permission::ReadClinical);
    let mut list = state
        .store
        .crisis_list(&visible, &filter, PAGE_SIZE, pagination::offset(asked))
        .await
        .map_err(PageError::staff)?;
    let page = pagination::clamp(asked, list.total);
    if page != asked {
        list = state
            .store
            .crisis_list(&visible, &filter, PAGE_SIZE, pagination::offset(page))
            .await
            .map_err(PageError::staff)?;
    }
    trail.set_detail(format!(
        "crisis list page {page}; filters: priority={}, risk={}, triaged={}, source={}",
        filter.priority.is_some(),
        filter.risk.is_some(),
        filter.triaged.is_some(),
        filter.source.is_some()
    ));
    let now = state.store.now();
    let rows = list
        .items
        .iter()
        .map(|entry| {
            let r = &entry.summary;
            let triaged = r.status != ReferralStatus::AwaitingTriage;
            CrisisRow {
                id: r.id.to_string(),
                reference: reference_of(r.id),
                tags: UrgencyTags::of_summary(r),
                status: match r.status {
                    ReferralStatus::AwaitingTriage => "Awaiting triage",
                    ReferralStatus::Open => "Open",
                    ReferralStatus::Closed => "Closed",
                },
                source: r.source.label(),
                reason: r.primary_reason.map_or("Not yet coded", |r| r.label()),
                received: shown(r.received_at, &state),
                waited: waited(r.received_at, now),
                breach_of: if triaged { "First contact" } else { "Triage" },
                breach_at: entry
                    .breach_at
                    .map(|b| shown(b, &state))
                    .unwrap_or_default(),
                left: entry.breach_at.map(|b| left(b, now)).unwrap_or_default(),
                breached: entry.breach_at.is_some_and(|b| b <= now),
            }
        })
        .collect::<Vec<_>>();
    let first_shown = u64::from(pagination::offset(page)) + 1;
    let filter_query = |n: u32| {
        let mut q = format!("/staff/crisis?page={n}");
        for (name, value) in [
            ("priority", filter.priority.map(|p| p.as_str())),
            ("risk", filter.risk.map(|r| r.as_str())),
            (
                "triaged",
                filter.triaged.map(|t| if t { "yes" } else { "no" }),
            ),
            ("source", filter.source.map(|s| s.as_str())),
        ] {
            if let Some(value) = value {
                q.push_str(&format!("&{name}={value}"));
            }
        }
        q
    };
    let pick = |values: Vec<(&'static str, String)>, picked: Option<&str>| -> Vec<Choice> {
        values
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.to_owned(),
                label,
                selected: Some(value) == picked,
            })
            .collect()
    };
    let page = CrisisPage {
        layout: Layout::staff("Crisis list", &principal),
        total: list.total,
        first_shown,
        last_shown: first_shown + rows.len() as u64 - 1,
        paged: list.total > u64::from(PAGE_SIZE),
        pagination: pagination::nav("Crisis list pages", list.total, page, filter_query),
        rows,
        priorities: pick(
            [
                Priority::Emergency,
                Priority::VeryUrgent,
                Priority::Urgent,
                Priority::Routine,
            ]
            .iter()
            .map(|p| (p.as_str(), p.label().to_owned()))
            .collect(),
            filter.priority.map(|p| p.as_str()),
        ),
        risks: pick(
            RiskLevel::ALL
                .iter()
                .rev()
                .map(|r| (r.as_str(), r.label().to_owned()))
                .collect(),
            filter.risk.map(|r| r.as_str()),
        ),
        triaged: pick(
            vec![
                ("no", "Awaiting triage".to_owned()),
                ("yes", "Triaged".to_owned()),
            ],
            filter.triaged.map(|t| if t { "yes" } else { "no" }),
        ),
        sources: pick(
            ReferralSource::ALL
                .iter()
                .map(|s| (s.as_str(), s.label().to_owned()))
                .collect(),
            filter.source.map(|s| s.as_str()),
        ),
        filtered: filter.priority.is_some()
            || filter.risk.is_some()
            || filter.triaged.is_some()
            || filter.source.is_some(),
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
