//! An allocation to a service and the contacts recorded on it: why the allocation was made
//! ([`AllocationOrigin`]), how it ended ([`AllocationEnd`]), and each contact with its kind
//! and status. An allocation is on its service's waiting list while it is open and not yet seen
//! (no attended direct contact).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::codes::{ConsultationMechanism, ContactStatus, DischargeReason};
use crate::ids::{AllocationId, ContactId, ServiceId};
use crate::need::{NeedGroup, StepDirection};

/// Why an allocation was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AllocationOrigin {
    /// At triage: the wait is measured from referral received.
    Triage,
    /// At a step up or down: the new wait is measured from the step.
    Step(StepDirection),
    /// An additional, concurrent service added later: measured from when it was added.
    Additional,
}

/// How an allocation ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AllocationEnd {
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// Coded reason.
    pub reason: DischargeReason,
    /// Free-text note.
    pub note: Option<String>,
    /// Why it ended without a closing outcome measure, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub without_closing_measure: Option<crate::referral::measurement::MissingMeasure>,
}

/// An allocation of the referral to a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Allocation {
    /// Id.
    pub id: AllocationId,
    /// The service.
    pub service_id: ServiceId,
    /// Need group at allocation.
    pub need_group: NeedGroup,
    /// Why it was made.
    pub origin: AllocationOrigin,
    /// When it was made.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub allocated_at: Timestamp,
    /// When the wait clock started (referral received for triage allocations).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub clock_start: Timestamp,
    /// First attended direct contact: ends the wait.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub first_attended_at: Option<Timestamp>,
    /// Second attended direct contact.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub second_attended_at: Option<Timestamp>,
    /// How it ended, if it has.
    pub ended: Option<AllocationEnd>,
}

impl Allocation {
    /// Still open (not discharged, stepped away or transitioned).
    pub fn is_active(&self) -> bool {
        self.ended.is_none()
    }
    /// On the service's waiting list: open and not yet seen.
    pub fn is_waiting(&self) -> bool {
        self.is_active() && self.first_attended_at.is_none()
    }
}

/// Whether a contact was with the young person, or indirect activity on their behalf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContactKind {
    /// With the young person and/or family (MHSDS MHS201).
    Direct,
    /// Indirect activity, e.g. consultation with a school (MHSDS MHS204).
    Indirect {
        /// Who with, e.g. "school SENCo".
        with: String,
    },
}

/// A care contact or indirect activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    /// Id.
    pub id: ContactId,
    /// The allocation it belongs to.
    pub allocation_id: AllocationId,
    /// When it happened or is booked.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// Attendance.
    pub status: ContactStatus,
    /// How.
    pub mechanism: ConsultationMechanism,
    /// Clinician or practitioner.
    pub clinician: String,
    /// Length in minutes.
    pub duration_minutes: u16,
    /// Direct or indirect.
    pub kind: ContactKind,
}

impl Contact {
    /// An attended direct contact: the kind that ends a wait.
    pub fn is_attended_direct(&self) -> bool {
        self.status.is_attended() && self.kind == ContactKind::Direct
    }
}
