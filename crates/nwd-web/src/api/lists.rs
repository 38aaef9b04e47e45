//! Lists and measures: a service's waiting list, the transition list, the CYP access measures.

use axum::extract::{Path, State};
use axum::Json;
use jiff::civil::Date;
use nwd_domain::access::AccessMeasures;
use nwd_domain::ServiceId;
use nwd_store::{TransitionListEntry, WaitingList};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::extract::{parse_id, Actor, QueryParams};
use crate::problem::{ApiError, ApiResult, Problem};
use crate::AppState;

/// Routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(waiting_list))
        .routes(routes!(transition_list))
        .routes(routes!(access_measures))
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
#[utoipa::path(get, path = "/api/services/{id}/waiting-list", tag = "lists", params(("id" = String, Path), PageParams, ("X-Actor" = String, Header)),
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
#[utoipa::path(get, path = "/api/transitions", tag = "lists", params(("X-Actor" = String, Header)),
    responses((status = 200, body = Vec<TransitionListEntry>)))]
async fn transition_list(
    State(state): State<AppState>,
    _actor: Actor,
) -> ApiResult<Json<Vec<TransitionListEntry>>> {
    Ok(Json(state.store.transition_list().await?))
}

/// Period parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// Last day of the rolling 12 months, YYYY-MM-DD (default: today).
    pub period_end: Option<String>,
}

/// The CYP access measures MHS95 (one contact) and MHS69 (two contacts) for 12 months.
#[utoipa::path(get, path = "/api/measures/access", tag = "lists", params(PeriodParams, ("X-Actor" = String, Header)),
    responses((status = 200, body = AccessMeasures), (status = 422, body = Problem)))]
async fn access_measures(
    State(state): State<AppState>,
    _actor: Actor,
    QueryParams(params): QueryParams<PeriodParams>,
) -> ApiResult<Json<AccessMeasures>> {
    let period_end = match params.period_end {
        Some(text) => text
            .parse::<Date>()
            .map_err(|_| ApiError::field("period_end", "use a date as YYYY-MM-DD"))?,
        None => state.store.now().to_zoned(state.store.tz().clone()).date(),
    };
    Ok(Json(state.store.access_measures(period_end).await?))
}
