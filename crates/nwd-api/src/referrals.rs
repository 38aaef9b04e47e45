//! The referral lifecycle over HTTP: read and search, then one route per command. Every
//! command needs `If-Match` with the version read (the referral's ETag); a stale version is
//! answered 412 with the changes made meanwhile, and nothing is written.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use jiff::Timestamp;
use nwd_domain::codes::{ContactStatus, Priority, ReasonCode, ReferralSource};
use nwd_domain::need::NeedGroup;
use nwd_domain::person::CompetenceDecision;
use nwd_domain::referral::{
    AllocateCommand, Command, ContactInput, DischargeCommand, RecordedEvent, Referral,
    ReferralKind, ReferralStatus, StepCommand, TransitionCommand, TransitionPlanCommand,
    TriageCommand,
};
use nwd_domain::search::{SearchFields, SearchTerms, SourceGroup};
use nwd_domain::waits::{hidden_waits, HiddenWaits};
use nwd_domain::{AllocationId, ContactId, NhsNumber, PersonId, ReferralId};
use nwd_store::auth::Principal;
use nwd_store::{ReferralPage, ReferralSearch, ReferralSort};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use nwd_domain::authz::{Permission::*, Policy::*, Scope};
use nwd_http::extract::{parse_id, Actor, Caller, IfMatch, JsonBody, QueryParams};
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::RequestAudit;
use nwd_http::secure::SecureRouter;
use nwd_http::AppState;

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(
            Requires(SearchReferrals, Scope::None),
            "referral",
            routes!(search_referrals),
        )
        .route(
            Requires(ReadClinical, Scope::Referral("id")),
            "referral",
            routes!(get_referral),
        )
        .route(
            Requires(ReadClinical, Scope::Referral("id")),
            "referral_events",
            routes!(referral_events),
        )
        .route(
            Requires(ReadClinical, Scope::Referral("id")),
            "referral_waits",
            routes!(referral_waits),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(record_competence),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(triage),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(allocate),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "contact",
            routes!(record_contact),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "contact",
            routes!(record_contact_outcome),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(step),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(transition),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(plan_transition),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "allocation",
            routes!(discharge),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(decline),
        )
        .route(
            Requires(ReadDemographics, Scope::Person("id")),
            "person",
            routes!(get_person),
        )
}

/// A referral after a change, with the events the change recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralChange {
    /// The referral now.
    pub referral: Referral,
    /// The events just recorded.
    pub events: Vec<RecordedEvent>,
}

/// Search parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// `awaiting_triage`, `open` or `closed`.
    pub status: Option<String>,
    /// Source of referral (API name).
    pub source: Option<String>,
    /// Priority (API name).
    pub priority: Option<String>,
    /// Current need group (API name).
    pub need_group: Option<String>,
    /// Primary reason (API name).
    pub reason: Option<String>,
    /// The young person's register id.
    pub person_id: Option<String>,
    /// The young person's NHS number.
    pub nhs_number: Option<String>,
    /// The referral's reference (`NWD-1A2B-3C4D`).
    pub reference: Option<String>,
    /// The start of the young person's family name (any case; accents and punctuation
    /// ignored).
    pub family_name: Option<String>,
    /// The start of the young person's given name (any case).
    pub given_name: Option<String>,
    /// The young person's date of birth (`YYYY-MM-DD` or `DD/MM/YYYY`).
    pub date_of_birth: Option<String>,
    /// `referral` or `advice_request`.
    pub kind: Option<String>,
    /// Source group: the first letter of the MHSDS source code (`A`, `B`, `C`, `E`, `G`,
    /// `H`, `I`, `M`).
    pub source_group: Option<String>,
    /// Received at or after (RFC 3339).
    pub received_from: Option<String>,
    /// Received before (RFC 3339).
    pub received_to: Option<String>,
    /// `newest` (default) or `priority` (the triage queue's order).
    pub sort: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u32>,
    /// Cursor from the previous page's `next`.
    pub after: Option<String>,
}

/// Search referrals; results come in pages with a cursor.
#[utoipa::path(get, path = "/api/referrals", tag = "referrals", params(SearchParams),
    responses((status = 200, body = ReferralPage), (status = 422, body = Problem)))]
async fn search_referrals(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    QueryParams(params): QueryParams<SearchParams>,
) -> ApiResult<Json<ReferralPage>> {
    let mut search = referral_search(params)?;
    // Results, counts and cursors cover only referrals the caller may open.
    search.visible_to = Some(
        state
            .store
            .visibility(&principal, nwd_domain::authz::Permission::ReadClinical),
    );
    trail.set_detail(format!(
        "filters: {}",
        [
            ("status", search.status.is_some()),
            ("source", search.source.is_some()),
            ("priority", search.priority.is_some()),
            ("need_group", search.need_group.is_some()),
            ("reason", search.reason.is_some()),
            ("person_id", search.person_id.is_some()),
            ("nhs_number", search.nhs_number.is_some()),
            ("kind", search.kind.is_some()),
            ("source_group", !search.sources.is_empty()),
            ("reference", search.terms.reference.is_some()),
            (
                "name",
                search.terms.family.is_some() || search.terms.given.is_some(),
            ),
            ("date_of_birth", search.terms.date_of_birth.is_some()),
        ]
        .iter()
        .filter(|(_, used)| *used)
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(",")
    ));
    if let Some(person) = search.person_id {
        trail.set_person(person);
    }
    Ok(Json(state.store.search_referrals(&search).await?))
}

/// Checks search parameters and turns them into a [`ReferralSearch`] (without the caller's
/// visibility, which the handler adds): every invalid parameter gets its own message.
pub fn referral_search(params: SearchParams) -> Result<ReferralSearch, ApiError> {
    let mut errors = nwd_domain::ValidationErrors::new();
    let mut search = ReferralSearch {
        status: params.status.and_then(|s| {
            errors.check(
                "status",
                match s.as_str() {
                    "awaiting_triage" => Ok(ReferralStatus::AwaitingTriage),
                    "open" => Ok(ReferralStatus::Open),
                    "closed" => Ok(ReferralStatus::Closed),
                    _ => Err("allowed: awaiting_triage, open, closed"),
                },
            )
        }),
        source: params
            .source
            .and_then(|s| errors.check("source", ReferralSource::parse(&s))),
        priority: params
            .priority
            .and_then(|s| errors.check("priority", Priority::parse(&s))),
        need_group: params
            .need_group
            .and_then(|s| errors.check("need_group", NeedGroup::parse(&s))),
        reason: params
            .reason
            .and_then(|s| errors.check("reason", ReasonCode::parse(&s))),
        person_id: params
            .person_id
            .and_then(|s| errors.check("person_id", s.parse::<PersonId>())),
        nhs_number: params
            .nhs_number
            .and_then(|s| errors.check("nhs_number", NhsNumber::parse(&s))),
        received_from: params
            .received_from
            .and_then(|s| errors.check("received_from", s.parse::<Timestamp>())),
        received_to: params
            .received_to
            .and_then(|s| errors.check("received_to", s.parse::<Timestamp>())),
        ..ReferralSearch::default()
    };
    search.sort = match params.sort.as_deref() {
        None | Some("newest") => ReferralSort::Newest,
        Some("priority") => ReferralSort::Priority,
        Some(_) => {
            errors.add("sort", "allowed: newest, priority");
            ReferralSort::Newest
        }
    };
    if let Some(limit) = params.limit {
        if !(1..=500).contains(&limit) {
            errors.add("limit", "choose a page size from 1 to 500");
        }
        search.limit = limit;
    }
    search.after = params.after;
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let (reference, family_name, given_name, date_of_birth) = (
        text(&params.reference),
        text(&params.family_name),
        text(&params.given_name),
        text(&params.date_of_birth),
    );
    // A date of birth in the future finds nothing; the API does not read the clock for it.
    match SearchTerms::from_fields(
        &SearchFields {
            reference: &reference,
            family_name: &family_name,
            given_name: &given_name,
            date_of_birth: &date_of_birth,
            ..SearchFields::default()
        },
        jiff::civil::Date::MAX,
    ) {
        Ok(terms) => search.terms = terms,
        Err(invalid) => errors.0.extend(invalid.0),
    }
    search.kind = params.kind.and_then(|k| {
        errors.check(
            "kind",
            match k.as_str() {
                "referral" => Ok(ReferralKind::Referral),
                "advice_request" => Ok(ReferralKind::AdviceRequest),
                _ => Err("allowed: referral, advice_request"),
            },
        )
    });
    if let Some(group) = params
        .source_group
        .and_then(|g| errors.check("source_group", SourceGroup::parse(&g)))
    {
        search.sources = group.sources();
    }
    errors.into_result()?;
    Ok(search)
}

/// A referral's current state. The ETag is its version: send it back in `If-Match`.
#[utoipa::path(get, path = "/api/referrals/{id}", tag = "referrals", params(("id" = String, Path)),
    responses((status = 200, body = Referral), (status = 404, body = Problem)))]
async fn get_referral(
    State(state): State<AppState>,
    _actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let referral = state
        .store
        .referral(parse_id::<ReferralId>(&id, "referral")?)
        .await?;
    Ok(super::with_etag(StatusCode::OK, referral.version, referral))
}

/// A referral's whole history: every event, with who, when and why.
#[utoipa::path(get, path = "/api/referrals/{id}/events", tag = "referrals", params(("id" = String, Path)),
    responses((status = 200, body = Vec<RecordedEvent>), (status = 404, body = Problem)))]
async fn referral_events(
    State(state): State<AppState>,
    _actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<RecordedEvent>>> {
    Ok(Json(
        state
            .store
            .referral_events(parse_id::<ReferralId>(&id, "referral")?)
            .await?,
    ))
}

/// The waits in a referral's journey, including the hidden ones (to triage, to first and
/// second contact).
#[utoipa::path(get, path = "/api/referrals/{id}/waits", tag = "referrals", params(("id" = String, Path)),
    responses((status = 200, body = HiddenWaits), (status = 404, body = Problem)))]
async fn referral_waits(
    State(state): State<AppState>,
    _actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<HiddenWaits>> {
    let referral = state
        .store
        .referral(parse_id::<ReferralId>(&id, "referral")?)
        .await?;
    Ok(Json(hidden_waits(
        &referral,
        state.store.now(),
        state.store.tz(),
    )))
}

async fn run(
    trail: &RequestAudit,
    state: &AppState,
    id: &str,
    version: IfMatch,
    command: Command,
    actor: &Actor,
    principal: &Principal,
) -> ApiResult<Response> {
    let id = parse_id::<ReferralId>(id, "referral")?;
    let authority = principal.write_authority(&state.store.access().roles);
    let (referral, events) = state
        .store
        .execute_as(
            &trail.signed_in(principal),
            id,
            version.0,
            command,
            &actor.0,
            &authority,
        )
        .await?;
    Ok(super::with_etag(
        StatusCode::OK,
        referral.version,
        ReferralChange { referral, events },
    ))
}

/// Record a Gillick competence decision.
#[utoipa::path(post, path = "/api/referrals/{id}/competence", tag = "referrals", request_body = CompetenceDecision,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ReferralChange), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
async fn record_competence(
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

async fn triage(
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
async fn allocate(
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
async fn record_contact(
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
async fn record_contact_outcome(
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
async fn step(
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
async fn plan_transition(
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
async fn transition(
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
}

/// Discharge from one allocation with a coded reason. Discharging the last open allocation
/// closes the referral, naming the services as its destination.
#[utoipa::path(post, path = "/api/referrals/{id}/allocations/{allocation_id}/discharge", tag = "referrals", request_body = DischargeInput,
    params(("id" = String, Path), ("allocation_id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ReferralChange), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
async fn discharge(
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
async fn decline(
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

/// A person in the register.
#[utoipa::path(get, path = "/api/persons/{id}", tag = "referrals", params(("id" = String, Path)),
    responses((status = 200, body = nwd_domain::person::Person), (status = 404, body = Problem)))]
async fn get_person(
    State(state): State<AppState>,
    _actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<nwd_domain::person::Person>> {
    Ok(Json(
        state
            .store
            .person(parse_id::<PersonId>(&id, "person")?)
            .await?,
    ))
}
