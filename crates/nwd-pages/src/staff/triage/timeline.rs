//! A referral's timeline: each recorded event in words ([`TimelineEntry`]).

use nwd_domain::referral::{RecordedEvent, ReferralEvent};
use nwd_domain::ServiceId;

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

pub(super) fn describe(
    event: &RecordedEvent,
    service_name: &dyn Fn(ServiceId) -> String,
) -> (String, String) {
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
        ReferralEvent::OutcomeRecorded { assessment } => (
            "Outcome measure recorded".into(),
            format!(
                "{} ({}): {}",
                nwd_outcomes::bundled()
                    .get(&assessment.measure)
                    .map(|m| m.name.as_str())
                    .unwrap_or(&assessment.measure),
                assessment.rater.label().to_lowercase(),
                assessment
                    .scores
                    .iter()
                    .map(|s| format!("{} {}", s.scale, s.score()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        ReferralEvent::GoalsAgreed { goals } => (
            "Goals agreed".into(),
            goals
                .goals
                .iter()
                .enumerate()
                .map(|(i, g)| format!("Goal {}: {g}", i + 1))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        ReferralEvent::MeasureLinkSent {
            request,
            expires_at,
            ..
        } => (
            "Measure link sent".into(),
            format!(
                "{} for the {} to complete, usable once until {}",
                nwd_outcomes::bundled()
                    .get(&request.measure)
                    .map(|m| m.name.as_str())
                    .unwrap_or(&request.measure),
                request.rater.label().to_lowercase(),
                expires_at.strftime("%Y-%m-%d %H:%M UTC")
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
        ReferralEvent::AllocationEnded {
            reason,
            note,
            without_closing_measure,
            ..
        } => (
            "Discharged from a service".into(),
            format!(
                "{}{}{}",
                reason.label(),
                note.as_deref()
                    .map(|n| format!(". {n}"))
                    .unwrap_or_default(),
                without_closing_measure
                    .as_ref()
                    .map(|m| format!(
                        ". No closing outcome measure: {}{}",
                        m.reason.label(),
                        m.note
                            .as_deref()
                            .map(|n| format!(" ({n})"))
                            .unwrap_or_default()
                    ))
                    .unwrap_or_default()
            ),
        ),
        ReferralEvent::PersonRelinked { reason, .. } => {
            ("Linked to another record".into(), reason.clone())
        }
        ReferralEvent::Closed { .. } => ("Closed".into(), String::new()),
    }
}
