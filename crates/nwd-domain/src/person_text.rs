//! The text a person's record and a referral hold: how long each field may be and which
//! characters it may contain. One rule for every door (the API, the public journeys, the
//! staff forms, the command line), applied by [`crate::person::PersonDetails::validate`] and
//! [`crate::referral::NewReferral::validate`], which the store runs on every intake.
//!
//! Why: an unbounded name made one anonymous request cost the matcher minutes (issue 15,
//! High 2), and names made of invisible or direction-reversing characters display as
//! something other than what was stored. Limits are the NHS's own where it has one:
//!
//! - **Names**: NHS Data Dictionary, *PERSON GIVEN NAME* and *PERSON FAMILY NAME*, format
//!   "max an35"; the Personal Demographics Service (PDS FHIR API, `Patient.name.given` and
//!   `Patient.name.family`) holds the same 35 characters. A preferred name is a given name.
//! - **Address**: NHS Data Dictionary *ADDRESS LINE*, "max an35", up to five lines
//!   (the PDS address likewise): 5 × 35 characters plus the separators, 200.
//! - **Email**: 254 characters, the longest address SMTP carries (RFC 5321 §4.5.3.1 path
//!   limit, RFC 3696 erratum 1690); **telephone**: 35 (NHS Data Dictionary *TELEPHONE
//!   NUMBER*, "max an35").
//! - Other short fields (school, GP practice, a referrer's role or organisation, a carer's
//!   relationship, an agency named for consent): 100 characters, a local default (no national
//!   standard; the longest school and practice names in GIAS and ODS are well under it).
//!
//! Characters: no control characters (NUL among them: PostgreSQL refuses it in text) except
//! line breaks and tabs in free text; no bidirectional embedding, override or isolate controls
//! (U+202A–U+202E, U+2066–U+2069: they make text display reversed, "Trojan Source",
//! CVE-2021-42574); no zero-width spaces, word joiners or byte-order marks; in names at most
//! [`MAX_COMBINING_RUN`] combining marks in a row, and at least one letter. The zero-width
//! joiner and non-joiner stay allowed: Persian, Arabic and Indic names need them.

use crate::error::ValidationErrors;

/// Longest given, family or preferred name, in characters (NHS Data Dictionary: max an35).
pub const MAX_NAME_CHARS: usize = 35;
/// Longest address, in characters (five ADDRESS LINEs of 35, with separators).
pub const MAX_ADDRESS_CHARS: usize = 200;
/// Longest email address, in characters (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest telephone number, in characters (NHS Data Dictionary TELEPHONE NUMBER: max an35).
pub const MAX_PHONE_CHARS: usize = 35;
/// Longest short free-text field (school, practice, role, organisation), in characters.
/// Local default: no national standard.
pub const MAX_SHORT_TEXT_CHARS: usize = 100;
/// Most combining marks allowed in a row in a name. Vietnamese stacks two on one letter and
/// some Indic scripts three; more is "Zalgo" text that spills over the lines around it.
pub const MAX_COMBINING_RUN: usize = 3;

/// A person's given, family or preferred name: trimmed, 1 to [`MAX_NAME_CHARS`] characters,
/// at least one letter, no control, bidirectional-override or zero-width-space characters and
/// no long runs of combining marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    /// Checks `raw` (trimmed) and says what is allowed when it is not.
    pub fn parse(raw: &str) -> Result<PersonName, String> {
        let name = raw.trim();
        if name.is_empty() {
            return Err("enter the name".to_owned());
        }
        let count = name.chars().count();
        if count > MAX_NAME_CHARS {
            return Err(format!(
                "a name can be at most {MAX_NAME_CHARS} characters (the NHS's limit); this one has {count}"
            ));
        }
        if let Some(problem) = forbidden(name, false) {
            return Err(format!("a name cannot contain {problem}"));
        }
        let mut run = 0;
        for c in name.chars() {
            if is_combining_mark(c) {
                run += 1;
                if run > MAX_COMBINING_RUN {
                    return Err(format!(
                        "a name cannot have more than {MAX_COMBINING_RUN} accents or marks on one letter"
                    ));
                }
            } else {
                run = 0;
            }
        }
        if !name.chars().any(char::is_alphabetic) {
            return Err("a name must contain at least one letter".to_owned());
        }
        Ok(PersonName(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Checks a name field of a record, recording a message under `field` when it breaks the
/// rule of [`PersonName::parse`].
pub fn check_name(errors: &mut ValidationErrors, field: &str, value: &str) {
    if let Err(message) = PersonName::parse(value) {
        errors.add(field, message);
    }
}

/// Checks a free-text field: at most `max` characters and no forbidden characters (line breaks
/// and tabs allowed when `multi_line`).
pub fn check_text(
    errors: &mut ValidationErrors,
    field: &str,
    value: &str,
    max: usize,
    multi_line: bool,
) {
    let count = value.chars().count();
    if count > max {
        errors.add(
            field,
            format!("keep this to {max} characters or fewer; it has {count}"),
        );
    } else if let Some(problem) = forbidden(value, multi_line) {
        errors.add(field, format!("this cannot contain {problem}"));
    }
}

/// The first kind of forbidden character in `text`, described for a person.
fn forbidden(text: &str, multi_line: bool) -> Option<&'static str> {
    for c in text.chars() {
        if c == '\0' {
            return Some("a NUL character");
        }
        if c.is_control() && !(multi_line && matches!(c, '\n' | '\r' | '\t')) {
            return Some("control characters");
        }
        if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            return Some("characters that reverse the direction of text");
        }
        if matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}') {
            return Some("invisible (zero-width) characters");
        }
    }
    None
}

/// Combining diacritical marks (the blocks that stack on a base letter).
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, ok: bool) {
        assert_eq!(PersonName::parse(raw).is_ok(), ok, "{raw:?}");
    }

    #[test]
    fn names_people_have_pass_and_tricks_do_not() {
        check("Zoë", true);
        check("O'Brien-Smith", true);
        check("Nguyễn", true);
        check("Mary Ann", true);
        check("Siobhán", true);
        check("محمد", true);
        // Persian: a zero-width non-joiner inside a name.
        check("\u{0645}\u{200C}\u{0647}", true);
        check(&"a".repeat(35), true);
        check(&"a".repeat(36), false);
        check(&"a".repeat(150_000), false);
        check("", false);
        check("   ", false);
        check("\u{200B}\u{200B}", false);
        check("\u{200D}\u{200C}", false);
        check("Ann\u{202E}ecila", false);
        check("Ann\u{2066}x", false);
        check("A\u{0}B", false);
        check(&format!("Z{}", "\u{0301}".repeat(300)), false);
        check("e\u{0301}\u{0302}", true);
        check("1234", false);
    }

    #[test]
    fn text_allows_line_breaks_only_when_asked() {
        let mut errors = ValidationErrors::new();
        check_text(&mut errors, "a", "line\nline", 100, true);
        assert!(errors.is_empty());
        check_text(&mut errors, "b", "line\nline", 100, false);
        check_text(&mut errors, "c", "x\0", 100, true);
        check_text(&mut errors, "d", &"x".repeat(101), 100, true);
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["b", "c", "d"]);
    }
}
