//! The register: deterministic, people 0–25 with complete details, valid test-range NHS
//! numbers, households sharing surname and address, the surname distribution, and twins.

use std::collections::{BTreeMap, HashMap, HashSet};

use nwd_domain::nhs_number::NhsNumber;

use crate::record::Record;

use crate::synthetic::*;

use super::{config, days, small};

#[test]
fn the_same_seed_gives_the_same_set() {
    let a = small();
    let b = small();
    assert_eq!(a, b);
}

#[test]
fn different_seeds_give_different_sets() {
    let a = generate(&config(1, 0.5));
    let b = generate(&config(2, 0.5));
    assert_ne!(a.register, b.register);
    assert_ne!(a.queries, b.queries);
}

#[test]
fn calendar_conversions_round_trip() {
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    for day in -20_000..40_000 {
        let (y, m, d) = civil_from_days(day);
        assert_eq!(days_from_civil(y as i32, m, d), day);
    }
    assert_eq!(iso_date(days_from_civil(2024, 2, 29)), "2024-02-29");
}

#[test]
fn register_people_are_0_to_25_with_complete_details() {
    let set = small();
    let (y, m, d) = REFERENCE_DATE;
    let latest = days_from_civil(y, m, d);
    let earliest = days_from_civil(y - 26, m, d);
    for record in &set.register {
        let dob = days(record.date_of_birth.as_deref().unwrap());
        assert!(dob > earliest && dob <= latest, "{record:?}");
        assert!(record.given_name.is_some() && record.family_name.is_some());
        assert!(matches!(record.sex.as_deref(), Some("male" | "female")));
        let postcode = record.postcode.as_deref().unwrap();
        let (outward, inward) = postcode.split_once(' ').unwrap();
        assert!((2..=4).contains(&outward.len()), "{postcode}");
        assert_eq!(inward.len(), 3, "{postcode}");
        assert!(inward.as_bytes()[0].is_ascii_digit(), "{postcode}");
    }
    let ids: HashSet<&str> = set.register.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), set.register.len());
    // 1.93 children a household on average.
    let per_household = set.register.len() as f64 / 3_000.0;
    assert!((1.8..2.1).contains(&per_household), "{per_household}");
}

#[test]
fn every_register_nhs_number_is_valid_unique_and_in_the_test_range() {
    let set = small();
    let mut seen = HashSet::new();
    let (mut with, mut fillers) = (0, 0);
    for record in &set.register {
        if let Some(raw) = &record.nhs_number {
            if PLACEHOLDER_NUMBERS.contains(&raw.as_str()) {
                fillers += 1;
                continue;
            }
            with += 1;
            let number = NhsNumber::parse(raw).unwrap();
            assert!(number.is_test_range(), "{raw}");
            assert!(seen.insert(number), "duplicate {raw}");
        }
    }
    let share = with as f64 / set.register.len() as f64;
    let expected = NHS_ISSUED_SHARE * REGISTER_NHS_SHARE;
    assert!(
        (expected - 0.03..expected + 0.03).contains(&share),
        "{share}"
    );
    // A few records without a number carry a placeholder instead.
    let without = set.register.len() - with;
    let filler_share = f64::from(fillers) / without as f64;
    assert!(
        (REGISTER_FILLER_RATE / 3.0..REGISTER_FILLER_RATE * 3.0).contains(&filler_share),
        "{fillers} of {without}"
    );
    assert!(
        with < set.register.len(),
        "some register people have no number"
    );
}

#[test]
fn households_share_surname_address_and_postcode() {
    let set = small();
    let mut households: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for record in &set.register {
        households
            .entry(record.address.as_deref().unwrap())
            .or_default()
            .push(record);
    }
    let mut sizes = [0usize; 5];
    for members in households.values() {
        assert!((1..=4).contains(&members.len()), "{members:?}");
        sizes[members.len()] += 1;
        let first = members[0];
        let given: HashSet<&str> = members
            .iter()
            .map(|m| m.given_name.as_deref().unwrap())
            .collect();
        assert_eq!(given.len(), members.len(), "siblings' names differ");
        for member in members {
            assert_eq!(member.family_name, first.family_name);
            assert_eq!(member.postcode, first.postcode);
        }
    }
    assert_eq!(households.len(), 3_000, "one address per household");
    // Households of every size, most of one or two children.
    assert!(
        sizes[1] > sizes[3] && sizes[2] > sizes[4] && sizes[4] > 0,
        "{sizes:?}"
    );
}

#[test]
fn common_surnames_are_frequent_and_the_tail_is_long() {
    let set = generate(&SyntheticConfig {
        seed: 5,
        households: 20_000,
        queries: 0,
        nhs_number_share: 0.0,
    });
    let mut households: HashMap<&str, &str> = HashMap::new();
    for record in &set.register {
        households.insert(
            record.address.as_deref().unwrap(),
            record.family_name.as_deref().unwrap(),
        );
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for family in households.values() {
        *counts.entry(family).or_default() += 1;
    }
    let n = households.len() as f64;
    let smith = counts.get("Smith").copied().unwrap_or(0) as f64 / n;
    let jones = counts.get("Jones").copied().unwrap_or(0) as f64 / n;
    assert!((0.008..0.016).contains(&smith), "Smith {smith}");
    assert!(jones > 0.005 && jones < smith * 1.2, "Jones {jones}");
    assert!(counts.len() > 1_500, "{} distinct surnames", counts.len());
}

#[test]
fn twins_share_date_of_birth_and_household() {
    let set = generate(&SyntheticConfig {
        seed: 3,
        households: 20_000,
        queries: 0,
        nhs_number_share: 0.0,
    });
    let mut groups: HashMap<(&str, &str), Vec<&Record>> = HashMap::new();
    for record in &set.register {
        groups
            .entry((
                record.address.as_deref().unwrap(),
                record.date_of_birth.as_deref().unwrap(),
            ))
            .or_default()
            .push(record);
    }
    let mut twins = 0;
    for members in groups.values().filter(|m| m.len() > 1) {
        assert_eq!(members.len(), 2, "twins, never triplets");
        assert_eq!(members[0].family_name, members[1].family_name);
        assert_eq!(members[0].postcode, members[1].postcode);
        assert_ne!(members[0].given_name, members[1].given_name);
        twins += 2;
    }
    let share = f64::from(twins) / set.register.len() as f64;
    assert!((0.01..0.05).contains(&share), "twins {share}");

    // Non-twin siblings are at least ten months apart.
    let mut households: HashMap<&str, Vec<i64>> = HashMap::new();
    for record in &set.register {
        households
            .entry(record.address.as_deref().unwrap())
            .or_default()
            .push(days(record.date_of_birth.as_deref().unwrap()));
    }
    for dobs in households.values() {
        for (i, a) in dobs.iter().enumerate() {
            for b in &dobs[i + 1..] {
                assert!(a == b || (a - b).abs() >= MIN_SIBLING_GAP_DAYS);
            }
        }
    }
}
