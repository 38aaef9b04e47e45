//! The single point of access at work (the triage queue itself is [`crate::staff::queue`]): a
//! referral's page (the young person with how their record was matched, the allocations, the
//! whole timeline) and the triage form. The forms used after triage are in [`crate::staff::actions`]. Every form carries the
//! version it was read at; when someone else changed the referral meanwhile the page says
//! what changed and keeps every answer typed.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use nwd_domain::need::{NeedGroup, RiskLevel};
use nwd_domain::person::CompetenceDecision;
use nwd_domain::referral::{Command, DestinationRequest, Referral, TriageCommand};
use nwd_domain::{ReferralId, ServiceId};
use nwd_store::Change;
use serde::Deserialize;

use crate::form::FormData;
use crate::layout::{FieldMessage, PageError, PageResult};
use crate::staff::actions::ActionForm;
use nwd_http::extract::{parse_id, Actor, Caller};
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

mod common;
mod form;
mod intake;
mod page;
mod timeline;

pub use common::Choice;
pub(crate) use common::{choices, parse_area, reference_of, shown, waited};
pub use form::{AllocationRow, ChangeLine, PageInput, ServiceOption, TriageForm};
pub(crate) use page::referral_page;
pub use timeline::TimelineEntry;

/// The referral page's query: the allocation to record a contact for (from a service list).
#[derive(Debug, Default, Deserialize)]
pub struct ReferralQuery {
    /// Allocation id.
    pub allocation: Option<String>,
    /// What was just saved (`urgency`), for the success banner.
    pub saved: Option<String>,
    /// The action just done, for the success banner.
    pub done: Option<String>,
}

/// A referral: summary, the young person with how their record was matched, the whole
/// timeline, the triage form (while awaiting triage) and the forms used after it.
#[utoipa::path(get, path = "/staff/referrals/{id}", tag = "pages",
    params(("id" = String, Path), ("allocation" = Option<String>, Query, description = "Allocation to record a contact for")),
    responses((status = 200, description = "The referral page", content_type = "text/html"), (status = 404, description = "Not found")))]
pub async fn referral(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    Query(query): Query<ReferralQuery>,
) -> PageResult {
    let id = parse_id::<ReferralId>(&id, "referral").map_err(PageError::staff)?;
    let referral = state.store.referral(id).await.map_err(PageError::staff)?;
    let mut actions = ActionForm::fresh(
        referral.version,
        state.store.now(),
        &state,
        &principal.display_name,
    );
    if let Some(allocation) = query.allocation {
        actions.contact_allocation = allocation.clone();
        actions.discharge_allocation = allocation;
    }
    let input = PageInput {
        triage: TriageForm {
            version: referral.version,
            ..TriageForm::default()
        },
        actions,
        errors: Vec::new(),
        conflict: Vec::new(),
        status: StatusCode::OK,
        urgency: crate::staff::urgency::UrgencyForm {
            saved: query.saved.as_deref() == Some("urgency"),
            ..Default::default()
        },
        done: query.done,
    };
    referral_page(&state, &principal, referral, input).await
}

/// Records the triage decision at the version the form was read at.
#[utoipa::path(post, path = "/staff/referrals/{id}/triage", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Triaged: back to the referral"), (status = 409, description = "Someone else changed the referral", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn triage(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = parse_id::<ReferralId>(&id, "referral").map_err(PageError::staff)?;
    let form = FormData::parse(&body);
    let typed = TriageForm::from_form(&form);
    let mut errors = Vec::new();
    let need_group = NeedGroup::parse(&typed.need_group).ok();
    if need_group.is_none() {
        errors.push(FieldMessage::new(
            "need_group",
            "Choose the need group agreed with the young person",
        ));
    }
    let risk = [
        RiskLevel::Low,
        RiskLevel::Medium,
        RiskLevel::High,
        RiskLevel::Immediate,
    ]
    .into_iter()
    .find(|r| r.as_str() == typed.risk);
    if risk.is_none() {
        errors.push(FieldMessage::new("risk", "Choose the risk level"));
    }
    let priority = nwd_domain::codes::Priority::parse(&typed.priority).ok();
    if priority.is_none() {
        errors.push(FieldMessage::new(
            "priority",
            "Choose the clinical response priority",
        ));
    }
    let risk_review_on = match typed.review_on.trim() {
        "" => None,
        text => text.parse::<jiff::civil::Date>().ok().or_else(|| {
            errors.push(FieldMessage::new(
                "risk_review_on",
                "Enter the review date as a real date, for example 2026-12-24",
            ));
            None
        }),
    };
    if typed.rationale.trim().is_empty() {
        errors.push(FieldMessage::new(
            "rationale",
            "Say why: the rationale is part of the record",
        ));
    }
    let mut destinations = Vec::new();
    for service in &typed.allocate {
        match service.parse::<ServiceId>() {
            Ok(service_id) => destinations.push(DestinationRequest::Allocate { service_id }),
            Err(_) => errors.push(FieldMessage::new(
                "allocate",
                "Choose services from the list",
            )),
        }
    }
    destinations.extend(
        crate::staff::destinations::triage_requests(&state, &typed.destinations, &mut errors).await,
    );
    if destinations.is_empty() {
        errors.push(FieldMessage::new(
            "allocate",
            "Choose at least one destination: a service, a signposting, advice given or declined. Every referral goes somewhere named",
        ));
    }
    let competence = match typed.competent.as_str() {
        "" => None,
        answer => Some(CompetenceDecision {
            competent: answer == "yes",
            assessed_by: typed.assessed_by.trim().to_owned(),
            rationale: typed.competence_rationale.trim().to_owned(),
        }),
    };
    let current = state.store.referral(id).await.map_err(PageError::staff)?;
    let (Some(need_group), Some(risk), true) = (need_group, risk, errors.is_empty()) else {
        return triage_again(
            &state,
            &principal,
            current,
            typed,
            errors,
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let command = Command::Triage(TriageCommand {
        need_group,
        risk,
        priority,
        risk_review_on,
        rationale: typed.rationale.trim().to_owned(),
        preference: Some(typed.preference.trim().to_owned()).filter(|p| !p.is_empty()),
        destinations,
        competence,
    });
    match trail
        .change_referral(&state, &principal, id, typed.version, command, &actor.0)
        .await
    {
        Ok((_, events)) => {
            crate::staff::destinations::keep_preference_from_parents(
                &state,
                id,
                &typed.destinations,
                Some(typed.preference.as_str()),
                &events,
                &trail.signed_in(&principal),
            )
            .await?;
            crate::staff::destinations::after_change(&state, &principal, id, "triage").await
        }
        Err(error) => match ApiError::from(error) {
            ApiError::Conflict {
                current: version,
                changes,
                ..
            } => {
                // Keep what was typed; read the referral as it is now and move the form to
                // the current version, so a second submit is a decision made knowing the
                // changes listed.
                let now = state.store.referral(id).await.map_err(PageError::staff)?;
                let typed = TriageForm { version, ..typed };
                triage_again(
                    &state,
                    &principal,
                    now,
                    typed,
                    Vec::new(),
                    changes,
                    StatusCode::CONFLICT,
                )
                .await
            }
            ApiError::Invalid(fields) => {
                let errors = fields
                    .into_iter()
                    .map(|f| FieldMessage::new(field_id(&f.field), f.message))
                    .collect();
                triage_again(
                    &state,
                    &principal,
                    current,
                    typed,
                    errors,
                    Vec::new(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            ApiError::IllegalTransition(message) => {
                let errors = vec![FieldMessage::new("need_group", message)];
                triage_again(
                    &state,
                    &principal,
                    current,
                    typed,
                    errors,
                    Vec::new(),
                    StatusCode::CONFLICT,
                )
                .await
            }
            other => Err(PageError::staff(other)),
        },
    }
}

/// The referral page again after a triage form came back, with the other forms fresh.
async fn triage_again(
    state: &AppState,
    principal: &nwd_store::auth::Principal,
    referral: Referral,
    typed: TriageForm,
    errors: Vec<FieldMessage>,
    conflict: Vec<Change>,
    status: StatusCode,
) -> PageResult {
    let actions = ActionForm::fresh(
        typed.version,
        state.store.now(),
        state,
        &principal.display_name,
    );
    let input = PageInput {
        triage: typed,
        actions,
        errors,
        conflict,
        status,
        urgency: Default::default(),
        done: None,
    };
    referral_page(state, principal, referral, input).await
}

/// The form field a domain error's field path belongs to.
fn field_id(field: &str) -> &'static str {
    if field.starts_with("destinations") {
        if let Some(id) = crate::staff::destinations::triage_field(field) {
            return id;
        }
    }
    match field.split(['.', '[']).next().unwrap_or("") {
        "need_group" => "need_group",
        "risk" => "risk",
        "priority" => "priority",
        "risk_review_on" => "risk_review_on",
        "rationale" => "rationale",
        "competence" => "competent",
        _ => "allocate",
    }
}
