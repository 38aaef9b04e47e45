//! How to reach someone: a telephone number and an email address, parsed once at every door
//! (the public journeys, the referral forms, the JSON API) into [`Phone`] and [`Email`], so
//! that nothing downstream re-checks them and every door refuses the same values with the
//! same rule. [`ContactDetails`] is the pair a self-referral must give at least one of.
//!
//! Rules (one home each; the pages only choose their own wording for the refusal):
//! - **Telephone**: UK numbers are 10 or 11 digits (Ofcom National Telephone Numbering Plan),
//!   13 with the `+44` prefix written with the trunk `0`; so 10 to 13 digits, written with
//!   digits, spaces, `+`, brackets and hyphens only, and at most
//!   [`MAX_PHONE_CHARS`](crate::person_text::MAX_PHONE_CHARS) characters (NHS Data Dictionary
//!   *TELEPHONE NUMBER*, max an35).
//! - **Email**: something before and after one `@`, no spaces or control characters, at most
//!   [`MAX_EMAIL_CHARS`](crate::person_text::MAX_EMAIL_CHARS) characters (RFC 5321 path
//!   limit). Deliberately loose: only sending a message proves an address works.
//!
//! Records received before these rules hold their contact fields as text
//! (`Referrer::phone`, `CarerContact::phone`), so reading old records never fails; the rules
//! apply at intake ([`crate::referral::NewReferral::validate`],
//! [`crate::person::PersonDetails::validate`]).

use crate::error::ValidationErrors;
use crate::person_text::{MAX_EMAIL_CHARS, MAX_PHONE_CHARS};

/// Fewest digits in a telephone number (a UK national number without its trunk `0` is 10).
pub const MIN_PHONE_DIGITS: usize = 10;
/// Most digits in a telephone number (`+44 (0)` and a 10-digit national number is 13).
pub const MAX_PHONE_DIGITS: usize = 13;

/// A telephone number: trimmed, 10 to 13 digits, only digits, spaces, `+`, brackets and
/// hyphens. Kept as written (people read it back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Parses `raw` (trimmed), saying what is allowed when it is not a telephone number.
    pub fn parse(raw: &str) -> Result<Phone, String> {
        let phone = raw.trim();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let characters_allowed = phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +()-".contains(c));
        if phone.chars().count() > MAX_PHONE_CHARS
            || !characters_allowed
            || !(MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&digits)
        {
            return Err(format!(
                "enter a telephone number of {MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS} digits, like 07700 900 982 (digits, spaces, +, brackets and hyphens only)"
            ));
        }
        Ok(Phone(phone.to_owned()))
    }

    /// The number as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address: trimmed, one `@` with something either side, no spaces or control
/// characters, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Parses `raw` (trimmed), saying what is allowed when it is not an email address.
    pub fn parse(raw: &str) -> Result<Email, String> {
        let email = raw.trim();
        let well_formed = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty() && !domain.is_empty() && !domain.contains('@')
            }
            None => false,
        };
        if !well_formed
            || email.chars().count() > MAX_EMAIL_CHARS
            || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(format!(
                "enter an email address like name@example.com (at most {MAX_EMAIL_CHARS} characters, no spaces)"
            ));
        }
        Ok(Email(email.to_owned()))
    }

    /// The address as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How to reach the person asking for help: a telephone number, an email address, or both;
/// never neither (a self-referral nobody can answer helps no one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactDetails {
    phone: Option<Phone>,
    email: Option<Email>,
}

impl ContactDetails {
    /// The details, when at least one is given.
    pub fn new(phone: Option<Phone>, email: Option<Email>) -> Result<ContactDetails, String> {
        if phone.is_none() && email.is_none() {
            return Err("give a telephone number or an email address so we can contact you".into());
        }
        Ok(ContactDetails { phone, email })
    }

    /// Parses optional text answers (empty means not given), recording each refusal under
    /// `phone_field` / `email_field` (and the pair's under `phone_field`).
    pub fn parse(
        phone: Option<&str>,
        email: Option<&str>,
        phone_field: &str,
        email_field: &str,
        errors: &mut ValidationErrors,
    ) -> Option<ContactDetails> {
        let phone = phone.map(str::trim).filter(|v| !v.is_empty());
        let email = email.map(str::trim).filter(|v| !v.is_empty());
        let parsed_phone = phone.and_then(|p| errors.check(phone_field, Phone::parse(p)));
        let parsed_email = email.and_then(|e| errors.check(email_field, Email::parse(e)));
        if phone.is_some() != parsed_phone.is_some() || email.is_some() != parsed_email.is_some() {
            return None;
        }
        errors.check(phone_field, ContactDetails::new(parsed_phone, parsed_email))
    }

    /// The telephone number, if given.
    pub fn phone(&self) -> Option<&Phone> {
        self.phone.as_ref()
    }

    /// The email address, if given.
    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
    }
}

/// Checks optional contact text already held in a record's text fields (a referrer's or a
/// carer's), recording a refusal under `{prefix}phone` / `{prefix}email`.
pub fn check_contact_text(
    errors: &mut ValidationErrors,
    prefix: &str,
    phone: Option<&str>,
    email: Option<&str>,
) {
    if let Some(phone) = phone.filter(|p| !p.trim().is_empty()) {
        errors.check(&format!("{prefix}phone"), Phone::parse(phone));
    }
    if let Some(email) = email.filter(|e| !e.trim().is_empty()) {
        errors.check(&format!("{prefix}email"), Email::parse(email));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telephone_numbers() {
        for (raw, ok) in [
            ("07700 900 982", true),
            ("01632 960001", true),
            ("+44 (0)7700 900982", true),
            ("  07700900982  ", true),
            ("abc", false),
            ("07700 900", false),
            ("0770090098212345", false),
            ("07700 900 982 ext", false),
            ("", false),
        ] {
            assert_eq!(Phone::parse(raw).is_ok(), ok, "{raw:?}");
        }
        assert_eq!(
            Phone::parse(" 07700 900 982 ").unwrap().as_str(),
            "07700 900 982"
        );
    }

    #[test]
    fn email_addresses() {
        for (raw, ok) in [
            ("name@example.com", true),
            ("dsl@school.example", true),
            ("no-at-sign", false),
            ("@example.com", false),
            ("name@", false),
            ("a@b@c", false),
            ("na me@example.com", false),
        ] {
            assert_eq!(Email::parse(raw).is_ok(), ok, "{raw:?}");
        }
    }

    #[test]
    fn contact_details_need_one_way_to_reach_someone() {
        let mut errors = ValidationErrors::new();
        assert!(ContactDetails::parse(Some(" "), None, "phone", "email", &mut errors).is_none());
        assert_eq!(errors.0[0].field, "phone");
        let mut errors = ValidationErrors::new();
        assert!(
            ContactDetails::parse(Some("abc"), Some("a@b"), "phone", "email", &mut errors)
                .is_none()
        );
        assert_eq!(errors.0.len(), 1);
        let mut errors = ValidationErrors::new();
        let details =
            ContactDetails::parse(None, Some("a@b.example"), "phone", "email", &mut errors);
        assert_eq!(details.unwrap().email().unwrap().as_str(), "a@b.example");
    }
}
