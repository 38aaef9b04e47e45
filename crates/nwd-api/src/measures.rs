//! The routine outcome measures the system knows (issue 19): what each is, who completes it,
//! its scales with their direction and reliable-change threshold (`GET /api/outcome-measures`), and
//! each as an HL7 FHIR R4 `Questionnaire` for other systems to present
//! (`GET /api/outcome-measures/{code}/questionnaire`, `nwd_outcomes::fhir`). Not identifiable: any
//! signed-in caller may read them. A directory manager loads the organisation's licensed
//! wording of a measure (`PUT`/`DELETE /api/outcome-measures/{code}/item-text`,
//! `nwd_usecase::measure_texts`); the list and the Questionnaire then carry it.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use nwd_domain::authz::Permission::ManageDirectory;
use nwd_domain::authz::Policy::{Requires, SignedIn};
use nwd_domain::authz::Scope;
use nwd_http::extract::{Actor, Caller};
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::{RequestAudit, SecureRouter};
use nwd_http::AppState;
use nwd_outcomes::MeasureDefinition;
use nwd_usecase::measure_texts;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(SignedIn, "measure", routes!(list))
        .route(SignedIn, "measure", routes!(questionnaire))
        .route(
            Requires(ManageDirectory, Scope::None),
            "measure",
            routes!(load_item_text, remove_item_text),
        )
        .merge(crate::outcome_figures::router())
}

/// One scale of a measure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScaleSummary {
    /// The scale's id, e.g. `total`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `higher_is_better` or `lower_is_better`.
    pub direction: &'static str,
    /// Lowest and highest raw score.
    pub range: [f64; 2],
    /// The reliable-change threshold, when there is one (on T-scores where NHS England
    /// converts).
    pub reliable_change: Option<f64>,
    /// Whether change is judged on T-scores by age and sex.
    pub t_scores: bool,
}

/// A measure.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureSummary {
    /// The code to record it with, e.g. `phq_9`.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its licence or copyright line.
    pub licence: String,
    /// Who may complete it: `self`, `parent`, `clinician`.
    pub completed_by: Vec<&'static str>,
    /// Whether the item text is included: shipped where the licence allows, or the
    /// organisation's licensed wording loaded.
    pub item_text: bool,
    /// Whether the organisation loaded the wording (`PUT …/item-text`).
    pub item_text_loaded: bool,
    /// Its scales.
    pub scales: Vec<ScaleSummary>,
}

/// The measures the system knows.
#[utoipa::path(get, path = "/api/outcome-measures", tag = "outcomes",
    responses((status = 200, body = Vec<MeasureSummary>), (status = 401, body = Problem)))]
async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<MeasureSummary>>> {
    Ok(Json(
        measure_texts::all(&state.store)
            .await?
            .iter()
            .map(|m| summary(&m.definition, m.loaded.is_some()))
            .collect(),
    ))
}

fn summary(m: &MeasureDefinition, loaded: bool) -> MeasureSummary {
    MeasureSummary {
        code: m.code.clone(),
        name: m.name.clone(),
        licence: m.licence.clone(),
        completed_by: m.completed_by.iter().map(|r| r.code()).collect(),
        item_text: m.has_item_text(),
        item_text_loaded: loaded,
        scales: m
            .scales
            .iter()
            .map(|s| {
                let (lo, hi) = m.raw_range(s);
                ScaleSummary {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    direction: match s.direction {
                        nwd_outcomes::Direction::HigherIsBetter => "higher_is_better",
                        nwd_outcomes::Direction::LowerIsBetter => "lower_is_better",
                    },
                    range: [lo, hi],
                    reliable_change: s.reliable_change.as_ref().map(|r| r.threshold()),
                    t_scores: !s.t_score_norms.is_empty(),
                }
            })
            .collect(),
    }
}

/// Loads (or replaces) the organisation's licensed wording of a measure shipped without it:
/// the body is TOML, JSON (`measure`, `licence`, `preamble`, `items`, `labels`) or a FHIR R4
/// `Questionnaire`. Every question needs its wording and every answer its label; problems
/// come back by field (`text.items.q14`) and nothing is written.
#[utoipa::path(put, path = "/api/outcome-measures/{code}/item-text", tag = "outcomes",
    params(("code" = String, Path, description = "The measure's code, e.g. `rcads`")),
    request_body(content = String, description = "The wording: TOML, JSON or a FHIR Questionnaire"),
    responses((status = 200, body = MeasureSummary), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn load_item_text(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    _actor: Actor,
    Path(code): Path<String>,
    body: Bytes,
) -> ApiResult<Json<MeasureSummary>> {
    let text = std::str::from_utf8(&body)
        .map_err(|_| ApiError::field("text", "the wording must be UTF-8 text"))?;
    let loaded = measure_texts::load(
        &state.store,
        &trail.signed_in(&principal),
        &principal.display_name,
        &code,
        text,
    )
    .await?;
    Ok(Json(summary(&loaded.definition, true)))
}

/// Removes the organisation's wording of a measure: it can no longer be sent by link.
#[utoipa::path(delete, path = "/api/outcome-measures/{code}/item-text", tag = "outcomes",
    params(("code" = String, Path, description = "The measure's code")),
    responses((status = 204, description = "Removed"), (status = 404, body = Problem)))]
async fn remove_item_text(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    _actor: Actor,
    Path(code): Path<String>,
) -> ApiResult<StatusCode> {
    if measure_texts::remove(&state.store, &trail.signed_in(&principal), &code).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!(
            "no wording is loaded for {code:?}"
        )))
    }
}

/// A measure as an HL7 FHIR R4 `Questionnaire` (`application/fhir+json`).
#[utoipa::path(get, path = "/api/outcome-measures/{code}/questionnaire", tag = "outcomes",
    params(("code" = String, Path, description = "The measure's code, e.g. `phq_9`")),
    responses((status = 200, description = "The FHIR R4 Questionnaire", content_type = "application/fhir+json"), (status = 404, body = Problem)))]
async fn questionnaire(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Response> {
    if nwd_outcomes::bundled().get(&code).is_none() {
        return Err(ApiError::NotFound(format!(
            "no measure {code:?}; see /api/outcome-measures"
        )));
    }
    let definition = measure_texts::definition(&state.store, &code).await?;
    let mut response = (
        StatusCode::OK,
        Json(nwd_outcomes::fhir::questionnaire(&definition)),
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/fhir+json"),
    );
    Ok(response)
}
