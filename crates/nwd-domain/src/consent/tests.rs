//! Unit tests of the confidentiality rules: competence, parent and carer access, contact with
//! parents, overrides and entries kept from parents.

use jiff::Timestamp;

use super::*;
use crate::codes::ReferralSource;

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
