//! The person: a child or young person (0–25) in the register, with the demographics and
//! flags the seeds single out, parent/carer contacts, language, and Gillick competence.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::codes::{EthnicCategory, GenderIdentity, Sex};
use crate::error::ValidationErrors;
use crate::ids::PersonId;
use crate::nhs_number::NhsNumber;
use crate::postcode::Postcode;

/// The oldest age the system serves: services run to 25 (domain guide §1, `002_…`: the
/// NHS Long Term Plan's "0–25 offer"; `003_…` para 113, transitions by need, not absolute
/// age). The one home of the upper limit: the API, the pages and their templates read it.
pub const MAX_SERVED_AGE_YEARS: i16 = 25;
/// The youngest age the system serves (from birth).
pub const MIN_SERVED_AGE_YEARS: i16 = 0;
/// The ages the system serves, in whole years: 0 to 25 inclusive.
pub const SERVED_AGES: std::ops::RangeInclusive<i16> = MIN_SERVED_AGE_YEARS..=MAX_SERVED_AGE_YEARS;

/// True when someone born on `date_of_birth` is older on `on` than the system serves
/// (26 or over): the rule every door's date-of-birth question applies.
pub fn older_than_served(date_of_birth: Date, on: Date) -> bool {
    age_in_years(date_of_birth, on) > MAX_SERVED_AGE_YEARS
}

/// Most parent or carer contacts one referral may list (local default: a child has at most a
/// handful of people with parental responsibility or care; a bound keeps one request small).
pub const MAX_CARERS: usize = 10;

/// Groups the seeds single out for monitoring and priority.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct PersonFlags {
    /// Looked after by the local authority.
    pub looked_after: bool,
    /// A care leaver.
    pub care_leaver: bool,
    /// Known to youth justice.
    pub youth_justice: bool,
    /// Special educational needs or an education, health and care plan.
    pub send_ehcp: bool,
    /// Autistic (diagnosed).
    pub autistic: bool,
    /// ADHD (diagnosed).
    pub adhd: bool,
    /// A young carer.
    pub young_carer: bool,
}

/// A parent or carer who may be contacted (subject to the young person's confidentiality).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CarerContact {
    /// Name.
    pub name: String,
    /// Relationship to the young person, e.g. "mother", "foster carer".
    pub relationship: String,
    /// Telephone number, if given.
    #[serde(default)]
    pub phone: Option<String>,
    /// Email, if given.
    #[serde(default)]
    pub email: Option<String>,
    /// Holds parental responsibility.
    #[serde(default)]
    pub parental_responsibility: bool,
}

/// Person details as supplied with a referral (already parsed into domain types).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonDetails {
    /// NHS number, if known (checked modulus 11).
    #[serde(default)]
    pub nhs_number: Option<NhsNumber>,
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Name the young person prefers to be called, if different.
    #[serde(default)]
    pub preferred_name: Option<String>,
    /// Date of birth.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date_of_birth: Date,
    /// Stated sex.
    #[serde(default = "unknown_sex")]
    pub sex: Sex,
    /// Gender identity.
    #[serde(default)]
    pub gender_identity: Option<GenderIdentity>,
    /// NHS ethnic category.
    #[serde(default = "unknown_ethnicity")]
    pub ethnic_category: EthnicCategory,
    /// Home postcode.
    #[serde(default)]
    pub postcode: Option<Postcode>,
    /// First line(s) of address, free text.
    #[serde(default)]
    pub address: Option<String>,
    /// School or college attended.
    #[serde(default)]
    pub school: Option<String>,
    /// Registered GP practice code or name.
    #[serde(default)]
    pub gp_practice: Option<String>,
    /// Flags for the groups the seeds single out.
    #[serde(default)]
    pub flags: PersonFlags,
    /// Parent and carer contacts.
    #[serde(default)]
    pub carers: Vec<CarerContact>,
    /// Preferred language (ISO 639-1, e.g. `en`, `pl`).
    #[serde(default)]
    pub language: Option<String>,
    /// Needs an interpreter.
    #[serde(default)]
    pub interpreter_needed: bool,
}

fn unknown_sex() -> Sex {
    Sex::NotKnown
}
fn unknown_ethnicity() -> EthnicCategory {
    EthnicCategory::NotKnown
}

/// A person in the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    /// Register id.
    pub id: PersonId,
    /// Their details.
    #[serde(flatten)]
    pub details: PersonDetails,
}

impl PersonDetails {
    /// Checks the rules a person's details must meet on `today`: names present, born, and
    /// within the 0–25 age range the system serves.
    pub fn validate(&self, today: Date, prefix: &str, errors: &mut ValidationErrors) {
        use crate::person_text::{
            check_name, check_text, MAX_ADDRESS_CHARS, MAX_EMAIL_CHARS, MAX_PHONE_CHARS,
            MAX_SHORT_TEXT_CHARS,
        };
        if self.given_name.trim().is_empty() {
            errors.add(
                format!("{prefix}given_name"),
                "enter the young person's given name",
            );
        } else {
            check_name(errors, &format!("{prefix}given_name"), &self.given_name);
        }
        if self.family_name.trim().is_empty() {
            errors.add(
                format!("{prefix}family_name"),
                "enter the young person's family name",
            );
        } else {
            check_name(errors, &format!("{prefix}family_name"), &self.family_name);
        }
        if let Some(preferred) = self
            .preferred_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
        {
            check_name(errors, &format!("{prefix}preferred_name"), preferred);
        }
        let short = [
            ("address", &self.address, MAX_ADDRESS_CHARS),
            ("school", &self.school, MAX_SHORT_TEXT_CHARS),
            ("gp_practice", &self.gp_practice, MAX_SHORT_TEXT_CHARS),
        ];
        for (field, value, max) in short {
            if let Some(value) = value {
                check_text(
                    errors,
                    &format!("{prefix}{field}"),
                    value,
                    max,
                    field == "address",
                );
            }
        }
        if self.carers.len() > MAX_CARERS {
            errors.add(
                format!("{prefix}carers"),
                format!("list at most {MAX_CARERS} parents or carers"),
            );
        }
        if self.date_of_birth > today {
            errors.add(
                format!("{prefix}date_of_birth"),
                "date of birth must be today or in the past",
            );
        } else if older_than_served(self.date_of_birth, today) {
            errors.add(
                format!("{prefix}date_of_birth"),
                format!("No Wrong Door serves children and young people aged {MIN_SERVED_AGE_YEARS} to {MAX_SERVED_AGE_YEARS}; this date of birth makes them older"),
            );
        }
        if let Some(language) = &self.language {
            if language.len() != 2 || !language.chars().all(|c| c.is_ascii_lowercase()) {
                errors.add(
                    format!("{prefix}language"),
                    "use a two-letter ISO 639-1 code, e.g. en or pl",
                );
            }
        }
        for (i, carer) in self.carers.iter().enumerate() {
            let at = format!("{prefix}carers[{i}]");
            if carer.name.trim().is_empty() {
                errors.add(format!("{at}.name"), "enter the parent or carer's name");
            } else {
                check_text(
                    errors,
                    &format!("{at}.name"),
                    &carer.name,
                    2 * crate::person_text::MAX_NAME_CHARS + 1,
                    false,
                );
            }
            check_text(
                errors,
                &format!("{at}.relationship"),
                &carer.relationship,
                MAX_SHORT_TEXT_CHARS,
                false,
            );
            if let Some(phone) = &carer.phone {
                check_text(
                    errors,
                    &format!("{at}.phone"),
                    phone,
                    MAX_PHONE_CHARS,
                    false,
                );
            }
            if let Some(email) = &carer.email {
                check_text(
                    errors,
                    &format!("{at}.email"),
                    email,
                    MAX_EMAIL_CHARS,
                    false,
                );
            }
            crate::contact::check_contact_text(
                errors,
                &format!("{at}."),
                carer.phone.as_deref(),
                carer.email.as_deref(),
            );
        }
    }

    /// Age in whole years on `on`.
    pub fn age_on(&self, on: Date) -> i16 {
        age_in_years(self.date_of_birth, on)
    }
}

/// Whole years between `born` and `on` (a birthday on 29 February is reached on 1 March in
/// non-leap years, as in English law for age of majority).
pub fn age_in_years(born: Date, on: Date) -> i16 {
    let mut years = on.year() - born.year();
    let had_birthday = (on.month(), on.day()) >= (born.month(), born.day());
    if !had_birthday {
        years -= 1;
    }
    years
}

/// The date of the birthday on which someone turns `years` (29 February → 1 March).
pub fn birthday(born: Date, years: i16) -> Date {
    let year = born.year() + years;
    Date::new(year, born.month(), born.day()).unwrap_or_else(|_| {
        // Only 29 February in a non-leap year can fail.
        Date::new(year, 3, 1).unwrap_or(born)
    })
}

/// A recorded Gillick competence decision for an under-16 who sought help on their own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CompetenceDecision {
    /// Whether the young person was judged competent to consent to this help.
    pub competent: bool,
    /// Who assessed (name and role).
    pub assessed_by: String,
    /// The reasoning, in the assessor's words.
    pub rationale: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn ages_turn_on_the_birthday_and_leap_day_birthdays_turn_on_1_march() {
        assert_eq!(age_in_years(date(2010, 6, 15), date(2026, 6, 14)), 15);
        assert_eq!(age_in_years(date(2010, 6, 15), date(2026, 6, 15)), 16);
        assert_eq!(age_in_years(date(2008, 2, 29), date(2026, 2, 28)), 17);
        assert_eq!(age_in_years(date(2008, 2, 29), date(2026, 3, 1)), 18);
        assert_eq!(birthday(date(2008, 2, 29), 18), date(2026, 3, 1));
        assert_eq!(birthday(date(2008, 2, 29), 16), date(2024, 2, 29));
    }
}
