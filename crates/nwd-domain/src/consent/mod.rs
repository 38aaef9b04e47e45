//! Confidentiality for young people: Gillick competence assessed per decision, a parent's or
//! carer's access to a young person's record, entries kept from parents and carers, contact
//! with parents after a self-referral, and explicit safeguarding overrides.
//!
//! Sources (the rules below follow them; where the law leaves a choice it is configuration in
//! [`ConsentRules`]):
//! - *Gillick v West Norfolk and Wisbech AHA* [1986] AC 112 (HL): a child under 16 may consent
//!   to their own care when they have "sufficient understanding and intelligence to
//!   understand fully what is proposed"; competence is judged **per decision**, not once for
//!   all. Lord Fraser's guidelines (the "Fraser guidelines") cover contraception specifically.
//! - Family Law Reform Act 1969 s.8 and the Mental Capacity Act 2005 (capacity presumed from
//!   16): hence the default threshold of 16.
//! - GMC, *0–18 years: guidance for all doctors* (2007, updated 2018), paras 42–52: young
//!   people are owed the same duty of confidentiality as adults; information may be shared
//!   with parents with the young person's consent, or without it when they lack capacity and
//!   sharing is in their best interests, or when it is needed to protect them or others from
//!   serious harm (safeguarding) — and the reasons must be recorded.
//! - The Caldicott principles (National Data Guardian, 2020), notably 7: "the duty to share
//!   information for individual care is as important as the duty to protect patient
//!   confidentiality" — hence overrides exist, but are explicit, reasoned and reviewed.
//!
//! Pure: the facts (assessments, decisions, overrides) come from the store; the rules are
//! here and unit-tested. Nothing here knows how a parent signs in.

use serde::{Deserialize, Serialize};

use crate::error::ValidationErrors;

mod competence;
mod parent_access;
mod parent_contact;
mod safeguarding;
#[cfg(test)]
mod tests;

pub use competence::{latest_for, CompetenceAssessment, ConsentDecision};
pub use parent_access::{
    basis_valid, parent_access, visible_to_parent, NotForParentMark, ParentAccessBasis,
    ParentAccessDecision, ParentAccessFacts, ParentAccessGrant, ParentAccessRefusal,
};
pub use parent_contact::{
    parent_contact, ParentContactBasis, ParentContactDecision, ParentContactFacts,
    ParentContactRefusal,
};
pub use safeguarding::{check_override_reason, OverrideScope, SafeguardingOverride};

/// Thresholds of the confidentiality rules: configurable because they are law and policy, not
/// arithmetic. Defaults: 16 for both (Family Law Reform Act 1969 s.8, Mental Capacity Act
/// 2005 s.2(5); the rule for self-referrals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRules {
    /// Age from which a young person is presumed able to consent (no competence assessment
    /// needed for their consent to be valid).
    pub presumed_capacity_age: i16,
    /// Self-referrals by a young person under this age never lead to contact with a parent
    /// or carer unless a clinician records that decision (or a safeguarding override exists).
    /// An area that wants the same for every self-referral sets 26.
    pub self_referral_contact_decision_under: i16,
}

impl Default for ConsentRules {
    fn default() -> Self {
        ConsentRules {
            presumed_capacity_age: 16,
            self_referral_contact_decision_under: 16,
        }
    }
}

/// Checks a free-text reason or rationale: present, within
/// [`MAX_TEXT_CHARS`](crate::referral::command::MAX_TEXT_CHARS).
pub fn check_text(errors: &mut ValidationErrors, field: &str, value: &str, what: &str) {
    use crate::referral::command::MAX_TEXT_CHARS;
    if value.trim().is_empty() {
        errors.add(field, what);
    } else if value.chars().count() > MAX_TEXT_CHARS {
        errors.add(
            field,
            format!("keep this under {MAX_TEXT_CHARS} characters"),
        );
    }
}
