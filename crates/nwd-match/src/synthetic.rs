//! A synthetic register of children and young people, and labelled referrals against it, for
//! measuring the matcher where it matters in a children's service: households (siblings share a
//! surname, an address and a postcode), twins (same date of birth, same household), and
//! referrals carrying the errors real forms carry.
//!
//! Deterministic: the same [`SyntheticConfig`] always gives the same [`SyntheticSet`] (ChaCha8
//! seeded from `seed`; no clock, no I/O, no hash-order dependence). Nobody here is real: names
//! come from built-in lists, addresses are invented streets in real Kent towns with UK-shaped
//! postcodes, and NHS numbers come only from the 999 range reserved for test data.
//!
//! # The register
//! `households` households, each with 1–4 children (40 / 35 / 17 / 8 %, 1.93 on average) aged
//! 0–25 on [`REFERENCE_DATE`], siblings at least ten months apart with different given names
//! (never two forms of one name, such as Rose and Rosie or Edward and Teddy); a birth is twins
//! with probability [`TWIN_RATE`] when the household has room for two (twins share date of birth
//! and household, and about a third of the time get similar names such as Ella/Ellie or
//! Aidan/Aiden). Given names come from ~150 girls' and ~150 boys' names weighted by
//! popularity (the most popular about 3 % of each sex); surnames from a table of common
//! surnames with their rough frequencies in England and Wales (Smith about 1.2 %, Jones about
//! 1 %, …) covering about 27 % of households, the rest from a generated long tail, and about
//! 3 % double-barrelled. Households on the same street often share a postcode; about 8 % live in
//! flats. [`REGISTER_NHS_SHARE`] of register people have their NHS number recorded.
//!
//! # The referrals
//! [`QUERY_MIX`]: 60 % are people in the register ([`QueryKind::SamePerson`]), 15 % an
//! unregistered brother or sister of a register person ([`QueryKind::Sibling`]), 5 % the
//! unregistered twin of a register person ([`QueryKind::CoTwin`]) and 20 % people from
//! households the register has never seen ([`QueryKind::NewPerson`]). Same-person referrals carry
//! the errors in [`SAME_PERSON_ERRORS`] (at most three substantive ones each), the others the
//! milder [`MILD_ERRORS`]; every applied corruption is named in [`LabelledQuery::errors`]. A share
//! `nhs_number_share` of all referrals carries the person's own NHS number (a same-person
//! referral carries the registered person's true number, even when the register lacks it), and
//! [`NHS_TYPO_RATE`] of those carry it with a one-digit substitution or an adjacent transposition
//! (which fails the modulus-11 check digit in nearly every case).

mod corrupt;
mod eval;
mod names;

pub use eval::{
    evaluate, ErrorBreakdown, EvalReport, FalseAuto, FalseAutoBreakdown, Predicted, Ratio,
};

use std::collections::HashSet;

use nwd_domain::nhs_number::NhsNumber;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::record::Record;

use corrupt::Draft;
use names::{
    GIVEN_FEMALE, GIVEN_MALE, INWARD_LETTERS, NICKNAMES, SAME_NAME, STREET_KINDS, STREET_NAMES,
    SURNAMES, TAIL_PREFIXES, TAIL_SUFFIXES, TOWNS, TWIN_NAME_PAIRS,
};

pub use corrupt::{ErrorRates, MILD_ERRORS, SAME_PERSON_ERRORS};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyntheticConfig {
    /// Seed of the random stream; the same configuration always gives the same set.
    pub seed: u64,
    /// Households in the register (1.93 children each on average: 10,360 households make about
    /// 20,000 register people).
    pub households: usize,
    /// Number of labelled referrals.
    pub queries: usize,
    /// Share of referrals that carry an NHS number (for example 0.5, or 0.0 for none).
    pub nhs_number_share: f64,
}

/// Who a referral really is.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Truth {
    /// The register person with this id.
    Existing(String),
    /// Nobody in the register.
    New,
}

/// What a referral really is, relative to its nearest register person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum QueryKind {
    /// A person in the register, referred again.
    SamePerson,
    /// An unregistered brother or sister of a register person (same household).
    Sibling,
    /// The unregistered twin of a register person (same household and date of birth).
    CoTwin,
    /// Someone from a household the register has never seen.
    NewPerson,
}

impl QueryKind {
    /// All kinds, in reporting order.
    pub const ALL: [QueryKind; 4] = [
        QueryKind::SamePerson,
        QueryKind::Sibling,
        QueryKind::CoTwin,
        QueryKind::NewPerson,
    ];

    /// A short lower-case label (`same person`, `sibling`, `co-twin`, `new person`).
    pub fn label(self) -> &'static str {
        match self {
            QueryKind::SamePerson => "same person",
            QueryKind::Sibling => "sibling",
            QueryKind::CoTwin => "co-twin",
            QueryKind::NewPerson => "new person",
        }
    }
}

/// A referral with the answer the matcher should give.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledQuery {
    /// The referral as the matcher sees it (`id` is an opaque query id).
    pub record: Record,
    /// Who it really is.
    pub truth: Truth,
    /// What it really is.
    pub kind: QueryKind,
    /// The corruptions applied, by name (see [`SAME_PERSON_ERRORS`] and [`MILD_ERRORS`]);
    /// `nhs_typo` when the NHS number was mistyped.
    pub errors: Vec<&'static str>,
    /// The register person the referral is nearest to: the same person, the registered sibling
    /// or the registered twin; `None` for new people.
    pub nearest: Option<String>,
}

/// A register and referrals labelled against it.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticSet {
    /// Register people (ids `R000000`, `R000001`, … in shuffled order: ids say nothing about
    /// households).
    pub register: Vec<Record>,
    /// Referrals (ids `Q00000`, … in shuffled order).
    pub queries: Vec<LabelledQuery>,
}

/// The intended share of each kind of referral.
pub const QUERY_MIX: [(QueryKind, f64); 4] = [
    (QueryKind::SamePerson, 0.60),
    (QueryKind::Sibling, 0.15),
    (QueryKind::CoTwin, 0.05),
    (QueryKind::NewPerson, 0.20),
];

/// Ages are 0–25 on this date (year, month, day); dates of birth never follow it.
pub const REFERENCE_DATE: (i32, u32, u32) = (2025, 6, 30);

/// Probability that a birth is twins, where the household has room for two more children.
pub const TWIN_RATE: f64 = 0.025;

/// Share of register people whose NHS number the register holds.
pub const REGISTER_NHS_SHARE: f64 = 0.90;

/// Share of referrals carrying an NHS number whose number is mistyped by one digit.
pub const NHS_TYPO_RATE: f64 = 0.03;

/// Children per household: (count, weight).
const CHILDREN: [(usize, u32); 4] = [(1, 40), (2, 35), (3, 17), (4, 8)];

/// Street kinds' weights, in [`STREET_KINDS`] order.
const STREET_KIND_WEIGHTS: [u32; 10] = [30, 12, 15, 10, 8, 8, 8, 4, 3, 2];

/// Share of households living in flats.
const FLAT_SHARE: f64 = 0.08;

/// Share of households with a double-barrelled surname.
const DOUBLE_BARRELLED_SHARE: f64 = 0.03;

/// Share of twins with similar names, when a similar name exists.
const SIMILAR_TWIN_NAMES: f64 = 0.35;

/// Highest house number on a street; each postcode covers a run of numbers.
const MAX_HOUSE_NUMBER: u32 = 120;
const NUMBERS_PER_POSTCODE: u32 = 40;

/// Non-twin siblings are born at least this many days apart.
const MIN_SIBLING_GAP_DAYS: i64 = 300;

/// Generates the register and the labelled referrals for `config`.
pub fn generate(config: &SyntheticConfig) -> SyntheticSet {
    let mut world = World::new(config);
    for _ in 0..config.households {
        world.new_household();
    }
    // Every child of a register household is registered; siblings and twins made for
    // referrals later are not.
    let mut registered: Vec<usize> = (0..world.people.len()).collect();
    registered.shuffle(&mut world.rng);
    let mut register_id: Vec<Option<String>> = vec![None; world.people.len()];
    let mut register = Vec::with_capacity(registered.len());
    for (index, &person) in registered.iter().enumerate() {
        let id = format!("R{index:06}");
        register_id[person] = Some(id.clone());
        let with_nhs = world.rng.gen_bool(REGISTER_NHS_SHARE);
        register.push(world.register_record(person, id, with_nhs));
    }

    let counts = query_counts(config.queries, !registered.is_empty());
    let share = config.nhs_number_share.clamp(0.0, 1.0);
    let mut queries = Vec::with_capacity(config.queries);

    // Same person: distinct register people while the register is large enough.
    let same: Vec<usize> = if counts[0] <= registered.len() {
        rand::seq::index::sample(&mut world.rng, registered.len(), counts[0])
            .into_iter()
            .map(|i| registered[i])
            .collect()
    } else {
        (0..counts[0])
            .map(|_| registered[world.rng.gen_range(0..registered.len())])
            .collect()
    };
    for person in same {
        let (record, errors) = world.referral(person, &SAME_PERSON_ERRORS, share);
        let id = register_id[person].clone();
        queries.push(Pending {
            record,
            errors,
            kind: QueryKind::SamePerson,
            truth: id.clone().map_or(Truth::New, Truth::Existing),
            nearest: id,
        });
    }

    // Co-twins: register people without a registered twin get an unregistered one.
    let mut eligible: Vec<usize> = registered
        .iter()
        .copied()
        .filter(|&p| world.people[p].twin.is_none())
        .collect();
    eligible.shuffle(&mut world.rng);
    let twins_made = counts[2].min(eligible.len());
    let mut siblings_wanted = counts[1] + (counts[2] - twins_made);
    for &anchor in eligible.iter().take(twins_made) {
        let twin = world.add_twin(anchor);
        let (record, errors) = world.referral(twin, &MILD_ERRORS, share);
        queries.push(Pending {
            record,
            errors,
            kind: QueryKind::CoTwin,
            truth: Truth::New,
            nearest: register_id[anchor].clone(),
        });
    }

    // Siblings: an unregistered brother or sister of a random register person.
    let mut attempts = 0usize;
    while siblings_wanted > 0 && !registered.is_empty() && attempts < 20 * counts[1] + 100 {
        attempts += 1;
        let anchor = registered[world.rng.gen_range(0..registered.len())];
        let Some(sibling) = world.add_sibling(anchor) else {
            continue;
        };
        siblings_wanted -= 1;
        let (record, errors) = world.referral(sibling, &MILD_ERRORS, share);
        queries.push(Pending {
            record,
            errors,
            kind: QueryKind::Sibling,
            truth: Truth::New,
            nearest: register_id[anchor].clone(),
        });
    }

    // New people: one child of a household the register has never seen.
    while queries.len() < config.queries {
        let household = world.new_household();
        let children = &world.households[household].children;
        let person = children[world.rng.gen_range(0..children.len())];
        let (record, errors) = world.referral(person, &MILD_ERRORS, share);
        queries.push(Pending {
            record,
            errors,
            kind: QueryKind::NewPerson,
            truth: Truth::New,
            nearest: None,
        });
    }

    queries.shuffle(&mut world.rng);
    let queries = queries
        .into_iter()
        .enumerate()
        .map(|(index, pending)| {
            let mut record = pending.record;
            record.id = format!("Q{index:05}");
            LabelledQuery {
                record,
                truth: pending.truth,
                kind: pending.kind,
                errors: pending.errors,
                nearest: pending.nearest,
            }
        })
        .collect();
    SyntheticSet { register, queries }
}

/// Referral counts per kind in [`QUERY_MIX`] order (all new people when the register is empty).
fn query_counts(total: usize, have_register: bool) -> [usize; 4] {
    if !have_register {
        return [0, 0, 0, total];
    }
    let share = |k: usize| (total as f64 * QUERY_MIX[k].1).round() as usize;
    let same = share(0).min(total);
    let sibling = share(1).min(total - same);
    let twin = share(2).min(total - same - sibling);
    [same, sibling, twin, total - same - sibling - twin]
}

struct Pending {
    record: Record,
    errors: Vec<&'static str>,
    kind: QueryKind,
    truth: Truth,
    nearest: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sex {
    Female,
    Male,
}

impl Sex {
    fn word(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
}

struct Street {
    name: &'static str,
    kind: usize,
    town: usize,
    postcodes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Address {
    street: usize,
    number: u32,
    flat: Option<u32>,
}

struct Household {
    family: String,
    address: Address,
    children: Vec<usize>,
}

struct Person {
    given: &'static str,
    sex: Sex,
    /// Days since 1970-01-01.
    dob: i64,
    nhs: Option<NhsNumber>,
    household: usize,
    twin: Option<usize>,
}

/// Cumulative weights for drawing from a table.
struct Cumulative(Vec<f64>);

impl Cumulative {
    fn new(weights: impl IntoIterator<Item = f64>) -> Self {
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

    fn total(&self) -> f64 {
        self.0.last().copied().unwrap_or(0.0)
    }

    /// The index whose band holds `ticket` (0 ≤ ticket < total).
    fn index(&self, ticket: f64) -> usize {
        self.0
            .partition_point(|&c| c <= ticket)
            .min(self.0.len().saturating_sub(1))
    }

    fn draw(&self, rng: &mut ChaCha8Rng) -> usize {
        let ticket = rng.gen::<f64>() * self.total();
        self.index(ticket)
    }
}

struct World {
    rng: ChaCha8Rng,
    streets: Vec<Street>,
    town_streets: Vec<Vec<usize>>,
    households: Vec<Household>,
    people: Vec<Person>,
    used_nhs: HashSet<NhsNumber>,
    used_addresses: HashSet<Address>,
    female: Cumulative,
    male: Cumulative,
    surnames: Cumulative,
    earliest_dob: i64,
    latest_dob: i64,
}

impl World {
    fn new(config: &SyntheticConfig) -> Self {
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
        while streets.len() < street_count {
            let town = rng.gen_range(0..TOWNS.len());
            let name = STREET_NAMES[rng.gen_range(0..STREET_NAMES.len())];
            let kind = street_kinds.draw(&mut rng);
            if !seen_streets.insert((town, name, kind)) && seen_streets.len() < 15_000 {
                continue;
            }
            let districts = TOWNS[town].1;
            let district = districts[rng.gen_range(0..districts.len())];
            let sector = rng.gen_range(1..10);
            let units = rng.gen_range(1..=3);
            let mut postcodes = Vec::with_capacity(units);
            while postcodes.len() < units {
                let a = INWARD_LETTERS[rng.gen_range(0..INWARD_LETTERS.len())] as char;
                let b = INWARD_LETTERS[rng.gen_range(0..INWARD_LETTERS.len())] as char;
                let postcode = format!("{district} {sector}{a}{b}");
                if seen_postcodes.insert(postcode.clone()) || seen_postcodes.len() > 500_000 {
                    postcodes.push(postcode);
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
            used_nhs: HashSet::new(),
            used_addresses: HashSet::new(),
            female: Cumulative::new(popularity(GIVEN_FEMALE.len())),
            male: Cumulative::new(popularity(GIVEN_MALE.len())),
            surnames: Cumulative::new(SURNAMES.iter().map(|&(_, w)| f64::from(w))),
            earliest_dob,
            latest_dob,
        }
    }

    /// A surname: common ones at their rough frequency per 100,000, otherwise the long tail.
    fn surname(&mut self) -> String {
        let ticket = self.rng.gen::<f64>() * 100_000.0;
        if ticket < self.surnames.total() {
            SURNAMES[self.surnames.index(ticket)].0.to_owned()
        } else {
            let prefix = TAIL_PREFIXES[self.rng.gen_range(0..TAIL_PREFIXES.len())];
            let suffix = TAIL_SUFFIXES[self.rng.gen_range(0..TAIL_SUFFIXES.len())];
            format!("{prefix}{suffix}")
        }
    }

    fn household_surname(&mut self) -> String {
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
    fn address(&mut self, town: Option<usize>) -> Address {
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

    fn postcode(&self, address: &Address) -> &str {
        let street = &self.streets[address.street];
        let unit = ((address.number - 1) / NUMBERS_PER_POSTCODE) as usize % street.postcodes.len();
        &street.postcodes[unit]
    }

    fn new_household(&mut self) -> usize {
        let family = self.household_surname();
        let address = self.address(None);
        let household = self.households.len();
        self.households.push(Household {
            family,
            address,
            children: Vec::new(),
        });
        let weights = Cumulative::new(CHILDREN.iter().map(|&(_, w)| f64::from(w)));
        let mut remaining = CHILDREN[weights.draw(&mut self.rng)].0;
        let mut births = Vec::new();
        while remaining > 0 {
            if remaining >= 2 && self.rng.gen_bool(TWIN_RATE) {
                births.push(2);
                remaining -= 2;
            } else {
                births.push(1);
                remaining -= 1;
            }
        }
        let gaps: Vec<i64> = (1..births.len())
            .map(|_| {
                MIN_SIBLING_GAP_DAYS + self.rng.gen_range(0..1100) + self.rng.gen_range(0..800)
            })
            .collect();
        let span: i64 = gaps.iter().sum();
        let mut dob = self
            .rng
            .gen_range(self.earliest_dob..=(self.latest_dob - span).max(self.earliest_dob));
        for (index, &size) in births.iter().enumerate() {
            if index > 0 {
                dob += gaps[index - 1];
            }
            let first = self.new_child(household, dob, None, None);
            if size == 2 {
                self.add_twin(first);
            }
        }
        household
    }

    /// A new child in `household`, with a given name unlike their siblings'.
    fn new_child(
        &mut self,
        household: usize,
        dob: i64,
        sex: Option<Sex>,
        given: Option<&'static str>,
    ) -> usize {
        let sex = sex.unwrap_or_else(|| {
            if self.rng.gen_bool(0.5) {
                Sex::Female
            } else {
                Sex::Male
            }
        });
        let given = given.unwrap_or_else(|| self.given_name(household, sex));
        let nhs = self.mint_nhs_number();
        let person = self.people.len();
        self.people.push(Person {
            given,
            sex,
            dob,
            nhs,
            household,
            twin: None,
        });
        self.households[household].children.push(person);
        person
    }

    fn given_name(&mut self, household: usize, sex: Sex) -> &'static str {
        let (list, weights) = match sex {
            Sex::Female => (GIVEN_FEMALE, &self.female),
            Sex::Male => (GIVEN_MALE, &self.male),
        };
        let mut name = list[0];
        for _ in 0..50 {
            name = list[weights.draw(&mut self.rng)];
            if !self.name_taken(household, name) {
                break;
            }
        }
        name
    }

    /// True when a child of `household` has `name` or a name it is a short form of.
    fn name_taken(&self, household: usize, name: &str) -> bool {
        self.households[household]
            .children
            .iter()
            .any(|&c| names_clash(self.people[c].given, name))
    }

    /// A twin for `person` (same household and date of birth), linked both ways.
    fn add_twin(&mut self, person: usize) -> usize {
        let household = self.people[person].household;
        let dob = self.people[person].dob;
        let own = self.people[person].given;
        let similar: Vec<&'static str> = TWIN_NAME_PAIRS
            .iter()
            .filter_map(|&(a, b)| {
                if a == own {
                    Some(b)
                } else if b == own {
                    Some(a)
                } else {
                    None
                }
            })
            .filter(|n| !self.name_taken(household, n))
            .collect();
        let (sex, given) = if !similar.is_empty() && self.rng.gen_bool(SIMILAR_TWIN_NAMES) {
            let name = similar[self.rng.gen_range(0..similar.len())];
            let sex = if GIVEN_FEMALE.contains(&name) {
                Sex::Female
            } else {
                Sex::Male
            };
            (sex, Some(name))
        } else {
            // A third of twins are identical (same sex); half of the rest are too.
            let own_sex = self.people[person].sex;
            let sex = if self.rng.gen_bool(2.0 / 3.0) {
                own_sex
            } else {
                match own_sex {
                    Sex::Female => Sex::Male,
                    Sex::Male => Sex::Female,
                }
            };
            (sex, None)
        };
        let twin = self.new_child(household, dob, Some(sex), given);
        self.people[person].twin = Some(twin);
        self.people[twin].twin = Some(person);
        twin
    }

    /// A new brother or sister of `person`, born at least ten months from every sibling.
    fn add_sibling(&mut self, person: usize) -> Option<usize> {
        let household = self.people[person].household;
        for _ in 0..50 {
            let dob = self.rng.gen_range(self.earliest_dob..=self.latest_dob);
            let clear = self.households[household]
                .children
                .iter()
                .all(|&c| (self.people[c].dob - dob).abs() >= MIN_SIBLING_GAP_DAYS);
            if clear {
                return Some(self.new_child(household, dob, None, None));
            }
        }
        None
    }

    /// A unique valid NHS number from the 999 test range (`None` once the range is nearly used
    /// up: it holds about 909,000 valid numbers).
    fn mint_nhs_number(&mut self) -> Option<NhsNumber> {
        for _ in 0..64 {
            let mut stem = [9u8; 9];
            for digit in stem.iter_mut().skip(3) {
                *digit = self.rng.gen_range(0..10);
            }
            if let Some(number) = NhsNumber::from_stem(stem) {
                if self.used_nhs.insert(number) {
                    return Some(number);
                }
            }
        }
        None
    }

    fn address_line(&self, address: &Address, style: &corrupt::AddressStyle) -> String {
        let street = &self.streets[address.street];
        let (kind_full, kind_short) = STREET_KINDS[street.kind];
        let kind = if style.abbreviate {
            kind_short
        } else {
            kind_full
        };
        let separator = if style.no_commas { " " } else { ", " };
        let mut line = String::new();
        if let Some(flat) = address.flat {
            line.push_str(&format!("Flat {flat}{separator}"));
        }
        line.push_str(&format!("{} {} {}", address.number, street.name, kind));
        if !style.drop_town {
            line.push_str(separator);
            line.push_str(TOWNS[street.town].0);
        }
        if style.add_county {
            line.push_str(separator);
            line.push_str("Kent");
        }
        if style.lower_case {
            line = line.to_lowercase();
        }
        line
    }

    fn register_record(&self, person: usize, id: String, with_nhs: bool) -> Record {
        let p = &self.people[person];
        let household = &self.households[p.household];
        Record {
            id,
            nhs_number: if with_nhs {
                p.nhs.map(|n| n.as_digits())
            } else {
                None
            },
            given_name: Some(p.given.to_owned()),
            family_name: Some(household.family.clone()),
            date_of_birth: Some(iso_date(p.dob)),
            address: Some(self.address_line(&household.address, &corrupt::AddressStyle::PLAIN)),
            postcode: Some(self.postcode(&household.address).to_owned()),
            sex: Some(p.sex.word().to_owned()),
        }
    }

    /// The referral record for `person` (id left empty) and the corruptions applied.
    fn referral(
        &mut self,
        person: usize,
        rates: &ErrorRates,
        nhs_share: f64,
    ) -> (Record, Vec<&'static str>) {
        let p = &self.people[person];
        let household = &self.households[p.household];
        let draft = Draft {
            given: p.given.to_owned(),
            family: household.family.clone(),
            dob: p.dob,
            address: household.address,
            sex: p.sex,
            nhs: if self.rng.gen_bool(nhs_share) {
                p.nhs
            } else {
                None
            },
        };
        corrupt::apply(self, draft, rates)
    }
}

/// True when two given names are the same or one is a short form of the other (or both short
/// forms of one name): parents do not give both to two of their children.
fn names_clash(a: &str, b: &str) -> bool {
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    let nickname = NICKNAMES.iter().any(|(formal, short)| {
        let holds = |n: &str| formal.eq_ignore_ascii_case(n) || short.contains(&n);
        holds(a) && holds(b)
    });
    nickname
        || SAME_NAME
            .iter()
            .any(|group| group.contains(&a) && group.contains(&b))
}

/// The nicknames written in place of `given`, if it has any.
fn nicknames_of(given: &str) -> &'static [&'static str] {
    NICKNAMES
        .iter()
        .find(|(formal, _)| *formal == given)
        .map_or(&[], |(_, short)| short)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

fn iso_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests;
