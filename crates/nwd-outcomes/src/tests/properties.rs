//! Invariants over random inputs: judging is symmetric, pairing obeys its date rules whatever
//! the input order, and the CSV door's referral outcomes equal a direct classification.

use std::collections::BTreeMap;

use proptest::prelude::*;

use crate::{classify, classify_csv, judge_change, pair_first_last, Change, Direction};

fn mirror(change: Change) -> Change {
    match change {
        Change::Improved => Change::Deteriorated,
        Change::Deteriorated => Change::Improved,
        Change::NoChange => Change::NoChange,
    }
}

proptest! {
    #[test]
    fn swapping_first_and_last_or_the_direction_mirrors_the_change(
        first in 0.0..100.0f64, last in 0.0..100.0f64, threshold in 0.5..30.0f64,
    ) {
        for direction in [Direction::HigherIsBetter, Direction::LowerIsBetter] {
            let change = judge_change(first, last, threshold, direction);
            prop_assert_eq!(judge_change(last, first, threshold, direction), mirror(change));
            let small = (last - first).abs() < threshold - crate::THRESHOLD_TOLERANCE;
            prop_assert_eq!(change == Change::NoChange, small || last == first);
        }
        prop_assert_eq!(
            judge_change(first, last, threshold, Direction::HigherIsBetter),
            mirror(judge_change(first, last, threshold, Direction::LowerIsBetter))
        );
    }

    #[test]
    fn pairs_obey_the_contact_dates_whatever_the_order(
        days in proptest::collection::btree_set(0u32..200, 0..8),
        first_contact in 0u32..100, gap in 0u32..100, rotate in 0usize..8,
    ) {
        let second_contact = first_contact + gap;
        let mut scores: Vec<(u32, f64)> = days.iter().map(|&d| (d, f64::from(d) / 2.0)).collect();
        let expected = pair_first_last(&scores, first_contact, Some(second_contact));
        if !scores.is_empty() {
            let by = rotate % scores.len();
            scores.rotate_left(by);
        }
        prop_assert_eq!(pair_first_last(&scores, first_contact, Some(second_contact)), expected);
        let eligible: Vec<u32> = days.iter().copied().filter(|&d| d >= first_contact).collect();
        match expected {
            Some(p) => {
                prop_assert_eq!(p.first_date, eligible[0]);
                prop_assert_eq!(p.last_date, *eligible.last().unwrap());
                prop_assert!(p.last_date >= second_contact && p.first_date < p.last_date);
            }
            None => prop_assert!(eligible.len() < 2 || *eligible.last().unwrap() < second_contact),
        }
    }

    #[test]
    fn referral_outcomes_equal_a_direct_classification(
        rows in proptest::collection::vec((0u8..6, 0usize..3, 0u8..28, 0u8..28), 1..60),
    ) {
        let scales = [("phq_9", "total", 6.0), ("gad_7", "total", 4.0), ("core_10", "total", 5.0)];
        let mut input = String::from("referral_id,rater,measure,scale,first,last\n");
        let mut expected: BTreeMap<String, Vec<Change>> = BTreeMap::new();
        let mut seen = std::collections::HashSet::new();
        for (referral, s, first, last) in rows {
            if !seen.insert((referral, s)) {
                continue;
            }
            let (measure, scale, threshold) = scales[s];
            let (first, last) = (f64::from(first.min(21)), f64::from(last.min(21)));
            input.push_str(&format!("R{referral},self,{measure},{scale},{first},{last}\n"));
            expected.entry(format!("R{referral}")).or_default()
                .push(judge_change(first, last, threshold, Direction::LowerIsBetter));
        }
        let mut out = Vec::new();
        let mut referrals = Vec::new();
        let summary = classify_csv(input.as_bytes(), &mut out, Some(&mut referrals)).unwrap();
        prop_assert_eq!(summary.rows as usize, seen.len());
        let written: BTreeMap<String, String> = String::from_utf8(referrals).unwrap().lines().skip(1)
            .map(|l| {
                let parts: Vec<&str> = l.split(',').collect();
                (parts[0].to_string(), parts[2].to_string())
            })
            .collect();
        let direct: BTreeMap<String, String> = expected.into_iter()
            .map(|(k, v)| (k, classify(v).unwrap().code().to_string()))
            .collect();
        prop_assert_eq!(written, direct);
    }
}
