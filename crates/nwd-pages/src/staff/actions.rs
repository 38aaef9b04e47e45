//! The referral page's forms after triage: add an allocation (a service in the directory),
//! record a contact (date, attendance code, consultation mechanism — the national codes of
//! `nwd_domain::codes`), step up or down, and discharge from one allocation with a discharge
//! code and the named place the young person goes next.
//!
//! Every form carries the version it was read at (the page's `If-Match`) and the session's
//! CSRF token (checked by the guard). When someone else changed the referral meanwhile, the
//! page comes back with what changed, every answer as typed, and the form moved to the current
//! version — nothing typed is lost. It does **not** own rules: the domain's `decide` does.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use jiff::civil::{Date, Time};
use jiff::Timestamp;
use nwd_domain::codes::{ConsultationMechanism, ContactStatus, DischargeReason};
use nwd_domain::need::{NeedGroup, StepDirection};
use nwd_domain::referral::measurement::{MissingMeasure, MissingMeasureReason};
use nwd_domain::referral::{
    AllocateCommand, Command, ContactInput, ContactKind, DischargeCommand, StepCommand,
};
use nwd_domain::{AllocationId, ReferralId, ServiceId};

use crate::form::FormData;
use crate::layout::{FieldMessage, PageError, PageResult};
use crate::staff::triage::{referral_page, PageInput};
use nwd_http::extract::{parse_id, Actor, Caller};
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// The longest contact the form accepts, in minutes (a whole working day).
const LONGEST_CONTACT_MINUTES: u16 = 600;

/// What the action forms hold: empty when read, as typed when a form comes back.
#[derive(Debug, Clone, Default)]
pub struct ActionForm {
    /// The version the forms were read at.
    pub version: u32,
    /// Which form was sent (`allocate`, `contact`, `step`, `discharge`), or "".
    pub which: &'static str,
    /// Service to add.
    pub allocate_service: String,
    /// Why it is added.
    pub allocate_reason: String,
    /// The allocation the contact belongs to.
    pub contact_allocation: String,
    /// Date of the contact, YYYY-MM-DD.
    pub contact_date: String,
    /// Time of the contact, HH:MM.
    pub contact_time: String,
    /// Attendance (API name of `ContactStatus`).
    pub contact_status: String,
    /// Consultation mechanism (API name).
    pub contact_mechanism: String,
    /// Clinician or practitioner.
    pub contact_clinician: String,
    /// Minutes.
    pub contact_minutes: String,
    /// `up` or `down`.
    pub step_direction: String,
    /// New need group (API name).
    pub step_to: String,
    /// Why.
    pub step_reason: String,
    /// Allocations that end with the step.
    pub step_end: Vec<String>,
    /// Services to allocate to with the step.
    pub step_allocate: Vec<String>,
    /// The allocation to discharge from.
    pub discharge_allocation: String,
    /// Discharge code (API name of `DischargeReason`).
    pub discharge_reason: String,
    /// Where the young person goes next, named.
    pub discharge_destination: String,
    /// Note.
    pub discharge_note: String,
    /// "yes" when the person confirmed that the discharge may close the referral.
    pub discharge_confirm: String,
    /// Why no closing outcome measure (code of `MissingMeasureReason`), or "".
    pub discharge_missing_measure: String,
    /// Its note.
    pub discharge_missing_note: String,
    /// The forms of `crate::staff::destinations` (decline, transition), as typed.
    pub destinations: crate::staff::destinations::DestinationForm,
    /// The transition plan and outcome forms.
    pub transition: crate::staff::transitions::TransitionForm,
}

impl ActionForm {
    /// The forms as first shown: at `version`, the contact dated now and recorded by `clinician`.
    pub fn fresh(version: u32, now: Timestamp, state: &AppState, clinician: &str) -> ActionForm {
        let zoned = now.to_zoned(state.store.tz().clone());
        ActionForm {
            version,
            contact_date: zoned.date().to_string(),
            contact_time: zoned.strftime("%H:%M").to_string(),
            contact_clinician: clinician.to_owned(),
            contact_minutes: "50".into(),
            ..ActionForm::default()
        }
    }

    pub(crate) fn from_form(form: &FormData, which: &'static str) -> ActionForm {
        let text = |name: &str| form.first(name).to_owned();
        let list = |name: &str| {
            form.all(name)
                .iter()
                .map(|s| (*s).to_owned())
                .collect::<Vec<_>>()
        };
        ActionForm {
            version: form.first("version").parse().unwrap_or(0),
            which,
            allocate_service: text("allocate-service"),
            allocate_reason: text("allocate-reason"),
            contact_allocation: text("contact-allocation"),
            contact_date: text("contact-date"),
            contact_time: text("contact-time"),
            contact_status: text("contact-status"),
            contact_mechanism: text("contact-mechanism"),
            contact_clinician: text("contact-clinician"),
            contact_minutes: text("contact-minutes"),
            step_direction: text("step-direction"),
            step_to: text("step-to"),
            step_reason: text("step-reason"),
            step_end: list("step-end"),
            step_allocate: list("step-allocate"),
            discharge_allocation: text("discharge-allocation"),
            discharge_reason: text("discharge-reason"),
            discharge_destination: text("discharge-destination"),
            discharge_note: text("discharge-note"),
            discharge_confirm: text("discharge-confirm"),
            discharge_missing_measure: text("discharge-missing-measure"),
            discharge_missing_note: text("discharge-missing-note"),
            destinations: crate::staff::destinations::DestinationForm::from_form(form),
            transition: crate::staff::transitions::TransitionForm::from_form(form),
        }
    }
}

/// Adds an allocation to another service in the directory.
#[utoipa::path(post, path = "/staff/referrals/{id}/allocate", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Allocated: back to the referral"), (status = 409, description = "Someone else changed the referral", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn allocate(
    trail: RequestAudit,
    State(state): State<AppState>,
    caller: Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let typed = ActionForm::from_form(&FormData::parse(&body), "allocate");
    let mut errors = Vec::new();
    let service_id = typed.allocate_service.parse::<ServiceId>().ok();
    if service_id.is_none() {
        errors.push(FieldMessage::new(
            "allocate-service",
            "Choose a service from the directory",
        ));
    }
    if typed.allocate_reason.trim().is_empty() {
        errors.push(FieldMessage::new(
            "allocate-reason",
            "Say why this service is being added",
        ));
    }
    let command = service_id.map(|service_id| {
        Command::Allocate(AllocateCommand {
            service_id,
            reason: typed.allocate_reason.trim().to_owned(),
        })
    });
    submit(&trail, &state, caller, actor, &id, typed, errors, command).await
}

/// Records a contact with its date, attendance code and consultation mechanism.
#[utoipa::path(post, path = "/staff/referrals/{id}/contacts", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Recorded: back to the referral"), (status = 409, description = "Someone else changed the referral", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn record_contact(
    trail: RequestAudit,
    State(state): State<AppState>,
    caller: Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let typed = ActionForm::from_form(&FormData::parse(&body), "contact");
    let mut errors = Vec::new();
    let allocation_id = typed.contact_allocation.parse::<AllocationId>().ok();
    if allocation_id.is_none() {
        errors.push(FieldMessage::new(
            "contact-allocation",
            "Choose the service the contact was with",
        ));
    }
    let date = typed.contact_date.trim().parse::<Date>().ok();
    if date.is_none() {
        errors.push(FieldMessage::new(
            "contact-date",
            "Enter the date of the contact, for example 2026-03-27",
        ));
    }
    let time = typed.contact_time.trim().parse::<Time>().ok();
    if time.is_none() {
        errors.push(FieldMessage::new(
            "contact-time",
            "Enter the time of the contact, for example 14:30",
        ));
    }
    let at = match (date, time) {
        (Some(date), Some(time)) => match date.to_datetime(time).to_zoned(state.store.tz().clone())
        {
            Ok(zoned) => Some(zoned.timestamp()),
            Err(_) => {
                errors.push(FieldMessage::new(
                    "contact-time",
                    "That time does not exist on that date (the clocks changed): choose another",
                ));
                None
            }
        },
        _ => None,
    };
    let status = ContactStatus::parse(&typed.contact_status).ok();
    if status.is_none() {
        errors.push(FieldMessage::new(
            "contact-status",
            "Choose whether the young person attended",
        ));
    }
    let mechanism = ConsultationMechanism::parse(&typed.contact_mechanism).ok();
    if mechanism.is_none() {
        errors.push(FieldMessage::new(
            "contact-mechanism",
            "Choose how the contact happened",
        ));
    }
    if typed.contact_clinician.trim().is_empty() {
        errors.push(FieldMessage::new(
            "contact-clinician",
            "Enter who saw the young person",
        ));
    }
    let minutes = typed
        .contact_minutes
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|m| (1..=LONGEST_CONTACT_MINUTES).contains(m));
    if minutes.is_none() {
        errors.push(FieldMessage::new(
            "contact-minutes",
            format!(
                "Enter how long the contact took, in minutes, from 1 to {LONGEST_CONTACT_MINUTES}"
            ),
        ));
    }
    let command = match (allocation_id, at, status, mechanism, minutes) {
        (Some(allocation_id), Some(at), Some(status), Some(mechanism), Some(duration_minutes)) => {
            Some(Command::RecordContact(ContactInput {
                allocation_id,
                at,
                status,
                mechanism,
                clinician: typed.contact_clinician.trim().to_owned(),
                duration_minutes,
                kind: ContactKind::Direct,
            }))
        }
        _ => None,
    };
    submit(&trail, &state, caller, actor, &id, typed, errors, command).await
}

/// Steps up or down: a new need group, allocations ended and added (their wait starts now).
#[utoipa::path(post, path = "/staff/referrals/{id}/step", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Stepped: back to the referral"), (status = 409, description = "Someone else changed the referral", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn step(
    trail: RequestAudit,
    State(state): State<AppState>,
    caller: Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let typed = ActionForm::from_form(&FormData::parse(&body), "step");
    let mut errors = Vec::new();
    let direction = match typed.step_direction.as_str() {
        "up" => Some(StepDirection::Up),
        "down" => Some(StepDirection::Down),
        _ => {
            errors.push(FieldMessage::new(
                "step-direction",
                "Choose step up or step down",
            ));
            None
        }
    };
    let to = NeedGroup::parse(&typed.step_to).ok();
    if to.is_none() {
        errors.push(FieldMessage::new(
            "step-to",
            "Choose the need group agreed with the young person",
        ));
    }
    if typed.step_reason.trim().is_empty() {
        errors.push(FieldMessage::new(
            "step-reason",
            "Say why: the reason is part of the record",
        ));
    }
    let end_allocations: Vec<AllocationId> = typed
        .step_end
        .iter()
        .filter_map(|a| a.parse().ok())
        .collect();
    if end_allocations.len() != typed.step_end.len() {
        errors.push(FieldMessage::new(
            "step-end",
            "Choose allocations from the list",
        ));
    }
    let allocate: Vec<ServiceId> = typed
        .step_allocate
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    if allocate.len() != typed.step_allocate.len() {
        errors.push(FieldMessage::new(
            "step-allocate",
            "Choose services from the list",
        ));
    }
    let command = match (direction, to) {
        (Some(direction), Some(to)) => Some(Command::Step(StepCommand {
            direction,
            to,
            reason: typed.step_reason.trim().to_owned(),
            end_allocations,
            allocate,
        })),
        _ => None,
    };
    submit(&trail, &state, caller, actor, &id, typed, errors, command).await
}

/// Discharges from one allocation with a discharge code and the named destination.
#[utoipa::path(post, path = "/staff/referrals/{id}/discharge", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Discharged: back to the referral"), (status = 409, description = "Someone else changed the referral", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn discharge(
    trail: RequestAudit,
    State(state): State<AppState>,
    caller: Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let typed = ActionForm::from_form(&FormData::parse(&body), "discharge");
    let mut errors = Vec::new();
    let allocation_id = typed.discharge_allocation.parse::<AllocationId>().ok();
    if allocation_id.is_none() {
        errors.push(FieldMessage::new(
            "discharge-allocation",
            "Choose the service the young person is leaving",
        ));
    }
    let reason = DischargeReason::parse(&typed.discharge_reason)
        .ok()
        .filter(|r| r.accepted_at_discharge());
    if reason.is_none() {
        errors.push(FieldMessage::new(
            "discharge-reason",
            "Choose the discharge code",
        ));
    }
    let destination = typed.discharge_destination.trim();
    if destination.is_empty() {
        errors.push(FieldMessage::new(
            "discharge-destination",
            "Name where the young person goes next (a service, their GP, or \"no further help needed\")",
        ));
    }
    if typed.discharge_confirm != "yes" {
        errors.push(FieldMessage::new(
            "discharge-confirm",
            "Confirm the discharge: when it is the last service, the referral closes",
        ));
    }
    // The domain's discharge carries a code and a note; the named destination leads the
    // note so that the timeline and the record always say where the young person went.
    let note = match typed.discharge_note.trim() {
        "" => format!("Destination: {destination}"),
        note => format!("Destination: {destination}. {note}"),
    };
    let without_closing_measure = match typed.discharge_missing_measure.as_str() {
        "" => None,
        code => match MissingMeasureReason::parse(code) {
            Some(reason) => Some(MissingMeasure {
                reason,
                note: Some(typed.discharge_missing_note.trim().to_owned())
                    .filter(|n| !n.is_empty()),
            }),
            None => {
                errors.push(FieldMessage::new(
                    "discharge-missing-measure",
                    "Choose why no closing outcome measure was recorded",
                ));
                None
            }
        },
    };
    let command = match (allocation_id, reason) {
        (Some(allocation_id), Some(reason)) => Some(Command::Discharge(DischargeCommand {
            allocation_id,
            reason,
            note: Some(note),
            without_closing_measure,
        })),
        _ => None,
    };
    submit(&trail, &state, caller, actor, &id, typed, errors, command).await
}

/// Runs `command` at the version the form was read at; on any problem renders the referral
/// page again with the answers as typed. `trail` is the request's audit entry, which the
/// change commits with.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn submit(
    trail: &RequestAudit,
    state: &AppState,
    Caller(principal): Caller,
    actor: Actor,
    id: &str,
    typed: ActionForm,
    errors: Vec<FieldMessage>,
    command: Option<Command>,
) -> PageResult {
    let id = parse_id::<ReferralId>(id, "referral").map_err(PageError::staff)?;
    let current = state.store.referral(id).await.map_err(PageError::staff)?;
    let which = typed.which;
    let again = |referral, actions: ActionForm, errors, conflict, status| {
        let input = PageInput {
            triage: crate::staff::triage::TriageForm {
                version: actions.version,
                ..Default::default()
            },
            actions,
            errors,
            conflict,
            status,
            urgency: Default::default(),
            done: None,
        };
        referral_page(state, &principal, referral, input)
    };
    let Some(command) = command.filter(|_| errors.is_empty()) else {
        return again(
            current,
            typed,
            errors,
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match trail
        .change_referral(state, &principal, id, typed.version, command, &actor.0)
        .await
    {
        Ok(_) => crate::staff::destinations::after_change(state, &principal, id, which).await,
        Err(error) => match ApiError::from(error) {
            ApiError::Conflict {
                current: version,
                changes,
                ..
            } => {
                // Keep every answer; move the form to the current version so that sending it
                // again is a decision made knowing the changes listed.
                let now = state.store.referral(id).await.map_err(PageError::staff)?;
                let typed = ActionForm { version, ..typed };
                again(now, typed, Vec::new(), changes, StatusCode::CONFLICT).await
            }
            ApiError::Invalid(fields) => {
                let errors = fields
                    .into_iter()
                    .map(|f| FieldMessage::new(field_id(which, &f.field), f.message))
                    .collect();
                again(
                    current,
                    typed,
                    errors,
                    Vec::new(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            ApiError::IllegalTransition(message) | ApiError::NotFound(message) => {
                let errors = vec![FieldMessage::new(field_id(which, ""), message)];
                again(current, typed, errors, Vec::new(), StatusCode::CONFLICT).await
            }
            other => Err(PageError::staff(other)),
        },
    }
}

/// The form field a domain error's field path belongs to (the form's first field when the
/// path names none of them).
fn field_id(which: &str, path: &str) -> &'static str {
    let field = path.split(['.', '[']).next().unwrap_or("");
    match (which, field) {
        ("allocate", "reason") => "allocate-reason",
        ("allocate", _) => "allocate-service",
        ("contact", "at") => "contact-date",
        ("contact", "status") => "contact-status",
        ("contact", "mechanism") => "contact-mechanism",
        ("contact", "clinician") => "contact-clinician",
        ("contact", "duration_minutes") => "contact-minutes",
        ("contact", _) => "contact-allocation",
        ("step", "to") => "step-to",
        ("step", "reason") => "step-reason",
        ("step", "end_allocations") => "step-end",
        ("step", "allocate") => "step-allocate",
        ("step", _) => "step-direction",
        ("discharge", "reason") => "discharge-reason",
        ("discharge", "without_closing_measure") if path.ends_with(".note") => {
            "discharge-missing-note"
        }
        ("discharge", "without_closing_measure") => "discharge-missing-measure",
        ("discharge", "note") => "discharge-note",
        ("decline", _) => "decline-reason",
        ("plan", "planned_on") => "plan-date",
        ("plan", "receiving_service_id" | "receiving_service") => "plan-service",
        ("plan", "outcome") => "plan-outcome",
        ("plan", "note") => "plan-note",
        ("plan", _) => "plan-allocation",
        ("transition", "receiving_service") => "transition-service",
        ("transition", "note") => "transition-note",
        ("transition", _) => "transition-allocation",
        _ => "discharge-allocation",
    }
}

#[cfg(test)]
mod tests {
    use super::field_id;

    #[test]
    fn domain_field_paths_point_at_the_form_field_that_holds_them() {
        for (which, path, id) in [
            ("allocate", "reason", "allocate-reason"),
            ("allocate", "service_id", "allocate-service"),
            ("contact", "at", "contact-date"),
            ("contact", "duration_minutes", "contact-minutes"),
            ("contact", "allocation_id", "contact-allocation"),
            ("step", "allocate[0]", "step-allocate"),
            ("step", "end_allocations[1]", "step-end"),
            ("step", "", "step-direction"),
            ("discharge", "note", "discharge-note"),
            (
                "discharge",
                "without_closing_measure",
                "discharge-missing-measure",
            ),
            (
                "discharge",
                "without_closing_measure.note",
                "discharge-missing-note",
            ),
            ("discharge", "allocation_id", "discharge-allocation"),
            ("plan", "planned_on", "plan-date"),
            ("plan", "receiving_service_id", "plan-service"),
            ("plan", "", "plan-allocation"),
        ] {
            assert_eq!(field_id(which, path), id, "{which} {path}");
        }
    }
}
