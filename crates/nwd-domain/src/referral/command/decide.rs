//! The entry points on a [`Referral`]: `receive`, `execute`, `relink` and `decide`, the one
//! dispatch from a [`Command`] to the events it produces. On error no event is produced and
//! the referral is unchanged; the larger decisions live in the sibling `triage` and `care`.

use jiff::Timestamp;
use uuid::Uuid;

use crate::codes::{ContactStatus, DischargeReason};
use crate::error::{DomainError, ValidationErrors};
use crate::ids::{AllocationId, PersonId, ReferralId};
use crate::need::NeedGroup;

use crate::referral::event::{RecordedEvent, ReferralEvent};
use crate::referral::state::{AllocationOrigin, Destination, Referral, ReferralStatus};

use super::checks::{competence_fields, text};
use super::{Command, Context, NewReferral};

impl Referral {
    /// Receives a new referral: validates it and returns its first event.
    pub fn receive(
        id: ReferralId,
        person_id: PersonId,
        new: NewReferral,
        now: Timestamp,
        actor: &str,
    ) -> Result<RecordedEvent, DomainError> {
        let mut errors = ValidationErrors::new();
        new.validate(now, &mut errors);
        errors.into_result()?;
        Ok(RecordedEvent {
            seq: 1,
            at: now,
            actor: actor.to_string(),
            event: ReferralEvent::Received {
                referral_id: id,
                person_id,
                referral: new,
            },
        })
    }

    /// Decides a command and, if allowed, applies its events. Returns the new events; on
    /// error the referral is unchanged.
    pub fn execute(
        &mut self,
        command: Command,
        ctx: &mut Context<'_>,
    ) -> Result<Vec<RecordedEvent>, DomainError> {
        let events = self.decide(command, ctx)?;
        let recorded: Vec<RecordedEvent> = events
            .into_iter()
            .enumerate()
            .map(|(i, event)| RecordedEvent {
                seq: self.version + 1 + i as u32,
                at: ctx.now,
                actor: ctx.actor.to_string(),
                event,
            })
            .collect();
        for event in &recorded {
            self.apply(event);
        }
        Ok(recorded)
    }

    /// Relinks the referral to another person record (merge or unmerge of duplicates). A
    /// register correction, not a change of care, so closed referrals can be relinked too.
    pub fn relink(
        &mut self,
        to: PersonId,
        merge_id: Uuid,
        reason: &str,
        now: Timestamp,
        actor: &str,
    ) -> Result<RecordedEvent, DomainError> {
        if to == self.person_id {
            return Err(DomainError::invalid(
                "person_id",
                "the referral is already linked to this person",
            ));
        }
        if reason.trim().is_empty() {
            return Err(DomainError::invalid(
                "reason",
                "say why the records are being merged or separated",
            ));
        }
        let event = RecordedEvent {
            seq: self.version + 1,
            at: now,
            actor: actor.to_string(),
            event: ReferralEvent::PersonRelinked {
                from: self.person_id,
                to,
                merge_id,
                reason: reason.to_string(),
            },
        };
        self.apply(&event);
        Ok(event)
    }

    /// Decides a command: the events it causes, or why it is refused.
    pub fn decide(
        &self,
        command: Command,
        ctx: &mut Context<'_>,
    ) -> Result<Vec<ReferralEvent>, DomainError> {
        if self.status == ReferralStatus::Closed {
            return Err(DomainError::illegal(format!(
                "this referral is closed (destination: {}); it cannot be changed. Make a new referral if more help is needed",
                self.closure.as_ref().map(|c| c.destination.name()).unwrap_or_default()
            )));
        }
        match command {
            Command::RecordCompetence(decision) => {
                let mut errors = ValidationErrors::new();
                competence_fields(&decision, "", &mut errors);
                errors.into_result()?;
                Ok(vec![ReferralEvent::CompetenceRecorded { decision }])
            }
            Command::Triage(triage) => self.decide_triage(triage, ctx),
            Command::RecordUrgency(urgency) => self.decide_urgency(urgency, ctx),
            Command::Allocate(allocate) => {
                self.require_open("add an allocation")?;
                let need_group = self.need_group.unwrap_or(NeedGroup::GettingHelp);
                let mut errors = ValidationErrors::new();
                text(
                    &mut errors,
                    "reason",
                    &allocate.reason,
                    "say why another service is being added",
                );
                self.check_service(
                    allocate.service_id,
                    need_group,
                    "service_id",
                    ctx,
                    &[],
                    &mut errors,
                );
                self.check_competence(None, ctx, &mut errors);
                errors.into_result()?;
                Ok(vec![ReferralEvent::Allocated {
                    allocation_id: AllocationId((ctx.new_id)()),
                    service_id: allocate.service_id,
                    need_group,
                    origin: AllocationOrigin::Additional,
                    clock_start: ctx.now,
                }])
            }
            Command::RecordContact(input) => self.decide_contact(input, ctx),
            Command::RecordOutcome(assessment) => {
                self.require_active_allocation(
                    assessment.allocation_id,
                    "record an outcome measure",
                )?;
                let mut errors = ValidationErrors::new();
                assessment.check(&mut errors);
                if assessment.at > ctx.latest_allowed() {
                    errors.add("at", "an outcome measure cannot be completed in the future");
                } else if assessment.at < self.received_at {
                    errors.add(
                        "at",
                        "an outcome measure for this referral cannot be dated before it was received",
                    );
                }
                errors.into_result()?;
                Ok(vec![ReferralEvent::OutcomeRecorded { assessment }])
            }
            Command::AgreeGoals(mut goals) => {
                self.require_active_allocation(goals.allocation_id, "agree goals")?;
                let mut errors = ValidationErrors::new();
                goals.check(&mut errors);
                errors.into_result()?;
                goals.goals = goals.goals.iter().map(|g| g.trim().to_owned()).collect();
                Ok(vec![ReferralEvent::GoalsAgreed { goals }])
            }
            Command::SendMeasureLink(request) => {
                self.require_active_allocation(request.allocation_id, "send a measure link")?;
                let mut errors = ValidationErrors::new();
                request.check(
                    crate::person::age_in_years(ctx.date_of_birth, ctx.today()),
                    &mut errors,
                );
                errors.into_result()?;
                let expires_at = ctx
                    .now
                    .saturating_add(jiff::SignedDuration::from_hours(
                        24 * crate::referral::measurement::MEASURE_LINK_DAYS,
                    ))
                    .unwrap_or(ctx.now);
                Ok(vec![ReferralEvent::MeasureLinkSent {
                    link_id: (ctx.new_id)(),
                    request,
                    expires_at,
                }])
            }
            Command::RecordContactOutcome { contact_id, status } => {
                let contact = self.contact(contact_id).ok_or_else(|| {
                    DomainError::NotFound(format!("contact {contact_id} is not on this referral"))
                })?;
                if contact.status != ContactStatus::Scheduled {
                    return Err(DomainError::illegal(format!(
                        "this contact's outcome is already recorded as {}; outcomes are recorded once",
                        contact.status.as_str()
                    )));
                }
                if status == ContactStatus::Scheduled {
                    return Err(DomainError::invalid(
                        "status",
                        "record what happened: attended, did_not_attend, cancelled_by_patient, …",
                    ));
                }
                self.require_active_allocation(contact.allocation_id, "record a contact outcome")?;
                if status.is_attended() && contact.at > ctx.latest_allowed() {
                    return Err(DomainError::invalid(
                        "status",
                        "a contact booked in the future cannot have been attended yet",
                    ));
                }
                Ok(vec![ReferralEvent::ContactOutcomeRecorded {
                    contact_id,
                    status,
                }])
            }
            Command::Step(step) => self.decide_step(step, ctx),
            Command::PlanTransition(plan) => self.decide_transition_plan(plan, ctx),
            Command::Transition(mut transition) => {
                self.require_active_allocation(transition.allocation_id, "record a transition")?;
                // Recorded as planned: the plan's receiving service unless another is named.
                if transition.receiving_service.is_none() {
                    transition.receiving_service = self
                        .transition_plan(transition.allocation_id)
                        .filter(|p| p.outcome == transition.outcome)
                        .and_then(|p| p.receiving_service.clone());
                }
                let mut events = vec![
                    ReferralEvent::TransitionRecorded {
                        allocation_id: transition.allocation_id,
                        outcome: transition.outcome,
                        need_group: transition.need_group,
                        receiving_service: transition.receiving_service.clone(),
                    },
                    ReferralEvent::AllocationEnded {
                        allocation_id: transition.allocation_id,
                        reason: DischargeReason::Transition,
                        note: transition.note,
                        without_closing_measure: None,
                    },
                ];
                if self.active_allocations().count() == 1 {
                    events.push(ReferralEvent::Closed {
                        destination: Destination::Transitioned {
                            outcome: transition.outcome,
                            receiving_service: transition.receiving_service,
                        },
                    });
                }
                Ok(events)
            }
            Command::Discharge(discharge) => {
                self.require_active_allocation(discharge.allocation_id, "discharge")?;
                if !discharge.reason.accepted_at_discharge() {
                    return Err(DomainError::invalid(
                        "reason",
                        "record transitions with the transition action and step changes with step up/down",
                    ));
                }
                self.check_closing_measure(&discharge, ctx)?;
                let mut events = vec![ReferralEvent::AllocationEnded {
                    allocation_id: discharge.allocation_id,
                    reason: discharge.reason,
                    note: discharge.note,
                    without_closing_measure: discharge.without_closing_measure,
                }];
                if self.active_allocations().count() == 1 {
                    events.push(ReferralEvent::Closed {
                        destination: self.allocated_destination(ctx),
                    });
                }
                Ok(events)
            }
            Command::Decline { reason } => {
                let mut errors = ValidationErrors::new();
                text(
                    &mut errors,
                    "reason",
                    &reason,
                    "record the young person's or family's reason in their words",
                );
                errors.into_result()?;
                let mut events: Vec<ReferralEvent> = self
                    .active_allocations()
                    .map(|a| ReferralEvent::AllocationEnded {
                        allocation_id: a.id,
                        reason: DischargeReason::DeclinedFurtherSupport,
                        note: Some(reason.clone()),
                        without_closing_measure: None,
                    })
                    .collect();
                events.push(ReferralEvent::Closed {
                    destination: Destination::Declined { reason },
                });
                Ok(events)
            }
        }
    }
}
