//! The county at the end of the demo: still busy, waits that follow capacity, the configured
//! standards and Kent areas, competence decisions for under-16 self-referrals, and the
//! destinations of transitions and closures.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use nwd_domain::codes::{ReferralSource, TeamType};
use nwd_domain::referral::{Destination, ReferralStatus};

use super::*;

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
