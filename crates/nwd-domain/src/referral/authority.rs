//! Whose allocations a caller may change. A relationship with the young person lets a team
//! read their record, but a change to an allocation — a contact or its outcome, a step that
//! ends it, a transition outcome, a discharge — belongs to the team of that allocation's
//! service and to the single point of access, not to every agency that works with the young
//! person (issue 15: a trust clinician discharged a young person from a voluntary
//! organisation's service). The route guard still decides whether the caller may write to the
//! referral at all; this decides which of its allocations.

use crate::ids::{AllocationId, ServiceId};
use crate::referral::{Command, Referral};
use crate::DomainError;

/// What a caller's teams give them over a referral's allocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteAuthority {
    /// A single point of access team: every allocation.
    SinglePointOfAccess,
    /// Service teams: the allocations to these services only.
    Services(Vec<ServiceId>),
}

impl WriteAuthority {
    fn covers(&self, service: ServiceId) -> bool {
        match self {
            WriteAuthority::SinglePointOfAccess => true,
            WriteAuthority::Services(services) => services.contains(&service),
        }
    }
}

/// The allocations `command` changes (an unknown one is left for `decide` to report).
fn allocations_changed(referral: &Referral, command: &Command) -> Vec<AllocationId> {
    match command {
        Command::RecordContact(contact) => vec![contact.allocation_id],
        Command::RecordOutcome(assessment) => vec![assessment.allocation_id],
        Command::SendMeasureLink(link) => vec![link.allocation_id],
        Command::AgreeGoals(goals) => vec![goals.allocation_id],
        Command::RecordContactOutcome { contact_id, .. } => referral
            .contacts
            .iter()
            .filter(|c| c.id == *contact_id)
            .map(|c| c.allocation_id)
            .collect(),
        Command::Step(step) => step.end_allocations.clone(),
        Command::Transition(transition) => vec![transition.allocation_id],
        Command::PlanTransition(plan) => vec![plan.allocation_id],
        Command::Discharge(discharge) => vec![discharge.allocation_id],
        Command::RecordCompetence(_)
        | Command::Triage(_)
        | Command::Allocate(_)
        | Command::Decline { .. }
        // Priority and risk belong to the referral, not to one allocation: any team with a
        // relationship may review them (issue 14).
        | Command::RecordUrgency(_) => Vec::new(),
    }
}

/// Refuses a command that changes an allocation to a service `authority` does not cover.
pub fn check_allocation_change(
    authority: &WriteAuthority,
    referral: &Referral,
    command: &Command,
) -> Result<(), DomainError> {
    for id in allocations_changed(referral, command) {
        let Some(allocation) = referral.allocation(id) else {
            continue;
        };
        if !authority.covers(allocation.service_id) {
            return Err(DomainError::Forbidden(
                "this allocation belongs to another service: only that service's team or the \
                 single point of access can change it"
                    .into(),
            ));
        }
    }
    Ok(())
}
