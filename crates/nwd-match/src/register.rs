//! The register's compact storage: every person's normalised values as `u32` symbols into
//! string interners (names, addresses, tokens, postcodes, identifiers), ids in one string arena,
//! and live term-frequency counts of given and family names. About 40 bytes per person plus the
//! distinct strings, so a million people fit in a few hundred megabytes.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use crate::comparison::{PersonRef, Tokens};
use crate::dob::Dob;
use crate::hash::{hash_str, BuildPassThrough};
use crate::normalise::{IdentifierKind, Normalised, Sex};
use crate::similarity::jaro_winkler;

/// "No value" in a symbol field.
const NONE: u32 = u32::MAX;

/// Strings stored once, end to end, addressed by index.
#[derive(Debug, Default)]
pub(crate) struct Arena {
    bytes: String,
    ends: Vec<usize>,
}

impl Arena {
    fn push(&mut self, s: &str) -> u32 {
        self.bytes.push_str(s);
        self.ends.push(self.bytes.len());
        (self.ends.len() - 1) as u32
    }

    pub fn get(&self, index: u32) -> &str {
        let index = index as usize;
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        &self.bytes[start..self.ends[index]]
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }
}

/// Distinct strings, each stored once, looked up by hash.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    arena: Arena,
    by_hash: HashMap<u64, u32, BuildPassThrough>,
    /// Strings whose 64-bit hash collided with an earlier, different string.
    collided: HashMap<String, u32>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(found) = self.find(s) {
            return found;
        }
        let symbol = self.arena.push(s);
        match self.by_hash.entry(hash_str(s)) {
            Entry::Occupied(_) => {
                self.collided.insert(s.to_owned(), symbol);
            }
            Entry::Vacant(slot) => {
                slot.insert(symbol);
            }
        }
        symbol
    }

    pub fn find(&self, s: &str) -> Option<u32> {
        match self.by_hash.get(&hash_str(s)) {
            Some(&symbol) if self.arena.get(symbol) == s => Some(symbol),
            Some(_) => self.collided.get(s).copied(),
            None => None,
        }
    }

    pub fn get(&self, symbol: u32) -> Option<&str> {
        (symbol != NONE).then(|| self.arena.get(symbol))
    }

    pub fn len(&self) -> usize {
        self.arena.len()
    }
}

/// One person, compactly.
#[derive(Debug, Clone, Copy)]
struct Stored {
    identifier: u32,
    identifier_kind: IdentifierKind,
    given: u32,
    family: u32,
    dob: Option<Dob>,
    address: u32,
    tokens_start: u32,
    tokens_len: u8,
    postcode: u32,
    sex: Option<Sex>,
}

/// Everyone registered, in insertion order; a person's index is their internal `u32` id.
#[derive(Debug, Default)]
pub(crate) struct Register {
    ids: Arena,
    names: Interner,
    addresses: Interner,
    tokens: Interner,
    postcodes: Interner,
    identifiers: Interner,
    people: Vec<Stored>,
    token_symbols: Vec<u32>,
    given_counts: Vec<u32>,
    family_counts: Vec<u32>,
    given_total: u64,
    family_total: u64,
    /// Per identifier symbol: the first person registered with it (`NONE` for none yet).
    identifier_holder: Vec<u32>,
    /// Per identifier symbol: held by two or more different people (issue 18: a number
    /// shared by different people identifies none of them; treated as missing, flagged).
    identifier_shared: Vec<bool>,
}

impl Register {
    pub fn len(&self) -> usize {
        self.people.len()
    }

    /// Makes room for `additional` more people at once, so that loading a large file does not
    /// copy the growing arrays over and over.
    pub fn reserve(&mut self, additional: usize) {
        self.people.reserve(additional);
        self.ids.ends.reserve(additional);
        self.ids.bytes.reserve(additional * 8);
        self.token_symbols.reserve(additional * 5);
    }

    /// Stores a person; returns their internal index.
    pub fn push(&mut self, id: &str, person: &Normalised) -> u32 {
        let intern = |interner: &mut Interner, value: Option<&str>| match value {
            Some(v) => interner.intern(v),
            None => NONE,
        };
        let given = intern(&mut self.names, person.given.as_deref());
        let family = intern(&mut self.names, person.family.as_deref());
        let address = intern(&mut self.addresses, person.address.as_deref());
        let postcode = intern(&mut self.postcodes, person.postcode.as_deref());
        let identifier = intern(
            &mut self.identifiers,
            person.identifier.as_ref().map(|i| i.value.as_str()),
        );
        let tokens_start = self.token_symbols.len() as u32;
        for token in &person.address_tokens {
            let symbol = self.tokens.intern(token);
            self.token_symbols.push(symbol);
        }
        self.names_counted(given, family);
        let kind = person
            .identifier
            .as_ref()
            .map_or(IdentifierKind::Other, |i| i.kind);
        if identifier != NONE && kind == IdentifierKind::Nhs {
            self.note_holder(identifier, given, person);
        }
        self.ids.push(id);
        self.people.push(Stored {
            identifier,
            identifier_kind: kind,
            given,
            family,
            dob: person.dob,
            address,
            tokens_start,
            tokens_len: person.address_tokens.len() as u8,
            postcode,
            sex: person.sex,
        });
        (self.people.len() - 1) as u32
    }

    /// Records who holds an NHS number; a second holder who is evidently another person (a
    /// date of birth more than a keystroke or a day/month swap away, or a clearly different
    /// given name) marks the number as shared. A second record of the same child (a duplicate
    /// awaiting merge) does not.
    fn note_holder(&mut self, identifier: u32, given: u32, person: &Normalised) {
        let symbols = self.identifiers.len();
        self.identifier_holder.resize(symbols, NONE);
        self.identifier_shared.resize(symbols, false);
        let slot = identifier as usize;
        let holder = self.identifier_holder[slot];
        if holder == NONE {
            self.identifier_holder[slot] = self.people.len() as u32;
            return;
        }
        let first = self.people[holder as usize];
        let dob_differs = matches!(
            crate::comparison::dob_level(first.dob, person.dob),
            crate::comparison::dob::CLOSE | crate::comparison::dob::DIFFERENT
        );
        let given_differs = match (self.names.get(first.given), self.names.get(given)) {
            (Some(a), Some(b)) => {
                a != b
                    && jaro_winkler(a, b) < 0.88
                    && !crate::nickname::equivalent(a, b)
                    && self.names.get(first.family) != Some(b)
            }
            _ => false,
        };
        if dob_differs || given_differs {
            self.identifier_shared[slot] = true;
        }
    }

    /// The NHS number is a placeholder or is shared by different people: not this person's
    /// identifier, whatever the record says.
    fn identifier_unusable(&self, p: &Stored) -> bool {
        p.identifier_kind == IdentifierKind::NhsPlaceholder
            || self
                .identifier_shared
                .get(p.identifier as usize)
                .copied()
                .unwrap_or(false)
    }

    /// Why this person's recorded NHS number is not used, if it is not.
    pub fn identifier_ignored(&self, index: u32) -> Option<IdentifierKind> {
        let p = &self.people[index as usize];
        (p.identifier != NONE && self.identifier_unusable(p)).then_some(p.identifier_kind)
    }

    /// True when the register holds this (normalised) NHS number for different people.
    pub fn identifier_is_shared(&self, value: &str) -> bool {
        self.identifiers
            .find(value)
            .and_then(|symbol| self.identifier_shared.get(symbol as usize).copied())
            .unwrap_or(false)
    }

    fn names_counted(&mut self, given: u32, family: u32) {
        let symbols = self.names.len();
        self.given_counts.resize(symbols, 0);
        self.family_counts.resize(symbols, 0);
        if given != NONE {
            self.given_counts[given as usize] += 1;
            self.given_total += 1;
        }
        if family != NONE {
            self.family_counts[family as usize] += 1;
            self.family_total += 1;
        }
    }

    /// The opaque id a person was registered with.
    pub fn id(&self, index: u32) -> &str {
        self.ids.get(index)
    }

    /// A person's values, borrowed for comparison.
    pub fn view(&self, index: u32) -> PersonRef<'_> {
        let p = &self.people[index as usize];
        let start = p.tokens_start as usize;
        let symbols = &self.token_symbols[start..start + usize::from(p.tokens_len)];
        PersonRef {
            identifier: if self.identifier_unusable(p) {
                None
            } else {
                self.identifiers
                    .get(p.identifier)
                    .map(|value| (p.identifier_kind, value))
            },
            given: self.names.get(p.given),
            family: self.names.get(p.family),
            dob: p.dob,
            address: self.addresses.get(p.address),
            tokens: Tokens::new(symbols.iter().filter_map(|&s| self.tokens.get(s))),
            postcode: self.postcodes.get(p.postcode),
            sex: p.sex,
        }
    }

    /// How many registered people have this person's given name, and how many have any.
    pub fn given_frequency(&self, index: u32) -> (u32, u64) {
        let symbol = self.people[index as usize].given;
        let count = self.given_counts.get(symbol as usize).copied().unwrap_or(0);
        (count, self.given_total)
    }

    /// How many registered people have this person's family name, and how many have any.
    pub fn family_frequency(&self, index: u32) -> (u32, u64) {
        let symbol = self.people[index as usize].family;
        let count = self
            .family_counts
            .get(symbol as usize)
            .copied()
            .unwrap_or(0);
        (count, self.family_total)
    }

    /// How many registered people have this (normalised) given name.
    pub fn given_count(&self, name: &str) -> u32 {
        self.names
            .find(name)
            .and_then(|symbol| self.given_counts.get(symbol as usize).copied())
            .unwrap_or(0)
    }

    /// The date of birth, for grouping during estimation.
    pub fn dob(&self, index: u32) -> Option<Dob> {
        self.people[index as usize].dob
    }

    /// The symbols this register gives a given and a family name (`None` when either is not
    /// held by anyone), for pairing another file's people with the register's by name.
    pub fn name_symbols_of(&self, given: &str, family: &str) -> Option<(u32, u32)> {
        Some((self.names.find(given)?, self.names.find(family)?))
    }

    /// Given and family name symbols (both present), for grouping during estimation.
    pub fn name_symbols(&self, index: u32) -> Option<(u32, u32)> {
        let p = &self.people[index as usize];
        (p.given != NONE && p.family != NONE).then_some((p.given, p.family))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Record;

    #[test]
    fn stored_people_read_back_and_names_are_counted() {
        let mut register = Register::default();
        let record = |id: &str, given: &str| Record {
            id: id.to_owned(),
            given_name: Some(given.to_owned()),
            family_name: Some("Smith".to_owned()),
            address: Some("12 High St".to_owned()),
            nhs_number: Some("999 000 0018".to_owned()),
            ..Record::default()
        };
        let a = register.push("a", &Normalised::from_record(&record("a", "Amy")));
        assert_eq!(
            register.view(a).identifier,
            Some((IdentifierKind::Nhs, "9990000018"))
        );
        // Ben carries Amy's number: the number is shared by different people, so it is
        // nobody's identifier any more.
        let b = register.push("b", &Normalised::from_record(&record("b", "Ben")));
        assert_eq!(register.id(b), "b");
        assert!(register.identifier_is_shared("9990000018"));
        assert_eq!(register.identifier_ignored(a), Some(IdentifierKind::Nhs));
        // A second record of Amy (a duplicate) with her number does not make it shared.
        let c = register.push(
            "c",
            &Normalised::from_record(&Record {
                nhs_number: Some("9990000026".to_owned()),
                ..record("c", "Amy")
            }),
        );
        register.push(
            "d",
            &Normalised::from_record(&Record {
                nhs_number: Some("9990000026".to_owned()),
                ..record("d", "Amy")
            }),
        );
        assert!(!register.identifier_is_shared("9990000026"));
        assert_eq!(register.identifier_ignored(c), None);
        let view = register.view(a);
        assert_eq!(view.given, Some("amy"));
        assert_eq!(view.family, Some("smith"));
        assert_eq!(view.tokens.as_slice(), &["12", "high", "street"]);
        assert_eq!(view.identifier, None);
        assert_eq!(register.family_frequency(a), (4, 4));
        assert_eq!(register.given_frequency(b), (1, 4));
    }
}
