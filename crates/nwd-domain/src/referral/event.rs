//! Referral events and how each changes the state. Events are facts: `apply` never refuses
//! one. Every event is recorded with who and when ([`RecordedEvent`]); the why travels inside
//! the event (rationale, reason, note).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::codes::{ContactStatus, DischargeReason, Priority, TransitionOutcome};
use crate::ids::{AllocationId, ContactId, PersonId, ReferralId, ServiceId};
use crate::need::{NeedGroup, RiskLevel, StepDirection};
use crate::person::CompetenceDecision;

use super::command::NewReferral;
use super::state::{AllocationOrigin, Contact, Destination, Signpost};

mod apply;

/// Something that happened to a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ReferralEvent {
    /// The referral arrived at the single point of access.
    Received {
        /// Referral id.
        referral_id: ReferralId,
        /// The young person it is about.
        person_id: PersonId,
        /// What was received.
        referral: NewReferral,
    },
    /// A Gillick competence decision was recorded.
    CompetenceRecorded {
        /// The decision.
        decision: CompetenceDecision,
    },
    /// Triage agreed a need group.
    Triaged {
        /// THRIVE group.
        need_group: NeedGroup,
        /// Risk.
        risk: RiskLevel,
        /// Why.
        rationale: String,
        /// The young person's and family's preference.
        preference: Option<String>,
        /// The clinical response priority triage set (absent in events recorded before
        /// triage asked it: the priority then stayed as received).
        #[serde(default)]
        priority: Option<Priority>,
        /// The date by which the risk is to be reviewed.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
        risk_review_on: Option<jiff::civil::Date>,
    },
    /// The clinical response priority and/or the risk level changed after triage, or a risk
    /// review date was set, with the reason.
    UrgencyRecorded {
        /// The new priority, when it changed.
        #[serde(default)]
        priority: Option<Priority>,
        /// The new risk level, when it changed.
        #[serde(default)]
        risk: Option<RiskLevel>,
        /// The new risk review date, when set.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
        risk_review_on: Option<jiff::civil::Date>,
        /// Why.
        reason: String,
    },
    /// Allocated to a service.
    Allocated {
        /// New allocation id.
        allocation_id: AllocationId,
        /// Service.
        service_id: ServiceId,
        /// Need group at allocation.
        need_group: NeedGroup,
        /// Why.
        origin: AllocationOrigin,
        /// Wait clock start.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
        clock_start: Timestamp,
    },
    /// Signposted to a named service or organisation.
    Signposted {
        /// Where.
        signpost: Signpost,
    },
    /// Advice or consultation given to the referring professional.
    AdviceGiven {
        /// What.
        summary: String,
    },
    /// A contact or indirect activity recorded.
    ContactRecorded {
        /// The contact.
        contact: Contact,
    },
    /// A routine outcome measure's scores recorded.
    OutcomeRecorded {
        /// The measure, rater, date and scores.
        assessment: super::outcome::OutcomeAssessment,
    },
    /// Goals agreed with the young person (Goal-Based Outcomes), in their words.
    GoalsAgreed {
        /// The allocation and the goals.
        goals: super::outcome::GoalsCommand,
    },
    /// A one-time link to complete a measure was sent to the young person or a parent.
    MeasureLinkSent {
        /// The link's id (its token is the store's, kept only as a hash).
        link_id: uuid::Uuid,
        /// The allocation, measure and rater.
        request: super::measurement::MeasureLinkRequest,
        /// When it stops working.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
        expires_at: Timestamp,
    },
    /// The outcome of a scheduled contact recorded.
    ContactOutcomeRecorded {
        /// Which contact.
        contact_id: ContactId,
        /// What happened.
        status: ContactStatus,
    },
    /// Moved between need groups.
    NeedGroupChanged {
        /// From.
        from: NeedGroup,
        /// To.
        to: NeedGroup,
        /// Up or down.
        direction: StepDirection,
        /// Why.
        reason: String,
    },
    /// A transition planned for an allocation (it stays open).
    TransitionPlanned {
        /// The allocation the young person will leave.
        allocation_id: AllocationId,
        /// The planned date.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        planned_on: jiff::civil::Date,
        /// The intended destination.
        outcome: TransitionOutcome,
        /// The need group the destination was chosen by.
        need_group: NeedGroup,
        /// The receiving service in the directory, if chosen from it.
        #[serde(default)]
        receiving_service_id: Option<crate::ids::ServiceId>,
        /// The receiving service's name, if any.
        receiving_service: Option<String>,
        /// Note.
        #[serde(default)]
        note: Option<String>,
    },
    /// A transition outcome recorded for an allocation.
    TransitionRecorded {
        /// The allocation ending at transition.
        allocation_id: AllocationId,
        /// Where to.
        outcome: TransitionOutcome,
        /// The need group the destination was chosen by.
        need_group: NeedGroup,
        /// The receiving service's name, if any.
        receiving_service: Option<String>,
    },
    /// An allocation ended.
    AllocationEnded {
        /// Which.
        allocation_id: AllocationId,
        /// Coded reason.
        reason: DischargeReason,
        /// Note.
        note: Option<String>,
        /// Why it ended without a closing outcome measure, when it did.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        without_closing_measure: Option<crate::referral::measurement::MissingMeasure>,
    },
    /// The register was corrected: this referral is about a different person record (a merge
    /// of duplicate records, or its undoing). Not a change of care: allowed on closed
    /// referrals too.
    PersonRelinked {
        /// The person record it was linked to.
        from: PersonId,
        /// The person record it is linked to now.
        to: PersonId,
        /// The merge (or unmerge) this belongs to.
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
        merge_id: uuid::Uuid,
        /// Why.
        reason: String,
    },
    /// The referral closed with a named destination.
    Closed {
        /// Where the young person went.
        destination: Destination,
    },
}

impl ReferralEvent {
    /// The event's type name as stored (`received`, `triaged`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            ReferralEvent::Received { .. } => "received",
            ReferralEvent::CompetenceRecorded { .. } => "competence_recorded",
            ReferralEvent::Triaged { .. } => "triaged",
            ReferralEvent::UrgencyRecorded { .. } => "urgency_recorded",
            ReferralEvent::Allocated { .. } => "allocated",
            ReferralEvent::Signposted { .. } => "signposted",
            ReferralEvent::AdviceGiven { .. } => "advice_given",
            ReferralEvent::ContactRecorded { .. } => "contact_recorded",
            ReferralEvent::ContactOutcomeRecorded { .. } => "contact_outcome_recorded",
            ReferralEvent::OutcomeRecorded { .. } => "outcome_recorded",
            ReferralEvent::MeasureLinkSent { .. } => "measure_link_sent",
            ReferralEvent::GoalsAgreed { .. } => "goals_agreed",
            ReferralEvent::NeedGroupChanged { .. } => "need_group_changed",
            ReferralEvent::TransitionPlanned { .. } => "transition_planned",
            ReferralEvent::TransitionRecorded { .. } => "transition_recorded",
            ReferralEvent::AllocationEnded { .. } => "allocation_ended",
            ReferralEvent::PersonRelinked { .. } => "person_relinked",
            ReferralEvent::Closed { .. } => "closed",
        }
    }
}

/// An event with who recorded it, when, and its position in the referral's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedEvent {
    /// 1-based position in the referral's history; equals the version after it.
    pub seq: u32,
    /// When it was recorded.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// Who recorded it.
    pub actor: String,
    /// What happened.
    pub event: ReferralEvent,
}

/// Why a history could not be replayed (a storage fault: events are never edited).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// The history is empty or does not start with `received`.
    #[error("a referral history must start with a received event")]
    NoReceivedEvent,
    /// Sequence numbers are not 1, 2, 3, …
    #[error("event sequence is broken at position {0}")]
    BrokenSequence(u32),
}
