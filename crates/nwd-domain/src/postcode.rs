//! UK postcodes: validated shape, normalised spacing, and the outward code (district) used
//! for "areas covered" in the directory.
//!
//! Shape source: the UK postcode format (outward code `A9`, `A99`, `AA9`, `AA99`, `A9A`,
//! `AA9A`; inward code `9AA`), as published by Royal Mail / ONS. Real existence is not checked.

use serde::{Deserialize, Serialize};

/// A UK postcode in normalised form: upper case, one space before the inward code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "ME14 1XX"))]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

/// Why a string is not a UK postcode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a UK postcode: expected a format like ME14 1XX or CT1 2AB")]
pub struct PostcodeError;

impl Postcode {
    /// Parses a postcode in any case and spacing.
    pub fn parse(input: &str) -> Result<Self, PostcodeError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
            return Err(PostcodeError);
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        if !is_inward(inward) || !is_outward(outward) {
            return Err(PostcodeError);
        }
        Ok(Postcode(format!("{outward} {inward}")))
    }

    /// The whole postcode, e.g. `ME14 1XX`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The outward code (postcode district), e.g. `ME14`.
    pub fn district(&self) -> &str {
        self.0.split(' ').next().unwrap_or(&self.0)
    }

    /// The postcode area letters, e.g. `ME`.
    pub fn area(&self) -> &str {
        let district = self.district();
        let end = district
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(district.len());
        &district[..end]
    }
}

fn is_inward(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 3
        && b[0].is_ascii_digit()
        && b[1].is_ascii_alphabetic()
        && b[2].is_ascii_alphabetic()
}

fn is_outward(s: &str) -> bool {
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if !(1..=2).contains(&letters) {
        return false;
    }
    let rest = &b[letters..];
    match rest {
        [d] => d.is_ascii_digit(),
        [d, x] => d.is_ascii_digit() && (x.is_ascii_digit() || x.is_ascii_alphabetic()),
        _ => false,
    }
}

impl TryFrom<String> for Postcode {
    type Error = PostcodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Postcode::parse(&value)
    }
}

impl From<Postcode> for String {
    fn from(value: Postcode) -> Self {
        value.0
    }
}

impl std::fmt::Display for Postcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_outward_shape_and_normalises() {
        for (input, expected, district) in [
            ("me14 1xx", "ME14 1XX", "ME14"),
            ("CT1 2AB", "CT1 2AB", "CT1"),
            ("M1 1AE", "M1 1AE", "M1"),
            ("B33 8TH", "B33 8TH", "B33"),
            ("W1A 0AX", "W1A 0AX", "W1A"),
            ("EC1A1BB", "EC1A 1BB", "EC1A"),
        ] {
            let p = Postcode::parse(input).unwrap();
            assert_eq!(p.as_str(), expected);
            assert_eq!(p.district(), district);
        }
        assert_eq!(Postcode::parse("ME14 1XX").unwrap().area(), "ME");
    }

    #[test]
    fn rejects_malformed_postcodes() {
        for input in [
            "",
            "ME14",
            "1ME4 1XX",
            "ME14 XX1",
            "MEE14 1XX",
            "ME14 1XXX",
            "ME14-1XX",
            "ÄE1 1XX",
        ] {
            assert!(Postcode::parse(input).is_err(), "{input}");
        }
    }
}
