//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz) and for the corpus regression
//! test (`tests/domain/fuzz_corpus.rs`), which feeds every committed corpus file through the same
//! functions on stable Rust. Each function takes arbitrary bytes, must never panic, and
//! asserts the parser's invariants. Not part of the supported API.

use crate::codes::{EthnicCategory, GenderIdentity, Priority, ReasonCode, ReferralSource, Sex};
use crate::need::NeedGroup;
use crate::{NhsNumber, Postcode};

/// NHS numbers, postcodes, coded values and dates read from untrusted text.
///
/// Invariants: a parsed NHS number re-parses from both its printed forms to itself and is
/// ten digits; a parsed postcode is normalised (parsing it again gives the same), upper-case
/// ASCII with one space, and its district and area are prefixes of it; a coded value
/// round-trips through its API name; a parsed date prints as a date that parses back to it.
pub fn domain_values(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(number) = NhsNumber::parse(&text) {
        let digits = number.as_digits();
        assert_eq!(digits.len(), 10);
        assert!(digits.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(NhsNumber::parse(&digits).ok(), Some(number));
        assert_eq!(NhsNumber::parse(&number.formatted()).ok(), Some(number));
    }
    if let Ok(postcode) = Postcode::parse(&text) {
        let shown = postcode.as_str();
        assert!(shown.is_ascii() && shown == shown.to_ascii_uppercase());
        assert_eq!(shown.matches(' ').count(), 1);
        assert_eq!(Postcode::parse(shown).ok().as_ref(), Some(&postcode));
        assert!(shown.starts_with(postcode.district()));
        assert!(postcode.district().starts_with(postcode.area()));
        assert!(!postcode.area().is_empty());
    }
    macro_rules! round_trip {
        ($($ty:ty),+) => {$(
            if let Ok(value) = <$ty>::parse(&text) {
                assert_eq!(<$ty>::parse(value.as_str()).ok(), Some(value));
            }
        )+};
    }
    round_trip!(
        ReferralSource,
        Priority,
        ReasonCode,
        Sex,
        GenderIdentity,
        EthnicCategory
    );
    if let Ok(group) = NeedGroup::parse(&text) {
        assert_eq!(NeedGroup::parse(group.as_str()).ok(), Some(group));
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        assert_eq!(
            date.to_string().parse::<jiff::civil::Date>().ok(),
            Some(date)
        );
        let on = jiff::civil::date(2026, 4, 1);
        let age = crate::person::age_in_years(date, on);
        if date <= on {
            assert!(age >= 0, "age {age} for {date} on {on}");
        }
    }
}
