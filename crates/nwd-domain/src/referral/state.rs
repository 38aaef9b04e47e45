//! Referral state, derived by folding events (see [`super::event`]).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::codes::{Priority, ReasonCode, ReferralSource, TransitionOutcome};
use crate::ids::{AllocationId, ContactId, PersonId, ReferralId, ServiceId};
use crate::need::{NeedGroup, RiskLevel};
use crate::person::CompetenceDecision;

use super::command::Referrer;

mod allocation;

pub use allocation::{Allocation, AllocationEnd, AllocationOrigin, Contact, ContactKind};

/// A referral for help, or an advice/consultation request from a professional (which opens
/// no episode of care).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferralKind {
    /// A referral for help for the young person.
    Referral,
    /// A professional asking for advice or consultation.
    AdviceRequest,
}

impl ReferralKind {
    /// The API name.
    pub fn as_str(&self) -> &'static str {
        match self {
            ReferralKind::Referral => "referral",
            ReferralKind::AdviceRequest => "advice_request",
        }
    }
}

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    /// Received by the single point of access, not yet triaged.
    AwaitingTriage,
    /// Triaged and allocated to at least one service that has not ended.
    Open,
    /// Closed, always with a named destination.
    Closed,
}

impl ReferralStatus {
    /// The API name.
    pub fn as_str(&self) -> &'static str {
        match self {
            ReferralStatus::AwaitingTriage => "awaiting_triage",
            ReferralStatus::Open => "open",
            ReferralStatus::Closed => "closed",
        }
    }
}

/// The named destination a closed referral went to. There is deliberately no "rejected".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Destination {
    /// Seen by these services, now discharged.
    Allocated {
        /// The services the young person was allocated to.
        service_ids: Vec<ServiceId>,
        /// Their names in the directory when the referral closed, in the same order (empty in
        /// records closed before names were kept).
        #[serde(default)]
        service_names: Vec<String>,
    },
    /// Signposted to a named service or organisation.
    Signposted {
        /// Name of the service or organisation.
        name: String,
        /// The directory entry, when it is in the directory.
        #[serde(default)]
        service_id: Option<ServiceId>,
        /// Whether the handover was warm (a person-to-person introduction).
        warm_handover: bool,
    },
    /// Advice or consultation given to the referrer.
    AdviceGiven {
        /// What was advised.
        summary: String,
    },
    /// The young person (or family) declined, with their reason.
    Declined {
        /// Their reason.
        reason: String,
    },
    /// Moved on at transition.
    Transitioned {
        /// Where to.
        outcome: TransitionOutcome,
        /// The receiving service, when there is one.
        #[serde(default)]
        receiving_service: Option<String>,
    },
}

impl Destination {
    /// Short kind name, stored alongside the closure.
    pub fn kind(&self) -> &'static str {
        match self {
            Destination::Allocated { .. } => "allocated",
            Destination::Signposted { .. } => "signposted",
            Destination::AdviceGiven { .. } => "advice_given",
            Destination::Declined { .. } => "declined",
            Destination::Transitioned { .. } => "transitioned",
        }
    }

    /// The destination's name, for display and for the stored `destination_name`.
    pub fn name(&self) -> String {
        match self {
            Destination::Allocated {
                service_ids,
                service_names,
            } => match service_names.as_slice() {
                [] => format!("{} allocated service(s)", service_ids.len()),
                names => format!("Discharged from {}", names.join(", ")),
            },
            Destination::Signposted { name, .. } => name.clone(),
            Destination::AdviceGiven { .. } => "Advice given to referrer".to_string(),
            Destination::Declined { .. } => "Declined by young person or family".to_string(),
            Destination::Transitioned {
                outcome,
                receiving_service,
            } => receiving_service
                .clone()
                .unwrap_or_else(|| outcome.label().to_string()),
        }
    }
}

/// How a closure happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Closure {
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// The named destination.
    pub destination: Destination,
}

/// The triage decision as recorded (destinations are recorded as their own events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TriageRecord {
    /// When triaged.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// Who triaged.
    pub by: String,
    /// THRIVE group agreed.
    pub need_group: NeedGroup,
    /// Risk level.
    pub risk: RiskLevel,
    /// Why.
    pub rationale: String,
    /// The young person's and family's stated preference.
    pub preference: Option<String>,
}

/// A signposting to a named service or organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signpost {
    /// Name of the service or organisation.
    pub name: String,
    /// The directory entry, when in the directory.
    pub service_id: Option<ServiceId>,
    /// Warm handover.
    pub warm_handover: bool,
    /// A note of the handover (absent in records made before it was kept).
    #[serde(default)]
    pub handover_note: Option<String>,
}

/// A referral's current state. Build it with [`Referral::replay`]; change it only by
/// [`Referral::execute`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referral {
    /// Id.
    pub id: ReferralId,
    /// The young person.
    pub person_id: PersonId,
    /// Number of events applied; the optimistic-concurrency version.
    pub version: u32,
    /// Referral or advice request.
    pub kind: ReferralKind,
    /// Who referred.
    pub source: ReferralSource,
    /// Current clinical response priority: set at receipt for a verified sender, then by
    /// triage and each urgency review (see [`super::urgency`]).
    pub priority: Priority,
    /// An unverified sender's request for more urgency, pending triage's confirmation.
    #[serde(default)]
    pub requested_priority: Option<Priority>,
    /// Why more urgency was requested (the sender's words or the safety answers).
    #[serde(default)]
    pub request_reason: Option<String>,
    /// Current risk level, once assessed.
    #[serde(default)]
    pub risk: Option<RiskLevel>,
    /// The date by which the risk is to be reviewed (area's calendar).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub risk_review_on: Option<jiff::civil::Date>,
    /// Coded reasons (the first is the primary reason).
    pub reasons: Vec<ReasonCode>,
    /// Presenting needs, in the referrer's words.
    pub presenting_needs: String,
    /// The referrer.
    pub referrer: Referrer,
    /// Agencies the young person or family consented to share with.
    pub consent_to_share: Vec<String>,
    /// When received: the wait clock starts here.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: Timestamp,
    /// A professional's answers besides the coded referral (family contact, safeguarding
    /// route, plain-word reasons, advice asked too), as received.
    #[serde(default)]
    pub details: super::intake::IntakeDetails,
    /// Routine outcome measures recorded, oldest first.
    #[serde(default)]
    pub outcomes: Vec<super::outcome::OutcomeAssessment>,
    /// Goal-Based Outcomes goals agreed, oldest first.
    #[serde(default)]
    pub goals: Vec<super::outcome::AgreedGoals>,
    /// Completion links sent, oldest first.
    #[serde(default)]
    pub measure_links: Vec<super::measurement::SentMeasureLink>,
    /// Status.
    pub status: ReferralStatus,
    /// Current THRIVE group, once triaged.
    pub need_group: Option<NeedGroup>,
    /// The triage decision.
    pub triage: Option<TriageRecord>,
    /// Gillick competence decision, if recorded.
    pub competence: Option<CompetenceDecision>,
    /// Allocations, in order made.
    pub allocations: Vec<Allocation>,
    /// Contacts, in order recorded.
    pub contacts: Vec<Contact>,
    /// Signpostings.
    pub signposts: Vec<Signpost>,
    /// Advice given (advice requests).
    pub advice: Vec<String>,
    /// Number of step ups and downs.
    pub step_count: u32,
    /// Transition plans, in the order made (the latest per allocation is current).
    pub transition_plans: Vec<super::transition_plan::TransitionPlan>,
    /// Transition outcomes recorded.
    pub transitions: Vec<(AllocationId, TransitionOutcome, NeedGroup)>,
    /// Closure, when closed.
    pub closure: Option<Closure>,
}

impl Referral {
    /// An allocation by id.
    pub fn allocation(&self, id: AllocationId) -> Option<&Allocation> {
        self.allocations.iter().find(|a| a.id == id)
    }
    /// Allocations still open.
    pub fn active_allocations(&self) -> impl Iterator<Item = &Allocation> {
        self.allocations.iter().filter(|a| a.is_active())
    }
    /// A contact by id.
    pub fn contact(&self, id: ContactId) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.id == id)
    }
    /// First attended direct contact on any allocation.
    pub fn first_attended_at(&self) -> Option<Timestamp> {
        self.attended_direct().next()
    }
    /// Second attended direct contact on any allocation.
    pub fn second_attended_at(&self) -> Option<Timestamp> {
        self.attended_direct().nth(1)
    }
    fn attended_direct(&self) -> impl Iterator<Item = Timestamp> {
        let mut times: Vec<Timestamp> = self
            .contacts
            .iter()
            .filter(|c| c.is_attended_direct())
            .map(|c| c.at)
            .collect();
        times.sort();
        times.into_iter()
    }
}
