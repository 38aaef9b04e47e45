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

use crate::codes::ReferralSource;
use crate::{NhsNumber, ReferralId, ValidationErrors};

/// A person's name as stored for search: see the module documentation.
pub fn name_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for ch in name.chars().flat_map(char::to_lowercase) {
        match ch {
            'a'..='z' => key.push(ch),
            'ß' => key.push_str("ss"),
            'æ' => key.push_str("ae"),
            'œ' => key.push_str("oe"),
            _ => {
                if let Some(folded) = fold(ch) {
                    key.push(folded);
                }
            }
        }
    }
    key
}

/// The unaccented letter of a common accented Latin letter.
fn fold(ch: char) -> Option<char> {
    let folded = match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ğ' | 'ģ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ķ' => 'k',
        'ł' | 'ľ' | 'ļ' | 'ĺ' => 'l',
        'ñ' | 'ń' | 'ň' | 'ņ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' | 'ŕ' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        _ => return None,
    };
    Some(folded)
}

/// The start of a name's search key: at least one letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePrefix(String);

impl NamePrefix {
    /// A prefix from what was typed, or why not (`field` names the input).
    pub fn parse(text: &str) -> Result<NamePrefix, String> {
        let key = name_key(text);
        if key.is_empty() {
            Err("enter at least one letter of the name".into())
        } else {
            Ok(NamePrefix(key))
        }
    }

    /// The key prefix (lower-case `a`–`z`).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The smallest key after every key starting with this prefix (`smi` → `smj`, `saz` →
    /// `sb`), or `None` when there is none (`zz…`).
    pub fn upper(&self) -> Option<String> {
        let mut bytes = self.0.clone().into_bytes();
        while let Some(last) = bytes.pop() {
            if last < b'z' {
                bytes.push(last + 1);
                return String::from_utf8(bytes).ok();
            }
        }
        None
    }
}

/// The start of a referral's reference (`NWD-1A2B-3C4D`): the first eight hexadecimal digits
/// of its id, lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencePrefix(String);

impl ReferencePrefix {
    /// Accepts `NWD-1A2B-3C4D`, `nwd1a2b3c4d` or `1A2B-3C4D`, in any case.
    pub fn parse(text: &str) -> Result<ReferencePrefix, String> {
        let compact: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect::<String>()
            .to_ascii_lowercase();
        let hex = compact.strip_prefix("nwd").unwrap_or(&compact);
        if hex.len() == 8 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(ReferencePrefix(hex.to_owned()))
        } else {
            Err("a reference looks like NWD-1A2B-3C4D: NWD then eight letters A–F or digits".into())
        }
    }

    /// The eight lower-case hexadecimal digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The reference as shown to people, e.g. `NWD-1A2B-3C4D`.
    pub fn shown(&self) -> String {
        let upper = self.0.to_ascii_uppercase();
        format!("NWD-{}-{}", &upper[0..4], &upper[4..8])
    }

    /// A referral's reference prefix.
    pub fn of(id: ReferralId) -> ReferencePrefix {
        let simple = id.as_uuid().simple().to_string();
        ReferencePrefix(simple[0..8].to_owned())
    }

    /// The smallest id text after every id that starts with this prefix: ids continue with
    /// `-` and hexadecimal digits, all before `g` in any collation.
    pub fn upper(&self) -> String {
        format!("{}g", self.0)
    }
}

/// A date of birth typed as `27/3/2012`, `27-03-2012`, `27.3.2012` or `2012-03-27`: a real
/// date, not after `today`.
pub fn parse_date_of_birth(text: &str, today: Date) -> Result<Date, String> {
    const HOW: &str = "enter a date of birth like 27/3/2012";
    let text = text.trim();
    let parts: Vec<&str> = text
        .split(['/', '-', '.', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    let numbers: Vec<i64> = parts
        .iter()
        .map(|p| p.parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| HOW.to_owned())?;
    let (year, month, day) = match (parts.as_slice(), numbers.as_slice()) {
        ([y, _, _], [year, month, day]) if y.len() == 4 => (*year, *month, *day),
        ([_, _, y], [day, month, year]) if y.len() == 4 => (*year, *month, *day),
        _ => return Err(HOW.into()),
    };
    let date = i16::try_from(year)
        .ok()
        .zip(i8::try_from(month).ok())
        .zip(i8::try_from(day).ok())
        .and_then(|((y, m), d)| Date::new(y, m, d).ok())
        .ok_or_else(|| format!("{text} is not a real date: {HOW}"))?;
    if date > today {
        return Err(format!("{text} is in the future: {HOW}"));
    }
    if year < 1900 {
        return Err(format!("{text} is too long ago: {HOW}"));
    }
    Ok(date)
}

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

/// The group of a source of referral: the letter its MHSDS code starts with (NHS England's
/// `referral_dim` groups, domain guide §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceGroup(char);

impl SourceGroup {
    /// The groups our sources fall in, with their names, in code order.
    pub const ALL: &'static [(char, &'static str)] = &[
        ('A', "Primary health care"),
        ('B', "Self-referral (young person, parent or carer)"),
        ('C', "Local authority and other public services"),
        ('E', "Justice system"),
        ('G', "Independent or voluntary sector"),
        ('H', "Acute secondary care"),
        ('I', "Other mental health NHS trust"),
        ('M', "Other"),
    ];

    /// A group from its letter.
    pub fn parse(text: &str) -> Result<SourceGroup, String> {
        let letter = text.trim().to_ascii_uppercase();
        SourceGroup::ALL
            .iter()
            .find(|(l, _)| letter.len() == 1 && letter.starts_with(*l))
            .map(|(l, _)| SourceGroup(*l))
            .ok_or_else(|| {
                let allowed: Vec<String> = SourceGroup::ALL
                    .iter()
                    .map(|(l, _)| l.to_string())
                    .collect();
                format!("allowed: {}", allowed.join(", "))
            })
    }

    /// The letter.
    pub fn letter(&self) -> char {
        self.0
    }

    /// The sources in this group.
    pub fn sources(&self) -> Vec<ReferralSource> {
        ReferralSource::ALL
            .iter()
            .copied()
            .filter(|s| s.code().starts_with(self.0))
            .collect()
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test: a failure stops it with its message"
)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 12, 4).unwrap()
    }

    #[test]
    fn keys_fold_case_accents_and_punctuation() {
        for (name, key) in [
            ("Smith", "smith"),
            ("O'Brien-Smith", "obriensmith"),
            ("Zoë", "zoe"),
            ("  ÉLODIE ", "elodie"),
            ("Strauß", "strauss"),
            ("123", ""),
        ] {
            assert_eq!(name_key(name), key, "{name}");
        }
    }

    #[test]
    fn prefixes_have_an_exclusive_upper_bound() {
        assert_eq!(
            NamePrefix::parse("Smi").unwrap().upper().as_deref(),
            Some("smj")
        );
        assert_eq!(
            NamePrefix::parse("saz").unwrap().upper().as_deref(),
            Some("sb")
        );
        assert_eq!(NamePrefix::parse("zz").unwrap().upper(), None);
        assert!(NamePrefix::parse("'-").is_err());
    }

    #[test]
    fn references_in_any_spelling() {
        for text in [
            "NWD-1A2B-3C4D",
            "nwd1a2b3c4d",
            "1a2b-3c4d",
            " NWD 1A2B 3C4D ",
        ] {
            assert_eq!(
                ReferencePrefix::parse(text).unwrap().as_str(),
                "1a2b3c4d",
                "{text}"
            );
        }
        assert_eq!(
            ReferencePrefix::parse("1a2b3c4d").unwrap().shown(),
            "NWD-1A2B-3C4D"
        );
        assert!(ReferencePrefix::parse("NWD-1A2B").is_err());
        assert!(ReferencePrefix::parse("NWD-1A2B-3C4G").is_err());
    }

    #[test]
    fn dates_of_birth_must_be_real_and_past() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        assert_eq!(
            parse_date_of_birth("27/3/2012", today()),
            Ok(d(2012, 3, 27))
        );
        assert_eq!(
            parse_date_of_birth("2012-03-27", today()),
            Ok(d(2012, 3, 27))
        );
        assert_eq!(
            parse_date_of_birth("29.02.2012", today()),
            Ok(d(2012, 2, 29))
        );
        assert!(parse_date_of_birth("31/02/2012", today())
            .unwrap_err()
            .contains("not a real date"));
        assert!(parse_date_of_birth("1/1/2030", today())
            .unwrap_err()
            .contains("future"));
        assert!(parse_date_of_birth("yesterday", today()).is_err());
    }

    #[test]
    fn one_box_tells_the_kinds_apart() {
        let terms = |text| SearchTerms::from_text("q", text, today());
        assert!(terms("999 000 0018").unwrap().nhs_number.is_some());
        assert!(terms("NWD-1A2B-3C4D").unwrap().reference.is_some());
        assert!(terms("1a2b-3c4d").unwrap().reference.is_some());
        assert!(terms("27/3/2012").unwrap().date_of_birth.is_some());
        assert_eq!(terms("Jo Smi").unwrap().any_name.len(), 2);
        assert!(terms("").unwrap().is_empty());
        let bad = terms("999 123 4560").unwrap_err();
        assert_eq!(bad.0[0].field, "q");
        assert!(bad.0[0].message.contains("check digit"));
        assert!(terms("31/02/2012").unwrap_err().0[0]
            .message
            .contains("not a real date"));
        assert!(terms("12345").is_err());
    }

    #[test]
    fn separate_fields_are_named_in_errors() {
        let errors = SearchTerms::from_fields(
            &SearchFields {
                nhs_number: "999 123 4560",
                date_of_birth: "30/2/2010",
                family_name: "Smith",
                ..SearchFields::default()
            },
            today(),
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["nhs_number", "date_of_birth"]);
    }

    #[test]
    fn source_groups_hold_their_sources() {
        let b = SourceGroup::parse("b").unwrap();
        assert_eq!(
            b.sources(),
            [ReferralSource::SelfReferral, ReferralSource::ParentCarer]
        );
        assert!(SourceGroup::parse("Z").is_err());
        for (letter, _) in SourceGroup::ALL {
            assert!(!SourceGroup(*letter).sources().is_empty(), "{letter}");
        }
    }
}
