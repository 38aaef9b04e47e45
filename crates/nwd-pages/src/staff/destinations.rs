//! Every destination from the referral page besides allocation: at triage, signposting to a
//! named service or organisation (with a note of a warm handover), advice given to the
//! professional who asked, and a decline with the young person's or family's reason; after
//! triage, a decline, a transition to a receiving service chosen from the directory (checked
//! against the need group and the age on the planned date) and — in [`crate::staff::actions`] — a
//! discharge with a code the domain accepts.
//!
//! Each action is one domain command, the same the JSON API sends (`Command::Triage`,
//! `Command::Decline`, `Command::Transition`), executed by `Store::execute` at the version the
//! form was read at; then post/redirect/get to the referral page with a success banner
//! ([`after_change`]). When the change ended the actor's relationship with the young person
//! (the referral closed and no grace period is configured), the redirect goes to
//! [`outcome`] instead, which names the destination and nothing about the person — never to
//! a page that would answer 404.
//!
//! It does **not** own rules: `Referral::decide` and `nwd_domain::fit` do.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use nwd_domain::authz::Permission;
use nwd_domain::referral::{Command, DestinationRequest, Referral, ReferralEvent, ReferralStatus};
use nwd_domain::{ReferralId, ServiceId};
use serde::Deserialize;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::staff::actions::{submit, ActionForm};
use crate::staff::service_fit::RankedService;
use crate::staff::triage::{Choice, TriageForm};
use nwd_http::extract::{parse_id, Actor, Caller};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::intake::reference;

/// The destinations a triage decision may send besides services, as typed.
#[derive(Debug, Clone, Default)]
pub struct TriageDestinations {
    /// A directory service to signpost to (its id), or "".
    pub signpost_service: String,
    /// A named organisation outside the directory, or "".
    pub signpost_name: String,
    /// "yes" for a warm handover.
    pub signpost_warm: String,
    /// A note of the handover.
    pub signpost_note: String,
    /// The advice given to the professional who asked.
    pub advice: String,
    /// The young person's or family's reason for declining.
    pub decline: String,
    /// "yes" to keep the preference recorded at triage from parents and carers.
    pub preference_private: String,
}

impl TriageDestinations {
    /// Reads the triage form's destination fields.
    pub fn from_form(form: &FormData) -> TriageDestinations {
        let text = |name: &str| form.first(name).to_owned();
        TriageDestinations {
            signpost_service: text("signpost-service"),
            signpost_name: text("signpost-name"),
            signpost_warm: text("signpost-warm"),
            signpost_note: text("signpost-note"),
            advice: text("advice"),
            decline: text("decline"),
            preference_private: text("preference-private"),
        }
    }
}

/// The destination requests the triage form's other destinations ask for, in the order the
/// domain names them (`destinations[i]` after the services chosen, which come first).
pub async fn triage_requests(
    state: &AppState,
    typed: &TriageDestinations,
    errors: &mut Vec<FieldMessage>,
) -> Vec<DestinationRequest> {
    let mut requests = Vec::new();
    let named = typed.signpost_name.trim();
    let note = Some(typed.signpost_note.trim().to_owned()).filter(|n| !n.is_empty());
    let warm = typed.signpost_warm == "yes";
    let directory = match typed.signpost_service.as_str() {
        "" => None,
        id => match id.parse::<ServiceId>() {
            Ok(service_id) => match state.store.service(service_id).await {
                Ok((service, _)) => Some((service_id, service.details.name)),
                Err(_) => {
                    errors.push(FieldMessage::new(
                        "signpost-service",
                        "Choose a service from the directory",
                    ));
                    None
                }
            },
            Err(_) => {
                errors.push(FieldMessage::new(
                    "signpost-service",
                    "Choose a service from the directory",
                ));
                None
            }
        },
    };
    match (directory, named) {
        (Some((service_id, name)), typed_name) => requests.push(DestinationRequest::Signpost {
            name: if typed_name.is_empty() {
                name
            } else {
                typed_name.to_owned()
            },
            service_id: Some(service_id),
            warm_handover: warm,
            handover_note: note,
        }),
        (None, "") if warm || note.is_some() => errors.push(FieldMessage::new(
            "signpost-service",
            "Choose the service or name the organisation you are signposting to",
        )),
        (None, "") => {}
        (None, name) => requests.push(DestinationRequest::Signpost {
            name: name.to_owned(),
            service_id: None,
            warm_handover: warm,
            handover_note: note,
        }),
    }
    if !typed.advice.trim().is_empty() {
        requests.push(DestinationRequest::AdviceGiven {
            summary: typed.advice.trim().to_owned(),
        });
    }
    if !typed.decline.trim().is_empty() {
        requests.push(DestinationRequest::Declined {
            reason: typed.decline.trim().to_owned(),
        });
    }
    requests
}

/// After a triage whose preference is to be kept from parents and carers: marks the triage
/// entry "not for parent/carer" (`Store::mark_not_for_parent`, the API's
/// `POST /api/referrals/{id}/not-for-parent`), so that `Store::parent_view` withholds it.
pub async fn keep_preference_from_parents(
    state: &AppState,
    id: ReferralId,
    typed: &TriageDestinations,
    preference: Option<&str>,
    events: &[nwd_domain::referral::RecordedEvent],
    audit: &nwd_store::audit::AuditContext,
) -> Result<(), PageError> {
    if typed.preference_private != "yes" || preference.is_none_or(|p| p.trim().is_empty()) {
        return Ok(());
    }
    let Some(triaged) = events
        .iter()
        .find(|e| matches!(e.event, ReferralEvent::Triaged { .. }))
    else {
        return Ok(());
    };
    state
        .store
        .mark_not_for_parent(
            audit,
            id,
            Some(triaged.seq),
            "The young person's preference, recorded at triage, is not for parents or carers",
        )
        .await
        .map_err(PageError::staff)?;
    Ok(())
}

/// The triage form field a domain error about a non-service destination belongs to, from the
/// field's name inside `destinations[i]` (None: not one of these).
pub fn triage_field(path: &str) -> Option<&'static str> {
    let inner = path.rsplit('.').next().unwrap_or("");
    match inner {
        "handover_note" => Some("signpost-note"),
        "name" => Some("signpost-name"),
        "summary" => Some("advice"),
        "reason" => Some("decline"),
        _ => None,
    }
}

/// The decline and transition forms, as typed.
#[derive(Debug, Clone, Default)]
pub struct DestinationForm {
    /// The young person's or family's reason, in their words.
    pub decline_reason: String,
    /// "yes" when confirmed.
    pub decline_confirm: String,
}

impl DestinationForm {
    /// Reads the fields of the decline form.
    pub fn from_form(form: &FormData) -> DestinationForm {
        let text = |name: &str| form.first(name).to_owned();
        DestinationForm {
            decline_reason: text("decline-reason"),
            decline_confirm: text("decline-confirm"),
        }
    }
}

/// The young person or family declined help: closes the referral with their reason (the
/// API's `POST /api/referrals/{id}/decline`, the same command).
#[utoipa::path(post, path = "/staff/referrals/{id}/decline", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Declined: back to the referral"), (status = 409, description = "Someone else changed the referral", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn decline(
    trail: RequestAudit,
    State(state): State<AppState>,
    caller: Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let typed = ActionForm::from_form(&FormData::parse(&body), "decline");
    let mut errors = Vec::new();
    let reason = typed.destinations.decline_reason.trim().to_owned();
    if reason.is_empty() {
        errors.push(FieldMessage::new(
            "decline-reason",
            "Enter the young person's or family's reason, in their words",
        ));
    }
    if typed.destinations.decline_confirm != "yes" {
        errors.push(FieldMessage::new(
            "decline-confirm",
            "Confirm that declining closes the referral",
        ));
    }
    let command = Some(Command::Decline { reason });
    submit(&trail, &state, caller, actor, &id, typed, errors, command).await
}

/// The choices of the destination forms, from the ranked services.
pub struct DestinationChoices {
    /// Directory services to signpost to (best fit first).
    pub signpost: Vec<Choice>,
}

/// The destination forms' choices, with what was typed selected.
pub fn choices_for(ranked: &[RankedService], triage: &TriageForm) -> DestinationChoices {
    DestinationChoices {
        signpost: ranked
            .iter()
            .map(|r| Choice {
                value: r.service.id.to_string(),
                label: r.label.clone(),
                selected: r.service.id.to_string() == triage.destinations.signpost_service,
            })
            .collect(),
    }
}

/// What the success banner says after `which` was done, read from the referral as it is now
/// (so nothing the browser sends is echoed). None for an unknown action.
pub fn success_message(
    which: &str,
    referral: &Referral,
    service_name: &dyn Fn(ServiceId) -> String,
) -> Option<String> {
    let closed = referral.closure.as_ref().map(|c| {
        format!(
            " The referral is closed. Destination: {}.",
            c.destination.name()
        )
    });
    let closed = closed.unwrap_or_default();
    let message = match which {
        "triage" => {
            let group = referral
                .need_group
                .map(|g| g.label())
                .unwrap_or("a need group");
            let mut sent: Vec<String> = referral
                .allocations
                .iter()
                .map(|a| service_name(a.service_id))
                .collect();
            sent.extend(referral.signposts.iter().map(|s| s.name.clone()));
            let to = if sent.is_empty() {
                String::new()
            } else {
                format!(" Sent to {}.", sent.join(", "))
            };
            format!("Triage recorded: {group}.{to}{closed}")
        }
        "allocate" => format!(
            "Service added: {}.",
            referral
                .allocations
                .last()
                .map(|a| service_name(a.service_id))
                .unwrap_or_default()
        ),
        "contact" => "Contact recorded.".to_owned(),
        "goals" => "Goals agreed: they are rated as Goal-Based Outcomes from now on.".to_owned(),
        "outcome" => format!(
            "Outcome measure recorded: {}.",
            referral
                .outcomes
                .last()
                .and_then(|o| nwd_outcomes::bundled().get(&o.measure))
                .map(|m| m.name.as_str())
                .unwrap_or("scores")
        ),
        "step" => format!(
            "Step recorded: now {}.",
            referral.need_group.map(|g| g.label()).unwrap_or_default()
        ),
        "discharge" => format!("Discharge recorded.{closed}"),
        "decline" => format!("Decline recorded.{closed}"),
        "transition" => format!("Transition recorded.{closed}"),
        "plan" => return crate::staff::transitions::planned_message(referral, service_name),
        _ => return None,
    };
    Some(message)
}

/// After a change made with `which`: back to the referral page with its success banner, or —
/// when the change ended the actor's relationship with the young person — to [`outcome`].
pub async fn after_change(
    state: &AppState,
    principal: &nwd_store::auth::Principal,
    id: ReferralId,
    which: &str,
) -> PageResult {
    let still = state
        .store
        .referral_relationship(principal, Permission::ReadClinical, id)
        .await
        .map_err(PageError::staff)?;
    let path = match still {
        Some((_, Some(_))) => format!("/staff/referrals/{id}?done={which}#success-banner"),
        _ => format!("/staff/referrals/{id}/outcome?done={which}"),
    };
    Ok(see_other(&path))
}

/// The query of the referral page and the outcome page: the action just done.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    /// `triage`, `allocate`, `contact`, `step`, `discharge`, `decline` or `transition`.
    pub done: Option<String>,
}

#[derive(Template)]
#[template(path = "referral_outcome.html")]
struct OutcomePage {
    layout: Layout,
    reference: String,
    destination: String,
}

/// What happened to a referral the signed-in member of staff has just closed, when closing
/// it ended their relationship with the young person: the reference and the named
/// destination, nothing about the person. Only the member of staff who recorded the closure
/// sees it; anyone else gets the not-found page, as for an id that does not exist.
#[utoipa::path(get, path = "/staff/referrals/{id}/outcome", tag = "pages",
    params(("id" = String, Path), ("done" = Option<String>, Query, description = "The action just done")),
    responses((status = 200, description = "The referral's named destination", content_type = "text/html"), (status = 404, description = "Not a referral this person closed", content_type = "text/html")))]
pub async fn outcome(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let roles = &state.store.access().roles;
    let not_found = || Ok(crate::refusal::not_found(&principal, roles));
    let Ok(id) = parse_id::<ReferralId>(&id, "referral") else {
        return not_found();
    };
    let Ok(referral) = state.store.referral(id).await else {
        return not_found();
    };
    let events = state
        .store
        .referral_events(id)
        .await
        .map_err(PageError::staff)?;
    let closed_by_me = referral.status == ReferralStatus::Closed
        && events.iter().any(|e| {
            matches!(e.event, ReferralEvent::Closed { .. })
                && e.actor == format!("user:{}", principal.username)
        });
    let Some(closure) = referral.closure.as_ref().filter(|_| closed_by_me) else {
        return not_found();
    };
    let reference = reference(&referral);
    let destination = closure.destination.name();
    let which = query.done.as_deref().unwrap_or("");
    let banner = success_message(which, &referral, &|_| "a service".to_owned())
        .map(|message| format!("{reference}: {message}"));
    let page = OutcomePage {
        layout: Layout::staff(&format!("Referral {reference} closed"), &principal)
            .with_success(banner),
        reference,
        destination,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

#[cfg(test)]
mod tests {
    use super::triage_field;

    #[test]
    fn domain_destination_paths_point_at_the_triage_form_fields() {
        for (path, want) in [
            ("destinations[1].handover_note", Some("signpost-note")),
            ("destinations[0].name", Some("signpost-name")),
            ("destinations[2].summary", Some("advice")),
            ("destinations[0].reason", Some("decline")),
            ("destinations[0].service_id", None),
            ("destinations", None),
        ] {
            assert_eq!(triage_field(path), want, "{path}");
        }
    }
}
