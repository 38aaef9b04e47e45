//! The referral page itself: the record, the allocations, the timeline and the forms
//! ([`referral_page`]).

use super::common::{choices, shown, waited, Choice};
use super::form::{AllocationRow, ChangeLine, PageInput, ServiceOption, TriageForm};
use super::timeline::{describe, TimelineEntry};
use crate::layout::{render, Layout, PageError, PageResult, Sensitivity};
use crate::staff::actions::ActionForm;
use crate::staff::review::MatchSummary;
use askama::Template;
use nwd_domain::authz::Permission;
use nwd_domain::codes::{ConsultationMechanism, ContactStatus, DischargeReason, TeamType};
use nwd_domain::need::{NeedGroup, RiskLevel};
use nwd_domain::person::age_in_years;
use nwd_domain::referral::measurement::{MeasurementSchedule, MissingMeasureReason};
use nwd_domain::referral::{Referral, ReferralStatus};
use nwd_domain::ServiceId;
use nwd_http::AppState;
use nwd_store::ServiceFilter;
use nwd_usecase::intake::reference;

#[derive(Template)]
#[template(path = "referral.html")]
pub(super) struct ReferralPage {
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
    /// Why no closing outcome measure (asked at discharge when none is recorded).
    missing_measure_reasons: Vec<Choice>,
    conflict: Vec<ChangeLine>,
    csrf: String,
    about: Option<crate::staff::about_staff::AboutSection>,
    urgency: crate::staff::urgency::UrgencyPanel,
    priorities: Vec<Choice>,
    contact: Option<crate::staff::referral_contact::ContactSection>,
    intake: Option<super::intake::IntakeSection>,
    advice_request: bool,
    signpost_services: Vec<Choice>,
    transition: crate::staff::transitions::Section,
    /// What the outcome measures show (`nwd_usecase::outcomes`).
    outcomes: nwd_usecase::outcomes::OutcomesView,
    /// The measures a clinician can record.
    measures: Vec<Choice>,
    /// One chart of scores across sessions per measure and rater (SVG; the table beside it
    /// holds every value).
    outcome_charts: Vec<String>,
    /// The questionnaires answered question by question (through a link, or received as
    /// FHIR), each downloadable as a FHIR R4 QuestionnaireResponse: its place in the order
    /// recorded (from 1, as `/api/referrals/{id}/outcomes/{number}/fhir` counts) and a label.
    answered: Vec<(usize, String)>,
}

/// One line chart per measure and rater: a line per scale, the scores by date.
fn outcome_charts(view: &nwd_usecase::outcomes::OutcomesView, state: &AppState) -> Vec<String> {
    let mut groups: Vec<(&str, &str, nwd_domain::referral::outcome::OutcomeRater)> = Vec::new();
    for s in &view.scales {
        if !groups
            .iter()
            .any(|(m, _, r)| *m == s.measure && *r == s.rater)
        {
            groups.push((&s.measure, &s.measure_name, s.rater));
        }
    }
    groups
        .into_iter()
        .enumerate()
        .map(|(i, (measure, name, rater))| {
            let scales: Vec<&nwd_usecase::outcomes::ScaleOutcomeView> = view
                .scales
                .iter()
                .filter(|s| s.measure == measure && s.rater == rater)
                .collect();
            let mut dates: Vec<jiff::Timestamp> = scales
                .iter()
                .flat_map(|s| s.scores.iter().map(|p| p.at))
                .collect();
            dates.sort();
            dates.dedup();
            let chart = crate::chart::Chart {
                id: format!("outcome-chart-{i}"),
                title: format!("{name}, completed by {}", rater.label().to_lowercase()),
                description: format!(
                    "Scores of {name} across sessions, one line per scale. Every score is in the table of outcome measures."
                ),
                x_labels: dates.iter().map(|d| shown(*d, state)).collect(),
                y_label: "Score".into(),
                kind: crate::chart::ChartKind::Line,
                series: scales
                    .iter()
                    .map(|s| {
                        crate::chart::Series::new(
                            s.scale_label.clone(),
                            dates
                                .iter()
                                .map(|d| {
                                    s.scores.iter().rev().find(|p| p.at == *d).map(|p| p.score)
                                })
                                .collect(),
                        )
                    })
                    .collect(),
                y_max: None,
            };
            chart.svg()
        })
        .collect()
}
pub(super) fn coded<T: Copy + PartialEq>(
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
    let mut schedules: Vec<(ServiceId, MeasurementSchedule)> = services
        .iter()
        .map(|(s, _)| (s.id, s.details.measurement))
        .collect();
    // Services allocated earlier may no longer serve this age: name them too.
    for allocation in &referral.allocations {
        if !names.iter().any(|(id, _)| *id == allocation.service_id) {
            if let Ok((service, _)) = state.store.service(allocation.service_id).await {
                schedules.push((service.id, service.details.measurement));
                names.push((service.id, service.details.name));
            }
        }
    }
    let schedule_of = |service: ServiceId| {
        schedules
            .iter()
            .find(|(id, _)| *id == service)
            .map(|(_, s)| *s)
            .unwrap_or_default()
    };
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
            if referral.reasons.is_empty() {
                "Not yet coded (the referrer was not sure)".to_owned()
            } else {
                referral
                    .reasons
                    .iter()
                    .map(|r| format!("{} ({})", r.label(), r.code()))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
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
            measure: match &a.ended {
                Some(end) => end
                    .without_closing_measure
                    .as_ref()
                    .map(|m| format!("Ended without a closing measure: {}", m.reason.label()))
                    .unwrap_or_default(),
                None => {
                    let follow_up = schedule_of(a.service_id)
                        .follow_up(referral.measure_counts(a.id, state.store.tz()));
                    follow_up.label().to_owned()
                }
            },
            measure_overdue: a.is_active()
                && schedule_of(a.service_id)
                    .follow_up(referral.measure_counts(a.id, state.store.tz()))
                    .is_overdue(),
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
    let outcomes = nwd_usecase::outcomes::referral_outcomes(&state.store, &referral)
        .await
        .map_err(PageError::staff)?;
    let measures = nwd_outcomes::bundled()
        .measures()
        .iter()
        .map(|m| Choice {
            value: m.code.clone(),
            label: m.name.clone(),
            selected: false,
        })
        .collect();
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
        intake: super::intake::section(&referral.details),
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
        missing_measure_reasons: coded(
            &MissingMeasureReason::ALL,
            |r| r.code(),
            |r| r.label().to_owned(),
            &actions.discharge_missing_measure,
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
        outcome_charts: outcome_charts(&outcomes, state),
        answered: referral
            .outcomes
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.answers.is_empty())
            .map(|(i, a)| {
                let name = nwd_outcomes::bundled()
                    .get(&a.measure)
                    .map_or_else(|| a.measure.clone(), |d| d.name.clone());
                let day = a.at.to_zoned(state.store.tz().clone()).date();
                (i + 1, format!("{name}, {}", day.strftime("%-d %B %Y")))
            })
            .collect(),
        outcomes,
        measures,
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}
