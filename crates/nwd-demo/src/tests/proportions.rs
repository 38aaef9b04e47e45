//! The generated history's proportions are roughly those of the seeds: sources, priorities,
//! advice requests, declines, steps, did-not-attend, re-referrals and warm handovers.

use std::collections::BTreeMap;

use nwd_domain::codes::{ContactStatus, Priority, ReferralSource};
use nwd_domain::need::StepDirection;
use nwd_domain::referral::{AllocationOrigin, ContactKind, ReferralKind};

use super::*;

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
