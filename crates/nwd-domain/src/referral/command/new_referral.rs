//! A referral as it arrives ([`NewReferral`]) and who sent it ([`Referrer`]), with the checks
//! every door's input passes before [`Referral::receive`](crate::referral::Referral::receive)
//! accepts it: required fields, text limits, contact details and the receipt time.

use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::codes::{Priority, ReasonCode, ReferralSource};
use crate::error::ValidationErrors;

use crate::referral::intake::IntakeDetails;
use crate::referral::state::ReferralKind;

use super::checks::text;
use super::{CLOCK_SKEW_MINUTES, MAX_PRESENTING_NEEDS_CHARS, MAX_TEXT_CHARS};

/// Who made the referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Referrer {
    /// Name (for a self-referral, the young person's own name or "self").
    pub name: String,
    /// Role, e.g. "Designated safeguarding lead".
    #[serde(default)]
    pub role: Option<String>,
    /// Organisation, e.g. the school's name.
    #[serde(default)]
    pub organisation: Option<String>,
    /// Telephone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
}

/// A referral as received (after parsing into domain types).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewReferral {
    /// Referral or advice request.
    pub kind: ReferralKind,
    /// Who referred.
    pub source: ReferralSource,
    /// Clinical response priority: for an unverified sender, routine (or what the area
    /// assumes), with the stated urgency in `requested_priority` (see
    /// [`crate::referral::urgency`]).
    pub priority: Priority,
    /// An unverified sender's stated urgency, a request for triage to confirm.
    #[serde(default)]
    pub requested_priority: Option<Priority>,
    /// Why the sender asked for it (their words, or the safety answers).
    #[serde(default)]
    pub request_reason: Option<String>,
    /// Coded reasons, primary first.
    pub reasons: Vec<ReasonCode>,
    /// Presenting needs in the referrer's words.
    pub presenting_needs: String,
    /// The referrer.
    pub referrer: Referrer,
    /// Named agencies the young person or family consented to share with.
    #[serde(default)]
    pub consent_to_share: Vec<String>,
    /// When received. The waiting clock starts here.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: Timestamp,
    /// A professional's answers besides the coded referral: plain-word reasons, the family's
    /// contact, the young person's own contact, advice asked together with a referral, the
    /// safeguarding route (`crate::referral::intake`). Empty from other doors.
    #[serde(default, skip_serializing_if = "IntakeDetails::is_empty")]
    /// Boxed: most referrals carry none, and the `Received` event stays small.
    pub details: Box<IntakeDetails>,
}

impl NewReferral {
    /// Checks a new referral against the rules, at `now`.
    pub fn validate(&self, now: Timestamp, errors: &mut ValidationErrors) {
        // A referrer who chose only "not sure" or "something else" leaves the coding to
        // triage (`crate::codes::PlainReason`): the national list has no such value.
        if self.reasons.is_empty() && self.details.plain_reasons.is_empty() {
            errors.add(
                "reasons",
                "give at least one reason for referral (MHSDS primary reason code)",
            );
        }
        let mut seen = Vec::new();
        for reason in &self.reasons {
            if seen.contains(reason) {
                errors.add(
                    "reasons",
                    format!("reason {} is listed twice", reason.as_str()),
                );
            }
            seen.push(*reason);
        }
        text(
            errors,
            "presenting_needs",
            &self.presenting_needs,
            "describe the presenting needs in the referrer's words",
        );
        // (Over MAX_TEXT_CHARS, `text` has said so already.)
        if (MAX_PRESENTING_NEEDS_CHARS + 1..=MAX_TEXT_CHARS)
            .contains(&self.presenting_needs.chars().count())
        {
            errors.add(
                "presenting_needs",
                format!("use {MAX_PRESENTING_NEEDS_CHARS} characters or fewer; there is time to say more when we talk"),
            );
        }
        text(
            errors,
            "referrer.name",
            &self.referrer.name,
            "enter the referrer's name",
        );
        self.referrer.check_lengths(errors);
        if self.received_at
            > now
                .saturating_add(CLOCK_SKEW_MINUTES.minutes())
                .unwrap_or(now)
        {
            errors.add("received_at", "a referral cannot be received in the future");
        }
        if self.kind == ReferralKind::AdviceRequest && self.source.is_self_or_family() {
            errors.add("kind", "advice and consultation requests come from professionals; young people and families make referrals");
        }
        for (i, agency) in self.consent_to_share.iter().enumerate() {
            if agency.trim().is_empty() {
                errors.add(
                    format!("consent_to_share[{i}]"),
                    "name the agency, or leave it out",
                );
            } else {
                crate::person_text::check_text(
                    errors,
                    &format!("consent_to_share[{i}]"),
                    agency,
                    crate::person_text::MAX_SHORT_TEXT_CHARS,
                    false,
                );
            }
        }
        self.details.validate("details.", errors);
        if self.details.also_advice && self.kind != ReferralKind::Referral {
            errors.add(
                "details.also_advice",
                "advice together with a referral is for referrals; an advice request already asks for advice",
            );
        }
        if self.consent_to_share.len() > 20 {
            errors.add("consent_to_share", "name at most 20 agencies");
        }
    }
}

impl Referrer {
    /// The referrer's contact fields within their limits (`nwd_domain::person_text`).
    fn check_lengths(&self, errors: &mut ValidationErrors) {
        use crate::person_text::{
            check_text, MAX_EMAIL_CHARS, MAX_PHONE_CHARS, MAX_SHORT_TEXT_CHARS,
        };
        check_text(
            errors,
            "referrer.name",
            &self.name,
            MAX_SHORT_TEXT_CHARS,
            false,
        );
        let fields = [
            ("referrer.role", &self.role, MAX_SHORT_TEXT_CHARS),
            (
                "referrer.organisation",
                &self.organisation,
                MAX_SHORT_TEXT_CHARS,
            ),
            ("referrer.phone", &self.phone, MAX_PHONE_CHARS),
            ("referrer.email", &self.email, MAX_EMAIL_CHARS),
        ];
        for (field, value, max) in fields {
            if let Some(value) = value {
                check_text(errors, field, value, max, false);
            }
        }
        crate::contact::check_contact_text(
            errors,
            "referrer.",
            self.phone.as_deref(),
            self.email.as_deref(),
        );
    }
}
