//! Unit tests of the search terms: key folding, prefix bounds, references in any spelling, dates
//! of birth, telling one box's kinds apart, and errors naming their field.

use super::*;
use crate::codes::ReferralSource;

fn today() -> Date {
    Date::new(2026, 12, 4).unwrap()
}

#[test]
fn keys_fold_case_accents_and_punctuation() {
    for (name, key) in [
        ("Smith", "smith"),
        ("O'Brien-Smith", "obriensmith"),
        ("Zoë", "zoe"),
        ("  ÉLODIE ", "elodie"),
        ("Strauß", "strauss"),
        ("123", ""),
    ] {
        assert_eq!(name_key(name), key, "{name}");
    }
}

#[test]
fn prefixes_have_an_exclusive_upper_bound() {
    assert_eq!(
        NamePrefix::parse("Smi").unwrap().upper().as_deref(),
        Some("smj")
    );
    assert_eq!(
        NamePrefix::parse("saz").unwrap().upper().as_deref(),
        Some("sb")
    );
    assert_eq!(NamePrefix::parse("zz").unwrap().upper(), None);
    assert!(NamePrefix::parse("'-").is_err());
}

#[test]
fn references_in_any_spelling() {
    for text in [
        "NWD-1A2B-3C4D",
        "nwd1a2b3c4d",
        "1a2b-3c4d",
        " NWD 1A2B 3C4D ",
    ] {
        assert_eq!(
            ReferencePrefix::parse(text).unwrap().as_str(),
            "1a2b3c4d",
            "{text}"
        );
    }
    assert_eq!(
        ReferencePrefix::parse("1a2b3c4d").unwrap().shown(),
        "NWD-1A2B-3C4D"
    );
    assert!(ReferencePrefix::parse("NWD-1A2B").is_err());
    assert!(ReferencePrefix::parse("NWD-1A2B-3C4G").is_err());
}

#[test]
fn dates_of_birth_must_be_real_and_past() {
    let d = |y, m, day| Date::new(y, m, day).unwrap();
    assert_eq!(
        parse_date_of_birth("27/3/2012", today()),
        Ok(d(2012, 3, 27))
    );
    assert_eq!(
        parse_date_of_birth("2012-03-27", today()),
        Ok(d(2012, 3, 27))
    );
    assert_eq!(
        parse_date_of_birth("29.02.2012", today()),
        Ok(d(2012, 2, 29))
    );
    assert!(parse_date_of_birth("31/02/2012", today())
        .unwrap_err()
        .contains("not a real date"));
    assert!(parse_date_of_birth("1/1/2030", today())
        .unwrap_err()
        .contains("future"));
    assert!(parse_date_of_birth("yesterday", today()).is_err());
}

#[test]
fn one_box_tells_the_kinds_apart() {
    let terms = |text| SearchTerms::from_text("q", text, today());
    assert!(terms("999 000 0018").unwrap().nhs_number.is_some());
    assert!(terms("NWD-1A2B-3C4D").unwrap().reference.is_some());
    assert!(terms("1a2b-3c4d").unwrap().reference.is_some());
    assert!(terms("27/3/2012").unwrap().date_of_birth.is_some());
    assert_eq!(terms("Jo Smi").unwrap().any_name.len(), 2);
    assert!(terms("").unwrap().is_empty());
    let bad = terms("999 123 4560").unwrap_err();
    assert_eq!(bad.0[0].field, "q");
    assert!(bad.0[0].message.contains("check digit"));
    assert!(terms("31/02/2012").unwrap_err().0[0]
        .message
        .contains("not a real date"));
    assert!(terms("12345").is_err());
}

#[test]
fn separate_fields_are_named_in_errors() {
    let errors = SearchTerms::from_fields(
        &SearchFields {
            nhs_number: "999 123 4560",
            date_of_birth: "30/2/2010",
            family_name: "Smith",
            ..SearchFields::default()
        },
        today(),
    )
    .unwrap_err();
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["nhs_number", "date_of_birth"]);
}

#[test]
fn source_groups_hold_their_sources() {
    let b = SourceGroup::parse("b").unwrap();
    assert_eq!(
        b.sources(),
        [ReferralSource::SelfReferral, ReferralSource::ParentCarer]
    );
    assert!(SourceGroup::parse("Z").is_err());
    for (letter, _) in SourceGroup::ALL {
        assert!(!SourceGroup(*letter).sources().is_empty(), "{letter}");
    }
}
