//! From a generated action to a concrete [`Command`] against the referral as it stands (its
//! allocations and contacts picked by index, or an unknown id).

use jiff::{Timestamp, ToSpan};
use uuid::Uuid;

use nwd_domain::codes::{ConsultationMechanism, ContactStatus, DischargeReason, TransitionOutcome};
use nwd_domain::need::{NeedGroup, RiskLevel, StepDirection};
use nwd_domain::person::CompetenceDecision;
use nwd_domain::referral::{
    AllocateCommand, Command, ContactInput, ContactKind, DestinationRequest, DischargeCommand,
    Referral, StepCommand, TransitionCommand, TriageCommand,
};
use nwd_domain::{AllocationId, ContactId};

use super::*;

pub(super) fn text(blank: bool, value: &str) -> String {
    if blank {
        "   ".to_string()
    } else {
        value.to_string()
    }
}

pub(super) fn unknown() -> Uuid {
    Uuid::from_u128(0xDEAD)
}

pub(super) fn allocation_id(referral: &Referral, pick: Pick) -> AllocationId {
    match pick {
        Some(i) if !referral.allocations.is_empty() => {
            referral.allocations[i % referral.allocations.len()].id
        }
        _ => AllocationId(unknown()),
    }
}

pub(super) fn contact_id(referral: &Referral, pick: Pick) -> ContactId {
    match pick {
        Some(i) if !referral.contacts.is_empty() => {
            referral.contacts[i % referral.contacts.len()].id
        }
        _ => ContactId(unknown()),
    }
}

pub(super) fn competence(competent: bool, blank: bool) -> CompetenceDecision {
    CompetenceDecision {
        competent,
        assessed_by: text(blank, "Jo Triage, CAMHS practitioner"),
        rationale: "Understands the help offered and that they can stop".to_string(),
    }
}

pub(super) fn command(action: &Action, referral: &Referral, now: Timestamp) -> Command {
    match action {
        Action::Competence { competent, blank } => {
            Command::RecordCompetence(competence(*competent, *blank))
        }
        Action::Triage {
            group,
            destinations,
            competence: decision,
            blank,
        } => Command::Triage(TriageCommand {
            need_group: NeedGroup::ALL[*group],
            risk: RiskLevel::Medium,
            priority: None,
            risk_review_on: None,
            rationale: text(*blank, "Agreed with the young person and family"),
            preference: None,
            destinations: destinations
                .iter()
                .map(|d| match d {
                    Dest::Allocate(s) => DestinationRequest::Allocate {
                        service_id: SERVICE_IDS[*s],
                    },
                    Dest::Signpost { blank, service } => DestinationRequest::Signpost {
                        name: text(*blank, "Riverside Youth Counselling"),
                        service_id: service.map(|s| SERVICE_IDS[s]),
                        warm_handover: false,
                        handover_note: None,
                    },
                    Dest::Advice { blank } => DestinationRequest::AdviceGiven {
                        summary: text(*blank, "Graded plan for school attendance"),
                    },
                    Dest::Declined { blank } => DestinationRequest::Declined {
                        reason: text(*blank, "Would rather try the school counsellor"),
                    },
                })
                .collect(),
            competence: decision.map(|competent| competence(competent, false)),
        }),
        Action::Allocate { service, blank } => Command::Allocate(AllocateCommand {
            service_id: SERVICE_IDS[*service],
            reason: text(*blank, "Creative therapy alongside"),
        }),
        Action::Contact {
            allocation,
            offset_hours,
            status,
            mechanism,
            indirect,
            minutes,
        } => Command::RecordContact(ContactInput {
            allocation_id: allocation_id(referral, *allocation),
            at: now.checked_add(offset_hours.hours()).unwrap(),
            status: ContactStatus::ALL[*status],
            mechanism: ConsultationMechanism::ALL[*mechanism],
            clinician: "Sam Sample".to_string(),
            duration_minutes: *minutes,
            kind: match indirect {
                None => ContactKind::Direct,
                Some(blank) => ContactKind::Indirect {
                    with: text(*blank, "School SENCo"),
                },
            },
        }),
        Action::Outcome { contact, status } => Command::RecordContactOutcome {
            contact_id: contact_id(referral, *contact),
            status: ContactStatus::ALL[*status],
        },
        Action::Step {
            up,
            group,
            end,
            allocate,
            blank,
        } => Command::Step(StepCommand {
            direction: if *up {
                StepDirection::Up
            } else {
                StepDirection::Down
            },
            to: NeedGroup::ALL[*group],
            reason: text(*blank, "Needs changed"),
            end_allocations: end.iter().map(|p| allocation_id(referral, *p)).collect(),
            allocate: allocate.iter().map(|s| SERVICE_IDS[*s]).collect(),
        }),
        Action::Transition {
            allocation,
            outcome,
            group,
        } => Command::Transition(TransitionCommand {
            allocation_id: allocation_id(referral, *allocation),
            outcome: TransitionOutcome::ALL[*outcome],
            need_group: NeedGroup::ALL[*group],
            receiving_service: None,
            note: None,
        }),
        Action::Discharge { allocation, reason } => Command::Discharge(DischargeCommand {
            allocation_id: allocation_id(referral, *allocation),
            reason: DischargeReason::ALL[*reason],
            note: None,
            without_closing_measure: None,
        }),
        Action::Decline { blank } => Command::Decline {
            reason: text(*blank, "Feeling better"),
        },
    }
}
