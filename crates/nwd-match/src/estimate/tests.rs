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

/// Unrelated people with no households: a register without duplicates in which EM finds no
/// household either — only chance agreements between strangers. Names are made of syllables
/// (225 given names, 3,375 family names), every address is different.
fn strangers(n: usize) -> Vec<Record> {
    const SYLLABLES: [&str; 15] = [
        "ka", "lo", "mi", "ra", "te", "no", "sa", "vi", "du", "be", "ro", "li", "an", "el", "zu",
    ];
    let mut random = crate::prng::SplitMix64::new(16);
    let mut pick = |n: usize| random.below(n as u64) as usize;
    let mut name = |syllables: usize| -> String {
        (0..syllables)
            .map(|_| SYLLABLES[pick(SYLLABLES.len())])
            .collect()
    };
    let people: Vec<(String, String, String)> =
        (0..n).map(|_| (name(2), name(3), name(3))).collect();
    let mut random = crate::prng::SplitMix64::new(61);
    let mut pick = |n: usize| random.below(n as u64) as usize;
    people
        .into_iter()
        .enumerate()
        .map(|(i, (given, family, street))| Record {
            id: format!("p{i}"),
            nhs_number: None,
            given_name: Some(given),
            family_name: Some(family),
            date_of_birth: Some(format!(
                "{}-{:02}-{:02}",
                2006 + pick(12),
                1 + pick(12),
                1 + pick(28)
            )),
            address: Some(format!("{} {street} road {i}", 1 + i % 97)),
            postcode: Some(format!(
                "LS{} {}{}{}",
                1 + pick(20),
                pick(10),
                char::from(b'A' + pick(26) as u8),
                char::from(b'A' + pick(26) as u8)
            )),
            sex: None,
        })
        .collect()
}

/// A register without duplicates, where EM finds no true pairs (its match share at the
/// floor) rather than households: nothing was learned, so the starting m and prior stand and
/// `m_fallback` says so — not a prior of about zero matches per record, which is only the
/// register's own duplicate rate and would push every referral ten bits towards "new".
#[test]
fn a_register_without_duplicates_keeps_the_starting_prior() {
    let mut matcher = Matcher::new(&Params::default(), Thresholds::default()).unwrap();
    matcher.insert_many(&strangers(3_000));
    let estimated = matcher.estimate(&EstimateOptions::default()).unwrap();
    let summary = estimated.estimation.as_ref().unwrap();
    assert!(
        summary.sessions.iter().all(|s| s.match_share < 0.01),
        "{summary:#?}"
    );
    let note = summary.m_fallback.as_deref().unwrap_or_default();
    assert!(note.contains("too few duplicates"), "{summary:#?}");
    let start = Params::default();
    assert_eq!(estimated.matches_per_record, start.matches_per_record);
    for (a, b) in estimated.comparisons.iter().zip(&start.comparisons) {
        for (x, y) in a.levels.iter().zip(&b.levels) {
            assert_eq!(x.m, y.m, "{}", a.comparison);
        }
    }
}
