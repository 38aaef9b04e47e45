//! Who made each referral, in the shape the referral form collects: the young person
//! themselves, a parent or carer from their contacts, or a professional with an invented name,
//! an organisation, and contact details from reserved ranges (01632 960xxx, example.org).

use nwd_domain::codes::ReferralSource as S;
use nwd_domain::person::Person;
use nwd_domain::referral::Referrer;
use rand::Rng;

use crate::draw::{chance, one_of, DemoRng};
use crate::people::PLACES;

/// Invented given and family names for professionals.
const STAFF_GIVEN: [&str; 10] = [
    "Alex", "Jo", "Sam", "Chris", "Pat", "Nicola", "Gareth", "Fatima", "Rebecca", "Imran",
];
const STAFF_FAMILY: [&str; 8] = [
    "Morgan", "Hughes", "Bennett", "Ansari", "Fraser", "Doyle", "Oduya", "Walsh",
];

/// The referrer for a referral from `source` about `person`.
pub(crate) fn referrer(rng: &mut DemoRng, source: S, person: &Person) -> Referrer {
    let details = &person.details;
    let professional = |rng: &mut DemoRng, role: &str, organisation: String| {
        let name = format!(
            "{} {}",
            one_of(rng, &STAFF_GIVEN),
            one_of(rng, &STAFF_FAMILY)
        );
        Referrer {
            email: Some(format!(
                "{}@example.org",
                name.to_lowercase().replace(' ', ".")
            )),
            name,
            role: Some(role.to_string()),
            organisation: Some(organisation),
            phone: Some(format!("01632 960{:03}", rng.gen_range(0..1000))),
        }
    };
    match source {
        S::SelfReferral => Referrer {
            name: format!("{} {}", details.given_name, details.family_name),
            role: None,
            organisation: None,
            phone: Some(format!("07700 900{:03}", rng.gen_range(0..1000))),
            email: None,
        },
        S::ParentCarer => {
            let carer = details.carers.first();
            Referrer {
                name: carer.map_or_else(
                    || format!("Parent of {}", details.given_name),
                    |c| c.name.clone(),
                ),
                role: Some(carer.map_or_else(|| "parent".to_string(), |c| c.relationship.clone())),
                organisation: None,
                phone: carer.and_then(|c| c.phone.clone()),
                email: carer.and_then(|c| c.email.clone()),
            }
        }
        S::Gp => {
            let mut r = professional(
                rng,
                "GP",
                details
                    .gp_practice
                    .clone()
                    .unwrap_or_else(|| "GP practice".to_string()),
            );
            r.name = format!("Dr {}", r.name);
            r
        }
        S::School => {
            let role = one_of(
                rng,
                &[
                    "Designated safeguarding lead",
                    "SENCo",
                    "Head of year",
                    "Pastoral lead",
                ],
            );
            let school = details
                .school
                .clone()
                .unwrap_or_else(|| format!("{} Academy", one_of(rng, &PLACES)));
            professional(rng, role, school)
        }
        S::SocialCare => professional(
            rng,
            "Social worker",
            "Kent County Council Children's Social Work Services".to_string(),
        ),
        S::YouthJustice => professional(
            rng,
            "Youth justice practitioner",
            "Kent County Council Youth Justice Service".to_string(),
        ),
        S::Police => professional(rng, "Police constable", "Kent Police".to_string()),
        S::EmergencyDepartment => {
            let hospital = one_of(
                rng,
                &[
                    "Weald General Hospital",
                    "Stour Valley Hospital",
                    "Thames Reach Hospital",
                ],
            );
            professional(
                rng,
                "Liaison mental health nurse",
                format!("Emergency Department, {hospital}"),
            )
        }
        S::VoluntarySector => {
            let organisation = one_of(
                rng,
                &[
                    "Saltmarsh Family Wellbeing",
                    "Hopfield Youth Counselling",
                    "Local youth club",
                ],
            );
            professional(rng, "Youth worker", organisation.to_string())
        }
        S::Transfer => professional(
            rng,
            "Care coordinator",
            "CYPMHS, out-of-area NHS trust".to_string(),
        ),
        S::Other => {
            let role = one_of(
                rng,
                &["School nurse", "Health visitor", "Family hub practitioner"],
            );
            professional(rng, role, "Public health and family services".to_string())
        }
    }
}

/// Agencies the young person or family agreed the referral may be shared with.
pub(crate) fn consent(rng: &mut DemoRng, source: S) -> Vec<String> {
    let mut agencies = Vec::new();
    if chance(rng, 0.8) {
        agencies.push("GP".to_string());
    }
    if source == S::School || chance(rng, 0.5) {
        agencies.push("School".to_string());
    }
    if source == S::SocialCare || source == S::YouthJustice {
        agencies.push("Children's social care".to_string());
    }
    agencies
}
