//! The referral lifecycle over HTTP: read and search, then one route per command. Every
//! command needs `If-Match` with the version read (the referral's ETag); a stale version is
//! answered 412 with the changes made meanwhile, and nothing is written.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use nwd_domain::referral::{RecordedEvent, Referral};
use nwd_domain::waits::{hidden_waits, HiddenWaits};
use nwd_domain::{PersonId, ReferralId};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use nwd_domain::authz::{Permission::*, Policy::*, Scope};
use nwd_http::extract::{parse_id, Actor};
use nwd_http::problem::{ApiResult, Problem};
use nwd_http::secure::SecureRouter;
use nwd_http::AppState;

mod commands;
mod outcomes;
mod search;

pub use commands::{ContactOutcomeInput, DeclineInput, DischargeInput};
pub use search::{referral_search, SearchParams};

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(
            Requires(SearchReferrals, Scope::None),
            "referral",
            routes!(search::search_referrals),
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
            routes!(commands::record_competence),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(commands::triage),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(commands::allocate),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "contact",
            routes!(commands::record_contact),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "contact",
            routes!(commands::record_contact_outcome),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(commands::step),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(commands::transition),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(commands::plan_transition),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "allocation",
            routes!(commands::discharge),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "referral",
            routes!(commands::decline),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "outcome",
            routes!(outcomes::record_outcome),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "outcome",
            routes!(outcomes::send_measure_link),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "outcome",
            routes!(outcomes::agree_goals),
        )
        .route(
            Requires(WriteClinical, Scope::Referral("id")),
            "outcome",
            routes!(outcomes::record_fhir_outcome),
        )
        .route(
            Requires(ReadClinical, Scope::Referral("id")),
            "outcome",
            routes!(outcomes::questionnaire_response),
        )
        .route(
            Requires(ReadClinical, Scope::Referral("id")),
            "outcome",
            routes!(outcomes::outcomes),
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
