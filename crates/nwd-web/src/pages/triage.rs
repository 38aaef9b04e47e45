//! The single point of access at work: the triage queue (referrals awaiting triage, by
//! priority then wait, breaches of the triage standard highlighted), a referral's page (its
//! whole timeline) and the triage form. The form carries the version it was read at; when
//! someone else changed the referral meanwhile the page says what changed and keeps every
//! answer typed.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use nwd_domain::authz::Permission;
use nwd_domain::codes::{ReasonCode, ReferralSource, TeamType};
use nwd_domain::need::{NeedGroup, RiskLevel};
use nwd_domain::person::{age_in_years, CompetenceDecision};
use nwd_domain::referral::{
    Command, DestinationRequest, RecordedEvent, Referral, ReferralEvent, ReferralStatus,
    TriageCommand,
};
use nwd_domain::{ReferralId, ServiceId};
use nwd_store::{Change, ReferralSearch, ReferralSort, ServiceFilter};
use serde::Deserialize;

use super::form::FormData;
use super::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::api::intake::reference;
use crate::extract::{parse_id, Actor, Caller};
use crate::problem::ApiError;
use crate::AppState;

/// Queue filters.
#[derive(Debug, Default, Deserialize)]
pub struct QueueFilter {
    /// Source of referral (API name).
    pub source: Option<String>,
    /// Primary reason (API name).
    pub reason: Option<String>,
}

/// A referral in the queue.
#[derive(Debug, Clone)]
pub struct QueueRow {
    /// Id, for the link.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Priority label.
    pub priority: &'static str,
    /// Source label.
    pub source: &'static str,
    /// Primary reason label.
    pub reason: &'static str,
    /// Received, as shown.
    pub received: String,
    /// Waited so far, e.g. "3 days" or "5 hours".
    pub waited: String,
    /// The triage standard's deadline, as shown.
    pub due: String,
    /// Past the deadline.
    pub breached: bool,
}

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

fn choices<T: Copy + PartialEq>(
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

#[derive(Template)]
#[template(path = "triage_queue.html")]
struct QueuePage {
    layout: Layout,
    rows: Vec<QueueRow>,
    sources: Vec<Choice>,
    reasons: Vec<Choice>,
    breached: usize,
    more: bool,
}

fn shown(at: Timestamp, state: &AppState) -> String {
    at.to_zoned(state.store.tz().clone())
        .strftime("%-d %b %Y %H:%M")
        .to_string()
}

fn waited(from: Timestamp, now: Timestamp) -> String {
    let hours = (now.as_second() - from.as_second()).max(0) / 3600;
    match hours {
        0..=47 => format!("{hours} hours"),
        _ => format!("{} days", hours / 24),
    }
}

/// The triage queue.
#[utoipa::path(get, path = "/staff/triage", tag = "pages",
    params(("source" = Option<String>, Query), ("reason" = Option<String>, Query)),
    responses((status = 200, description = "Referrals awaiting triage", content_type = "text/html"), (status = 401, description = "Not signed in")))]
pub async fn queue(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Query(filter): Query<QueueFilter>,
) -> PageResult {
    let source = filter
        .source
        .as_deref()
        .and_then(|s| ReferralSource::parse(s).ok());
    let reason = filter
        .reason
        .as_deref()
        .and_then(|r| ReasonCode::parse(r).ok());
    let search = ReferralSearch {
        status: Some(ReferralStatus::AwaitingTriage),
        source,
        reason,
        sort: ReferralSort::Priority,
        limit: 200,
        visible_to: Some(state.store.visibility(&principal, Permission::ReadClinical)),
        ..ReferralSearch::default()
    };
    if let Some(audit) = nwd_store::audit::current() {
        audit.set_detail(format!(
            "triage queue page; filters: source={}, reason={}",
            source.is_some(),
            reason.is_some()
        ));
    }
    let page = state
        .store
        .search_referrals(&search)
        .await
        .map_err(PageError::staff)?;
    let now = state.store.now();
    let tz = state.store.tz().clone();
    let standards = state
        .store
        .standards()
        .for_team_type(TeamType::SinglePointOfAccess);
    let rows: Vec<QueueRow> = page
        .items
        .iter()
        .map(|item| {
            let deadline = nwd_domain::standards::select(&standards, item.priority, item.source)
                .map(|s| s.target.deadline(item.received_at, &tz));
            QueueRow {
                id: item.id.to_string(),
                reference: reference_of(item.id),
                priority: item.priority.label(),
                source: item.source.label(),
                reason: item.primary_reason.label(),
                received: shown(item.received_at, &state),
                waited: waited(item.received_at, now),
                due: deadline.map(|d| shown(d, &state)).unwrap_or_default(),
                breached: deadline.is_some_and(|d| d < now),
            }
        })
        .collect();
    let selected_source = filter
        .source
        .as_deref()
        .map(|s| vec![s])
        .unwrap_or_default();
    let selected_reason = filter
        .reason
        .as_deref()
        .map(|s| vec![s])
        .unwrap_or_default();
    let page = QueuePage {
        layout: Layout::staff("Triage queue", &principal),
        breached: rows.iter().filter(|r| r.breached).count(),
        more: page.next.is_some(),
        rows,
        sources: choices(
            ReferralSource::ALL,
            |s| s.as_str(),
            |s| s.label().to_owned(),
            &selected_source,
        ),
        reasons: choices(
            ReasonCode::ALL,
            |r| r.as_str(),
            |r| r.label().to_owned(),
            &selected_reason,
        ),
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

fn reference_of(id: ReferralId) -> String {
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
            ..
        } => (
            format!("Triaged: {}", need_group.label()),
            format!("Risk {}. {}", risk.as_str(), rationale),
        ),
        ReferralEvent::Allocated { service_id, .. } => (
            format!("Allocated to {}", service_name(*service_id)),
            String::new(),
        ),
        ReferralEvent::Signposted { signpost } => (
            format!("Signposted to {}", signpost.name),
            if signpost.warm_handover {
                "Warm handover".into()
            } else {
                String::new()
            },
        ),
        ReferralEvent::AdviceGiven { summary } => ("Advice given".into(), summary.clone()),
        ReferralEvent::ContactRecorded { contact } => (
            "Contact recorded".into(),
            format!("{:?}", contact.status).to_lowercase(),
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
        ReferralEvent::TransitionRecorded { outcome, .. } => {
            ("Transition recorded".into(), outcome.label().to_owned())
        }
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
}

impl TriageForm {
    fn from_form(form: &FormData) -> TriageForm {
        TriageForm {
            version: form.first("version").parse().unwrap_or(0),
            need_group: form.first("need_group").to_owned(),
            risk: form.first("risk").to_owned(),
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

#[derive(Template)]
#[template(path = "referral.html")]
struct ReferralPage {
    layout: Layout,
    id: String,
    reference: String,
    status: &'static str,
    summary: Vec<(&'static str, String)>,
    presenting_needs: String,
    timeline: Vec<TimelineEntry>,
    can_triage: bool,
    needs_competence: bool,
    form: TriageForm,
    need_groups: Vec<Choice>,
    risks: Vec<Choice>,
    services: Vec<ServiceOption>,
    conflict: Vec<ChangeLine>,
    csrf: String,
}

/// A referral: summary, timeline and (while awaiting triage) the triage form.
#[utoipa::path(get, path = "/staff/referrals/{id}", tag = "pages",
    params(("id" = String, Path)),
    responses((status = 200, description = "The referral page", content_type = "text/html"), (status = 404, description = "Not found")))]
pub async fn referral(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id::<ReferralId>(&id, "referral").map_err(PageError::staff)?;
    let referral = state.store.referral(id).await.map_err(PageError::staff)?;
    let form = TriageForm {
        version: referral.version,
        ..TriageForm::default()
    };
    referral_page(
        &state,
        &principal,
        referral,
        form,
        Vec::new(),
        Vec::new(),
        StatusCode::OK,
    )
    .await
}

async fn referral_page(
    state: &AppState,
    principal: &nwd_store::auth::Principal,
    referral: Referral,
    form: TriageForm,
    errors: Vec<FieldMessage>,
    conflict: Vec<Change>,
    status: StatusCode,
) -> PageResult {
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
    let services = state
        .store
        .search_services(&ServiceFilter {
            age: Some(age),
            ..ServiceFilter::default()
        })
        .await
        .map_err(PageError::staff)?;
    let name_of = |service: ServiceId| {
        services
            .iter()
            .find(|(s, _)| s.id == service)
            .map(|(s, _)| s.details.name.clone())
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
    let show_person = principal.holds(Permission::ReadDemographics, &state.store.access().roles);
    let mut summary = vec![
        ("Reference", reference(&referral)),
        ("Priority", referral.priority.label().to_owned()),
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
    ];
    if show_person {
        summary.insert(
            1,
            (
                "Young person",
                format!(
                    "{} {}",
                    person.details.given_name, person.details.family_name
                ),
            ),
        );
    }
    summary.push(("Referred by", referral.referrer.name.clone()));
    summary.push((
        "Agreed we may talk to",
        if referral.consent_to_share.is_empty() {
            "No one else".to_owned()
        } else {
            referral.consent_to_share.join(", ")
        },
    ));
    let needs_competence = age < 16
        && referral.source == ReferralSource::SelfReferral
        && referral.competence.is_none();
    let selected_need = [form.need_group.as_str()];
    let selected_risk = [form.risk.as_str()];
    let service_options = services
        .iter()
        .filter(|(s, _)| s.details.active && s.details.team_type != TeamType::SinglePointOfAccess)
        .map(|(s, _)| ServiceOption {
            id: s.id.to_string(),
            label: format!(
                "{} ({})",
                s.details.name,
                s.details
                    .need_groups
                    .iter()
                    .map(|g| g.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            checked: form.allocate.contains(&s.id.to_string()),
        })
        .collect();
    let conflict = conflict
        .iter()
        .map(|c| ChangeLine {
            what: c.event_type.replace('_', " "),
            actor: c.actor.clone(),
            at: shown(c.at, state),
        })
        .collect();
    let page = ReferralPage {
        layout: Layout::staff(&format!("Referral {}", reference(&referral)), principal)
            .with_errors(errors),
        id: referral.id.to_string(),
        reference: reference(&referral),
        status: match referral.status {
            ReferralStatus::AwaitingTriage => "Awaiting triage",
            ReferralStatus::Open => "Open",
            ReferralStatus::Closed => "Closed",
        },
        summary,
        presenting_needs: referral.presenting_needs.clone(),
        timeline,
        can_triage: referral.status == ReferralStatus::AwaitingTriage
            && principal.holds(Permission::WriteClinical, &state.store.access().roles),
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
        conflict,
        form,
        csrf: principal.csrf_token.clone().unwrap_or_default(),
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// Records the triage decision at the version the form was read at.
#[utoipa::path(post, path = "/staff/referrals/{id}/triage", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Triaged: back to the referral"), (status = 409, description = "Someone else changed the referral", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn triage(
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
    if destinations.is_empty() {
        errors.push(FieldMessage::new(
            "allocate",
            "Choose at least one service: every referral goes somewhere named",
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
        return referral_page(
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
        rationale: typed.rationale.trim().to_owned(),
        preference: Some(typed.preference.trim().to_owned()).filter(|p| !p.is_empty()),
        destinations,
        competence,
    });
    match state
        .store
        .execute(id, typed.version, command, &actor.0)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/staff/referrals/{id}"))),
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
                referral_page(
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
                referral_page(
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
                referral_page(
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

/// The form field a domain error's field path belongs to.
fn field_id(field: &str) -> &'static str {
    match field.split(['.', '[']).next().unwrap_or("") {
        "need_group" => "need_group",
        "risk" => "risk",
        "rationale" => "rationale",
        "competence" => "competent",
        _ => "allocate",
    }
}
