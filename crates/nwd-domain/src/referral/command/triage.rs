//! Triage: checks a [`TriageCommand`] against the referral and the directory and turns it
//! into events (allocations, signposting, advice, or a closure with its destination). A
//! triage that would close the referral always names where the young person went.

use crate::error::{DomainError, ValidationErrors};
use crate::ids::{AllocationId, ServiceId};

use crate::referral::event::ReferralEvent;
use crate::referral::state::{
    AllocationOrigin, Destination, Referral, ReferralKind, ReferralStatus, Signpost,
};

use super::checks::{competence_fields, text};
use super::{Context, DestinationRequest, TriageCommand};

impl Referral {
    pub(super) fn decide_triage(
        &self,
        triage: TriageCommand,
        ctx: &mut Context<'_>,
    ) -> Result<Vec<ReferralEvent>, DomainError> {
        if self.status != ReferralStatus::AwaitingTriage {
            return Err(DomainError::illegal(format!(
                "this referral has already been triaged (status {}); use step up/down or add an allocation instead",
                self.status.as_str()
            )));
        }
        let mut errors = ValidationErrors::new();
        text(
            &mut errors,
            "rationale",
            &triage.rationale,
            "record the rationale for the triage decision",
        );
        if triage.destinations.is_empty() {
            errors.add(
                "destinations",
                "choose at least one destination: a service, a named signposting, advice given, or declined — no referral is closed without one",
            );
        }
        let declined = triage
            .destinations
            .iter()
            .any(|d| matches!(d, DestinationRequest::Declined { .. }));
        if declined && triage.destinations.len() > 1 {
            errors.add(
                "destinations",
                "'declined' cannot be combined with other destinations",
            );
        }
        if let Some(decision) = &triage.competence {
            competence_fields(decision, "competence.", &mut errors);
        }
        crate::referral::urgency::check_triage_priority(self, triage.priority, &mut errors);
        crate::referral::urgency::check_review_date(
            triage.risk_review_on,
            ctx,
            "risk_review_on",
            &mut errors,
        );
        let mut allocated: Vec<ServiceId> = Vec::new();
        for (i, destination) in triage.destinations.iter().enumerate() {
            let field = format!("destinations[{i}]");
            match destination {
                DestinationRequest::Allocate { service_id } => {
                    if self.kind == ReferralKind::AdviceRequest {
                        errors.add(&field, "an advice request opens no episode of care: give advice or signpost, or ask the referrer to make a referral");
                        continue;
                    }
                    if allocated.contains(service_id) {
                        errors.add(
                            format!("{field}.service_id"),
                            "this service is already chosen",
                        );
                        continue;
                    }
                    self.check_service(
                        *service_id,
                        triage.need_group,
                        &format!("{field}.service_id"),
                        ctx,
                        &[],
                        &mut errors,
                    );
                    allocated.push(*service_id);
                }
                DestinationRequest::Signpost {
                    name,
                    service_id,
                    warm_handover,
                    handover_note,
                } => {
                    text(
                        &mut errors,
                        &format!("{field}.name"),
                        name,
                        "name the service or organisation signposted to",
                    );
                    match handover_note {
                        Some(note) => text(
                            &mut errors,
                            &format!("{field}.handover_note"),
                            note,
                            "write a note of the handover, or leave it out",
                        ),
                        None if *warm_handover => errors.add(
                            format!("{field}.handover_note"),
                            "a warm handover needs a note: who you spoke to and what was agreed",
                        ),
                        None => {}
                    }
                    if let Some(id) = service_id {
                        if ctx.services.service(*id).is_none() {
                            errors.add(
                                format!("{field}.service_id"),
                                "no service with this id is in the directory",
                            );
                        }
                    }
                }
                DestinationRequest::AdviceGiven { summary } => {
                    text(
                        &mut errors,
                        &format!("{field}.summary"),
                        summary,
                        "summarise the advice given",
                    );
                }
                DestinationRequest::Declined { reason } => {
                    text(
                        &mut errors,
                        &format!("{field}.reason"),
                        reason,
                        "record the reason in their words",
                    );
                }
            }
        }
        if !allocated.is_empty() {
            self.check_competence(triage.competence.as_ref(), ctx, &mut errors);
        }
        errors.into_result()?;

        let mut events = Vec::new();
        if let Some(decision) = triage.competence {
            events.push(ReferralEvent::CompetenceRecorded { decision });
        }
        events.push(ReferralEvent::Triaged {
            need_group: triage.need_group,
            risk: triage.risk,
            rationale: triage.rationale,
            preference: triage.preference,
            priority: triage.priority,
            risk_review_on: triage.risk_review_on,
        });
        let mut closing = None;
        for destination in triage.destinations {
            match destination {
                DestinationRequest::Allocate { service_id } => {
                    events.push(ReferralEvent::Allocated {
                        allocation_id: AllocationId((ctx.new_id)()),
                        service_id,
                        need_group: triage.need_group,
                        origin: AllocationOrigin::Triage,
                        clock_start: self.received_at,
                    })
                }
                DestinationRequest::Signpost {
                    name,
                    service_id,
                    warm_handover,
                    handover_note,
                } => {
                    closing.get_or_insert(Destination::Signposted {
                        name: name.clone(),
                        service_id,
                        warm_handover,
                    });
                    events.push(ReferralEvent::Signposted {
                        signpost: Signpost {
                            name,
                            service_id,
                            warm_handover,
                            handover_note,
                        },
                    });
                }
                DestinationRequest::AdviceGiven { summary } => {
                    closing.get_or_insert(Destination::AdviceGiven {
                        summary: summary.clone(),
                    });
                    events.push(ReferralEvent::AdviceGiven { summary });
                }
                DestinationRequest::Declined { reason } => {
                    closing.get_or_insert(Destination::Declined { reason });
                }
            }
        }
        if allocated.is_empty() {
            if let Some(destination) = closing {
                events.push(ReferralEvent::Closed { destination });
            }
        }
        Ok(events)
    }
}
