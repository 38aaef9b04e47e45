//! The "about the young person" questions wherever a page asks them: the self-referral and
//! parent/carer journeys (`/get-help`, two short optional pages), the professional journey
//! (`/refer`, one optional page), the grouped `/staff/refer` form, and the staff edit form
//! (`pages::about_staff`). One list of questions ([`questions`]) in three voices, one partial
//! (`about_questions.html`), one reading of the answers (`usecase::about::parse_about`, the API's
//! own), so the same answers through any door give the same record.
//!
//! In the NHS service manual's pattern: plain English, every question optional with "Prefer
//! not to say" where someone might want it, and the reason we ask said on the page ("to check
//! our services reach everyone"). Leaving a question empty means "not asked"; that is
//! different from choosing "Prefer not to say". Sources of the questions are in
//! `nwd_domain::about`.

use nwd_domain::about::{AboutYoungPerson, Answer, Neurodivergence, SexAtBirth};
use nwd_domain::codes::{EthnicCategory, GenderIdentity};
use nwd_domain::person::PersonDetails;
use nwd_domain::ValidationErrors;

use crate::form::FormData;
use crate::layout::FieldMessage;
use nwd_usecase::about::{parse_about, AboutInput};

/// Who the questions speak to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    /// The young person ("your").
    You,
    /// A parent or carer ("their").
    They,
    /// A professional ("the young person's").
    Professional,
}

/// The two short pages the public journeys ask them on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Ethnicity, sex, gender, disability, language.
    Identity,
    /// School, GP and the groups.
    Support,
    /// Everything (the professional journey's page, `/staff/refer`, the staff form).
    All,
    /// Which GP practice and which school: asked where a young person or a parent agrees we
    /// may talk to "your GP" or "your school" (the get-help journeys' sharing page).
    GpAndSchool,
    /// The groups the area's plans name, without school and GP (the get-help journeys ask
    /// those with the sharing question).
    Groups,
}

/// Which GP practice and which school (the get-help journeys' sharing page).
pub const GP_AND_SCHOOL_FIELDS: [&str; 2] = ["gp_practice", "school"];

/// The groups, without school and GP (the get-help journeys' second optional page).
pub const GROUP_FIELDS: [&str; 7] = [
    "looked_after",
    "care_leaver",
    "youth_justice",
    "send_ehcp",
    "autistic",
    "adhd",
    "young_carer",
];

/// The fields of the identity page.
pub const IDENTITY_FIELDS: [&str; 7] = [
    "ethnicity",
    "sex_at_birth",
    "gender_same_as_sex_at_birth",
    "gender_identity",
    "disability",
    "first_language",
    "interpreter_needed",
];

/// The fields of the support page.
pub const SUPPORT_FIELDS: [&str; 9] = [
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

impl Part {
    /// The form fields this part asks.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Part::Identity => &IDENTITY_FIELDS,
            Part::Support => &SUPPORT_FIELDS,
            Part::All => &nwd_usecase::about::FIELDS,
            Part::GpAndSchool => &GP_AND_SCHOOL_FIELDS,
            Part::Groups => &GROUP_FIELDS,
        }
    }
}

/// One option of a question.
#[derive(Debug, Clone)]
pub struct AboutOption {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
    /// Chosen.
    pub checked: bool,
}

/// One question, ready for `about_questions.html`.
#[derive(Debug, Clone)]
pub struct AboutQuestion {
    /// Field name (and id).
    pub name: &'static str,
    /// The question.
    pub legend: String,
    /// A hint, or empty.
    pub hint: String,
    /// `radios`, `select` or `text`.
    pub kind: &'static str,
    /// The options (radios, select).
    pub options: Vec<AboutOption>,
    /// The answer so far (text).
    pub value: String,
    /// The error, if any.
    pub error: Option<String>,
}

fn words(voice: Voice) -> (&'static str, &'static str, &'static str) {
    match voice {
        Voice::You => ("your", "you", "are you"),
        Voice::They => ("their", "they", "are they"),
        Voice::Professional => (
            "the young person's",
            "the young person",
            "is the young person",
        ),
    }
}

fn options<T: Copy>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    chosen: &str,
) -> Vec<AboutOption> {
    all.iter()
        .map(|v| AboutOption {
            value: value(*v).to_owned(),
            label: label(*v).to_owned(),
            checked: value(*v) == chosen,
        })
        .collect()
}

/// The questions of `part`, in `voice`, filled from `answers`, with `errors` beside them.
pub fn questions(
    part: Part,
    voice: Voice,
    answers: &AboutInput,
    errors: &[FieldMessage],
) -> Vec<AboutQuestion> {
    let (their, they, are_they) = words(voice);
    let yes_no = |name: &'static str| {
        options(
            Answer::ALL,
            |a| a.as_str(),
            |a| a.label(),
            answers.get(name),
        )
    };
    let nd = |name: &'static str| {
        options(
            Neurodivergence::ALL,
            |a| a.as_str(),
            |a| a.label(),
            answers.get(name),
        )
    };
    let mut ethnicity = vec![AboutOption {
        value: String::new(),
        label: "Choose an ethnic group".to_owned(),
        checked: answers.get("ethnicity").is_empty(),
    }];
    ethnicity.extend(
        EthnicCategory::ALL
            .iter()
            .filter(|e| **e != EthnicCategory::NotKnown)
            .map(|e| AboutOption {
                value: e.as_str().to_owned(),
                label: if *e == EthnicCategory::NotStated {
                    "Prefer not to say".to_owned()
                } else {
                    e.label().to_owned()
                },
                checked: e.as_str() == answers.get("ethnicity"),
            }),
    );
    let gender_identities: Vec<AboutOption> = GenderIdentity::ALL
        .iter()
        .filter(|g| **g != GenderIdentity::NotKnown)
        .map(|g| AboutOption {
            value: g.as_str().to_owned(),
            label: if *g == GenderIdentity::NotStated {
                "Prefer not to say".to_owned()
            } else {
                g.label().to_owned()
            },
            checked: g.as_str() == answers.get("gender_identity"),
        })
        .collect();
    let all = [
        (
            "ethnicity",
            format!("What is {their} ethnic group?"),
            String::new(),
            "select",
            ethnicity,
        ),
        (
            "sex_at_birth",
            match voice {
                Voice::You => "What sex were you registered at birth?".to_owned(),
                Voice::They => "What sex were they registered at birth?".to_owned(),
                Voice::Professional => "What sex was the young person registered at birth?".to_owned(),
            },
            String::new(),
            "radios",
            options(
                SexAtBirth::ALL,
                |a| a.as_str(),
                |a| a.label(),
                answers.get("sex_at_birth"),
            ),
        ),
        (
            "gender_same_as_sex_at_birth",
            format!(
                "Is {their} gender the same as the sex {} registered at birth?",
                if voice == Voice::You { "you were" } else { "they were" }
            ),
            "This is how we check that our services reach trans young people.".to_owned(),
            "radios",
            yes_no("gender_same_as_sex_at_birth"),
        ),
        (
            "gender_identity",
            format!("What is {their} gender?"),
            String::new(),
            "radios",
            gender_identities,
        ),
        (
            "disability",
            format!("Do{} {they} have a disability or long-term condition?", if voice == Voice::Professional { "es" } else { "" }),
            "A physical or mental condition that has a big effect on day-to-day life and has lasted, or is likely to last, 12 months or more.".to_owned(),
            "radios",
            yes_no("disability"),
        ),
        (
            "first_language",
            format!("What is {their} first language?"),
            "For example, English, Polish or British Sign Language.".to_owned(),
            "text",
            Vec::new(),
        ),
        (
            "interpreter_needed",
            format!("Do{} {they} need an interpreter?", if voice == Voice::Professional { "es" } else { "" }),
            String::new(),
            "radios",
            yes_no("interpreter_needed"),
        ),
        (
            "school",
            format!("Which school, college or nursery do{} {they} go to?", if voice == Voice::Professional { "es" } else { "" }),
            "Leave this empty if none.".to_owned(),
            "text",
            Vec::new(),
        ),
        (
            "gp_practice",
            format!("What is {their} GP practice?"),
            "The name of the surgery is enough.".to_owned(),
            "text",
            Vec::new(),
        ),
        (
            "looked_after",
            format!("{} in the care of the council (looked after)?", capitalise(are_they)),
            "For example, living with foster carers or in a children's home.".to_owned(),
            "radios",
            yes_no("looked_after"),
        ),
        (
            "care_leaver",
            format!("{} a care leaver?", capitalise(are_they)),
            "Someone who was in the care of the council and has now left care.".to_owned(),
            "radios",
            yes_no("care_leaver"),
        ),
        (
            "youth_justice",
            format!("{} involved with the youth justice service?", capitalise(are_they)),
            "For example, working with a youth offending team.".to_owned(),
            "radios",
            yes_no("youth_justice"),
        ),
        (
            "send_ehcp",
            format!("Do{} {they} have special educational needs or an education, health and care plan (EHCP)?", if voice == Voice::Professional { "es" } else { "" }),
            String::new(),
            "radios",
            yes_no("send_ehcp"),
        ),
        (
            "autistic",
            format!("{} autistic?", capitalise(are_they)),
            String::new(),
            "radios",
            nd("autistic"),
        ),
        (
            "adhd",
            format!("Do{} {they} have ADHD?", if voice == Voice::Professional { "es" } else { "" }),
            String::new(),
            "radios",
            nd("adhd"),
        ),
        (
            "young_carer",
            format!("{} a young carer?", capitalise(are_they)),
            "Someone who helps look after a family member who is ill, disabled or uses drugs or alcohol.".to_owned(),
            "radios",
            yes_no("young_carer"),
        ),
    ];
    let wanted = part.fields();
    all.into_iter()
        .filter(|(name, ..)| wanted.contains(name))
        .map(|(name, legend, hint, kind, options)| AboutQuestion {
            name,
            legend,
            hint,
            kind,
            options,
            value: answers.get(name).to_owned(),
            error: errors
                .iter()
                .find(|e| e.id == name)
                .map(|e| e.message.clone()),
        })
        .collect()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The answers in `form`, as the API reads them.
pub fn input(form: &FormData) -> AboutInput {
    AboutInput::from_fields(|name| form.first(name).to_owned())
}

/// Checks the answers of `part` in `form` (messages name the fields).
pub fn validate(part: Part, form: &FormData) -> Vec<FieldMessage> {
    let mut errors = ValidationErrors::new();
    parse_about(&input(form), "", &mut errors);
    errors
        .0
        .into_iter()
        .filter(|e| part.fields().contains(&e.field.as_str()))
        .map(|e| FieldMessage::new(&e.field, plain(&e.message)))
        .collect()
}

/// A message for a person: the API's "allowed: …" lists mean a choice not on the page.
fn plain(message: &str) -> String {
    if message.starts_with("unknown value") {
        "Choose one of the answers, or leave the question empty".to_owned()
    } else {
        let mut m = capitalise(message);
        if !m.ends_with('.') {
            m.push('.');
        }
        m
    }
}

/// The intake's record from the answers in `form` (with what `person` says under them).
pub fn answers(
    form: &FormData,
    person: Option<&PersonDetails>,
    errors: &mut ValidationErrors,
) -> AboutYoungPerson {
    nwd_usecase::about::intake_about(&input(form), person, errors)
}

/// Each question of `part` answered, as "question: answer" lines for "Check your answers"
/// and the staff page; "Not answered" when none.
pub fn answered_lines(part: Part, voice: Voice, answers: &AboutInput) -> Vec<String> {
    let lines: Vec<String> = questions(part, voice, answers, &[])
        .into_iter()
        .filter(|q| !q.value.is_empty())
        .map(|q| {
            let shown = q
                .options
                .iter()
                .find(|o| o.checked && !o.value.is_empty())
                .map(|o| o.label.clone())
                .unwrap_or_else(|| q.value.clone());
            format!("{} {}", q.legend, shown)
        })
        .collect();
    if lines.is_empty() {
        vec!["Not answered".to_owned()]
    } else {
        lines
    }
}

/// One row of the staff page's section: the short label and the answer shown.
pub fn summary_rows(about: &AboutYoungPerson) -> Vec<(&'static str, String)> {
    let shown = |v: Option<&'static str>| v.unwrap_or("Not asked").to_owned();
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "Not asked".to_owned());
    vec![
        (
            "Ethnicity",
            shown(about.ethnicity.map(|e| match e {
                EthnicCategory::NotStated => "Prefer not to say",
                other => other.label(),
            })),
        ),
        (
            "Sex registered at birth",
            shown(about.sex_at_birth.map(|s| s.label())),
        ),
        (
            "Gender the same as sex registered at birth",
            shown(about.gender_same_as_sex_at_birth.map(|s| s.label())),
        ),
        (
            "Gender",
            shown(about.gender_identity.map(|g| match g {
                GenderIdentity::NotStated => "Prefer not to say",
                other => other.label(),
            })),
        ),
        ("Disability", shown(about.disability.map(|a| a.label()))),
        ("First language", text(&about.first_language)),
        (
            "Interpreter needed",
            shown(about.interpreter_needed.map(|a| a.label())),
        ),
        ("School, college or nursery", text(&about.school)),
        ("GP practice", text(&about.gp_practice)),
        ("Looked after", shown(about.looked_after.map(|a| a.label()))),
        ("Care leaver", shown(about.care_leaver.map(|a| a.label()))),
        (
            "Youth justice",
            shown(about.youth_justice.map(|a| a.label())),
        ),
        ("SEND or EHCP", shown(about.send_ehcp.map(|a| a.label()))),
        ("Autistic", shown(about.autistic.map(|a| a.label()))),
        ("ADHD", shown(about.adhd.map(|a| a.label()))),
        ("Young carer", shown(about.young_carer.map(|a| a.label()))),
    ]
}

/// The questions a journey page shows for `part` (none when `None`), filled from `form`.
pub fn page_questions(
    part: Option<Part>,
    voice: Voice,
    form: &FormData,
    errors: &[FieldMessage],
) -> Vec<AboutQuestion> {
    match part {
        Some(part) => questions(part, voice, &input(form), errors),
        None => Vec::new(),
    }
}
