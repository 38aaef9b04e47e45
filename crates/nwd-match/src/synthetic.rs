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
//! flats. [`NHS_ISSUED_SHARE`] of children have an NHS number and the register records
//! [`REGISTER_NHS_SHARE`] of those (about 80 % of the register); [`REGISTER_FILLER_RATE`] of the
//! records without one carry a placeholder such as `0000000000` instead. Streets are drawn so
//! that a million-person register (about 518,000 households) still has distinct addresses.
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
//! (which fails the modulus-11 check digit in nearly every case); a referral that should carry
//! a number for a child who has none carries a placeholder a fifth of the time
//! (`nhs_placeholder`).
//!
//! # Issue 18's failure shapes
//! Besides the errors above: missing given names (`given_missing`), missing family names
//! (`family_missing`, also on siblings), surname changes and typos on siblings too (half- and
//! step-siblings, short surnames), partial addresses (`address_partial`: the house number
//! alone, or the street without the number), movers (`moved_house`), and placeholder numbers
//! in the register and on referrals.

mod corrupt;
mod dates;
mod eval;
mod family;
mod names;
mod records;
mod set;
#[cfg(test)]
mod tests;
mod world;

pub use eval::{
    evaluate, ErrorBreakdown, EvalReport, FalseAuto, FalseAutoBreakdown, Predicted, Ratio,
};

use rand::seq::SliceRandom;
use rand::Rng;

pub use corrupt::{ErrorRates, MILD_ERRORS, SAME_PERSON_ERRORS};
pub use set::{LabelledQuery, QueryKind, SyntheticConfig, SyntheticSet, Truth};

use dates::{civil_from_days, days_from_civil, iso_date};
use family::nicknames_of;
use world::{Address, Cumulative, Household, Pending, Person, Sex, World};

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

/// Share of children who have an NHS number at all (issued in the 999 test range). Below one
/// so that a million-person register fits the range's ~909,000 valid numbers.
pub const NHS_ISSUED_SHARE: f64 = 0.85;

/// Share of register people with a number whose number the register holds: about 80 % of the
/// register carries one (issue 18's household test: "80 % with NHS numbers").
pub const REGISTER_NHS_SHARE: f64 = 0.94;

/// Placeholder NHS numbers forms and systems use when the number is unknown: each passes
/// modulus 11. A few register records without a number carry one ([`REGISTER_FILLER_RATE`]),
/// and so do a few referrals without one (`nhs_placeholder`).
pub const PLACEHOLDER_NUMBERS: [&str; 3] = ["0000000000", "1111111111", "9999999999"];

/// Share of register records without a number that carry a placeholder instead.
pub const REGISTER_FILLER_RATE: f64 = 0.02;

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
        let mut record = world.register_record(person, id, with_nhs);
        if record.nhs_number.is_none() && world.rng.gen_bool(REGISTER_FILLER_RATE) {
            let filler = PLACEHOLDER_NUMBERS[world.rng.gen_range(0..PLACEHOLDER_NUMBERS.len())];
            record.nhs_number = Some(filler.to_owned());
        }
        register.push(record);
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
