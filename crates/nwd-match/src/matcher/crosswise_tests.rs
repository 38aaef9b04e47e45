//! Session 16: names written the wrong way round at the same home. A family name that agrees
//! crosswise (one record's family name is the other's given name) is the household's family
//! name for every household rule, the no-date-of-birth rule included; brothers and sisters,
//! whose family name agrees straight, are not helped by it.

use super::tests::{candidate, filler, has_rule, record};
use crate::{Band, Matcher, Params, Record, Rule, Thresholds};

fn lucy() -> Record {
    Record {
        sex: Some("female".into()),
        ..record(
            "lucy",
            "Lucy",
            "Clarke",
            "2013-02-11",
            "1 Kriewaldt Circuit, Torquay",
            "TN23 1AB",
        )
    }
}

/// The starting parameters with the prior of a register of a million people (as in
/// `household_tests.rs`): 2,000 people with 0.002 matches per record.
fn matcher_with(people: &[Record]) -> Matcher {
    let params = Params {
        matches_per_record: 0.002,
        ..Params::default()
    };
    let mut matcher = Matcher::new(&params, Thresholds::default()).unwrap();
    matcher.insert_many(&filler(2000));
    for person in people {
        matcher.insert(person);
    }
    matcher
}

/// `Clarke, Bakowski` without a date of birth against `Lucy Clarke` at the same home: the names
/// were entered the wrong way round and the other one differs. As for `Lucy Bakowski`, only the
/// given name is left to tell a sister from the child: a person decides (never new).
#[test]
fn a_crosswise_family_name_without_a_date_of_birth_at_the_same_home_is_reviewed() {
    let matcher = matcher_with(&[lucy()]);
    for (given, family) in [("Clarke", "Bakowski"), ("Bakowski", "Clarke")] {
        // The second is the plain case (family name straight), for comparison.
        let query = Record {
            id: "q".into(),
            given_name: Some(given.into()),
            family_name: Some(family.into()),
            date_of_birth: None,
            ..lucy()
        };
        let outcome = matcher.match_record(&query);
        let lucy = candidate(&outcome, "lucy").unwrap();
        assert_eq!(lucy.band, Band::Review, "{given} {family}: {lucy:#?}");
        assert!(has_rule(lucy, Rule::SiblingOrSameChild), "{lucy:#?}");
        assert!(!has_rule(lucy, Rule::SiblingPenalty), "{lucy:#?}");
    }
}

/// A sister (same family name, another given name, born years apart) stays a new person, and so
/// does one whose names were entered the wrong way round: the crosswise family name helps only
/// where no date of birth tells them apart.
#[test]
fn a_sibling_born_years_apart_is_not_helped_by_a_crosswise_family_name() {
    let matcher = matcher_with(&[lucy()]);
    for (given, family) in [("Grace", "Clarke"), ("Clarke", "Grace")] {
        let sister = Record {
            id: "q".into(),
            given_name: Some(given.into()),
            family_name: Some(family.into()),
            date_of_birth: Some("2016-09-30".into()),
            ..lucy()
        };
        let outcome = matcher.match_record(&sister);
        assert_eq!(outcome.band, Band::New, "{given} {family}: {outcome:#?}");
        let lucy = candidate(&outcome, "lucy").unwrap();
        assert!(has_rule(lucy, Rule::SiblingPenalty), "{lucy:#?}");
        assert!(!has_rule(lucy, Rule::SiblingOrSameChild), "{lucy:#?}");
    }
}
