//! The demo's "about the young person" records (`nwd_domain::about`), so that the
//! commissioner dashboard's uptake tables have something to show.
//!
//! Built from the synthetic person's details (the ethnic category, gender identity and group
//! flags `people` already drew, read by `AboutYoungPerson::from_person_details`, so the two
//! never disagree), with the questions those details cannot answer drawn from a hash of the
//! person's id — so the people, referrals and random streams of the demo are unchanged and the
//! same seed gives the same records. **The proportions are illustrative, not measured**: about
//! one young person in seven has no record (nobody asked), a few per cent chose "prefer not to
//! say" for each question, about 8 % say they are disabled and about 3 % are waiting for an
//! autism or ADHD assessment. They are roughly plausible for a county's CYP mental health
//! referrals, nothing more.

use nwd_domain::about::{AboutYoungPerson, Answer, Neurodivergence, SexAtBirth};
use nwd_domain::codes::{GenderIdentity, Sex};
use nwd_domain::person::Person;
use nwd_domain::PersonId;

/// A fixed stream of numbers in `0..1000` from a person's id (SplitMix64).
struct Draws(u64);

impl Draws {
    fn of(id: PersonId) -> Draws {
        let v = id.0.as_u128();
        Draws((v as u64) ^ ((v >> 64) as u64))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % 1000
    }
}

fn language_name(code: &str) -> String {
    match code {
        "en" => "English",
        "pl" => "Polish",
        "ro" => "Romanian",
        "ne" => "Nepali",
        "pa" => "Punjabi",
        "ur" => "Urdu",
        "ar" => "Arabic",
        "lt" => "Lithuanian",
        "tr" => "Turkish",
        other => other,
    }
    .to_owned()
}

/// One person's record, or `None` when (in the story) nobody asked.
pub fn about(person: &Person) -> Option<AboutYoungPerson> {
    let mut draw = Draws::of(person.id);
    if draw.next() < 140 {
        return None;
    }
    let details = &person.details;
    let mut about = AboutYoungPerson::from_person_details(details);
    about.first_language = details.language.as_deref().map(language_name);
    about.sex_at_birth = match details.sex {
        Sex::Female => Some(SexAtBirth::Female),
        Sex::Male => Some(SexAtBirth::Male),
        _ if draw.next() < 500 => Some(SexAtBirth::PreferNotToSay),
        _ => None,
    };
    let roll = draw.next();
    about.gender_same_as_sex_at_birth = match (details.gender_identity, details.sex) {
        (Some(GenderIdentity::NonBinary | GenderIdentity::Other), _)
        | (Some(GenderIdentity::Male), Sex::Female)
        | (Some(GenderIdentity::Female), Sex::Male) => Some(Answer::No),
        (Some(GenderIdentity::Male | GenderIdentity::Female), _) => Some(Answer::Yes),
        _ if roll < 40 => Some(Answer::PreferNotToSay),
        _ if roll < 800 => Some(Answer::Yes),
        _ => None,
    };
    // A question asked and not flagged is "no", or now and then "prefer not to say".
    let answer = |draw: &mut Draws, given: Option<Answer>| {
        given.or_else(|| {
            Some(if draw.next() < 30 {
                Answer::PreferNotToSay
            } else {
                Answer::No
            })
        })
    };
    let neuro = |draw: &mut Draws, given: Option<Neurodivergence>| {
        given.or_else(|| {
            let roll = draw.next();
            Some(if roll < 30 {
                Neurodivergence::Suspected
            } else if roll < 50 {
                Neurodivergence::PreferNotToSay
            } else {
                Neurodivergence::No
            })
        })
    };
    about.looked_after = answer(&mut draw, about.looked_after);
    about.care_leaver = answer(&mut draw, about.care_leaver);
    about.youth_justice = answer(&mut draw, about.youth_justice);
    about.send_ehcp = answer(&mut draw, about.send_ehcp);
    about.young_carer = answer(&mut draw, about.young_carer);
    about.interpreter_needed = answer(&mut draw, about.interpreter_needed);
    about.autistic = neuro(&mut draw, about.autistic);
    about.adhd = neuro(&mut draw, about.adhd);
    let roll = draw.next();
    about.disability = Some(if roll < 80 {
        Answer::Yes
    } else if roll < 120 {
        Answer::PreferNotToSay
    } else {
        Answer::No
    });
    Some(about)
}

/// The records of everyone who has one, for `nwd_store::DemoImport::abouts`.
pub fn abouts(persons: &[Person]) -> Vec<(PersonId, AboutYoungPerson)> {
    persons
        .iter()
        .filter_map(|p| about(p).map(|a| (p.id, a)))
        .collect()
}
