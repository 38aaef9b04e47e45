//! Drawing one person's details: age and date of birth, sex and gender identity, postcode,
//! the flags the seeds single out, parent or carer contacts (Ofcom drama-range phone numbers,
//! `example.com` addresses), language and school.

use jiff::civil::Date;
use jiff::ToSpan;
use nwd_domain::codes::{GenderIdentity, ReasonCode, Sex};
use nwd_domain::person::{age_in_years, CarerContact, PersonFlags};
use nwd_domain::Postcode;
use rand::Rng;

use crate::draw::{chance, one_of, pick, DemoRng};

use super::lists::*;
use super::Referred;

pub(super) fn draw_age(rng: &mut DemoRng, (from, to): (i16, i16)) -> i16 {
    let candidates: Vec<(i16, u32)> = (from.max(0)..=to.min(25))
        .map(|age| (age, AGE_WEIGHTS.get(age as usize).copied().unwrap_or(1)))
        .collect();
    crate::draw::pick_weighted(rng, &candidates).unwrap_or(14)
}

/// A date of birth giving `age` on `on`, and no older than 25 on `end` (so the whole register
/// is in the 0–25 range the system serves when the demo ends).
pub(super) fn date_of_birth(rng: &mut DemoRng, on: Date, end: Date, age: i16) -> Date {
    let mut born = nwd_domain::person::birthday(on, -age)
        .checked_sub(rng.gen_range(0..365).days())
        .unwrap_or(on);
    while age_in_years(born, end) > 25 {
        born = born.checked_add(1.year()).unwrap_or(on);
    }
    born.min(on)
}

pub(super) fn draw_sex(rng: &mut DemoRng, reason: ReasonCode) -> Sex {
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

pub(super) fn gender_identity(
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
pub(super) fn postcode(rng: &mut DemoRng) -> Option<Postcode> {
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

pub(super) fn flags(rng: &mut DemoRng, age: i16, referred: &Referred) -> PersonFlags {
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

pub(super) fn carers(
    rng: &mut DemoRng,
    age: i16,
    family_name: &str,
    looked_after: bool,
) -> Vec<CarerContact> {
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

pub(super) fn language(rng: &mut DemoRng) -> Option<String> {
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

pub(super) fn school(rng: &mut DemoRng, age: i16) -> Option<String> {
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
