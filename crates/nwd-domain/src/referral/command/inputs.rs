//! The inputs of the commands on an open referral: triage and its destinations, an added
//! allocation, a contact, a step, a discharge, a transition outcome. Plain data; the rules
//! that accept or refuse them are in the sibling `decide`, `triage`, `care` and `checks`.

use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::codes::{
    ConsultationMechanism, ContactStatus, DischargeReason, Priority, TransitionOutcome,
};
use crate::ids::{AllocationId, ServiceId};
use crate::need::{NeedGroup, RiskLevel, StepDirection};
use crate::person::CompetenceDecision;

use crate::referral::state::ContactKind;

/// Where triage sends the referral: one or more destinations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DestinationRequest {
    /// Allocate to a service in the directory (several may be allocated concurrently).
    Allocate {
        /// The service.
        service_id: ServiceId,
    },
    /// Signpost to a named service or organisation.
    Signpost {
        /// Its name.
        name: String,
        /// Its directory entry, when it has one.
        #[serde(default)]
        service_id: Option<ServiceId>,
        /// Warm handover.
        #[serde(default)]
        warm_handover: bool,
        /// A note of the handover: who was spoken to, what was agreed (required for a warm
        /// handover).
        #[serde(default)]
        handover_note: Option<String>,
    },
    /// Advice or consultation given to the referrer (advice requests).
    AdviceGiven {
        /// What was advised.
        summary: String,
    },
    /// The young person or family declined help, with their reason.
    Declined {
        /// Their reason.
        reason: String,
    },
}

/// The triage decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TriageCommand {
    /// THRIVE group agreed with the young person and family.
    pub need_group: NeedGroup,
    /// Risk level.
    pub risk: RiskLevel,
    /// The clinical response priority. Required while an unverified request for more
    /// urgency is pending; otherwise, when absent, the priority stays as received.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// The date by which the risk is to be reviewed (area's calendar).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub risk_review_on: Option<Date>,
    /// Why.
    pub rationale: String,
    /// The young person's and family's stated preference.
    #[serde(default)]
    pub preference: Option<String>,
    /// One or more destinations.
    pub destinations: Vec<DestinationRequest>,
    /// A competence decision recorded with the triage (needed for under-16 self-referrals).
    #[serde(default)]
    pub competence: Option<CompetenceDecision>,
}

/// An additional, concurrent allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AllocateCommand {
    /// The service.
    pub service_id: ServiceId,
    /// Why.
    pub reason: String,
}

/// A contact or indirect activity to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// The allocation.
    pub allocation_id: AllocationId,
    /// When it happened or is booked.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// Attendance (`scheduled` for a booking).
    pub status: ContactStatus,
    /// How.
    pub mechanism: ConsultationMechanism,
    /// Clinician or practitioner.
    pub clinician: String,
    /// Minutes.
    pub duration_minutes: u16,
    /// Direct or indirect.
    #[serde(default = "direct")]
    pub kind: ContactKind,
}

fn direct() -> ContactKind {
    ContactKind::Direct
}

/// A step up or step down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepCommand {
    /// Up or down.
    pub direction: StepDirection,
    /// The new need group.
    pub to: NeedGroup,
    /// Why.
    pub reason: String,
    /// Allocations that end with the step.
    #[serde(default)]
    pub end_allocations: Vec<AllocationId>,
    /// Services to allocate to; their wait starts now.
    #[serde(default)]
    pub allocate: Vec<ServiceId>,
}

/// Discharge from one allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DischargeCommand {
    /// The allocation.
    pub allocation_id: AllocationId,
    /// Coded reason.
    pub reason: DischargeReason,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
    /// Why there is no closing outcome measure: needed when the allocation was seen, its
    /// service asks for one, and none is recorded on or after the day of the last attended
    /// contact (`referral::measurement`).
    #[serde(default)]
    pub without_closing_measure: Option<crate::referral::measurement::MissingMeasure>,
}

/// A transition outcome, ending an allocation as the young person reaches its upper age.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransitionCommand {
    /// The allocation.
    pub allocation_id: AllocationId,
    /// Where to.
    pub outcome: TransitionOutcome,
    /// The need group the destination was chosen by (transition by need, not age).
    pub need_group: NeedGroup,
    /// The receiving service.
    #[serde(default)]
    pub receiving_service: Option<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
}
