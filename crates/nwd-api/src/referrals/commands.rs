//! The referral commands over HTTP, one route each: every one needs `If-Match` with the
//! version read, and a stale version is answered 412 with the changes made meanwhile.

use super::ReferralChange;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use nwd_domain::codes::ContactStatus;
use nwd_domain::person::CompetenceDecision;
use nwd_domain::referral::{
    AllocateCommand, Command, ContactInput, DischargeCommand, StepCommand, TransitionCommand,
    TransitionPlanCommand, TriageCommand,
};
use nwd_domain::{AllocationId, ContactId, ReferralId};
use nwd_http::extract::{parse_id, Actor, Caller, IfMatch, JsonBody};
use nwd_http::problem::{ApiResult, Problem};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::auth::Principal;
use serde::Deserialize;
use utoipa::ToSchema;

pub(crate) async fn run(
    trail: &RequestAudit,
    state: &AppState,
    id: &str,
    version: IfMatch,
    command: Command,
    actor: &Actor,
    principal: &Principal,
) -> ApiResult<Response> {
    let id = parse_id::<ReferralId>(id, "referral")?;
    let (referral, events) = trail
        .change_referral(state, principal, id, version.0, command, &actor.0)
        .await?;
    Ok(crate::with_etag(
        StatusCode::OK,
        referral.version,
        ReferralChange { referral, events },
    ))
}

/// Record a Gillick competence decision.
#[utoipa::path(post, path = "/api/referrals/{id}/competence", tag = "referrals", request_body = CompetenceDecision,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ReferralChange), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub(super) async fn record_competence(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<CompetenceDecision>,
) -> ApiResult<Response> {
    run(
        &trail,
        &state,
        &id,
        version,
        Command::RecordCompetence(body.value),
        &actor,
        &principal,
    )
    .await
}

/// Triage: agree the need group and send the referral to one or more destinations.
#[utoipa::path(post, path = "/api/referrals/{id}/triage", tag = "referrals", request_body = TriageCommand,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ReferralChange), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]

pub(super) async fn triage(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<TriageCommand>,
) -> ApiResult<Response> {
    run(
        &trail,
        &state,
        &id,
        version,
        Command::Triage(body.value),
        &actor,
        &principal,
    )
    .await
}

/// Add a concurrent allocation to another service.
#[utoipa::path(post, path = "/api/referrals/{id}/allocations", tag = "referrals", request_body = AllocateCommand,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ReferralChange), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub(super) async fn allocate(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<AllocateCommand>,
) -> ApiResult<Response> {
    run(
        &trail,
        &state,
        &id,
        version,
        Command::Allocate(body.value),
        &actor,
        &principal,
    )
    .await
}

/// Record a contact (scheduled, attended, did not attend, cancelled) or indirect activity.
#[utoipa::path(post, path = "/api/referrals/{id}/contacts", tag = "referrals", request_body = ContactInput,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ReferralChange), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub(super) async fn record_contact(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<ContactInput>,
) -> ApiResult<Response> {
    run(
        &trail,
        &state,
        &id,
        version,
        Command::RecordContact(body.value),
        &actor,
        &principal,
    )
    .await
}

/// The outcome of a scheduled contact.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactOutcomeInput {
    /// What happened.
    pub status: ContactStatus,
}

/// Record what happened at a scheduled contact.
#[utoipa::path(post, path = "/api/referrals/{id}/contacts/{contact_id}/outcome", tag = "referrals", request_body = ContactOutcomeInput,
    params(("id" = String, Path), ("contact_id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ReferralChange), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub(super) async fn record_contact_outcome(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path((id, contact_id)): Path<(String, String)>,
    body: JsonBody<ContactOutcomeInput>,
) -> ApiResult<Response> {
    let contact_id = parse_id::<ContactId>(&contact_id, "contact")?;
    run(
        &trail,
        &state,
        &id,
        version,
        Command::RecordContactOutcome {
            contact_id,
            status: body.value.status,
        },
        &actor,
        &principal,
    )
    .await
}

/// Step up or down: change need group, ending and adding allocations. The new wait starts now.
#[utoipa::path(post, path = "/api/referrals/{id}/step", tag = "referrals", request_body = StepCommand,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ReferralChange), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub(super) async fn step(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<StepCommand>,
) -> ApiResult<Response> {
    run(
        &trail,
        &state,
        &id,
        version,
        Command::Step(body.value),
        &actor,
        &principal,
    )
    .await
}

/// Plan a transition by need: the receiving service (checked against the need group and the
/// age on the planned date) and the date. The allocation stays open; the outcome is recorded
/// later with `POST /api/referrals/{id}/transition`.
#[utoipa::path(post, path = "/api/referrals/{id}/transition-plan", tag = "referrals", request_body = TransitionPlanCommand,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ReferralChange), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub(super) async fn plan_transition(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<TransitionPlanCommand>,
) -> ApiResult<Response> {
    run(
        &trail,
        &state,
        &id,
        version,
        Command::PlanTransition(body.value),
        &actor,
        &principal,
    )
    .await
}

/// Record a transition outcome (by need) as a young person reaches a service's upper age.
#[utoipa::path(post, path = "/api/referrals/{id}/transition", tag = "referrals", request_body = TransitionCommand,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ReferralChange), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub(super) async fn transition(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<TransitionCommand>,
) -> ApiResult<Response> {
    run(
        &trail,
        &state,
        &id,
        version,
        Command::Transition(body.value),
        &actor,
        &principal,
    )
    .await
}

/// Discharge body (the allocation is in the path).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DischargeInput {
    /// Coded reason.
    pub reason: nwd_domain::codes::DischargeReason,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
    /// Why there is no closing outcome measure: needed when the allocation was seen, its
    /// service asks for one, and none is recorded on or after the day of the last attended
    /// contact (a discharge without it is refused with 422 on this field).
    #[serde(default)]
    pub without_closing_measure: Option<nwd_domain::referral::measurement::MissingMeasure>,
}

/// Discharge from one allocation with a coded reason. Discharging the last open allocation
/// closes the referral, naming the services as its destination.
#[utoipa::path(post, path = "/api/referrals/{id}/allocations/{allocation_id}/discharge", tag = "referrals", request_body = DischargeInput,
    params(("id" = String, Path), ("allocation_id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ReferralChange), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub(super) async fn discharge(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path((id, allocation_id)): Path<(String, String)>,
    body: JsonBody<DischargeInput>,
) -> ApiResult<Response> {
    let allocation_id = parse_id::<AllocationId>(&allocation_id, "allocation")?;
    let command = Command::Discharge(DischargeCommand {
        allocation_id,
        reason: body.value.reason,
        note: body.value.note,
        without_closing_measure: body.value.without_closing_measure,
    });
    run(&trail, &state, &id, version, command, &actor, &principal).await
}

/// Decline body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclineInput {
    /// The young person's or family's reason, in their words.
    pub reason: String,
}

/// The young person or family declined help: closes the referral with their reason.
#[utoipa::path(post, path = "/api/referrals/{id}/decline", tag = "referrals", request_body = DeclineInput,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ReferralChange), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub(super) async fn decline(
    trail: RequestAudit,
    State(state): State<AppState>,
    actor: Actor,
    Caller(principal): Caller,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<DeclineInput>,
) -> ApiResult<Response> {
    run(
        &trail,
        &state,
        &id,
        version,
        Command::Decline {
            reason: body.value.reason,
        },
        &actor,
        &principal,
    )
    .await
}
