//! Filling a matcher from many records at once (issue 18's faster `match-file`): the same
//! index and the same estimates as one record at a time, or as estimating from the records.

use super::tests::filler;
use crate::{Matcher, Params, Thresholds};

#[test]
fn estimating_from_the_matcher_equals_estimating_from_the_records() {
    let people = filler(3000);
    let mut matcher = Matcher::new(&Params::default(), Thresholds::default()).unwrap();
    matcher.insert_many(&people);
    let options = crate::EstimateOptions {
        random_pairs: 20_000,
        ..crate::EstimateOptions::default()
    };
    let from_matcher = matcher.estimate(&options).unwrap();
    assert_eq!(from_matcher, crate::estimate(&people, &options).unwrap());
    assert_ne!(from_matcher, Params::default());
    matcher.set_params(&from_matcher).unwrap();
}

#[test]
fn inserting_many_equals_inserting_one_by_one() {
    let people = filler(40_000);
    let mut many = Matcher::new(&Params::default(), Thresholds::default()).unwrap();
    many.insert_many(&people);
    let mut one_by_one = Matcher::new(&Params::default(), Thresholds::default()).unwrap();
    for person in &people {
        one_by_one.insert(person);
    }
    assert_eq!(many.len(), one_by_one.len());
    let options = crate::EstimateOptions {
        random_pairs: 20_000,
        ..crate::EstimateOptions::default()
    };
    assert_eq!(
        many.estimate(&options).unwrap(),
        one_by_one.estimate(&options).unwrap()
    );
    let query = &people[31_234];
    assert_eq!(many.match_record(query), one_by_one.match_record(query));
}
