//! Folding events into state: [`Referral::replay`] rebuilds a referral from its whole history,
//! and `apply` changes the state by one event. Events are facts, so `apply` never refuses one;
//! replay refuses only a history that does not start with receipt or whose sequence numbers
//! are not 1, 2, 3, … ([`ReplayError`]).

use jiff::Timestamp;

use crate::ids::{AllocationId, PersonId, ReferralId};

use crate::referral::command::NewReferral;
use crate::referral::state::{
    Allocation, AllocationEnd, Closure, Referral, ReferralStatus, TriageRecord,
};

use super::{RecordedEvent, ReferralEvent, ReplayError};

impl Referral {
    /// Rebuilds a referral from its whole history.
    pub fn replay(events: &[RecordedEvent]) -> Result<Referral, ReplayError> {
        let (first, rest) = events.split_first().ok_or(ReplayError::NoReceivedEvent)?;
        let mut referral = match &first.event {
            ReferralEvent::Received {
                referral_id,
                person_id,
                referral,
            } if first.seq == 1 => Referral::from_received(*referral_id, *person_id, referral),
            _ => return Err(ReplayError::NoReceivedEvent),
        };
        for event in rest {
            if event.seq != referral.version + 1 {
                return Err(ReplayError::BrokenSequence(event.seq));
            }
            referral.apply(event);
        }
        Ok(referral)
    }

    pub(crate) fn from_received(
        id: ReferralId,
        person_id: PersonId,
        new: &NewReferral,
    ) -> Referral {
        Referral {
            id,
            person_id,
            version: 1,
            kind: new.kind,
            source: new.source,
            priority: new.priority,
            // Only a request for more urgency than the clinical priority is pending.
            requested_priority: new
                .requested_priority
                .filter(|requested| requested.rank() < new.priority.rank()),
            request_reason: new
                .requested_priority
                .filter(|requested| requested.rank() < new.priority.rank())
                .and(new.request_reason.clone()),
            risk: None,
            risk_review_on: None,
            reasons: new.reasons.clone(),
            presenting_needs: new.presenting_needs.clone(),
            referrer: new.referrer.clone(),
            consent_to_share: new.consent_to_share.clone(),
            received_at: new.received_at,
            details: (*new.details).clone(),
            outcomes: Vec::new(),
            measure_links: Vec::new(),
            goals: Vec::new(),
            status: ReferralStatus::AwaitingTriage,
            need_group: None,
            triage: None,
            competence: None,
            allocations: Vec::new(),
            contacts: Vec::new(),
            signposts: Vec::new(),
            advice: Vec::new(),
            step_count: 0,
            transition_plans: Vec::new(),
            transitions: Vec::new(),
            closure: None,
        }
    }

    /// Applies one recorded event. Events are facts and are never refused here; the rules
    /// live in `decide`.
    pub fn apply(&mut self, recorded: &RecordedEvent) {
        self.version = recorded.seq;
        let at = recorded.at;
        match &recorded.event {
            ReferralEvent::Received { .. } => {}
            ReferralEvent::CompetenceRecorded { decision } => {
                self.competence = Some(decision.clone())
            }
            ReferralEvent::Triaged {
                need_group,
                risk,
                rationale,
                preference,
                priority,
                risk_review_on,
            } => {
                self.need_group = Some(*need_group);
                crate::referral::urgency::apply_urgency(
                    self,
                    *priority,
                    Some(*risk),
                    *risk_review_on,
                );
                // Triage settles any request for more urgency, whatever it decided.
                self.requested_priority = None;
                self.request_reason = None;
                self.triage = Some(TriageRecord {
                    at,
                    by: recorded.actor.clone(),
                    need_group: *need_group,
                    risk: *risk,
                    rationale: rationale.clone(),
                    preference: preference.clone(),
                });
            }
            ReferralEvent::UrgencyRecorded {
                priority,
                risk,
                risk_review_on,
                ..
            } => crate::referral::urgency::apply_urgency(self, *priority, *risk, *risk_review_on),
            ReferralEvent::Allocated {
                allocation_id,
                service_id,
                need_group,
                origin,
                clock_start,
            } => {
                self.allocations.push(Allocation {
                    id: *allocation_id,
                    service_id: *service_id,
                    need_group: *need_group,
                    origin: *origin,
                    allocated_at: at,
                    clock_start: *clock_start,
                    first_attended_at: None,
                    second_attended_at: None,
                    ended: None,
                });
                self.status = ReferralStatus::Open;
            }
            ReferralEvent::Signposted { signpost } => self.signposts.push(signpost.clone()),
            ReferralEvent::AdviceGiven { summary } => self.advice.push(summary.clone()),
            ReferralEvent::ContactRecorded { contact } => {
                self.contacts.push(contact.clone());
                self.refresh_attendance(contact.allocation_id);
            }
            ReferralEvent::OutcomeRecorded { assessment } => {
                self.outcomes.push(assessment.clone());
            }
            ReferralEvent::GoalsAgreed { goals } => {
                self.goals.push(super::super::outcome::AgreedGoals {
                    allocation_id: goals.allocation_id,
                    goals: goals.goals.clone(),
                    at,
                })
            }
            ReferralEvent::MeasureLinkSent {
                link_id,
                request,
                expires_at,
            } => self
                .measure_links
                .push(super::super::measurement::SentMeasureLink {
                    link_id: *link_id,
                    request: request.clone(),
                    sent_at: at,
                    expires_at: *expires_at,
                }),
            ReferralEvent::ContactOutcomeRecorded { contact_id, status } => {
                let mut allocation = None;
                if let Some(contact) = self.contacts.iter_mut().find(|c| c.id == *contact_id) {
                    contact.status = *status;
                    allocation = Some(contact.allocation_id);
                }
                if let Some(allocation_id) = allocation {
                    self.refresh_attendance(allocation_id);
                }
            }
            ReferralEvent::NeedGroupChanged { to, .. } => {
                self.need_group = Some(*to);
                self.step_count += 1;
            }
            ReferralEvent::TransitionPlanned {
                allocation_id,
                planned_on,
                outcome,
                need_group,
                receiving_service_id,
                receiving_service,
                note,
            } => {
                self.transition_plans
                    .push(crate::referral::transition_plan::TransitionPlan {
                        allocation_id: *allocation_id,
                        planned_on: *planned_on,
                        outcome: *outcome,
                        need_group: *need_group,
                        receiving_service_id: *receiving_service_id,
                        receiving_service: receiving_service.clone(),
                        note: note.clone(),
                        planned_at: at,
                    });
            }
            ReferralEvent::TransitionRecorded {
                allocation_id,
                outcome,
                need_group,
                ..
            } => {
                self.transitions
                    .push((*allocation_id, *outcome, *need_group));
            }
            ReferralEvent::AllocationEnded {
                allocation_id,
                reason,
                note,
                without_closing_measure,
            } => {
                if let Some(allocation) =
                    self.allocations.iter_mut().find(|a| a.id == *allocation_id)
                {
                    allocation.ended = Some(AllocationEnd {
                        at,
                        reason: *reason,
                        note: note.clone(),
                        without_closing_measure: without_closing_measure.clone(),
                    });
                }
            }
            ReferralEvent::PersonRelinked { to, .. } => self.person_id = *to,
            ReferralEvent::Closed { destination } => {
                self.status = ReferralStatus::Closed;
                self.closure = Some(Closure {
                    at,
                    destination: destination.clone(),
                });
            }
        }
    }

    /// Recomputes an allocation's first and second attended direct contacts, whatever order
    /// contacts were recorded in.
    fn refresh_attendance(&mut self, allocation_id: AllocationId) {
        let mut times: Vec<Timestamp> = self
            .contacts
            .iter()
            .filter(|c| c.allocation_id == allocation_id && c.is_attended_direct())
            .map(|c| c.at)
            .collect();
        times.sort();
        if let Some(allocation) = self.allocations.iter_mut().find(|a| a.id == allocation_id) {
            allocation.first_attended_at = times.first().copied();
            allocation.second_attended_at = times.get(1).copied();
        }
    }
}
