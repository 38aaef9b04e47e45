//! Need and equality for other systems (issue 20), the same use cases as the commissioner's
//! need page (`nwd_usecase::need`): `GET /api/commissioning/need?from=2025-04&months=12`
//! (expected need, referral and access rates by district and age band, uptake by group,
//! completeness — every count published as on the page: exact counts never leave the server)
//! and `PUT /api/commissioning/population` (the population CSV, replacing the whole table:
//! 422 naming the row and column of the first fault, nothing written).

use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use nwd_domain::authz::Permission::{ManageCommissioning, ReadAggregates};
use nwd_domain::authz::Policy::Requires;
use nwd_domain::authz::Scope;
use nwd_http::extract::{Caller, QueryParams};
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::{RequestAudit, SecureRouter};
use nwd_http::AppState;
use nwd_usecase::need::{self, Period};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(
            Requires(ReadAggregates, Scope::None),
            "commissioning",
            routes!(report),
        )
        .route(
            Requires(ManageCommissioning, Scope::None),
            "commissioning",
            routes!(load),
        )
}

/// Which months.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NeedQuery {
    /// First month, `YYYY-MM` (default: eleven months before this one).
    pub from: Option<String>,
    /// Months, 1 to 36 (default 12).
    pub months: Option<u32>,
}

/// The population load in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoadView {
    /// Its number.
    pub load_id: i64,
    /// When (RFC 3339).
    pub loaded_at: String,
    /// Who.
    pub loaded_by: String,
    /// From what.
    pub source: String,
    /// Rows.
    pub rows: i64,
    /// People (0–25).
    pub people: i64,
}

/// The need report.
#[derive(Debug, Serialize, ToSchema)]
pub struct NeedView {
    /// First day counted.
    pub from: String,
    /// First day after the period.
    pub to: String,
    /// The load in force (`null`: no population loaded, and no report).
    pub population: Option<LoadView>,
    /// The prevalence rates used, each with its source.
    #[schema(value_type = Object)]
    pub prevalence: serde_json::Value,
    /// The report: `areas`, `bands`, `equality`, `completeness`, and the protected tables
    /// `referrals_by_area_band` and `seen_by_area_band` (a count is `{"count": n}`,
    /// `"suppressed"` below the threshold, or `"withheld"` so that a suppressed count cannot
    /// be worked out). Definitions: `/commissioning/need#definitions`.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
}

/// A population load.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoadedView {
    /// The load's number.
    pub load_id: i64,
    /// Rows.
    pub rows: usize,
    /// Districts.
    pub areas: usize,
    /// People.
    pub people: u64,
}

/// Where the load came from.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LoadQuery {
    /// A name for the source (a file name), kept with the load.
    pub source: Option<String>,
}

/// Reads `YYYY-MM` as the first of that month.
pub fn parse_month(text: &str) -> Result<jiff::civil::Date, ApiError> {
    format!("{}-01", text.trim())
        .parse::<jiff::civil::Date>()
        .map_err(|_| ApiError::field("from", "use a month as YYYY-MM, such as 2025-04"))
}

/// Need and equality for a period.
#[utoipa::path(get, path = "/api/commissioning/need", tag = "commissioning",
    params(NeedQuery),
    responses((status = 200, body = NeedView), (status = 422, body = Problem)))]
async fn report(
    State(state): State<AppState>,
    Caller(_principal): Caller,
    QueryParams(query): QueryParams<NeedQuery>,
) -> ApiResult<Json<NeedView>> {
    let today = state.store.now().to_zoned(state.store.tz().clone()).date();
    let mut period = Period::last_twelve_months(today);
    if let Some(from) = &query.from {
        period.from = parse_month(from)?;
    }
    if let Some(months) = query.months {
        period.months = months;
    }
    let page = need::report(&state.store, period).await?;
    Ok(Json(NeedView {
        from: page.period.from.to_string(),
        to: page.period.end().to_string(),
        population: page.load.map(|l| LoadView {
            load_id: l.load_id,
            loaded_at: l.loaded_at.to_string(),
            loaded_by: l.loaded_by,
            source: l.source,
            rows: l.rows,
            people: l.people,
        }),
        prevalence: to_json(&page.prevalence)?,
        report: match &page.report {
            Some(r) => to_json(r)?,
            None => serde_json::Value::Null,
        },
    }))
}

/// Replaces the whole population table with the CSV in the body
/// (`area,age_band,sex,ethnicity,deprivation_decile,people`), with the shipped prevalence
/// rates. A fault names its row and column, and nothing is written.
#[utoipa::path(put, path = "/api/commissioning/population", tag = "commissioning",
    params(LoadQuery),
    request_body(content = String, content_type = "text/csv", description = "The population table"),
    responses((status = 200, body = LoadedView), (status = 422, body = Problem)))]
async fn load(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    QueryParams(query): QueryParams<LoadQuery>,
    body: Bytes,
) -> ApiResult<Json<LoadedView>> {
    let loaded = need::load_population(
        &state.store,
        &trail.signed_in(&principal),
        &body[..],
        None,
        &principal.display_name,
        query.source.as_deref().unwrap_or("API upload"),
    )
    .await?;
    Ok(Json(LoadedView {
        load_id: loaded.load_id,
        rows: loaded.rows,
        areas: loaded.areas,
        people: loaded.people,
    }))
}

/// A figure as JSON.
fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(format!("json: {e}")))
}
