//! Checks the referral form's answers and words every message ([`validate`]).

use super::questions::{KINDS, PRIORITIES, REASONS, SOURCES};
use crate::form::FormData;
use crate::layout::FieldMessage;
use jiff::civil::Date;
use nwd_domain::codes::ReferralSource;
use nwd_domain::person::{older_than_served, MAX_SERVED_AGE_YEARS};
use nwd_domain::referral::command::MAX_PRESENTING_NEEDS_CHARS;

/// The date of birth answered, if it is a real date.
pub(crate) fn date_of_birth(form: &FormData) -> Option<Date> {
    let day = form.first("dob-day").trim().parse::<i8>().ok()?;
    let month = form.first("dob-month").trim().parse::<i8>().ok()?;
    let year = form.first("dob-year").trim().parse::<i16>().ok()?;
    Date::new(year, month, day).ok()
}

/// Every message for the form's answers (empty when all are fine).
pub fn validate(form: &FormData, today: Date) -> Vec<FieldMessage> {
    let mut errors = Vec::new();
    let one_of = |list: &[(&str, &str)], value: &str| list.iter().any(|(v, _)| *v == value);
    if !one_of(KINDS, form.first("kind")) {
        errors.push(FieldMessage::new(
            "kind",
            "Choose whether you are making a referral or asking for advice",
        ));
    }
    if ReferralSource::parse(form.first("source"))
        .map(|s| !SOURCES.contains(&s))
        .unwrap_or(true)
    {
        errors.push(FieldMessage::new("source", "Choose where you work"));
    }
    for (id, message) in [
        ("referrer-name", "Enter your name"),
        ("referrer-role", "Enter your job title or role"),
        ("organisation", "Enter the name of your organisation"),
    ] {
        if form.first(id).trim().is_empty() {
            errors.push(FieldMessage::new(id, message));
        }
    }
    let phone = form.first("referrer-phone").trim();
    let email = form.first("referrer-email").trim();
    if phone.is_empty() && email.is_empty() {
        errors.push(FieldMessage::new(
            "referrer-phone",
            "Enter a phone number or an email address so that we can contact you",
        ));
    }
    // The domain's rules (nwd_domain::contact), in the form's words.
    if !phone.is_empty() && nwd_domain::contact::Phone::parse(phone).is_err() {
        errors.push(FieldMessage::new(
            "referrer-phone",
            "Enter a phone number, like 01632 960 001",
        ));
    }
    if !email.is_empty() && nwd_domain::contact::Email::parse(email).is_err() {
        errors.push(FieldMessage::new(
            "referrer-email",
            "Enter an email address in the correct format, like name@school.example",
        ));
    }
    if form.first("given-name").trim().is_empty() {
        errors.push(FieldMessage::new(
            "given-name",
            "Enter the young person's first name",
        ));
    }
    if form.first("family-name").trim().is_empty() {
        errors.push(FieldMessage::new(
            "family-name",
            "Enter the young person's last name",
        ));
    }
    // The domain's name rule (length, characters), as every door applies it.
    for field in ["given-name", "family-name"] {
        let value = form.first(field).trim();
        if !value.is_empty() {
            if let Err(message) = nwd_domain::person_text::PersonName::parse(value) {
                errors.push(FieldMessage::new(
                    field,
                    format!("The young person's name: {message}"),
                ));
            }
        }
    }
    let dob_parts = ["dob-day", "dob-month", "dob-year"].map(|id| form.first(id).trim());
    match date_of_birth(form) {
        _ if dob_parts.iter().all(|p| p.is_empty()) => errors.push(FieldMessage::new(
            "dob-day",
            "Enter the young person's date of birth",
        )),
        _ if dob_parts[2].len() != 4 => errors.push(FieldMessage::new(
            "dob-year",
            "Year must include 4 numbers, for example 2012",
        )),
        None => errors.push(FieldMessage::new(
            "dob-day",
            "Date of birth must be a real date, for example 27 3 2012",
        )),
        Some(dob) if dob > today => errors.push(FieldMessage::new(
            "dob-day",
            "Date of birth must be in the past",
        )),
        Some(dob) if older_than_served(dob, today) => errors.push(FieldMessage::new(
            "dob-day",
            format!("No Wrong Door is for children and young people aged {MAX_SERVED_AGE_YEARS} and under"),
        )),
        Some(_) => {}
    }
    let nhs = form.first("nhs-number").trim();
    if !nhs.is_empty() && nwd_domain::NhsNumber::parse(nhs).is_err() {
        errors.push(FieldMessage::new(
            "nhs-number",
            "Enter a valid 10-digit NHS number, like 999 000 0018, or leave it empty",
        ));
    }
    let postcode = form.first("postcode").trim();
    if !postcode.is_empty() && nwd_domain::Postcode::parse(postcode).is_err() {
        errors.push(FieldMessage::new(
            "postcode",
            "Enter a real postcode, like ME14 1XX, or leave it empty",
        ));
    }
    if form.all("reasons").is_empty()
        || form
            .all("reasons")
            .iter()
            .any(|r| !REASONS.iter().any(|c| c.as_str() == *r))
    {
        errors.push(FieldMessage::new(
            "reasons",
            "Choose at least one reason, the closest if none fits exactly",
        ));
    }
    let needs = form.first("needs").trim();
    if needs.is_empty() {
        errors.push(FieldMessage::new(
            "needs",
            "Describe what is happening and what you have tried",
        ));
    } else if needs.chars().count() > MAX_PRESENTING_NEEDS_CHARS {
        errors.push(FieldMessage::new(
            "needs",
            format!(
                "Use {} characters or fewer",
                crate::public::get_help::thousands(MAX_PRESENTING_NEEDS_CHARS)
            ),
        ));
    }
    if !one_of(PRIORITIES, form.first("priority")) {
        errors.push(FieldMessage::new(
            "priority",
            "Choose how soon a response is needed",
        ));
    }
    match form.first("consent") {
        "yes" => {}
        "advice_only" if form.first("kind") == "advice_request" => {}
        "advice_only" => errors.push(FieldMessage::new(
            "consent",
            "A referral needs the young person's agreement (or, for a younger child, their family's). If you only want advice, choose to ask for advice",
        )),
        _ => errors.push(FieldMessage::new("consent", "Choose whether they know about this and agree")),
    }
    errors.extend(crate::public::about::validate(
        crate::public::about::Part::All,
        form,
    ));
    errors
}
