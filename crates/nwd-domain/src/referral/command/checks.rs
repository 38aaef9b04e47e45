//! The checks every command shares: the referral is open, the allocation is active, the
//! service exists and takes this young person, an under-16 self-referral has a competence
//! decision ([`GILLICK_AGE`], judged by age at receipt), and free text is present and within
//! [`MAX_TEXT_CHARS`].

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::codes::ReferralSource;
use crate::error::{DomainError, ValidationErrors};
use crate::ids::{AllocationId, ServiceId};
use crate::need::NeedGroup;
use crate::person::{age_in_years, CompetenceDecision};

use crate::referral::state::{Destination, Referral, ReferralStatus};

use super::{Context, GILLICK_AGE, MAX_TEXT_CHARS};

impl Referral {
    pub(super) fn require_open(&self, action: &str) -> Result<(), DomainError> {
        match self.status {
            ReferralStatus::Open => Ok(()),
            ReferralStatus::AwaitingTriage => Err(DomainError::illegal(format!(
                "cannot {action}: this referral has not been triaged yet"
            ))),
            ReferralStatus::Closed => Err(DomainError::illegal(format!(
                "cannot {action}: this referral is closed"
            ))),
        }
    }

    pub(crate) fn require_active_allocation(
        &self,
        id: AllocationId,
        action: &str,
    ) -> Result<(), DomainError> {
        match self.allocation(id) {
            None => Err(DomainError::NotFound(format!(
                "allocation {id} is not on this referral"
            ))),
            Some(a) if !a.is_active() => Err(DomainError::illegal(format!(
                "cannot {action}: this allocation ended ({}) on {}",
                a.ended
                    .as_ref()
                    .map(|e| e.reason.label())
                    .unwrap_or_default(),
                a.ended
                    .as_ref()
                    .map(|e| e.at.to_string())
                    .unwrap_or_default()
            ))),
            Some(_) => Ok(()),
        }
    }

    /// The destination of a referral closed by discharging its last allocation: the services
    /// it was allocated to, each named from the directory (in allocation order, once each).
    pub(super) fn allocated_destination(&self, ctx: &Context<'_>) -> Destination {
        let mut service_ids: Vec<ServiceId> = Vec::new();
        for allocation in &self.allocations {
            if !service_ids.contains(&allocation.service_id) {
                service_ids.push(allocation.service_id);
            }
        }
        let service_names = service_ids
            .iter()
            .map(|id| {
                ctx.services
                    .service(*id)
                    .map(|s| s.details.name.clone())
                    .unwrap_or_else(|| format!("service {id}"))
            })
            .collect();
        Destination::Allocated {
            service_ids,
            service_names,
        }
    }

    pub(super) fn check_service(
        &self,
        service_id: ServiceId,
        need_group: NeedGroup,
        field: &str,
        ctx: &Context<'_>,
        ending: &[AllocationId],
        errors: &mut ValidationErrors,
    ) {
        let Some(service) = ctx.services.service(service_id) else {
            errors.add(field, "no service with this id is in the directory");
            return;
        };
        let details = &service.details;
        if !details.active {
            errors.add(field, format!("{} is not taking referrals", details.name));
        }
        if !details.need_groups.contains(&need_group) {
            errors.add(
                field,
                format!("{} does not serve {}", details.name, need_group.label()),
            );
        }
        let age = age_in_years(ctx.date_of_birth, ctx.today());
        if !details.serves_age(age) {
            errors.add(
                field,
                format!(
                    "{} serves ages {} to {}; this young person is {age}",
                    details.name, details.age_from, details.age_to
                ),
            );
        }
        if self
            .active_allocations()
            .any(|a| a.service_id == service_id && !ending.contains(&a.id))
        {
            errors.add(
                field,
                format!("the young person is already allocated to {}", details.name),
            );
        }
    }

    /// An under-16 self-referral is allocated only on a decision that the young person is
    /// competent: the one `offered` with this command, else the latest recorded. Applies to
    /// every allocation (triage, added service, step), not only the first.
    pub(super) fn check_competence(
        &self,
        offered: Option<&CompetenceDecision>,
        ctx: &Context<'_>,
        errors: &mut ValidationErrors,
    ) {
        if !self.needs_competence_decision(ctx) {
            return;
        }
        match offered.or(self.competence.as_ref()) {
            None => errors.add(
                "competence",
                "this young person referred themselves and is under 16: record a Gillick competence decision before allocating",
            ),
            Some(decision) if !decision.competent => errors.add(
                "competence",
                "the young person was not judged competent to consent: involve a parent or carer (recorded separately) before allocating",
            ),
            Some(_) => {}
        }
    }

    pub(super) fn needs_competence_decision(&self, ctx: &Context<'_>) -> bool {
        self.competence_question_applies(ctx.date_of_birth, ctx.tz)
    }

    /// True when this referral is a young person's own and they were under [`GILLICK_AGE`]
    /// when it was **received** (not today: a young person who was 15 when they asked for
    /// help and is 16 at triage is still asked), so that allocating it needs a Gillick
    /// competence decision. The one home of the rule; the triage page asks the question
    /// exactly when this says so.
    pub fn competence_question_applies(&self, date_of_birth: Date, tz: &TimeZone) -> bool {
        let received_on = self.received_at.to_zoned(tz.clone()).date();
        self.source == ReferralSource::SelfReferral
            && age_in_years(date_of_birth, received_on) < GILLICK_AGE
    }
}

pub(super) fn text(errors: &mut ValidationErrors, field: &str, value: &str, empty_message: &str) {
    if value.trim().is_empty() {
        errors.add(field, empty_message);
    } else if value.chars().count() > MAX_TEXT_CHARS {
        errors.add(
            field,
            format!("keep this under {MAX_TEXT_CHARS} characters"),
        );
    } else {
        crate::person_text::check_text(errors, field, value, MAX_TEXT_CHARS, true);
    }
}

pub(super) fn competence_fields(
    decision: &CompetenceDecision,
    prefix: &str,
    errors: &mut ValidationErrors,
) {
    text(
        errors,
        &format!("{prefix}assessed_by"),
        &decision.assessed_by,
        "name who assessed competence",
    );
    text(
        errors,
        &format!("{prefix}rationale"),
        &decision.rationale,
        "record the reasoning for the competence decision",
    );
}
