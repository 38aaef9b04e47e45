//! Synthetic young people: names from short built-in lists, ages 0–25 weighted to 8–18, NHS
//! numbers only from the 999 test range (unique), Kent postcodes, ethnic categories in rough
//! English proportions, the flags the seeds single out, and parent or carer contacts.
//!
//! Nobody here is real. Phone numbers come from Ofcom's drama ranges (07700 900xxx) and email
//! addresses from `example.com`.

use jiff::civil::Date;
use jiff::ToSpan;
use nwd_domain::codes::{EthnicCategory as E, GenderIdentity, ReasonCode, Sex};
use nwd_domain::person::{age_in_years, CarerContact, Person, PersonDetails, PersonFlags};
use nwd_domain::{NhsNumber, PersonId, Postcode};
use rand::Rng;

use crate::draw::{chance, one_of, pick, uuid, DemoRng};

const GIVEN_FEMALE: [&str; 30] = [
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Sophia", "Grace",
    "Freya", "Emily", "Poppy", "Ella", "Evie", "Chloe", "Jessica", "Ruby", "Daisy", "Aisha",
    "Maryam", "Zara", "Hannah", "Maja", "Amira", "Priya", "Leah", "Niamh", "Erin", "Sienna",
];
const GIVEN_MALE: [&str; 30] = [
    "Noah", "Oliver", "George", "Arthur", "Muhammad", "Leo", "Harry", "Oscar", "Archie", "Henry",
    "Jack", "Charlie", "Freddie", "Theo", "Alfie", "Jacob", "Thomas", "Joshua", "Ethan", "Samuel",
    "Adam", "Yusuf", "Ibrahim", "Jakub", "Kai", "Reuben", "Callum", "Dylan", "Rohan", "Tyler",
];
const FAMILY: [&str; 50] = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood",
    "Jackson", "Clarke", "Patel", "Khan", "Ahmed", "Hussain", "Ali", "Singh", "Kaur", "Begum",
    "Nowak", "Kowalski", "Popescu", "Okafor", "Mensah", "Campbell", "Murphy", "Kelly", "Hughes",
    "Edwards", "Turner", "Hill", "Cooper", "Ward", "Morris", "King", "Baker", "Harris", "Lewis",
    "Gurung", "Rai", "Chen",
];
const STREETS: [&str; 14] = [
    "Orchard",
    "Station",
    "Church",
    "Hop Garden",
    "Mill",
    "Oast",
    "Chalk Pit",
    "Cherry Tree",
    "Shingle",
    "Harbour",
    "Marsh",
    "Bramley",
    "Cobnut",
    "Weald",
];
const STREET_KINDS: [&str; 6] = ["Road", "Lane", "Close", "Avenue", "Way", "Drive"];
/// Invented place-like names for schools and practices.
pub(crate) const PLACES: [&str; 16] = [
    "Hawthorn Lane",
    "Orchard Vale",
    "Kingsdown Park",
    "Marshside",
    "Harbour View",
    "Bluebell Rise",
    "Cobtree",
    "Larkfield Green",
    "Saltings",
    "Holloway Bank",
    "Beacon Down",
    "Chantry Mead",
    "Ridgeway",
    "Sandpiper",
    "Oakhurst",
    "Wealden Edge",
];
/// Kent postcode districts (ME, CT, TN, DA) used for addresses.
const DISTRICTS: [&str; 67] = [
    "ME1", "ME2", "ME3", "ME4", "ME5", "ME7", "ME8", "ME10", "ME12", "ME13", "ME14", "ME15",
    "ME16", "ME17", "ME18", "ME19", "ME20", "CT1", "CT2", "CT3", "CT4", "CT5", "CT6", "CT7", "CT8",
    "CT9", "CT10", "CT11", "CT12", "CT13", "CT14", "CT15", "CT16", "CT17", "CT18", "CT19", "CT20",
    "CT21", "DA1", "DA2", "DA3", "DA4", "DA9", "DA10", "DA11", "DA12", "DA13", "TN1", "TN2", "TN3",
    "TN4", "TN8", "TN9", "TN10", "TN11", "TN12", "TN13", "TN14", "TN15", "TN16", "TN17", "TN18",
    "TN23", "TN24", "TN25", "TN26", "TN27",
];
/// Letters Royal Mail uses in the inward code.
const INWARD_LETTERS: &[u8; 20] = b"ABDEFGHJLNPQRSTUWXYZ";

/// Relative numbers referred at each age 0–25: most are 8–18.
const AGE_WEIGHTS: [u32; 26] = [
    1, 1, 2, 3, 5, 7, 9, 11, 14, 16, 18, 22, 26, 30, 34, 36, 36, 32, 20, 14, 11, 9, 8, 7, 6, 5,
];

/// Ethnic categories in rough proportion for young people in England (2021 census shape).
const ETHNICITY: [(E, u32); 18] = [
    (E::WhiteBritish, 700),
    (E::WhiteIrish, 5),
    (E::WhiteOther, 65),
    (E::MixedWhiteBlackCaribbean, 12),
    (E::MixedWhiteBlackAfrican, 7),
    (E::MixedWhiteAsian, 12),
    (E::MixedOther, 12),
    (E::AsianIndian, 33),
    (E::AsianPakistani, 35),
    (E::AsianBangladeshi, 14),
    (E::AsianOther, 16),
    (E::BlackCaribbean, 10),
    (E::BlackAfrican, 30),
    (E::BlackOther, 6),
    (E::Chinese, 6),
    (E::OtherEthnicGroup, 22),
    (E::NotStated, 15),
    (E::NotKnown, 20),
];

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

fn draw_age(rng: &mut DemoRng, (from, to): (i16, i16)) -> i16 {
    let candidates: Vec<(i16, u32)> = (from.max(0)..=to.min(25))
        .map(|age| (age, AGE_WEIGHTS.get(age as usize).copied().unwrap_or(1)))
        .collect();
    crate::draw::pick_weighted(rng, &candidates).unwrap_or(14)
}

/// A date of birth giving `age` on `on`, and no older than 25 on `end` (so the whole register
/// is in the 0–25 range the system serves when the demo ends).
fn date_of_birth(rng: &mut DemoRng, on: Date, end: Date, age: i16) -> Date {
    let mut born = nwd_domain::person::birthday(on, -age)
        .checked_sub(rng.gen_range(0..365).days())
        .unwrap_or(on);
    while age_in_years(born, end) > 25 {
        born = born.checked_add(1.year()).unwrap_or(on);
    }
    born.min(on)
}

fn draw_sex(rng: &mut DemoRng, reason: ReasonCode) -> Sex {
    let female = match reason {
        ReasonCode::EatingDisorder => 880,
        ReasonCode::SuspectedAutism | ReasonCode::SuspectedAdhd | ReasonCode::ConductDisorder => {
            320
        }
        ReasonCode::SelfHarm => 700,
        _ => 500,
    };
    pick(
        rng,
        &[
            (Sex::Female, female),
            (Sex::Male, 985 - female),
            (Sex::NotKnown, 14),
            (Sex::Indeterminate, 1),
        ],
    )
}

fn gender_identity(
    rng: &mut DemoRng,
    sex: Sex,
    age: i16,
    reason: ReasonCode,
) -> Option<GenderIdentity> {
    if reason == ReasonCode::GenderDiscomfort {
        return Some(match sex {
            Sex::Female if chance(rng, 0.6) => GenderIdentity::Male,
            Sex::Male if chance(rng, 0.6) => GenderIdentity::Female,
            _ => GenderIdentity::NonBinary,
        });
    }
    if age < 12 || chance(rng, 0.55) {
        return None;
    }
    let same = match sex {
        Sex::Female => GenderIdentity::Female,
        Sex::Male => GenderIdentity::Male,
        _ => GenderIdentity::NotKnown,
    };
    Some(pick(
        rng,
        &[
            (same, 95),
            (GenderIdentity::NonBinary, 3),
            (GenderIdentity::Other, 1),
            (GenderIdentity::NotStated, 1),
        ],
    ))
}

/// A synthetic postcode in a Kent district, e.g. `ME14 3QX`.
fn postcode(rng: &mut DemoRng) -> Option<Postcode> {
    let letter = |rng: &mut DemoRng| char::from(one_of(rng, INWARD_LETTERS));
    let text = format!(
        "{} {}{}{}",
        one_of(rng, &DISTRICTS),
        rng.gen_range(0..10),
        letter(rng),
        letter(rng)
    );
    Postcode::parse(&text).ok()
}

fn flags(rng: &mut DemoRng, age: i16, referred: &Referred) -> PersonFlags {
    let in_care = chance(rng, 0.03);
    PersonFlags {
        looked_after: in_care && age < 18,
        care_leaver: in_care && age >= 18,
        youth_justice: referred.youth_justice || ((10..=19).contains(&age) && chance(rng, 0.01)),
        send_ehcp: chance(rng, 0.15),
        autistic: referred.reason == ReasonCode::DiagnosedAutism || chance(rng, 0.05),
        adhd: referred.reason == ReasonCode::DiagnosedAdhd || chance(rng, 0.06),
        young_carer: age >= 8 && chance(rng, 0.04),
    }
}

fn carers(rng: &mut DemoRng, age: i16, family_name: &str, looked_after: bool) -> Vec<CarerContact> {
    let mut carers = Vec::new();
    let contact =
        |rng: &mut DemoRng, relationship: &str, same_family: bool, responsibility: bool| {
            let given = if relationship == "father" {
                one_of(rng, &GIVEN_MALE)
            } else {
                one_of(rng, &GIVEN_FEMALE)
            };
            let family = if same_family {
                family_name
            } else {
                one_of(rng, &FAMILY)
            };
            CarerContact {
                name: format!("{given} {family}"),
                relationship: relationship.to_string(),
                phone: Some(format!("07700 900{:03}", rng.gen_range(0..1000))),
                email: chance(rng, 0.5).then(|| {
                    format!(
                        "{}.{}@example.com",
                        given.to_lowercase(),
                        family.to_lowercase()
                    )
                }),
                parental_responsibility: responsibility,
            }
        };
    if looked_after {
        carers.push(contact(rng, "foster carer", false, false));
    } else if age < 18 {
        let first = one_of(
            rng,
            &[
                "mother",
                "mother",
                "mother",
                "father",
                "grandmother",
                "stepmother",
            ],
        );
        let same_family = chance(rng, 0.85);
        carers.push(contact(
            rng,
            first,
            same_family,
            matches!(first, "mother" | "father"),
        ));
        if chance(rng, 0.55) {
            let same_family = chance(rng, 0.8);
            carers.push(contact(rng, "father", same_family, true));
        }
    } else if chance(rng, 0.25) {
        carers.push(contact(rng, "mother", true, false));
    }
    carers
}

fn language(rng: &mut DemoRng) -> Option<String> {
    let code = pick(
        rng,
        &[
            ("en", 880),
            ("", 50),
            ("pl", 20),
            ("ro", 12),
            ("ne", 10),
            ("pa", 7),
            ("ur", 7),
            ("ar", 6),
            ("lt", 4),
            ("tr", 4),
        ],
    );
    (!code.is_empty()).then(|| code.to_string())
}

fn school(rng: &mut DemoRng, age: i16) -> Option<String> {
    let kind = match age {
        4..=10 => "Primary School",
        11..=15 => one_of(
            rng,
            &[
                "Academy",
                "High School",
                "Grammar School",
                "Community College",
            ],
        ),
        16..=18 => one_of(
            rng,
            &["Academy Sixth Form", "Sixth Form College", "Grammar School"],
        ),
        19..=25 if chance(rng, 0.3) => "College",
        _ => return None,
    };
    Some(format!("{} {kind}", one_of(rng, &PLACES)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use rand::SeedableRng;

    #[test]
    fn people_are_synthetic_in_range_and_have_unique_test_numbers() {
        let mut rng = DemoRng::seed_from_u64(11);
        let mut register = Register::new();
        let referred = Referred {
            on: date(2024, 6, 1),
            end: date(2026, 3, 31),
            ages: (0, 25),
            reason: ReasonCode::Anxiety,
            youth_justice: false,
        };
        for _ in 0..3000 {
            let person = register.create(&mut rng, &referred);
            register.add(person);
        }
        let mut numbers: Vec<_> = register
            .persons
            .iter()
            .filter_map(|p| p.details.nhs_number)
            .collect();
        let with_numbers = numbers.len();
        assert!((2400..2700).contains(&with_numbers), "{with_numbers}");
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), with_numbers, "NHS numbers are unique");
        for person in &register.persons {
            let d = &person.details;
            assert!(d.nhs_number.is_none_or(|n| n.is_test_range()));
            assert!(d.age_on(date(2026, 3, 31)) <= 25 && d.date_of_birth <= referred.on);
            let mut errors = nwd_domain::ValidationErrors::new();
            d.validate(date(2026, 3, 31), "", &mut errors);
            assert!(errors.is_empty(), "{errors}");
        }
        let teenagers = register
            .persons
            .iter()
            .filter(|p| (8..=18).contains(&p.details.age_on(referred.on)))
            .count();
        assert!(teenagers > 2000, "{teenagers}");
    }
}
