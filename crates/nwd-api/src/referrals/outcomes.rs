//! Routine outcome measures on a referral (issue 19): record a measure's scores on an
//! allocation (a referral command, so versioned with `If-Match`, checked by the domain and
//! audited like every change), and read what the measures show — every score, the first and
//! last paired and judged for reliable change as NHS England's MHS112, and the result per
//! rater (`nwd_usecase::outcomes`).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use nwd_domain::referral::Command;
use nwd_domain::ReferralId;
use nwd_http::extract::{parse_id, Actor, Caller, IfMatch, JsonBody};
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::outcomes::{referral_outcomes, OutcomeInput, OutcomesView};

use super::commands::run;

/// Record a routine outcome measure's scores (e.g. PHQ-9 `total`, RCADS scales, GBO goals)
/// on an allocation.
#[utoipa::path(post, path = "/api/referrals/{id}/outcomes", tag = "referrals", request_body = OutcomeInput,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = super::ReferralChange), (status = 403, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub(super) async fn record_outcome(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<OutcomeInput>,
) -> ApiResult<Response> {
    let assessment = body
        .value
        .into_assessment(state.store.now())
        .map_err(|errors| ApiError::Invalid(errors.0))?;
    run(
        &trail,
        &state,
        &id,
        version,
        Command::RecordOutcome(assessment),
        &actor,
        &principal,
    )
    .await
}

/// What a referral's outcome measures show: every score, the first and last compared with
/// their reliable change, and the result per rater, as NHS England's MHS112.
#[utoipa::path(get, path = "/api/referrals/{id}/outcomes", tag = "referrals", params(("id" = String, Path)),
    responses((status = 200, body = OutcomesView), (status = 404, body = Problem)))]
pub(super) async fn outcomes(
    State(state): State<AppState>,
    _actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<OutcomesView>> {
    let referral = state
        .store
        .referral(parse_id::<ReferralId>(&id, "referral")?)
        .await?;
    Ok(Json(referral_outcomes(&state.store, &referral).await?))
}

/// A completion link made: its path, shown once (only its hash is kept).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(super) struct MeasureLinkSent {
    /// The path to give the young person or parent (`/measure/{token}`), on this server's
    /// address.
    path: String,
    /// When it stops working.
    #[schema(value_type = String, format = DateTime)]
    expires_at: jiff::Timestamp,
    /// The referral's version after sending.
    version: u32,
}

/// Send the young person or a parent a one-time link to complete a measure on their phone
/// without signing in (only measures whose questions may be shown; a parent only when they
/// may be contacted about the referral). The link works once, for 14 days.
#[utoipa::path(post, path = "/api/referrals/{id}/measure-links", tag = "referrals",
    request_body = nwd_domain::referral::measurement::MeasureLinkRequest,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 201, body = MeasureLinkSent), (status = 403, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub(super) async fn send_measure_link(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<nwd_domain::referral::measurement::MeasureLinkRequest>,
) -> ApiResult<(axum::http::StatusCode, Json<MeasureLinkSent>)> {
    let id = parse_id::<ReferralId>(&id, "referral")?;
    let authority = principal.write_authority(&state.store.access().roles);
    let sent = nwd_usecase::measure_links::send(
        &state.store,
        &trail.signed_in(&principal),
        id,
        version.0,
        body.value,
        &actor.0,
        &authority,
    )
    .await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(MeasureLinkSent {
            path: sent.path,
            expires_at: sent.expires_at,
            version: sent.version,
        }),
    ))
}

/// Agree Goal-Based Outcomes goals (one to three) with the young person, in their words, on an
/// allocation: goal 1 is the GBO scale `goal1`, rated 0–10 at each session.
#[utoipa::path(post, path = "/api/referrals/{id}/goals", tag = "referrals",
    request_body = nwd_domain::referral::outcome::GoalsCommand,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = super::ReferralChange), (status = 403, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub(super) async fn agree_goals(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<nwd_domain::referral::outcome::GoalsCommand>,
) -> ApiResult<Response> {
    run(
        &trail,
        &state,
        &id,
        version,
        Command::AgreeGoals(body.value),
        &actor,
        &principal,
    )
    .await
}

/// Record a measure completed in another system, sent as an HL7 FHIR R4
/// `QuestionnaireResponse` to the measure's Questionnaire: its answers are scored as the
/// measure defines and recorded like scores entered at a session.
#[utoipa::path(post, path = "/api/referrals/{id}/outcomes/fhir", tag = "referrals",
    request_body = nwd_usecase::outcomes::FhirOutcomeInput,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = super::ReferralChange), (status = 403, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub(super) async fn record_fhir_outcome(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<nwd_usecase::outcomes::FhirOutcomeInput>,
) -> ApiResult<Response> {
    let assessment = body
        .value
        .into_assessment(state.store.now())
        .map_err(|errors| ApiError::Invalid(errors.0))?;
    run(
        &trail,
        &state,
        &id,
        version,
        Command::RecordOutcome(assessment),
        &actor,
        &principal,
    )
    .await
}

/// One completed questionnaire as an HL7 FHIR R4 `QuestionnaireResponse`: `number` counts the
/// referral's recorded measures from 1, in the order recorded. Only a questionnaire completed
/// question by question (through a link, or received as FHIR) has one; scores entered at a
/// session answer 404.
#[utoipa::path(get, path = "/api/referrals/{id}/outcomes/{number}/fhir", tag = "referrals",
    params(("id" = String, Path), ("number" = u32, Path, description = "The measure's place in the order recorded, from 1")),
    responses((status = 200, description = "The QuestionnaireResponse", content_type = "application/fhir+json"), (status = 404, body = Problem)))]
pub(super) async fn questionnaire_response(
    State(state): State<AppState>,
    _actor: Actor,
    Path((id, number)): Path<(String, String)>,
) -> ApiResult<Response> {
    let referral = state
        .store
        .referral(parse_id::<ReferralId>(&id, "referral")?)
        .await?;
    let missing = || {
        ApiError::NotFound(format!(
            "this referral has no questionnaire {number} answered question by question"
        ))
    };
    let index = number
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .ok_or_else(missing)?;
    let assessment = referral.outcomes.get(index).ok_or_else(missing)?;
    if assessment.answers.is_empty() {
        return Err(missing());
    }
    let definition = nwd_outcomes::bundled()
        .get(&assessment.measure)
        .ok_or_else(missing)?;
    let answers: Vec<(String, f64)> = assessment
        .answers
        .iter()
        .map(|a| (a.item.clone(), f64::from(a.value_tenths) / 10.0))
        .collect();
    let scores: Vec<(String, f64)> = assessment
        .scores
        .iter()
        .map(|s| (s.scale.clone(), s.score()))
        .collect();
    let resource = nwd_outcomes::fhir::questionnaire_response(
        definition,
        &answers,
        &scores,
        &assessment.at.to_string(),
    );
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/fhir+json")],
        Json(resource),
    )
        .into_response())
}
