//! The Fellegi–Sunter comparisons: for a pair of records, one level per comparison (a comparison
//! vector, "gamma"). Level 0 always means "missing on either side" and carries weight 0; the
//! other levels run from the strongest agreement to "different", and the first level a pair
//! satisfies is its level. The labels here are the names stored in [`crate::Params`] and shown in
//! explanations, so changing one is a model change.

use crate::dob::Dob;
use crate::normalise::{IdentifierKind, Sex, MAX_ADDRESS_TOKENS};

mod levels;

pub(crate) use levels::{address_contained, dob_level};
use levels::{
    address_level, family_name_level, given_name_level, identifier_level, postcode_level, sex_level,
};

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

#[cfg(test)]
mod tests;
