//! The privacy officer's tools — who accessed a young person's record, everything a user
//! accessed (break-glass highlighted; exportable for a subject access request), verification
//! of the audit chain, the break-glass and safeguarding-override review queues, the subject
//! access request export (CSV or JSON download) — and the external referrer's view of what
//! they sent.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use nwd_domain::authz::{Permission::*, Policy::*, Scope};
use nwd_store::audit::AuditVerification;
use nwd_store::auth::BreakGlassGrant;
use nwd_store::consent::QueuedOverride;
use nwd_store::privacy::ReviewItem;
use nwd_store::{ReferralSearch, ReferralSort};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use nwd_http::extract::{Caller, JsonBody};
use nwd_http::problem::{ApiResult, Problem};
use nwd_http::secure::RequestAudit;
use nwd_http::secure::SecureRouter;
use nwd_http::AppState;
use nwd_usecase::privacy::{export, report, AuditReport, Review};

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(
            Requires(AuditReports, Scope::None),
            "audit",
            routes!(person_report),
        )
        .route(
            Requires(AuditReports, Scope::None),
            "audit",
            routes!(user_report),
        )
        .route(
            Requires(AuditReports, Scope::None),
            "audit",
            routes!(verify),
        )
        .route(
            Requires(ReviewBreakGlass, Scope::None),
            "break_glass",
            routes!(break_glass_queue),
        )
        .route(
            Requires(ReviewBreakGlass, Scope::None),
            "break_glass",
            routes!(review_break_glass),
        )
        .route(
            Requires(AuditReports, Scope::None),
            "audit",
            routes!(person_export),
        )
        .route(
            Requires(ReviewBreakGlass, Scope::None),
            "safeguarding_override",
            routes!(safeguarding_queue),
        )
        .route(
            Requires(ReviewBreakGlass, Scope::None),
            "safeguarding_override",
            routes!(review_safeguarding_override),
        )
        .route(
            Requires(ViewSentReferrals, Scope::None),
            "referral_status",
            routes!(sent_referrals),
        )
}

/// The export formats.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportQuery {
    /// `csv` (default) or `json`.
    #[serde(default)]
    pub format: Option<String>,
}

/// Who accessed one young person's record (for the privacy officer and subject access
/// requests).
#[utoipa::path(get, path = "/api/audit/persons/{id}", tag = "privacy", params(("id" = String, Path)),
    responses((status = 200, body = AuditReport), (status = 403, body = Problem)))]
async fn person_report(
    trail: RequestAudit,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<AuditReport>> {
    trail.set_record("audit_report", id.clone());
    Ok(Json(report(state.store.audit_for_person(&id).await?)))
}

/// Subject access request: who accessed a young person's record, as a CSV or JSON download.
#[utoipa::path(get, path = "/api/audit/persons/{id}/export", tag = "privacy",
    params(("id" = String, Path), ExportQuery),
    responses((status = 200, description = "CSV or JSON download"), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn person_export(
    trail: RequestAudit,
    State(state): State<AppState>,
    Path(id): Path<String>,
    nwd_http::extract::QueryParams(query): nwd_http::extract::QueryParams<ExportQuery>,
) -> ApiResult<axum::response::Response> {
    trail.set_record("audit_report", id.clone());
    trail.set_detail(format!(
        "sar_export:{}",
        query.format.as_deref().unwrap_or("csv")
    ));
    let entries = state.store.audit_for_person(&id).await?;
    let download = export(&id, query.format.as_deref(), entries)?;
    Ok(nwd_http::headers::attachment(download))
}

/// Everything one user accessed.
#[utoipa::path(get, path = "/api/audit/users/{id}", tag = "privacy", params(("id" = String, Path)),
    responses((status = 200, body = AuditReport), (status = 403, body = Problem)))]
async fn user_report(
    trail: RequestAudit,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<AuditReport>> {
    trail.set_record("audit_report", id.clone());
    Ok(Json(report(state.store.audit_for_user(&id).await?)))
}

/// Recomputes the audit chain and names the first broken entry.
#[utoipa::path(get, path = "/api/audit/verify", tag = "privacy",
    responses((status = 200, body = AuditVerification), (status = 403, body = Problem)))]
async fn verify(State(state): State<AppState>) -> ApiResult<Json<AuditVerification>> {
    Ok(Json(state.store.verify_audit().await?))
}

/// Break-glass grants waiting for review.
#[utoipa::path(get, path = "/api/privacy/break-glass", tag = "privacy",
    responses((status = 200, body = Vec<BreakGlassGrant>), (status = 403, body = Problem)))]
async fn break_glass_queue(State(state): State<AppState>) -> ApiResult<Json<Vec<BreakGlassGrant>>> {
    Ok(Json(state.store.break_glass_queue().await?))
}

/// Records the review of a break-glass grant.
#[utoipa::path(post, path = "/api/privacy/break-glass/{id}/review", tag = "privacy",
    params(("id" = String, Path)), request_body = Review,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn review_break_glass(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value: body, .. }: JsonBody<Review>,
) -> ApiResult<StatusCode> {
    let outcome = body.check()?;
    state
        .store
        .record_review(
            &trail.signed_in(&principal),
            ReviewItem::BreakGlass,
            &id,
            outcome,
            body.note.trim(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Safeguarding overrides waiting for review.
#[utoipa::path(get, path = "/api/privacy/safeguarding-overrides", tag = "privacy",
    responses((status = 200, body = Vec<QueuedOverride>), (status = 403, body = Problem)))]
async fn safeguarding_queue(State(state): State<AppState>) -> ApiResult<Json<Vec<QueuedOverride>>> {
    Ok(Json(state.store.safeguarding_queue().await?))
}

/// Records the review of a safeguarding override.
#[utoipa::path(post, path = "/api/privacy/safeguarding-overrides/{id}/review", tag = "privacy",
    params(("id" = String, Path)), request_body = Review,
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn review_safeguarding_override(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    JsonBody { value: body, .. }: JsonBody<Review>,
) -> ApiResult<StatusCode> {
    let outcome = body.check()?;
    state
        .store
        .record_review(
            &trail.signed_in(&principal),
            ReviewItem::SafeguardingOverride,
            &id,
            outcome,
            body.note.trim(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What a referrer sees of a referral they sent: its status, never clinical content.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentReferral {
    /// Referral id.
    pub id: String,
    /// Received.
    #[schema(value_type = String)]
    pub received_at: jiff::Timestamp,
    /// `awaiting_triage`, `open` or `closed`.
    pub status: String,
}

/// The referrals the caller's organisation sent, newest first, with their status.
#[utoipa::path(get, path = "/api/referrals/sent", tag = "intake",
    responses((status = 200, body = Vec<SentReferral>), (status = 403, body = Problem)))]
async fn sent_referrals(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> ApiResult<Json<Vec<SentReferral>>> {
    let search = ReferralSearch {
        sort: ReferralSort::Newest,
        limit: 500,
        visible_to: Some(nwd_store::auth::Visibility {
            submitted_by_org: Some(principal.organisation_id.clone()),
            ..Default::default()
        }),
        ..ReferralSearch::default()
    };
    let page = state.store.search_referrals(&search).await?;
    Ok(Json(
        page.items
            .into_iter()
            .map(|r| SentReferral {
                id: r.id.to_string(),
                received_at: r.received_at,
                status: r.status.as_str().to_owned(),
            })
            .collect(),
    ))
}
