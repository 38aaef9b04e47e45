//! Service pages for service teams: the services whose lists the caller may see, and one
//! service's waiting list (days waited, the standard, breach dates, breaches highlighted) and
//! caseload, each entry with a link to record a contact. Scoped by the legitimate-relationship
//! rules: the guard's `Scope::Service` lets a service team open its own service only (any
//! other id answers 404) and the single point of access every service.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nwd_domain::authz::Permission;
use nwd_domain::codes::TeamType;
use nwd_domain::need::NeedGroup;
use nwd_domain::ServiceId;
use nwd_store::ServiceFilter;

use super::layout::{render, Layout, PageError, PageResult, Sensitivity};
use super::triage::{reference_of, shown, waited};
use crate::extract::{parse_id, Caller};
use crate::AppState;

/// The most waiting-list entries one page shows.
const WAITING_PAGE: u32 = 200;
/// The most caseload entries one page shows.
const CASELOAD_PAGE: u32 = 500;

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
    caseload: Vec<CaseRow>,
    more_waiting: bool,
}

/// A service's waiting list and caseload.
#[utoipa::path(get, path = "/staff/services/{id}", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "The service's waiting list and caseload", content_type = "text/html"), (status = 404, description = "Not found")))]
pub async fn service(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id::<ServiceId>(&id, "service").map_err(PageError::staff)?;
    let (service, _) = state.store.service(id).await.map_err(PageError::staff)?;
    let list = state
        .store
        .waiting_list(id, WAITING_PAGE, 0)
        .await
        .map_err(PageError::staff)?;
    let caseload = state
        .store
        .caseload(id, CASELOAD_PAGE)
        .await
        .map_err(PageError::staff)?;
    let now = state.store.now();
    let waiting = list
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
    let caseload = caseload
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
    let page = ServicePage {
        layout: Layout::staff(&service.details.name, &principal),
        name: service.details.name.clone(),
        total: list.total,
        breached: list.breached,
        more_waiting: list.total > u64::from(WAITING_PAGE),
        waiting,
        caseload,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
