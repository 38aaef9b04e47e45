//! The generator's world: streets in real Kent towns with UK-shaped postcodes, households and
//! the people in them, the seeded random source, and weighted draws ([`Cumulative`]). Every
//! draw comes from `World::rng`, so the same configuration gives the same world.

use std::collections::HashSet;

use nwd_domain::nhs_number::NhsNumber;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::record::Record;

use super::names::{
    GIVEN_FEMALE, GIVEN_MALE, INWARD_LETTERS, STREET_KINDS, STREET_NAMES, STREET_QUALIFIERS,
    SURNAMES, TAIL_PREFIXES, TAIL_SUFFIXES, TOWNS,
};

use super::{
    days_from_civil, DOUBLE_BARRELLED_SHARE, FLAT_SHARE, MAX_HOUSE_NUMBER, NUMBERS_PER_POSTCODE,
    REFERENCE_DATE, STREET_KIND_WEIGHTS,
};
use super::{QueryKind, SyntheticConfig, Truth};

pub(super) struct Pending {
    pub(super) record: Record,
    pub(super) errors: Vec<&'static str>,
    pub(super) kind: QueryKind,
    pub(super) truth: Truth,
    pub(super) nearest: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sex {
    Female,
    Male,
}

impl Sex {
    pub(super) fn word(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
}

pub(super) struct Street {
    pub(super) name: String,
    pub(super) kind: usize,
    pub(super) town: usize,
    pub(super) postcodes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Address {
    pub(super) street: usize,
    pub(super) number: u32,
    pub(super) flat: Option<u32>,
}

pub(super) struct Household {
    pub(super) family: String,
    pub(super) address: Address,
    pub(super) children: Vec<usize>,
}

pub(super) struct Person {
    pub(super) given: &'static str,
    pub(super) sex: Sex,
    /// Days since 1970-01-01.
    pub(super) dob: i64,
    pub(super) nhs: Option<NhsNumber>,
    pub(super) household: usize,
    pub(super) twin: Option<usize>,
}

/// Cumulative weights for drawing from a table.
pub(super) struct Cumulative(Vec<f64>);

impl Cumulative {
    pub(super) fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut total = 0.0;
        Cumulative(
            weights
                .into_iter()
                .map(|w| {
                    total += w;
                    total
                })
                .collect(),
        )
    }

    pub(super) fn total(&self) -> f64 {
        self.0.last().copied().unwrap_or(0.0)
    }

    /// The index whose band holds `ticket` (0 ≤ ticket < total).
    pub(super) fn index(&self, ticket: f64) -> usize {
        self.0
            .partition_point(|&c| c <= ticket)
            .min(self.0.len().saturating_sub(1))
    }

    pub(super) fn draw(&self, rng: &mut ChaCha8Rng) -> usize {
        let ticket = rng.gen::<f64>() * self.total();
        self.index(ticket)
    }
}

pub(super) struct World {
    pub(super) rng: ChaCha8Rng,
    pub(super) streets: Vec<Street>,
    pub(super) town_streets: Vec<Vec<usize>>,
    pub(super) households: Vec<Household>,
    pub(super) people: Vec<Person>,
    /// Stems (the six digits after `999`) already given a number: a million flags.
    pub(super) used_nhs: Vec<bool>,
    pub(super) used_addresses: HashSet<Address>,
    pub(super) female: Cumulative,
    pub(super) male: Cumulative,
    pub(super) surnames: Cumulative,
    pub(super) earliest_dob: i64,
    pub(super) latest_dob: i64,
}

impl World {
    pub(super) fn new(config: &SyntheticConfig) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let popularity = |n: usize| (0..n).map(|rank| 1.0 / (rank as f64 + 10.0));
        let (year, month, day) = REFERENCE_DATE;
        let latest_dob = days_from_civil(year, month, day);
        let earliest_dob = days_from_civil(year - 26, month, day) + 1;
        let street_kinds = Cumulative::new(STREET_KIND_WEIGHTS.iter().map(|&w| f64::from(w)));
        // About ten households a street, counting the households new people come from.
        let expected_households = config.households + config.queries / 4 + 10;
        let street_count = (expected_households / 10).max(40);
        let mut streets = Vec::with_capacity(street_count);
        let mut town_streets = vec![Vec::new(); TOWNS.len()];
        let mut seen_streets = HashSet::new();
        let mut seen_postcodes = HashSet::new();
        // Distinct (town, street, kind) while they last (with a qualifier on about half:
        // 22 towns × 98 names × 13 forms × 10 kinds ≈ 280,000), so two households never share
        // an address's words without sharing the home; beyond that, repeats are allowed.
        let distinct =
            TOWNS.len() * STREET_NAMES.len() * (STREET_QUALIFIERS.len() + 1) * STREET_KINDS.len()
                / 2;
        while streets.len() < street_count {
            let town = rng.gen_range(0..TOWNS.len());
            let base = STREET_NAMES[rng.gen_range(0..STREET_NAMES.len())];
            let name = if streets.len() > 2_000 && rng.gen_bool(0.5) {
                let qualifier = STREET_QUALIFIERS[rng.gen_range(0..STREET_QUALIFIERS.len())];
                format!("{qualifier} {base}")
            } else {
                base.to_owned()
            };
            let kind = street_kinds.draw(&mut rng);
            if !seen_streets.insert((town, name.clone(), kind)) && seen_streets.len() < distinct {
                continue;
            }
            let districts = TOWNS[town].1;
            let district = districts[rng.gen_range(0..districts.len())];
            let sector = rng.gen_range(1..10);
            let units = rng.gen_range(1..=3);
            let mut postcodes = Vec::with_capacity(units);
            let mut sector = sector;
            let mut tries = 0;
            while postcodes.len() < units {
                let a = INWARD_LETTERS[rng.gen_range(0..INWARD_LETTERS.len())] as char;
                let b = INWARD_LETTERS[rng.gen_range(0..INWARD_LETTERS.len())] as char;
                let postcode = format!("{district} {sector}{a}{b}");
                tries += 1;
                // A sector holds 400 units and a one-district town 3,600: a million-person
                // register fills them, so move to another sector, and at last share a unit
                // with another street (as real units sometimes do).
                if seen_postcodes.insert(postcode.clone()) || tries > 200 {
                    postcodes.push(postcode);
                } else if tries % 20 == 0 {
                    sector = rng.gen_range(1..10);
                }
            }
            town_streets[town].push(streets.len());
            streets.push(Street {
                name,
                kind,
                town,
                postcodes,
            });
        }
        World {
            rng,
            streets,
            town_streets,
            households: Vec::new(),
            people: Vec::new(),
            used_nhs: vec![false; 1_000_000],
            used_addresses: HashSet::new(),
            female: Cumulative::new(popularity(GIVEN_FEMALE.len())),
            male: Cumulative::new(popularity(GIVEN_MALE.len())),
            surnames: Cumulative::new(SURNAMES.iter().map(|&(_, w)| f64::from(w))),
            earliest_dob,
            latest_dob,
        }
    }

    /// A surname: common ones at their rough frequency per 100,000, otherwise the long tail.
    pub(super) fn surname(&mut self) -> String {
        let ticket = self.rng.gen::<f64>() * 100_000.0;
        if ticket < self.surnames.total() {
            SURNAMES[self.surnames.index(ticket)].0.to_owned()
        } else {
            let prefix = TAIL_PREFIXES[self.rng.gen_range(0..TAIL_PREFIXES.len())];
            let suffix = TAIL_SUFFIXES[self.rng.gen_range(0..TAIL_SUFFIXES.len())];
            format!("{prefix}{suffix}")
        }
    }

    pub(super) fn household_surname(&mut self) -> String {
        let first = self.surname();
        if self.rng.gen_bool(DOUBLE_BARRELLED_SHARE) {
            let second = self.surname();
            if second != first {
                return format!("{first}-{second}");
            }
        }
        first
    }

    /// A free address, on a street in `town` when given.
    pub(super) fn address(&mut self, town: Option<usize>) -> Address {
        loop {
            let street = match town {
                Some(t) if !self.town_streets[t].is_empty() => {
                    let list = &self.town_streets[t];
                    list[self.rng.gen_range(0..list.len())]
                }
                _ => self.rng.gen_range(0..self.streets.len()),
            };
            let number = self.rng.gen_range(1..=MAX_HOUSE_NUMBER);
            let flat = self
                .rng
                .gen_bool(FLAT_SHARE)
                .then(|| self.rng.gen_range(1..=12));
            let address = Address {
                street,
                number,
                flat,
            };
            // A full register may reuse an address (a family moved into a house another
            // family left); before that, every household has its own.
            if self.used_addresses.insert(address)
                || self.used_addresses.len() > self.streets.len() * 100
            {
                return address;
            }
        }
    }

    pub(super) fn postcode(&self, address: &Address) -> &str {
        let street = &self.streets[address.street];
        let unit = ((address.number - 1) / NUMBERS_PER_POSTCODE) as usize % street.postcodes.len();
        &street.postcodes[unit]
    }
}
