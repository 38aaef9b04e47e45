//! The level of each comparison for a pair of records, one function per comparison. Each
//! returns [`MISSING`] when either side lacks the field, else the first level the pair
//! satisfies, from the strongest agreement to "different".

use crate::dob::Dob;
use crate::nickname;
use crate::normalise::{postcode_district, IdentifierKind, Sex, MAX_ADDRESS_TOKENS};
use crate::similarity::{jaro_winkler, within_one_edit};

use super::{address, dob, family, given, identifier, postcode, sex, PersonRef, MISSING};

/// NHS numbers failing their check digit, and placeholders, are never compared (missing). Two valid NHS numbers
/// are equal or different (the check digit rules out one-edit pairs); any other identifier is
/// compared as a string: exact, one edit, different.
pub(super) fn identifier_level(
    a: Option<(IdentifierKind, &str)>,
    b: Option<(IdentifierKind, &str)>,
) -> u8 {
    let (Some((kind_a, a)), Some((kind_b, b))) = (a, b) else {
        return MISSING;
    };
    let unusable = |kind| {
        matches!(
            kind,
            IdentifierKind::NhsInvalid | IdentifierKind::NhsPlaceholder
        )
    };
    if unusable(kind_a) || unusable(kind_b) {
        return MISSING;
    }
    if a == b {
        identifier::EXACT
    } else if !(kind_a == IdentifierKind::Nhs && kind_b == IdentifierKind::Nhs)
        && within_one_edit(a.as_bytes(), b.as_bytes())
    {
        identifier::ONE_EDIT
    } else {
        identifier::DIFFERENT
    }
}

pub(super) fn given_name_level(a: &PersonRef, b: &PersonRef) -> u8 {
    let (Some(given_a), Some(given_b)) = (a.given, b.given) else {
        return MISSING;
    };
    if given_a == given_b {
        return given::EXACT;
    }
    let similarity = jaro_winkler(given_a, given_b);
    if similarity < 0.92 {
        if let (Some(family_a), Some(family_b)) = (a.family, b.family) {
            if jaro_winkler(given_a, family_b) >= 0.92 && jaro_winkler(family_a, given_b) >= 0.92 {
                return given::SWAPPED;
            }
        }
    }
    if similarity >= 0.92 {
        given::JW_92
    } else if similarity >= 0.88 {
        given::JW_88
    } else if nickname::equivalent(given_a, given_b) {
        given::NICKNAME
    } else {
        given::DIFFERENT
    }
}

pub(super) fn family_name_level(a: Option<&str>, b: Option<&str>) -> u8 {
    let (Some(a), Some(b)) = (a, b) else {
        return MISSING;
    };
    if a == b {
        return family::EXACT;
    }
    let similarity = jaro_winkler(a, b);
    if similarity >= 0.92 {
        family::JW_92
    } else if similarity >= 0.88 {
        family::JW_88
    } else {
        family::DIFFERENT
    }
}

pub(crate) fn dob_level(a: Option<Dob>, b: Option<Dob>) -> u8 {
    let (Some(a), Some(b)) = (a, b) else {
        return MISSING;
    };
    if a == b {
        return dob::EXACT;
    }
    if within_one_edit(a.digits(), b.digits()) || a.day_month_swapped() == Some(b) {
        return dob::ONE_EDIT_OR_SWAP;
    }
    let same_year_month = a.digits().len() >= 6 && a.digits().get(..6) == b.digits().get(..6);
    let within_a_year = match (a.day_number(), b.day_number()) {
        (Some(x), Some(y)) => (x - y).abs() <= 365,
        _ => false,
    };
    if same_year_month || within_a_year {
        dob::CLOSE
    } else {
        dob::DIFFERENT
    }
}

/// The whole address is one comparison: a household shares every address field, so street,
/// town and number are not independent evidence. Exact (ignoring spaces), else by the Dice
/// overlap of tokens (a token also matches one within one edit of it, length ≥ 4, or two
/// adjacent tokens run together), where a conflicting house number caps the level at partial
/// (neighbours are not a household).
pub(super) fn address_level(a: &PersonRef, b: &PersonRef) -> u8 {
    let (Some(full_a), Some(full_b)) = (a.address, b.address) else {
        return MISSING;
    };
    if full_a == full_b || compact(full_a).eq(compact(full_b)) {
        return address::EXACT;
    }
    let (tokens_a, tokens_b) = (a.tokens.as_slice(), b.tokens.as_slice());
    let mut used_a = [false; MAX_ADDRESS_TOKENS];
    let mut used_b = [false; MAX_ADDRESS_TOKENS];
    for (i, token) in tokens_a.iter().enumerate() {
        if let Some(j) = (0..tokens_b.len()).find(|&j| !used_b[j] && tokens_b[j] == *token) {
            used_a[i] = true;
            used_b[j] = true;
        }
    }
    for (i, token) in tokens_a.iter().enumerate() {
        if used_a[i] || token.len() < 4 {
            continue;
        }
        if let Some(j) = (0..tokens_b.len()).find(|&j| {
            !used_b[j]
                && tokens_b[j].len() >= 4
                && within_one_edit(tokens_b[j].as_bytes(), token.as_bytes())
        }) {
            used_a[i] = true;
            used_b[j] = true;
        }
    }
    join_split_words(tokens_a, &mut used_a, tokens_b, &mut used_b);
    join_split_words(tokens_b, &mut used_b, tokens_a, &mut used_a);
    let matched = used_a.iter().chain(&used_b).filter(|&&u| u).count();
    let dice = matched as f64 / (tokens_a.len() + tokens_b.len()).max(1) as f64;
    let numbers_conflict = numbers_conflict(tokens_a, tokens_b);
    if dice >= 0.8 && !numbers_conflict {
        address::HIGH_OVERLAP
    } else if dice >= 0.5 || address_contained(a, b) {
        address::PARTIAL_OVERLAP
    } else {
        address::DIFFERENT
    }
}

/// One address is a part of the other that keeps its house or flat number: every token of the
/// shorter appears in the longer, and at least one of them has a digit (`126` against
/// `126 Ebden Street Wyee`, `12 Mill Lane` against `12 Mill Lane Ashford`). A form that has
/// room only for the first line, or a clerk who typed the number alone, still names the home
/// (issue 18); a town alone does not (no number).
pub(crate) fn address_contained(a: &PersonRef, b: &PersonRef) -> bool {
    let (tokens_a, tokens_b) = (a.tokens.as_slice(), b.tokens.as_slice());
    let (short, long) = if tokens_a.len() <= tokens_b.len() {
        (tokens_a, tokens_b)
    } else {
        (tokens_b, tokens_a)
    };
    !short.is_empty()
        && short.iter().any(|t| t.bytes().any(|c| c.is_ascii_digit()))
        && short.iter().all(|t| long.contains(t))
}

/// Matches a word split in two on one side (`narran y street` / `narrany street`,
/// `dallas place` / `dallasplace`): an unmatched token of five or more characters within one
/// edit of two adjacent unmatched tokens on the other side, run together.
fn join_split_words(
    whole: &[&str],
    used_whole: &mut [bool; MAX_ADDRESS_TOKENS],
    split: &[&str],
    used_split: &mut [bool; MAX_ADDRESS_TOKENS],
) {
    let mut joined = [0u8; 64];
    for (i, token) in whole.iter().enumerate() {
        if used_whole[i] || token.len() < 5 {
            continue;
        }
        for j in 0..split.len().saturating_sub(1) {
            let (left, right) = (split[j].as_bytes(), split[j + 1].as_bytes());
            let len = left.len() + right.len();
            if used_split[j] || used_split[j + 1] || len > joined.len() {
                continue;
            }
            joined[..left.len()].copy_from_slice(left);
            joined[left.len()..len].copy_from_slice(right);
            if within_one_edit(&joined[..len], token.as_bytes()) {
                used_whole[i] = true;
                used_split[j] = true;
                used_split[j + 1] = true;
                break;
            }
        }
    }
}

fn compact(s: &str) -> impl Iterator<Item = u8> + '_ {
    s.bytes().filter(|&c| c != b' ')
}

/// Both addresses carry house or flat numbers and they are not the same numbers.
fn numbers_conflict(a: &[&str], b: &[&str]) -> bool {
    let is_number = |t: &&&str| t.bytes().any(|c| c.is_ascii_digit());
    let numbers_a = a.iter().filter(is_number);
    let numbers_b = b.iter().filter(is_number);
    if numbers_a.clone().next().is_none() || numbers_b.clone().next().is_none() {
        return false;
    }
    numbers_a.clone().any(|n| !b.contains(n)) || numbers_b.clone().any(|n| !a.contains(n))
}

pub(super) fn postcode_level(a: Option<&str>, b: Option<&str>) -> u8 {
    let (Some(a), Some(b)) = (a, b) else {
        return MISSING;
    };
    if a == b {
        postcode::EXACT
    } else if postcode_district(a) == postcode_district(b)
        || within_one_edit(a.as_bytes(), b.as_bytes())
    {
        postcode::DISTRICT_OR_ONE_EDIT
    } else {
        postcode::DIFFERENT
    }
}

pub(super) fn sex_level(a: Option<Sex>, b: Option<Sex>) -> u8 {
    match (a, b) {
        (Some(a), Some(b)) if a == b => sex::AGREE,
        (Some(_), Some(_)) => sex::DISAGREE,
        _ => MISSING,
    }
}
