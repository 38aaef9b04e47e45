//! Turns a [`Record`]'s raw strings into comparable values, once per record: lower-case ASCII
//! (basic diacritic folding), punctuation and spacing removed, addresses tokenised with common
//! abbreviations expanded, postcodes compacted, dates of birth parsed tolerantly ([`Dob`]) and the
//! identifier classified (a valid NHS number, a ten-digit number failing its check digit — kept
//! only to be flagged — or another identifier). Normalisation never rejects a record: what cannot
//! be read becomes missing, and missing values carry no weight.

use nwd_domain::nhs_number::NhsNumber;

use crate::comparison::{PersonRef, Tokens};
use crate::dob::Dob;
use crate::record::Record;

/// At most this many address tokens take part in comparisons (more are dropped from the end).
pub(crate) const MAX_ADDRESS_TOKENS: usize = 12;

/// What kind of identifier a record carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdentifierKind {
    /// Ten digits with a correct modulus-11 check digit.
    Nhs,
    /// Ten digits failing the check digit: flagged, never used to link, never compared.
    NhsInvalid,
    /// Ten copies of one digit (`0000000000`, `1111111111`, … `9999999999`): every one passes
    /// modulus 11 (the weighted sum is 54·d, so the check digit comes out as d), but they are
    /// what forms and systems put in a mandatory field when the number is unknown. Nobody's:
    /// flagged, never used to link, never compared, never indexed (issue 18).
    NhsPlaceholder,
    /// Anything else (e.g. a local or test-set identifier): compared as a plain string.
    Other,
}

/// A classified identifier; `value` is digits for NHS numbers, upper-case alphanumerics otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identifier {
    pub kind: IdentifierKind,
    pub value: String,
}

/// Stated sex, when it says male or female; anything else is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sex {
    Male,
    Female,
}

/// A record's normalised values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Normalised {
    pub identifier: Option<Identifier>,
    pub given: Option<String>,
    pub family: Option<String>,
    pub dob: Option<Dob>,
    pub address: Option<String>,
    pub address_tokens: Vec<String>,
    pub postcode: Option<String>,
    pub sex: Option<Sex>,
}

impl Normalised {
    pub fn from_record(record: &Record) -> Self {
        let address_tokens = record
            .address
            .as_deref()
            .map(address_tokens)
            .unwrap_or_default();
        Normalised {
            identifier: record.nhs_number.as_deref().and_then(identifier),
            given: record.given_name.as_deref().and_then(name),
            family: record.family_name.as_deref().and_then(name),
            dob: record.date_of_birth.as_deref().and_then(Dob::parse),
            address: (!address_tokens.is_empty()).then(|| address_tokens.join(" ")),
            address_tokens,
            postcode: record.postcode.as_deref().and_then(postcode),
            sex: record.sex.as_deref().and_then(sex),
        }
    }

    /// Borrows the values for comparison.
    pub fn view(&self) -> PersonRef<'_> {
        PersonRef {
            identifier: self.identifier.as_ref().map(|i| (i.kind, i.value.as_str())),
            given: self.given.as_deref(),
            family: self.family.as_deref(),
            dob: self.dob,
            address: self.address.as_deref(),
            tokens: Tokens::new(self.address_tokens.iter().map(String::as_str)),
            postcode: self.postcode.as_deref(),
            sex: self.sex,
        }
    }
}

/// Classifies an identifier: ten digits (spaces and hyphens allowed) are an NHS number, valid or
/// not by its check digit; anything else is kept as upper-case alphanumerics.
pub(crate) fn identifier(raw: &str) -> Option<Identifier> {
    let compact: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.is_empty() {
        return None;
    }
    let looks_like_nhs = compact.len() == 10
        && compact.bytes().all(|b| b.is_ascii_digit())
        && raw
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
    if !looks_like_nhs {
        return Some(Identifier {
            kind: IdentifierKind::Other,
            value: compact,
        });
    }
    let placeholder = compact.bytes().all(|b| b == compact.as_bytes()[0]);
    let kind = match NhsNumber::parse(raw) {
        Ok(_) if placeholder => IdentifierKind::NhsPlaceholder,
        Ok(_) => IdentifierKind::Nhs,
        Err(_) => IdentifierKind::NhsInvalid,
    };
    Some(Identifier {
        kind,
        value: compact,
    })
}

/// A name as one run of lower-case ASCII letters: `O'Brien-Smith` → `obriensmith`, `Zoë` → `zoe`.
/// Reads at most [`MAX_NAME_INPUT_CHARS`] characters and keeps at most
/// [`crate::similarity::MAX_COMPARED_BYTES`]: a name's cost is bounded whatever arrives.
pub(crate) fn name(raw: &str) -> Option<String> {
    let bounded: String = raw.chars().take(MAX_NAME_INPUT_CHARS).collect();
    let mut out = String::with_capacity(bounded.len());
    fold_into(&bounded, &mut out, |c| c.is_ascii_alphabetic(), false);
    out.truncate(crate::similarity::MAX_COMPARED_BYTES);
    (!out.is_empty()).then_some(out)
}

/// Most characters of a raw name the matcher reads (names are at most 35, `nwd_domain`).
pub(crate) const MAX_NAME_INPUT_CHARS: usize = 128;

/// Most characters of a raw address the matcher reads (addresses are at most 200).
pub(crate) const MAX_ADDRESS_INPUT_CHARS: usize = 512;

/// Address tokens: lower-case ASCII words and numbers, punctuation as separators, common
/// abbreviations expanded so `12 High St.` and `12 high street` agree.
pub(crate) fn address_tokens(raw: &str) -> Vec<String> {
    let raw: String = raw.chars().take(MAX_ADDRESS_INPUT_CHARS).collect();
    let mut folded = String::with_capacity(raw.len());
    fold_into(&raw, &mut folded, |c| c.is_ascii_alphanumeric(), true);
    folded
        .split_whitespace()
        .take(MAX_ADDRESS_TOKENS)
        .map(|token| expand_abbreviation(token).unwrap_or(token).to_owned())
        .collect()
}

/// A postcode in upper case without spaces: `ct1 2ab` → `CT12AB`.
pub(crate) fn postcode(raw: &str) -> Option<String> {
    let out: String = raw
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (!out.is_empty()).then_some(out)
}

/// The postcode district: a UK outward code (all but the last three characters of a compact
/// postcode with letters, e.g. `CT1` of `CT12AB`); for other postcodes (all digits, e.g.
/// Australian), all but the last digit.
pub(crate) fn postcode_district(compact: &str) -> &str {
    let has_letter = compact.bytes().any(|b| b.is_ascii_alphabetic());
    let len = compact.len();
    if has_letter && (5..=7).contains(&len) {
        &compact[..len - 3]
    } else if len >= 2 {
        &compact[..len - 1]
    } else {
        compact
    }
}

fn sex(raw: &str) -> Option<Sex> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "m" | "male" | "1" | "boy" | "man" => Some(Sex::Male),
        "f" | "female" | "2" | "girl" | "woman" => Some(Sex::Female),
        _ => None,
    }
}

/// Lower-cases and folds `raw` into `out`, keeping characters `keep` accepts; when
/// `separate` is set, every other character becomes one space (collapsed), else it is dropped.
fn fold_into(raw: &str, out: &mut String, keep: impl Fn(char) -> bool, separate: bool) {
    let push = |c: char, out: &mut String| {
        if keep(c) {
            out.push(c);
        } else if separate && !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
        }
    };
    for ch in raw.chars().flat_map(char::to_lowercase) {
        match fold_char(ch) {
            Some(replacement) => replacement.chars().for_each(|c| push(c, out)),
            None => push(ch, out),
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
}

/// Basic Latin folding of lower-case letters with diacritics and ligatures.
fn fold_char(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' | 'ț' => "t",
        'þ' => "th",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        // Apostrophes and hyphens inside words join them ("o'brien", "smith-jones" in names).
        '\'' | '’' | '‘' | '`' => "",
        _ => return None,
    })
}

fn expand_abbreviation(token: &str) -> Option<&'static str> {
    Some(match token {
        "st" | "str" => "street",
        "rd" => "road",
        "ave" | "av" => "avenue",
        "ln" => "lane",
        "cl" => "close",
        "cres" | "cresc" => "crescent",
        "dr" => "drive",
        "ct" => "court",
        "pl" => "place",
        "sq" => "square",
        "gdns" => "gardens",
        "gr" | "gro" => "grove",
        "hwy" => "highway",
        "pde" => "parade",
        "cct" => "circuit",
        "tce" | "terr" => "terrace",
        "mt" => "mount",
        "nth" => "north",
        "sth" => "south",
        "apt" | "apartment" => "flat",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fold_case_punctuation_and_diacritics() {
        let check = |raw: &str, expected: Option<&str>| assert_eq!(name(raw).as_deref(), expected);
        check("  O'Brien-Smith ", Some("obriensmith"));
        check("ZOË", Some("zoe"));
        check("Jean Luc", Some("jeanluc"));
        check("Ægir Þór", Some("aegirthor"));
        check("  ", None);
        check("123", None);
    }

    #[test]
    fn addresses_tokenise_and_expand() {
        assert_eq!(
            address_tokens("12, High St.  Canterbury"),
            vec!["12", "high", "street", "canterbury"]
        );
        assert_eq!(
            address_tokens("Flat 3/4 Mill-Lane"),
            vec!["flat", "3", "4", "mill", "lane"]
        );
        assert!(address_tokens(" ,, ").is_empty());
    }

    #[test]
    fn postcodes_compact_and_districts() {
        assert_eq!(postcode(" ct1 2ab ").as_deref(), Some("CT12AB"));
        assert_eq!(postcode_district("CT12AB"), "CT1");
        assert_eq!(postcode_district("ME157XY"), "ME15");
        assert_eq!(postcode_district("4011"), "401");
    }

    #[test]
    fn identifiers_are_classified() {
        let kind = |raw: &str| identifier(raw).map(|i| i.kind);
        assert_eq!(kind("999 000 0018"), Some(IdentifierKind::Nhs));
        assert_eq!(kind("999-000-0019"), Some(IdentifierKind::NhsInvalid));
        assert_eq!(kind("6988048"), Some(IdentifierKind::Other));
        assert_eq!(kind("AB12345"), Some(IdentifierKind::Other));
        assert_eq!(kind(" - "), None);
        assert_eq!(
            identifier("999 000 0018").map(|i| i.value).as_deref(),
            Some("9990000018")
        );
    }
}
