//! Checks the referral form's answers and words every message ([`validate`]).

use super::answers::{gave_family_contact, is_anonymous};
use super::questions::{IDENTIFY, KINDS, NOT_SOUGHT, PRIORITIES, REASONS, SOURCES};
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

fn one_of(list: &[(&str, &str)], value: &str) -> bool {
    list.iter().any(|(v, _)| *v == value)
}

/// Every message for the form's answers (empty when all are fine). An anonymous consultation
/// is asked nothing that identifies the young person, so nothing of that is checked.
pub fn validate(form: &FormData, today: Date) -> Vec<FieldMessage> {
    let mut errors = Vec::new();
    if !one_of(KINDS, form.first("kind")) {
        errors.push(FieldMessage::new(
            "kind",
            "Choose whether you are making a referral, asking for advice, or both",
        ));
    }
    if form.first("kind") == "advice_request" && !one_of(IDENTIFY, form.first("identify")) {
        errors.push(FieldMessage::new(
            "identify",
            "Choose whether you can tell us who the young person is",
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
    if is_anonymous(form) {
        anonymous(form, &mut errors);
    } else {
        identity(form, today, &mut errors);
    }
    if form.all("reasons").is_empty()
        || form
            .all("reasons")
            .iter()
            .any(|r| !REASONS.iter().any(|c| c.as_str() == *r))
    {
        errors.push(FieldMessage::new(
            "reasons",
            "Choose at least one reason, or \"Not sure\"",
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
    if !is_anonymous(form) {
        consent(form, &mut errors);
        family(form, today, &mut errors);
        errors.extend(crate::public::about::validate(
            crate::public::about::Part::All,
            form,
        ));
    }
    errors
}

/// The young person's name, date of birth, NHS number and postcode.
fn identity(form: &FormData, today: Date, errors: &mut Vec<FieldMessage>) {
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
}

/// An anonymous consultation's age band and area (and nothing that identifies the child).
fn anonymous(form: &FormData, errors: &mut Vec<FieldMessage>) {
    if nwd_domain::consultation::AgeBand::parse(form.first("age-band")).is_err() {
        errors.push(FieldMessage::new(
            "age-band",
            "Choose how old the young person is",
        ));
    }
    let area = form.first("area").trim();
    if area.is_empty() {
        errors.push(FieldMessage::new(
            "area",
            "Enter the area they live in, like a town or district",
        ));
    } else if area.chars().count() > nwd_domain::consultation::MAX_AREA_CHARS {
        errors.push(FieldMessage::new(
            "area",
            format!(
                "Enter the area in {} characters or fewer: a town or district, not an address",
                nwd_domain::consultation::MAX_AREA_CHARS
            ),
        ));
    }
}

/// Whether they know and agree, and on the safeguarding route, why not.
fn consent(form: &FormData, errors: &mut Vec<FieldMessage>) {
    match form.first("consent") {
        "yes" | "not_sought" => {}
        "advice_only" if form.first("kind") == "advice_request" => {}
        "advice_only" => errors.push(FieldMessage::new(
            "consent",
            "A referral needs the young person's agreement (or, for a younger child, their family's). If you only want advice, choose to ask for advice",
        )),
        _ => errors.push(FieldMessage::new("consent", "Choose whether they know about this and agree")),
    }
    if form.first("consent") == "not_sought" {
        let reason = form.first("not-sought-reason");
        if !one_of(NOT_SOUGHT, reason) {
            errors.push(FieldMessage::new(
                "not-sought-reason",
                "Choose why they have not been asked, or not agreed",
            ));
        }
        let detail = form.first("not-sought-detail").trim();
        if reason == "other" && detail.is_empty() {
            errors.push(FieldMessage::new(
                "not-sought-detail",
                "Say why they have not been asked, or not agreed",
            ));
        } else if detail.chars().count() > nwd_domain::referral::intake::MAX_NOT_SOUGHT_CHARS {
            errors.push(FieldMessage::new(
                "not-sought-detail",
                format!(
                    "Use {} characters or fewer",
                    crate::public::get_help::thousands(
                        nwd_domain::referral::intake::MAX_NOT_SOUGHT_CHARS
                    )
                ),
            ));
        }
    }
}

/// The family's contact (the domain decides when one is needed: `IntakeDetails::missing_contact`)
/// and the young person's own.
fn family(form: &FormData, today: Date, errors: &mut Vec<FieldMessage>) {
    use nwd_domain::contact::{Email, Phone};
    if gave_family_contact(form) {
        for (id, message) in [
            ("carer-name", "Enter the parent's or carer's name"),
            (
                "carer-relationship",
                "Enter how they are related to the young person, like mother or foster carer",
            ),
        ] {
            if form.first(id).trim().is_empty() {
                errors.push(FieldMessage::new(id, message));
            }
        }
        let phone = form.first("carer-phone").trim();
        let email = form.first("carer-email").trim();
        if phone.is_empty() && email.is_empty() {
            errors.push(FieldMessage::new(
                "carer-phone",
                "Enter the parent's or carer's phone number or email address",
            ));
        }
        if !phone.is_empty() && Phone::parse(phone).is_err() {
            errors.push(FieldMessage::new(
                "carer-phone",
                "Enter a phone number, like 01632 960 001",
            ));
        }
        if !email.is_empty() && Email::parse(email).is_err() {
            errors.push(FieldMessage::new(
                "carer-email",
                "Enter an email address in the correct format, like name@example.com",
            ));
        }
        if nwd_domain::referral::intake::ContactSafety::parse(form.first("carer-safety")).is_err()
            && form.first("consent") != "not_sought"
        {
            errors.push(FieldMessage::new(
                "carer-safety",
                "Choose whether it is safe to contact them",
            ));
        }
    }
    let yp_phone = form.first("yp-phone").trim();
    if !yp_phone.is_empty() && Phone::parse(yp_phone).is_err() {
        errors.push(FieldMessage::new(
            "yp-phone",
            "Enter a phone number, like 07700 900 982",
        ));
    }
    let yp_email = form.first("yp-email").trim();
    if !yp_email.is_empty() && Email::parse(yp_email).is_err() {
        errors.push(FieldMessage::new(
            "yp-email",
            "Enter an email address in the correct format, like name@example.com",
        ));
    }
    let (kind, _) = super::answers::kind(form);
    if super::answers::details(form)
        .missing_contact(kind, date_of_birth(form), today)
        .is_some()
        && !gave_family_contact(form)
    {
        errors.push(FieldMessage::new(
            "carer-name",
            "Enter a parent's or carer's name and how to contact them. If the young person is 16 or over, you can give their own phone number or email instead",
        ));
    }
}
