//! About the young person: the equality-monitoring answers and the groups the area's plans
//! name, as one typed, person-level record ([`AboutYoungPerson`]), and the uptake groups the
//! commissioner dashboard counts them by ([`AboutYoungPerson::uptake_groups`]).
//!
//! Why: the 2016 equality impact assessment (`seeds/001_…`) requires recording protected
//! characteristics "so that uptake by every group can be monitored"; the 2024 plan
//! (`seeds/002_…`) names looked-after children, care leavers, the youth justice pathway, trans,
//! autistic and ADHD young people. Sources for the questions:
//! - Ethnicity: NHS Data Dictionary, "Ethnic Category" (codes A–S, Z "not stated" — asked and
//!   declined, our "prefer not to say" — and 99 "not known"): [`EthnicCategory`].
//! - Sex and gender identity: ONS Census 2021, questions "What is your sex?" (female, male)
//!   and "Is the gender you identify with the same as your sex registered at birth?" (yes;
//!   no, with the gender written in), so that trans young people can be counted; the gender
//!   itself uses the MHSDS `GenderIDCode` values ([`GenderIdentity`]).
//! - Disability: Equality Act 2010 s.6 (a physical or mental impairment with a substantial
//!   and long-term adverse effect on normal day-to-day activities); the nine protected
//!   characteristics are in s.4.
//!
//! Every question is optional. `None` means **not asked** (or not answered); "prefer not to
//! say" is its own answer, so a commissioner can tell "we never asked" from "they chose not to
//! tell us". Pure: no I/O; the store keeps the record (migration 0013) and the pages ask it.

use serde::{Deserialize, Serialize};

use crate::codes::{coded_enum, EthnicCategory, GenderIdentity};
use crate::error::ValidationErrors;

mod uptake;

pub use uptake::{EthnicityGroup, GenderGroup, UptakeGroup};

/// The longest free-text answer (school, GP practice, language, gender in their own words).
pub const MAX_TEXT: usize = 120;

coded_enum!(
    /// A yes/no question with "prefer not to say".
    Answer {
        /// Yes.
        Yes = ("yes", "Y", "Yes"),
        /// No.
        No = ("no", "N", "No"),
        /// Asked, and they chose not to say.
        PreferNotToSay = ("prefer_not_to_say", "Z", "Prefer not to say"),
    }
);

coded_enum!(
    /// Sex registered at birth (ONS Census 2021 "What is your sex?": female, male), with
    /// "prefer not to say".
    SexAtBirth {
        /// Female.
        Female = ("female", "F", "Female"),
        /// Male.
        Male = ("male", "M", "Male"),
        /// Asked, and they chose not to say.
        PreferNotToSay = ("prefer_not_to_say", "Z", "Prefer not to say"),
    }
);

coded_enum!(
    /// Autism or ADHD: diagnosed, suspected (waiting for or having an assessment), or not.
    Neurodivergence {
        /// Diagnosed.
        Diagnosed = ("diagnosed", "D", "Yes, diagnosed"),
        /// Suspected, or waiting for an assessment.
        Suspected = ("suspected", "S", "Maybe, or waiting for an assessment"),
        /// No.
        No = ("no", "N", "No"),
        /// Asked, and they chose not to say.
        PreferNotToSay = ("prefer_not_to_say", "Z", "Prefer not to say"),
    }
);

/// Everything we ask about who the young person is. Each field `None` = not asked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AboutYoungPerson {
    /// NHS ethnic category (Z "not stated" is "prefer not to say"; 99 "not known" counts
    /// as not recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ethnicity: Option<EthnicCategory>,
    /// Sex registered at birth (ONS 2021).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex_at_birth: Option<SexAtBirth>,
    /// Is their gender the same as the sex registered at birth? (ONS 2021.) `No` is how
    /// trans young people are counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender_same_as_sex_at_birth: Option<Answer>,
    /// Gender identity (MHSDS `GenderIDCode`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender_identity: Option<GenderIdentity>,
    /// Disability (Equality Act 2010 s.6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disability: Option<Answer>,
    /// First language, in their words (e.g. "Polish").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_language: Option<String>,
    /// Needs an interpreter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interpreter_needed: Option<Answer>,
    /// School, college or nursery.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub school: Option<String>,
    /// GP practice (name or code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gp_practice: Option<String>,
    /// Looked after by the local authority (Children Act 1989 s.22).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub looked_after: Option<Answer>,
    /// A care leaver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub care_leaver: Option<Answer>,
    /// Involved with youth justice (a youth offending team, the justice pathway).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub youth_justice: Option<Answer>,
    /// Special educational needs, or an education, health and care plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_ehcp: Option<Answer>,
    /// Autistic (diagnosed or suspected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub autistic: Option<Neurodivergence>,
    /// ADHD (diagnosed or suspected).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adhd: Option<Neurodivergence>,
    /// A young carer (looks after someone at home).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub young_carer: Option<Answer>,
}

/// The five yes/no groups, with their field names and labels, in the order asked.
pub const GROUP_QUESTIONS: [(&str, &str); 5] = [
    ("looked_after", "Looked after by the council (in care)"),
    ("care_leaver", "Care leaver"),
    ("youth_justice", "Involved with youth justice"),
    (
        "send_ehcp",
        "Special educational needs (SEND) or an EHC plan",
    ),
    ("young_carer", "Young carer"),
];

impl AboutYoungPerson {
    /// True when nothing has been asked.
    pub fn is_empty(&self) -> bool {
        self == &AboutYoungPerson::default()
    }

    /// The yes/no group answer named in [`GROUP_QUESTIONS`].
    pub fn group(&self, name: &str) -> Option<Answer> {
        match name {
            "looked_after" => self.looked_after,
            "care_leaver" => self.care_leaver,
            "youth_justice" => self.youth_justice,
            "send_ehcp" => self.send_ehcp,
            "young_carer" => self.young_carer,
            "disability" => self.disability,
            "interpreter_needed" => self.interpreter_needed,
            "gender_same_as_sex_at_birth" => self.gender_same_as_sex_at_birth,
            _ => None,
        }
    }

    /// Sets the yes/no answer named `name` (see [`AboutYoungPerson::group`]); unknown names
    /// change nothing.
    pub fn set_group(&mut self, name: &str, answer: Option<Answer>) {
        let slot = match name {
            "looked_after" => &mut self.looked_after,
            "care_leaver" => &mut self.care_leaver,
            "youth_justice" => &mut self.youth_justice,
            "send_ehcp" => &mut self.send_ehcp,
            "young_carer" => &mut self.young_carer,
            "disability" => &mut self.disability,
            "interpreter_needed" => &mut self.interpreter_needed,
            "gender_same_as_sex_at_birth" => &mut self.gender_same_as_sex_at_birth,
            _ => return,
        };
        *slot = answer;
    }

    /// What the person details the JSON API has always accepted (`PersonDetails`: ethnic
    /// category, gender identity, school, GP practice, language, interpreter, and the group
    /// flags) say, as answers: a value given becomes an answer, "not known" and an unticked
    /// flag become "not asked" (a `false` flag cannot tell "no" from "not asked"). Flags for
    /// autism and ADHD mean diagnosed (`PersonFlags`). Sex there is the NHS "stated gender",
    /// not the sex registered at birth, so it is not copied.
    pub fn from_person_details(details: &crate::person::PersonDetails) -> AboutYoungPerson {
        let yes = |flag: bool| flag.then_some(Answer::Yes);
        let diagnosed = |flag: bool| flag.then_some(Neurodivergence::Diagnosed);
        let flags = &details.flags;
        AboutYoungPerson {
            ethnicity: Some(details.ethnic_category).filter(|e| *e != EthnicCategory::NotKnown),
            gender_identity: details
                .gender_identity
                .filter(|g| *g != GenderIdentity::NotKnown),
            first_language: details.language.clone(),
            interpreter_needed: yes(details.interpreter_needed),
            school: details.school.clone(),
            gp_practice: details.gp_practice.clone(),
            looked_after: yes(flags.looked_after),
            care_leaver: yes(flags.care_leaver),
            youth_justice: yes(flags.youth_justice),
            send_ehcp: yes(flags.send_ehcp),
            autistic: diagnosed(flags.autistic),
            adhd: diagnosed(flags.adhd),
            young_carer: yes(flags.young_carer),
            ..AboutYoungPerson::default()
        }
    }

    /// Checks the free-text answers (length, no control characters); trims them and turns
    /// empty ones into "not asked". `prefix` names the fields in the errors.
    pub fn normalise(mut self, prefix: &str, errors: &mut ValidationErrors) -> AboutYoungPerson {
        for (name, value) in [
            ("first_language", &mut self.first_language),
            ("school", &mut self.school),
            ("gp_practice", &mut self.gp_practice),
        ] {
            let trimmed = value.as_deref().map(str::trim).unwrap_or("").to_owned();
            if trimmed.chars().count() > MAX_TEXT {
                errors.add(
                    format!("{prefix}{name}"),
                    format!("use {MAX_TEXT} characters or fewer"),
                );
            } else if trimmed.chars().any(char::is_control) {
                errors.add(format!("{prefix}{name}"), "use letters, numbers and spaces");
            }
            *value = Some(trimmed).filter(|t| !t.is_empty());
        }
        self
    }

    /// Takes every question `newer` answered (asked questions win; questions `newer` did not
    /// ask keep what was recorded before). How a later referral adds to the record.
    pub fn merged_with(&self, newer: &AboutYoungPerson) -> AboutYoungPerson {
        fn pick<T: Clone>(old: &Option<T>, new: &Option<T>) -> Option<T> {
            new.clone().or_else(|| old.clone())
        }
        AboutYoungPerson {
            ethnicity: pick(&self.ethnicity, &newer.ethnicity),
            sex_at_birth: pick(&self.sex_at_birth, &newer.sex_at_birth),
            gender_same_as_sex_at_birth: pick(
                &self.gender_same_as_sex_at_birth,
                &newer.gender_same_as_sex_at_birth,
            ),
            gender_identity: pick(&self.gender_identity, &newer.gender_identity),
            disability: pick(&self.disability, &newer.disability),
            first_language: pick(&self.first_language, &newer.first_language),
            interpreter_needed: pick(&self.interpreter_needed, &newer.interpreter_needed),
            school: pick(&self.school, &newer.school),
            gp_practice: pick(&self.gp_practice, &newer.gp_practice),
            looked_after: pick(&self.looked_after, &newer.looked_after),
            care_leaver: pick(&self.care_leaver, &newer.care_leaver),
            youth_justice: pick(&self.youth_justice, &newer.youth_justice),
            send_ehcp: pick(&self.send_ehcp, &newer.send_ehcp),
            autistic: pick(&self.autistic, &newer.autistic),
            adhd: pick(&self.adhd, &newer.adhd),
            young_carer: pick(&self.young_carer, &newer.young_carer),
        }
    }

    /// What a parent's or carer's view may show: everything but sex registered at birth and
    /// gender identity, which stay with the young person and the team (privacy by default:
    /// no rule in `crate::consent` grants a parent a young person's gender identity).
    pub fn for_parent_carer(&self) -> AboutYoungPerson {
        AboutYoungPerson {
            sex_at_birth: None,
            gender_same_as_sex_at_birth: None,
            gender_identity: None,
            ..self.clone()
        }
    }

    /// The dashboard's uptake groups this record puts a young person in: exactly one
    /// ethnicity group, exactly one gender group, and each named group answered "yes" (or,
    /// for autism and ADHD, diagnosed or suspected) — or [`UptakeGroup::NoGroupRecorded`]
    /// when none of the group questions was answered.
    pub fn uptake_groups(&self) -> Vec<UptakeGroup> {
        let mut groups = Vec::with_capacity(4);
        groups.push(UptakeGroup::Ethnicity(EthnicityGroup::of(self.ethnicity)));
        groups.push(UptakeGroup::Gender(
            match self.gender_same_as_sex_at_birth {
                Some(Answer::No) => GenderGroup::Trans,
                Some(Answer::Yes) => GenderGroup::NotTrans,
                Some(Answer::PreferNotToSay) => GenderGroup::PreferNotToSay,
                None => GenderGroup::NotRecorded,
            },
        ));
        let yes = |a: Option<Answer>| a == Some(Answer::Yes);
        let nd = |n: Option<Neurodivergence>| {
            matches!(
                n,
                Some(Neurodivergence::Diagnosed | Neurodivergence::Suspected)
            )
        };
        for (flag, group) in [
            (yes(self.looked_after), UptakeGroup::LookedAfter),
            (yes(self.care_leaver), UptakeGroup::CareLeaver),
            (yes(self.youth_justice), UptakeGroup::YouthJustice),
            (yes(self.send_ehcp), UptakeGroup::SendEhcp),
            (nd(self.autistic), UptakeGroup::Autistic),
            (nd(self.adhd), UptakeGroup::Adhd),
            (yes(self.young_carer), UptakeGroup::YoungCarer),
            (yes(self.disability), UptakeGroup::Disabled),
        ] {
            if flag {
                groups.push(group);
            }
        }
        let any_group_answered = [
            self.looked_after.is_some(),
            self.care_leaver.is_some(),
            self.youth_justice.is_some(),
            self.send_ehcp.is_some(),
            self.autistic.is_some(),
            self.adhd.is_some(),
            self.young_carer.is_some(),
            self.disability.is_some(),
        ]
        .contains(&true);
        if !any_group_answered {
            groups.push(UptakeGroup::NoGroupRecorded);
        }
        groups
    }
}

#[cfg(test)]
mod tests;
