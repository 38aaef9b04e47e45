//! Priority and risk over HTTP: `POST /api/referrals/{id}/urgency` records a change of the
//! clinical response priority and/or the risk level, or a risk review date, with the reason
//! (`nwd_domain::referral::urgency`). Like every command it needs `If-Match` with the version
//! read; the guard allows it to the single point of access and to teams of a service the
//! young person is allocated to (a caller without that relationship gets 404, like a missing
//! id).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use nwd_domain::authz::{Permission::WriteClinical, Policy::Requires, Scope};
use nwd_domain::referral::{Command, UrgencyCommand};
use nwd_domain::ReferralId;
use utoipa_axum::routes;

use super::referrals::ReferralChange;
use nwd_http::extract::{parse_id, Actor, Caller, IfMatch, JsonBody};
use nwd_http::problem::{ApiResult, Problem};
use nwd_http::secure::{RequestAudit, SecureRouter};
use nwd_http::AppState;

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new().route(
        Requires(WriteClinical, Scope::Referral("id")),
        "referral",
        routes!(record_urgency),
    )
}

/// Record a change of priority and/or risk, or a risk review date, with the reason. Waiting
/// lists, breach dates, triage due and the crisis list follow the new priority at once.
#[utoipa::path(post, path = "/api/referrals/{id}/urgency", tag = "referrals", request_body = UrgencyCommand,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = ReferralChange), (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
async fn record_urgency(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    actor: Actor,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<UrgencyCommand>,
) -> ApiResult<Response> {
    let id = parse_id::<ReferralId>(&id, "referral")?;
    let (referral, events) = state
        .store
        .execute(
            &trail.signed_in(&principal),
            id,
            version.0,
            Command::RecordUrgency(body.value),
            &actor.0,
        )
        .await?;
    Ok(super::with_etag(
        StatusCode::OK,
        referral.version,
        ReferralChange { referral, events },
    ))
}
