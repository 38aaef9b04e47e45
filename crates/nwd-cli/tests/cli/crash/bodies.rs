//! The request bodies: synthetic self-referrals unique by index (invented family names, NHS
//! numbers from the 999 test range or none, real postcode formats), and the compact form a
//! stored value is compared in.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

/// A synthetic self-referral, unique by `index`: an invented family name, an NHS number from
/// the 999 test range (or none), a postcode in a real format.
pub(super) fn self_referral(index: usize, rng: &mut ChaCha8Rng) -> Value {
    const GIVEN: &[&str] = &[
        "Kai", "Amara", "Riley", "Zofia", "Idris", "Maisie", "Tomasz", "Priya", "Noor", "Callum",
    ];
    const REASONS: &[&str] = &[
        "anxiety",
        "depression",
        "self_harm",
        "eating_disorder",
        "relationship_difficulties",
        "ocd",
    ];
    let who = if rng.gen_bool(0.8) {
        "young_person"
    } else {
        "parent_carer"
    };
    let given = GIVEN[rng.gen_range(0..GIVEN.len())];
    let family = family_name(index);
    let date_of_birth = format!(
        "{}-{:02}-{:02}",
        rng.gen_range(2008..=2013),
        rng.gen_range(1..=12),
        rng.gen_range(1..=28)
    );
    let mut person = json!({
        "given_name": given,
        "family_name": family,
        "date_of_birth": date_of_birth,
        "postcode": format!("CT{} {}{}{}", rng.gen_range(1..=21), rng.gen_range(1..=9),
            char::from(b'A' + rng.gen_range(0..26)), char::from(b'B' + rng.gen_range(0..24))),
    });
    if let Some(nhs) = test_nhs_number(index).filter(|_| rng.gen_bool(0.7)) {
        person["nhs_number"] = json!(nhs);
    }
    let first = rng.gen_range(0..REASONS.len());
    let mut reasons = vec![REASONS[first]];
    if rng.gen_bool(0.4) {
        reasons.push(REASONS[(first + 1) % REASONS.len()]);
    }
    json!({
        "who": who,
        "person": person,
        "presenting_needs": format!("Crash-harness referral {index}: I have felt worried for {} weeks.", rng.gen_range(1..40)),
        "reasons": reasons,
        "contact": {"name": if who == "young_person" { given.to_string() } else { format!("Parent of {given}") },
                    "phone": format!("07700 900{:03}", rng.gen_range(0..1000))},
        "consent_to_share": if rng.gen_bool(0.5) { json!(["school"]) } else { json!([]) },
    })
}

/// `999` then six digits from `index`, then the modulus-11 check digit; `None` when the
/// digits have no valid check digit.
pub(super) fn test_nhs_number(index: usize) -> Option<String> {
    let digits: Vec<u32> = format!("999{:06}", index % 1_000_000)
        .chars()
        .map(|c| c.to_digit(10).unwrap())
        .collect();
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| d * (10 - i as u32))
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return None,
        c => c,
    };
    let text: String = digits
        .iter()
        .map(|d| char::from_digit(*d, 10).unwrap())
        .collect();
    Some(format!("{text}{check}"))
}

/// An invented family name unique to `index`: its digits in base 24 as syllables, most
/// significant first, so that names differ from their first letters (names sharing a long
/// prefix look alike to the person matcher).
pub(super) fn family_name(mut index: usize) -> String {
    const SYLLABLES: [&str; 24] = [
        "ka", "lo", "mir", "tse", "vu", "dra", "pel", "quo", "ris", "bon", "hak", "zel", "fo",
        "gru", "nim", "sar", "tov", "yel", "wen", "cas", "jup", "mor", "dil", "bex",
    ];
    let mut parts = Vec::new();
    for _ in 0..3 {
        parts.push(SYLLABLES[index % SYLLABLES.len()]);
        index /= SYLLABLES.len();
    }
    parts.reverse();
    let name = parts.concat();
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// A value's text without spaces, upper case (NHS numbers and postcodes are stored
/// formatted).
pub(super) fn compact(value: &Value) -> Option<String> {
    value.as_str().map(|s| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase()
    })
}
