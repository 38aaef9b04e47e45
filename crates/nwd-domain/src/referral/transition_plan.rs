//! Planning a transition, and recording its outcome later (issue 14).
//!
//! Transition is by need, not by a birthday: while the young person is still with a service,
//! the team plans where they go next — the intended destination, the receiving service (from
//! the directory, checked against the referral's need group and the young person's age on
//! the planned date, or named when it is outside the directory, e.g. an adult service) and the
//! date. The allocation stays open. When it happens, [`super::Command::Transition`] records the
//! outcome, which may differ from the plan; a plan may be changed by planning again (the
//! latest plan for an allocation is the current one).

use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::codes::TransitionOutcome;
use crate::fit::check_receiving_service;
use crate::ids::{AllocationId, ServiceId};
use crate::need::NeedGroup;
use crate::referral::command::Context;
use crate::referral::{Referral, ReferralEvent};
use crate::{DomainError, ValidationErrors};

/// Plan a transition for one allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransitionPlanCommand {
    /// The allocation the young person will leave.
    pub allocation_id: AllocationId,
    /// The planned date (on or after today).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub planned_on: Date,
    /// The intended destination.
    pub outcome: TransitionOutcome,
    /// The receiving service in the directory, checked against the need group and the age on
    /// the planned date.
    #[serde(default)]
    pub receiving_service_id: Option<ServiceId>,
    /// A receiving service outside the directory (an adult service), by name.
    #[serde(default)]
    pub receiving_service: Option<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A planned transition, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionPlan {
    /// The allocation the young person will leave.
    pub allocation_id: AllocationId,
    /// The planned date.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub planned_on: Date,
    /// The intended destination.
    pub outcome: TransitionOutcome,
    /// The need group the destination was chosen by.
    pub need_group: NeedGroup,
    /// The receiving service in the directory, if chosen from it.
    pub receiving_service_id: Option<ServiceId>,
    /// The receiving service's name, if any.
    pub receiving_service: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// When it was planned.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub planned_at: Timestamp,
}

/// True for destinations that are another service, which must then be named.
pub fn needs_receiving_service(outcome: TransitionOutcome) -> bool {
    matches!(
        outcome,
        TransitionOutcome::AdultService | TransitionOutcome::ZeroToTwentyFiveService
    )
}

impl Referral {
    /// The current plan for an allocation, if one was made.
    pub fn transition_plan(&self, allocation_id: AllocationId) -> Option<&TransitionPlan> {
        self.transition_plans
            .iter()
            .rev()
            .find(|p| p.allocation_id == allocation_id)
    }

    /// Plans for allocations still open, in the order planned (the latest per allocation).
    pub fn open_transition_plans(&self) -> Vec<&TransitionPlan> {
        self.active_allocations()
            .filter_map(|a| self.transition_plan(a.id))
            .collect()
    }

    pub(crate) fn decide_transition_plan(
        &self,
        plan: TransitionPlanCommand,
        ctx: &mut Context<'_>,
    ) -> Result<Vec<ReferralEvent>, DomainError> {
        self.require_active_allocation(plan.allocation_id, "plan a transition")?;
        let need_group = self.need_group.ok_or_else(|| {
            DomainError::illegal(
                "a transition is planned by need: triage first sets the need group",
            )
        })?;
        let mut errors = ValidationErrors::new();
        if plan.planned_on < ctx.today() {
            errors.add(
                "planned_on",
                "the planned date cannot be in the past; record what happened as the transition outcome",
            );
        }
        let named = plan
            .receiving_service
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned);
        let mut receiving = named;
        if let Some(id) = plan.receiving_service_id {
            match ctx.services.service(id) {
                None => errors.add("receiving_service_id", "no such service in the directory"),
                Some(service) => {
                    if let Err(why) = check_receiving_service(
                        &service.details,
                        need_group,
                        ctx.date_of_birth,
                        plan.planned_on,
                    ) {
                        errors.add("receiving_service_id", why);
                    }
                    receiving = Some(service.details.name.clone());
                }
            }
        }
        if receiving.is_none() && needs_receiving_service(plan.outcome) {
            errors.add(
                "receiving_service",
                "choose the receiving service from the directory, or name the adult service",
            );
        }
        errors.into_result()?;
        Ok(vec![ReferralEvent::TransitionPlanned {
            allocation_id: plan.allocation_id,
            planned_on: plan.planned_on,
            outcome: plan.outcome,
            need_group,
            receiving_service_id: plan.receiving_service_id,
            receiving_service: receiving,
            note: plan.note.filter(|n| !n.trim().is_empty()),
        }])
    }
}
