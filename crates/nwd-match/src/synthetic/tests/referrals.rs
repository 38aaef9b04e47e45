//! The referrals: the query mix, truths pointing into the register, siblings and co-twins,
//! NHS numbers on referrals, the named errors each carries, and one-keystroke typos.

use std::collections::{HashMap, HashSet};

use nwd_domain::nhs_number::NhsNumber;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::synthetic::corrupt::{name_typo, nhs_typo};
use crate::synthetic::*;

use super::{by_id, config, days, small};

#[test]
fn the_query_mix_follows_the_configuration() {
    let set = small();
    assert_eq!(set.queries.len(), 2_000);
    for (kind, share) in QUERY_MIX {
        let n = set.queries.iter().filter(|q| q.kind == kind).count();
        let expected = 2_000.0 * share;
        assert!((n as f64 - expected).abs() <= 1.0, "{kind:?}: {n}");
    }
    let ids: HashSet<&str> = set.queries.iter().map(|q| q.record.id.as_str()).collect();
    assert_eq!(ids.len(), 2_000);
    // Shuffled: the kinds are not in blocks.
    let first_hundred: HashSet<QueryKind> = set.queries[..100].iter().map(|q| q.kind).collect();
    assert_eq!(first_hundred.len(), 4);
}

#[test]
fn truths_and_nearest_people_point_into_the_register() {
    let set = small();
    let register = by_id(&set);
    for query in &set.queries {
        match query.kind {
            QueryKind::SamePerson => {
                let Truth::Existing(id) = &query.truth else {
                    panic!("{query:?}")
                };
                assert!(register.contains_key(id.as_str()));
                assert_eq!(query.nearest.as_deref(), Some(id.as_str()));
            }
            QueryKind::Sibling | QueryKind::CoTwin => {
                assert_eq!(query.truth, Truth::New);
                assert!(register.contains_key(query.nearest.as_deref().unwrap()));
            }
            QueryKind::NewPerson => {
                assert_eq!(query.truth, Truth::New);
                assert_eq!(query.nearest, None);
            }
        }
    }
}

#[test]
fn siblings_and_co_twins_share_the_household_but_not_the_name() {
    let set = small();
    let register = by_id(&set);
    let clean = |q: &LabelledQuery, tags: &[&str]| !q.errors.iter().any(|e| tags.contains(e));
    let (mut siblings, mut twins) = (0, 0);
    for query in &set.queries {
        if !matches!(query.kind, QueryKind::Sibling | QueryKind::CoTwin) {
            continue;
        }
        let near = register[query.nearest.as_deref().unwrap()];
        let record = &query.record;
        if clean(
            query,
            &[
                "family_typo",
                "name_swap",
                "name_case",
                "surname_change",
                "family_missing",
            ],
        ) {
            assert_eq!(record.family_name, near.family_name, "{query:?}");
        }
        if clean(query, &["given_typo", "nickname", "name_swap", "name_case"]) {
            assert_ne!(record.given_name, near.given_name, "{query:?}");
        }
        if clean(
            query,
            &[
                "moved_house",
                "address_missing",
                "address_format",
                "address_partial",
            ],
        ) {
            assert_eq!(record.address, near.address, "{query:?}");
        }
        if clean(query, &["dob_missing", "dob_typo", "dob_day_month_swap"]) {
            let gap = (days(record.date_of_birth.as_deref().unwrap())
                - days(near.date_of_birth.as_deref().unwrap()))
            .abs();
            match query.kind {
                QueryKind::CoTwin => {
                    assert_eq!(gap, 0, "{query:?}");
                    twins += 1;
                }
                _ => {
                    assert!(gap >= MIN_SIBLING_GAP_DAYS, "{query:?}");
                    siblings += 1;
                }
            }
        }
    }
    assert!(siblings > 200 && twins > 70, "{siblings} {twins}");
}

#[test]
fn nhs_numbers_on_referrals_follow_the_share_and_belong_to_the_person() {
    let set = small();
    let register = by_id(&set);
    let register_numbers: HashSet<NhsNumber> = set
        .register
        .iter()
        .filter_map(|r| r.nhs_number.as_deref())
        .filter(|n| !PLACEHOLDER_NUMBERS.contains(n))
        .map(|n| NhsNumber::parse(n).unwrap())
        .collect();
    let mut carrying = 0;
    let (mut typos, mut typos_failing) = (0, 0);
    for query in &set.queries {
        let Some(raw) = &query.record.nhs_number else {
            assert!(!query.errors.contains(&"nhs_typo"));
            continue;
        };
        carrying += 1;
        if query.errors.contains(&"nhs_placeholder") {
            assert!(PLACEHOLDER_NUMBERS.contains(&raw.as_str()), "{query:?}");
            continue;
        }
        let parsed = NhsNumber::parse(raw);
        if query.errors.contains(&"nhs_typo") {
            typos += 1;
            if parsed.is_err() {
                typos_failing += 1;
            }
            continue;
        }
        let number = parsed.unwrap();
        assert!(number.is_test_range());
        match query.kind {
            QueryKind::SamePerson => {
                let Truth::Existing(id) = &query.truth else {
                    unreachable!()
                };
                if let Some(registered) = &register[id.as_str()].nhs_number {
                    assert_eq!(NhsNumber::parse(registered).unwrap(), number);
                }
            }
            _ => assert!(!register_numbers.contains(&number), "{query:?}"),
        }
    }
    let share = f64::from(carrying) / set.queries.len() as f64;
    assert!((0.45..0.55).contains(&share), "{share}");
    let typo_share = f64::from(typos) / f64::from(carrying);
    assert!((0.01..0.06).contains(&typo_share), "{typo_share}");
    assert!(typos_failing * 10 >= typos * 9, "{typos_failing}/{typos}");

    let none = generate(&config(11, 0.0));
    assert!(none.queries.iter().all(|q| q.record.nhs_number.is_none()));
}

#[test]
fn same_person_referrals_carry_the_named_errors() {
    let set = generate(&SyntheticConfig {
        seed: 21,
        households: 6_000,
        queries: 8_000,
        nhs_number_share: 0.5,
    });
    let register = by_id(&set);
    let same: Vec<&LabelledQuery> = set
        .queries
        .iter()
        .filter(|q| q.kind == QueryKind::SamePerson)
        .collect();
    let mut tags: HashMap<&str, usize> = HashMap::new();
    for query in &same {
        let substantive = query
            .errors
            .iter()
            .filter(|e| corrupt_tags().contains(e))
            .count();
        assert!(
            substantive <= SAME_PERSON_ERRORS.max_substantive,
            "{query:?}"
        );
        for e in &query.errors {
            *tags.entry(e).or_default() += 1;
        }
        let Truth::Existing(id) = &query.truth else {
            unreachable!()
        };
        let person = register[id.as_str()];
        let only = |tag: &str, group: &[&str]| {
            query.errors.contains(&tag)
                && !query.errors.iter().any(|e| *e != tag && group.contains(e))
        };
        let names = [
            "nickname",
            "given_typo",
            "name_swap",
            "name_case",
            "given_missing",
            "family_missing",
        ];
        if query.errors.contains(&"given_missing") {
            assert_eq!(query.record.given_name, None, "{query:?}");
        }
        if query.errors.contains(&"family_missing") {
            assert_eq!(query.record.family_name, None, "{query:?}");
        }
        let given = query.record.given_name.as_deref().unwrap_or_default();
        let registered_given = person.given_name.as_deref().unwrap();
        if only("nickname", &names) {
            assert!(nicknames_of(registered_given).contains(&given), "{query:?}");
        }
        if only("given_typo", &names) {
            assert!(
                one_edit(given, registered_given),
                "{given} {registered_given}"
            );
        }
        let family_changed = ["family_typo", "surname_change"];
        if only("name_swap", &names) && !query.errors.iter().any(|e| family_changed.contains(e)) {
            assert_eq!(Some(given), person.family_name.as_deref());
        }
        let dobs = ["dob_day_month_swap", "dob_typo", "dob_missing"];
        let registered_dob = person.date_of_birth.as_deref().unwrap();
        if only("dob_day_month_swap", &dobs) {
            let dob = query.record.date_of_birth.as_deref().unwrap();
            assert_eq!(&dob[..5], &registered_dob[..5]);
            assert_eq!(&dob[5..7], &registered_dob[8..10]);
            assert_eq!(&dob[8..10], &registered_dob[5..7]);
        }
        if only("dob_typo", &dobs) {
            let dob = query.record.date_of_birth.as_deref().unwrap();
            let differing = dob
                .bytes()
                .zip(registered_dob.bytes())
                .filter(|(a, b)| a != b)
                .count();
            assert_eq!(differing, 1, "{dob} {registered_dob}");
        }
        if query.errors.contains(&"dob_missing") {
            assert_eq!(query.record.date_of_birth, None);
        }
        if query.errors.contains(&"address_missing") {
            assert_eq!(query.record.address, None);
        } else if query.errors.contains(&"address_partial")
            && !query.errors.contains(&"address_format")
        {
            let address = query.record.address.as_deref().unwrap();
            let registered = person.address.as_deref().unwrap();
            let without_flat = address.split(", ").last().unwrap_or(address);
            let number_alone = without_flat.bytes().all(|b| b.is_ascii_digit());
            let number_dropped = !address.bytes().any(|b| b.is_ascii_digit());
            assert!(number_alone || number_dropped, "{address}");
            if number_alone && !query.errors.contains(&"moved_house") {
                assert!(registered.starts_with(address), "{address} {registered}");
            }
        }
        if query.errors.contains(&"postcode_missing") {
            assert_eq!(query.record.postcode, None);
        }
        if query.errors.contains(&"moved_house") && !query.errors.contains(&"postcode_missing") {
            let compact = |p: &str| p.replace(' ', "").to_uppercase();
            assert_ne!(
                compact(query.record.postcode.as_deref().unwrap()),
                compact(person.postcode.as_deref().unwrap())
            );
        }
        if query.errors.is_empty() {
            let mut expected = (*person).clone();
            expected.id = query.record.id.clone();
            expected.nhs_number = query.record.nhs_number.clone();
            expected.sex = query.record.sex.clone();
            assert_eq!(query.record, expected);
        }
    }
    // Every error occurs, at roughly its rate.
    let n = same.len() as f64;
    for tag in corrupt_tags() {
        let share = tags.get(tag).copied().unwrap_or(0) as f64 / n;
        assert!(share > 0.005, "{tag}: {share}");
    }
    let moved = tags["moved_house"] as f64 / n;
    assert!((0.08..0.14).contains(&moved), "{moved}");
    let clean = same.iter().filter(|q| q.errors.is_empty()).count() as f64 / n;
    assert!((0.1..0.5).contains(&clean), "{clean}");
}

fn corrupt_tags() -> [&'static str; 15] {
    [
        "nickname",
        "given_typo",
        "surname_change",
        "family_typo",
        "name_swap",
        "dob_missing",
        "dob_day_month_swap",
        "dob_typo",
        "moved_house",
        "address_missing",
        "postcode_missing",
        "postcode_typo",
        "given_missing",
        "family_missing",
        "address_partial",
    ]
}

/// One insertion, deletion, substitution or adjacent transposition apart (case-insensitive).
fn one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    if a == b {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (ra, rb) = (&a[prefix..], &b[prefix..]);
    ra.get(1..) == rb.get(1..)
        || ra.get(1..) == Some(rb)
        || Some(ra) == rb.get(1..)
        || (ra.len() >= 2
            && rb.len() >= 2
            && ra[0] == rb[1]
            && ra[1] == rb[0]
            && ra[2..] == rb[2..])
}

#[test]
fn typos_are_one_keystroke() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    for name in ["Elizabeth", "Ava", "O'Brien", "Smith-Jones", "Al"] {
        for _ in 0..200 {
            let typo = name_typo(&mut rng, name);
            assert!(one_edit(&typo, name), "{name} -> {typo}");
        }
    }
    let number = NhsNumber::from_stem([9, 9, 9, 1, 2, 3, 4, 5, 7]).unwrap();
    let mut failing = 0;
    for _ in 0..1_000 {
        let typo = nhs_typo(&mut rng, &number.as_digits());
        assert_ne!(typo, number.as_digits());
        assert!(typo.starts_with("999"));
        if NhsNumber::parse(&typo).is_err() {
            failing += 1;
        }
    }
    assert!(failing >= 950, "{failing}");
}

#[test]
fn an_empty_register_gives_only_new_people() {
    let set = generate(&SyntheticConfig {
        seed: 1,
        households: 0,
        queries: 50,
        nhs_number_share: 0.5,
    });
    assert!(set.register.is_empty());
    assert_eq!(set.queries.len(), 50);
    assert!(set
        .queries
        .iter()
        .all(|q| q.kind == QueryKind::NewPerson && q.truth == Truth::New));
}
