//! Contact with a parent or carer about one referral. An under-threshold self-referral never
//! leads to contact unless a clinician records the decision to contact; a safeguarding override
//! always allows it; the latest clinician decision wins.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::codes::ReferralSource;

use super::{ConsentRules, OverrideScope, SafeguardingOverride};

/// A clinician's recorded decision about contacting a parent or carer for one referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParentContactDecision {
    /// Id.
    pub id: String,
    /// The referral.
    pub referral_id: String,
    /// Contact (true) or do not contact (false).
    pub contact: bool,
    /// Why.
    pub rationale: String,
    /// Who decided (user id).
    pub decided_by: String,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub decided_at: Timestamp,
}

/// Why contact with a parent or carer is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "basis", content = "id", rename_all = "snake_case")]
pub enum ParentContactBasis {
    /// Not a self-referral by a young person under the threshold, and no decision against.
    NoRestriction,
    /// A clinician recorded a decision to contact.
    ClinicianDecision(String),
    /// A safeguarding override.
    SafeguardingOverride(String),
}

/// Why contact with a parent or carer is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "reason", content = "detail", rename_all = "snake_case")]
pub enum ParentContactRefusal {
    /// An under-threshold self-referral with no recorded decision to contact.
    #[error("this young person referred themselves at {0}: no parent or carer is contacted unless a clinician records that decision (or a safeguarding override is recorded)")]
    SelfReferralUnder(i16),
    /// A clinician decided not to contact.
    #[error("a clinician decided not to contact a parent or carer ({0})")]
    DecidedNotToContact(String),
}

/// The facts the parent-contact rule needs.
#[derive(Debug, Clone, Copy)]
pub struct ParentContactFacts<'a> {
    /// Who referred.
    pub source: ReferralSource,
    /// The young person's age when the referral was received.
    pub age_at_referral: i16,
    /// Clinicians' decisions for this referral.
    pub decisions: &'a [ParentContactDecision],
    /// Safeguarding overrides of parent/carer contact for this young person.
    pub overrides: &'a [SafeguardingOverride],
}

/// Whether anyone (a person or any feature that writes letters or messages) may contact a
/// parent or carer about this referral. An under-threshold self-referral never leads to
/// contact unless a clinician records the decision to contact (GMC 0–18 paras 42–52: the
/// young person's confidence is kept unless they agree or sharing is needed to protect them);
/// a safeguarding override always allows it. The latest clinician decision wins.
pub fn parent_contact(
    facts: ParentContactFacts<'_>,
    rules: &ConsentRules,
) -> Result<ParentContactBasis, ParentContactRefusal> {
    if let Some(o) = facts
        .overrides
        .iter()
        .find(|o| o.scope == OverrideScope::ParentCarerContact)
    {
        return Ok(ParentContactBasis::SafeguardingOverride(o.id.clone()));
    }
    let latest = facts.decisions.iter().max_by_key(|d| d.decided_at);
    match latest {
        Some(d) if d.contact => Ok(ParentContactBasis::ClinicianDecision(d.id.clone())),
        Some(d) => Err(ParentContactRefusal::DecidedNotToContact(d.id.clone())),
        None if facts.source == ReferralSource::SelfReferral
            && facts.age_at_referral < rules.self_referral_contact_decision_under =>
        {
            Err(ParentContactRefusal::SelfReferralUnder(
                facts.age_at_referral,
            ))
        }
        None => Ok(ParentContactBasis::NoRestriction),
    }
}
