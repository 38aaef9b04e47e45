//! The referral state machine as a table: every command from every kind of state, with the
//! status and events it produces or the error that refuses it. Every case goes through one
//! `check()` helper (rust-analyzer style), which also asserts that a refused command changes
//! nothing and that an accepted one replays to the same state.
//!
//! All people and organisations here are synthetic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod allocation_rules;
mod check;
mod closure_rules;
mod commands;
mod desk;
mod measurement_rules;
mod outcome_rules;
mod starts;

use check::*;
use commands::*;
use desk::*;
use starts::*;

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

const ILLEGAL: &str = "refused: illegal_transition";
const NOT_FOUND: &str = "refused: not_found";

/// Every command from every starting state: the rendered outcome (see [`render`]).
#[rustfmt::skip]
const TABLE: &[(Start, Cmd, &str)] = {
    use Cmd::*;
    use Start::*;
    &[
        // Before triage there is no allocation or contact: commands naming one find nothing.
        (AwaitingTriage, RecordCompetence, "awaiting_triage: competence_recorded"),
        (AwaitingTriage, TriageAllocate, "open: triaged, allocated"),
        (AwaitingTriage, TriageSignpost, "closed(signposted): triaged, signposted, closed"),
        (AwaitingTriage, TriageAdvice, "closed(advice_given): triaged, advice_given, closed"),
        (AwaitingTriage, TriageDeclined, "closed(declined): triaged, closed"),
        (AwaitingTriage, Allocate, ILLEGAL),
        (AwaitingTriage, RecordContact, NOT_FOUND),
        (AwaitingTriage, RecordContactOutcome, NOT_FOUND),
        (AwaitingTriage, Step, ILLEGAL),
        (AwaitingTriage, PlanTransition, NOT_FOUND),
        (AwaitingTriage, Transition, NOT_FOUND),
        (AwaitingTriage, Discharge, NOT_FOUND),
        (AwaitingTriage, Decline, "closed(declined): closed"),

        // Open, waiting or seen alike: triage is done once; closing needs the last allocation.
        (OpenWaiting, RecordCompetence, "open: competence_recorded"),
        (OpenWaiting, TriageAllocate, ILLEGAL),
        (OpenWaiting, TriageSignpost, ILLEGAL),
        (OpenWaiting, TriageAdvice, ILLEGAL),
        (OpenWaiting, TriageDeclined, ILLEGAL),
        (OpenWaiting, Allocate, "open: allocated"),
        (OpenWaiting, RecordContact, "open: contact_recorded"),
        (OpenWaiting, RecordContactOutcome, "open: contact_outcome_recorded"),
        (OpenWaiting, Step, "open: need_group_changed, allocation_ended, allocated"),
        (OpenWaiting, PlanTransition, "open: transition_planned"),
        (OpenWaiting, Transition, "closed(transitioned): transition_recorded, allocation_ended, closed"),
        (OpenWaiting, Discharge, "closed(allocated): allocation_ended, closed"),
        (OpenWaiting, Decline, "closed(declined): allocation_ended, closed"),

        (OpenSeen, RecordCompetence, "open: competence_recorded"),
        (OpenSeen, TriageAllocate, ILLEGAL),
        (OpenSeen, TriageSignpost, ILLEGAL),
        (OpenSeen, TriageAdvice, ILLEGAL),
        (OpenSeen, TriageDeclined, ILLEGAL),
        (OpenSeen, Allocate, "open: allocated"),
        (OpenSeen, RecordContact, "open: contact_recorded"),
        (OpenSeen, RecordContactOutcome, "open: contact_outcome_recorded"),
        (OpenSeen, Step, "open: need_group_changed, allocation_ended, allocated"),
        (OpenSeen, PlanTransition, "open: transition_planned"),
        (OpenSeen, Transition, "closed(transitioned): transition_recorded, allocation_ended, closed"),
        (OpenSeen, Discharge, "closed(allocated): allocation_ended, closed"),
        (OpenSeen, Decline, "closed(declined): allocation_ended, closed"),

        // Closed is final: nothing reopens or edits a closed referral, not even triage.
        (ClosedSignposted, RecordCompetence, ILLEGAL),
        (ClosedSignposted, TriageAllocate, ILLEGAL),
        (ClosedSignposted, TriageSignpost, ILLEGAL),
        (ClosedSignposted, TriageAdvice, ILLEGAL),
        (ClosedSignposted, TriageDeclined, ILLEGAL),
        (ClosedSignposted, Allocate, ILLEGAL),
        (ClosedSignposted, RecordContact, ILLEGAL),
        (ClosedSignposted, RecordContactOutcome, ILLEGAL),
        (ClosedSignposted, Step, ILLEGAL),
        (ClosedSignposted, PlanTransition, ILLEGAL),
        (ClosedSignposted, Transition, ILLEGAL),
        (ClosedSignposted, Discharge, ILLEGAL),
        (ClosedSignposted, Decline, ILLEGAL),

        (ClosedDischarged, RecordCompetence, ILLEGAL),
        (ClosedDischarged, TriageAllocate, ILLEGAL),
        (ClosedDischarged, TriageSignpost, ILLEGAL),
        (ClosedDischarged, TriageAdvice, ILLEGAL),
        (ClosedDischarged, TriageDeclined, ILLEGAL),
        (ClosedDischarged, Allocate, ILLEGAL),
        (ClosedDischarged, RecordContact, ILLEGAL),
        (ClosedDischarged, RecordContactOutcome, ILLEGAL),
        (ClosedDischarged, Step, ILLEGAL),
        (ClosedDischarged, PlanTransition, ILLEGAL),
        (ClosedDischarged, Transition, ILLEGAL),
        (ClosedDischarged, Discharge, ILLEGAL),
        (ClosedDischarged, Decline, ILLEGAL),

        (ClosedDeclined, RecordCompetence, ILLEGAL),
        (ClosedDeclined, TriageAllocate, ILLEGAL),
        (ClosedDeclined, TriageSignpost, ILLEGAL),
        (ClosedDeclined, TriageAdvice, ILLEGAL),
        (ClosedDeclined, TriageDeclined, ILLEGAL),
        (ClosedDeclined, Allocate, ILLEGAL),
        (ClosedDeclined, RecordContact, ILLEGAL),
        (ClosedDeclined, RecordContactOutcome, ILLEGAL),
        (ClosedDeclined, Step, ILLEGAL),
        (ClosedDeclined, PlanTransition, ILLEGAL),
        (ClosedDeclined, Transition, ILLEGAL),
        (ClosedDeclined, Discharge, ILLEGAL),
        (ClosedDeclined, Decline, ILLEGAL),

        // An advice request opens no episode of care: it closes with advice, a signpost or a
        // decline.
        (AdviceRequest, RecordCompetence, "awaiting_triage: competence_recorded"),
        (AdviceRequest, TriageAllocate, "refused: invalid [destinations[0]]"),
        (AdviceRequest, TriageSignpost, "closed(signposted): triaged, signposted, closed"),
        (AdviceRequest, TriageAdvice, "closed(advice_given): triaged, advice_given, closed"),
        (AdviceRequest, TriageDeclined, "closed(declined): triaged, closed"),
        (AdviceRequest, Allocate, ILLEGAL),
        (AdviceRequest, RecordContact, NOT_FOUND),
        (AdviceRequest, RecordContactOutcome, NOT_FOUND),
        (AdviceRequest, Step, ILLEGAL),
        (AdviceRequest, PlanTransition, NOT_FOUND),
        (AdviceRequest, Transition, NOT_FOUND),
        (AdviceRequest, Discharge, NOT_FOUND),
        (AdviceRequest, Decline, "closed(declined): closed"),
    ]
};

#[test]
fn every_command_from_every_state() {
    for start in Start::ALL {
        for cmd in Cmd::ALL {
            let rows = TABLE
                .iter()
                .filter(|(s, c, _)| *s == start && *c == cmd)
                .count();
            assert_eq!(
                rows, 1,
                "{start:?} + {cmd:?} must have exactly one row in the table"
            );
        }
    }
    for (start, cmd, expected) in TABLE {
        check(*start, *cmd, expected);
    }
}
