//! The household rule's facts: whether a postcode is a full unit postcode (narrow enough to stand
//! for the home when the address is missing), the given names of a household, and whether two
//! given names are different enough to be siblings rather than one person.

use crate::comparison::{
    address, address_contained, family, given, postcode, Gamma, PersonRef, ADDRESS, FAMILY, GIVEN,
    MISSING, POSTCODE,
};
use crate::nickname;
use crate::outcome::Rule;
use crate::similarity::{jaro_winkler, within_one_edit};

use super::Scorer;

/// A full UK postcode (outward code + inward code such as `1AB`): a unit of about fifteen
/// households, narrow enough to stand for the home when the address is missing. Postcodes of
/// whole towns or suburbs (four-digit Australian ones, a UK district alone) are not.
pub(super) fn is_unit_postcode(compact: &str) -> bool {
    let bytes = compact.as_bytes();
    let len = bytes.len();
    (5..=7).contains(&len)
        && bytes[0].is_ascii_alphabetic()
        && bytes[len - 3].is_ascii_digit()
        && bytes[len - 2].is_ascii_alphabetic()
        && bytes[len - 1].is_ascii_alphabetic()
}

/// The two records describe the same home, whatever the names: the address agrees (exact or
/// high overlap); or one address is a part of the other that keeps its house number (`126`
/// against `126 Ebden Street Wyee`) and the postcodes do not disagree; or the address is
/// missing or only partly agrees and the postcode is the same full UK postcode.
pub(super) fn same_home(query: &PersonRef, person: &PersonRef, gamma: &Gamma) -> bool {
    let postcode_not_against = matches!(gamma[POSTCODE], MISSING | postcode::EXACT);
    matches!(gamma[ADDRESS], address::EXACT | address::HIGH_OVERLAP)
        || (postcode_not_against && address_contained(query, person))
        || (matches!(gamma[ADDRESS], MISSING | address::PARTIAL_OVERLAP)
            && gamma[POSTCODE] == postcode::EXACT
            && query.postcode.is_some_and(is_unit_postcode))
}

/// The names a household rule reads: the two given names to tell household members apart, and
/// whether the two records share a family name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct HouseholdNames<'a> {
    pub(super) query_given: Option<&'a str>,
    pub(super) person_given: Option<&'a str>,
    /// The family name agrees (exact or Jaro–Winkler ≥ 0.92), directly or with one record's
    /// names the wrong way round.
    pub(super) family_shared: bool,
}

/// When the two records share a family name — directly, or with one record's names the wrong
/// way round (`HORNMORE, Jasmine` against `Elsie Hornmore`) — the two given names to tell
/// household members apart; otherwise (a mistyped, changed or missing family name: issue 18,
/// a household is its home, not its surname) the two given names as written. `None` when both
/// names agree crosswise (the same child written the other way round).
pub(super) fn household_given_names<'a>(
    query: &PersonRef<'a>,
    person: &PersonRef<'a>,
    gamma: &Gamma,
) -> Option<HouseholdNames<'a>> {
    let close = |a: Option<&str>, b: Option<&str>| matches!((a, b), (Some(a), Some(b)) if a == b || jaro_winkler(a, b) >= 0.92);
    let names = |query_given, person_given, family_shared| HouseholdNames {
        query_given,
        person_given,
        family_shared,
    };
    if gamma[GIVEN] == given::SWAPPED {
        None
    } else if matches!(gamma[FAMILY], family::EXACT | family::JW_92) {
        Some(names(query.given, person.given, true))
    } else if close(query.given, person.family) {
        Some(names(query.family, person.given, true))
    } else if close(query.family, person.given) {
        Some(names(query.given, person.family, true))
    } else {
        Some(names(query.given, person.given, false))
    }
}

impl Scorer<'_> {
    /// Different given names: not equal, not nickname-equivalent, not a likely typo of each
    /// other, and either below Jaro–Winkler 0.92 or both established names in the register. Similar spellings of two established names
    /// (`lila`/`lily`, `aidan`/`aiden`, `millie`/`mollie` below 0.92; `ella`/`bella` at 0.93)
    /// are different names: parents give them to twins.
    pub(super) fn names_differ(&self, a: &str, b: &str) -> bool {
        a != b
            && (jaro_winkler(a, b) < 0.92 || self.both_established(a, b))
            && !nickname::equivalent(a, b)
            && !self.likely_typo(a, b)
    }

    /// Both spellings are given names the register holds at least three times each, the rarer
    /// at least a twentieth as often as the commoner: two names, not one name and a typo that
    /// recurs (a typo, even a systematic one, is far rarer than the name it mangles).
    fn both_established(&self, a: &str, b: &str) -> bool {
        let (count_a, count_b) = (self.register.given_count(a), self.register.given_count(b));
        count_a.min(count_b) >= 3 && count_a.min(count_b) * 20 >= count_a.max(count_b)
    }

    /// One keystroke apart (a substitution, insertion, deletion or swap of neighbours), with
    /// one spelling seen at most once in the register and the other at least three times: a
    /// mistyped name (`amger`/`amber`, `bne`/`ben`), not a second name.
    pub(super) fn likely_typo(&self, a: &str, b: &str) -> bool {
        if !within_one_edit(a.as_bytes(), b.as_bytes()) {
            return false;
        }
        let (count_a, count_b) = (self.register.given_count(a), self.register.given_count(b));
        count_a.min(count_b) <= 1 && count_a.max(count_b) >= 3
    }
}

pub(super) struct Household {
    pub(super) rule: Rule,
    pub(super) adjustment: f64,
}
