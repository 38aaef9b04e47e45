//! The referral bodies: a synthetic population with a realistic spread of names, dates of
//! birth and postcodes, drawn deterministically from the referral number, so that the person
//! matcher's blocking keys hold as few candidates as in a real register. NHS numbers come only
//! from the 999 test range.

use nwd_domain::NhsNumber;
use serde_json::{json, Value};

use super::NHS_STEMS;

// A synthetic population with a realistic spread of names, dates of birth and postcodes, so
// that the person matcher's blocking keys hold as few candidates as in a real register (a
// handful of names and postcodes would make every intake score thousands of candidates).
const GIVEN: &[&str] = &[
    "Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Arlo", "Freya", "Theo", "Ivy",
    "Finley", "Zara", "Kai", "Maya", "Reuben", "Grace", "Oscar", "Lily", "Jacob", "Ella", "Harry",
    "Sophia", "George", "Poppy", "Alfie", "Evie", "Jack", "Rosie", "Charlie", "Daisy", "Ethan",
    "Phoebe", "Mason", "Ruby", "Logan", "Willow", "Isaac", "Esme", "Tommy",
];
const FAMILY_START: &[&str] = &[
    "Ash", "Black", "Brook", "Clay", "Cole", "Dun", "Fair", "Fern", "Gold", "Green", "Hart", "Hay",
    "Holt", "Kings", "Lang", "Marsh", "Mill", "Moor", "North", "Oak", "Pen", "Red", "Rose", "Shaw",
    "Stan", "Stone", "Thorn", "West", "White", "Wood",
];
const FAMILY_END: &[&str] = &[
    "ford", "ley", "ton", "wood", "field", "well", "by", "ham", "more", "worth", "combe", "dale",
    "hurst", "stead", "bridge", "brook", "cott", "den", "gate", "wick",
];
const DISTRICTS: &[&str] = &[
    "ME1", "ME4", "ME5", "ME7", "ME8", "ME10", "ME14", "ME15", "ME16", "CT1", "CT2", "CT5", "CT9",
    "CT10", "CT11", "CT16", "CT19", "CT20", "TN9", "TN10", "TN23", "TN24", "TN25", "DA1", "DA2",
    "DA3", "DA11", "DA12", "BR8",
];
const UNIT_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
const REASONS: &[&str] = &["anxiety", "depression", "self_harm", "eating_disorder"];

/// A well-mixed number from `n` and a salt (SplitMix64), so that fields vary independently.
fn mix(n: u64, salt: u64) -> u64 {
    let mut z = n
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(salt.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Entry `mix(n, salt) mod len` of `list`.
fn pick<T: Copy + Default>(list: &[T], n: u64, salt: u64) -> T {
    usize::try_from(mix(n, salt) % list.len().max(1) as u64)
        .ok()
        .and_then(|i| list.get(i))
        .copied()
        .unwrap_or_default()
}

/// The `n`-th synthetic referral: a distinct young person (NHS number from stem `999nnnnnn`
/// for three in four, where that stem has a valid check digit; none otherwise), from a
/// school or a GP.
pub(super) fn referral_body(n: u64) -> Value {
    let nhs_number = (n % 4 != 3)
        .then(|| nhs_number(n))
        .flatten()
        .map(|number| number.as_digits());
    let born = jiff::civil::date(2003, 1, 1)
        .checked_add(jiff::Span::new().days(i64::try_from(mix(n, 1) % 8000).unwrap_or(0)))
        .unwrap_or(jiff::civil::date(2010, 1, 1));
    let family = format!("{}{}", pick(FAMILY_START, n, 2), pick(FAMILY_END, n, 3));
    let postcode = format!(
        "{} {}{}{}",
        pick(DISTRICTS, n, 4),
        mix(n, 5) % 9 + 1,
        char::from(pick(UNIT_LETTERS, n, 6)),
        char::from(pick(UNIT_LETTERS, n, 7)),
    );
    let (source, referrer) = match n % 3 {
        0 => (
            "gp",
            json!({"name": "Dr G. Practitioner", "role": "GP", "organisation": "Synthetic Surgery"}),
        ),
        _ => (
            "school",
            json!({"name": "R. Teacher", "role": "Designated safeguarding lead", "organisation": "Synthetic Academy"}),
        ),
    };
    json!({
        "person": {
            "nhs_number": nhs_number,
            "given_name": pick(GIVEN, n, 8),
            "family_name": family,
            "date_of_birth": born.to_string(),
            "sex": pick(&["female", "male"], n, 9),
            "ethnic_category": "not_stated",
            "postcode": postcode,
            "school": "Synthetic Academy",
        },
        "source": source,
        "priority": match n % 10 {
            0 => "urgent",
            _ => "routine",
        },
        "reasons": [pick(REASONS, n, 10)],
        "presenting_needs": "Low mood and worry for several weeks (synthetic benchmark referral).",
        "referrer": referrer,
        "consent_to_share": ["GP"],
    })
}

/// The NHS number with stem `999` followed by `n` in six digits, if its check digit exists.
fn nhs_number(n: u64) -> Option<NhsNumber> {
    let mut stem = [9u8, 9, 9, 0, 0, 0, 0, 0, 0];
    let mut rest = n % NHS_STEMS;
    for digit in stem[3..].iter_mut().rev() {
        *digit = u8::try_from(rest % 10).ok()?;
        rest /= 10;
    }
    NhsNumber::from_stem(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_people_are_spread_and_valid() {
        let bodies: Vec<Value> = (0..2000).map(referral_body).collect();
        let postcodes: std::collections::HashSet<&str> = bodies
            .iter()
            .filter_map(|b| b["person"]["postcode"].as_str())
            .collect();
        assert!(postcodes.len() > 1900, "{}", postcodes.len());
        assert!(postcodes
            .iter()
            .all(|p| nwd_domain::Postcode::parse(p).is_ok()));
        let families: std::collections::HashSet<&str> = bodies
            .iter()
            .filter_map(|b| b["person"]["family_name"].as_str())
            .collect();
        assert!(families.len() > 400, "{}", families.len());
    }

    #[test]
    fn nhs_numbers_are_distinct_and_in_the_test_range() {
        let numbers: std::collections::HashSet<String> = (0..2000)
            .filter_map(nhs_number)
            .map(|n| n.as_digits())
            .collect();
        assert!(numbers.len() > 1700, "{}", numbers.len());
        assert!(numbers.iter().all(|n| n.starts_with("999")));
        assert!(numbers
            .iter()
            .all(|n| NhsNumber::parse(n).is_ok_and(|p| p.as_digits() == *n)));
    }
}
