//! The matcher's rules end to end: a small synthetic register (deterministic filler people so the
//! prior and term frequencies are realistic) and queries that exercise one rule each.

use nwd_domain::nhs_number::NhsNumber;

use crate::{
    dedupe, estimate, Band, Candidate, EstimateOptions, MatchOutcome, Matcher, Params, Record,
    Rule, Thresholds,
};

const SYLLABLES: [&str; 23] = [
    "bar", "cor", "dun", "fel", "gar", "hol", "kin", "lom", "mar", "nor", "pel", "quin", "ros",
    "sal", "tor", "vin", "wel", "yar", "zen", "bro", "cla", "dre", "fro",
];
const GIVEN: [&str; 20] = [
    "amelia", "oliver", "isla", "george", "ava", "noah", "mia", "leo", "freya", "arthur", "grace",
    "oscar", "lily", "harry", "ella", "jack", "rosie", "theo", "evie", "finley",
];

pub(super) fn record(
    id: &str,
    given: &str,
    family: &str,
    dob: &str,
    address: &str,
    postcode: &str,
) -> Record {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Record {
        id: id.to_owned(),
        nhs_number: None,
        given_name: some(given),
        family_name: some(family),
        date_of_birth: some(dob),
        address: some(address),
        postcode: some(postcode),
        sex: None,
    }
}

/// `n` distinct, unrelated people.
pub(super) fn filler(n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| {
            let family = format!(
                "{}{}{}",
                SYLLABLES[i % 23],
                SYLLABLES[(i / 23) % 23],
                SYLLABLES[(i / 529) % 23]
            );
            let dob = format!(
                "{}-{:02}-{:02}",
                2000 + i % 25,
                1 + i % 12,
                1 + (i / 12) % 28
            );
            let address = format!("{} {} road {}", 1 + i % 97, SYLLABLES[(i / 7) % 23], family);
            let postcode = format!("ME{} {}AB", 1 + i % 20, i % 10);
            record(
                &format!("f{i}"),
                GIVEN[(i / 3) % 20],
                &family,
                &dob,
                &address,
                &postcode,
            )
        })
        .collect()
}

fn oliver() -> Record {
    Record {
        sex: Some("male".into()),
        ..record(
            "oliver",
            "Oliver",
            "Hartley",
            "2012-05-04",
            "12 Mill Lane, Ashford",
            "TN23 1AB",
        )
    }
}

fn matcher_with(people: &[Record]) -> Matcher {
    let mut matcher = Matcher::new(&Params::default(), Thresholds::default()).unwrap();
    matcher.insert_many(&filler(2000));
    for person in people {
        matcher.insert(person);
    }
    matcher
}

pub(super) fn candidate<'a>(outcome: &'a MatchOutcome, id: &str) -> Option<&'a Candidate> {
    outcome.candidates.iter().find(|c| c.id == id)
}

pub(super) fn has_rule(candidate: &Candidate, rule: Rule) -> bool {
    candidate.explanation.rules.iter().any(|r| r.rule == rule)
}

pub(super) fn valid_nhs(n: u32) -> String {
    (n..)
        .find_map(|k| {
            let digits: Vec<u8> = format!("999{k:06}").bytes().map(|b| b - b'0').collect();
            NhsNumber::from_stem(digits.try_into().ok()?)
        })
        .unwrap()
        .as_digits()
}

#[test]
fn the_same_child_with_typos_and_a_nickname_auto_links() {
    let matcher = matcher_with(&[oliver()]);
    let query = Record {
        given_name: Some("Olly".into()),
        family_name: Some("Hartly".into()),
        ..oliver()
    };
    let outcome = matcher.match_record(&query);
    assert_eq!(outcome.band, Band::Auto, "{outcome:#?}");
    assert_eq!(outcome.best.map(|b| b.id).as_deref(), Some("oliver"));
}

#[test]
fn a_twin_is_never_auto_linked() {
    let matcher = matcher_with(&[oliver()]);
    let twin = Record {
        given_name: Some("Harry".into()),
        ..oliver()
    };
    let outcome = matcher.match_record(&twin);
    assert_ne!(outcome.band, Band::Auto, "{outcome:#?}");
    let co_twin = candidate(&outcome, "oliver").unwrap();
    assert!(has_rule(co_twin, Rule::TwinCap), "{co_twin:#?}");
    // Without the cap the demographics would have auto-linked: the rule is what holds it.
    assert!(co_twin.match_probability >= 0.99, "{co_twin:#?}");
    assert_eq!(co_twin.band, Band::Review);
}

#[test]
fn a_sibling_is_penalised_and_registered_as_new() {
    let matcher = matcher_with(&[oliver()]);
    let sister = Record {
        given_name: Some("Sophie".into()),
        date_of_birth: Some("2015-01-20".into()),
        sex: Some("female".into()),
        ..oliver()
    };
    let outcome = matcher.match_record(&sister);
    assert_eq!(outcome.band, Band::New, "{outcome:#?}");
    let brother = candidate(&outcome, "oliver").unwrap();
    let penalty = brother
        .explanation
        .rules
        .iter()
        .find(|r| r.rule == Rule::SiblingPenalty)
        .unwrap();
    assert!(
        penalty.weight_adjustment <= -Thresholds::default().sibling_penalty_bits - 10.0,
        "household evidence discounted and penalty applied: {penalty:#?}"
    );
}

#[test]
fn term_frequency_makes_a_common_surname_count_for_less() {
    let mut people: Vec<Record> = (0..300)
        .map(|i| {
            record(
                &format!("smith{i}"),
                GIVEN[i % 20],
                "Smith",
                &format!("{}-01-{:02}", 2001 + i % 20, 1 + i % 28),
                "",
                "",
            )
        })
        .collect();
    people.push(record("z", "Mia", "Zebedee", "2010-02-02", "", ""));
    people.push(record("s", "Mia", "Smith", "2010-02-02", "", ""));
    let matcher = matcher_with(&people);
    let family_tf = |id: &str, family: &str| {
        let outcome = matcher.match_record(&record("q", "Mia", family, "2010-02-02", "", ""));
        let c = candidate(&outcome, id).unwrap().clone();
        let family = c
            .explanation
            .comparisons
            .iter()
            .find(|w| w.comparison == "family_name")
            .unwrap()
            .clone();
        (family.level, family.tf_adjustment, c.match_weight)
    };
    let (smith_level, smith_tf, smith_weight) = family_tf("s", "Smith");
    let (zebedee_level, zebedee_tf, zebedee_weight) = family_tf("z", "Zebedee");
    assert_eq!(
        (smith_level.as_str(), zebedee_level.as_str()),
        ("exact", "exact")
    );
    assert!(smith_tf < 0.0, "{smith_tf}");
    assert!(smith_tf < zebedee_tf, "{smith_tf} {zebedee_tf}");
    assert!(smith_weight < zebedee_weight);
}

#[test]
fn an_nhs_number_failing_its_check_digit_never_links() {
    let number = valid_nhs(100);
    let mut mistyped = number.clone().into_bytes();
    mistyped[9] = if mistyped[9] == b'9' {
        b'0'
    } else {
        mistyped[9] + 1
    };
    let mistyped = String::from_utf8(mistyped).unwrap();
    assert!(NhsNumber::parse(&mistyped).is_err());
    let registered = Record {
        nhs_number: Some(mistyped.clone()),
        ..oliver()
    };
    let matcher = matcher_with(&[registered]);

    // The same invalid number on somebody else: no link, flagged.
    let stranger = Record {
        nhs_number: Some(mistyped.clone()),
        ..record(
            "q",
            "Ava",
            "Brook",
            "2009-09-09",
            "3 Hill Road Dover",
            "CT16 1AA",
        )
    };
    let outcome = matcher.match_record(&stranger);
    assert_eq!(outcome.band, Band::New, "{outcome:#?}");
    assert!(outcome
        .rules
        .iter()
        .any(|r| r.rule == Rule::NhsNumberInvalidIgnored));

    // The right child with the invalid number: matched on demographics, number ignored.
    let outcome = matcher.match_record(&Record {
        nhs_number: Some(mistyped),
        ..oliver()
    });
    let best = outcome.best.unwrap();
    assert_eq!(best.id, "oliver");
    assert!(has_rule(&best, Rule::NhsNumberInvalidIgnored));
    let identifier = &best.explanation.comparisons[0];
    assert_eq!(
        (identifier.level.as_str(), identifier.weight),
        ("missing", 0.0)
    );
}

#[test]
fn nhs_number_rules() {
    let (n1, n2, n3) = (valid_nhs(200), valid_nhs(300), valid_nhs(400));
    let registered = Record {
        nhs_number: Some(n1.clone()),
        ..oliver()
    };
    let other = Record {
        id: "other".into(),
        nhs_number: Some(n2.clone()),
        ..record(
            "",
            "Ava",
            "Brook",
            "2009-09-09",
            "3 Hill Road Dover",
            "CT16 1AA",
        )
    };
    let matcher = matcher_with(&[registered, other.clone()]);

    // Equal valid number + same date of birth, everything else different: deterministic link.
    let outcome = matcher.match_record(&Record {
        nhs_number: Some(n1.clone()),
        ..record(
            "q",
            "Noah",
            "Quill",
            "2012-05-04",
            "9 Pier Street Deal",
            "CT14 6AA",
        )
    });
    assert_eq!(outcome.band, Band::Auto, "{outcome:#?}");
    let best = outcome.best.unwrap();
    assert_eq!(best.id, "oliver");
    assert!(has_rule(&best, Rule::NhsNumberDeterministicLink));

    // Equal number but neither date of birth nor family name agrees: not deterministic.
    let outcome = matcher.match_record(&Record {
        nhs_number: Some(n1),
        ..record(
            "q",
            "Noah",
            "Quill",
            "2001-11-30",
            "9 Pier Street Deal",
            "CT14 6AA",
        )
    });
    let c = candidate(&outcome, "oliver").unwrap();
    assert!(has_rule(c, Rule::NhsNumberUnconfirmed), "{c:#?}");
    assert!(!has_rule(c, Rule::NhsNumberDeterministicLink));

    // Both valid and different with identical demographics: review, never auto.
    let outcome = matcher.match_record(&Record {
        nhs_number: Some(n3.clone()),
        ..other.clone()
    });
    assert_eq!(outcome.band, Band::Review, "{outcome:#?}");
    assert!(has_rule(&outcome.candidates[0], Rule::NhsNumberConflict));

    // Different valid numbers, same names, everything else different: a new person.
    let outcome = matcher.match_record(&Record {
        nhs_number: Some(n3),
        date_of_birth: Some("2004-03-17".into()),
        address: Some("5 Castle Street Folkestone".into()),
        postcode: Some("CT20 2QQ".into()),
        ..other
    });
    assert_eq!(outcome.band, Band::New, "{outcome:#?}");
}

#[test]
fn explanation_weights_sum_to_the_total() {
    let matcher = matcher_with(&[oliver()]);
    for query in [
        oliver(),
        Record {
            given_name: Some("Harry".into()),
            ..oliver()
        },
        Record {
            given_name: Some("Sophie".into()),
            date_of_birth: Some("2015-01-20".into()),
            ..oliver()
        },
        filler(5).remove(3),
    ] {
        let outcome = matcher.match_record(&query);
        assert!(!outcome.candidates.is_empty());
        for c in &outcome.candidates {
            let e = &c.explanation;
            let sum = e.prior_weight
                + e.comparisons
                    .iter()
                    .map(|w| w.weight + w.tf_adjustment)
                    .sum::<f64>()
                + e.rules.iter().map(|r| r.weight_adjustment).sum::<f64>();
            assert!((sum - c.match_weight).abs() < 1e-9, "{c:#?}");
            assert!((e.match_weight - c.match_weight).abs() < 1e-12);
            assert_eq!(e.comparisons.len(), 7);
        }
    }
}

#[test]
fn insert_then_match_finds_the_person_without_scanning() {
    let mut matcher = Matcher::new(&Params::default(), Thresholds::default()).unwrap();
    matcher.insert_many(&filler(20_000));
    let before = matcher.match_record(&oliver());
    assert_eq!(before.band, Band::New);
    matcher.insert(&oliver());
    let outcome = matcher.match_record(&Record {
        family_name: Some("Hartlee".into()),
        ..oliver()
    });
    assert_eq!(outcome.best.map(|b| b.id).as_deref(), Some("oliver"));
    assert!(
        outcome.candidates_scored < 200,
        "scored {} of 20,001",
        outcome.candidates_scored
    );
}

#[test]
fn two_registered_people_reaching_auto_go_to_review() {
    let duplicate = Record {
        id: "oliver-again".into(),
        ..oliver()
    };
    let matcher = matcher_with(&[oliver(), duplicate]);
    let outcome = matcher.match_record(&oliver());
    assert_eq!(outcome.band, Band::Review, "{outcome:#?}");
    assert!(outcome.rules.iter().any(|r| r.rule == Rule::Ambiguous));
}

#[test]
fn the_matcher_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Matcher>();
}

#[test]
fn estimation_is_deterministic_and_dedupe_finds_duplicates() {
    let mut records = filler(3000);
    for i in (0..300).step_by(3) {
        let mut duplicate = records[i].clone();
        duplicate.id = format!("dup{i}");
        duplicate.given_name = duplicate.given_name.map(|g| format!("{g}e"));
        records.push(duplicate);
    }
    let options = EstimateOptions {
        random_pairs: 200_000,
        ..EstimateOptions::default()
    };
    let params = estimate(&records, &options).unwrap();
    assert_eq!(params, estimate(&records, &options).unwrap());
    assert!(Params::from_json(&params.to_json().unwrap()).is_ok());
    let result = dedupe(&records, &params, &Thresholds::default()).unwrap();
    let found = result
        .clusters
        .iter()
        .filter(|c| c.len() == 2 && records[c[1]].id == format!("dup{}", c[0]))
        .count();
    assert!(found >= 95, "{found} of 100 duplicates clustered");
    assert!(
        result.clusters.len() <= 102,
        "{} clusters",
        result.clusters.len()
    );
}
