//! A parent's or carer's access to a young person's record (GMC 0–18, paras 42–52): the bases
//! a decision may rest on, whether one is still valid, the rule [`parent_access`], and the
//! entries kept from parents ([`NotForParentMark`]). Without a link and a valid basis the answer
//! is a refusal; the edge answers 404 either way.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{
    latest_for, CompetenceAssessment, ConsentDecision, ConsentRules, OverrideScope,
    SafeguardingOverride,
};

/// On what basis a parent or carer may see a young person's record (GMC 0–18, paras 42–52).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ParentAccessBasis {
    /// The young person consented (valid when they are 16+ or judged competent for this
    /// decision).
    YoungPersonConsent,
    /// A recorded best-interests decision, valid only when the young person was judged not
    /// competent (or lacking capacity) for this decision.
    BestInterests,
}

impl ParentAccessBasis {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ParentAccessBasis::YoungPersonConsent => "young_person_consent",
            ParentAccessBasis::BestInterests => "best_interests",
        }
    }

    /// Parses a stored name.
    pub fn parse(value: &str) -> Result<ParentAccessBasis, String> {
        match value {
            "young_person_consent" => Ok(ParentAccessBasis::YoungPersonConsent),
            "best_interests" => Ok(ParentAccessBasis::BestInterests),
            other => Err(format!(
                "unknown basis {other:?}; allowed: young_person_consent, best_interests"
            )),
        }
    }
}

/// A recorded decision that a parent or carer may see the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParentAccessDecision {
    /// Id.
    pub id: String,
    /// The parent/carer link it is for.
    pub carer_link_id: String,
    /// Consent or best interests.
    pub basis: ParentAccessBasis,
    /// Why, in the recorder's words.
    pub rationale: String,
    /// Who recorded it (user id).
    pub recorded_by: String,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub recorded_at: Timestamp,
    /// When consent was withdrawn or the decision ended.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub withdrawn_at: Option<Timestamp>,
}

/// Why a parent or carer may see the record: the audit trail's "why".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParentAccessGrant {
    /// The young person's recorded consent.
    Consent(String),
    /// A recorded best-interests decision.
    BestInterests(String),
    /// A safeguarding override.
    SafeguardingOverride(String),
}

impl ParentAccessGrant {
    /// As written in the audit trail.
    pub fn why(&self) -> String {
        match self {
            ParentAccessGrant::Consent(id) => format!("parent_carer:consent:{id}"),
            ParentAccessGrant::BestInterests(id) => format!("parent_carer:best_interests:{id}"),
            ParentAccessGrant::SafeguardingOverride(id) => {
                format!("parent_carer:safeguarding_override:{id}")
            }
        }
    }
}

/// Why a parent or carer may not see the record (the edge answers 404 either way).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParentAccessRefusal {
    /// The account is not linked to this young person as their parent or carer.
    #[error("not linked to this young person as parent or carer")]
    NotLinked,
    /// No consent, best-interests decision or override is in force.
    #[error("no recorded consent, best-interests decision or safeguarding override")]
    NoBasis,
    /// Consent of an under-16 needs a finding that they were competent for this decision.
    #[error("the young person is under {0}: record a competence assessment for parent_carer_access that found them competent before relying on their consent")]
    ConsentWithoutCompetence(i16),
    /// Best interests apply only when the young person is not competent for this decision.
    #[error("a best-interests decision needs a competence assessment for parent_carer_access that found the young person not competent; if they are competent and refuse, only a safeguarding override can set that aside")]
    BestInterestsWithoutIncompetence,
}

/// Whether one decision is a valid basis, given the young person's age and their latest
/// competence assessment for parent/carer access.
pub fn basis_valid(
    basis: ParentAccessBasis,
    age: i16,
    latest: Option<&CompetenceAssessment>,
    rules: &ConsentRules,
) -> Result<(), ParentAccessRefusal> {
    match basis {
        ParentAccessBasis::YoungPersonConsent => {
            if age >= rules.presumed_capacity_age || latest.is_some_and(|a| a.competent) {
                Ok(())
            } else {
                Err(ParentAccessRefusal::ConsentWithoutCompetence(
                    rules.presumed_capacity_age,
                ))
            }
        }
        ParentAccessBasis::BestInterests => {
            if latest.is_some_and(|a| !a.competent) {
                Ok(())
            } else {
                Err(ParentAccessRefusal::BestInterestsWithoutIncompetence)
            }
        }
    }
}

/// The facts the parent/carer access rule needs.
#[derive(Debug, Clone, Copy)]
pub struct ParentAccessFacts<'a> {
    /// The account is linked to the young person as parent or carer.
    pub linked: bool,
    /// The young person's age today.
    pub age: i16,
    /// Their competence assessments (any decision).
    pub assessments: &'a [CompetenceAssessment],
    /// Decisions recorded for this link.
    pub decisions: &'a [ParentAccessDecision],
    /// Safeguarding overrides recorded for this young person.
    pub overrides: &'a [SafeguardingOverride],
}

/// A parent's or carer's access to a young person's record: it needs a link, and then the
/// young person's valid consent, a valid best-interests decision, or a safeguarding override
/// of parent/carer access. Decisions that were withdrawn do not count; a later competence
/// assessment can invalidate an earlier basis (e.g. a best-interests decision once the young
/// person is found competent).
pub fn parent_access(
    facts: ParentAccessFacts<'_>,
    rules: &ConsentRules,
) -> Result<ParentAccessGrant, ParentAccessRefusal> {
    if !facts.linked {
        return Err(ParentAccessRefusal::NotLinked);
    }
    if let Some(o) = facts
        .overrides
        .iter()
        .find(|o| o.scope == OverrideScope::ParentCarerAccess)
    {
        return Ok(ParentAccessGrant::SafeguardingOverride(o.id.clone()));
    }
    let latest = latest_for(facts.assessments, ConsentDecision::ParentCarerAccess);
    let mut refusal = ParentAccessRefusal::NoBasis;
    let mut active: Vec<&ParentAccessDecision> = facts
        .decisions
        .iter()
        .filter(|d| d.withdrawn_at.is_none())
        .collect();
    active.sort_by_key(|d| std::cmp::Reverse(d.recorded_at));
    for decision in active {
        match basis_valid(decision.basis, facts.age, latest, rules) {
            Ok(()) => {
                return Ok(match decision.basis {
                    ParentAccessBasis::YoungPersonConsent => {
                        ParentAccessGrant::Consent(decision.id.clone())
                    }
                    ParentAccessBasis::BestInterests => {
                        ParentAccessGrant::BestInterests(decision.id.clone())
                    }
                })
            }
            Err(why) => refusal = why,
        }
    }
    Err(refusal)
}

/// An entry of the record kept from parents and carers: one event of a referral (a contact,
/// a triage rationale, a note) or, with `seq` empty, the whole referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotForParentMark {
    /// The referral.
    pub referral_id: String,
    /// The event's position; `None` marks the whole referral.
    pub seq: Option<u32>,
}

/// Whether a parent or carer may see event `seq` of `referral_id`, given the marks.
pub fn visible_to_parent(referral_id: &str, seq: u32, marks: &[NotForParentMark]) -> bool {
    !marks
        .iter()
        .any(|m| m.referral_id == referral_id && (m.seq.is_none() || m.seq == Some(seq)))
}
