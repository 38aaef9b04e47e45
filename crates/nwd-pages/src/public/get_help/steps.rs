//! The get-help journeys' questions: who is asking ([`Who`]), the steps each journey asks in
//! its order ([`Step`]), and the words of their choices (help with, relationships, sharing).

use crate::form::FormData;
use nwd_domain::codes::ReasonCode;
use nwd_domain::self_referral::{Asker, ShareWith};

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The young person, for themselves.
    YoungPerson,
    /// A parent or carer, for their child.
    ParentCarer,
}

impl Who {
    /// Who the answers say is asking (the hidden `who` field).
    pub fn of(form: &FormData) -> Who {
        if form.first("who") == "parent_carer" {
            Who::ParentCarer
        } else {
            Who::YoungPerson
        }
    }

    pub(super) fn steps(self) -> &'static [Step] {
        match self {
            Who::YoungPerson => &Step::YOUNG_PERSON,
            Who::ParentCarer => &Step::PARENT_CARER,
        }
    }

    /// The domain's name for who is asking.
    pub fn asker(self) -> Asker {
        match self {
            Who::YoungPerson => Asker::YoungPerson,
            Who::ParentCarer => Asker::ParentCarer,
        }
    }

    /// "your" for the young person, "their" for a parent or carer.
    pub(super) fn their(self) -> &'static str {
        match self {
            Who::YoungPerson => "your",
            Who::ParentCarer => "their",
        }
    }
}

/// Whether the child knows about the request (the domain's choices, with their words).
pub use nwd_domain::self_referral::AWARENESS;
/// How a parent or carer is related to the child (the domain's choices, with their words).
pub use nwd_domain::self_referral::RELATIONSHIPS;

pub(super) fn label_of(list: &'static [(&'static str, &'static str)], value: &str) -> &'static str {
    list.iter()
        .find(|(v, _)| *v == value)
        .map(|(_, label)| *label)
        .unwrap_or("")
}

/// The questions (each journey asks them in its own order: [`Who::steps`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A parent's or carer's relationship to the child.
    Relationship,
    /// Date of birth.
    DateOfBirth,
    /// Name.
    Name,
    /// Postcode.
    Postcode,
    /// What they would like help with.
    HelpWith,
    /// The safety question (`crate::public::safety_question`).
    Safety,
    /// What is happening, in their words.
    Happening,
    /// Whether the child knows and agrees (parent or carer).
    Awareness,
    /// How to contact them.
    Contact,
    /// Who we may talk to, and what happens next.
    Sharing,
    /// About the young person, optional: ethnicity, sex, gender, disability, language
    /// (`pages::about`).
    AboutYou,
    /// About the young person, optional: school, GP and the groups (`pages::about`).
    AboutSupport,
    /// Check your answers.
    Check,
}

impl Step {
    const YOUNG_PERSON: [Step; 11] = [
        Step::DateOfBirth,
        Step::Name,
        Step::Postcode,
        Step::HelpWith,
        Step::Safety,
        Step::Happening,
        Step::Contact,
        Step::Sharing,
        Step::AboutYou,
        Step::AboutSupport,
        Step::Check,
    ];
    const PARENT_CARER: [Step; 13] = [
        Step::Relationship,
        Step::DateOfBirth,
        Step::Name,
        Step::Postcode,
        Step::HelpWith,
        Step::Safety,
        Step::Happening,
        Step::Awareness,
        Step::Contact,
        Step::Sharing,
        Step::AboutYou,
        Step::AboutSupport,
        Step::Check,
    ];
    /// Every step, in order.
    pub const ALL: [Step; 13] = Step::PARENT_CARER;

    /// The step's name in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Relationship => "relationship",
            Step::Awareness => "awareness",
            Step::DateOfBirth => "date-of-birth",
            Step::Name => "name",
            Step::Postcode => "postcode",
            Step::HelpWith => "help-with",
            Step::Safety => crate::public::safety_question::STEP,
            Step::Happening => "happening",
            Step::Contact => "contact",
            Step::Sharing => "sharing",
            Step::AboutYou => "about-you",
            Step::AboutSupport => "about-support",
            Step::Check => "check",
        }
    }

    pub(super) fn parse(text: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.as_str() == text)
    }

    fn index(self, who: Who) -> usize {
        who.steps().iter().position(|s| *s == self).unwrap_or(0)
    }

    pub(super) fn next(self, who: Who) -> Step {
        who.steps()
            .get(self.index(who) + 1)
            .copied()
            .unwrap_or(Step::Check)
    }

    pub(super) fn previous(self, who: Who) -> Option<Step> {
        self.index(who)
            .checked_sub(1)
            .and_then(|i| who.steps().get(i).copied())
    }

    pub(super) fn first(who: Who) -> Step {
        who.steps().first().copied().unwrap_or(Step::DateOfBirth)
    }

    pub(super) fn title(self, who: Who) -> &'static str {
        match (self, who) {
            (Step::Relationship, _) => "How are you related to the child or young person?",
            (Step::Awareness, _) => "Do they know you are asking for help?",
            (Step::DateOfBirth, Who::YoungPerson) => "What is your date of birth?",
            (Step::DateOfBirth, Who::ParentCarer) => "What is their date of birth?",
            (Step::Name, Who::YoungPerson) => "What is your name?",
            (Step::Name, Who::ParentCarer) => "What is their name?",
            (Step::Postcode, Who::YoungPerson) => "What is your postcode?",
            (Step::Postcode, Who::ParentCarer) => "What is their postcode?",
            (Step::HelpWith, Who::YoungPerson) => "What would you like help with?",
            (Step::HelpWith, Who::ParentCarer) => "What would they like help with?",
            (Step::Safety, who) => crate::public::safety_question::title(who),
            (Step::Happening, _) => "Tell us what has been happening",
            (Step::Contact, _) => "How can we contact you?",
            (Step::Sharing, _) => "Who can we talk to about this?",
            (Step::AboutYou, Who::YoungPerson) => "About you",
            (Step::AboutYou, Who::ParentCarer) => "About them",
            (Step::AboutSupport, Who::YoungPerson) => "About your support",
            (Step::AboutSupport, Who::ParentCarer) => "About their support",
            (Step::Check, _) => "Check your answers before sending",
        }
    }

    /// The form fields this step asks.
    /// The form fields this step asks, for `who`.
    pub fn fields(self, who: Who) -> &'static [&'static str] {
        match self {
            Step::Relationship => &["relationship"],
            Step::Awareness => &["aware"],
            Step::DateOfBirth => &["dob-day", "dob-month", "dob-year"],
            Step::Name => &["given-name", "family-name", "preferred-name"],
            Step::Postcode => &["postcode"],
            Step::HelpWith => &["reasons"],
            Step::Safety => crate::public::safety_question::FIELDS,
            Step::Happening => &["happening"],
            Step::Contact if who == Who::ParentCarer => &["your-name", "phone", "email"],
            Step::Contact => &["phone", "email"],
            Step::Sharing => &["share", "understood", "gp_practice", "school"],
            Step::AboutYou => &crate::public::about::IDENTITY_FIELDS,
            Step::AboutSupport => &crate::public::about::GROUP_FIELDS,
            Step::Check => &[],
        }
    }
}

/// What the young person can choose on "What would you like help with?": plain words, each
/// mapped to the national reason code triage uses.
pub const HELP_WITH: &[(ReasonCode, &str)] = &[
    (ReasonCode::Anxiety, "Feeling worried, anxious or panicky"),
    (ReasonCode::Depression, "Feeling low, sad or hopeless"),
    (ReasonCode::SelfHarm, "Hurting yourself"),
    (
        ReasonCode::EatingDisorder,
        "Eating, food or how you feel about your body",
    ),
    (ReasonCode::Ptsd, "Something upsetting that happened to you"),
    (
        ReasonCode::RelationshipDifficulties,
        "Getting on with family or friends",
    ),
    (
        ReasonCode::ConductDisorder,
        "Anger, or getting into trouble",
    ),
    (
        ReasonCode::Ocd,
        "Thoughts or habits you cannot stop, like checking or washing",
    ),
    (ReasonCode::GenderDiscomfort, "Feelings about your gender"),
    (ReasonCode::DrugAlcohol, "Drugs or alcohol"),
];

/// The same choices in a parent's or carer's words, by the same codes.
pub fn help_with_label(code: ReasonCode, who: Who) -> &'static str {
    let own = HELP_WITH
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, label)| *label)
        .unwrap_or("");
    if who == Who::YoungPerson {
        return own;
    }
    match code {
        ReasonCode::SelfHarm => "Hurting themselves",
        ReasonCode::EatingDisorder => "Eating, food or how they feel about their body",
        ReasonCode::Ptsd => "Something upsetting that happened to them",
        ReasonCode::Ocd => "Thoughts or habits they cannot stop, like checking or washing",
        ReasonCode::GenderDiscomfort => "Feelings about their gender",
        _ => own,
    }
}

/// Who they can agree we talk to, in the young person's words or a parent's or carer's: the
/// choices are the domain's ([`Asker::share_choices`]), only the words are the page's.
pub(super) fn share_label(choice: ShareWith, who: Who) -> &'static str {
    match (choice, who) {
        (ShareWith::Gp, Who::YoungPerson) => "Your GP",
        (ShareWith::Gp, Who::ParentCarer) => "Their GP",
        (ShareWith::School, Who::YoungPerson) => "Your school, college or university",
        (ShareWith::School, Who::ParentCarer) => "Their school, college or nursery",
        (ShareWith::ParentCarer, _) => "Your parent or carer",
    }
}

/// The share choices offered to `who`, with their words.
pub(super) fn share_choices(who: Who) -> Vec<(&'static str, &'static str)> {
    who.asker()
        .share_choices()
        .iter()
        .map(|choice| (choice.as_str(), share_label(*choice, who)))
        .collect()
}
