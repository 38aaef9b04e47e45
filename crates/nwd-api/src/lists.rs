//! Lists and measures: a service's waiting list, the transition list, the CYP access measures.

use axum::extract::{Path, State};
use axum::Json;
use jiff::civil::Date;
use nwd_domain::access::AccessMeasures;
use nwd_domain::published::{exact_figures_for, PublishedAccessMeasures, PublishedServiceWaits};
use nwd_domain::waits::ServiceWaits;
use nwd_domain::ServiceId;
use nwd_store::auth::Principal;
use nwd_store::{TransitionListEntry, WaitingList};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa_axum::routes;

use nwd_domain::authz::{Permission::*, Policy::*, Scope};
use nwd_http::extract::{parse_id, Actor, Caller, QueryParams};
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::SecureRouter;
use nwd_http::AppState;

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(
            Requires(ReadServiceLists, Scope::Service("id")),
            "waiting_list",
            routes!(waiting_list),
        )
        .route(
            Requires(ReadAggregates, Scope::None),
            "service_waits",
            routes!(service_waits),
        )
        .route(
            Requires(ReadServiceLists, Scope::None),
            "transition_list",
            routes!(transition_list),
        )
        .route(
            Requires(ReadAggregates, Scope::None),
            "access_measures",
            routes!(access_measures),
        )
}

/// Paging.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1–1000 (default 100).
    pub limit: Option<u32>,
    /// Entries to skip (default 0).
    pub offset: Option<u32>,
}

/// A service's waiting list: open allocations without a first attended contact, by
/// priority then clock start (referral received), with days waited and breach dates.
#[utoipa::path(get, path = "/api/services/{id}/waiting-list", tag = "lists", params(("id" = String, Path), PageParams),
    responses((status = 200, body = WaitingList), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn waiting_list(
    State(state): State<AppState>,
    _actor: Actor,
    Path(id): Path<String>,
    QueryParams(page): QueryParams<PageParams>,
) -> ApiResult<Json<WaitingList>> {
    let limit = page.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            "choose a page size from 1 to 1000",
        ));
    }
    let id = parse_id::<ServiceId>(&id, "service")?;
    Ok(Json(
        state
            .store
            .waiting_list(id, limit, page.offset.unwrap_or(0))
            .await?,
    ))
}

/// Young people approaching their service's upper age (from the configured notice period).
#[utoipa::path(get, path = "/api/transitions", tag = "lists", responses((status = 200, body = Vec<TransitionListEntry>)))]
async fn transition_list(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> ApiResult<Json<Vec<TransitionListEntry>>> {
    // The single point of access sees every service's list; a service team its own.
    let visible = state
        .store
        .visibility(&principal, nwd_domain::authz::Permission::ReadServiceLists);
    let list = state.store.transition_list().await?;
    Ok(Json(
        list.into_iter()
            .filter(|entry| {
                visible.single_point_of_access
                    || visible
                        .service_ids
                        .iter()
                        .any(|s| *s == entry.service_id.to_string())
            })
            .collect(),
    ))
}

/// Period parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// Last day of the rolling 12 months, YYYY-MM-DD (default: today).
    pub period_end: Option<String>,
}

/// A service's waits: exact, or published (small numbers suppressed, the rest rounded:
/// `nwd_domain::published`) for a caller who may not open every record counted.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ServiceWaitsFigures {
    /// For a caller who may open every record counted.
    Exact(ServiceWaits),
    /// For everyone else (a commissioner): `suppressed` is true.
    Published(PublishedServiceWaits),
}

/// The access measures: exact, or published for a caller who may not open every record
/// counted.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum AccessFigures {
    /// For a caller who may open every record counted.
    Exact(AccessMeasures),
    /// For everyone else (a commissioner): `suppressed` is true.
    Published(PublishedAccessMeasures),
}

/// Whether `principal` may have exact figures about `service` (`None`: the whole area): only
/// when they may already open every record counted (`nwd_domain::published::exact_figures_for`).
fn exact_figures(state: &AppState, principal: &Principal, service: Option<ServiceId>) -> bool {
    let visible = state
        .store
        .visibility(principal, nwd_domain::authz::Permission::ReadServiceLists);
    exact_figures_for(
        visible.single_point_of_access
            || service.is_some_and(|id| visible.service_ids.contains(&id.to_string())),
    )
}

/// The CYP access measures MHS95 (one contact) and MHS69 (two contacts) for 12 months: exact
/// for the single point of access, published (suppressed and rounded) for everyone else.
#[utoipa::path(get, path = "/api/measures/access", tag = "lists", params(PeriodParams),
    responses((status = 200, body = AccessFigures), (status = 422, body = Problem)))]
async fn access_measures(
    State(state): State<AppState>,
    Caller(principal): Caller,
    QueryParams(params): QueryParams<PeriodParams>,
) -> ApiResult<Json<AccessFigures>> {
    let period_end = match params.period_end {
        Some(text) => text
            .parse::<Date>()
            .map_err(|_| ApiError::field("period_end", "use a date as YYYY-MM-DD"))?,
        None => state.store.now().to_zoned(state.store.tz().clone()).date(),
    };
    let exact = state.store.access_measures(period_end).await?;
    Ok(Json(if exact_figures(&state, &principal, None) {
        AccessFigures::Exact(exact)
    } else {
        AccessFigures::Published(PublishedAccessMeasures::from(
            &state.store.standards().suppression,
            &exact,
        ))
    }))
}

/// A period.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeParams {
    /// Start (RFC 3339, inclusive); default 12 months before `to`.
    pub from: Option<String>,
    /// End (RFC 3339, exclusive); default now.
    pub to: Option<String>,
}

/// A service's waits for allocations made in a period, including the hidden waits
/// (referral → triage, → first contact, → second contact) and the share seen within standard:
/// exact for the single point of access and the service's own teams, published (suppressed
/// and rounded, whatever the period) for everyone else.
#[utoipa::path(get, path = "/api/services/{id}/waits", tag = "lists", params(("id" = String, Path), RangeParams),
    responses((status = 200, body = ServiceWaitsFigures), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn service_waits(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    QueryParams(params): QueryParams<RangeParams>,
) -> ApiResult<Json<ServiceWaitsFigures>> {
    let mut errors = nwd_domain::ValidationErrors::new();
    let to = match params.to {
        Some(t) => errors.check(
            "to",
            t.parse::<jiff::Timestamp>()
                .map_err(|_| "use an RFC 3339 date-time, e.g. 2026-04-01T00:00:00Z"),
        ),
        None => Some(state.store.now()),
    };
    let from = match params.from {
        Some(f) => errors.check(
            "from",
            f.parse::<jiff::Timestamp>()
                .map_err(|_| "use an RFC 3339 date-time, e.g. 2025-04-01T00:00:00Z"),
        ),
        None => to.and_then(|t| {
            t.checked_sub(jiff::SignedDuration::from_hours(24 * 365))
                .ok()
        }),
    };
    errors.into_result()?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(ApiError::field("from", "give a valid period"));
    };
    if from >= to {
        return Err(ApiError::field("from", "the start must be before the end"));
    }
    let id = parse_id::<ServiceId>(&id, "service")?;
    let exact = state.store.service_waits(id, from, to).await?;
    Ok(Json(if exact_figures(&state, &principal, Some(id)) {
        ServiceWaitsFigures::Exact(exact)
    } else {
        ServiceWaitsFigures::Published(PublishedServiceWaits::from(
            &state.store.standards().suppression,
            &exact,
        ))
    }))
}
