//! The Fellegi–Sunter comparisons: for a pair of records, one level per comparison (a comparison
//! vector, "gamma"). Level 0 always means "missing on either side" and carries weight 0; the
//! other levels run from the strongest agreement to "different", and the first level a pair
//! satisfies is its level. The labels here are the names stored in [`crate::Params`] and shown in
//! explanations, so changing one is a model change.

use crate::dob::Dob;
use crate::nickname;
use crate::normalise::{postcode_district, IdentifierKind, Sex, MAX_ADDRESS_TOKENS};
use crate::similarity::{jaro_winkler, within_one_edit};

/// Number of comparisons in the model.
pub(crate) const N_COMPARISONS: usize = 7;
/// Most levels any comparison has, counting the missing level 0.
pub(crate) const MAX_LEVELS: usize = 7;
/// Level 0 of every comparison: a value is missing on one side; weight 0.
pub(crate) const MISSING: u8 = 0;

pub(crate) const IDENTIFIER: usize = 0;
pub(crate) const GIVEN: usize = 1;
pub(crate) const FAMILY: usize = 2;
pub(crate) const DOB: usize = 3;
pub(crate) const ADDRESS: usize = 4;
pub(crate) const POSTCODE: usize = 5;
pub(crate) const SEX: usize = 6;

/// Levels of the identifier comparison.
pub(crate) mod identifier {
    pub const EXACT: u8 = 1;
    pub const ONE_EDIT: u8 = 2;
    pub const DIFFERENT: u8 = 3;
}
/// Levels of the given-name comparison.
pub(crate) mod given {
    pub const EXACT: u8 = 1;
    pub const SWAPPED: u8 = 2;
    pub const JW_92: u8 = 3;
    pub const JW_88: u8 = 4;
    pub const NICKNAME: u8 = 5;
    pub const DIFFERENT: u8 = 6;
}
/// Levels of the family-name comparison.
pub(crate) mod family {
    pub const EXACT: u8 = 1;
    pub const JW_92: u8 = 2;
    pub const JW_88: u8 = 3;
    pub const DIFFERENT: u8 = 4;
}
/// Levels of the date-of-birth comparison.
pub(crate) mod dob {
    pub const EXACT: u8 = 1;
    pub const ONE_EDIT_OR_SWAP: u8 = 2;
    pub const CLOSE: u8 = 3;
    pub const DIFFERENT: u8 = 4;
}
/// Levels of the composite address comparison.
pub(crate) mod address {
    pub const EXACT: u8 = 1;
    pub const HIGH_OVERLAP: u8 = 2;
    pub const PARTIAL_OVERLAP: u8 = 3;
    pub const DIFFERENT: u8 = 4;
}
/// Levels of the postcode comparison.
pub(crate) mod postcode {
    pub const EXACT: u8 = 1;
    pub const DISTRICT_OR_ONE_EDIT: u8 = 2;
    pub const DIFFERENT: u8 = 3;
}
/// Levels of the sex comparison.
pub(crate) mod sex {
    pub const AGREE: u8 = 1;
    pub const DISAGREE: u8 = 2;
}

/// A comparison's name and the labels of its levels 1.. (level 0, missing, is implicit).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ComparisonSpec {
    pub name: &'static str,
    pub levels: &'static [&'static str],
}

/// The model: comparison order is the gamma index order above.
pub(crate) const MODEL: [ComparisonSpec; N_COMPARISONS] = [
    ComparisonSpec {
        name: "identifier",
        levels: &["exact", "one edit", "different"],
    },
    ComparisonSpec {
        name: "given_name",
        levels: &[
            "exact",
            "swapped with family name",
            "jaro-winkler >= 0.92",
            "jaro-winkler >= 0.88",
            "nickname",
            "different",
        ],
    },
    ComparisonSpec {
        name: "family_name",
        levels: &[
            "exact",
            "jaro-winkler >= 0.92",
            "jaro-winkler >= 0.88",
            "different",
        ],
    },
    ComparisonSpec {
        name: "date_of_birth",
        levels: &[
            "exact",
            "one edit or day/month swap",
            "within a year or same year-month",
            "different",
        ],
    },
    ComparisonSpec {
        name: "address",
        levels: &[
            "exact",
            "high token overlap",
            "partial token overlap",
            "different",
        ],
    },
    ComparisonSpec {
        name: "postcode",
        levels: &["exact", "same district or one edit", "different"],
    },
    ComparisonSpec {
        name: "sex",
        levels: &["agree", "disagree"],
    },
];

/// Label of a level (0 is "missing").
pub(crate) fn level_label(comparison: usize, level: u8) -> &'static str {
    if level == MISSING {
        return "missing";
    }
    MODEL[comparison]
        .levels
        .get(usize::from(level) - 1)
        .copied()
        .unwrap_or("unknown")
}

/// A comparison vector: one level per comparison.
pub(crate) type Gamma = [u8; N_COMPARISONS];

/// Address tokens of one record, borrowed, without allocating.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tokens<'a> {
    items: [&'a str; MAX_ADDRESS_TOKENS],
    len: usize,
}

impl<'a> Tokens<'a> {
    pub fn new(source: impl IntoIterator<Item = &'a str>) -> Self {
        let mut tokens = Tokens {
            items: [""; MAX_ADDRESS_TOKENS],
            len: 0,
        };
        for token in source.into_iter().take(MAX_ADDRESS_TOKENS) {
            tokens.items[tokens.len] = token;
            tokens.len += 1;
        }
        tokens
    }

    pub fn as_slice(&self) -> &[&'a str] {
        &self.items[..self.len]
    }
}

/// One record's normalised values, borrowed from a query or from the register.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PersonRef<'a> {
    pub identifier: Option<(IdentifierKind, &'a str)>,
    pub given: Option<&'a str>,
    pub family: Option<&'a str>,
    pub dob: Option<Dob>,
    pub address: Option<&'a str>,
    pub tokens: Tokens<'a>,
    pub postcode: Option<&'a str>,
    pub sex: Option<Sex>,
}

/// Compares two records, comparison by comparison.
pub(crate) fn compare(a: &PersonRef, b: &PersonRef) -> Gamma {
    let given_level = given_name_level(a, b);
    let family_level = if given_level == given::SWAPPED {
        // The swap level already counts both names' crosswise agreement once.
        MISSING
    } else {
        family_name_level(a.family, b.family)
    };
    let mut gamma = [MISSING; N_COMPARISONS];
    gamma[IDENTIFIER] = identifier_level(a.identifier, b.identifier);
    gamma[GIVEN] = given_level;
    gamma[FAMILY] = family_level;
    gamma[DOB] = dob_level(a.dob, b.dob);
    gamma[ADDRESS] = address_level(a, b);
    gamma[POSTCODE] = postcode_level(a.postcode, b.postcode);
    gamma[SEX] = sex_level(a.sex, b.sex);
    gamma
}

/// NHS numbers failing their check digit are never compared (missing). Two valid NHS numbers
/// are equal or different (the check digit rules out one-edit pairs); any other identifier is
/// compared as a string: exact, one edit, different.
fn identifier_level(a: Option<(IdentifierKind, &str)>, b: Option<(IdentifierKind, &str)>) -> u8 {
    let (Some((kind_a, a)), Some((kind_b, b))) = (a, b) else {
        return MISSING;
    };
    if kind_a == IdentifierKind::NhsInvalid || kind_b == IdentifierKind::NhsInvalid {
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

fn given_name_level(a: &PersonRef, b: &PersonRef) -> u8 {
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

fn family_name_level(a: Option<&str>, b: Option<&str>) -> u8 {
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
fn address_level(a: &PersonRef, b: &PersonRef) -> u8 {
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
    } else if dice >= 0.5 {
        address::PARTIAL_OVERLAP
    } else {
        address::DIFFERENT
    }
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

fn postcode_level(a: Option<&str>, b: Option<&str>) -> u8 {
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

fn sex_level(a: Option<Sex>, b: Option<Sex>) -> u8 {
    match (a, b) {
        (Some(a), Some(b)) if a == b => sex::AGREE,
        (Some(_), Some(_)) => sex::DISAGREE,
        _ => MISSING,
    }
}

#[cfg(test)]
mod tests {
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
}
