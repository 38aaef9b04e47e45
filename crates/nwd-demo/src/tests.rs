//! Tests of the whole generator: determinism, a history the domain accepts end to end, the
//! no-wrong-door invariant, proportions, synthetic identities, and a county that is still
//! busy when the demo ends.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use nwd_domain::codes::{ContactStatus, Priority, ReferralSource, TeamType};
use nwd_domain::need::StepDirection;
use nwd_domain::referral::{
    AllocationOrigin, ContactKind, Destination, Referral, ReferralEvent, ReferralKind,
    ReferralStatus,
};
use nwd_domain::standards::DefaultStandards;

use super::*;

fn standards() -> DefaultStandards {
    toml::from_str(include_str!("../../../config/standards.toml")).unwrap()
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
fn fixture() -> &'static (DemoData, Report) {
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
fn proportions_are_roughly_those_of_the_seeds() {
    let (data, _) = fixture();
    let referrals = &data.referrals;
    let n = referrals.len();
    let count = |f: &dyn Fn(&DemoReferral) -> bool| referrals.iter().filter(|r| f(r)).count();

    let sources: BTreeMap<&str, f64> = ReferralSource::ALL
        .iter()
        .map(|s| (s.as_str(), share(count(&|r| r.state.source == *s), n)))
        .collect();
    let priorities: BTreeMap<&str, f64> = Priority::ALL
        .iter()
        .map(|p| (p.as_str(), share(count(&|r| r.state.priority == *p), n)))
        .collect();
    let advice = share(count(&|r| r.state.kind == ReferralKind::AdviceRequest), n);

    let triaged: Vec<&DemoReferral> = referrals
        .iter()
        .filter(|r| r.state.kind == ReferralKind::Referral && r.state.triage.is_some())
        .collect();
    let at_triage = |kind: &str| {
        share(
            triaged
                .iter()
                .filter(|r| {
                    r.state
                        .allocations
                        .iter()
                        .all(|a| a.origin != AllocationOrigin::Triage)
                        && r.state
                            .closure
                            .as_ref()
                            .is_some_and(|c| c.destination.kind() == kind)
                })
                .count(),
            triaged.len(),
        )
    };
    let signposted = at_triage("signposted");
    let declined = at_triage("declined");
    let allocated = share(
        triaged
            .iter()
            .filter(|r| !r.state.allocations.is_empty())
            .count(),
        triaged.len(),
    );
    let warm = share(
        triaged
            .iter()
            .flat_map(|r| &r.state.signposts)
            .filter(|s| s.warm_handover)
            .count(),
        triaged.iter().map(|r| r.state.signposts.len()).sum(),
    );
    let two_at_triage = share(
        triaged
            .iter()
            .filter(|r| {
                r.state
                    .allocations
                    .iter()
                    .filter(|a| a.origin == AllocationOrigin::Triage)
                    .count()
                    == 2
            })
            .count(),
        triaged.len(),
    );
    let with_allocation: Vec<_> = triaged
        .iter()
        .filter(|r| !r.state.allocations.is_empty())
        .collect();
    let stepped = |direction: StepDirection| {
        share(
            with_allocation
                .iter()
                .filter(|r| {
                    r.state
                        .allocations
                        .iter()
                        .any(|a| a.origin == AllocationOrigin::Step(direction))
                })
                .count(),
            with_allocation.len(),
        )
    };
    let (step_up, step_down) = (stepped(StepDirection::Up), stepped(StepDirection::Down));
    let transitions = count(&|r| !r.state.transitions.is_empty());
    let added = count(&|r| {
        r.state
            .allocations
            .iter()
            .any(|a| a.origin == AllocationOrigin::Additional)
    });

    let contacts: Vec<_> = referrals
        .iter()
        .flat_map(|r| &r.state.contacts)
        .filter(|c| c.kind == ContactKind::Direct && c.status != ContactStatus::Scheduled)
        .collect();
    let dna = share(
        contacts
            .iter()
            .filter(|c| c.status == ContactStatus::DidNotAttend)
            .count(),
        contacts.len(),
    );
    let indirect = referrals
        .iter()
        .flat_map(|r| &r.state.contacts)
        .filter(|c| matches!(c.kind, ContactKind::Indirect { .. }))
        .count();
    let mut per_person: BTreeMap<_, usize> = BTreeMap::new();
    for r in referrals {
        *per_person.entry(r.state.person_id).or_default() += 1;
    }
    let rereferrals = share(n - per_person.len(), n);

    println!("sources {sources:.3?}");
    println!("priorities {priorities:.3?}");
    println!(
        "advice {advice:.3} signposted {signposted:.3} (warm {warm:.2}) declined {declined:.3} allocated {allocated:.3} two-at-triage {two_at_triage:.3}"
    );
    println!(
        "step up {step_up:.3} step down {step_down:.3} transitions {transitions} added {added} dna {dna:.3} indirect {indirect} re-referrals {rereferrals:.3}"
    );

    let near = |value: f64, target: f64, tolerance: f64| (value - target).abs() <= tolerance;
    assert!(near(sources["gp"], 0.30, 0.04), "{sources:?}");
    assert!(near(sources["school"], 0.22, 0.04), "{sources:?}");
    assert!(near(sources["self_referral"], 0.10, 0.03), "{sources:?}");
    assert!(near(priorities["routine"], 0.80, 0.04), "{priorities:?}");
    assert!(near(priorities["urgent"], 0.12, 0.03), "{priorities:?}");
    assert!(near(advice, 0.08, 0.03), "advice {advice}");
    assert!(
        (0.15..=0.35).contains(&signposted),
        "signposted {signposted}"
    );
    assert!(near(declined, 0.02, 0.015), "declined {declined}");
    assert!((0.02..=0.09).contains(&step_up), "step up {step_up}");
    assert!((0.02..=0.09).contains(&step_down), "step down {step_down}");
    assert!(near(dna, 0.10, 0.03), "did not attend {dna}");
    assert!(near(rereferrals, 0.10, 0.035), "re-referrals {rereferrals}");
    assert!(two_at_triage > 0.02, "{two_at_triage}");
    assert!(warm > 0.2 && warm < 0.7, "{warm}");
    assert!(transitions > 20 && added > 5 && indirect > 100);
}

#[test]
fn people_are_synthetic_with_test_range_nhs_numbers() {
    let (data, _) = fixture();
    let end = jiff::civil::date(2026, 3, 31);
    let with_number = data
        .persons
        .iter()
        .filter(|p| p.details.nhs_number.is_some())
        .count();
    assert!((0.80..0.90).contains(&share(with_number, data.persons.len())));
    let mut numbers = Vec::new();
    for person in &data.persons {
        if let Some(number) = person.details.nhs_number {
            assert!(number.is_test_range(), "{number}");
            numbers.push(number);
        }
        let mut errors = nwd_domain::ValidationErrors::new();
        person.details.validate(end, "", &mut errors);
        assert!(errors.is_empty(), "{errors}");
        if let Some(postcode) = &person.details.postcode {
            assert!(
                ["ME", "CT", "TN", "DA"].contains(&postcode.area()),
                "{postcode}"
            );
        }
    }
    let before = numbers.len();
    numbers.sort();
    numbers.dedup();
    assert_eq!(
        numbers.len(),
        before,
        "NHS numbers are unique to one person"
    );
    let looked_after = data
        .persons
        .iter()
        .filter(|p| p.details.flags.looked_after)
        .count();
    assert!(looked_after > 0);
}

#[test]
fn re_referrals_share_the_person_and_every_referral_has_a_registered_person() {
    let (data, _) = fixture();
    let mut referrals_per_person: BTreeMap<_, Vec<Timestamp>> = BTreeMap::new();
    for r in &data.referrals {
        referrals_per_person
            .entry(r.state.person_id)
            .or_default()
            .push(r.state.received_at);
    }
    let repeat = referrals_per_person
        .values()
        .filter(|times| times.len() > 1)
        .count();
    assert!(repeat > 100, "{repeat}");
    assert_eq!(referrals_per_person.len(), data.persons.len());
    for person in &data.persons {
        assert!(referrals_per_person.contains_key(&person.id));
    }
}

#[test]
fn the_county_is_still_busy_when_the_demo_ends() {
    let (data, _) = fixture();
    let awaiting = data
        .referrals
        .iter()
        .filter(|r| r.state.status == ReferralStatus::AwaitingTriage)
        .count();
    let waiting: Vec<_> = data
        .referrals
        .iter()
        .flat_map(|r| r.state.allocations.iter().filter(|a| a.is_waiting()))
        .collect();
    let neurodevelopment_waiting = waiting
        .iter()
        .filter(|a| team_of(data, a.service_id) == Some(TeamType::Neurodevelopment))
        .count();
    println!(
        "at the end: {awaiting} awaiting triage, {} allocations waiting, {} of them for neurodevelopment",
        waiting.len(),
        neurodevelopment_waiting
    );
    assert!(awaiting > 5, "{awaiting}");
    assert!(waiting.len() > 50, "{}", waiting.len());
    assert!(neurodevelopment_waiting > 20, "{neurodevelopment_waiting}");
}

#[test]
fn waits_follow_capacity_hours_for_crisis_and_months_for_neurodevelopment() {
    let (data, _) = fixture();
    let mut waits: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for r in &data.referrals {
        for a in &r.state.allocations {
            if let (Some(seen), Some(team)) = (a.first_attended_at, team_of(data, a.service_id)) {
                let hours = seen.duration_since(a.clock_start).as_hours();
                waits.entry(team.as_str()).or_default().push(hours);
            }
        }
    }
    let median = |team: &str| {
        let mut list = waits.get(team).cloned().unwrap_or_default();
        list.sort();
        list.get(list.len() / 2).copied().unwrap_or(-1)
    };
    println!(
        "median hours to first attended contact: {:?}",
        waits.keys().map(|t| (*t, median(t))).collect::<Vec<_>>()
    );
    assert!(
        (0..48).contains(&median("crisis_resolution")),
        "{}",
        median("crisis_resolution")
    );
    assert!(
        median("neurodevelopment") > 24 * 7 * 20,
        "{}",
        median("neurodevelopment")
    );
    assert!(median("community") < median("neurodevelopment"));
}

#[test]
fn the_directory_uses_the_configured_standards_and_kent_areas() {
    let (data, _) = fixture();
    let standards = standards();
    assert!(data.services.len() >= 18);
    for service in &data.services {
        assert_eq!(
            service.details.standards,
            standards.for_team_type(service.details.team_type)
        );
        assert!(service.details.validate().is_empty());
        for area in &service.details.areas {
            assert!(
                ["ME", "CT", "TN", "DA"].iter().any(|a| area.starts_with(a)),
                "{area}"
            );
        }
    }
    let crisis = data
        .services
        .iter()
        .find(|s| s.details.team_type == TeamType::CrisisResolution)
        .unwrap();
    assert_eq!(
        crisis.details.standards.first().map(|s| s.name.as_str()),
        Some("Crisis: emergency department referral, 1 hour")
    );
}

#[test]
fn under_16_self_referrals_have_a_recorded_competence_decision() {
    let (data, _) = fixture();
    let persons: BTreeMap<_, _> = data.persons.iter().map(|p| (p.id, p)).collect();
    let tz = TimeZone::get("Europe/London").unwrap();
    let mut checked = 0;
    for r in &data.referrals {
        let born = persons[&r.state.person_id].details.date_of_birth;
        let received_on = r.state.received_at.to_zoned(tz.clone()).date();
        let under_16 = nwd_domain::person::age_in_years(born, received_on) < 16;
        if r.state.source == ReferralSource::SelfReferral && under_16 && r.state.triage.is_some() {
            assert!(r.state.competence.is_some(), "{}", r.state.id);
            checked += 1;
        }
    }
    assert!(checked > 10, "{checked}");
}

#[test]
fn transitions_and_closures_carry_their_destinations() {
    let (data, _) = fixture();
    let transitioned = data
        .referrals
        .iter()
        .filter_map(|r| r.state.closure.as_ref())
        .filter(|c| matches!(c.destination, Destination::Transitioned { .. }))
        .count();
    assert!(transitioned > 10, "{transitioned}");
}
