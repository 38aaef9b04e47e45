//! Tests of the whole generator: determinism, a history the domain accepts end to end, the
//! no-wrong-door invariant, proportions, synthetic identities, and a county that is still
//! busy when the demo ends.

use std::sync::OnceLock;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use nwd_domain::codes::TeamType;
use nwd_domain::referral::{Destination, Referral, ReferralEvent, ReferralStatus};
use nwd_domain::standards::DefaultStandards;

use super::*;

mod county;
mod identities;
mod outcomes;
mod proportions;

fn standards() -> DefaultStandards {
    toml::from_str(include_str!("../../../../config/standards.toml")).unwrap()
}

fn config(seed: u64, years: u32, referrals_per_year: u32) -> DemoConfig {
    DemoConfig {
        seed,
        years,
        referrals_per_year,
        end: "2026-03-31T16:00:00Z".parse().unwrap(),
        tz: TimeZone::get("Europe/London").unwrap(),
        standards: standards(),
    }
}

/// Two years at 1,500 referrals a year, generated once for the tests that only read it.
pub(crate) fn fixture() -> &'static (DemoData, Report) {
    static DATA: OnceLock<(DemoData, Report)> = OnceLock::new();
    DATA.get_or_init(|| generate_with_report(&config(2026, 2, 1_500), &mut |_, _| {}))
}

fn share(part: usize, whole: usize) -> f64 {
    part as f64 / whole.max(1) as f64
}

fn team_of(data: &DemoData, id: nwd_domain::ServiceId) -> Option<TeamType> {
    data.services
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.details.team_type)
}

#[test]
fn the_same_seed_gives_identical_data_and_another_seed_does_not() {
    let mut calls = Vec::new();
    let first = generate(&config(7, 1, 2_000), &mut |done, total| {
        calls.push((done, total))
    });
    let again = generate(&config(7, 1, 2_000), &mut |_, _| {});
    assert!(first == again, "same seed, different data");
    assert_eq!(
        serde_json::to_string(&first.referrals).unwrap(),
        serde_json::to_string(&again.referrals).unwrap()
    );
    assert_eq!(calls.first(), Some(&(1_000, 2_000)));
    assert_eq!(calls.last(), Some(&(2_000, 2_000)));

    let other = generate(&config(8, 1, 2_000), &mut |_, _| {});
    assert_ne!(first.persons, other.persons);
    assert_ne!(
        first.referrals.first().map(|r| r.state.id),
        other.referrals.first().map(|r| r.state.id)
    );
}

#[test]
fn the_domain_refuses_nothing_and_every_state_is_its_replayed_history() {
    let (data, report) = fixture();
    assert_eq!(
        report.refused, 0,
        "first refusal: {:?}",
        report.first_refusal
    );
    assert_eq!(data.referrals.len(), 3_000);
    let end: Timestamp = "2026-03-31T16:00:00Z".parse().unwrap();
    for referral in &data.referrals {
        assert_eq!(Referral::replay(&referral.events).unwrap(), referral.state);
        let first = referral.events.first().unwrap();
        assert_eq!(first.at, referral.state.received_at);
        for pair in referral.events.windows(2) {
            // Events from one command share a time; commands are strictly later.
            assert!(pair[0].at <= pair[1].at, "{:?}", referral.state.id);
        }
        assert!(referral.events.iter().all(|e| e.at <= end));
    }
}

#[test]
fn every_closed_referral_names_its_destination() {
    let (data, _) = fixture();
    let closed: Vec<_> = data
        .referrals
        .iter()
        .filter(|r| r.state.status == ReferralStatus::Closed)
        .collect();
    assert!(closed.len() > 1_500, "{}", closed.len());
    for referral in closed {
        let closure = referral.state.closure.as_ref().unwrap();
        assert!(!closure.destination.name().trim().is_empty());
        if let Destination::Allocated { service_names, .. } = &closure.destination {
            // Named from the directory, never "1 allocated service(s)".
            assert!(!service_names.is_empty(), "{:?}", referral.state.id);
            let name = closure.destination.name();
            for service in service_names {
                assert!(name.contains(service.as_str()), "{name}");
            }
        }
        assert!(matches!(
            referral.events.last().map(|e| &e.event),
            Some(ReferralEvent::Closed { .. })
        ));
    }
}

#[test]
fn generating_in_batches_gives_what_generate_gives_whatever_the_batch_size() {
    let config = config(11, 1, 1_500);
    let whole = generate(&config, &mut |_, _| {});
    for batch_size in [1, 7, 1_000, 5_000] {
        let seen_directory = std::cell::RefCell::new(None);
        let mut sizes = Vec::new();
        let mut referrals = Vec::new();
        let directory = generate_in_batches(
            &config,
            batch_size,
            &mut |_, _| {},
            |directory| {
                *seen_directory.borrow_mut() = Some(directory.clone());
                Ok::<(), ()>(())
            },
            |batch| {
                assert!(
                    seen_directory.borrow().is_some(),
                    "the directory comes first"
                );
                sizes.push(batch.len());
                referrals.extend(batch);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen_directory.take().as_ref(), Some(&directory));
        let batched = DemoData {
            organisations: directory.organisations,
            services: directory.services,
            persons: directory.persons,
            referrals,
        };
        assert_eq!(
            serde_json::to_string(&batched).unwrap(),
            serde_json::to_string(&whole).unwrap(),
            "batches of {batch_size}"
        );
        let (last, full) = sizes.split_last().unwrap();
        assert!(
            full.iter().all(|&n| n == batch_size),
            "batches of {batch_size}"
        );
        assert!((1..=batch_size).contains(last));
    }
}

#[test]
fn a_callback_that_fails_stops_the_generation() {
    let config = config(11, 1, 1_500);
    let stopped = generate_in_batches(
        &config,
        100,
        &mut |_, _| {},
        |_| Err("no room"),
        |_| panic!("no batch after the directory is refused"),
    );
    assert_eq!(stopped, Err("no room"));
    let mut batches = 0;
    let stopped = generate_in_batches(
        &config,
        100,
        &mut |_, _| {},
        |_| Ok(()),
        |_| {
            batches += 1;
            if batches == 3 {
                Err("full")
            } else {
                Ok(())
            }
        },
    );
    assert_eq!(stopped, Err("full"));
    assert_eq!(batches, 3, "nothing is generated after the refusal");
}
