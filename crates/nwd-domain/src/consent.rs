// Over 600 lines: to be split by what it owns in issue 16 (the architecture step), not mid-issue.
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

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::codes::ReferralSource;
use crate::error::ValidationErrors;

/// Thresholds of the confidentiality rules: configurable because they are law and policy, not
/// arithmetic. Defaults: 16 for both (Family Law Reform Act 1969 s.8, Mental Capacity Act
/// 2005 s.2(5); the issue's rule for self-referrals).
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

/// Which decision a competence assessment was about (Gillick competence is per decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentDecision {
    /// Consenting to help (assessment, treatment) without a parent.
    ConsentToHelp,
    /// Whether a parent or carer may see their record.
    ParentCarerAccess,
    /// Whether a parent or carer may be contacted.
    ParentCarerContact,
    /// Sharing information with another agency.
    InformationSharing,
}

impl ConsentDecision {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentDecision::ConsentToHelp => "consent_to_help",
            ConsentDecision::ParentCarerAccess => "parent_carer_access",
            ConsentDecision::ParentCarerContact => "parent_carer_contact",
            ConsentDecision::InformationSharing => "information_sharing",
        }
    }

    /// Parses a stored or API name, listing the allowed values otherwise.
    pub fn parse(value: &str) -> Result<ConsentDecision, String> {
        [
            ConsentDecision::ConsentToHelp,
            ConsentDecision::ParentCarerAccess,
            ConsentDecision::ParentCarerContact,
            ConsentDecision::InformationSharing,
        ]
        .into_iter()
        .find(|d| d.as_str() == value)
        .ok_or_else(|| {
            format!("unknown decision {value:?}; allowed: consent_to_help, parent_carer_access, parent_carer_contact, information_sharing")
        })
    }
}

/// A Gillick competence assessment, as recorded: who, when, which decision, outcome and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetenceAssessment {
    /// Id.
    pub id: String,
    /// Which decision.
    pub decision: ConsentDecision,
    /// The referral it was made in, if any.
    pub referral_id: Option<String>,
    /// Outcome: judged competent for this decision.
    pub competent: bool,
    /// The assessor's reasoning.
    pub rationale: String,
    /// Who assessed (user id).
    pub assessed_by: String,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub assessed_at: Timestamp,
}

/// The latest assessment for `decision` (assessments are never edited: a new one supersedes).
pub fn latest_for(
    assessments: &[CompetenceAssessment],
    decision: ConsentDecision,
) -> Option<&CompetenceAssessment> {
    assessments
        .iter()
        .filter(|a| a.decision == decision)
        .max_by_key(|a| a.assessed_at)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn assessment(competent: bool, when: &str) -> CompetenceAssessment {
        CompetenceAssessment {
            id: format!("a-{when}"),
            decision: ConsentDecision::ParentCarerAccess,
            referral_id: None,
            competent,
            rationale: "understood what sharing means".into(),
            assessed_by: "u".into(),
            assessed_at: at(when),
        }
    }

    fn decision(basis: ParentAccessBasis, when: &str) -> ParentAccessDecision {
        ParentAccessDecision {
            id: format!("d-{when}"),
            carer_link_id: "l".into(),
            basis,
            rationale: "r".into(),
            recorded_by: "u".into(),
            recorded_at: at(when),
            withdrawn_at: None,
        }
    }

    fn access(
        age: i16,
        assessments: &[CompetenceAssessment],
        decisions: &[ParentAccessDecision],
        overrides: &[SafeguardingOverride],
    ) -> Result<ParentAccessGrant, ParentAccessRefusal> {
        parent_access(
            ParentAccessFacts {
                linked: true,
                age,
                assessments,
                decisions,
                overrides,
            },
            &ConsentRules::default(),
        )
    }

    const T1: &str = "2026-01-01T10:00:00Z";
    const T2: &str = "2026-02-01T10:00:00Z";

    #[test]
    fn a_parent_needs_consent_best_interests_or_an_override() {
        use ParentAccessBasis::*;
        // No basis: refused, even for a linked parent.
        assert_eq!(access(14, &[], &[], &[]), Err(ParentAccessRefusal::NoBasis));
        // Not linked: refused whatever is recorded.
        let facts = ParentAccessFacts {
            linked: false,
            age: 17,
            assessments: &[],
            decisions: &[decision(YoungPersonConsent, T1)],
            overrides: &[],
        };
        assert_eq!(
            parent_access(facts, &ConsentRules::default()),
            Err(ParentAccessRefusal::NotLinked)
        );
        // 16+: their consent is enough.
        assert!(matches!(
            access(16, &[], &[decision(YoungPersonConsent, T1)], &[]),
            Ok(ParentAccessGrant::Consent(_))
        ));
        // Under 16: consent needs a finding of competence for this decision.
        assert_eq!(
            access(14, &[], &[decision(YoungPersonConsent, T1)], &[]),
            Err(ParentAccessRefusal::ConsentWithoutCompetence(16))
        );
        assert!(matches!(
            access(
                14,
                &[assessment(true, T1)],
                &[decision(YoungPersonConsent, T1)],
                &[]
            ),
            Ok(ParentAccessGrant::Consent(_))
        ));
        // Best interests only when not competent.
        assert_eq!(
            access(
                14,
                &[assessment(true, T1)],
                &[decision(BestInterests, T1)],
                &[]
            ),
            Err(ParentAccessRefusal::BestInterestsWithoutIncompetence)
        );
        assert!(matches!(
            access(
                14,
                &[assessment(false, T1)],
                &[decision(BestInterests, T1)],
                &[]
            ),
            Ok(ParentAccessGrant::BestInterests(_))
        ));
        // A later finding of competence ends a best-interests basis.
        assert!(access(
            14,
            &[assessment(false, T1), assessment(true, T2)],
            &[decision(BestInterests, T1)],
            &[]
        )
        .is_err());
        // Withdrawn consent does not count.
        let mut withdrawn = decision(YoungPersonConsent, T1);
        withdrawn.withdrawn_at = Some(at(T2));
        assert!(access(17, &[], &[withdrawn], &[]).is_err());
        // A safeguarding override of parent access does.
        let o = SafeguardingOverride {
            id: "o".into(),
            scope: OverrideScope::ParentCarerAccess,
            referral_id: None,
            reason: "risk to life; parents must know".into(),
            recorded_by: "u".into(),
            recorded_at: at(T1),
        };
        assert_eq!(
            access(14, &[], &[], std::slice::from_ref(&o)),
            Ok(ParentAccessGrant::SafeguardingOverride("o".into()))
        );
        // An override of something else does not.
        let other = SafeguardingOverride {
            scope: OverrideScope::InformationSharing,
            ..o
        };
        assert!(access(14, &[], &[], &[other]).is_err());
    }

    fn contact(
        source: ReferralSource,
        age: i16,
        decisions: &[ParentContactDecision],
        overrides: &[SafeguardingOverride],
    ) -> Result<ParentContactBasis, ParentContactRefusal> {
        parent_contact(
            ParentContactFacts {
                source,
                age_at_referral: age,
                decisions,
                overrides,
            },
            &ConsentRules::default(),
        )
    }

    #[test]
    fn an_under_16_self_referral_never_leads_to_parent_contact_without_a_decision() {
        let yes = ParentContactDecision {
            id: "yes".into(),
            referral_id: "r".into(),
            contact: true,
            rationale: "young person agreed mum can be told".into(),
            decided_by: "u".into(),
            decided_at: at(T1),
        };
        let no = ParentContactDecision {
            id: "no".into(),
            contact: false,
            decided_at: at(T2),
            ..yes.clone()
        };
        use ReferralSource::*;
        assert_eq!(
            contact(SelfReferral, 14, &[], &[]),
            Err(ParentContactRefusal::SelfReferralUnder(14))
        );
        assert_eq!(
            contact(SelfReferral, 14, std::slice::from_ref(&yes), &[]),
            Ok(ParentContactBasis::ClinicianDecision("yes".into()))
        );
        // The latest decision wins.
        assert_eq!(
            contact(SelfReferral, 14, &[yes.clone(), no.clone()], &[]),
            Err(ParentContactRefusal::DecidedNotToContact("no".into()))
        );
        // 16 and over, or referred by someone else: no restriction unless decided against.
        assert_eq!(
            contact(SelfReferral, 16, &[], &[]),
            Ok(ParentContactBasis::NoRestriction)
        );
        assert_eq!(
            contact(ParentCarer, 12, &[], &[]),
            Ok(ParentContactBasis::NoRestriction)
        );
        assert!(contact(ParentCarer, 12, std::slice::from_ref(&no), &[]).is_err());
        // A safeguarding override allows contact.
        let o = SafeguardingOverride {
            id: "o".into(),
            scope: OverrideScope::ParentCarerContact,
            referral_id: Some("r".into()),
            reason: "disclosed plan to end life tonight".into(),
            recorded_by: "u".into(),
            recorded_at: at(T2),
        };
        assert_eq!(
            contact(SelfReferral, 13, &[no], &[o]),
            Ok(ParentContactBasis::SafeguardingOverride("o".into()))
        );
    }

    #[test]
    fn marked_entries_are_hidden_from_parents() {
        let marks = [
            NotForParentMark {
                referral_id: "a".into(),
                seq: Some(2),
            },
            NotForParentMark {
                referral_id: "b".into(),
                seq: None,
            },
        ];
        assert!(visible_to_parent("a", 1, &marks));
        assert!(!visible_to_parent("a", 2, &marks));
        assert!(!visible_to_parent("b", 1, &marks));
        assert!(visible_to_parent("c", 2, &marks));
    }

    #[test]
    fn override_reasons_must_say_something() {
        let mut errors = ValidationErrors::new();
        check_override_reason("worried", &mut errors);
        assert_eq!(errors.0[0].field, "reason");
        let mut errors = ValidationErrors::new();
        check_override_reason("Disclosed abuse at home; police informed", &mut errors);
        assert!(errors.is_empty());
    }
}
