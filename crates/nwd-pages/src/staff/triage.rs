//! The single point of access at work (the triage queue itself is [`crate::staff::queue`]): a
//! referral's page (the young person with how their record was matched, the allocations, the
//! whole timeline) and the triage form. The forms used after triage are in [`crate::staff::actions`]. Every form carries the
//! version it was read at; when someone else changed the referral meanwhile the page says
//! what changed and keeps every answer typed.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use nwd_domain::authz::Permission;
use nwd_domain::codes::{ConsultationMechanism, ContactStatus, DischargeReason, TeamType};
use nwd_domain::need::{NeedGroup, RiskLevel};
use nwd_domain::person::{age_in_years, CompetenceDecision};
use nwd_domain::referral::{
    Command, DestinationRequest, RecordedEvent, Referral, ReferralEvent, ReferralStatus,
    TriageCommand,
};
use nwd_domain::{ReferralId, ServiceId};
use nwd_store::{Change, ServiceFilter};
use serde::Deserialize;

use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::staff::actions::ActionForm;
use crate::staff::review::MatchSummary;
use nwd_http::extract::{parse_id, Actor, Caller};
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::intake::reference;

/// An option in a filter or form list.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
    /// Chosen.
    pub selected: bool,
}

pub(crate) fn choices<T: Copy + PartialEq>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> String,
    selected: &[&str],
) -> Vec<Choice> {
    all.iter()
        .map(|item| Choice {
            value: value(*item).to_owned(),
            label: label(*item),
            selected: selected.contains(&value(*item)),
        })
        .collect()
}

/// A postcode area (`ME`) or district (`ME14`, `EC1A`), upper case, or why not.
pub(crate) fn parse_area(text: &str) -> Result<Option<String>, &'static str> {
    let area = text.trim().to_ascii_uppercase();
    if area.is_empty() {
        return Ok(None);
    }
    let letters = area.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    let rest = &area[letters..];
    let district_ok = rest.is_empty()
        || (rest.len() <= 3
            && rest.chars().next().is_some_and(|c| c.is_ascii_digit())
            && rest.chars().all(|c| c.is_ascii_alphanumeric()));
    if (1..=2).contains(&letters) && district_ok {
        Ok(Some(area))
    } else {
        Err("Enter a postcode area, like ME, or a district, like ME14")
    }
}

pub(crate) fn shown(at: Timestamp, state: &AppState) -> String {
    at.to_zoned(state.store.tz().clone())
        .strftime("%-d %b %Y %H:%M")
        .to_string()
}

pub(crate) fn waited(from: Timestamp, now: Timestamp) -> String {
    let hours = (now.as_second() - from.as_second()).max(0) / 3600;
    match hours {
        0..=47 => format!("{hours} hours"),
        _ => format!("{} days", hours / 24),
    }
}

pub(crate) fn reference_of(id: ReferralId) -> String {
    let simple = id.as_uuid().simple().to_string().to_uppercase();
    format!("NWD-{}-{}", &simple[0..4], &simple[4..8])
}

/// An event on the timeline.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    /// When, as shown.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What happened.
    pub what: String,
    /// Why or details.
    pub detail: String,
}

fn describe(event: &RecordedEvent, service_name: &dyn Fn(ServiceId) -> String) -> (String, String) {
    match &event.event {
        ReferralEvent::Received { referral, .. } => (
            format!("Received from {}", referral.source.label().to_lowercase()),
            format!("Priority {}", referral.priority.label().to_lowercase()),
        ),
        ReferralEvent::CompetenceRecorded { decision } => (
            "Competence decision recorded".into(),
            format!(
                "{} (assessed by {})",
                if decision.competent {
                    "Competent to consent"
                } else {
                    "Not competent to consent"
                },
                decision.assessed_by
            ),
        ),
        ReferralEvent::Triaged {
            need_group,
            risk,
            rationale,
            priority,
            risk_review_on,
            ..
        } => (
            format!("Triaged: {}", need_group.label()),
            format!(
                "{}Risk {}{}. {}",
                priority
                    .map(|p| format!("Priority {}. ", p.label().to_lowercase()))
                    .unwrap_or_default(),
                risk.as_str(),
                risk_review_on
                    .map(|on| format!(", review by {}", on.strftime("%-d %B %Y")))
                    .unwrap_or_default(),
                rationale
            ),
        ),
        ReferralEvent::UrgencyRecorded {
            priority,
            risk,
            risk_review_on,
            reason,
        } => crate::staff::urgency::describe_change(*priority, *risk, *risk_review_on, reason),
        ReferralEvent::Allocated { service_id, .. } => (
            format!("Allocated to {}", service_name(*service_id)),
            String::new(),
        ),
        ReferralEvent::Signposted { signpost } => (
            format!("Signposted to {}", signpost.name),
            match (signpost.warm_handover, signpost.handover_note.as_deref()) {
                (true, Some(note)) => format!("Warm handover: {note}"),
                (true, None) => "Warm handover".into(),
                (false, Some(note)) => note.to_owned(),
                (false, None) => String::new(),
            },
        ),
        ReferralEvent::AdviceGiven { summary } => ("Advice given".into(), summary.clone()),
        ReferralEvent::ContactRecorded { contact } => (
            "Contact recorded".into(),
            format!(
                "{} (code {}), {} (code {}), {} minutes, {}",
                contact.status.label(),
                contact.status.code(),
                contact.mechanism.label(),
                contact.mechanism.code(),
                contact.duration_minutes,
                contact.clinician
            ),
        ),
        ReferralEvent::ContactOutcomeRecorded { status, .. } => (
            "Contact outcome recorded".into(),
            format!("{status:?}").to_lowercase(),
        ),
        ReferralEvent::NeedGroupChanged {
            from, to, reason, ..
        } => (
            format!("Stepped from {} to {}", from.label(), to.label()),
            reason.clone(),
        ),
        ReferralEvent::TransitionPlanned {
            planned_on,
            outcome,
            receiving_service,
            note,
            ..
        } => (
            format!(
                "Transition planned for {}",
                planned_on.strftime("%-d %b %Y")
            ),
            [
                Some(outcome.label().to_owned()),
                receiving_service.clone(),
                note.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(". "),
        ),
        ReferralEvent::TransitionRecorded {
            outcome,
            receiving_service,
            ..
        } => (
            "Transition recorded".into(),
            match receiving_service {
                Some(service) => format!("{}: {service}", outcome.label()),
                None => outcome.label().to_owned(),
            },
        ),
        ReferralEvent::AllocationEnded { reason, note, .. } => (
            "Discharged from a service".into(),
            format!(
                "{}{}",
                reason.label(),
                note.as_deref()
                    .map(|n| format!(". {n}"))
                    .unwrap_or_default()
            ),
        ),
        ReferralEvent::PersonRelinked { reason, .. } => {
            ("Linked to another record".into(), reason.clone())
        }
        ReferralEvent::Closed { .. } => ("Closed".into(), String::new()),
    }
}

/// What the triage form holds: as read, or as typed when it comes back.
#[derive(Debug, Clone, Default)]
pub struct TriageForm {
    /// The version the form was read at.
    pub version: u32,
    /// Need group (API name).
    pub need_group: String,
    /// Risk (API name).
    pub risk: String,
    /// Clinical response priority (API name).
    pub priority: String,
    /// Risk review date, YYYY-MM-DD, or "".
    pub review_on: String,
    /// Why.
    pub rationale: String,
    /// The young person's and family's preference.
    pub preference: String,
    /// Services to allocate to.
    pub allocate: Vec<String>,
    /// Competence: "yes", "no" or "".
    pub competent: String,
    /// Who assessed competence.
    pub assessed_by: String,
    /// Competence reasoning.
    pub competence_rationale: String,
    /// Destinations besides services (signpost, advice, decline).
    pub destinations: crate::staff::destinations::TriageDestinations,
}

impl TriageForm {
    fn from_form(form: &FormData) -> TriageForm {
        TriageForm {
            version: form.first("version").parse().unwrap_or(0),
            need_group: form.first("need_group").to_owned(),
            risk: form.first("risk").to_owned(),
            priority: form.first("priority").to_owned(),
            review_on: form.first("risk_review_on").to_owned(),
            rationale: form.first("rationale").to_owned(),
            preference: form.first("preference").to_owned(),
            allocate: form
                .all("allocate")
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            competent: form.first("competent").to_owned(),
            assessed_by: form.first("assessed_by").to_owned(),
            competence_rationale: form.first("competence_rationale").to_owned(),
            destinations: crate::staff::destinations::TriageDestinations::from_form(form),
        }
    }
}

/// A service the referral could be allocated to.
#[derive(Debug, Clone)]
pub struct ServiceOption {
    /// Id.
    pub id: String,
    /// Name and what it serves.
    pub label: String,
    /// Ticked.
    pub checked: bool,
}

/// A change made by someone else while the form was open.
#[derive(Debug, Clone)]
pub struct ChangeLine {
    /// What.
    pub what: String,
    /// Who.
    pub actor: String,
    /// When.
    pub at: String,
}

/// An allocation, as the referral page lists it.
#[derive(Debug, Clone)]
pub struct AllocationRow {
    /// Service name.
    pub service: String,
    /// Need group at allocation.
    pub need_group: &'static str,
    /// Allocated, as shown.
    pub since: String,
    /// Waiting, seen, or how it ended.
    pub state: String,
    /// Still open.
    pub active: bool,
}

/// What the referral page shows besides the record: the forms as typed, the invalid answers,
/// and the changes someone else made meanwhile.
#[derive(Debug, Clone)]
pub struct PageInput {
    /// The triage form.
    pub triage: TriageForm,
    /// The forms used after triage.
    pub actions: ActionForm,
    /// Invalid answers.
    pub errors: Vec<FieldMessage>,
    /// Changes made by someone else since the form was read.
    pub conflict: Vec<Change>,
    /// The page's status.
    pub status: StatusCode,
    /// The urgency form (`crate::staff::urgency`).
    pub urgency: crate::staff::urgency::UrgencyForm,
    /// The action just done, for the success banner (`?done=`).
    pub done: Option<String>,
}

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    layout: Layout,
    id: String,
    reference: String,
    status: &'static str,
    summary: Vec<(&'static str, String)>,
    person: Vec<(&'static str, String)>,
    matching: Option<MatchSummary>,
    presenting_needs: String,
    timeline: Vec<TimelineEntry>,
    allocations: Vec<AllocationRow>,
    can_triage: bool,
    can_act: bool,
    has_active: bool,
    needs_competence: bool,
    form: TriageForm,
    actions: ActionForm,
    need_groups: Vec<Choice>,
    risks: Vec<Choice>,
    services: Vec<ServiceOption>,
    service_choices: Vec<Choice>,
    step_services: Vec<Choice>,
    step_groups: Vec<Choice>,
    step_end: Vec<Choice>,
    contact_allocations: Vec<Choice>,
    discharge_allocations: Vec<Choice>,
    statuses: Vec<Choice>,
    mechanisms: Vec<Choice>,
    discharge_reasons: Vec<Choice>,
    conflict: Vec<ChangeLine>,
    csrf: String,
    about: Option<crate::staff::about_staff::AboutSection>,
    urgency: crate::staff::urgency::UrgencyPanel,
    priorities: Vec<Choice>,
    contact: Option<crate::staff::referral_contact::ContactSection>,
    advice_request: bool,
    signpost_services: Vec<Choice>,
    transition: crate::staff::transitions::Section,
}

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

fn coded<T: Copy + PartialEq>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> String,
    selected: &str,
) -> Vec<Choice> {
    choices(all, value, label, &[selected])
}

/// Renders the referral page for `referral` with the forms and messages of `input`.
pub(crate) async fn referral_page(
    state: &AppState,
    principal: &nwd_store::auth::Principal,
    referral: Referral,
    input: PageInput,
) -> PageResult {
    let PageInput {
        triage: form,
        actions,
        errors,
        conflict,
        status,
        urgency,
        done,
    } = input;
    let events = state
        .store
        .referral_events(referral.id)
        .await
        .map_err(PageError::staff)?;
    let person = state
        .store
        .person(referral.person_id)
        .await
        .map_err(PageError::staff)?;
    let today = state.store.now().to_zoned(state.store.tz().clone()).date();
    let age = age_in_years(person.details.date_of_birth, today);
    // Every service taking referrals: ranked by fit (need group, age, area) and wait below.
    let services = state
        .store
        .search_services(&ServiceFilter::default())
        .await
        .map_err(PageError::staff)?;
    let mut names: Vec<(ServiceId, String)> = services
        .iter()
        .map(|(s, _)| (s.id, s.details.name.clone()))
        .collect();
    // Services allocated earlier may no longer serve this age: name them too.
    for allocation in &referral.allocations {
        if !names.iter().any(|(id, _)| *id == allocation.service_id) {
            if let Ok((service, _)) = state.store.service(allocation.service_id).await {
                names.push((service.id, service.details.name));
            }
        }
    }
    let name_of = |service: ServiceId| {
        names
            .iter()
            .find(|(id, _)| *id == service)
            .map(|(_, name)| name.clone())
            .unwrap_or_else(|| "a service".to_owned())
    };
    let timeline = events
        .iter()
        .map(|event| {
            let (what, detail) = describe(event, &name_of);
            TimelineEntry {
                at: shown(event.at, state),
                actor: event.actor.clone(),
                what,
                detail,
            }
        })
        .collect();
    let roles = &state.store.access().roles;
    let show_person = principal.holds(Permission::ReadDemographics, roles);
    let summary = vec![
        ("Reference", reference(&referral)),
        ("Source", referral.source.label().to_owned()),
        (
            "Reasons",
            referral
                .reasons
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("Received", shown(referral.received_at, state)),
        ("Age", format!("{age}")),
        (
            "Need group",
            referral
                .need_group
                .map(|g| g.label().to_owned())
                .unwrap_or_else(|| "Not yet agreed".to_owned()),
        ),
        ("Referred by", referral.referrer.name.clone()),
        (
            "Agreed we may talk to",
            if referral.consent_to_share.is_empty() {
                "No one else".to_owned()
            } else {
                referral.consent_to_share.join(", ")
            },
        ),
    ];
    let (person_rows, matching) = if show_person {
        let d = &person.details;
        let rows = vec![
            ("Name", format!("{} {}", d.given_name, d.family_name)),
            (
                "Date of birth",
                d.date_of_birth.strftime("%-d %B %Y").to_string(),
            ),
            (
                "NHS number",
                d.nhs_number
                    .as_ref()
                    .map(|n| n.formatted())
                    .unwrap_or_else(|| "Not given".to_owned()),
            ),
            (
                "Postcode",
                d.postcode
                    .as_ref()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_else(|| "Not given".to_owned()),
            ),
        ];
        let proposal = state
            .store
            .match_decision(referral.id)
            .await
            .map_err(PageError::staff)?;
        (rows, Some(MatchSummary::of(&proposal)))
    } else {
        (Vec::new(), None)
    };
    // The domain's rule: under 16 when the referral was received, not today.
    let needs_competence = referral
        .competence_question_applies(person.details.date_of_birth, state.store.tz())
        && referral.competence.is_none();
    let selected_need = [form.need_group.as_str()];
    let selected_risk = [form.risk.as_str()];
    let writes = principal.holds(Permission::WriteClinical, roles);
    let forms_shown = writes && referral.status != ReferralStatus::Closed;
    // Ranked only when a form offers them (each service's wait is one indexed read).
    let ranked = if forms_shown {
        crate::staff::service_fit::ranked(
            state,
            services
                .iter()
                .map(|(s, _)| s.clone())
                .filter(|s| {
                    s.details.active && s.details.team_type != TeamType::SinglePointOfAccess
                })
                .collect(),
            crate::staff::service_fit::ForWhom {
                need_group: referral.need_group,
                age,
                postcode: person.details.postcode.as_ref(),
            },
        )
        .await
        .map_err(PageError::staff)?
    } else {
        Vec::new()
    };
    // The domain allocates only to services for the young person's age and need group.
    let allocatable: Vec<&crate::staff::service_fit::RankedService> = ranked
        .iter()
        .filter(|r| r.fit.age && r.fit.need_group)
        .collect();
    let service_options = allocatable
        .iter()
        .map(|r| ServiceOption {
            id: r.service.id.to_string(),
            label: r.label.clone(),
            checked: form.allocate.contains(&r.service.id.to_string()),
        })
        .collect();
    let service_choices = allocatable
        .iter()
        .map(|r| Choice {
            value: r.service.id.to_string(),
            label: r.label.clone(),
            selected: actions.allocate_service == r.service.id.to_string(),
        })
        .collect();
    let step_services = ranked
        .iter()
        .filter(|r| r.fit.age)
        .map(|r| Choice {
            value: r.service.id.to_string(),
            label: r.label.clone(),
            selected: actions.step_allocate.contains(&r.service.id.to_string()),
        })
        .collect();
    let choices_for = crate::staff::destinations::choices_for(&ranked, &form);
    let now = state.store.now();
    let allocations: Vec<AllocationRow> = referral
        .allocations
        .iter()
        .map(|a| AllocationRow {
            service: name_of(a.service_id),
            need_group: a.need_group.label(),
            since: shown(a.allocated_at, state),
            state: match (&a.ended, a.first_attended_at) {
                (Some(end), _) => format!("Ended {}: {}", shown(end.at, state), end.reason.label()),
                (None, Some(seen)) => format!("Seen since {}", shown(seen, state)),
                (None, None) => format!("Waiting {}", waited(a.clock_start, now)),
            },
            active: a.is_active(),
        })
        .collect();
    let active = |selected: &[&str]| -> Vec<Choice> {
        referral
            .active_allocations()
            .map(|a| Choice {
                value: a.id.to_string(),
                label: format!("{} ({})", name_of(a.service_id), a.need_group.label()),
                selected: selected.contains(&a.id.to_string().as_str()),
            })
            .collect()
    };
    let step_end_selected: Vec<&str> = actions.step_end.iter().map(String::as_str).collect();
    let contact_allocations = active(&[actions.contact_allocation.as_str()]);
    let transition =
        crate::staff::transitions::section(&referral, &ranked, &actions.transition, age, &name_of);
    let success = done
        .as_deref()
        .and_then(|which| crate::staff::destinations::success_message(which, &referral, &name_of));
    let contact = if show_person {
        Some(
            crate::staff::referral_contact::section(state, &referral, &person)
                .await
                .map_err(PageError::staff)?,
        )
    } else {
        None
    };
    let discharge_allocations = active(&[actions.discharge_allocation.as_str()]);
    let step_end = active(&step_end_selected);
    let conflict = conflict
        .iter()
        .map(|c| ChangeLine {
            what: c.event_type.replace('_', " "),
            actor: c.actor.clone(),
            at: shown(c.at, state),
        })
        .collect::<Vec<_>>();
    // A triage form that came back in conflict stays on the page even when the referral has
    // been triaged meanwhile, so that what was typed is not lost.
    let triage_typed = !conflict.is_empty() && !form.rationale.is_empty();
    let page = ReferralPage {
        layout: Layout::staff(&format!("Referral {}", reference(&referral)), principal)
            .with_errors(errors)
            .with_success(success),
        id: referral.id.to_string(),
        reference: reference(&referral),
        status: match referral.status {
            ReferralStatus::AwaitingTriage => "Awaiting triage",
            ReferralStatus::Open => "Open",
            ReferralStatus::Closed => "Closed",
        },
        summary,
        person: person_rows,
        matching,
        presenting_needs: referral.presenting_needs.clone(),
        timeline,
        has_active: referral.active_allocations().next().is_some(),
        allocations,
        can_triage: writes && (referral.status == ReferralStatus::AwaitingTriage || triage_typed),
        can_act: writes && referral.status == ReferralStatus::Open,
        needs_competence,
        need_groups: choices(
            NeedGroup::ALL,
            |g| g.as_str(),
            |g| g.label().to_owned(),
            &selected_need,
        ),
        risks: choices(
            &[
                RiskLevel::Low,
                RiskLevel::Medium,
                RiskLevel::High,
                RiskLevel::Immediate,
            ],
            |r| r.as_str(),
            |r| {
                let name = r.as_str();
                let mut label = name.to_owned();
                if let Some(first) = label.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                label
            },
            &selected_risk,
        ),
        services: service_options,
        service_choices,
        step_services,
        step_groups: coded(
            NeedGroup::ALL,
            |g| g.as_str(),
            |g| g.label().to_owned(),
            &actions.step_to,
        ),
        step_end,
        contact_allocations,
        discharge_allocations,
        statuses: coded(
            ContactStatus::ALL,
            |s| s.as_str(),
            |s| format!("{} (code {})", s.label(), s.code()),
            &actions.contact_status,
        ),
        mechanisms: coded(
            ConsultationMechanism::ALL,
            |m| m.as_str(),
            |m| format!("{} (code {})", m.label(), m.code()),
            &actions.contact_mechanism,
        ),
        discharge_reasons: coded(
            &DischargeReason::ALL
                .iter()
                .copied()
                .filter(|r| r.accepted_at_discharge())
                .collect::<Vec<_>>(),
            |r| r.as_str(),
            |r| format!("{} (code {})", r.label(), r.code()),
            &actions.discharge_reason,
        ),
        conflict,
        urgency: crate::staff::urgency::panel(state, &referral, urgency, writes),
        priorities: crate::staff::urgency::PRIORITIES
            .iter()
            .map(|p| Choice {
                value: p.as_str().to_owned(),
                label: p.label().to_owned(),
                selected: form.priority == p.as_str(),
            })
            .collect(),
        form,
        actions,
        csrf: principal.csrf_token.clone().unwrap_or_default(),
        about: crate::staff::about_staff::section(state, principal, referral.person_id).await?,
        contact,
        advice_request: referral.kind == nwd_domain::referral::ReferralKind::AdviceRequest,
        signpost_services: choices_for.signpost,
        transition,
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
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
    let authority = principal.write_authority(&state.store.access().roles);
    match state
        .store
        .execute_as(
            &trail.signed_in(&principal),
            id,
            typed.version,
            command,
            &actor.0,
            &authority,
        )
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

#[cfg(test)]
mod tests {
    use super::parse_area;

    #[test]
    fn areas_and_districts_are_accepted_and_anything_else_is_explained() {
        for (typed, want) in [
            ("", Ok(None)),
            ("  ", Ok(None)),
            ("me", Ok(Some("ME".to_owned()))),
            ("ME14", Ok(Some("ME14".to_owned()))),
            (" ec1a ", Ok(Some("EC1A".to_owned()))),
            ("M1", Ok(Some("M1".to_owned()))),
        ] {
            assert_eq!(parse_area(typed), want, "{typed:?}");
        }
        for typed in ["14ME", "MEX", "ME14 1XX", "ME1%", "ME_"] {
            assert!(parse_area(typed).is_err(), "{typed:?}");
        }
    }
}
