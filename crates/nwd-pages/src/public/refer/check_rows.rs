//! The professional journey's "Check your answers" rows ([`answer_rows`]): one row per
//! question the answers ask (an anonymous consultation shows no name, date of birth, NHS
//! number, postcode or family contact), each with the question's change link.

use super::questions::{CONSENT, IDENTIFY, KINDS, NOT_SOUGHT, PRIORITIES};
use super::{age_band_choices, label_in, safety_choices, source_choices};
use crate::form::FormData;
use crate::public::get_help::AnswerRow;
use crate::public::refer_journey::Question;
use nwd_domain::codes::PlainReason;

fn lines(values: &[&str]) -> Vec<String> {
    values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

fn or_not_given(value: &str) -> Vec<String> {
    match value.trim() {
        "" => vec!["Not given".to_owned()],
        v => vec![v.to_owned()],
    }
}

/// The rows of the check page, for the questions the answers ask.
pub(crate) fn answer_rows(form: &FormData) -> Vec<AnswerRow> {
    let row = |key: &'static str, lines: Vec<String>, question: Question| AnswerRow {
        key,
        lines,
        step: question.as_str(),
    };
    let dob = super::date_of_birth(form)
        .map(|d| d.strftime("%-d %B %Y").to_string())
        .unwrap_or_default();
    let sources = source_choices();
    let reasons = form
        .all("reasons")
        .iter()
        .filter_map(|r| PlainReason::parse(r).ok())
        .map(|reason| reason.label().to_owned())
        .collect();
    let advice = super::asks_advice(form);
    let family = if super::answers::gave_family_contact(form) {
        let mut family = lines(&[
            &format!(
                "{} ({})",
                form.first("carer-name").trim(),
                form.first("carer-relationship").trim()
            ),
            form.first("carer-phone"),
            form.first("carer-email"),
            label_in(&safety_choices(), form.first("carer-safety")),
            form.first("carer-how"),
        ]);
        family.extend(lines(&[form.first("yp-phone"), form.first("yp-email")]));
        family
    } else {
        or_not_given(&lines(&[form.first("yp-phone"), form.first("yp-email")]).join(", "))
    };
    let rows = vec![
        row(
            "What you would like to do",
            vec![label_in(KINDS, form.first("kind")).to_owned()],
            Question::Kind,
        ),
        row(
            "Can you name them",
            vec![label_in(IDENTIFY, form.first("identify")).to_owned()],
            Question::Identify,
        ),
        row(
            "Where you work",
            vec![label_in(&sources, form.first("source")).to_owned()],
            Question::Source,
        ),
        row(
            "Your details",
            lines(&[
                form.first("referrer-name"),
                form.first("referrer-role"),
                form.first("organisation"),
                form.first("referrer-phone"),
                form.first("referrer-email"),
            ]),
            Question::Contact,
        ),
        row(
            "Young person's name",
            lines(&[&format!(
                "{} {}",
                form.first("given-name").trim(),
                form.first("family-name").trim()
            )]),
            Question::Name,
        ),
        row("Date of birth", vec![dob], Question::DateOfBirth),
        row(
            "Age and area",
            lines(&[
                label_in(&age_band_choices(), form.first("age-band")),
                form.first("area"),
            ]),
            Question::AgeArea,
        ),
        row(
            "NHS number",
            or_not_given(form.first("nhs-number")),
            Question::NhsNumber,
        ),
        row(
            "Postcode",
            or_not_given(&form.first("postcode").to_uppercase()),
            Question::Postcode,
        ),
        row("What you are worried about", reasons, Question::Reasons),
        row(
            if advice {
                "What you would like advice about"
            } else {
                "What is happening"
            },
            form.first("needs")
                .trim()
                .lines()
                .map(str::to_owned)
                .collect(),
            Question::Needs,
        ),
        row(
            "How soon",
            vec![label_in(PRIORITIES, form.first("priority")).to_owned()],
            Question::Priority,
        ),
        row(
            "They know and agree",
            vec![label_in(CONSENT, form.first("consent")).to_owned()],
            Question::Consent,
        ),
        row(
            "Why they have not been asked or not agreed",
            lines(&[
                label_in(NOT_SOUGHT, form.first("not-sought-reason")),
                form.first("not-sought-detail"),
            ]),
            Question::NotSought,
        ),
        row("Who we can contact", family, Question::Family),
        row(
            "About the young person",
            crate::public::about::answered_lines(
                crate::public::about::Part::All,
                crate::public::about::Voice::Professional,
                &crate::public::about::input(form),
            ),
            Question::About,
        ),
    ];
    rows.into_iter()
        .filter(|r| {
            Question::ALL
                .iter()
                .find(|q| q.as_str() == r.step)
                .is_some_and(|q| q.applies(form))
        })
        .collect()
}
