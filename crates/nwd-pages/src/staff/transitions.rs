//! Transition from the referral page, in two steps (issue 14): **plan** it while the young
//! person is still with the service — the intended destination, the receiving service from
//! the directory (the domain checks it against the need group and the age on the planned
//! date) or the adult service's name, and the date — then, when it happens, **record the
//! outcome**, which ends the allocation (and closes the referral if it was the last).
//!
//! Each step is one domain command, the same the JSON API sends
//! (`POST /api/referrals/{id}/transition-plan` → `Command::PlanTransition`,
//! `POST /api/referrals/{id}/transition` → `Command::Transition`), executed at the version the
//! form was read at, then post/redirect/get with a success banner
//! ([`crate::staff::destinations::after_change`]).
//!
//! It does **not** own rules: `Referral::decide` and `nwd_domain::fit` do.

use axum::body::Bytes;
use axum::extract::{Path, State};
use jiff::civil::Date;
use nwd_domain::codes::TransitionOutcome;
use nwd_domain::fit::check_receiving_service;
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::{Command, Referral, TransitionCommand, TransitionPlanCommand};
use nwd_domain::{AllocationId, ReferralId, ServiceId};

use crate::form::FormData;
use crate::layout::{FieldMessage, PageError, PageResult};
use crate::staff::actions::{submit, ActionForm};
use crate::staff::service_fit::RankedService;
use crate::staff::triage::Choice;
use nwd_http::extract::{parse_id, Actor, Caller};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// The plan and outcome forms, as typed.
#[derive(Debug, Clone, Default)]
pub struct TransitionForm {
    /// Plan: the allocation the young person will leave.
    pub plan_allocation: String,
    /// Plan: the intended destination (API name of `TransitionOutcome`).
    pub plan_outcome: String,
    /// Plan: the receiving service in the directory (its id), or "".
    pub plan_service: String,
    /// Plan: a receiving service outside the directory, or "".
    pub plan_name: String,
    /// Plan: the planned date, YYYY-MM-DD.
    pub plan_date: String,
    /// Plan: note.
    pub plan_note: String,
    /// Outcome: the allocation that ends.
    pub transition_allocation: String,
    /// Outcome: the receiving service in the directory (its id), or "".
    pub transition_service: String,
    /// Outcome: a receiving service outside the directory (an adult service), or "".
    pub transition_name: String,
    /// Outcome: where they went (API name of `TransitionOutcome`).
    pub transition_outcome: String,
    /// Outcome: note.
    pub transition_note: String,
    /// Outcome: "yes" when confirmed.
    pub transition_confirm: String,
}

impl TransitionForm {
    /// Reads the fields of both forms.
    pub fn from_form(form: &FormData) -> TransitionForm {
        let text = |name: &str| form.first(name).to_owned();
        TransitionForm {
            plan_allocation: text("plan-allocation"),
            plan_outcome: text("plan-outcome"),
            plan_service: text("plan-service"),
            plan_name: text("plan-name"),
            plan_date: text("plan-date"),
            plan_note: text("plan-note"),
            transition_allocation: text("transition-allocation"),
            transition_service: text("transition-service"),
            transition_name: text("transition-name"),
            transition_outcome: text("transition-outcome"),
            transition_note: text("transition-note"),
            transition_confirm: text("transition-confirm"),
        }
    }
}

/// A current plan, as shown on the referral page.
pub struct PlanRow {
    /// The service they will leave.
    pub service: String,
    /// The planned date.
    pub date: String,
    /// The intended destination, with the receiving service.
    pub destination: String,
    /// Note.
    pub note: String,
}

/// What the referral page needs for the two transition forms.
pub struct Section {
    /// Current plans of open allocations.
    pub plans: Vec<PlanRow>,
    /// Open allocations to plan for.
    pub plan_allocations: Vec<Choice>,
    /// Open allocations whose outcome can be recorded.
    pub allocations: Vec<Choice>,
    /// Receiving services for the plan (need group first, old enough).
    pub plan_services: Vec<Choice>,
    /// Receiving services for the outcome.
    pub services: Vec<Choice>,
    /// Destinations for the plan.
    pub plan_outcomes: Vec<Choice>,
    /// Destinations for the outcome.
    pub outcomes: Vec<Choice>,
}

/// The transition section of the referral page, with what was typed selected. `age` is the
/// young person's age today: services that end before it are not offered.
pub fn section(
    referral: &Referral,
    ranked: &[RankedService],
    typed: &TransitionForm,
    age: i16,
    service_name: &dyn Fn(ServiceId) -> String,
) -> Section {
    let services = |selected: &str| -> Vec<Choice> {
        ranked
            .iter()
            .filter(|r| r.fit.need_group && r.service.details.age_to >= age)
            .map(|r| Choice {
                value: r.service.id.to_string(),
                label: r.label.clone(),
                selected: r.service.id.to_string() == selected,
            })
            .collect()
    };
    let outcomes = |selected: &str| -> Vec<Choice> {
        TransitionOutcome::ALL
            .iter()
            .map(|o| Choice {
                value: o.as_str().to_owned(),
                label: o.label().to_owned(),
                selected: o.as_str() == selected,
            })
            .collect()
    };
    let allocations = |selected: &str| -> Vec<Choice> {
        referral
            .active_allocations()
            .map(|a| Choice {
                value: a.id.to_string(),
                label: format!("{} ({})", service_name(a.service_id), a.need_group.label()),
                selected: a.id.to_string() == selected,
            })
            .collect()
    };
    // The outcome form starts from the plan, when there is one and nothing was typed.
    let plan = referral.open_transition_plans().into_iter().next_back();
    let outcome_typed = match (typed.transition_outcome.as_str(), plan) {
        ("", Some(plan)) => plan.outcome.as_str(),
        (typed, _) => typed,
    };
    let plans = referral
        .open_transition_plans()
        .into_iter()
        .map(|p| PlanRow {
            service: referral
                .allocation(p.allocation_id)
                .map(|a| service_name(a.service_id))
                .unwrap_or_default(),
            date: p.planned_on.strftime("%-d %B %Y").to_string(),
            destination: match &p.receiving_service {
                Some(name) => format!("{}: {name}", p.outcome.label()),
                None => p.outcome.label().to_owned(),
            },
            note: p.note.clone().unwrap_or_default(),
        })
        .collect();
    Section {
        plans,
        plan_allocations: allocations(&typed.plan_allocation),
        allocations: allocations(&typed.transition_allocation),
        plan_services: services(&typed.plan_service),
        services: services(&typed.transition_service),
        plan_outcomes: outcomes(&typed.plan_outcome),
        outcomes: outcomes(outcome_typed),
    }
}

/// The success banner after a plan: what was planned, read from the referral (None when it
/// holds no plan, e.g. a hand-typed `?done=plan`).
pub fn planned_message(
    referral: &Referral,
    service_name: &dyn Fn(ServiceId) -> String,
) -> Option<String> {
    let plan = referral.transition_plans.last()?;
    let leaving = referral
        .allocation(plan.allocation_id)
        .map(|a| service_name(a.service_id))
        .unwrap_or_default();
    Some(format!(
        "Transition planned from {leaving} for {}: {}.",
        plan.planned_on.strftime("%-d %B %Y"),
        plan.receiving_service
            .as_deref()
            .unwrap_or(plan.outcome.label())
    ))
}

/// Plans a transition (the API's `POST /api/referrals/{id}/transition-plan`, the same
/// command). The allocation stays open.
#[utoipa::path(post, path = "/staff/referrals/{id}/transition-plan", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Planned: back to the referral"), (status = 409, description = "Someone else changed the referral", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn plan(
    trail: RequestAudit,
    State(state): State<AppState>,
    caller: Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let typed = ActionForm::from_form(&FormData::parse(&body), "plan");
    let form = &typed.transition;
    let mut errors = Vec::new();
    let allocation_id = form.plan_allocation.parse::<AllocationId>().ok();
    if allocation_id.is_none() {
        errors.push(FieldMessage::new(
            "plan-allocation",
            "Choose the service the young person will leave",
        ));
    }
    let outcome = TransitionOutcome::parse(&form.plan_outcome).ok();
    if outcome.is_none() {
        errors.push(FieldMessage::new(
            "plan-outcome",
            "Choose where the young person is planned to go",
        ));
    }
    let planned_on = form.plan_date.trim().parse::<Date>().ok();
    if planned_on.is_none() {
        errors.push(FieldMessage::new(
            "plan-date",
            "Enter the planned date, for example 2027-09-01",
        ));
    }
    let receiving_service_id = match form.plan_service.as_str() {
        "" => None,
        id => match id.parse::<ServiceId>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldMessage::new(
                    "plan-service",
                    "Choose a receiving service from the directory",
                ));
                None
            }
        },
    };
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let command = match (allocation_id, outcome, planned_on) {
        (Some(allocation_id), Some(outcome), Some(planned_on)) => {
            Some(Command::PlanTransition(TransitionPlanCommand {
                allocation_id,
                planned_on,
                outcome,
                receiving_service_id,
                receiving_service: text(&form.plan_name),
                note: text(&form.plan_note),
            }))
        }
        _ => None,
    };
    submit(&trail, &state, caller, actor, &id, typed, errors, command).await
}

/// Records a transition's outcome: the allocation ends, the young person moves to the
/// receiving service (from the directory, checked against the need group and their age on
/// the planned date, or today when nothing was planned; or named when it is outside it). The
/// API's `POST /api/referrals/{id}/transition`, the same command.
#[utoipa::path(post, path = "/staff/referrals/{id}/transition", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Recorded: back to the referral"), (status = 409, description = "Someone else changed the referral", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn record(
    trail: RequestAudit,
    State(state): State<AppState>,
    caller: Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let typed = ActionForm::from_form(&FormData::parse(&body), "transition");
    let form = &typed.transition;
    let mut errors = Vec::new();
    let referral_id = parse_id::<ReferralId>(&id, "referral").map_err(PageError::staff)?;
    let referral = state
        .store
        .referral(referral_id)
        .await
        .map_err(PageError::staff)?;
    let allocation_id = form.transition_allocation.parse::<AllocationId>().ok();
    if allocation_id.is_none() {
        errors.push(FieldMessage::new(
            "transition-allocation",
            "Choose the service the young person is leaving",
        ));
    }
    let outcome = TransitionOutcome::parse(&form.transition_outcome).ok();
    if outcome.is_none() {
        errors.push(FieldMessage::new(
            "transition-outcome",
            "Choose where the young person went",
        ));
    }
    if form.transition_confirm != "yes" {
        errors.push(FieldMessage::new(
            "transition-confirm",
            "Confirm the transition: the service ends, and the referral closes if it is the last",
        ));
    }
    let plan = allocation_id.and_then(|a| referral.transition_plan(a));
    let on = match plan {
        Some(plan) => plan.planned_on,
        None => state.store.now().to_zoned(state.store.tz().clone()).date(),
    };
    let need_group = referral.need_group.unwrap_or(NeedGroup::GettingHelp);
    let mut receiving = Some(form.transition_name.trim().to_owned()).filter(|n| !n.is_empty());
    if !form.transition_service.is_empty() {
        let found = match form.transition_service.parse::<ServiceId>() {
            Ok(service_id) => state.store.service(service_id).await.ok(),
            Err(_) => None,
        };
        match found {
            None => errors.push(FieldMessage::new(
                "transition-service",
                "Choose a receiving service from the directory",
            )),
            Some((service, _)) => {
                let person = state
                    .store
                    .person(referral.person_id)
                    .await
                    .map_err(PageError::staff)?;
                if let Err(why) = check_receiving_service(
                    &service.details,
                    need_group,
                    person.details.date_of_birth,
                    on,
                ) {
                    errors.push(FieldMessage::new("transition-service", why));
                }
                receiving = Some(service.details.name);
            }
        }
    }
    // As planned: the plan's receiving service when the outcome is the planned one.
    let as_planned = plan.filter(|p| Some(p.outcome) == outcome);
    if receiving.is_none() {
        receiving = as_planned.and_then(|p| p.receiving_service.clone());
    }
    if receiving.is_none()
        && outcome.is_some_and(nwd_domain::referral::transition_plan::needs_receiving_service)
    {
        errors.push(FieldMessage::new(
            "transition-service",
            "Choose the receiving service from the directory, or name the adult service",
        ));
    }
    let note = Some(form.transition_note.trim().to_owned()).filter(|n| !n.is_empty());
    let command = match (allocation_id, outcome) {
        (Some(allocation_id), Some(outcome)) => Some(Command::Transition(TransitionCommand {
            allocation_id,
            outcome,
            need_group,
            receiving_service: receiving,
            note,
        })),
        _ => None,
    };
    submit(&trail, &state, caller, actor, &id, typed, errors, command).await
}
