//! What a self-referral asks, as values: who is asking ([`Asker`]), who they agree we may talk
//! to ([`ShareWith`]) and the safety question's answers ([`SafetyAnswers`]). The public
//! journeys (`/get-help`) and `POST /api/self-referrals` both turn their input into these, so
//! that the same answers make the same referral whichever door they came through. The
//! words of the questions are here too, because the safety answers' reason for triage quotes
//! them.
//!
//! Not here: contact details ([`crate::contact`]), the person ([`crate::person`]).

use crate::codes::{Priority, ReferralSource};

/// Who is asking for help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asker {
    /// The young person, for themselves.
    YoungPerson,
    /// A parent or carer, for their child.
    ParentCarer,
}

impl Asker {
    /// Parses the API's name (`young_person`, `parent_carer`).
    pub fn parse(text: &str) -> Result<Asker, String> {
        match text {
            "young_person" => Ok(Asker::YoungPerson),
            "parent_carer" => Ok(Asker::ParentCarer),
            other => Err(format!(
                "unknown value {other:?}; say young_person or parent_carer"
            )),
        }
    }

    /// The source of referral (MHSDS): B1 self, B2 carer or relative.
    pub fn source(self) -> ReferralSource {
        match self {
            Asker::YoungPerson => ReferralSource::SelfReferral,
            Asker::ParentCarer => ReferralSource::ParentCarer,
        }
    }

    /// Whom they may agree we talk to: a parent or carer is not asked about themselves.
    pub fn share_choices(self) -> &'static [ShareWith] {
        match self {
            Asker::YoungPerson => &ShareWith::ALL,
            Asker::ParentCarer => &[ShareWith::Gp, ShareWith::School],
        }
    }
}

/// How a parent or carer is related to the child: the choices `/get-help/parent-carer` offers
/// and `POST /api/self-referrals` takes (`relationship`), by name, with their words.
pub const RELATIONSHIPS: &[(&str, &str)] = &[
    ("parent", "Parent"),
    ("step_parent", "Step-parent"),
    ("adoptive_parent", "Adoptive parent"),
    ("foster_carer", "Foster carer"),
    (
        "relative",
        "Grandparent or other relative who cares for them",
    ),
    ("other", "Other carer or guardian"),
];

/// Whether the child knows about the request, what triage needs before contacting them: the
/// journey's choices and the API's `child_knows`, by name, with their words.
pub const AWARENESS: &[(&str, &str)] = &[
    ("knows_agrees", "Yes, and they agree to it"),
    ("knows_unsure", "Yes, but they are not sure or do not agree"),
    ("does_not_know", "No, they do not know yet"),
    ("too_young", "They are too young to understand"),
];

/// The words of the choice named `name` in `list` (`RELATIONSHIPS`, `AWARENESS`).
pub fn choice_label(list: &[(&str, &'static str)], name: &str) -> Option<&'static str> {
    list.iter()
        .find(|(n, _)| *n == name)
        .map(|(_, label)| *label)
}

/// Someone a young person or family agrees we may talk to about the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareWith {
    /// Their GP.
    Gp,
    /// Their school, college, university or nursery.
    School,
    /// Their parent or carer.
    ParentCarer,
}

impl ShareWith {
    /// Every choice, in the order the pages offer them.
    pub const ALL: [ShareWith; 3] = [ShareWith::Gp, ShareWith::School, ShareWith::ParentCarer];

    /// The API's and the forms' name.
    pub fn as_str(self) -> &'static str {
        match self {
            ShareWith::Gp => "gp",
            ShareWith::School => "school",
            ShareWith::ParentCarer => "parent_carer",
        }
    }

    /// The agency as the referral records it (`NewReferral::consent_to_share`), shown to
    /// triage as "Agreed we may talk to".
    pub fn agency(self) -> &'static str {
        match self {
            ShareWith::Gp => "GP",
            ShareWith::School => "School or college",
            ShareWith::ParentCarer => "Parent or carer",
        }
    }

    /// Parses a name (`gp`, `school`, `parent_carer`) or the recorded agency, in any case.
    pub fn parse(text: &str) -> Result<ShareWith, String> {
        let text = text.trim();
        ShareWith::ALL
            .into_iter()
            .find(|s| {
                s.as_str().eq_ignore_ascii_case(text) || s.agency().eq_ignore_ascii_case(text)
            })
            .ok_or_else(|| format!("unknown choice {text:?}; allowed: gp, school, parent_carer"))
    }
}

/// One answer to a safety question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SafetyAnswer {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Not sure.
    NotSure,
}

impl SafetyAnswer {
    /// Every answer, in the order the pages offer them.
    pub const ALL: [SafetyAnswer; 3] = [SafetyAnswer::Yes, SafetyAnswer::No, SafetyAnswer::NotSure];

    /// The API's and the forms' name.
    pub fn as_str(self) -> &'static str {
        match self {
            SafetyAnswer::Yes => "yes",
            SafetyAnswer::No => "no",
            SafetyAnswer::NotSure => "not_sure",
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            SafetyAnswer::Yes => "Yes",
            SafetyAnswer::No => "No",
            SafetyAnswer::NotSure => "I'm not sure",
        }
    }

    /// Parses `yes`, `no` or `not_sure`.
    pub fn parse(text: &str) -> Result<SafetyAnswer, String> {
        SafetyAnswer::ALL
            .into_iter()
            .find(|a| a.as_str() == text)
            .ok_or_else(|| format!("unknown answer {text:?}; say yes, no or not_sure"))
    }
}

/// The priority answers that signal risk ask triage to confirm: very urgent (seen within 4
/// hours by the single point of access's triage standard, `config/standards.toml`).
pub const SAFETY_REQUESTED_PRIORITY: Priority = Priority::VeryUrgent;

/// The safety question's two answers: "Are you thinking about hurting yourself or ending your
/// life?" and "Have you hurt yourself recently?" (a parent or carer is asked about their child).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SafetyAnswers {
    /// Thinking about hurting themselves or ending their life.
    pub thoughts: SafetyAnswer,
    /// Hurt themselves recently.
    pub harmed: SafetyAnswer,
}

impl SafetyAnswers {
    /// The two questions in the asker's words.
    pub fn questions(asker: Asker) -> (&'static str, &'static str) {
        match asker {
            Asker::YoungPerson => (
                "Are you thinking about hurting yourself or ending your life?",
                "Have you hurt yourself recently?",
            ),
            Asker::ParentCarer => (
                "Are they thinking about hurting themselves or ending their life?",
                "Have they hurt themselves recently?",
            ),
        }
    }

    /// The answers signal risk: yes or not sure to thoughts of self-harm or suicide, or yes
    /// to recent self-harm.
    pub fn signal_risk(&self) -> bool {
        matches!(self.thoughts, SafetyAnswer::Yes | SafetyAnswer::NotSure)
            || self.harmed == SafetyAnswer::Yes
    }

    /// The request for more urgency the answers make, with its reason for triage quoting the
    /// questions as asked: very urgent when they signal risk, none otherwise
    /// (`NewReferral::requested_priority`, see [`crate::referral::urgency`]).
    pub fn request(&self, asker: Asker) -> Option<(Priority, String)> {
        if !self.signal_risk() {
            return None;
        }
        let (thoughts, harmed) = SafetyAnswers::questions(asker);
        Some((
            SAFETY_REQUESTED_PRIORITY,
            format!(
                "Safety question on the public form: \"{thoughts}\" {}; \"{harmed}\" {}",
                self.thoughts.label(),
                self.harmed.label()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_or_not_sure_to_thoughts_or_yes_to_harm_signals_risk() {
        use SafetyAnswer::*;
        for (thoughts, harmed, risk) in [
            (No, No, false),
            (No, NotSure, false),
            (Yes, No, true),
            (NotSure, No, true),
            (No, Yes, true),
        ] {
            let answers = SafetyAnswers { thoughts, harmed };
            assert_eq!(answers.signal_risk(), risk, "{thoughts:?} {harmed:?}");
            assert_eq!(answers.request(Asker::YoungPerson).is_some(), risk);
        }
    }

    #[test]
    fn share_choices_parse_names_and_agencies() {
        assert_eq!(ShareWith::parse("GP"), Ok(ShareWith::Gp));
        assert_eq!(ShareWith::parse("parent_carer"), Ok(ShareWith::ParentCarer));
        assert_eq!(ShareWith::parse("school or college"), Ok(ShareWith::School));
        assert!(ShareWith::parse("Synthetic Academy").is_err());
        assert!(!Asker::ParentCarer
            .share_choices()
            .contains(&ShareWith::ParentCarer));
    }
}
