//! Unit tests of the comparisons: level labels, date swaps and one-edit typos, name levels, and the
//! composite address comparison.

use super::*;
use crate::normalise::Normalised;
use crate::record::Record;

fn person(given: &str, family: &str, dob: &str, address: &str, postcode: &str) -> Normalised {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Normalised::from_record(&Record {
        id: String::new(),
        given_name: some(given),
        family_name: some(family),
        date_of_birth: some(dob),
        address: some(address),
        postcode: some(postcode),
        ..Record::default()
    })
}

fn gamma(a: &Normalised, b: &Normalised) -> Gamma {
    compare(&a.view(), &b.view())
}

#[test]
fn every_comparison_has_labels_for_its_levels() {
    assert_eq!(level_label(GIVEN, given::NICKNAME), "nickname");
    assert_eq!(level_label(DOB, MISSING), "missing");
    assert!(MODEL.iter().all(|c| c.levels.len() < MAX_LEVELS));
}

#[test]
fn day_month_swap_and_one_edit_are_detected() {
    let level = |a: &str, b: &str| dob_level(Dob::parse(a), Dob::parse(b));
    assert_eq!(level("2010-03-07", "2010-07-03"), dob::ONE_EDIT_OR_SWAP);
    assert_eq!(level("2010-03-07", "2010-03-08"), dob::ONE_EDIT_OR_SWAP);
    assert_eq!(level("2010-03-07", "2010-03-70"), dob::ONE_EDIT_OR_SWAP);
    assert_eq!(level("2010-03-07", "2010-03-07"), dob::EXACT);
    assert_eq!(level("2010-03-07", "2010-03-21"), dob::CLOSE);
    assert_eq!(level("2010-03-07", "2010-12-25"), dob::CLOSE);
    assert_eq!(level("2010-03-07", "2013-11-28"), dob::DIFFERENT);
    assert_eq!(level("2010-03-07", ""), MISSING);
}

#[test]
fn names_levels_including_nickname_and_swap() {
    let base = person("elizabeth", "smith", "", "", "");
    let level = |other: &Normalised| gamma(&base, other);
    assert_eq!(
        level(&person("liz", "smith", "", "", ""))[GIVEN],
        given::NICKNAME
    );
    assert_eq!(
        level(&person("elizabth", "smith", "", "", ""))[GIVEN],
        given::JW_92
    );
    assert_eq!(
        level(&person("mary", "smith", "", "", ""))[GIVEN],
        given::DIFFERENT
    );
    let swapped = level(&person("smith", "elizabeth", "", "", ""));
    assert_eq!(swapped[GIVEN], given::SWAPPED);
    assert_eq!(swapped[FAMILY], MISSING);
    assert_eq!(level(&person("", "smith", "", "", ""))[GIVEN], MISSING);
    assert_eq!(
        level(&person("", "smyth", "", "", ""))[FAMILY],
        family::JW_88
    );
}

#[test]
fn address_is_one_composite_comparison() {
    let home = person("", "", "", "12 High Street Canterbury", "CT1 2AB");
    let level = |address: &str| gamma(&home, &person("", "", "", address, ""))[ADDRESS];
    assert_eq!(level("12 high st, canterbury"), address::EXACT);
    assert_eq!(level("12 highstreet canterbury"), address::EXACT);
    assert_eq!(level("12 high steet canterbury"), address::HIGH_OVERLAP);
    assert_eq!(level("14 high street canterbury"), address::PARTIAL_OVERLAP);
    assert_eq!(level("12 high street cant erbury"), address::EXACT);
    assert_eq!(level("12 high street cant erbry"), address::HIGH_OVERLAP);
    assert_eq!(level("12 highstreet canterbry"), address::HIGH_OVERLAP);
    assert_eq!(level("3 mill lane dover"), address::DIFFERENT);
    let postcode = |code: &str| gamma(&home, &person("", "", "", "", code))[POSTCODE];
    assert_eq!(postcode("ct12ab"), postcode::EXACT);
    assert_eq!(postcode("CT1 9ZZ"), postcode::DISTRICT_OR_ONE_EDIT);
    assert_eq!(postcode("ME15 7XY"), postcode::DIFFERENT);
}
