//! Confidentiality for young people over HTTP: competence assessments per decision, parent and
//! carer links and access decisions, "not for parent/carer" marks, parent contact decisions,
//! safeguarding overrides, and the parent's or carer's own view of the record.
//!
//! Staff routes need a relationship with the young person (the guard checks it). The parent
//! view is guarded by `ReadAsParentCarer` on the person: the store's relationship check asks
//! `nwd_domain::consent::parent_access` (link plus consent, best interests or an override), so
//! a parent without a basis gets 404, exactly like an id that does not exist.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use nwd_domain::authz::{Permission::*, Policy::*, Scope};
use nwd_domain::consent::{
    CompetenceAssessment, ConsentDecision, OverrideScope, ParentAccessBasis, ParentAccessDecision,
    ParentContactBasis, ParentContactDecision, ParentContactRefusal, SafeguardingOverride,
};
use nwd_domain::ReferralId;
use nwd_store::consent::{NewAssessment, ParentView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use nwd_http::extract::{parse_id, Caller, JsonBody};
use nwd_http::problem::{ApiResult, Problem};
use nwd_http::secure::RequestAudit;
use nwd_http::secure::SecureRouter;
use nwd_http::AppState;

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(
            Requires(ReadClinical, Scope::Person("id")),
            "competence_assessment",
            routes!(list_assessments),
        )
        .route(
            Requires(WriteClinical, Scope::Person("id")),
            "competence_assessment",
            routes!(record_assessment),
        )
        .route(
            Requires(WriteClinical, Scope::Person("id")),
            "carer_link",
            routes!(link_carer),
        )
        .route(
            Requires(WriteClinical, Scope::Person("id")),
            "parent_access_decision",
            routes!(record_parent_access),
        )
        .route(
            Requires(WriteClinical, Scope::Person("id")),
            "parent_access_decision",
            routes!(withdraw_parent_access),
        )
        .route(
            Requires(WriteClinical, Scope::Person("id")),
            "safeguarding_override",
            routes!(record_override),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "not_for_parent",
            routes!(mark_not_for_parent),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "parent_contact_decision",
            routes!(record_parent_contact),
        )
        .route(
            Requires(ReadClinical, Scope::Referral("id")),
            "parent_contact_decision",
            routes!(parent_contact),
        )
        .route(
            Requires(ReadAsParentCarer, Scope::Person("id")),
            "parent_view",
            routes!(parent_view),
        )
}

/// A competence assessment to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentBody {
    /// Which decision the young person's competence was assessed for.
    pub decision: ConsentDecision,
    /// The referral it was made in (optional).
    #[serde(default)]
    pub referral_id: Option<String>,
    /// Outcome: competent for this decision.
    pub competent: bool,
    /// What the young person understood, in the assessor's words.
    pub rationale: String,
}

/// Gillick competence assessments recorded for a young person, oldest first.
#[utoipa::path(get, path = "/api/persons/{id}/competence-assessments", tag = "consent",
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<CompetenceAssessment>), (status = 404, body = Problem)))]
async fn list_assessments(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<CompetenceAssessment>>> {
    Ok(Json(state.store.competence_assessments(&id).await?))
}

/// Record a Gillick competence assessment for one decision (who and when are the caller and
/// now).
#[utoipa::path(post, path = "/api/persons/{id}/competence-assessments", tag = "consent",
    params(("id" = String, Path)), request_body = AssessmentBody,
    responses((status = 201, body = CompetenceAssessment), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn record_assessment(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value: body, .. }: JsonBody<AssessmentBody>,
) -> ApiResult<(StatusCode, Json<CompetenceAssessment>)> {
    let assessment = state
        .store
        .record_competence_assessment(
            &trail.signed_in(&principal),
            &id,
            NewAssessment {
                decision: body.decision,
                referral_id: body.referral_id,
                competent: body.competent,
                rationale: body.rationale,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(assessment)))
}

/// A parent's or carer's account to link to the young person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarerLinkBody {
    /// The parent's or carer's user id (an account holding the parent_carer role).
    pub user_id: String,
    /// How they are related, e.g. "mother", "foster carer".
    pub relationship: String,
}

/// The link made.
#[derive(Debug, Serialize, ToSchema)]
pub struct CarerLinkCreated {
    /// Link id.
    pub id: String,
}

/// Link a parent's or carer's account to the young person. The link alone shows them nothing.
#[utoipa::path(post, path = "/api/persons/{id}/carers", tag = "consent",
    params(("id" = String, Path)), request_body = CarerLinkBody,
    responses((status = 201, body = CarerLinkCreated), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn link_carer(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value: body, .. }: JsonBody<CarerLinkBody>,
) -> ApiResult<(StatusCode, Json<CarerLinkCreated>)> {
    let link = state
        .store
        .link_carer(
            &trail.signed_in(&principal),
            &id,
            &body.user_id,
            &body.relationship,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CarerLinkCreated { id: link })))
}

/// The basis on which a linked parent or carer may see the record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParentAccessBody {
    /// The parent/carer link.
    pub carer_link_id: String,
    /// `young_person_consent` or `best_interests`.
    pub basis: ParentAccessBasis,
    /// What the young person agreed to, or why sharing is in their best interests.
    pub rationale: String,
}

/// Record the young person's consent (or a best-interests decision) for a parent or carer to
/// see their record. Refused (422, naming `basis`) when the rules do not accept it.
#[utoipa::path(post, path = "/api/persons/{id}/parent-access-decisions", tag = "consent",
    params(("id" = String, Path)), request_body = ParentAccessBody,
    responses((status = 201, body = ParentAccessDecision), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn record_parent_access(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value: body, .. }: JsonBody<ParentAccessBody>,
) -> ApiResult<(StatusCode, Json<ParentAccessDecision>)> {
    let decision = state
        .store
        .record_parent_access_decision(
            &trail.signed_in(&principal),
            &id,
            &body.carer_link_id,
            body.basis,
            &body.rationale,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(decision)))
}

/// Withdraw a parent-access decision (consent withdrawn): access stops at once.
#[utoipa::path(post, path = "/api/persons/{id}/parent-access-decisions/{decision}/withdraw", tag = "consent",
    params(("id" = String, Path), ("decision" = String, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn withdraw_parent_access(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path((id, decision)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state
        .store
        .withdraw_parent_access_decision(&trail.signed_in(&principal), &id, &decision)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An explicit safeguarding override.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideBody {
    /// What it sets aside.
    pub scope: OverrideScope,
    /// The referral it concerns (optional).
    #[serde(default)]
    pub referral_id: Option<String>,
    /// The safeguarding reason (10+ characters; reviewed by the privacy officer).
    pub reason: String,
}

/// Record a safeguarding override: audited with the purpose "safeguarding override" and put
/// in the privacy officer's review queue.
#[utoipa::path(post, path = "/api/persons/{id}/safeguarding-overrides", tag = "consent",
    params(("id" = String, Path)), request_body = OverrideBody,
    responses((status = 201, body = SafeguardingOverride), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn record_override(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value: body, .. }: JsonBody<OverrideBody>,
) -> ApiResult<(StatusCode, Json<SafeguardingOverride>)> {
    let item = state
        .store
        .record_safeguarding_override(
            &trail.signed_in(&principal),
            &id,
            body.scope,
            body.referral_id,
            &body.reason,
        )
        .await?;
    tracing::warn!(override_id = %item.id, "safeguarding override recorded: queued for the privacy officer");
    Ok((StatusCode::CREATED, Json(item)))
}

/// An entry to keep from parents and carers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotForParentBody {
    /// The event's position in the referral's history; omit to mark the whole referral.
    #[serde(default)]
    pub seq: Option<u32>,
    /// Why.
    pub reason: String,
}

/// The mark made.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkCreated {
    /// Mark id.
    pub id: String,
}

/// Mark an entry of a referral (or all of it) "not for parent/carer".
#[utoipa::path(post, path = "/api/referrals/{id}/not-for-parent", tag = "consent",
    params(("id" = String, Path)), request_body = NotForParentBody,
    responses((status = 201, body = MarkCreated), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn mark_not_for_parent(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value: body, .. }: JsonBody<NotForParentBody>,
) -> ApiResult<(StatusCode, Json<MarkCreated>)> {
    let referral: ReferralId = parse_id(&id, "referral")?;
    let mark = state
        .store
        .mark_not_for_parent(
            &trail.signed_in(&principal),
            referral,
            body.seq,
            &body.reason,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(MarkCreated { id: mark })))
}

/// A clinician's decision about contacting a parent or carer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParentContactBody {
    /// Contact (true) or do not contact (false).
    pub contact: bool,
    /// Why.
    pub rationale: String,
}

/// Record a clinician's decision to contact (or not) a parent or carer about this referral.
#[utoipa::path(post, path = "/api/referrals/{id}/parent-contact-decisions", tag = "consent",
    params(("id" = String, Path)), request_body = ParentContactBody,
    responses((status = 201, body = ParentContactDecision), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn record_parent_contact(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value: body, .. }: JsonBody<ParentContactBody>,
) -> ApiResult<(StatusCode, Json<ParentContactDecision>)> {
    let referral: ReferralId = parse_id(&id, "referral")?;
    let decision = state
        .store
        .record_parent_contact_decision(
            &trail.signed_in(&principal),
            referral,
            body.contact,
            &body.rationale,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(decision)))
}

/// Whether a parent or carer may be contacted about this referral.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParentContactStatus {
    /// May a parent or carer be contacted?
    pub allowed: bool,
    /// On what basis, when allowed.
    pub basis: Option<ParentContactBasis>,
    /// Why not, when not.
    pub refusal: Option<ParentContactRefusal>,
    /// The refusal in plain words.
    pub message: Option<String>,
}

/// Whether a parent or carer may be contacted about this referral: the gate every contact
/// with a parent must pass.
#[utoipa::path(get, path = "/api/referrals/{id}/parent-contact", tag = "consent",
    params(("id" = String, Path)),
    responses((status = 200, body = ParentContactStatus), (status = 404, body = Problem)))]
async fn parent_contact(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ParentContactStatus>> {
    let referral: ReferralId = parse_id(&id, "referral")?;
    Ok(Json(match state.store.parent_contact(referral).await? {
        Ok(basis) => ParentContactStatus {
            allowed: true,
            basis: Some(basis),
            refusal: None,
            message: None,
        },
        Err(refusal) => ParentContactStatus {
            allowed: false,
            basis: None,
            message: Some(refusal.to_string()),
            refusal: Some(refusal),
        },
    }))
}

/// A parent's or carer's view of the young person's record: only with a recorded basis, and
/// never the entries marked "not for parent/carer".
#[utoipa::path(get, path = "/api/persons/{id}/parent-view", tag = "consent",
    params(("id" = String, Path)),
    responses((status = 200, body = ParentView), (status = 404, body = Problem)))]
async fn parent_view(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ParentView>> {
    Ok(Json(state.store.parent_view(&id).await?))
}
