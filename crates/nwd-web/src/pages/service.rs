//! Service pages for service teams: the services whose lists the caller may see, and one
//! service's waiting list (days waited, the standard, breach dates, breaches highlighted) and
//! caseload, each entry with a link to record a contact. Scoped by the legitimate-relationship
//! rules: the guard's `Scope::Service` lets a service team open its own service only (any
//! other id answers 404) and the single point of access every service.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use nwd_domain::authz::Permission;
use nwd_domain::codes::TeamType;
use nwd_domain::need::NeedGroup;
use nwd_domain::ServiceId;
use nwd_store::ServiceFilter;
use serde::Deserialize;

use super::layout::{render, Layout, PageError, PageResult, Sensitivity};
use super::pagination::{self, PAGE_SIZE};
use super::triage::{reference_of, shown, waited};
use crate::extract::{parse_id, Caller};
use crate::AppState;

/// A service in the index.
#[derive(Debug, Clone)]
pub struct ServiceLink {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Team type.
    pub team_type: &'static str,
}

#[derive(Template)]
#[template(path = "staff_services.html")]
struct ServicesPage {
    layout: Layout,
    services: Vec<ServiceLink>,
}

/// The services whose lists the caller may see.
#[utoipa::path(get, path = "/staff/services", tag = "pages",
    responses((status = 200, description = "Services whose lists you can see", content_type = "text/html")))]
pub async fn services(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let visible = state
        .store
        .visibility(&principal, Permission::ReadServiceLists);
    let all = state
        .store
        .search_services(&ServiceFilter::default())
        .await
        .map_err(PageError::staff)?;
    let mut services: Vec<ServiceLink> = all
        .into_iter()
        .map(|(s, _)| s)
        .filter(|s| s.details.team_type != TeamType::SinglePointOfAccess)
        .filter(|s| {
            visible.single_point_of_access || visible.service_ids.contains(&s.id.to_string())
        })
        .map(|s| ServiceLink {
            id: s.id.to_string(),
            name: s.details.name,
            team_type: s.details.team_type.label(),
        })
        .collect();
    services.sort_by(|a, b| a.name.cmp(&b.name));
    let page = ServicesPage {
        layout: Layout::staff("Services", &principal),
        services,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

/// Someone waiting.
#[derive(Debug, Clone)]
pub struct WaitingRow {
    /// Referral id.
    pub referral_id: String,
    /// Allocation id.
    pub allocation_id: String,
    /// Reference.
    pub reference: String,
    /// Priority label.
    pub priority: &'static str,
    /// Clock start, as shown.
    pub since: String,
    /// Days waited.
    pub days: i32,
    /// The standard that applies.
    pub standard: String,
    /// Breach date, as shown.
    pub breach: String,
    /// Past the standard.
    pub breached: bool,
}

/// Someone on the caseload.
#[derive(Debug, Clone)]
pub struct CaseRow {
    /// Referral id.
    pub referral_id: String,
    /// Allocation id.
    pub allocation_id: String,
    /// Reference.
    pub reference: String,
    /// Priority label.
    pub priority: &'static str,
    /// Need group at allocation.
    pub need_group: String,
    /// Allocated, as shown.
    pub allocated: String,
    /// Waiting, or seen since.
    pub seen: String,
}

#[derive(Template)]
#[template(path = "staff_service.html")]
struct ServicePage {
    layout: Layout,
    name: String,
    total: u64,
    breached: u64,
    waiting: Vec<WaitingRow>,
    waiting_shown: String,
    waiting_pages: String,
    caseload_total: u64,
    caseload: Vec<CaseRow>,
    caseload_shown: String,
    caseload_pages: String,
}

/// Which page of each list.
#[derive(Debug, Default, Deserialize)]
pub struct ServiceQuery {
    /// Page of the waiting list, from 1.
    pub page: Option<String>,
    /// Page of the caseload, from 1.
    pub caseload_page: Option<String>,
}

/// "Showing 51 to 100 of 873." when a list has more than one page.
fn shown_range(page: u32, rows: usize, total: u64) -> String {
    if total <= u64::from(PAGE_SIZE) {
        return String::new();
    }
    let first = u64::from(pagination::offset(page)) + 1;
    format!("Showing {first} to {} of {total}.", first + rows as u64 - 1)
}

/// A service's waiting list and caseload, each in pages of [`PAGE_SIZE`].
#[utoipa::path(get, path = "/staff/services/{id}", tag = "pages",
    params(("id" = String, Path), ("page" = Option<u32>, Query, description = "Page of the waiting list, from 1"), ("caseload_page" = Option<u32>, Query, description = "Page of the caseload, from 1")),
    responses((status = 200, description = "The service's waiting list and caseload", content_type = "text/html"), (status = 404, description = "Not found")))]
pub async fn service(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    Query(query): Query<ServiceQuery>,
) -> PageResult {
    let id = parse_id::<ServiceId>(&id, "service").map_err(PageError::staff)?;
    let asked_waiting =
        pagination::requested(query.page.as_deref(), "page").map_err(PageError::staff)?;
    let asked_caseload = pagination::requested(query.caseload_page.as_deref(), "caseload_page")
        .map_err(PageError::staff)?;
    let (service, _) = state.store.service(id).await.map_err(PageError::staff)?;
    let mut list = state
        .store
        .waiting_list(id, PAGE_SIZE, pagination::offset(asked_waiting))
        .await
        .map_err(PageError::staff)?;
    let waiting_page = pagination::clamp(asked_waiting, list.total);
    if waiting_page != asked_waiting {
        list = state
            .store
            .waiting_list(id, PAGE_SIZE, pagination::offset(waiting_page))
            .await
            .map_err(PageError::staff)?;
    }
    let mut caseload = state
        .store
        .caseload(id, PAGE_SIZE, pagination::offset(asked_caseload))
        .await
        .map_err(PageError::staff)?;
    let caseload_page = pagination::clamp(asked_caseload, caseload.total);
    if caseload_page != asked_caseload {
        caseload = state
            .store
            .caseload(id, PAGE_SIZE, pagination::offset(caseload_page))
            .await
            .map_err(PageError::staff)?;
    }
    let now = state.store.now();
    let waiting: Vec<WaitingRow> = list
        .entries
        .iter()
        .map(|e| WaitingRow {
            referral_id: e.referral_id.to_string(),
            allocation_id: e.allocation_id.to_string(),
            reference: reference_of(e.referral_id),
            priority: e.priority.label(),
            since: shown(e.clock_start, &state),
            days: e.days_waited,
            standard: e.standard.clone().unwrap_or_else(|| "None set".into()),
            breach: e.breach_at.map(|b| shown(b, &state)).unwrap_or_default(),
            breached: e.breached,
        })
        .collect();
    let cases: Vec<CaseRow> = caseload
        .entries
        .iter()
        .map(|c| CaseRow {
            referral_id: c.referral_id.to_string(),
            allocation_id: c.allocation_id.to_string(),
            reference: reference_of(c.referral_id),
            priority: c.priority.label(),
            need_group: NeedGroup::parse(&c.need_group)
                .map(|g| g.label().to_owned())
                .unwrap_or_else(|_| c.need_group.clone()),
            allocated: shown(c.allocated_at, &state),
            seen: match c.first_attended_at {
                Some(seen) => format!("Seen since {}", shown(seen, &state)),
                None => format!("Waiting {}", waited(c.allocated_at, now)),
            },
        })
        .collect();
    // Each list's links keep the other list's page.
    let base = format!("/staff/services/{id}");
    let page = ServicePage {
        layout: Layout::staff(&service.details.name, &principal),
        name: service.details.name.clone(),
        total: list.total,
        breached: list.breached,
        waiting_shown: shown_range(waiting_page, waiting.len(), list.total),
        waiting_pages: pagination::nav("Waiting list pages", list.total, waiting_page, |n| {
            format!("{base}?page={n}&caseload_page={caseload_page}#waiting-list")
        }),
        waiting,
        caseload_total: caseload.total,
        caseload_shown: shown_range(caseload_page, cases.len(), caseload.total),
        caseload_pages: pagination::nav("Caseload pages", caseload.total, caseload_page, |n| {
            format!("{base}?page={waiting_page}&caseload_page={n}#caseload")
        }),
        caseload: cases,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
