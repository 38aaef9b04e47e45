//! Building commands: small constructors for triage, contacts, steps and discharges, and the
//! command kinds of the table ([`Cmd`]), each made concrete against the starting referral.

use nwd_domain::codes::{ConsultationMechanism, ContactStatus, DischargeReason, TransitionOutcome};
use nwd_domain::need::{NeedGroup, RiskLevel, StepDirection};
use nwd_domain::person::CompetenceDecision;
use nwd_domain::referral::measurement::{MissingMeasure, MissingMeasureReason};
use nwd_domain::referral::{
    AllocateCommand, Command, ContactInput, ContactKind, DestinationRequest, DischargeCommand,
    Referral, StepCommand, TransitionCommand, TransitionPlanCommand, TriageCommand,
};
use nwd_domain::ServiceId;
use nwd_domain::{AllocationId, ContactId};

use super::*;

pub(super) fn competence(competent: bool) -> CompetenceDecision {
    CompetenceDecision {
        competent,
        assessed_by: "Jo Triage, CAMHS practitioner".to_string(),
        rationale: "Understands the help offered, its risks and that they can stop".to_string(),
    }
}

pub(super) fn triage(destinations: Vec<DestinationRequest>) -> TriageCommand {
    TriageCommand {
        need_group: NeedGroup::GettingHelp,
        risk: RiskLevel::Low,
        priority: None,
        risk_review_on: None,
        rationale: "Agreed with the young person and parent: goal-based help".to_string(),
        preference: Some("After school appointments".to_string()),
        destinations,
        competence: None,
    }
}

pub(super) fn allocate_to(service_id: ServiceId) -> DestinationRequest {
    DestinationRequest::Allocate { service_id }
}

pub(super) fn signpost() -> DestinationRequest {
    DestinationRequest::Signpost {
        name: "Riverside Youth Counselling".to_string(),
        service_id: None,
        warm_handover: true,
        handover_note: Some("Spoke to the duty counsellor; first session offered".to_string()),
    }
}

pub(super) fn contact(allocation_id: AllocationId, at: &str, status: ContactStatus) -> Command {
    Command::RecordContact(ContactInput {
        allocation_id,
        at: ts(at),
        status,
        mechanism: ConsultationMechanism::FaceToFace,
        clinician: "Sam Sample".to_string(),
        duration_minutes: 50,
        kind: ContactKind::Direct,
    })
}

pub(super) fn discharge(allocation_id: AllocationId) -> Command {
    Command::Discharge(DischargeCommand {
        allocation_id,
        reason: DischargeReason::TreatmentCompleted,
        note: None,
        // Most cases here are not about outcome measures: a seen allocation is discharged
        // saying why there is no closing measure (the rule: `measurement_rules.rs`).
        without_closing_measure: Some(MissingMeasure {
            reason: MissingMeasureReason::NotClinicallyAppropriate,
            note: None,
        }),
    })
}

pub(super) fn step(end_allocations: Vec<AllocationId>, allocate: Vec<ServiceId>) -> Command {
    Command::Step(StepCommand {
        direction: StepDirection::Up,
        to: NeedGroup::GettingMoreHelp,
        reason: "Low mood worsening despite sessions".to_string(),
        end_allocations,
        allocate,
    })
}

/// The command kinds of the table. Each becomes a concrete, otherwise valid command aimed at
/// the starting referral (its first allocation, its last scheduled contact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cmd {
    RecordCompetence,
    TriageAllocate,
    TriageSignpost,
    TriageAdvice,
    TriageDeclined,
    Allocate,
    RecordContact,
    RecordContactOutcome,
    Step,
    PlanTransition,
    Transition,
    Discharge,
    Decline,
}

impl Cmd {
    pub(super) const ALL: [Cmd; 13] = [
        Cmd::RecordCompetence,
        Cmd::TriageAllocate,
        Cmd::TriageSignpost,
        Cmd::TriageAdvice,
        Cmd::TriageDeclined,
        Cmd::Allocate,
        Cmd::RecordContact,
        Cmd::RecordContactOutcome,
        Cmd::Step,
        Cmd::PlanTransition,
        Cmd::Transition,
        Cmd::Discharge,
        Cmd::Decline,
    ];

    pub(super) fn build(self, referral: &Referral) -> Command {
        let allocation = referral
            .allocations
            .first()
            .map(|a| a.id)
            .unwrap_or(AllocationId(UNKNOWN));
        let scheduled = referral
            .contacts
            .iter()
            .rev()
            .find(|c| c.status == ContactStatus::Scheduled)
            .map(|c| c.id)
            .unwrap_or(ContactId(UNKNOWN));
        match self {
            Cmd::RecordCompetence => Command::RecordCompetence(competence(true)),
            Cmd::TriageAllocate => Command::Triage(triage(vec![allocate_to(COMMUNITY)])),
            Cmd::TriageSignpost => Command::Triage(triage(vec![signpost()])),
            Cmd::TriageAdvice => Command::Triage(triage(vec![DestinationRequest::AdviceGiven {
                summary: "Discussed a graded plan for school attendance".to_string(),
            }])),
            Cmd::TriageDeclined => Command::Triage(triage(vec![DestinationRequest::Declined {
                reason: "The family would rather try the school counsellor first".to_string(),
            }])),
            Cmd::Allocate => Command::Allocate(AllocateCommand {
                service_id: WELLBEING,
                reason: "Creative therapy alongside CYPMHS sessions".to_string(),
            }),
            Cmd::RecordContact => {
                contact(allocation, "2025-02-03T09:00:00Z", ContactStatus::Attended)
            }
            Cmd::RecordContactOutcome => Command::RecordContactOutcome {
                contact_id: scheduled,
                status: ContactStatus::Attended,
            },
            Cmd::Step => step(vec![allocation], vec![INTENSIVE]),
            Cmd::PlanTransition => Command::PlanTransition(TransitionPlanCommand {
                allocation_id: allocation,
                planned_on: "2030-09-01".parse().unwrap(),
                outcome: TransitionOutcome::AdultService,
                receiving_service_id: None,
                receiving_service: Some("Northvale adult mental health service".to_string()),
                note: None,
            }),
            Cmd::Transition => Command::Transition(TransitionCommand {
                allocation_id: allocation,
                outcome: TransitionOutcome::ZeroToTwentyFiveService,
                need_group: NeedGroup::GettingHelp,
                receiving_service: Some("Northvale 18-25 service".to_string()),
                note: None,
            }),
            Cmd::Discharge => discharge(allocation),
            Cmd::Decline => Command::Decline {
                reason: "Feeling better and wants to stop".to_string(),
            },
        }
    }
}
