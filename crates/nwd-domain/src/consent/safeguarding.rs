//! Safeguarding overrides: what one sets aside ([`OverrideScope`]) and the override as recorded.
//! An override is always reasoned ([`check_override_reason`]), audited and queued for the privacy
//! officer's review.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::ValidationErrors;

/// What a safeguarding override sets aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OverrideScope {
    /// Contact a parent or carer without the young person's agreement.
    ParentCarerContact,
    /// Let linked parents or carers see the record without consent or best-interests decision.
    ParentCarerAccess,
    /// Share with another agency without consent.
    InformationSharing,
}

impl OverrideScope {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OverrideScope::ParentCarerContact => "parent_carer_contact",
            OverrideScope::ParentCarerAccess => "parent_carer_access",
            OverrideScope::InformationSharing => "information_sharing",
        }
    }

    /// Parses a stored name.
    pub fn parse(value: &str) -> Result<OverrideScope, String> {
        match value {
            "parent_carer_contact" => Ok(OverrideScope::ParentCarerContact),
            "parent_carer_access" => Ok(OverrideScope::ParentCarerAccess),
            "information_sharing" => Ok(OverrideScope::InformationSharing),
            other => Err(format!(
                "unknown scope {other:?}; allowed: parent_carer_contact, parent_carer_access, information_sharing"
            )),
        }
    }
}

/// A safeguarding override as recorded. Always reasoned, audited with the purpose
/// "safeguarding override", and queued for the privacy officer's review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SafeguardingOverride {
    /// Id.
    pub id: String,
    /// What it sets aside.
    pub scope: OverrideScope,
    /// The referral it concerns, if one.
    pub referral_id: Option<String>,
    /// Why (at least [`crate::authz::MIN_REASON_CHARS`] characters).
    pub reason: String,
    /// Who (user id).
    pub recorded_by: String,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub recorded_at: Timestamp,
}

/// Checks a safeguarding override's reason: it is shown to the privacy officer and must say
/// something (the same minimum as a break-glass reason).
pub fn check_override_reason(reason: &str, errors: &mut ValidationErrors) {
    if reason.trim().chars().count() < crate::authz::MIN_REASON_CHARS {
        errors.add(
            "reason",
            format!(
                "give the safeguarding reason in at least {} characters: it is recorded and reviewed by the privacy officer",
                crate::authz::MIN_REASON_CHARS
            ),
        );
    } else if reason.chars().count() > crate::referral::command::MAX_TEXT_CHARS {
        errors.add(
            "reason",
            format!(
                "keep this under {} characters",
                crate::referral::command::MAX_TEXT_CHARS
            ),
        );
    }
}
