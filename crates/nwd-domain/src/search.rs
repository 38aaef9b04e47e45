//! Finding a referral: the terms staff search by — a referral's reference, the young person's
//! name (family and/or given, case-insensitive, by prefix), NHS number and date of birth — and
//! the source-of-referral groups a list can be filtered by. Every term is checked once here,
//! with a message naming the field; the store only runs what these types allow.
//!
//! Names are compared by their **search key**: lower-case ASCII letters only, common accents
//! folded (`Zoë` → `zoe`) and everything else removed (`O'Brien-Smith` → `obriensmith`), so
//! that the same key is computed when a person is stored and when someone searches. A prefix
//! of a key is matched as a range (`key >= "smi" AND key < "smj"`, [`NamePrefix::upper`]),
//! which a plain index answers on both databases in any collation (keys hold `a`–`z` only).

use jiff::civil::Date;

use crate::{NhsNumber, ValidationErrors};

mod keys;
mod source_group;

pub use keys::{name_key, parse_date_of_birth, NamePrefix, ReferencePrefix};
pub use source_group::SourceGroup;

/// What to search for. Every term given must match; an empty set of terms matches every
/// referral (the list's other filters then decide).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchTerms {
    /// The referral's reference.
    pub reference: Option<ReferencePrefix>,
    /// The young person's NHS number.
    pub nhs_number: Option<NhsNumber>,
    /// Prefix of the family name.
    pub family: Option<NamePrefix>,
    /// Prefix of the given name.
    pub given: Option<NamePrefix>,
    /// Words each of which starts the family or the given name (the one search box).
    pub any_name: Vec<NamePrefix>,
    /// The young person's date of birth.
    pub date_of_birth: Option<Date>,
}

/// The separate fields of the search form (each may be empty).
#[derive(Debug, Clone, Default)]
pub struct SearchFields<'a> {
    /// Reference.
    pub reference: &'a str,
    /// NHS number.
    pub nhs_number: &'a str,
    /// Family name.
    pub family_name: &'a str,
    /// Given name.
    pub given_name: &'a str,
    /// Date of birth.
    pub date_of_birth: &'a str,
}

impl SearchTerms {
    /// Terms from separate fields; each invalid field gets its own message under its name.
    pub fn from_fields(
        fields: &SearchFields<'_>,
        today: Date,
    ) -> Result<SearchTerms, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let given = |text: &str| !text.trim().is_empty();
        let terms = SearchTerms {
            reference: given(fields.reference)
                .then(|| errors.check("reference", ReferencePrefix::parse(fields.reference)))
                .flatten(),
            nhs_number: given(fields.nhs_number)
                .then(|| errors.check("nhs_number", NhsNumber::parse(fields.nhs_number)))
                .flatten(),
            family: given(fields.family_name)
                .then(|| errors.check("family_name", NamePrefix::parse(fields.family_name)))
                .flatten(),
            given: given(fields.given_name)
                .then(|| errors.check("given_name", NamePrefix::parse(fields.given_name)))
                .flatten(),
            any_name: Vec::new(),
            date_of_birth: given(fields.date_of_birth)
                .then(|| {
                    errors.check(
                        "date_of_birth",
                        parse_date_of_birth(fields.date_of_birth, today),
                    )
                })
                .flatten(),
        };
        if errors.is_empty() {
            Ok(terms)
        } else {
            Err(errors)
        }
    }

    /// Terms from one search box (`field` names it in a message): a reference, an NHS number
    /// (ten digits, spaces allowed), a date of birth, or a name — one or more words, each the
    /// start of the given or the family name.
    pub fn from_text(
        field: &str,
        text: &str,
        today: Date,
    ) -> Result<SearchTerms, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let text = text.trim();
        let mut terms = SearchTerms::default();
        if text.is_empty() {
            return Ok(terms);
        }
        let compact: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let lower = compact.to_ascii_lowercase();
        if compact.chars().all(|c| c.is_ascii_digit()) && !text.contains(['/', '.']) {
            if compact.len() == 10 {
                terms.nhs_number = errors.check(field, NhsNumber::parse(text));
            } else {
                errors.add(
                    field,
                    format!(
                        "an NHS number has 10 digits (this has {}); or enter a reference like NWD-1A2B-3C4D, a date of birth like 27/3/2012, or a name",
                        compact.len()
                    ),
                );
            }
        } else if lower.starts_with("nwd") {
            terms.reference = errors.check(field, ReferencePrefix::parse(text));
        } else if text.chars().any(|c| c.is_ascii_digit()) {
            if text.contains(['/', '.']) || text.split('-').count() == 3 {
                terms.date_of_birth = errors.check(field, parse_date_of_birth(text, today));
            } else {
                terms.reference = errors.check(field, ReferencePrefix::parse(text));
            }
        } else {
            for word in text.split([' ', ',']).filter(|w| !w.is_empty()) {
                if let Some(prefix) = errors.check(field, NamePrefix::parse(word)) {
                    terms.any_name.push(prefix);
                }
            }
            if terms.any_name.is_empty() && errors.is_empty() {
                errors.add(field, "enter at least one letter of the name");
            }
        }
        if errors.is_empty() {
            Ok(terms)
        } else {
            Err(errors)
        }
    }

    /// No term given.
    pub fn is_empty(&self) -> bool {
        self.reference.is_none()
            && self.nhs_number.is_none()
            && self.family.is_none()
            && self.given.is_none()
            && self.any_name.is_empty()
            && self.date_of_birth.is_none()
    }

    /// True when a term concerns the person (everything but the reference).
    pub fn names_a_person(&self) -> bool {
        self.nhs_number.is_some()
            || self.family.is_some()
            || self.given.is_some()
            || !self.any_name.is_empty()
            || self.date_of_birth.is_some()
    }

    /// The kinds of term used, for an audit entry (never the terms themselves: they are
    /// identifiable, see LOGGING.md): e.g. `reference,name`.
    pub fn kinds(&self) -> String {
        let mut kinds = Vec::new();
        if self.reference.is_some() {
            kinds.push("reference");
        }
        if self.nhs_number.is_some() {
            kinds.push("nhs_number");
        }
        if self.family.is_some() || self.given.is_some() || !self.any_name.is_empty() {
            kinds.push("name");
        }
        if self.date_of_birth.is_some() {
            kinds.push("date_of_birth");
        }
        kinds.join(",")
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test: a failure stops it with its message"
)]
mod tests;
