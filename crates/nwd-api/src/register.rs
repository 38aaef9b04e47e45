//! The person register over HTTP: the match review queue and its decisions, merging and
//! unmerging records, "not the same person", and a record's history.

use axum::extract::{Path, State};
use axum::Json;
use nwd_domain::PersonId;
use nwd_store::{MatchReview, PersonHistory, PersonMerge, ReviewDecision};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;
use uuid::Uuid;

use nwd_domain::authz::{Permission::*, Policy::*, Scope};
use nwd_http::extract::Caller;
use nwd_http::extract::{parse_id, Actor, IfMatch, JsonBody, QueryParams};
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::RequestAudit;
use nwd_http::secure::SecureRouter;
use nwd_http::AppState;

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(
            Requires(ManageRegister, Scope::None),
            "match_review",
            routes!(list_reviews),
        )
        .route(
            Requires(ManageRegister, Scope::None),
            "match_review",
            routes!(get_review),
        )
        .route(
            Requires(ManageRegister, Scope::None),
            "match_review",
            routes!(decide_review),
        )
        .route(
            Requires(ManageRegister, Scope::Person("id")),
            "person",
            routes!(merge),
        )
        .route(
            Requires(ManageRegister, Scope::None),
            "person_merge",
            routes!(unmerge),
        )
        .route(
            Requires(ManageRegister, Scope::Person("id")),
            "person",
            routes!(not_same),
        )
        .route(
            Requires(ManageRegister, Scope::Person("id")),
            "person",
            routes!(history),
        )
}

/// Review queue filter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewParams {
    /// `open` (default), `linked`, `new_person` or `not_same`.
    pub status: Option<String>,
    /// Page size, 1–500 (default 100).
    pub limit: Option<u32>,
}

/// The match review queue: referrals whose person might already be registered, oldest first,
/// each with its candidates side by side and the matcher's field-by-field explanation.
#[utoipa::path(get, path = "/api/match-reviews", tag = "register", params(ReviewParams),
    responses((status = 200, body = Vec<MatchReview>), (status = 422, body = Problem)))]
async fn list_reviews(
    State(state): State<AppState>,
    _actor: Actor,
    QueryParams(params): QueryParams<ReviewParams>,
) -> ApiResult<Json<Vec<MatchReview>>> {
    let status = params.status.unwrap_or_else(|| "open".into());
    if !["open", "linked", "new_person", "not_same"].contains(&status.as_str()) {
        return Err(ApiError::field(
            "status",
            "allowed: open, linked, new_person, not_same",
        ));
    }
    let limit = params.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "choose a page size from 1 to 500"));
    }
    Ok(Json(state.store.match_reviews(&status, limit).await?))
}

/// One review item. Its ETag is its version.
#[utoipa::path(get, path = "/api/match-reviews/{id}", tag = "register", params(("id" = String, Path)),
    responses((status = 200, body = MatchReview), (status = 404, body = Problem)))]
async fn get_review(
    State(state): State<AppState>,
    _actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    let review = state
        .store
        .match_review(parse_id::<Uuid>(&id, "match review")?)
        .await?;
    Ok(super::with_etag(
        axum::http::StatusCode::OK,
        review.version,
        review,
    ))
}

/// A review decision.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionInput {
    /// `link` (with `person_id`), `new_person` or `not_same`.
    #[serde(flatten)]
    pub decision: ReviewDecision,
    /// Why (audited).
    pub reason: String,
}

/// Decide a review item: link (merges the provisional record into the chosen person), new
/// person, or not the same person (remembered).
#[utoipa::path(post, path = "/api/match-reviews/{id}/decision", tag = "register", request_body = DecisionInput,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = MatchReview), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
async fn decide_review(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    actor: Actor,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<DecisionInput>,
) -> ApiResult<Json<MatchReview>> {
    let id = parse_id::<Uuid>(&id, "match review")?;
    let input = body.value;
    Ok(Json(
        state
            .store
            .decide_review(
                &trail.signed_in(&principal),
                id,
                version.0,
                input.decision,
                &input.reason,
                &actor.0,
            )
            .await?,
    ))
}

/// Merge request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeInput {
    /// The record to merge into this one.
    pub merged_id: PersonId,
    /// Why (audited).
    pub reason: String,
}

/// Merge another record into this one: its referrals move here (each records the move).
#[utoipa::path(post, path = "/api/persons/{id}/merge", tag = "register", request_body = MergeInput,
    params(("id" = String, Path)),
    responses((status = 200, body = PersonMerge), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn merge(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: JsonBody<MergeInput>,
) -> ApiResult<Json<PersonMerge>> {
    let survivor = parse_id::<PersonId>(&id, "person")?;
    Ok(Json(
        state
            .store
            .merge_persons(
                &trail.signed_in(&principal),
                survivor,
                body.value.merged_id,
                &body.value.reason,
                &actor.0,
            )
            .await?,
    ))
}

/// A reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    /// Why (audited).
    pub reason: String,
}

/// Undo a merge exactly: the referrals it moved go back.
#[utoipa::path(post, path = "/api/person-merges/{id}/unmerge", tag = "register", request_body = ReasonInput,
    params(("id" = String, Path)),
    responses((status = 200, body = PersonMerge), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn unmerge(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: JsonBody<ReasonInput>,
) -> ApiResult<Json<PersonMerge>> {
    let id = parse_id::<Uuid>(&id, "merge")?;
    Ok(Json(
        state
            .store
            .unmerge(
                &trail.signed_in(&principal),
                id,
                &body.value.reason,
                &actor.0,
            )
            .await?,
    ))
}

/// "Not the same person" request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotSameInput {
    /// The other record.
    pub other_id: PersonId,
    /// Why (audited).
    pub reason: String,
}

/// Record that two records are not the same person; they will not be merged by mistake.
#[utoipa::path(post, path = "/api/persons/{id}/not-same", tag = "register", request_body = NotSameInput,
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn not_same(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: JsonBody<NotSameInput>,
) -> ApiResult<axum::http::StatusCode> {
    let id = parse_id::<PersonId>(&id, "person")?;
    state
        .store
        .record_not_same(
            &trail.signed_in(&principal),
            id,
            body.value.other_id,
            &body.value.reason,
            &actor.0,
        )
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// A record's register history: merges (with who, when, why), "not the same" records, referrals.
#[utoipa::path(get, path = "/api/persons/{id}/history", tag = "register", params(("id" = String, Path)),
    responses((status = 200, body = PersonHistory), (status = 404, body = Problem)))]
async fn history(
    State(state): State<AppState>,
    _actor: Actor,
    Path(id): Path<String>,
) -> ApiResult<Json<PersonHistory>> {
    Ok(Json(
        state
            .store
            .person_history(parse_id::<PersonId>(&id, "person")?)
            .await?,
    ))
}
