//! The young person's details as every door receives them — the JSON API's `person` object
//! and the pages' forms alike: every answer a string (so each invalid field gets its own
//! message, under `person.`), read into `nwd_domain::person::PersonDetails` by one function,
//! [`parse_person`], so the same answers through any door give the same person.
//!
//! Owns: [`PersonInput`] and its parsing. Does not own the rules (the domain's checked
//! constructors: `NhsNumber::parse`, `Postcode::parse`, the codes).

use jiff::civil::Date;
use nwd_domain::codes::{EthnicCategory, GenderIdentity, Sex};
use nwd_domain::person::{CarerContact, PersonDetails, PersonFlags};
use nwd_domain::{NhsNumber, Postcode, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The young person, as supplied. Every field is optional in the JSON so that each missing
/// or invalid one gets its own message.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// NHS number (10 digits, spaces allowed), if known.
    pub nhs_number: Option<String>,
    /// Given name (required).
    pub given_name: Option<String>,
    /// Family name (required).
    pub family_name: Option<String>,
    /// Preferred name.
    pub preferred_name: Option<String>,
    /// Date of birth, YYYY-MM-DD (required).
    pub date_of_birth: Option<String>,
    /// `male`, `female`, `indeterminate` or `not_known`.
    pub sex: Option<String>,
    /// `male`, `female`, `non_binary`, `other`, `not_known`, `not_stated`.
    pub gender_identity: Option<String>,
    /// NHS ethnic category (API name, e.g. `white_british`, `not_known`).
    pub ethnic_category: Option<String>,
    /// UK postcode.
    pub postcode: Option<String>,
    /// Address lines.
    pub address: Option<String>,
    /// School or college.
    pub school: Option<String>,
    /// GP practice.
    pub gp_practice: Option<String>,
    /// Flags for groups the seeds single out.
    pub flags: PersonFlags,
    /// Parent and carer contacts.
    pub carers: Vec<CarerContact>,
    /// Preferred language (ISO 639-1).
    pub language: Option<String>,
    /// Needs an interpreter.
    pub interpreter_needed: bool,
    /// About the young person: equality monitoring and the groups the area's plans name.
    /// Every answer optional; the fields above that say the same (ethnic category, gender
    /// identity, school, GP practice, language, interpreter, flags) are read into it too,
    /// and an answer here wins.
    pub about: super::about::AboutInput,
}

/// Parses the person fields, recording an error per invalid field under `person.`.
pub fn parse_person(input: PersonInput, errors: &mut ValidationErrors) -> Option<PersonDetails> {
    let nhs_number = input
        .nhs_number
        .filter(|n| !n.trim().is_empty())
        .and_then(|n| errors.check("person.nhs_number", NhsNumber::parse(&n)));
    let given_name = non_empty(
        errors,
        "person.given_name",
        input.given_name,
        "enter the young person's given name",
    );
    let family_name = non_empty(
        errors,
        "person.family_name",
        input.family_name,
        "enter the young person's family name",
    );
    let date_of_birth = match input.date_of_birth {
        None => {
            errors.add(
                "person.date_of_birth",
                "enter the date of birth as YYYY-MM-DD",
            );
            None
        }
        Some(text) => errors.check(
            "person.date_of_birth",
            text.parse::<Date>()
                .map_err(|_| format!("{text:?} is not a date; use YYYY-MM-DD, e.g. 2011-04-09")),
        ),
    };
    let sex = optional(errors, "person.sex", input.sex, Sex::parse).unwrap_or(Sex::NotKnown);
    let gender_identity = optional(
        errors,
        "person.gender_identity",
        input.gender_identity,
        GenderIdentity::parse,
    );
    let ethnic_category = optional(
        errors,
        "person.ethnic_category",
        input.ethnic_category,
        EthnicCategory::parse,
    )
    .unwrap_or(EthnicCategory::NotKnown);
    let postcode = input
        .postcode
        .filter(|p| !p.trim().is_empty())
        .and_then(|p| errors.check("person.postcode", Postcode::parse(&p)));
    Some(PersonDetails {
        nhs_number,
        given_name: given_name?,
        family_name: family_name?,
        preferred_name: input.preferred_name.filter(|n| !n.trim().is_empty()),
        date_of_birth: date_of_birth?,
        sex,
        gender_identity,
        ethnic_category,
        postcode,
        address: input.address,
        school: input.school,
        gp_practice: input.gp_practice,
        flags: input.flags,
        carers: input.carers,
        language: input.language,
        interpreter_needed: input.interpreter_needed,
    })
}

fn non_empty(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<String>,
    message: &str,
) -> Option<String> {
    match value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    {
        Some(v) => Some(v),
        None => {
            errors.add(field, message);
            None
        }
    }
}

fn optional<T>(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    value
        .filter(|v| !v.is_empty())
        .and_then(|v| errors.check(field, parse(&v)))
}
