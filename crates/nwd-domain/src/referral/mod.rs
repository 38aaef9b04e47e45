//! The referral: one request for help through the single point of access, from receipt to a
//! named destination.
//!
//! * [`state`] — the current state (status, triage, allocations, contacts, closure), derived
//!   only by folding events.
//! * [`event`] — the events, and `apply`.
//! * [`command`] — the commands, and `decide`: the rules that refuse illegal transitions.
//! * [`transition_plan`] — a transition planned by need (date, receiving service), its
//!   outcome recorded later.
//! * [`outcome`] — routine outcome measures recorded on an allocation, and their reliable
//!   change as NHS England's MHS112 judges it.
//! * [`urgency`] — priority and risk as living facts: requested and clinical priority, the
//!   risk review date, triage due and the crisis list's order.
//!
//! ```text
//!   Received ──triage──▶ Open (one or more allocations) ──discharge/transition/decline──▶ Closed
//!      │                   ▲   │ step up / step down, additional allocation, contacts
//!      └──triage with only signposting / advice / declined──────────────────────────▶ Closed
//! ```
//!
//! **Invariant (no wrong door):** `Closed` always carries a [`Destination`]; there is no
//! "rejected" variant to construct.

pub mod authority;
pub mod command;
pub mod event;
pub mod intake;
pub mod measurement;
pub mod outcome;
pub mod state;
pub mod transition_plan;
pub mod urgency;

pub use command::{
    AllocateCommand, Command, ContactInput, Context, DestinationRequest, DischargeCommand,
    NewReferral, Referrer, ServiceLookup, StepCommand, TransitionCommand, TriageCommand,
};
pub use event::{RecordedEvent, ReferralEvent};
pub use state::{
    Allocation, AllocationEnd, AllocationOrigin, Closure, Contact, ContactKind, Destination,
    Referral, ReferralKind, ReferralStatus, Signpost, TriageRecord,
};
pub use transition_plan::{TransitionPlan, TransitionPlanCommand};
pub use urgency::UrgencyCommand;
