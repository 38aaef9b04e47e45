//! "About the young person" as the JSON API and the pages receive it: every answer a string
//! (so each invalid field gets its own message), read into
//! `nwd_domain::about::AboutYoungPerson` by one function, [`parse_about`], that the API, the
//! public and professional journeys and the staff edit form all call — so the same answers
//! through any door give the same record.
//!
//! Owns: [`AboutInput`], [`FIELDS`], [`parse_about`] and what an intake carries
//! ([`intake_about`]). Does not own the answers' rules (`nwd_domain::about`).

use nwd_domain::about::{AboutYoungPerson, Answer, Neurodivergence, SexAtBirth};
use nwd_domain::codes::{EthnicCategory, GenderIdentity};
use nwd_domain::ValidationErrors;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The answers, as sent. Leave a question out when it was not asked; send
/// `prefer_not_to_say` (or `not_stated` for ethnicity and gender identity) when the young
/// person chose not to say.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct AboutInput {
    /// NHS ethnic category (API name, e.g. `white_british`, `not_stated`).
    pub ethnicity: Option<String>,
    /// Sex registered at birth: `female`, `male`, `prefer_not_to_say`.
    pub sex_at_birth: Option<String>,
    /// Is their gender the same as their sex registered at birth: `yes`, `no`,
    /// `prefer_not_to_say`.
    pub gender_same_as_sex_at_birth: Option<String>,
    /// `male`, `female`, `non_binary`, `other`, `not_stated`.
    pub gender_identity: Option<String>,
    /// Disability: `yes`, `no`, `prefer_not_to_say`.
    pub disability: Option<String>,
    /// First language, in words.
    pub first_language: Option<String>,
    /// `yes`, `no`, `prefer_not_to_say`.
    pub interpreter_needed: Option<String>,
    /// School, college or nursery.
    pub school: Option<String>,
    /// GP practice.
    pub gp_practice: Option<String>,
    /// `yes`, `no`, `prefer_not_to_say`.
    pub looked_after: Option<String>,
    /// `yes`, `no`, `prefer_not_to_say`.
    pub care_leaver: Option<String>,
    /// `yes`, `no`, `prefer_not_to_say`.
    pub youth_justice: Option<String>,
    /// `yes`, `no`, `prefer_not_to_say`.
    pub send_ehcp: Option<String>,
    /// `diagnosed`, `suspected`, `no`, `prefer_not_to_say`.
    pub autistic: Option<String>,
    /// `diagnosed`, `suspected`, `no`, `prefer_not_to_say`.
    pub adhd: Option<String>,
    /// `yes`, `no`, `prefer_not_to_say`.
    pub young_carer: Option<String>,
}

/// The form and JSON names of every answer, in the order asked.
pub const FIELDS: [&str; 16] = [
    "ethnicity",
    "sex_at_birth",
    "gender_same_as_sex_at_birth",
    "gender_identity",
    "disability",
    "first_language",
    "interpreter_needed",
    "school",
    "gp_practice",
    "looked_after",
    "care_leaver",
    "youth_justice",
    "send_ehcp",
    "autistic",
    "adhd",
    "young_carer",
];

impl AboutInput {
    /// The answers from form fields named as [`FIELDS`] (empty = not asked).
    pub fn from_fields(value: impl Fn(&str) -> String) -> AboutInput {
        let get = |name: &str| Some(value(name).trim().to_owned()).filter(|v| !v.is_empty());
        AboutInput {
            ethnicity: get("ethnicity"),
            sex_at_birth: get("sex_at_birth"),
            gender_same_as_sex_at_birth: get("gender_same_as_sex_at_birth"),
            gender_identity: get("gender_identity"),
            disability: get("disability"),
            first_language: get("first_language"),
            interpreter_needed: get("interpreter_needed"),
            school: get("school"),
            gp_practice: get("gp_practice"),
            looked_after: get("looked_after"),
            care_leaver: get("care_leaver"),
            youth_justice: get("youth_justice"),
            send_ehcp: get("send_ehcp"),
            autistic: get("autistic"),
            adhd: get("adhd"),
            young_carer: get("young_carer"),
        }
    }

    /// The stored record as answers (for filling the edit form).
    pub fn of(about: &AboutYoungPerson) -> AboutInput {
        let s = |v: Option<&str>| v.map(str::to_owned);
        AboutInput {
            ethnicity: s(about.ethnicity.as_ref().map(|v| v.as_str())),
            sex_at_birth: s(about.sex_at_birth.as_ref().map(|v| v.as_str())),
            gender_same_as_sex_at_birth: s(about
                .gender_same_as_sex_at_birth
                .as_ref()
                .map(|v| v.as_str())),
            gender_identity: s(about.gender_identity.as_ref().map(|v| v.as_str())),
            disability: s(about.disability.as_ref().map(|v| v.as_str())),
            first_language: about.first_language.clone(),
            interpreter_needed: s(about.interpreter_needed.as_ref().map(|v| v.as_str())),
            school: about.school.clone(),
            gp_practice: about.gp_practice.clone(),
            looked_after: s(about.looked_after.as_ref().map(|v| v.as_str())),
            care_leaver: s(about.care_leaver.as_ref().map(|v| v.as_str())),
            youth_justice: s(about.youth_justice.as_ref().map(|v| v.as_str())),
            send_ehcp: s(about.send_ehcp.as_ref().map(|v| v.as_str())),
            autistic: s(about.autistic.as_ref().map(|v| v.as_str())),
            adhd: s(about.adhd.as_ref().map(|v| v.as_str())),
            young_carer: s(about.young_carer.as_ref().map(|v| v.as_str())),
        }
    }

    /// The value of the field named `name` ([`FIELDS`]), or empty.
    pub fn get(&self, name: &str) -> &str {
        let v = match name {
            "ethnicity" => &self.ethnicity,
            "sex_at_birth" => &self.sex_at_birth,
            "gender_same_as_sex_at_birth" => &self.gender_same_as_sex_at_birth,
            "gender_identity" => &self.gender_identity,
            "disability" => &self.disability,
            "first_language" => &self.first_language,
            "interpreter_needed" => &self.interpreter_needed,
            "school" => &self.school,
            "gp_practice" => &self.gp_practice,
            "looked_after" => &self.looked_after,
            "care_leaver" => &self.care_leaver,
            "youth_justice" => &self.youth_justice,
            "send_ehcp" => &self.send_ehcp,
            "autistic" => &self.autistic,
            "adhd" => &self.adhd,
            "young_carer" => &self.young_carer,
            _ => &None,
        };
        v.as_deref().unwrap_or("")
    }
}

fn one<T>(
    errors: &mut ValidationErrors,
    prefix: &str,
    field: &str,
    value: &Option<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    let value = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    errors.check(&format!("{prefix}{field}"), parse(value))
}

/// Reads the answers (`prefix` names the fields in errors, e.g. `person.about.`). Every
/// invalid answer gets its own message; free text is checked by the domain.
pub fn parse_about(
    input: &AboutInput,
    prefix: &str,
    errors: &mut ValidationErrors,
) -> AboutYoungPerson {
    let answer = |errors: &mut ValidationErrors, field: &str, value: &Option<String>| {
        one(errors, prefix, field, value, Answer::parse)
    };
    let nd = |errors: &mut ValidationErrors, field: &str, value: &Option<String>| {
        one(errors, prefix, field, value, Neurodivergence::parse)
    };
    let text = |value: &Option<String>| value.clone();
    AboutYoungPerson {
        ethnicity: one(
            errors,
            prefix,
            "ethnicity",
            &input.ethnicity,
            EthnicCategory::parse,
        ),
        sex_at_birth: one(
            errors,
            prefix,
            "sex_at_birth",
            &input.sex_at_birth,
            SexAtBirth::parse,
        ),
        gender_same_as_sex_at_birth: answer(
            errors,
            "gender_same_as_sex_at_birth",
            &input.gender_same_as_sex_at_birth,
        ),
        gender_identity: one(
            errors,
            prefix,
            "gender_identity",
            &input.gender_identity,
            GenderIdentity::parse,
        ),
        disability: answer(errors, "disability", &input.disability),
        first_language: text(&input.first_language),
        interpreter_needed: answer(errors, "interpreter_needed", &input.interpreter_needed),
        school: text(&input.school),
        gp_practice: text(&input.gp_practice),
        looked_after: answer(errors, "looked_after", &input.looked_after),
        care_leaver: answer(errors, "care_leaver", &input.care_leaver),
        youth_justice: answer(errors, "youth_justice", &input.youth_justice),
        send_ehcp: answer(errors, "send_ehcp", &input.send_ehcp),
        autistic: nd(errors, "autistic", &input.autistic),
        adhd: nd(errors, "adhd", &input.adhd),
        young_carer: answer(errors, "young_carer", &input.young_carer),
    }
    .normalise(prefix, errors)
}

/// The "about" answers an intake carries: what the person details say
/// (`AboutYoungPerson::from_person_details`), with the `about` answers on top.
pub fn intake_about(
    input: &AboutInput,
    person: Option<&nwd_domain::person::PersonDetails>,
    errors: &mut ValidationErrors,
) -> nwd_domain::about::AboutYoungPerson {
    let answers = parse_about(input, "person.about.", errors);
    person
        .map(nwd_domain::about::AboutYoungPerson::from_person_details)
        .unwrap_or_default()
        .merged_with(&answers)
}
