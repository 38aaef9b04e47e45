//! Estimation on the pairs between a file of referrals and a register that holds no
//! duplicates (issue 18: `persons match-file` with a clean register).

#![allow(clippy::unwrap_used)]

use crate::synthetic::{generate, QueryKind, SyntheticConfig, Truth};
use crate::{EstimateOptions, Matcher, Params, Record, Thresholds};

fn set() -> crate::synthetic::SyntheticSet {
    generate(&SyntheticConfig {
        seed: 5,
        households: 3_000,
        queries: 2_000,
        nhs_number_share: 0.0,
    })
}

/// A register without duplicates teaches no m (the starting values stand); the referrals'
/// pairs with it do: their m replaces the starting m, and the matches per referral estimate
/// the share of referrals that are registered people (60 % in the synthetic mix).
#[test]
fn a_clean_register_learns_m_from_the_referrals_pairs() {
    let set = set();
    let mut matcher = Matcher::new(&Params::default(), Thresholds::default()).unwrap();
    matcher.insert_many(&set.register);
    let options = EstimateOptions::default();
    let alone = matcher.estimate(&options).unwrap();
    assert!(alone.estimation.as_ref().unwrap().m_fallback.is_some());
    let queries: Vec<Record> = set.queries.iter().map(|q| q.record.clone()).collect();
    let with = matcher.estimate_with_referrals(&queries, &options).unwrap();
    let referrals = with.estimation.as_ref().unwrap().referrals.clone().unwrap();
    assert!(referrals.used, "{referrals:#?}");
    assert_eq!(referrals.referrals, 2_000);
    let registered = set
        .queries
        .iter()
        .filter(|q| matches!(q.truth, Truth::Existing(_)))
        .count() as f64
        / set.queries.len() as f64;
    assert!(
        (referrals.matches_per_referral - registered).abs() < 0.15,
        "{} against {registered}",
        referrals.matches_per_referral
    );
    assert_eq!(with.matches_per_record, referrals.matches_per_referral);
    // u is the register's; m is no longer the starting m.
    for (a, b) in with.comparisons.iter().zip(&alone.comparisons) {
        for (x, y) in a.levels.iter().zip(&b.levels) {
            assert_eq!(x.u, y.u);
        }
    }
    let given_exact = |p: &Params| p.comparisons[1].levels[0].m;
    assert_ne!(given_exact(&with), given_exact(&alone));
    assert!(given_exact(&with) > 0.5 && given_exact(&with) < 1.0);
}

/// Referrals none of whom is registered give EM no true pairs to learn from: the register's
/// estimate stands, and the note says why.
#[test]
fn referrals_without_registered_people_change_nothing() {
    let set = set();
    let mut matcher = Matcher::new(&Params::default(), Thresholds::default()).unwrap();
    matcher.insert_many(&set.register);
    let options = EstimateOptions::default();
    let alone = matcher.estimate(&options).unwrap();
    let strangers: Vec<Record> = set
        .queries
        .iter()
        .filter(|q| q.kind == QueryKind::NewPerson)
        .map(|q| q.record.clone())
        .collect();
    let with = matcher
        .estimate_with_referrals(&strangers, &options)
        .unwrap();
    let referrals = with.estimation.as_ref().unwrap().referrals.clone().unwrap();
    assert!(!referrals.used, "{referrals:#?}");
    assert_eq!(with.comparisons, alone.comparisons);
    assert_eq!(with.matches_per_record, alone.matches_per_record);
}
