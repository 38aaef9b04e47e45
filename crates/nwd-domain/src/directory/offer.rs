//! A service's local offer: how to reach it (telephone numbers, email, web address), where
//! you go (or that it is online or by phone only), when it is open, how to get in and what to
//! bring, and whether it is a local crisis line shown on Urgent help.
//!
//! Field names follow Open Referral's Human Services Data Specification 3 where one fits
//! (`phones[].number`, `email`, `url`, `physical_address.{address_1, city, postal_code}`,
//! `application_process`; opening hours after HSDS `schedule`: `opens_at`, `closes_at`,
//! `description`), so a directory can be exchanged with HSDS tools with a thin mapping.
//!
//! Rules, each refused with a message naming its field:
//! - telephone numbers by [`Phone::parse`], email by [`Email::parse`], postcodes by
//!   [`Postcode::parse`] — the same rules as every other door — except that a service may
//!   also list a UK short number ([`ServicePhone::check_number`]): a helpline such as
//!   Samaritans' 116 123 or a text short code such as Shout's 85258, which a person's own
//!   number never is;
//! - a web address is `https://` or `http://`, a host with a dot, no spaces, at most
//!   [`MAX_URL_CHARS`] characters;
//! - an online or phone-only service has no address to visit; an address has a first line,
//!   a town and a postcode;
//! - a crisis line has at least one telephone number (it is shown on Urgent help);
//! - opening hours by [`OpeningHours::validate`](super::hours::OpeningHours::validate).
//!
//! Everything here is optional (an empty offer is valid), so services saved before the offer
//! existed read back unchanged.

use serde::{Deserialize, Serialize};

use super::hours::OpeningHours;
use crate::contact::{Email, Phone};
use crate::error::ValidationErrors;
use crate::postcode::Postcode;

/// Most telephone numbers a service lists.
pub const MAX_PHONES: usize = 5;
/// Longest label of a telephone number ("Call", "Text", "Parents' line").
pub const MAX_PHONE_LABEL_CHARS: usize = 40;
/// Longest web address (a common browser and CDN limit; longer ones are not shared by hand).
pub const MAX_URL_CHARS: usize = 2000;
/// Longest line of an address (NHS Data Dictionary *ADDRESS LINE*: an35; a little slack for
/// building names).
pub const MAX_ADDRESS_LINE_CHARS: usize = 100;
/// Longest free-text answer about getting in or what to bring.
pub const MAX_OFFER_TEXT_CHARS: usize = 1000;

/// Whether a number is for calls or texts (HSDS `phone.type`: `voice`, `text`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    /// Call it.
    #[default]
    Voice,
    /// Text it.
    Text,
}

impl PhoneKind {
    /// The API name.
    pub fn as_str(&self) -> &'static str {
        match self {
            PhoneKind::Voice => "voice",
            PhoneKind::Text => "text",
        }
    }

    /// Parses the API name.
    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "voice" => Ok(PhoneKind::Voice),
            "text" => Ok(PhoneKind::Text),
            other => Err(format!("unknown kind {other:?}; allowed: voice, text")),
        }
    }
}

/// One telephone number of a service (HSDS `phone`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServicePhone {
    /// The number as people read it, e.g. `01632 960 123` (checked by the telephone rule).
    pub number: String,
    /// What the number is for, e.g. "Call" or "Text" (at most 40 characters).
    pub label: String,
    /// `voice` (a `tel:` link) or `text` (an `sms:` link).
    #[serde(default)]
    pub kind: PhoneKind,
}

/// Fewest digits in a service's short number: 3 (999, 111, 112).
pub const MIN_SHORT_NUMBER_DIGITS: usize = 3;
/// Most digits in a service's short number: 6 (the 116 numbers for services of social value,
/// e.g. 116 123; text short codes are 5 or 6 digits, e.g. 85258).
pub const MAX_SHORT_NUMBER_DIGITS: usize = 6;

impl ServicePhone {
    /// A service's number: a full telephone number ([`Phone::parse`]), or a UK short number
    /// of [`MIN_SHORT_NUMBER_DIGITS`] to [`MAX_SHORT_NUMBER_DIGITS`] digits written with digits
    /// and spaces only. Source: Ofcom, *National Telephone Numbering Plan* (3-digit emergency
    /// and NHS 111 numbers; 116 numbers for harmonised services of social value) and the
    /// Mobile Network Operators' common short codes for text services (5 and 6 digits).
    pub fn check_number(number: &str) -> Result<(), String> {
        let number = number.trim();
        let digits = number.chars().filter(char::is_ascii_digit).count();
        let short = number.chars().all(|c| c.is_ascii_digit() || c == ' ')
            && (MIN_SHORT_NUMBER_DIGITS..=MAX_SHORT_NUMBER_DIGITS).contains(&digits);
        if short {
            return Ok(());
        }
        Phone::parse(number).map(|_| ()).map_err(|e| {
            format!("{e}, or a short number of {MIN_SHORT_NUMBER_DIGITS} to {MAX_SHORT_NUMBER_DIGITS} digits like 116 123 or 85258")
        })
    }

    /// The link that dials or texts it: `tel:01632960123` or `sms:01632960123` (digits and a
    /// leading `+` only).
    pub fn href(&self) -> String {
        let dialled: String = self
            .number
            .chars()
            .enumerate()
            .filter(|(i, c)| c.is_ascii_digit() || (*i == 0 && *c == '+'))
            .map(|(_, c)| c)
            .collect();
        let scheme = match self.kind {
            PhoneKind::Voice => "tel",
            PhoneKind::Text => "sms",
        };
        format!("{scheme}:{dialled}")
    }
}

/// Where you go (HSDS `address` of type `physical`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhysicalAddress {
    /// First line, e.g. "Unit 4, Riverside House".
    pub address_1: String,
    /// Second line, if any.
    #[serde(default)]
    pub address_2: String,
    /// Town or city.
    pub city: String,
    /// Postcode (checked).
    pub postal_code: String,
}

impl PhysicalAddress {
    /// The address on one line, e.g. "Unit 4, Riverside House, Maidstone, ME14 1XX".
    pub fn one_line(&self) -> String {
        [
            self.address_1.as_str(),
            self.address_2.as_str(),
            self.city.as_str(),
            self.postal_code.as_str(),
        ]
        .iter()
        .map(|part| part.trim())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// How to reach a service, where to go, when it is open, how to get in and what to bring.
/// Serialised flat into the service (`phones`, `email`, `url`, … beside `name`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceOffer {
    /// Telephone numbers, most useful first (at most 5).
    #[serde(default)]
    pub phones: Vec<ServicePhone>,
    /// Email address for enquiries.
    #[serde(default)]
    pub email: Option<String>,
    /// Web address (`https://…`).
    #[serde(default)]
    pub url: Option<String>,
    /// Where you go, if you go somewhere.
    #[serde(default)]
    pub physical_address: Option<PhysicalAddress>,
    /// Online or by telephone only: there is nowhere to go (then no `physical_address`).
    #[serde(default)]
    pub remote_only: bool,
    /// When it is open.
    #[serde(default)]
    pub opening_hours: OpeningHours,
    /// You can turn up without an appointment.
    #[serde(default)]
    pub drop_in: bool,
    /// Who can refer, when a referral is needed, e.g. "your GP, school or social worker".
    #[serde(default)]
    pub referral_from: String,
    /// The steps to get support, in plain words (HSDS `application_process`).
    #[serde(default)]
    pub application_process: String,
    /// What to bring or have ready.
    #[serde(default)]
    pub what_to_bring: String,
    /// A local crisis line: shown with its number on Urgent help and at the top of its page.
    #[serde(default)]
    pub crisis_line: bool,
}

impl ServiceOffer {
    /// Checks the offer, adding each problem under its field's API path.
    pub fn validate(&self, errors: &mut ValidationErrors) {
        if self.phones.len() > MAX_PHONES {
            errors.add(
                "phones",
                format!("list at most {MAX_PHONES} telephone numbers"),
            );
        }
        for (i, phone) in self.phones.iter().enumerate() {
            errors.check(
                &format!("phones[{i}].number"),
                ServicePhone::check_number(&phone.number),
            );
            let label = phone.label.trim();
            if label.is_empty() || label.chars().count() > MAX_PHONE_LABEL_CHARS {
                errors.add(
                    format!("phones[{i}].label"),
                    format!("say what the number is for in 1 to {MAX_PHONE_LABEL_CHARS} characters, for example Call or Text"),
                );
            }
        }
        if let Some(email) = &self.email {
            errors.check("email", Email::parse(email));
        }
        if let Some(url) = &self.url {
            errors.check("url", check_url(url));
        }
        match (&self.physical_address, self.remote_only) {
            (Some(_), true) => errors.add(
                "physical_address",
                "an online or telephone-only service has no address to visit: remove the address or say people can visit",
            ),
            (Some(address), false) => check_address(address, errors),
            (None, _) => {}
        }
        self.opening_hours.validate("opening_hours", errors);
        for (field, value) in [
            ("referral_from", &self.referral_from),
            ("application_process", &self.application_process),
            ("what_to_bring", &self.what_to_bring),
        ] {
            if value.chars().count() > MAX_OFFER_TEXT_CHARS {
                errors.add(
                    field,
                    format!("use at most {MAX_OFFER_TEXT_CHARS} characters"),
                );
            }
        }
        if self.crisis_line && self.phones.is_empty() {
            errors.add(
                "phones",
                "a crisis line needs a telephone number: it is shown on Urgent help",
            );
        }
    }

    /// The first number to call, for a one-line listing.
    pub fn main_phone(&self) -> Option<&ServicePhone> {
        self.phones.first()
    }
}

/// Checks a web address: `https://` or `http://`, a host with a dot, no spaces or control
/// characters, at most [`MAX_URL_CHARS`] characters.
pub fn check_url(raw: &str) -> Result<(), String> {
    let url = raw.trim();
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host = rest
        .map(|r| r.split(['/', '?', '#']).next().unwrap_or_default())
        .unwrap_or_default();
    let host_ok = host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c));
    if rest.is_none()
        || !host_ok
        || url.chars().count() > MAX_URL_CHARS
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "enter a web address starting https://, like https://www.example.org/help (no spaces, at most {MAX_URL_CHARS} characters)"
        ));
    }
    Ok(())
}

fn check_address(address: &PhysicalAddress, errors: &mut ValidationErrors) {
    for (field, value, what) in [
        (
            "address_1",
            &address.address_1,
            "the first line of the address",
        ),
        ("city", &address.city, "the town or city"),
    ] {
        if value.trim().is_empty() {
            errors.add(format!("physical_address.{field}"), format!("enter {what}"));
        }
    }
    for (field, value) in [
        ("address_1", &address.address_1),
        ("address_2", &address.address_2),
        ("city", &address.city),
    ] {
        if value.chars().count() > MAX_ADDRESS_LINE_CHARS {
            errors.add(
                format!("physical_address.{field}"),
                format!("use at most {MAX_ADDRESS_LINE_CHARS} characters"),
            );
        }
    }
    errors.check(
        "physical_address.postal_code",
        Postcode::parse(&address.postal_code).map_err(|_| "enter a full postcode, like ME14 1XX"),
    );
}
