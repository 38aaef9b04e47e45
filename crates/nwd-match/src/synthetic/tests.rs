#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap, HashSet};

use nwd_domain::nhs_number::NhsNumber;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::corrupt::{name_typo, nhs_typo};
use super::*;

fn config(seed: u64, share: f64) -> SyntheticConfig {
    SyntheticConfig {
        seed,
        households: 3_000,
        queries: 2_000,
        nhs_number_share: share,
    }
}

fn small() -> SyntheticSet {
    generate(&config(11, 0.5))
}

fn by_id(set: &SyntheticSet) -> HashMap<&str, &Record> {
    set.register.iter().map(|r| (r.id.as_str(), r)).collect()
}

fn days(dob: &str) -> i64 {
    let parts: Vec<&str> = dob.split('-').collect();
    days_from_civil(
        parts[0].parse().unwrap(),
        parts[1].parse().unwrap(),
        parts[2].parse().unwrap(),
    )
}

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
    let mut with = 0;
    for record in &set.register {
        if let Some(raw) = &record.nhs_number {
            with += 1;
            let number = NhsNumber::parse(raw).unwrap();
            assert!(number.is_test_range(), "{raw}");
            assert!(seen.insert(number), "duplicate {raw}");
        }
    }
    let share = with as f64 / set.register.len() as f64;
    assert!((REGISTER_NHS_SHARE - 0.03..REGISTER_NHS_SHARE + 0.03).contains(&share));
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
        if clean(query, &["family_typo", "name_swap", "name_case"]) {
            assert_eq!(record.family_name, near.family_name, "{query:?}");
        }
        if clean(query, &["given_typo", "nickname", "name_swap", "name_case"]) {
            assert_ne!(record.given_name, near.given_name, "{query:?}");
        }
        if clean(query, &["moved_house", "address_missing", "address_format"]) {
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
        let names = ["nickname", "given_typo", "name_swap", "name_case"];
        let given = query.record.given_name.as_deref().unwrap();
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

fn corrupt_tags() -> [&'static str; 12] {
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

fn labelled(
    id: &str,
    kind: QueryKind,
    truth: Option<&str>,
    nearest: Option<&str>,
) -> LabelledQuery {
    LabelledQuery {
        record: Record {
            id: id.to_owned(),
            ..Record::default()
        },
        truth: truth.map_or(Truth::New, |t| Truth::Existing(t.to_owned())),
        kind,
        errors: if id == "q2" {
            vec!["moved_house"]
        } else {
            vec![]
        },
        nearest: nearest.map(str::to_owned),
    }
}

#[test]
fn evaluation_counts_the_issue_figures() {
    use Predicted::{Auto, New, Review};
    use QueryKind::{CoTwin, NewPerson, SamePerson, Sibling};
    let a = |s: &str| Auto(s.to_owned());
    let r = |s: &str| Review(s.to_owned());
    let cases = [
        (labelled("q1", SamePerson, Some("R1"), Some("R1")), a("R1")), // correct auto
        (labelled("q2", SamePerson, Some("R2"), Some("R2")), r("R2")), // correct review
        (labelled("q3", SamePerson, Some("R3"), Some("R3")), a("R9")), // wrong auto
        (labelled("q4", SamePerson, Some("R4"), Some("R4")), New),     // missed
        (labelled("q5", SamePerson, Some("R5"), Some("R5")), a("R5")), // correct auto
        (labelled("q6", Sibling, None, Some("R6")), a("R6")),          // false auto to sibling
        (labelled("q7", Sibling, None, Some("R7")), r("R7")),
        (labelled("q8", CoTwin, None, Some("R8")), r("R8")),
        (labelled("q9", CoTwin, None, Some("R9")), New),
        (labelled("q10", CoTwin, None, Some("R1")), r("R1")),
        (labelled("q11", NewPerson, None, None), New),
        (labelled("q12", NewPerson, None, None), a("R3")), // false auto
        (labelled("q13", NewPerson, None, None), New),
        (labelled("q14", NewPerson, None, None), r("R2")),
    ];
    let set = SyntheticSet {
        register: Vec::new(),
        queries: cases.iter().map(|(q, _)| q.clone()).collect(),
    };
    let predictions: Vec<Predicted> = cases.iter().map(|(_, p)| p.clone()).collect();
    let report = evaluate(&set, &predictions);

    assert_eq!(report.counts, [5, 2, 3, 4]);
    assert_eq!(report.auto_precision, Ratio { hits: 2, total: 5 });
    assert_eq!(report.auto_recall, Ratio { hits: 2, total: 5 });
    assert_eq!(report.auto_review_recall, Ratio { hits: 3, total: 5 });
    assert_eq!(report.false_auto_new, Ratio { hits: 1, total: 4 });
    assert_eq!(report.false_auto_sibling, Ratio { hits: 1, total: 2 });
    assert_eq!(report.false_auto_co_twin, Ratio { hits: 0, total: 3 });
    assert_eq!(report.co_twin_review, Ratio { hits: 2, total: 3 });
    assert_eq!(report.same_person_wrong_auto, 1);
    assert!((report.auto_precision.value() - 0.4).abs() < 1e-12);

    let false_autos: Vec<(&str, bool)> = report
        .false_autos
        .iter()
        .map(|f| (f.query_id.as_str(), f.to_nearest))
        .collect();
    assert_eq!(false_autos, [("q3", false), ("q6", true), ("q12", false)]);

    let row = |tag: &str| report.by_error.iter().find(|r| r.error == tag).unwrap();
    let moved = row("moved_house");
    assert_eq!((moved.queries, moved.review_correct), (1, 1));
    let none = row("(no errors)");
    assert_eq!(
        (
            none.queries,
            none.auto_correct,
            none.wrong_person,
            none.missed
        ),
        (4, 2, 1, 1)
    );
    assert_eq!(row("(no nhs number)").queries, 5);

    let twin_rows: Vec<(&str, usize, usize)> = report
        .false_auto_by_error
        .iter()
        .filter(|r| r.kind == CoTwin)
        .map(|r| (r.error, r.queries, r.auto))
        .collect();
    assert_eq!(twin_rows, [("(no errors)", 3, 0)]);
    let new_rows: Vec<(&str, usize, usize)> = report
        .false_auto_by_error
        .iter()
        .filter(|r| r.kind == NewPerson)
        .map(|r| (r.error, r.queries, r.auto))
        .collect();
    assert_eq!(new_rows, [("(no errors)", 4, 1)]);

    let text = report.to_string();
    assert!(
        text.contains("auto-link precision        0.4000 (2/5)"),
        "{text}"
    );
    assert!(
        text.contains("co-twins in review         0.6667 (2/3)"),
        "{text}"
    );
}

#[test]
fn empty_ratios_fail_every_target() {
    let ratio = Ratio::default();
    assert!(ratio.value().is_nan());
    // Neither `>= target` nor `<= target` holds for NaN.
    assert!(ratio.value().partial_cmp(&0.99).is_none());
    assert_eq!(ratio.to_string(), "n/a (0/0)");
}
