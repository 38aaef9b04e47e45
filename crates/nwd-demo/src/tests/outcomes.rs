//! Outcome measures in the generated county (issue 19), judged by the product's own
//! definition (`nwd_domain::outcome_figures`, i.e. `outcome_summary` and MHS112): among
//! closed referrals counted for the outcome figures, about half to two thirds have paired
//! scores; of those, about half show meaningful improvement and about one in ten deteriorate.

use std::collections::HashMap;

use nwd_domain::outcome_figures::{counted, OutcomeCounts, ReferralOutcome};
use nwd_domain::referral::outcome::norm_inputs;

use super::*;

#[test]
fn outcome_measures_are_recorded_in_realistic_proportions() {
    let (data, _) = fixture();
    let tz = TimeZone::get("Europe/London").unwrap();
    let people: HashMap<_, _> = data.persons.iter().map(|p| (p.id, p)).collect();
    let mut counts = OutcomeCounts::default();
    let (mut events, mut measure_events) = (0usize, 0usize);
    for r in &data.referrals {
        events += r.events.len();
        measure_events += r
            .events
            .iter()
            .filter(|e| matches!(e.event, ReferralEvent::OutcomeRecorded { .. }))
            .count();
        let attended = r
            .state
            .contacts
            .iter()
            .filter(|c| c.is_attended_direct())
            .count();
        if r.state.status != ReferralStatus::Closed || !counted(attended) {
            continue;
        }
        let person = people[&r.state.person_id];
        let (age, sex) = norm_inputs(
            &r.state,
            person.details.date_of_birth,
            person.details.sex,
            &tz,
        );
        counts.add(&ReferralOutcome::of(&r.state, age, sex));
    }
    let paired = share(counts.paired as usize, counts.closed as usize);
    // The demo's measures are self-rated, as the published CYP benchmarks mostly are.
    let own = counts.rater(nwd_domain::referral::outcome::OutcomeRater::YoungPerson);
    let meaningful = share(own.meaningful_improvement as usize, own.paired as usize);
    let deteriorated = share(own.reliable_deterioration as usize, own.paired as usize);
    let added = share(measure_events, events - measure_events);
    eprintln!(
        "closed {} paired {paired:.3} meaningful {meaningful:.3} deteriorated {deteriorated:.3}; \
         {measure_events} measure events of {events} (+{:.1} %)",
        counts.closed,
        added * 100.0
    );
    assert!(counts.closed > 300, "{counts:?}");
    assert!((0.45..=0.65).contains(&paired), "paired {paired}");
    assert!(
        (0.40..=0.60).contains(&meaningful),
        "meaningful {meaningful}"
    );
    assert!(
        (0.05..=0.15).contains(&deteriorated),
        "deteriorated {deteriorated}"
    );
}
