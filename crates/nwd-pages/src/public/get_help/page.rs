//! The get-help pages: the page for one question ([`step_html`]), the check-your-answers rows
//! and the neutral page a submission that looks automated gets.

use super::steps::{
    help_with_label, label_of, share_choices, Step, Who, AWARENESS, HELP_WITH, RELATIONSHIPS,
};
use super::validate::{age, date_of_birth};
use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, Sensitivity};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use nwd_domain::codes::ReasonCode;
use nwd_domain::referral::command::GILLICK_AGE;
use nwd_http::limits::HONEYPOT_FIELD;

/// A choice in a list of checkboxes.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
    /// Ticked.
    pub checked: bool,
}

/// A row on the check-your-answers page.
#[derive(Debug, Clone)]
pub struct AnswerRow {
    /// The question, short.
    pub key: &'static str,
    /// The answer as given (one line each).
    pub lines: Vec<String>,
    /// The step that asks it.
    pub step: &'static str,
}

#[derive(Template)]
#[template(path = "get_help.html")]
pub(super) struct StepPage {
    layout: Layout,
    step: &'static str,
    form: FormData,
    changing: bool,
    /// Where the question's answer is posted (its own address).
    action: String,
    /// The back link: the previous question's address (the check page's when changing).
    back: Option<String>,
    /// When someone will be in touch (`usecase::promise`), for the first and the check page.
    promise: String,
    /// The first question of the journey: it says who will see what and what happens next.
    first: bool,
    under_16: bool,
    parent: bool,
    their: &'static str,
    help_with: Vec<Choice>,
    share: Vec<Choice>,
    relationships: Vec<Choice>,
    awareness: Vec<Choice>,
    answers: Vec<AnswerRow>,
    honeypot: &'static str,
    about_questions: Vec<crate::public::about::AboutQuestion>,
    safety: crate::public::safety_question::SafetyQuestion,
}
/// What a submission that looks automated gets: a neutral page, the same for every reason,
/// that neither confirms nor names a refusal. A person who somehow sees it is told plainly
/// that without a reference nothing has reached us.
#[derive(Template)]
#[template(path = "form_neutral.html")]
pub(super) struct NeutralPage {
    layout: Layout,
}

/// The neutral answer to a submission that looks automated (nothing has been written).
pub fn neutral_response() -> Response {
    render(
        &NeutralPage {
            layout: Layout::public("Thank you"),
        },
        StatusCode::OK,
        Sensitivity::Identifiable,
    )
}

impl StepPage {
    fn field(&self, name: &str) -> String {
        self.form.first(name).to_owned()
    }

    /// A parent's browser must not fill the child's fields with the parent's own details.
    fn autocomplete<'a>(&self, token: &'a str) -> &'a str {
        if self.parent {
            "off"
        } else {
            token
        }
    }

    fn name_label<'a>(&self, id: &str, label: &'a str) -> &'a str {
        if self.parent && id == "preferred-name" {
            "What do they like to be called? (optional)"
        } else {
            label
        }
    }

    fn name_hint<'a>(&self, id: &str, hint: &'a str) -> &'a str {
        if self.parent && id == "preferred-name" {
            "If it is different from their first name"
        } else {
            hint
        }
    }
}
pub(super) fn step_page(
    step: Step,
    form: FormData,
    errors: Vec<FieldMessage>,
    changing: bool,
    today: Date,
    promise: &str,
) -> Response {
    let page = step_template(step, form, errors, changing, today, promise);
    render(&page, StatusCode::OK, Sensitivity::Identifiable)
}

/// The page for one question as HTML (for the fuzz target, which renders every step of an
/// arbitrary form without a server).
#[doc(hidden)]
pub fn step_html(
    step: Step,
    form: FormData,
    errors: Vec<FieldMessage>,
    today: Date,
) -> Result<String, askama::Error> {
    step_template(step, form, errors, false, today, "").render()
}

pub(super) fn step_template(
    step: Step,
    form: FormData,
    errors: Vec<FieldMessage>,
    changing: bool,
    today: Date,
    promise: &str,
) -> StepPage {
    let who = Who::of(&form);
    let back = if changing {
        Some(super::step_path(Step::Check))
    } else {
        step.previous(who).map(super::step_path)
    };
    let chosen = form.all("reasons");
    let help_with = HELP_WITH
        .iter()
        .map(|(code, _)| Choice {
            value: code.as_str().to_owned(),
            label: help_with_label(*code, who).to_owned(),
            checked: chosen.contains(&code.as_str()),
        })
        .collect();
    let choices = |list: &[(&str, &str)], picked: Vec<&str>| -> Vec<Choice> {
        list.iter()
            .map(|(value, label)| Choice {
                value: (*value).to_owned(),
                label: (*label).to_owned(),
                checked: picked.contains(value),
            })
            .collect()
    };
    let share = choices(&share_choices(who), form.all("share"));
    let relationships = choices(RELATIONSHIPS, form.all("relationship"));
    let awareness = choices(AWARENESS, form.all("aware"));
    let under_16 = age(&form, today).is_some_and(|a| a < GILLICK_AGE);
    let answers = if step == Step::Check {
        answer_rows(&form)
    } else {
        Vec::new()
    };
    let about_questions =
        crate::public::about::page_questions(step_part(step), voice(who), &form, &errors);
    StepPage {
        layout: Layout::public(step.title(who)).with_errors(errors),
        step: step.as_str(),
        changing,
        action: super::step_path(step),
        back,
        promise: promise.to_owned(),
        first: step == Step::first(who),
        under_16,
        parent: who == Who::ParentCarer,
        their: who.their(),
        help_with,
        share,
        relationships,
        awareness,
        answers,
        honeypot: HONEYPOT_FIELD,
        about_questions,
        safety: crate::public::safety_question::view(&form, who),
        form,
    }
}

/// Which "about" questions a step asks (none for the other steps).
pub(super) fn step_part(step: Step) -> Option<crate::public::about::Part> {
    match step {
        Step::AboutYou => Some(crate::public::about::Part::Identity),
        Step::AboutSupport => Some(crate::public::about::Part::Groups),
        Step::Sharing => Some(crate::public::about::Part::GpAndSchool),
        _ => None,
    }
}

pub(super) fn voice(who: Who) -> crate::public::about::Voice {
    match who {
        Who::YoungPerson => crate::public::about::Voice::You,
        Who::ParentCarer => crate::public::about::Voice::They,
    }
}

pub(super) fn answer_rows(form: &FormData) -> Vec<AnswerRow> {
    let who = Who::of(form);
    let dob = date_of_birth(form)
        .map(|d| d.strftime("%-d %B %Y").to_string())
        .unwrap_or_default();
    let mut name = format!(
        "{} {}",
        form.first("given-name").trim(),
        form.first("family-name").trim()
    );
    if !form.first("preferred-name").trim().is_empty() {
        name = format!("{name} (call me {})", form.first("preferred-name").trim());
    }
    let postcode = match form.first("postcode").trim() {
        "" => "Not given".to_owned(),
        p => p.to_uppercase(),
    };
    let help: Vec<String> = form
        .all("reasons")
        .iter()
        .filter_map(|r| ReasonCode::parse(r).ok())
        .map(|code| help_with_label(code, who).to_owned())
        .collect();
    let contact: Vec<String> = [
        form.first("your-name").trim(),
        form.first("phone").trim(),
        form.first("email").trim(),
    ]
    .into_iter()
    .filter(|v| !v.is_empty())
    .map(str::to_owned)
    .collect();
    let mut share: Vec<String> = form
        .all("share")
        .iter()
        .map(|v| {
            share_choices(who)
                .iter()
                .find(|(value, _)| value == v)
                .map(|(_, label)| (*label).to_owned())
                .unwrap_or_default()
        })
        .collect();
    if share.is_empty() {
        share.push("No one else for now".to_owned());
    }
    // Which GP practice and school, when given (asked with the sharing question).
    let answers = crate::public::about::input(form);
    share.extend(
        crate::public::about::answered_lines(
            crate::public::about::Part::GpAndSchool,
            voice(who),
            &answers,
        )
        .into_iter()
        .filter(|line| line != "Not answered"),
    );
    let mut rows = Vec::new();
    if who == Who::ParentCarer {
        rows.push(AnswerRow {
            key: "You are their",
            lines: vec![label_of(RELATIONSHIPS, form.first("relationship")).to_owned()],
            step: Step::Relationship.as_str(),
        });
    }
    rows.extend([
        AnswerRow {
            key: "Date of birth",
            lines: vec![dob],
            step: Step::DateOfBirth.as_str(),
        },
        AnswerRow {
            key: "Name",
            lines: vec![name],
            step: Step::Name.as_str(),
        },
        AnswerRow {
            key: "Postcode",
            lines: vec![postcode],
            step: Step::Postcode.as_str(),
        },
        AnswerRow {
            key: "Help with",
            lines: help,
            step: Step::HelpWith.as_str(),
        },
        crate::public::safety_question::answer_row(form),
        AnswerRow {
            key: "What has been happening",
            lines: form
                .first("happening")
                .trim()
                .lines()
                .map(str::to_owned)
                .collect(),
            step: Step::Happening.as_str(),
        },
    ]);
    if who == Who::ParentCarer {
        rows.push(AnswerRow {
            key: "They know you are asking",
            lines: vec![label_of(AWARENESS, form.first("aware")).to_owned()],
            step: Step::Awareness.as_str(),
        });
    }
    rows.extend([
        AnswerRow {
            key: "Contact",
            lines: contact,
            step: Step::Contact.as_str(),
        },
        AnswerRow {
            key: "We can talk to",
            lines: share,
            step: Step::Sharing.as_str(),
        },
    ]);
    for (key, step, part) in [
        (
            "About",
            Step::AboutYou,
            crate::public::about::Part::Identity,
        ),
        (
            "Support",
            Step::AboutSupport,
            crate::public::about::Part::Groups,
        ),
    ] {
        rows.push(AnswerRow {
            key,
            lines: crate::public::about::answered_lines(part, voice(who), &answers),
            step: step.as_str(),
        });
    }
    rows
}
