//! Decisions during care: recording a contact and stepping up or down between services.
//! Both need the referral open; a step ends allocations and opens others in one decision, and
//! must leave the young person with at least one service.

use crate::codes::{ContactStatus, DischargeReason};
use crate::error::{DomainError, ValidationErrors};
use crate::ids::{AllocationId, ContactId, ServiceId};
use crate::need::NeedGroup;

use crate::referral::event::ReferralEvent;
use crate::referral::state::{AllocationOrigin, Contact, ContactKind, Referral};

use super::checks::text;
use super::{ContactInput, Context, DischargeCommand, StepCommand};

impl Referral {
    /// A discharge of a seen allocation whose service asks for a closing measure, with none on
    /// or after the day of the last attended contact, must say why (`referral::measurement`);
    /// a reason given when a closing measure exists is refused as contradictory.
    pub(super) fn check_closing_measure(
        &self,
        discharge: &DischargeCommand,
        ctx: &Context<'_>,
    ) -> Result<(), DomainError> {
        let field = "without_closing_measure";
        let mut errors = ValidationErrors::new();
        let asks = self
            .allocation(discharge.allocation_id)
            .and_then(|a| ctx.services.service(a.service_id))
            .is_none_or(|s| s.details.measurement.routine && s.details.measurement.closing_measure);
        let closing = self.has_closing_measure(discharge.allocation_id, ctx.tz);
        match (&discharge.without_closing_measure, closing) {
            (None, Some(false)) if asks => errors.add(
                field,
                "no closing outcome measure is recorded since the last session: record one, or say why not",
            ),
            (Some(_), Some(true)) => errors.add(
                field,
                "a closing outcome measure is recorded: leave out the reason for not having one",
            ),
            (Some(missing), _) => missing.validate(field, &mut errors),
            _ => {}
        }
        errors.into_result()
    }

    pub(super) fn decide_contact(
        &self,
        input: ContactInput,
        ctx: &mut Context<'_>,
    ) -> Result<Vec<ReferralEvent>, DomainError> {
        self.require_active_allocation(input.allocation_id, "record a contact")?;
        let mut errors = ValidationErrors::new();
        text(
            &mut errors,
            "clinician",
            &input.clinician,
            "name the clinician or practitioner",
        );
        if input.at < self.received_at {
            errors.add("at", "a contact cannot be before the referral was received");
        } else if let Some(allocation) = self.allocation(input.allocation_id) {
            if input.at < allocation.clock_start {
                errors.add(
                    "at",
                    "a contact on this allocation cannot be before the allocation's wait started",
                );
            }
        }
        if input.status != ContactStatus::Scheduled && input.at > ctx.latest_allowed() {
            errors.add("status", "only a scheduled contact can be in the future; record the outcome after it happens");
        }
        if input.duration_minutes == 0 && input.status.is_attended() {
            errors.add(
                "duration_minutes",
                "an attended contact lasts at least one minute",
            );
        }
        if input.duration_minutes > 24 * 60 {
            errors.add("duration_minutes", "a contact cannot last more than a day");
        }
        if let ContactKind::Indirect { with } = &input.kind {
            text(
                &mut errors,
                "kind.with",
                with,
                "say who the indirect activity was with, e.g. the school SENCo",
            );
        }
        errors.into_result()?;
        Ok(vec![ReferralEvent::ContactRecorded {
            contact: Contact {
                id: ContactId((ctx.new_id)()),
                allocation_id: input.allocation_id,
                at: input.at,
                status: input.status,
                mechanism: input.mechanism,
                clinician: input.clinician,
                duration_minutes: input.duration_minutes,
                kind: input.kind,
            },
        }])
    }

    pub(super) fn decide_step(
        &self,
        step: StepCommand,
        ctx: &mut Context<'_>,
    ) -> Result<Vec<ReferralEvent>, DomainError> {
        self.require_open("step up or down")?;
        let from = self.need_group.unwrap_or(NeedGroup::GettingHelp);
        let mut errors = ValidationErrors::new();
        text(
            &mut errors,
            "reason",
            &step.reason,
            "record why the need group changed",
        );
        if step.to == from {
            errors.add(
                "to",
                format!(
                    "the young person is already in {}; choose a different need group",
                    from.label()
                ),
            );
        }
        for (i, id) in step.end_allocations.iter().enumerate() {
            if step.end_allocations[..i].contains(id) {
                errors.add(
                    format!("end_allocations[{i}]"),
                    "this allocation is listed twice",
                );
                continue;
            }
            match self.allocation(*id) {
                Some(a) if a.is_active() => {}
                Some(_) => errors.add(
                    format!("end_allocations[{i}]"),
                    "this allocation has already ended",
                ),
                None => errors.add(
                    format!("end_allocations[{i}]"),
                    "no such allocation on this referral",
                ),
            }
        }
        let remaining: Vec<ServiceId> = self
            .active_allocations()
            .filter(|a| !step.end_allocations.contains(&a.id))
            .map(|a| a.service_id)
            .collect();
        for (i, service_id) in step.allocate.iter().enumerate() {
            let field = format!("allocate[{i}]");
            if remaining.contains(service_id) || step.allocate[..i].contains(service_id) {
                errors.add(
                    &field,
                    "the young person is already allocated to this service",
                );
                continue;
            }
            self.check_service(
                *service_id,
                step.to,
                &field,
                ctx,
                &step.end_allocations,
                &mut errors,
            );
        }
        if !step.allocate.is_empty() {
            self.check_competence(None, ctx, &mut errors);
        }
        if remaining.is_empty() && step.allocate.is_empty() {
            errors.add(
                "allocate",
                "a step change must leave the young person with at least one service; to end support, discharge instead",
            );
        }
        errors.into_result()?;
        let mut events = vec![ReferralEvent::NeedGroupChanged {
            from,
            to: step.to,
            direction: step.direction,
            reason: step.reason.clone(),
        }];
        for id in step.end_allocations {
            events.push(ReferralEvent::AllocationEnded {
                allocation_id: id,
                reason: DischargeReason::SteppedUpOrDown,
                note: Some(step.reason.clone()),
                without_closing_measure: None,
            });
        }
        for service_id in step.allocate {
            events.push(ReferralEvent::Allocated {
                allocation_id: AllocationId((ctx.new_id)()),
                service_id,
                need_group: step.to,
                origin: AllocationOrigin::Step(step.direction),
                clock_start: ctx.now,
            });
        }
        Ok(events)
    }
}
