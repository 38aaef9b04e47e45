//! The referral form's questions and choices in a referrer's words (kinds, sources, reasons
//! in plain words, priorities, consent and the safeguarding route, whether the family may be
//! contacted, an anonymous consultation's age band), as radios and checkboxes.

use crate::form::FormData;
use crate::public::get_help::Choice;
use nwd_domain::codes::{PlainReason, ReferralSource};
use nwd_domain::consultation::AgeBand;
use nwd_domain::referral::intake::ContactSafety;

/// The kinds of request, in a referrer's words.
pub const KINDS: &[(&str, &str)] = &[
    ("referral", "Refer a young person for support"),
    (
        "advice_request",
        "Ask for advice or a consultation about a young person",
    ),
    (
        "both",
        "Both: refer them, and ask for advice or a consultation too",
    ),
];

/// For advice: whether the referrer can say who the young person is (an anonymous
/// consultation asks nothing that identifies them).
pub const IDENTIFY: &[(&str, &str)] = &[
    ("named", "Yes, I can tell you who they are"),
    (
        "anonymous",
        "No, I want to ask without naming them (an anonymous consultation)",
    ),
];

/// "Can you tell us who the young person is?"
pub const IDENTIFY_QUESTION: &str = "Can you tell us who the young person is?";

/// Why the young person or family was not asked, or did not agree.
pub const NOT_SOUGHT: &[(&str, &str)] = &[
    (
        "risk_to_child",
        "Telling them could put the child at risk of harm",
    ),
    ("other", "Another reason"),
];

/// "Why have they not been asked, or not agreed?"
pub const NOT_SOUGHT_QUESTION: &str = "Why have they not been asked, or not agreed?";

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

/// The reasons a professional can choose, in plain words; the domain maps each to the
/// national code behind the scenes (`nwd_domain::codes::PlainReason::code`).
pub const REASONS: [PlainReason; 13] = PlainReason::ALL;

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
    (
        "not_sought",
        "No: they have not been asked, or they have not agreed",
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

/// Whether the family may be contacted, as (value, label) pairs.
pub(crate) fn safety_choices() -> Vec<(&'static str, &'static str)> {
    ContactSafety::ALL
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect()
}

/// The age bands of an anonymous consultation, as (value, label) pairs.
pub(crate) fn age_band_choices() -> Vec<(&'static str, &'static str)> {
    AgeBand::ALL
        .iter()
        .map(|b| (b.as_str(), b.label()))
        .collect()
}

/// The label of `value` in `list`, or "" if it is not one of them.
pub(crate) fn label_in<'a>(list: &[(&'a str, &'a str)], value: &str) -> &'a str {
    list.iter()
        .find(|(v, _)| *v == value)
        .map(|(_, label)| *label)
        .unwrap_or("")
}
