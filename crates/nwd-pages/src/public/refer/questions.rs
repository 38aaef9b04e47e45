//! The referral form's questions and choices in a referrer's words (kinds, sources, reasons,
//! priorities, consent), as radios and checkboxes.

use crate::form::FormData;
use crate::public::get_help::Choice;
use nwd_domain::codes::{ReasonCode, ReferralSource};

/// The kinds of request, in a referrer's words.
pub const KINDS: &[(&str, &str)] = &[
    ("referral", "Refer a young person for support"),
    (
        "advice_request",
        "Ask for advice or a consultation about a young person",
    ),
];

/// Who a professional referrer is: the sources of referral a professional can be (the
/// self and parent/carer sources have their own journeys; transfers come between trusts).
pub const SOURCES: [ReferralSource; 8] = [
    ReferralSource::School,
    ReferralSource::Gp,
    ReferralSource::SocialCare,
    ReferralSource::VoluntarySector,
    ReferralSource::YouthJustice,
    ReferralSource::Police,
    ReferralSource::EmergencyDepartment,
    ReferralSource::Other,
];

/// The reasons a professional can choose (MHSDS primary reason for referral, by its own label).
pub const REASONS: [ReasonCode; 14] = [
    ReasonCode::Anxiety,
    ReasonCode::Depression,
    ReasonCode::SelfHarm,
    ReasonCode::EatingDisorder,
    ReasonCode::Ptsd,
    ReasonCode::Ocd,
    ReasonCode::ConductDisorder,
    ReasonCode::RelationshipDifficulties,
    ReasonCode::NeurodevelopmentalExclAutism,
    ReasonCode::SuspectedAutism,
    ReasonCode::GenderDiscomfort,
    ReasonCode::DrugAlcohol,
    ReasonCode::AttachmentDifficulties,
    ReasonCode::InCrisis,
];

/// How soon: a form offers routine and urgent; emergencies are for the phone.
pub const PRIORITIES: &[(&str, &str)] = &[
    ("routine", "Routine"),
    ("urgent", "Urgent: needs a response within days"),
];

/// Whether the young person (or, for a younger child, the family) knows and agrees.
pub const CONSENT: &[(&str, &str)] = &[
    ("yes", "Yes, they know about this and agree to it"),
    (
        "advice_only",
        "No: I am asking for advice only, and will talk with them about a referral afterwards",
    ),
];
/// A group of radios or checkboxes on the form.
#[derive(Debug, Clone)]
pub struct Group {
    /// Field name and the first input's id.
    pub id: &'static str,
    /// The question.
    pub legend: &'static str,
    /// Checkboxes (several answers) rather than radios.
    pub checkboxes: bool,
    /// The choices.
    pub choices: Vec<Choice>,
}

/// A group of choices named `id`, with the answers in `form` ticked.
pub(crate) fn group(
    id: &'static str,
    legend: &'static str,
    checkboxes: bool,
    list: &[(&str, &str)],
    form: &FormData,
) -> Group {
    Group {
        id,
        legend,
        checkboxes,
        choices: choices(list, &form.all(id)),
    }
}
/// The choices of `list`, those in `picked` ticked.
pub(crate) fn choices(list: &[(&str, &str)], picked: &[&str]) -> Vec<Choice> {
    list.iter()
        .map(|(value, label)| Choice {
            value: (*value).to_owned(),
            label: (*label).to_owned(),
            checked: picked.contains(value),
        })
        .collect()
}
/// "Where do you work?"
pub const SOURCE_QUESTION: &str = "Where do you work?";
/// "How soon is a response needed?"
pub const PRIORITY_QUESTION: &str = "How soon is a response needed?";
/// Whether the young person knows and agrees.
pub const CONSENT_QUESTION: &str =
    "Does the young person (or, for a younger child, their family) know about this and agree?";

/// [`SOURCES`] as (value, label) pairs.
pub(crate) fn source_choices() -> Vec<(&'static str, &'static str)> {
    SOURCES.iter().map(|s| (s.as_str(), s.label())).collect()
}

/// [`REASONS`] as (value, label) pairs.
pub(crate) fn reason_choices() -> Vec<(&'static str, &'static str)> {
    REASONS.iter().map(|r| (r.as_str(), r.label())).collect()
}

/// The label of `value` in `list`, or "" if it is not one of them.
pub(crate) fn label_in<'a>(list: &[(&'a str, &'a str)], value: &str) -> &'a str {
    list.iter()
        .find(|(v, _)| *v == value)
        .map(|(_, label)| *label)
        .unwrap_or("")
}
