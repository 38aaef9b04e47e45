//! Unit tests of roles, permissions, relationships, break-glass and passwords.

use super::*;

#[test]
fn commissioners_and_referrers_never_reach_person_level_data() {
    let table = RoleTable::default();
    for role in [Role::Commissioner, Role::ExternalReferrer] {
        for p in Permission::ALL.into_iter().filter(|p| p.is_person_level()) {
            assert!(!table.grants(role, p), "{role} holds {p:?}");
        }
    }
    let mut table = RoleTable::default();
    assert!(table
        .set(
            Role::Commissioner,
            [Permission::ReadClinical].into_iter().collect()
        )
        .is_err());
    assert!(table
        .set(
            Role::ExternalReferrer,
            [Permission::BreakGlass].into_iter().collect()
        )
        .is_err());
}

#[test]
fn administrators_see_demographics_but_no_clinical_content() {
    let table = RoleTable::default();
    assert!(table.grants(Role::Administrator, Permission::ReadDemographics));
    assert!(!table.grants(Role::Administrator, Permission::ReadClinical));
    assert!(!table.grants(Role::Administrator, Permission::WriteClinical));
}

#[test]
fn relationship_ends_at_discharge_plus_grace() {
    let ended: Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
    assert!(relationship_open(None, ended, DEFAULT_GRACE));
    assert!(!relationship_open(Some(ended), ended, DEFAULT_GRACE));
    let grace = SignedDuration::from_hours(24);
    assert!(relationship_open(
        Some(ended),
        ended + SignedDuration::from_hours(23),
        grace
    ));
    assert!(!relationship_open(Some(ended), ended + grace, grace));
}

#[test]
fn break_glass_needs_a_reason_a_window_and_a_role_that_may() {
    let table = RoleTable::default();
    let ok = BreakGlassRequest {
        reason: "Young person in A&E out of hours".into(),
        duration: SignedDuration::from_hours(1),
    };
    assert_eq!(ok.check(&[Role::Clinician], &table), Ok(()));
    assert!(matches!(
        ok.check(&[Role::Commissioner], &table),
        Err(BreakGlassRefusal::RoleNotAllowed(_))
    ));
    let short = BreakGlassRequest {
        reason: "urgent".into(),
        ..ok.clone()
    };
    assert_eq!(
        short.check(&[Role::Clinician], &table),
        Err(BreakGlassRefusal::ReasonTooShort)
    );
    let long = BreakGlassRequest {
        duration: SignedDuration::from_hours(9),
        ..ok
    };
    assert_eq!(
        long.check(&[Role::Clinician], &table),
        Err(BreakGlassRefusal::Duration)
    );
}

#[test]
fn passwords_are_checked_by_length_and_breach_only() {
    let breached = |p: &str| p == "password123";
    assert_eq!(
        check_new_password("short", "u", breached),
        Err(PasswordProblem::TooShort)
    );
    assert_eq!(
        check_new_password("PASSWORD123", "u", breached),
        Err(PasswordProblem::Breached)
    );
    assert_eq!(
        check_new_password("j.smith1", "J.SMITH1", breached),
        Err(PasswordProblem::IsUsername)
    );
    // No composition rules: all lower-case words are fine.
    assert_eq!(
        check_new_password("correct horse battery staple", "u", breached),
        Ok(())
    );
    assert_eq!(
        check_new_password(&"x".repeat(129), "u", breached),
        Err(PasswordProblem::TooLong)
    );
}

#[test]
fn roles_and_permissions_round_trip_their_names() {
    for r in Role::ALL {
        assert_eq!(Role::parse(r.as_str()), Ok(r));
    }
    for p in Permission::ALL {
        assert_eq!(Permission::parse(p.as_str()), Ok(p));
    }
    assert!(Role::parse("superuser").unwrap_err().contains("triage"));
}
