//! Generated journeys: a starting referral ([`Start`]) and a sequence of actions ([`Action`])
//! at increasing times, with plausible and implausible parameters (blank text, unknown ids,
//! services that do not take the young person), and a plausible triage early on so that
//! journeys get somewhere.

use jiff::civil::{date, Date};
use proptest::prelude::*;

use nwd_domain::codes::{
    ConsultationMechanism, ContactStatus, DischargeReason, Priority, ReferralSource,
    TransitionOutcome,
};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::ReferralKind;

use super::*;

#[derive(Debug, Clone)]
pub(super) struct Start {
    pub(super) kind: ReferralKind,
    pub(super) source: ReferralSource,
    pub(super) priority: Priority,
    pub(super) date_of_birth: Date,
}

/// An index into the referral's allocations or contacts (wrapped), or `None` for an id that
/// is on no referral.
pub(super) type Pick = Option<usize>;

#[derive(Debug, Clone)]
pub(super) enum Dest {
    Allocate(usize),
    Signpost { blank: bool, service: Option<usize> },
    Advice { blank: bool },
    Declined { blank: bool },
}

#[derive(Debug, Clone)]
pub(super) enum Action {
    Competence {
        competent: bool,
        blank: bool,
    },
    Triage {
        group: usize,
        destinations: Vec<Dest>,
        competence: Option<bool>,
        blank: bool,
    },
    Allocate {
        service: usize,
        blank: bool,
    },
    Contact {
        allocation: Pick,
        offset_hours: i64,
        status: usize,
        mechanism: usize,
        indirect: Option<bool>,
        minutes: u16,
    },
    Outcome {
        contact: Pick,
        status: usize,
    },
    Step {
        up: bool,
        group: usize,
        end: Vec<Pick>,
        allocate: Vec<usize>,
        blank: bool,
    },
    Transition {
        allocation: Pick,
        outcome: usize,
        group: usize,
    },
    Discharge {
        allocation: Pick,
        reason: usize,
    },
    Decline {
        blank: bool,
    },
}

pub(super) fn start() -> impl Strategy<Value = Start> {
    let kind =
        prop_oneof![4 => Just(ReferralKind::Referral), 1 => Just(ReferralKind::AdviceRequest)];
    let source = prop::sample::select(ReferralSource::ALL);
    let priority = prop::sample::select(Priority::ALL);
    let born = (8i16..=19, 1i8..=12, 1i8..=28).prop_map(|(age, m, d)| date(2025 - age, m, d));
    (kind, source, priority, born).prop_map(|(kind, source, priority, date_of_birth)| Start {
        kind,
        source,
        priority,
        date_of_birth,
    })
}

pub(super) fn pick() -> impl Strategy<Value = Pick> {
    prop::option::weighted(0.9, 0..8usize)
}

/// Mostly a bad flag is false: most text is filled in.
pub(super) fn blank() -> impl Strategy<Value = bool> {
    prop::bool::weighted(0.1)
}

pub(super) fn service() -> impl Strategy<Value = usize> {
    0..SERVICE_IDS.len()
}

pub(super) fn group() -> impl Strategy<Value = usize> {
    0..NeedGroup::ALL.len()
}

pub(super) fn destination() -> impl Strategy<Value = Dest> {
    prop_oneof![
        6 => service().prop_map(Dest::Allocate),
        2 => (blank(), prop::option::of(service()))
            .prop_map(|(blank, service)| Dest::Signpost { blank, service }),
        1 => blank().prop_map(|blank| Dest::Advice { blank }),
        1 => blank().prop_map(|blank| Dest::Declined { blank }),
    ]
}

pub(super) fn action() -> impl Strategy<Value = Action> {
    // Scheduled (index 0) and attended (index 1) are the statuses that matter most.
    let status =
        prop_oneof![2 => Just(0usize), 2 => Just(1usize), 3 => 0..ContactStatus::ALL.len()];
    let minutes = prop_oneof![1 => Just(0u16), 8 => 1u16..=120, 1 => Just(24 * 60 + 1)];
    prop_oneof![
        2 => (any::<bool>(), blank())
            .prop_map(|(competent, blank)| Action::Competence { competent, blank }),
        3 => (group(), prop::collection::vec(destination(), 0..=3), prop::option::of(any::<bool>()), blank())
            .prop_map(|(group, destinations, competence, blank)| Action::Triage { group, destinations, competence, blank }),
        4 => (service(), blank()).prop_map(|(service, blank)| Action::Allocate { service, blank }),
        12 => (pick(), -72i64..=12, status, 0..ConsultationMechanism::ALL.len(), prop::option::weighted(0.2, blank()), minutes)
            .prop_map(|(allocation, offset_hours, status, mechanism, indirect, minutes)| Action::Contact {
                allocation, offset_hours, status, mechanism, indirect, minutes,
            }),
        8 => (pick(), 0..ContactStatus::ALL.len())
            .prop_map(|(contact, status)| Action::Outcome { contact, status }),
        6 => (any::<bool>(), group(), prop::collection::vec(pick(), 0..=2), prop::collection::vec(service(), 0..=2), blank())
            .prop_map(|(up, group, end, allocate, blank)| Action::Step { up, group, end, allocate, blank }),
        2 => (pick(), 0..TransitionOutcome::ALL.len(), group())
            .prop_map(|(allocation, outcome, group)| Action::Transition { allocation, outcome, group }),
        3 => (pick(), 0..DischargeReason::ALL.len())
            .prop_map(|(allocation, reason)| Action::Discharge { allocation, reason }),
        1 => blank().prop_map(|blank| Action::Decline { blank }),
    ]
}

/// A triage a desk would plausibly make: Getting Help, to one or two services that offer
/// it, with a competence decision offered more often than not.
pub(super) fn plausible_triage() -> impl Strategy<Value = Action> {
    let services = prop_oneof![
        Just(vec![Dest::Allocate(0)]),
        Just(vec![Dest::Allocate(1)]),
        Just(vec![Dest::Allocate(3)]),
        Just(vec![Dest::Allocate(0), Dest::Allocate(1)]),
    ];
    let competence = prop::option::weighted(0.7, prop::bool::weighted(0.9));
    (services, competence).prop_map(|(destinations, competence)| Action::Triage {
        group: 2,
        destinations,
        competence,
        blank: false,
    })
}

/// A journey: where it starts, usually a plausible triage, then random commands, each after
/// a pause of up to three days.
pub(super) fn journey() -> impl Strategy<Value = (Start, Vec<(Action, i64)>)> {
    let pause = || 0i64..=3 * 24 * 60;
    (
        start(),
        prop::option::weighted(0.75, (plausible_triage(), pause())),
        prop::collection::vec((action(), pause()), 1..40),
    )
        .prop_map(|(start, triage, actions)| (start, triage.into_iter().chain(actions).collect()))
}
