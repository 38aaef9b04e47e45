//! The routine outcome measures the system knows (issue 19): what each is, who completes it,
//! its scales with their direction and reliable-change threshold (`GET /api/outcome-measures`), and
//! each as an HL7 FHIR R4 `Questionnaire` for other systems to present
//! (`GET /api/outcome-measures/{code}/questionnaire`, `nwd_outcomes::fhir`). Not identifiable: any
//! signed-in caller may read them.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use nwd_domain::authz::Policy::SignedIn;
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::SecureRouter;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(SignedIn, "measure", routes!(list))
        .route(SignedIn, "measure", routes!(questionnaire))
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
    /// Whether the item text is included (only where the licence allows).
    pub item_text: bool,
    /// Its scales.
    pub scales: Vec<ScaleSummary>,
}

/// The measures the system knows.
#[utoipa::path(get, path = "/api/outcome-measures", tag = "outcomes",
    responses((status = 200, body = Vec<MeasureSummary>), (status = 401, body = Problem)))]
async fn list() -> Json<Vec<MeasureSummary>> {
    Json(
        nwd_outcomes::bundled()
            .measures()
            .iter()
            .map(|m| MeasureSummary {
                code: m.code.clone(),
                name: m.name.clone(),
                licence: m.licence.clone(),
                completed_by: m.completed_by.iter().map(|r| r.code()).collect(),
                item_text: m.items.iter().any(|i| i.text.is_some()),
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
            })
            .collect(),
    )
}

/// A measure as an HL7 FHIR R4 `Questionnaire` (`application/fhir+json`).
#[utoipa::path(get, path = "/api/outcome-measures/{code}/questionnaire", tag = "outcomes",
    params(("code" = String, Path, description = "The measure's code, e.g. `phq_9`")),
    responses((status = 200, description = "The FHIR R4 Questionnaire", content_type = "application/fhir+json"), (status = 404, body = Problem)))]
async fn questionnaire(Path(code): Path<String>) -> ApiResult<Response> {
    let definition = nwd_outcomes::bundled().get(&code).ok_or_else(|| {
        ApiError::NotFound(format!("no measure {code:?}; see /api/outcome-measures"))
    })?;
    let mut response = (
        StatusCode::OK,
        Json(nwd_outcomes::fhir::questionnaire(definition)),
    )
        .into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/fhir+json"),
    );
    Ok(response)
}
