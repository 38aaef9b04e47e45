//! Session 16: the initials + house number blocking key. A referral whose given and family
//! names are both mistyped (another Soundex), with no date of birth, its street written another
//! way and a mistyped postcode shares no other key with the child's record; this one finds it.
//! A brother or sister at the same home was proposed before (the address keys) and is scored
//! as before.

use super::tests::{candidate, filler, has_rule, record};
use crate::{Band, Matcher, Params, Record, Rule, Thresholds};

fn dale() -> Record {
    record(
        "dale",
        "Dale",
        "Ottens",
        "2012-10-10",
        "44 Antigua Bellchambers Crescent, Wingham",
        "TN23 1AB",
    )
}

fn matcher_with(people: &[Record]) -> Matcher {
    let mut matcher = Matcher::new(&Params::default(), Thresholds::default()).unwrap();
    matcher.insert_many(&filler(2000));
    for person in people {
        matcher.insert(person);
    }
    matcher
}

#[test]
fn a_pair_with_every_other_key_mistyped_is_proposed_at_its_door() {
    let matcher = matcher_with(&[dale()]);
    let mistyped = record(
        "q",
        "Dale",
        "Otetns",
        "",
        "44 Bellchambe rs Crescent Antiga Winghem",
        "TN23 1AD",
    );
    let outcome = matcher.match_record(&mistyped);
    let dale = candidate(&outcome, "dale").unwrap_or_else(|| panic!("not proposed: {outcome:#?}"));
    assert_ne!(dale.band, Band::New, "{dale:#?}");
    assert_eq!(outcome.best.as_ref().map(|b| b.id.as_str()), Some("dale"));
}

#[test]
fn a_sibling_at_the_same_door_is_scored_as_before() {
    let matcher = matcher_with(&[dale()]);
    let sister = Record {
        id: "q".into(),
        given_name: Some("Daisy".into()),
        date_of_birth: Some("2016-04-21".into()),
        ..dale()
    };
    let outcome = matcher.match_record(&sister);
    assert_eq!(outcome.band, Band::New, "{outcome:#?}");
    let dale = candidate(&outcome, "dale").unwrap();
    assert!(has_rule(dale, Rule::SiblingPenalty), "{dale:#?}");
}
