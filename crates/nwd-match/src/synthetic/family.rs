//! Households and the children in them: a new household, a child, a twin or an unregistered
//! brother or sister, given names that never clash within a household ([`names_clash`]), and
//! NHS numbers minted only from the 999 range reserved for test data.

use nwd_domain::nhs_number::NhsNumber;
use rand::Rng;

use super::names::{GIVEN_FEMALE, GIVEN_MALE, NICKNAMES, SAME_NAME, TWIN_NAME_PAIRS};

use super::{
    Cumulative, Household, Person, Sex, World, CHILDREN, MIN_SIBLING_GAP_DAYS, NHS_ISSUED_SHARE,
    SIMILAR_TWIN_NAMES, TWIN_RATE,
};

impl World {
    pub(super) fn new_household(&mut self) -> usize {
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
    pub(super) fn new_child(
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

    pub(super) fn given_name(&mut self, household: usize, sex: Sex) -> &'static str {
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
    pub(super) fn name_taken(&self, household: usize, name: &str) -> bool {
        self.households[household]
            .children
            .iter()
            .any(|&c| names_clash(self.people[c].given, name))
    }

    /// A twin for `person` (same household and date of birth), linked both ways.
    pub(super) fn add_twin(&mut self, person: usize) -> usize {
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
    pub(super) fn add_sibling(&mut self, person: usize) -> Option<usize> {
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

    /// A unique valid NHS number from the 999 test range for [`NHS_ISSUED_SHARE`] of children
    /// (`None` for the rest, and once the range is used up: it holds about 909,000 valid
    /// numbers). A random stem, then the next unused stem with a valid check digit: constant
    /// work per number even when most of the range is taken, as in a register of a million.
    pub(super) fn mint_nhs_number(&mut self) -> Option<NhsNumber> {
        if !self.rng.gen_bool(NHS_ISSUED_SHARE) {
            return None;
        }
        let start = self.rng.gen_range(0..self.used_nhs.len());
        for offset in 0..self.used_nhs.len() {
            let stem_number = (start + offset) % self.used_nhs.len();
            if self.used_nhs[stem_number] {
                continue;
            }
            let mut stem = [9u8; 9];
            let mut rest = stem_number;
            for digit in stem.iter_mut().rev().take(6) {
                *digit = (rest % 10) as u8;
                rest /= 10;
            }
            if let Some(number) = NhsNumber::from_stem(stem) {
                self.used_nhs[stem_number] = true;
                return Some(number);
            }
        }
        None
    }
}

/// True when two given names are the same or one is a short form of the other (or both short
/// forms of one name): parents do not give both to two of their children.
pub(super) fn names_clash(a: &str, b: &str) -> bool {
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
pub(super) fn nicknames_of(given: &str) -> &'static [&'static str] {
    NICKNAMES
        .iter()
        .find(|(formal, _)| *formal == given)
        .map_or(&[], |(_, short)| short)
}
