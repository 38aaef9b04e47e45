//! Commands on a referral and the rules that decide them. `decide` is pure: it reads the
//! state and the context (time, actor, directory, the person's date of birth, an id source)
//! and returns events, or a typed error and no events. Illegal transitions are refused here
//! with a message saying what state the referral is in and what is allowed.
//!
//! * `new_referral` — [`NewReferral`] and [`Referrer`], checked before `receive`.
//! * `inputs` — the inputs of the commands on an open referral.
//! * `context` — [`Context`] and [`ServiceLookup`]: all a decision reads besides the referral.
//! * `decide` — `receive`, `execute`, `relink` and the dispatch `decide`.
//! * `triage`, `care` — the larger decisions: triage; contacts and steps.
//! * `checks` — the checks every command shares (open, active allocation, service,
//!   competence, free text).

use crate::codes::ContactStatus;
use crate::ids::ContactId;
use crate::person::CompetenceDecision;

mod care;
mod checks;
mod context;
mod decide;
mod inputs;
mod new_referral;
mod triage;

pub use context::{Context, ServiceLookup};
pub use inputs::{
    AllocateCommand, ContactInput, DestinationRequest, DischargeCommand, StepCommand,
    TransitionCommand, TriageCommand,
};
pub use new_referral::{NewReferral, Referrer};

/// Longest free text accepted in one field written by staff (a rationale, a note, a reason),
/// in characters. Local default (no national standard): long enough for a clinical note.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Longest presenting needs a referral may carry, in characters, whichever door it comes
/// through (the public journeys, the professional forms, the JSON API): the one limit that
/// every door states and the domain enforces. Local default (no national standard): the
/// longest any form offered (the professional form's 4,000), about two pages; more is for the
/// conversation that follows, which the young person's page says. Sized to fit the public
/// doors' body limits even in non-Latin scripts (`nwd_web::limits`: 4,000 characters at 3
/// bytes in a JSON body, 12 KB of the 16 KiB; at 9 bytes percent-encoded in a journey page's
/// form, 36 KB of the 64 KiB).
pub const MAX_PRESENTING_NEEDS_CHARS: usize = 4_000;
/// How far ahead of the server's clock a reported time may be (clients' clocks differ).
pub const CLOCK_SKEW_MINUTES: i64 = 5;
/// Age under which a self-referral needs a recorded Gillick competence decision before
/// allocation (domain guide §6).
pub const GILLICK_AGE: i16 = 16;

/// Everything that can be asked of an existing referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Record a Gillick competence decision.
    RecordCompetence(CompetenceDecision),
    /// Triage.
    Triage(TriageCommand),
    /// Add a concurrent allocation.
    Allocate(AllocateCommand),
    /// Record a contact.
    RecordContact(ContactInput),
    /// Record the outcome of a scheduled contact.
    RecordContactOutcome {
        /// Which contact.
        contact_id: ContactId,
        /// What happened.
        status: ContactStatus,
    },
    /// Step up or down.
    Step(StepCommand),
    /// Plan a transition (the allocation stays open; the outcome is recorded later).
    PlanTransition(super::transition_plan::TransitionPlanCommand),
    /// Record a transition's outcome: the allocation ends.
    Transition(TransitionCommand),
    /// Discharge from one allocation.
    Discharge(DischargeCommand),
    /// The young person or family declined; closes the referral.
    Decline {
        /// Their reason.
        reason: String,
    },
    /// Record a change of priority and/or risk, or a risk review date, with the reason.
    RecordUrgency(super::urgency::UrgencyCommand),
    /// Record a routine outcome measure's scores on an allocation.
    RecordOutcome(super::outcome::OutcomeAssessment),
    /// Send the young person or a parent a one-time link to complete a measure (the token
    /// is the store's; the history keeps that it was sent, to whom and until when).
    SendMeasureLink(super::measurement::MeasureLinkRequest),
    /// Agree Goal-Based Outcomes goals with the young person, in their words.
    AgreeGoals(super::outcome::GoalsCommand),
}
