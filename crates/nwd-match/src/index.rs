//! The blocking index: a map from blocking-key hash to the register indices holding that key,
//! built once and extended by every insert. A query looks up its own keys (and a few variants:
//! day/month-swapped date of birth, swapped names) and scores only the people found, so one
//! query never scans the register. A key shared by more than `cap` people (a very common
//! surname in one birth year) contributes an evenly spaced, deterministic sample of `cap` of them:
//! the other keys still find a true match that such a sample misses.
//!
//! Keys: a valid NHS number (or other identifier; never an NHS number failing its check digit,
//! nor a placeholder such as `0000000000`);
//! the date of birth; Soundex of family name + birth year; Soundex of given name + birth
//! month and day; the postcode; the first three letters of the family name + postcode district;
//! Soundex of given + family name; the whole address; the house number + the first four letters
//! of the street; the initials of given and family name + the house number (a pair whose names
//! are both mistyped, whose date of birth is missing or mistyped and whose street is written
//! another way still meets at its door).

use std::collections::HashMap;

use crate::comparison::PersonRef;
use crate::hash::{BuildPassThrough, KeyHash};
use crate::normalise::{postcode_district, IdentifierKind};
use crate::phonetic::soundex;

const IDENTIFIER: u8 = 1;
const DOB: u8 = 2;
const FAMILY_SOUND_YEAR: u8 = 3;
const GIVEN_SOUND_MONTH_DAY: u8 = 4;
const POSTCODE: u8 = 5;
const FAMILY_PREFIX_DISTRICT: u8 = 6;
const NAMES_SOUND: u8 = 7;
const ADDRESS: u8 = 8;
const HOUSE_NUMBER_STREET: u8 = 9;
const INITIALS_HOUSE_NUMBER: u8 = 10;

/// Blocking keys of one record (at most [`Keys::CAPACITY`]).
struct Keys {
    items: [u64; Keys::CAPACITY],
    len: usize,
}

impl Keys {
    const CAPACITY: usize = 16;

    fn push(&mut self, key: KeyHash) {
        if self.len < Self::CAPACITY {
            self.items[self.len] = key.finish();
            self.len += 1;
        }
    }

    fn as_slice(&self) -> &[u64] {
        &self.items[..self.len]
    }
}

/// The keys a person is filed under; with `query`, also the variants a query looks up.
fn keys(person: &PersonRef, query: bool) -> Keys {
    let mut keys = Keys {
        items: [0; Keys::CAPACITY],
        len: 0,
    };
    if let Some((kind, value)) = person.identifier {
        if !matches!(
            kind,
            IdentifierKind::NhsInvalid | IdentifierKind::NhsPlaceholder
        ) {
            keys.push(KeyHash::new(IDENTIFIER).with(value.as_bytes()));
        }
    }
    let given_sound = person.given.and_then(soundex);
    let family_sound = person.family.and_then(soundex);
    if let Some(dob) = person.dob {
        keys.push(KeyHash::new(DOB).with(dob.digits()));
        if query {
            if let Some(swapped) = dob.day_month_swapped() {
                keys.push(KeyHash::new(DOB).with(swapped.digits()));
            }
        }
        if let (Some(sound), Some(year)) = (family_sound, dob.year_digits()) {
            keys.push(KeyHash::new(FAMILY_SOUND_YEAR).with(&sound).with(year));
        }
        if let (Some(sound), Some(month_day)) = (given_sound, dob.month_day_digits()) {
            keys.push(
                KeyHash::new(GIVEN_SOUND_MONTH_DAY)
                    .with(&sound)
                    .with(month_day),
            );
        }
    }
    if let Some(postcode) = person.postcode {
        keys.push(KeyHash::new(POSTCODE).with(postcode.as_bytes()));
        if let Some(family) = person.family {
            let prefix = &family.as_bytes()[..family.len().min(3)];
            let district = postcode_district(postcode).as_bytes();
            keys.push(
                KeyHash::new(FAMILY_PREFIX_DISTRICT)
                    .with(prefix)
                    .with(district),
            );
        }
    }
    if let (Some(given), Some(family)) = (given_sound, family_sound) {
        keys.push(KeyHash::new(NAMES_SOUND).with(&given).with(&family));
        if query && given != family {
            keys.push(KeyHash::new(NAMES_SOUND).with(&family).with(&given));
        }
    }
    if let Some(address) = person.address {
        keys.push(KeyHash::new(ADDRESS).with(address.as_bytes()));
    }
    if let Some((number, street)) = house_number_and_street(person.tokens.as_slice()) {
        keys.push(KeyHash::new(HOUSE_NUMBER_STREET).with(number).with(street));
    }
    if let (Some(given), Some(family), Some(number)) = (
        person.given.and_then(|g| g.bytes().next()),
        person.family.and_then(|f| f.bytes().next()),
        house_number(person.tokens.as_slice()),
    ) {
        keys.push(
            KeyHash::new(INITIALS_HOUSE_NUMBER)
                .with(&[given, family])
                .with(number),
        );
    }
    keys
}

/// The first token with a digit: the house or flat number.
fn house_number<'a>(tokens: &[&'a str]) -> Option<&'a [u8]> {
    tokens
        .iter()
        .find(|t| t.bytes().any(|b| b.is_ascii_digit()))
        .map(|t| t.as_bytes())
}

/// The first token with a digit (the house or flat number) and the first four letters of the
/// first word of three or more letters after it (the street): `12|high` for `12 High Street`.
fn house_number_and_street<'a>(tokens: &[&'a str]) -> Option<(&'a [u8], &'a [u8])> {
    let at = tokens
        .iter()
        .position(|t| t.bytes().any(|b| b.is_ascii_digit()))?;
    let street = tokens[at + 1..]
        .iter()
        .find(|t| t.len() >= 3 && t.bytes().all(|b| b.is_ascii_alphabetic()))?;
    Some((
        tokens[at].as_bytes(),
        &street.as_bytes()[..4.min(street.len())],
    ))
}

/// Blocking-key hash → register indices, in insertion order.
#[derive(Debug, Default)]
pub(crate) struct Index {
    postings: HashMap<u64, Vec<u32>, BuildPassThrough>,
}

impl Index {
    /// Files a person under their keys.
    pub fn insert(&mut self, person: &PersonRef, index: u32) {
        for &key in keys(person, false).as_slice() {
            let posting = self.postings.entry(key).or_default();
            if posting.last() != Some(&index) {
                posting.push(index);
            }
        }
    }

    /// The register indices sharing at least one key with `person`, sorted and distinct; at
    /// most `cap` from any one key.
    pub fn candidates(&self, person: &PersonRef, cap: usize, out: &mut Vec<u32>) {
        out.clear();
        let cap = cap.max(1);
        for key in keys(person, true).as_slice() {
            let Some(posting) = self.postings.get(key) else {
                continue;
            };
            if posting.len() <= cap {
                out.extend_from_slice(posting);
            } else {
                let stride = posting.len().div_ceil(cap);
                out.extend(posting.iter().step_by(stride));
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// Number of distinct keys (for sizing reports).
    pub fn key_count(&self) -> usize {
        self.postings.len()
    }
}
