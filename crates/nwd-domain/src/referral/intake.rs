//! What a professional's referral carries besides the coded referral ([`IntakeDetails`]):
//! the reasons in the referrer's plain words, the family's contact and whether it is safe to
//! use, the young person's own contact, an advice request made together with a referral,
//! and the **safeguarding route** — a referral made without the young person's or family's
//! knowledge, with the reason ([`NotSought`]).
//!
//! Rules (each with a test in this module):
//! - **Safeguarding route**: when consent was not sought, the family is never contacted
//!   automatically: [`IntakeDetails::normalise`] marks any family contact
//!   [`ContactSafety::DoNotContact`], and [`IntakeDetails::may_contact_family`] is false.
//!   The reason is required ("other" needs the referrer's words).
//! - **Someone to contact**: a referral (not an advice request) names a parent or carer to
//!   contact, unless the safeguarding route applies or the young person is
//!   [`OWN_CONTACT_AGE`] or over and gives their own phone or e-mail
//!   ([`IntakeDetails::missing_contact`]).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::codes::PlainReason;
use crate::error::ValidationErrors;
use crate::person_text::{check_text, MAX_NAME_CHARS, MAX_SHORT_TEXT_CHARS};
use crate::referral::ReferralKind;

/// The age from which a young person may be contacted on their own details instead of a
/// parent's: 16, the age at which a young person is presumed able to consent to their own
/// treatment (Family Law Reform Act 1969, s. 8; Mental Capacity Act 2005 applies from 16).
pub const OWN_CONTACT_AGE: i16 = 16;

/// Longest reason for not seeking consent, in characters.
pub const MAX_NOT_SOUGHT_CHARS: usize = 2_000;

/// Whether, and how, the family may be contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactSafety {
    /// Safe to contact.
    #[default]
    Yes,
    /// Safe to call or write, but leave no messages.
    NoMessages,
    /// Do not contact them.
    DoNotContact,
}

impl ContactSafety {
    /// Every value, in a form's order.
    pub const ALL: [ContactSafety; 3] = [
        ContactSafety::Yes,
        ContactSafety::NoMessages,
        ContactSafety::DoNotContact,
    ];
    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactSafety::Yes => "yes",
            ContactSafety::NoMessages => "no_messages",
            ContactSafety::DoNotContact => "do_not_contact",
        }
    }
    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            ContactSafety::Yes => "Yes, it is safe to contact them",
            ContactSafety::NoMessages => "Yes, but do not leave messages",
            ContactSafety::DoNotContact => "No, do not contact them",
        }
    }
    /// Parses the API name.
    pub fn parse(value: &str) -> Result<ContactSafety, String> {
        ContactSafety::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| {
                format!("unknown value {value:?}; allowed: yes, no_messages, do_not_contact")
            })
    }
}

/// A parent or carer to contact.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FamilyContact {
    /// Their name.
    pub name: String,
    /// How they are related to the young person, e.g. "Mother", "Foster carer".
    pub relationship: String,
    /// Telephone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// E-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether it is safe to contact them.
    #[serde(default)]
    pub safety: ContactSafety,
    /// How to contact them safely (e.g. "only after 4pm"), in the referrer's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
}

/// Why the young person or family was not asked, or did not agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NotSoughtReason {
    /// Telling them could put the child at risk of harm.
    RiskToChild,
    /// Another reason, in the referrer's words.
    Other,
}

impl NotSoughtReason {
    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            NotSoughtReason::RiskToChild => "risk_to_child",
            NotSoughtReason::Other => "other",
        }
    }
    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            NotSoughtReason::RiskToChild => "Telling them could put the child at risk of harm",
            NotSoughtReason::Other => "Another reason",
        }
    }
    /// Parses the API name.
    pub fn parse(value: &str) -> Result<NotSoughtReason, String> {
        match value {
            "risk_to_child" => Ok(NotSoughtReason::RiskToChild),
            "other" => Ok(NotSoughtReason::Other),
            _ => Err(format!(
                "unknown value {value:?}; allowed: risk_to_child, other"
            )),
        }
    }
}

/// The safeguarding route: consent was not sought, or not given, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotSought {
    /// Why.
    pub reason: NotSoughtReason,
    /// The referrer's words (required for "other").
    #[serde(default)]
    pub detail: String,
}

/// What a professional's referral carries besides the coded referral. Empty (the default)
/// on referrals from other doors and on records made before it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct IntakeDetails {
    /// A referral that also asks for advice or a consultation ("both").
    pub also_advice: bool,
    /// The reasons in the referrer's words (the coded reasons derive from them).
    pub plain_reasons: Vec<PlainReason>,
    /// The parent or carer to contact.
    pub family_contact: Option<FamilyContact>,
    /// The young person's own telephone (16 or over).
    pub young_person_phone: Option<String>,
    /// The young person's own e-mail (16 or over).
    pub young_person_email: Option<String>,
    /// The safeguarding route, when consent was not sought or not given.
    pub not_sought: Option<NotSought>,
}

impl IntakeDetails {
    /// True when nothing was given (records from other doors).
    pub fn is_empty(&self) -> bool {
        *self == IntakeDetails::default()
    }

    /// The details as stored: on the safeguarding route any family contact is marked
    /// do-not-contact, whatever the sender said.
    pub fn normalise(mut self) -> IntakeDetails {
        if self.not_sought.is_some() {
            if let Some(contact) = &mut self.family_contact {
                contact.safety = ContactSafety::DoNotContact;
            }
        }
        self
    }

    /// Whether anyone may contact the family about this referral.
    pub fn may_contact_family(&self) -> bool {
        self.not_sought.is_none()
            && self
                .family_contact
                .as_ref()
                .is_some_and(|c| c.safety != ContactSafety::DoNotContact)
    }

    /// Whether the young person gave their own phone or e-mail.
    pub fn has_own_contact(&self) -> bool {
        [&self.young_person_phone, &self.young_person_email]
            .iter()
            .any(|v| v.as_deref().is_some_and(|v| !v.trim().is_empty()))
    }

    /// The message when a referral names nobody to contact: `None` when a family contact is
    /// given, for an advice request, on the safeguarding route, or when a young person of
    /// [`OWN_CONTACT_AGE`] or over (at `today`) gives their own contact.
    pub fn missing_contact(
        &self,
        kind: ReferralKind,
        date_of_birth: Option<Date>,
        today: Date,
    ) -> Option<&'static str> {
        let own_age = date_of_birth
            .is_some_and(|dob| crate::person::age_in_years(dob, today) >= OWN_CONTACT_AGE);
        if kind == ReferralKind::AdviceRequest
            || self.not_sought.is_some()
            || self.family_contact.is_some()
            || (own_age && self.has_own_contact())
        {
            None
        } else if own_age {
            Some("give a parent's or carer's contact details, or the young person's own phone or e-mail")
        } else {
            Some("give a parent's or carer's name, relationship and phone or e-mail")
        }
    }

    /// Checks the fields' formats and lengths (every door, at intake), under `prefix`.
    pub fn validate(&self, prefix: &str, errors: &mut ValidationErrors) {
        if let Some(contact) = &self.family_contact {
            let field = |name: &str| format!("{prefix}family_contact.{name}");
            if contact.name.trim().is_empty() {
                errors.add(field("name"), "enter the parent's or carer's name");
            } else {
                check_text(
                    errors,
                    &field("name"),
                    &contact.name,
                    MAX_NAME_CHARS * 2,
                    false,
                );
            }
            if contact.relationship.trim().is_empty() {
                errors.add(
                    field("relationship"),
                    "say how they are related to the young person, e.g. mother, foster carer",
                );
            } else {
                check_text(
                    errors,
                    &field("relationship"),
                    &contact.relationship,
                    MAX_SHORT_TEXT_CHARS,
                    false,
                );
            }
            let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
            if blank(&contact.phone) && blank(&contact.email) {
                errors.add(
                    field("phone"),
                    "give the parent's or carer's phone number or e-mail address",
                );
            }
            crate::contact::check_contact_text(
                errors,
                &format!("{prefix}family_contact."),
                contact.phone.as_deref(),
                contact.email.as_deref(),
            );
            if let Some(how) = &contact.how {
                check_text(errors, &field("how"), how, MAX_SHORT_TEXT_CHARS * 5, false);
            }
        }
        crate::contact::check_contact_text(
            errors,
            &format!("{prefix}young_person_"),
            self.young_person_phone.as_deref(),
            self.young_person_email.as_deref(),
        );
        if let Some(not_sought) = &self.not_sought {
            let field = format!("{prefix}not_sought.detail");
            if not_sought.reason == NotSoughtReason::Other && not_sought.detail.trim().is_empty() {
                errors.add(field, "say why the young person or family was not asked");
            } else {
                check_text(
                    errors,
                    &field,
                    &not_sought.detail,
                    MAX_NOT_SOUGHT_CHARS,
                    true,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests;
