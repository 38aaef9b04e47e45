//! Outcome figures for services and commissioners (issue 19): `GET /api/measures/outcomes`,
//! the same figures as the commissioner dashboard's outcome blocks — from the store's
//! dashboard (`nwd_store::dashboard::Outcomes`), by the one definition in
//! `nwd_domain::outcome_figures` — always published: counts suppressed and rounded, shares
//! from the shown counts. Exact counts never leave the server (permission `read_aggregates`).

use axum::extract::State;
use axum::Json;
use jiff::civil::Date;
use jiff::ToSpan;
use nwd_domain::about::UptakeGroup;
use nwd_domain::authz::{Permission::ReadAggregates, Policy::Requires, Scope};
use nwd_domain::outcome_figures::{OutcomeAgeBand, OutcomeCounts, PublishedOutcomes, DEFINITION};
use nwd_domain::referral::outcome::OutcomeRater;
use nwd_domain::ServiceId;
use nwd_http::extract::QueryParams;
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::SecureRouter;
use nwd_http::AppState;
use nwd_store::dashboard::{DashboardQuery, MAX_MONTHS};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new().route(
        Requires(ReadAggregates, Scope::None),
        "outcome_figures",
        routes!(outcome_figures),
    )
}

/// Which months and service.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutcomeParams {
    /// First month, `YYYY-MM`; default 11 months before `to`.
    pub from: Option<String>,
    /// Last month, `YYYY-MM`; default this month. At most 36 months in all.
    pub to: Option<String>,
    /// Only referrals that had an allocation at this service.
    pub service: Option<String>,
    /// The perspective of the improvement figures: `self` (default), `parent` or
    /// `clinician`, as MHS112 reports each.
    pub rater: Option<String>,
}

/// One row of a breakdown.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeRow {
    /// The row's key: a service id, a need group (`getting_help`, …, `not_triaged`) or an
    /// equality group (`ethnicity_white`, `looked_after`, …).
    pub key: String,
    /// The figures, published.
    pub figures: PublishedOutcomes,
}

/// Outcome figures for a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeFigures {
    /// Always true: counts below the threshold are `null`, the rest rounded; shares are
    /// worked out from the shown counts.
    pub suppressed: bool,
    /// What is counted, in words.
    pub definition: &'static str,
    /// First day of the period.
    #[schema(value_type = String, format = Date)]
    pub period_start: Date,
    /// Last day of the period (inclusive).
    #[schema(value_type = String, format = Date)]
    pub period_end: Date,
    /// The service filter, if any.
    #[schema(value_type = Option<String>)]
    pub service_id: Option<ServiceId>,
    /// The perspective of the improvement figures: `self`, `parent` or `clinician`.
    pub rater: OutcomeRater,
    /// Every counted referral.
    pub all: PublishedOutcomes,
    /// By service (a referral counts at each service it was allocated to).
    pub by_service: Vec<OutcomeRow>,
    /// By THRIVE need group at closure.
    pub by_need_group: Vec<OutcomeRow>,
    /// By equality group (the dashboard's uptake groups).
    pub by_group: Vec<OutcomeRow>,
    /// By age when referred: `under_18` (MHS112 counts ages 0–17 only), `18_to_25`,
    /// `not_known`.
    pub by_age: Vec<OutcomeRow>,
}

fn month(field: &str, text: &str) -> Result<Date, ApiError> {
    format!("{text}-01")
        .parse::<Date>()
        .map_err(|_| ApiError::field(field, "use a month as YYYY-MM, e.g. 2025-01"))
}

/// Outcome measures of the referrals closed in the period: of those closed after at least
/// two attended direct contacts, the share with paired scores (as NHS England's CYP outcome
/// metric MHS112 pairs them, from any perspective) and, for one perspective (`rater`), the
/// share paired and of those the shares reliably improved, reliably deteriorated and with
/// meaningful improvement; overall, by service, by need group, by equality group and by age
/// at referral (under 18 as MHS112 counts, 18 to 25). Always
/// published (suppressed and rounded).
#[utoipa::path(get, path = "/api/measures/outcomes", tag = "lists", params(OutcomeParams),
    responses((status = 200, body = OutcomeFigures), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn outcome_figures(
    State(state): State<AppState>,
    QueryParams(params): QueryParams<OutcomeParams>,
) -> ApiResult<Json<OutcomeFigures>> {
    let today = state.store.now().to_zoned(state.store.tz().clone()).date();
    let to = match params.to.as_deref() {
        Some(text) => month("to", text)?,
        None => today.first_of_month(),
    };
    let from = match params.from.as_deref() {
        Some(text) => month("from", text)?,
        None => to.saturating_sub(11.months()),
    };
    let span = (i32::from(to.year()) - i32::from(from.year())) * 12 + i32::from(to.month())
        - i32::from(from.month())
        + 1;
    if span < 1 {
        return Err(ApiError::field(
            "to",
            "the last month must not be before the first",
        ));
    }
    if span > MAX_MONTHS as i32 {
        return Err(ApiError::field(
            "from",
            format!("give at most {MAX_MONTHS} months"),
        ));
    }
    let service_id = match params.service.as_deref().filter(|s| !s.is_empty()) {
        Some(text) => Some(
            text.parse::<ServiceId>()
                .map_err(|_| ApiError::field("service", "give a service id (a UUID)"))?,
        ),
        None => None,
    };
    let dashboard = state
        .store
        .dashboard(&DashboardQuery {
            from,
            months: span as u32,
            service_id,
        })
        .await?;
    let rater = match params.rater.as_deref().filter(|s| !s.is_empty()) {
        Some(text) => {
            OutcomeRater::parse(text).map_err(|message| ApiError::field("rater", message))?
        }
        None => OutcomeRater::YoungPerson,
    };
    let rule = state.store.standards().suppression;
    let publish = |counts: &OutcomeCounts| PublishedOutcomes::from(&rule, counts, rater);
    let o = &dashboard.outcomes;
    Ok(Json(OutcomeFigures {
        suppressed: true,
        definition: DEFINITION,
        period_start: from,
        period_end: to.last_of_month(),
        service_id,
        rater,
        all: publish(&o.all),
        by_service: o
            .by_service
            .iter()
            .map(|(id, counts)| OutcomeRow {
                key: id.to_string(),
                figures: publish(counts),
            })
            .collect(),
        by_need_group: o
            .by_need_group
            .iter()
            .map(|(key, counts)| OutcomeRow {
                key: key.clone(),
                figures: publish(counts),
            })
            .collect(),
        by_group: UptakeGroup::ALL
            .iter()
            .map(|g| OutcomeRow {
                key: g.key().to_owned(),
                figures: publish(&o.by_group.get(g.index()).copied().unwrap_or_default()),
            })
            .collect(),
        by_age: OutcomeAgeBand::ALL
            .iter()
            .map(|band| OutcomeRow {
                key: band.api_name().to_owned(),
                figures: publish(&o.by_age[band.index()]),
            })
            .collect(),
    }))
}
