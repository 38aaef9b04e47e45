//! The safety question of the public journeys (`/get-help`, `/get-help/parent-carer`):
//! "Are you thinking about hurting yourself or ending your life?" and "Have you hurt yourself
//! recently?", in plain English (a parent or carer is asked about their child). Where the
//! answers signal risk — yes or not sure to the first, yes to the second — the next page is an
//! interruption with the urgent help numbers (`config/urgent-help.toml`, the same lines as
//! `/urgent-help`) and a way to carry on; and the referral arrives with a **request for very
//! urgent review** (`NewReferral::requested_priority`, see `nwd_domain::referral::urgency`):
//! measured against the 4-hour triage standard and first on the crisis list, untriaged,
//! until triage confirms the clinical priority.
//!
//! It owns the question's words, its answers' checks, what they signal, and the interruption
//! page. The journey (`crate::public::get_help`) only lists it among its steps.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use nwd_domain::codes::Priority;
use nwd_domain::self_referral::{SafetyAnswer, SafetyAnswers};

use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, Sensitivity};
use crate::public::get_help::{AnswerRow, Who};
use crate::public::urgent_help::{UrgentLine, URGENT_HELP};

/// The step's name in forms.
pub const STEP: &str = "safety";
/// The form fields the step asks.
pub const FIELDS: &[&str] = &["safety-thoughts", "safety-harmed"];
/// The query that shows the safety step's interruption (`/get-help/q/safety?help=now`).
pub const INTERRUPTION_QUERY: &str = "help=now";
/// The priority a risky answer asks triage to confirm (the domain's rule:
/// [`nwd_domain::self_referral::SAFETY_REQUESTED_PRIORITY`]).
pub const REQUESTED: Priority = nwd_domain::self_referral::SAFETY_REQUESTED_PRIORITY;

/// One radio choice.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Value.
    pub value: &'static str,
    /// Label.
    pub label: &'static str,
    /// Chosen.
    pub checked: bool,
}

/// What the step's template shows.
#[derive(Debug, Clone)]
pub struct SafetyQuestion {
    /// The first question, in the asker's words.
    pub thoughts_question: &'static str,
    /// The second question.
    pub harmed_question: &'static str,
    /// Choices for the first.
    pub thoughts: Vec<Choice>,
    /// Choices for the second.
    pub harmed: Vec<Choice>,
}

/// The page title.
pub fn title(who: Who) -> &'static str {
    match who {
        Who::YoungPerson => "Your safety",
        Who::ParentCarer => "Their safety",
    }
}

fn questions(who: Who) -> (&'static str, &'static str) {
    SafetyAnswers::questions(who.asker())
}

fn choices(picked: &str) -> Vec<Choice> {
    SafetyAnswer::ALL
        .iter()
        .map(|answer| Choice {
            value: answer.as_str(),
            label: answer.label(),
            checked: answer.as_str() == picked,
        })
        .collect()
}

/// The step's view of the answers so far.
pub fn view(form: &FormData, who: Who) -> SafetyQuestion {
    let (thoughts_question, harmed_question) = questions(who);
    SafetyQuestion {
        thoughts_question,
        harmed_question,
        thoughts: choices(form.first("safety-thoughts")),
        harmed: choices(form.first("safety-harmed")),
    }
}

/// The messages for the step's answers (empty when they are fine).
pub fn validate(form: &FormData) -> Vec<FieldMessage> {
    FIELDS
        .iter()
        .filter(|field| SafetyAnswer::parse(form.first(field)).is_err())
        .map(|field| FieldMessage::new(field, "Choose yes, no or I'm not sure"))
        .collect()
}

/// The answers, when both are given (the domain's values, as the API takes them too).
pub fn answers(form: &FormData) -> Option<SafetyAnswers> {
    Some(SafetyAnswers {
        thoughts: SafetyAnswer::parse(form.first("safety-thoughts")).ok()?,
        harmed: SafetyAnswer::parse(form.first("safety-harmed")).ok()?,
    })
}

/// The answers signal risk (the domain's rule, [`SafetyAnswers::signal_risk`]): yes or not
/// sure to thoughts of self-harm or suicide, or yes to recent self-harm.
pub fn signals_risk(form: &FormData) -> bool {
    answers(form).is_some_and(|a| a.signal_risk())
}

fn label(value: &str) -> &'static str {
    SafetyAnswer::parse(value)
        .map(SafetyAnswer::label)
        .unwrap_or("Not answered")
}

/// The check-your-answers row.
pub fn answer_row(form: &FormData) -> AnswerRow {
    let who = Who::of(form);
    let (thoughts, harmed) = questions(who);
    AnswerRow {
        key: title(who),
        lines: vec![
            format!("{thoughts} {}", label(form.first("safety-thoughts"))),
            format!("{harmed} {}", label(form.first("safety-harmed"))),
        ],
        step: STEP,
    }
}

/// The request for more urgency the answers make, with its reason for triage: very urgent
/// when they signal risk, none otherwise ([`SafetyAnswers::request`]).
pub fn request(form: &FormData) -> Option<(Priority, String)> {
    answers(form).and_then(|a| a.request(Who::of(form).asker()))
}

#[derive(Template)]
#[template(path = "safety_interruption.html")]
struct InterruptionPage {
    layout: Layout,
    parent: bool,
    lines: &'static [UrgentLine],
    next: String,
    promise: String,
}

/// The interruption shown at once when the answers signal risk: the urgent help numbers, and
/// a link to carry on with the request at `next` (the answers are already saved in the
/// journey's draft, so this is a page of its own address that Back and refresh can show again).
pub fn interruption(who: Who, next: String, promise: String) -> Response {
    let page = InterruptionPage {
        layout: Layout::public(match who {
            Who::YoungPerson => "You can get help now",
            Who::ParentCarer => "They can get help now",
        }),
        parent: who == Who::ParentCarer,
        lines: URGENT_HELP,
        next,
        promise,
    };
    render(&page, StatusCode::OK, Sensitivity::Identifiable)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(thoughts: &str, harmed: &str) -> FormData {
        FormData::parse(format!("safety-thoughts={thoughts}&safety-harmed={harmed}").as_bytes())
    }

    #[test]
    fn yes_or_not_sure_to_thoughts_or_yes_to_harm_signals_risk() {
        for (thoughts, harmed, risk) in [
            ("no", "no", false),
            ("no", "not_sure", false),
            ("yes", "no", true),
            ("not_sure", "no", true),
            ("no", "yes", true),
        ] {
            assert_eq!(
                signals_risk(&form(thoughts, harmed)),
                risk,
                "{thoughts} {harmed}"
            );
            assert_eq!(request(&form(thoughts, harmed)).is_some(), risk);
        }
        assert!(validate(&form("maybe", "")).len() == 2);
    }
}
