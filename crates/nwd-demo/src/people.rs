//! Synthetic young people: names from short built-in lists, ages 0–25 weighted to 8–18, NHS
//! numbers only from the 999 test range (unique), Kent postcodes, ethnic categories in rough
//! English proportions, the flags the seeds single out, and parent or carer contacts.
//!
//! Nobody here is real. Phone numbers come from Ofcom's drama ranges (07700 900xxx) and email
//! addresses from `example.com`.

use jiff::civil::Date;
use nwd_domain::codes::{ReasonCode, Sex};
use nwd_domain::person::{age_in_years, Person, PersonDetails};
use nwd_domain::{NhsNumber, PersonId};
use rand::Rng;

use crate::draw::{chance, one_of, pick, uuid, DemoRng};

mod details;
pub(crate) mod lists;
#[cfg(test)]
mod tests;

use details::{
    carers, date_of_birth, draw_age, draw_sex, flags, gender_identity, language, postcode, school,
};
pub(crate) use lists::PLACES;
use lists::{ETHNICITY, FAMILY, GIVEN_FEMALE, GIVEN_MALE, STREETS, STREET_KINDS};

/// The register being built, and the NHS numbers already used.
pub(crate) struct Register {
    pub persons: Vec<Person>,
    /// When each person was last referred (simulated seconds).
    pub last_referred: Vec<i64>,
    /// One bit per six-digit test-range stem already issued.
    used_stems: Vec<u64>,
}

/// What shapes a new person: when and by whom they were referred, and why.
pub(crate) struct Referred {
    pub on: Date,
    pub end: Date,
    pub ages: (i16, i16),
    pub reason: ReasonCode,
    pub youth_justice: bool,
}

impl Register {
    pub(crate) fn new() -> Register {
        Register {
            persons: Vec::new(),
            last_referred: Vec::new(),
            used_stems: vec![0; 1_000_000 / 64 + 1],
        }
    }

    /// An earlier person to re-refer: last referred at least four weeks before `now` and
    /// within `ages` on `on`.
    pub(crate) fn rereferral(
        &self,
        rng: &mut DemoRng,
        now: i64,
        on: Date,
        ages: (i16, i16),
    ) -> Option<usize> {
        if self.persons.is_empty() {
            return None;
        }
        for _ in 0..6 {
            let index = rng.gen_range(0..self.persons.len());
            let old_enough = self
                .last_referred
                .get(index)
                .is_some_and(|last| *last + 28 * crate::calendar::DAY < now);
            let in_range = self.persons.get(index).is_some_and(|p| {
                let age = p.details.age_on(on);
                (ages.0..=ages.1).contains(&age)
            });
            if old_enough && in_range {
                return Some(index);
            }
        }
        None
    }

    /// Creates a new synthetic person (reserving their NHS number); [`Register::add`] adds
    /// them to the register.
    pub(crate) fn create(&mut self, rng: &mut DemoRng, referred: &Referred) -> Person {
        let id = PersonId(uuid(rng));
        let age = draw_age(rng, referred.ages);
        let date_of_birth = date_of_birth(rng, referred.on, referred.end, age);
        let age = age_in_years(date_of_birth, referred.on);
        let sex = draw_sex(rng, referred.reason);
        let given_name = match sex {
            Sex::Female => one_of(rng, &GIVEN_FEMALE),
            Sex::Male => one_of(rng, &GIVEN_MALE),
            _ if rng.gen_bool(0.5) => one_of(rng, &GIVEN_FEMALE),
            _ => one_of(rng, &GIVEN_MALE),
        };
        let family_name = one_of(rng, &FAMILY);
        let nhs_number = if chance(rng, 0.85) {
            self.nhs_number(rng)
        } else {
            None
        };
        let postcode = if chance(rng, 0.97) {
            Some(postcode(rng))
        } else {
            None
        }
        .flatten();
        let flags = flags(rng, age, referred);
        let carers = carers(rng, age, family_name, flags.looked_after);
        let language = language(rng);
        let interpreter_needed =
            language.as_deref().is_some_and(|l| l != "en") && chance(rng, 0.25);
        Person {
            id,
            details: PersonDetails {
                nhs_number,
                given_name: given_name.to_string(),
                family_name: family_name.to_string(),
                preferred_name: chance(rng, 0.04)
                    .then(|| one_of(rng, &["Sam", "Alex", "Jo", "Charlie", "Frankie"]).to_string()),
                date_of_birth,
                sex,
                gender_identity: gender_identity(rng, sex, age, referred.reason),
                ethnic_category: pick(rng, &ETHNICITY),
                address: Some(format!(
                    "{} {} {}",
                    rng.gen_range(1..=180),
                    one_of(rng, &STREETS),
                    one_of(rng, &STREET_KINDS)
                )),
                postcode,
                school: school(rng, age),
                gp_practice: Some(format!("{} Surgery", one_of(rng, &PLACES))),
                flags,
                carers,
                language,
                interpreter_needed,
            },
        }
    }

    /// Adds a person created by [`Register::create`] and returns their index.
    pub(crate) fn add(&mut self, person: Person) -> usize {
        self.persons.push(person);
        self.last_referred.push(i64::MIN / 2);
        self.persons.len() - 1
    }

    /// A unique NHS number from the 999 test range; `None` if the range were exhausted.
    fn nhs_number(&mut self, rng: &mut DemoRng) -> Option<NhsNumber> {
        for _ in 0..64 {
            let stem_number: u32 = rng.gen_range(0..1_000_000);
            let (word, bit) = ((stem_number / 64) as usize, stem_number % 64);
            let used = self
                .used_stems
                .get(word)
                .is_some_and(|w| w & (1 << bit) != 0);
            if used {
                continue;
            }
            let mut stem = [9u8, 9, 9, 0, 0, 0, 0, 0, 0];
            let mut rest = stem_number;
            for digit in stem[3..].iter_mut().rev() {
                *digit = (rest % 10) as u8;
                rest /= 10;
            }
            if let Some(number) = NhsNumber::from_stem(stem) {
                if let Some(w) = self.used_stems.get_mut(word) {
                    *w |= 1 << bit;
                }
                return Some(number);
            }
        }
        None
    }
}
