//! Property tests: random journeys through the single point of access — random commands with
//! plausible and implausible parameters, at random times — never break the referral's
//! invariants. After every command:
//!
//! 1. **No wrong door.** Closed if and only if a closure (with its named destination) is
//!    recorded, and a closed referral leaves nobody allocated; an open referral has at least
//!    one active allocation; a referral awaiting triage has none. Advice requests are never
//!    allocated, and an under-16 self-referral is only ever allocated on a competent decision.
//! 2. **Replay.** Replaying every recorded event rebuilds exactly the current state; the
//!    version is the number of events and their seqs are 1..=n.
//! 3. **Refusal changes nothing.** A refused command leaves the state exactly as it was and
//!    records no events.
//! 4. **Waiting lists.** For every service, `waits::entries_for` lists exactly the active
//!    allocations there with no attended direct contact (worked out here from the contacts,
//!    not through `Allocation::is_waiting`), each with its clock: referral received for a
//!    triage allocation, the decision's time for any later one.
//!
//! A deterministic run also checks that the generator reaches every event, status and error,
//! so the properties cannot pass by never getting anywhere.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use uuid::Uuid;

use nwd_domain::codes::{DeliveryMode, TeamType};
use nwd_domain::directory::{Capacity, Service, ServiceDetails};
use nwd_domain::need::NeedGroup;
use nwd_domain::standards::{WaitStandard, WaitTarget};
use nwd_domain::OrganisationId;
use nwd_domain::ServiceId;

mod commands;
mod journeys;
mod run;

use commands::*;
use journeys::*;
use run::*;

// ---------------------------------------------------------------------------------------------
// The world
// ---------------------------------------------------------------------------------------------

/// The directory's services, then one id that is in no directory.
const SERVICE_IDS: [ServiceId; 6] = [
    ServiceId(Uuid::from_u128(0xC0)),
    ServiceId(Uuid::from_u128(0xC1)),
    ServiceId(Uuid::from_u128(0xC2)),
    ServiceId(Uuid::from_u128(0xC3)),
    ServiceId(Uuid::from_u128(0xC4)),
    ServiceId(Uuid::from_u128(0xFF)),
];

const RECEIVED: &str = "2025-01-06T09:00:00Z";

fn directory() -> Vec<Service> {
    use NeedGroup::*;
    let service =
        |i: usize, name: &str, need_groups: &[NeedGroup], ages: (i16, i16), active| Service {
            id: SERVICE_IDS[i],
            details: ServiceDetails {
                organisation_id: OrganisationId(Uuid::from_u128(0x0A)),
                name: name.to_string(),
                description: String::new(),
                need_groups: need_groups.to_vec(),
                age_from: ages.0,
                age_to: ages.1,
                team_type: TeamType::Community,
                delivery_modes: vec![DeliveryMode::FaceToFace],
                areas: vec![],
                self_referral: true,
                capacity: Capacity::default(),
                standards: vec![],
                active,
                offer: Default::default(),
                measurement: Default::default(),
            },
        };
    vec![
        service(
            0,
            "Northvale CYPMHS",
            &[GettingHelp, GettingMoreHelp],
            (0, 17),
            true,
        ),
        service(
            1,
            "Harbour creative therapy",
            &[GettingAdvice, GettingHelp],
            (5, 18),
            true,
        ),
        service(
            2,
            "Northvale intensive support",
            &[GettingMoreHelp, GettingRiskSupport],
            (0, 17),
            true,
        ),
        service(
            3,
            "Northvale 16-25 service",
            &[GettingHelp, GettingMoreHelp],
            (16, 25),
            true,
        ),
        service(4, "Closed pilot", NeedGroup::ALL, (0, 25), false),
    ]
}

fn standards() -> Vec<WaitStandard> {
    vec![WaitStandard {
        name: "Community: 4 weeks".to_string(),
        target: WaitTarget::Days(28),
        priorities: vec![],
        sources: vec![],
        target_share_percent: None,
        source: "test".to_string(),
    }]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_journeys_keep_every_invariant((start, actions) in journey()) {
        run(&start, &actions, &mut Coverage::default())?;
    }
}

#[test]
fn random_journeys_reach_every_event_status_and_refusal() {
    let mut runner = TestRunner::deterministic();
    let strategy = journey();
    let mut coverage = Coverage::default();
    for _ in 0..256 {
        let (start, actions) = strategy.new_tree(&mut runner).unwrap().current();
        run(&start, &actions, &mut coverage).unwrap();
    }
    let events: BTreeSet<&str> = [
        "competence_recorded",
        "triaged",
        "allocated",
        "signposted",
        "advice_given",
        "contact_recorded",
        "contact_outcome_recorded",
        "need_group_changed",
        "transition_recorded",
        "allocation_ended",
        "closed",
    ]
    .into();
    let missing: Vec<&&str> = events.difference(&coverage.events).collect();
    assert!(missing.is_empty(), "never reached: {missing:?}");
    assert_eq!(
        coverage.statuses,
        ["awaiting_triage", "closed", "open"].into()
    );
    assert_eq!(coverage.waits, ["seen", "waiting"].into());
    assert_eq!(
        coverage.errors,
        ["illegal_transition", "invalid", "not_found"].into()
    );
}
