//! The commissioning record and its statements for other systems (issue 20), the same use
//! cases as the commissioner's pages (`nwd_usecase::commissioning`):
//! `GET /api/commissioning` (the version in force, its TOML, whether it checks and the
//! checked record), `PUT /api/commissioning` (a new version from the one edited: 422 with
//! each problem under its field path, 412 when someone saved since) and
//! `GET /api/commissioning/contracts/{key}/statement?year=2026/27` (the payment and activity
//! statement, counts published as on the pages: exact counts never leave the server) and
//! `GET /api/commissioning/reports/quarterly?quarter=2026/27 Q3` (the quarterly performance
//! report: the system's and each contract's KPIs, rated, for the quarter and the four before).

use axum::extract::{Path, State};
use axum::Json;
use nwd_domain::authz::Permission::{ManageCommissioning, ReadAggregates};
use nwd_domain::authz::Policy::Requires;
use nwd_domain::authz::Scope;
use nwd_domain::FieldError;
use nwd_http::extract::{Caller, JsonBody, QueryParams};
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::{RequestAudit, SecureRouter};
use nwd_http::AppState;
use nwd_usecase::commissioning;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(
            Requires(ReadAggregates, Scope::None),
            "commissioning",
            routes!(current),
        )
        .route(
            Requires(ManageCommissioning, Scope::None),
            "commissioning",
            routes!(save),
        )
        .route(
            Requires(ReadAggregates, Scope::None),
            "commissioning",
            routes!(statement),
        )
        .route(
            Requires(ReadAggregates, Scope::None),
            "commissioning",
            routes!(quarterly),
        )
}

/// The record in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordView {
    /// Its version (0: never saved): what an edit is made from.
    pub version: i64,
    /// Who saved it.
    pub saved_by: Option<String>,
    /// When (RFC 3339).
    pub saved_at: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// The document as written (TOML).
    pub source: String,
    /// Whether it checks against today's directory.
    pub checks: bool,
    /// What does not check, by field path.
    pub problems: Vec<FieldError>,
    /// The checked record: parties, agreements with contributions, contracts (indexes point
    /// into `parties` and `agreements`).
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

/// A new version.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveRecord {
    /// The version the change was made from (0 for the first).
    pub edited_from: i64,
    /// The whole document (TOML).
    pub source: String,
    /// Why it changes (kept with the version).
    pub reason: String,
}

/// What was saved.
#[derive(Debug, Serialize, ToSchema)]
pub struct Saved {
    /// The new version.
    pub version: i64,
}

/// The version in force, with its document and the checked record.
#[utoipa::path(get, path = "/api/commissioning", tag = "commissioning",
    responses((status = 200, body = RecordView)))]
async fn current(
    State(state): State<AppState>,
    Caller(_principal): Caller,
) -> ApiResult<Json<RecordView>> {
    let record = commissioning::current(&state.store).await?;
    let number = record.number();
    let (checks, problems, value) = match &record.plan {
        Ok(plan) => (true, Vec::new(), to_json(plan)?),
        Err(errors) => (false, errors.clone(), serde_json::Value::Null),
    };
    let v = record.version;
    Ok(Json(RecordView {
        version: number,
        saved_by: v.as_ref().map(|v| v.saved_by.clone()),
        saved_at: v.as_ref().map(|v| v.saved_at.to_string()),
        reason: v.as_ref().map(|v| v.reason.clone()),
        source: v.map(|v| v.source).unwrap_or_default(),
        checks,
        problems,
        record: value,
    }))
}

/// Saves a new version of the record, made from version `edited_from`.
#[utoipa::path(put, path = "/api/commissioning", tag = "commissioning",
    request_body = SaveRecord,
    responses((status = 200, body = Saved), (status = 412, body = Problem, description = "Someone saved since `edited_from`"), (status = 422, body = Problem)))]
async fn save(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody { value, .. }: JsonBody<SaveRecord>,
) -> ApiResult<Json<Saved>> {
    let version = commissioning::save(
        &state.store,
        &trail.signed_in(&principal),
        &principal.display_name,
        value.edited_from,
        &value.source,
        &value.reason,
    )
    .await?;
    Ok(Json(Saved { version }))
}

/// Which year.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementParams {
    /// Financial year, `2026/27`; the current one by default.
    pub year: Option<String>,
}

/// A contract's statement for a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementView {
    /// The contract's key.
    pub contract: String,
    /// The year.
    pub year: String,
    /// The quarters begun, Q1 first: activity (published counts), cost, unit costs, who paid
    /// (party indexes into the record's `parties`), KPIs with ratings.
    #[schema(value_type = Vec<Object>)]
    pub quarters: serde_json::Value,
    /// Each funded element: `key`, `name` and its `quarters`.
    #[schema(value_type = Vec<Object>)]
    pub elements: serde_json::Value,
}

/// A contract's payment and activity statement for a financial year.
#[utoipa::path(get, path = "/api/commissioning/contracts/{key}/statement", tag = "commissioning",
    params(("key" = String, Path, description = "The contract's key"), StatementParams),
    responses((status = 200, body = StatementView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn statement(
    State(state): State<AppState>,
    Caller(_principal): Caller,
    Path(key): Path<String>,
    QueryParams(params): QueryParams<StatementParams>,
) -> ApiResult<Json<StatementView>> {
    let record = commissioning::current(&state.store).await?;
    let plan = record.plan.map_err(|_| {
        ApiError::NotFound("the commissioning record no longer checks: correct it first".into())
    })?;
    let contract = plan
        .contract(&key)
        .cloned()
        .ok_or_else(|| ApiError::NotFound(format!("no contract {key:?}")))?;
    let (year, _) = commissioning::year_for(&state.store, &contract, params.year.as_deref())?;
    let statement = commissioning::statement(
        &state.store,
        &plan,
        &contract,
        year,
        &state.store.standards().suppression,
    )
    .await?;
    let mut elements = Vec::with_capacity(statement.elements.len());
    for (element, rows) in &statement.elements {
        elements.push(
            serde_json::json!({"key": element.key, "name": element.name, "quarters": to_json(rows)?}),
        );
    }
    Ok(Json(StatementView {
        contract: contract.key,
        year: year.to_string(),
        quarters: to_json(&statement.rows)?,
        elements: serde_json::Value::Array(elements),
    }))
}

/// Which quarter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuarterParams {
    /// The quarter, `2026/27 Q3`; the current one by default.
    pub quarter: Option<String>,
}

/// The quarterly performance report.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuarterlyView {
    /// The quarter reported.
    pub quarter: String,
    /// The five quarters, oldest first.
    pub quarters: Vec<String>,
    /// Whether each is not yet over.
    pub to_date: Vec<bool>,
    /// Every service's activity per quarter (published counts).
    #[schema(value_type = Vec<Object>)]
    pub system_activity: serde_json::Value,
    /// The system's KPIs: `term` and five `results` (value, threshold, rating).
    #[schema(value_type = Vec<Object>)]
    pub system_kpis: serde_json::Value,
    /// Each contract: `key` and five `quarters` (`null` outside its term).
    #[schema(value_type = Vec<Object>)]
    pub contracts: serde_json::Value,
    /// The no-wrong-door ledger of the requests received in each quarter: `all`, and
    /// `by_source`, `by_need_group` and `by_service` as `[key, row]` pairs; each row's
    /// `received`, `journeys` (reached help, waiting, passed on without help, ended without
    /// help, signposted, advice or other, not yet triaged) and `returned` (came back within
    /// six months), each `{"count": n}`, `"suppressed"` or `"withheld"`.
    #[schema(value_type = Vec<Object>)]
    pub ledger: serde_json::Value,
}

/// The quarterly performance report as JSON.
#[utoipa::path(get, path = "/api/commissioning/reports/quarterly", tag = "commissioning",
    params(QuarterParams),
    responses((status = 200, body = QuarterlyView), (status = 422, body = Problem)))]
async fn quarterly(
    State(state): State<AppState>,
    Caller(_principal): Caller,
    QueryParams(params): QueryParams<QuarterParams>,
) -> ApiResult<Json<QuarterlyView>> {
    let record = commissioning::current(&state.store).await?;
    let plan = record.plan.map_err(|_| {
        ApiError::NotFound("the commissioning record no longer checks: correct it first".into())
    })?;
    let quarter = commissioning::quarter_for(&state.store, params.quarter.as_deref())?;
    let report = commissioning::quarterly_report(
        &state.store,
        &plan,
        quarter,
        &state.store.standards().suppression,
    )
    .await?;
    let system_kpis: Vec<serde_json::Value> = report
        .system_kpis
        .iter()
        .map(|(term, results)| {
            Ok(serde_json::json!({"term": to_json(term)?, "results": to_json(results)?}))
        })
        .collect::<Result<_, ApiError>>()?;
    let contracts: Vec<serde_json::Value> = report
        .contracts
        .iter()
        .map(|c| Ok(serde_json::json!({"key": c.contract.key, "quarters": to_json(&c.rows)?})))
        .collect::<Result<_, ApiError>>()?;
    Ok(Json(QuarterlyView {
        quarter: report.quarter.to_string(),
        quarters: report.quarters.iter().map(ToString::to_string).collect(),
        to_date: report.partial.clone(),
        system_activity: to_json(&report.system_activity)?,
        system_kpis: serde_json::Value::Array(system_kpis),
        contracts: serde_json::Value::Array(contracts),
        ledger: to_json(&report.ledger)?,
    }))
}

/// A domain value as JSON.
fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(format!("statement: {e}")))
}
