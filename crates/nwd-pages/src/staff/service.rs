//! Service pages for service teams: the services whose lists the caller may see, and one
//! service's waiting list (who is waiting — name, age, reason — days waited, the standard,
//! breach dates, breaches highlighted) and caseload, each entry with a link to record a
//! contact, both searchable by reference, name, NHS number or date of birth. Scoped by the legitimate-relationship
//! rules: the guard's `Scope::Service` lets a service team open its own service only (any
//! other id answers 404) and the single point of access every service.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use nwd_domain::authz::Permission;
use nwd_domain::codes::TeamType;
use nwd_domain::need::NeedGroup;
use nwd_domain::person::age_in_years;
use nwd_domain::search::SearchTerms;
use nwd_domain::{ReferralId, ServiceId};
use nwd_store::ServiceFilter;
use serde::Deserialize;

use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::pagination::{self, PAGE_SIZE};
use crate::staff::queue::{encode, shown_range};
use crate::staff::triage::{reference_of, shown, waited};
use crate::staff::urgency::priority_class;
use nwd_http::extract::{parse_id, Caller};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

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

/// Who a row is about.
#[derive(Debug, Clone, Default)]
pub struct Who {
    /// Name.
    pub name: String,
    /// Age today, in years.
    pub age: i16,
    /// The referral's primary reason.
    pub reason: &'static str,
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
    /// The young person.
    pub who: Who,
    /// Priority label.
    pub priority: &'static str,
    /// The priority tag's colour class.
    pub priority_class: &'static str,
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
    /// The young person.
    pub who: Who,
    /// Priority label.
    pub priority: &'static str,
    /// The priority tag's colour class.
    pub priority_class: &'static str,
    /// Need group at allocation.
    pub need_group: String,
    /// Allocated, as shown.
    pub allocated: String,
    /// Waiting, or seen since.
    pub seen: String,
    /// The outcome measure due under the service's schedule, in words.
    pub measure: &'static str,
    /// Whether it is overdue (a red tag) or due (a yellow one).
    pub measure_class: &'static str,
}

#[derive(Template)]
#[template(path = "staff_service.html")]
struct ServicePage {
    layout: Layout,
    id: String,
    name: String,
    q: String,
    total: u64,
    breached: u64,
    waiting: Vec<WaitingRow>,
    waiting_shown: String,
    waiting_pages: String,
    caseload_total: u64,
    caseload: Vec<CaseRow>,
    caseload_shown: String,
    caseload_pages: String,
    /// The service uses routine outcome measures (the overdue filter is offered).
    uses_measures: bool,
    /// Only the caseload whose measure is overdue is shown.
    overdue_only: bool,
    /// The link that turns the overdue filter on or off, keeping the search.
    overdue_toggle: String,
}

/// Which page of each list, and who to look for.
#[derive(Debug, Default, Deserialize)]
pub struct ServiceQuery {
    /// Reference, NHS number, date of birth or name, to narrow both lists.
    pub q: Option<String>,
    /// Page of the waiting list, from 1.
    pub page: Option<String>,
    /// Page of the caseload, from 1.
    pub caseload_page: Option<String>,
    /// `overdue`: only the caseload whose outcome measure is overdue.
    pub measures: Option<String>,
}

/// A service's waiting list and caseload, each in pages of [`PAGE_SIZE`].
#[utoipa::path(get, path = "/staff/services/{id}", tag = "pages",
    params(("id" = String, Path), ("q" = Option<String>, Query, description = "Reference, NHS number, date of birth or name"), ("page" = Option<u32>, Query, description = "Page of the waiting list, from 1"), ("caseload_page" = Option<u32>, Query, description = "Page of the caseload, from 1"), ("measures" = Option<String>, Query, description = "`overdue`: only the caseload whose outcome measure is overdue")),
    responses((status = 200, description = "The service's waiting list and caseload", content_type = "text/html"), (status = 404, description = "Not found")))]
pub async fn service(
    trail: RequestAudit,
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
    let now = state.store.now();
    let today = now.to_zoned(state.store.tz().clone()).date();
    let q = query.q.as_deref().unwrap_or("").trim().to_owned();
    let mut errors = Vec::new();
    let terms = SearchTerms::from_text("q", &q, today).unwrap_or_else(|invalid| {
        for e in invalid.0 {
            errors.push(FieldMessage::new(&e.field, e.message));
        }
        SearchTerms::default()
    });
    let mut list = state
        .store
        .waiting_list_matching(id, &terms, PAGE_SIZE, pagination::offset(asked_waiting))
        .await
        .map_err(PageError::staff)?;
    let waiting_page = pagination::clamp(asked_waiting, list.total);
    if waiting_page != asked_waiting {
        list = state
            .store
            .waiting_list_matching(id, &terms, PAGE_SIZE, pagination::offset(waiting_page))
            .await
            .map_err(PageError::staff)?;
    }
    let overdue_only = query.measures.as_deref() == Some("overdue");
    let overdue = service
        .details
        .measurement
        .overdue_when()
        .filter(|_| overdue_only);
    let mut caseload = state
        .store
        .caseload_matching(
            id,
            &terms,
            overdue,
            PAGE_SIZE,
            pagination::offset(asked_caseload),
        )
        .await
        .map_err(PageError::staff)?;
    let caseload_page = pagination::clamp(asked_caseload, caseload.total);
    if caseload_page != asked_caseload {
        caseload = state
            .store
            .caseload_matching(
                id,
                &terms,
                overdue,
                PAGE_SIZE,
                pagination::offset(caseload_page),
            )
            .await
            .map_err(PageError::staff)?;
    }
    let ids: Vec<ReferralId> = list
        .entries
        .iter()
        .map(|e| e.referral_id)
        .chain(caseload.entries.iter().map(|c| c.referral_id))
        .collect();
    let people = state
        .store
        .people_of(&ids)
        .await
        .map_err(PageError::staff)?;
    let who = |referral: ReferralId| {
        people
            .get(&referral)
            .map(|p| Who {
                name: format!("{} {}", p.given_name, p.family_name),
                age: age_in_years(p.date_of_birth, today),
                reason: p.primary_reason.map_or("Not yet coded", |r| r.label()),
            })
            .unwrap_or_default()
    };
    {
        let mut shown: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
        shown.sort_unstable();
        shown.dedup();
        trail.set_detail(format!(
            "service lists; terms: {}; waiting list page {waiting_page}; caseload page {caseload_page}; shown: {}",
            if terms.is_empty() { "none".into() } else { terms.kinds() },
            if shown.is_empty() { "none".into() } else { shown.join(" ") }
        ));
    }
    let waiting: Vec<WaitingRow> = list
        .entries
        .iter()
        .map(|e| WaitingRow {
            referral_id: e.referral_id.to_string(),
            allocation_id: e.allocation_id.to_string(),
            reference: reference_of(e.referral_id),
            who: who(e.referral_id),
            priority: e.priority.label(),
            priority_class: priority_class(e.priority),
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
            who: who(c.referral_id),
            priority: c.priority.label(),
            priority_class: priority_class(c.priority),
            need_group: NeedGroup::parse(&c.need_group)
                .map(|g| g.label().to_owned())
                .unwrap_or_else(|_| c.need_group.clone()),
            allocated: shown(c.allocated_at, &state),
            seen: match c.first_attended_at {
                Some(seen) => format!("Seen since {}", shown(seen, &state)),
                None => format!("Waiting {}", waited(c.allocated_at, now)),
            },
            measure: c.follow_up(&service.details.measurement).label(),
            measure_class: match c.follow_up(&service.details.measurement) {
                nwd_domain::referral::measurement::FollowUp::Overdue(_) => "nhsuk-tag--red",
                nwd_domain::referral::measurement::FollowUp::Due(_) => "nhsuk-tag--yellow",
                _ => "",
            },
        })
        .collect();
    // Each list's links keep the other list's page, the search and the overdue filter.
    let searched = if q.is_empty() {
        format!("/staff/services/{id}?")
    } else {
        format!(
            "/staff/services/{id}?{}&",
            encode([("q", q.as_str())].into_iter())
        )
    };
    let overdue_toggle = if overdue_only {
        format!("{searched}page={waiting_page}#caseload")
    } else {
        format!("{searched}measures=overdue&page={waiting_page}#caseload")
    };
    let base = if overdue_only {
        format!("{searched}measures=overdue&")
    } else {
        searched
    };
    let page = ServicePage {
        layout: Layout::staff(&service.details.name, &principal).with_errors(errors),
        id: id.to_string(),
        name: service.details.name.clone(),
        q,
        total: list.total,
        breached: list.breached,
        waiting_shown: shown_range(waiting_page, waiting.len(), list.total, false),
        waiting_pages: pagination::nav("Waiting list pages", list.total, waiting_page, |n| {
            format!("{base}page={n}&caseload_page={caseload_page}#waiting-list")
        }),
        waiting,
        caseload_total: caseload.total,
        caseload_shown: shown_range(caseload_page, cases.len(), caseload.total, false),
        caseload_pages: pagination::nav("Caseload pages", caseload.total, caseload_page, |n| {
            format!("{base}page={waiting_page}&caseload_page={n}#caseload")
        }),
        caseload: cases,
        uses_measures: service.details.measurement.routine,
        overdue_only: overdue.is_some(),
        overdue_toggle,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
