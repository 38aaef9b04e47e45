//! Checks one step's answers and words the messages ([`validate`]); the rules are the domain's.

use super::steps::{label_of, share_choices, Step, Who, AWARENESS, HELP_WITH, RELATIONSHIPS};
use crate::form::FormData;
use crate::layout::FieldMessage;
use jiff::civil::Date;
use nwd_domain::contact::{Email, Phone};
use nwd_domain::person::{age_in_years, older_than_served, MAX_SERVED_AGE_YEARS};
use nwd_domain::referral::command::MAX_PRESENTING_NEEDS_CHARS;

pub(super) fn date_of_birth(form: &FormData) -> Option<Date> {
    let day = form.first("dob-day").trim().parse::<i8>().ok()?;
    let month = form.first("dob-month").trim().parse::<i8>().ok()?;
    let year = form.first("dob-year").trim().parse::<i16>().ok()?;
    Date::new(year, month, day).ok()
}

pub(super) fn age(form: &FormData, today: Date) -> Option<i16> {
    date_of_birth(form).map(|dob| age_in_years(dob, today))
}

/// The messages for one step's answers (empty when they are fine).
pub fn validate(step: Step, form: &FormData, today: Date) -> Vec<FieldMessage> {
    let mut errors = Vec::new();
    let who = Who::of(form);
    let their = who.their();
    match step {
        Step::Relationship => {
            if label_of(RELATIONSHIPS, form.first("relationship")).is_empty() {
                errors.push(FieldMessage::new(
                    "relationship",
                    "Choose how you are related to the child or young person",
                ));
            }
        }
        Step::Awareness => {
            if label_of(AWARENESS, form.first("aware")).is_empty() {
                errors.push(FieldMessage::new(
                    "aware",
                    "Choose whether they know you are asking for help",
                ));
            }
        }
        Step::DateOfBirth => {
            let parts = [
                form.first("dob-day"),
                form.first("dob-month"),
                form.first("dob-year"),
            ];
            if parts.iter().all(|p| p.trim().is_empty()) {
                errors.push(FieldMessage::new(
                    "dob-day",
                    format!("Enter {their} date of birth"),
                ));
            } else if form.first("dob-year").trim().len() != 4 {
                errors.push(FieldMessage::new(
                    "dob-year",
                    "Year must include 4 numbers, for example 2009",
                ));
            } else {
                match date_of_birth(form) {
                    None => errors.push(FieldMessage::new(
                        "dob-day",
                        "Date of birth must be a real date, for example 27 3 2009",
                    )),
                    Some(dob) if dob > today => errors.push(FieldMessage::new(
                        "dob-day",
                        "Date of birth must be in the past",
                    )),
                    Some(dob) if older_than_served(dob, today) => errors.push(FieldMessage::new(
                        "dob-day",
                        match who {
                            Who::YoungPerson => format!("No Wrong Door is for people aged {MAX_SERVED_AGE_YEARS} and under. Your GP can help you find support, or see urgent help if you need help now"),
                            Who::ParentCarer => format!("No Wrong Door is for children and young people aged {MAX_SERVED_AGE_YEARS} and under. Their GP can help them find support, or see urgent help if they need help now"),
                        },
                    )),
                    Some(_) => {}
                }
            }
        }
        Step::Name => {
            if form.first("given-name").trim().is_empty() {
                errors.push(FieldMessage::new(
                    "given-name",
                    format!("Enter {their} first name"),
                ));
            }
            if form.first("family-name").trim().is_empty() {
                errors.push(FieldMessage::new(
                    "family-name",
                    format!("Enter {their} last name"),
                ));
            }
            // The domain's name rule (length, characters), as every door applies it.
            for field in ["given-name", "family-name", "preferred-name"] {
                let value = form.first(field).trim();
                if !value.is_empty() {
                    if let Err(message) = nwd_domain::person_text::PersonName::parse(value) {
                        errors.push(FieldMessage::new(field, capitalise(&message)));
                    }
                }
            }
        }
        Step::Postcode => {
            let postcode = form.first("postcode").trim();
            if !postcode.is_empty() && nwd_domain::Postcode::parse(postcode).is_err() {
                errors.push(FieldMessage::new(
                    "postcode",
                    "Enter a real postcode, like ME14 1XX, or leave it empty if you do not know it",
                ));
            }
        }
        Step::HelpWith => {
            let chosen = form.all("reasons");
            if chosen.is_empty() {
                errors.push(FieldMessage::new(
                    "reasons",
                    "Choose at least one thing you would like help with, or the one closest to it",
                ));
            } else if chosen
                .iter()
                .any(|r| !HELP_WITH.iter().any(|(code, _)| code.as_str() == *r))
            {
                errors.push(FieldMessage::new("reasons", "Choose from the list"));
            }
        }
        Step::Safety => errors.extend(crate::public::safety_question::validate(form)),
        Step::Happening => {
            let text = form.first("happening").trim();
            if text.is_empty() {
                errors.push(FieldMessage::new(
                    "happening",
                    "Tell us a little about what has been happening",
                ));
            } else if text.chars().count() > MAX_PRESENTING_NEEDS_CHARS {
                errors.push(FieldMessage::new(
                    "happening",
                    format!(
                        "Use {} characters or fewer. You can tell us more when we talk",
                        thousands(MAX_PRESENTING_NEEDS_CHARS)
                    ),
                ));
            }
        }
        Step::Contact => {
            if who == Who::ParentCarer && form.first("your-name").trim().is_empty() {
                errors.push(FieldMessage::new("your-name", "Enter your name"));
            }
            let phone = form.first("phone").trim();
            let email = form.first("email").trim();
            if phone.is_empty() && email.is_empty() {
                errors.push(FieldMessage::new(
                    "phone",
                    "Enter a phone number or an email address so we can contact you",
                ));
            }
            // The domain's rules (nwd_domain::contact), in the page's words.
            if !phone.is_empty() && Phone::parse(phone).is_err() {
                errors.push(FieldMessage::new(
                    "phone",
                    "Enter a phone number, like 07700 900 982",
                ));
            }
            if !email.is_empty() && Email::parse(email).is_err() {
                errors.push(FieldMessage::new(
                    "email",
                    "Enter an email address in the correct format, like name@example.com",
                ));
            }
        }
        Step::Sharing => {
            if form
                .all("share")
                .iter()
                .any(|v| !share_choices(who).iter().any(|(value, _)| value == v))
            {
                errors.push(FieldMessage::new("share", "Choose from the list"));
            }
            errors.extend(crate::public::about::validate(
                crate::public::about::Part::GpAndSchool,
                form,
            ));
            if form.first("understood") != "yes" {
                errors.push(FieldMessage::new(
                    "understood",
                    "Tick the box to say you understand who will see what you have told us",
                ));
            }
        }
        Step::AboutYou => {
            errors = crate::public::about::validate(crate::public::about::Part::Identity, form)
        }
        Step::AboutSupport => {
            errors = crate::public::about::validate(crate::public::about::Part::Groups, form)
        }
        Step::Check => {}
    }
    errors
}

/// A count with thousands separated, as pages write numbers (`4,000`).
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(super) fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
