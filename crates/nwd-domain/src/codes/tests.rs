//! Unit tests of the national codes: names round-trip, codes match the domain guide and what NHS
//! England accepts, and unknown values name the allowed ones.

use super::*;

#[test]
fn snake_case_names_round_trip_and_match_serde() {
    for source in ReferralSource::ALL {
        let json = serde_json::to_string(source).unwrap();
        assert_eq!(json, format!("\"{}\"", source.as_str()));
        assert_eq!(ReferralSource::parse(source.as_str()), Ok(*source));
    }
    assert_eq!(
        ReasonCode::NeurodevelopmentalExclAutism.as_str(),
        "neurodevelopmental_excl_autism"
    );
    assert_eq!(
        TransitionOutcome::ZeroToTwentyFiveService.as_str(),
        "zero_to_twenty_five_service"
    );
}

#[test]
fn national_codes_match_the_domain_guide() {
    assert_eq!(Priority::Emergency.code(), "1");
    assert_eq!(Priority::VeryUrgent.code(), "4");
    assert_eq!(Priority::Urgent.code(), "2");
    assert_eq!(Priority::Routine.code(), "3");
    assert_eq!(ReferralSource::Gp.code(), "A1");
    assert_eq!(ReferralSource::SelfReferral.code(), "B1");
    assert_eq!(ReferralSource::ParentCarer.code(), "B2");
    assert_eq!(ReferralSource::YouthJustice.code(), "E6");
    assert_eq!(ReferralSource::VoluntarySector.code(), "G4");
    assert_eq!(ReferralSource::EmergencyDepartment.code(), "H1");
    assert_eq!(
        ReasonCode::from_code("12"),
        Some(ReasonCode::EatingDisorder)
    );
    assert_eq!(
        ReasonCode::from_code("25"),
        Some(ReasonCode::SuspectedAutism)
    );
    assert_eq!(ReasonCode::ALL.len(), 31);
    assert_eq!(TeamType::SinglePointOfAccess.code(), "A18");
    assert_eq!(TeamType::MentalHealthSupportTeam.code(), "F01");
}

#[test]
fn every_source_code_is_one_nhs_england_accepts() {
    // NHSDigital/mental-health-monthly-statistics, 0.5_VersionChanges.py (v5 list).
    let accepted = [
        "A1", "A2", "A3", "B1", "B2", "C1", "C2", "D1", "E1", "E2", "E3", "E4", "E5", "E6", "F1",
        "F2", "F3", "G1", "G2", "G3", "G4", "H1", "H2", "I1", "I2", "J1", "J2", "J3", "J4", "K1",
        "K2", "K3", "K4", "K5", "L1", "L2", "M1", "M2", "M3", "M4", "M5", "M6", "M7", "M9", "N3",
        "P1", "Q1",
    ];
    for source in ReferralSource::ALL {
        assert!(accepted.contains(&source.code()), "{source:?}");
    }
}

#[test]
fn unknown_values_name_the_allowed_ones() {
    let message = Priority::parse("asap").unwrap_err();
    assert!(message.contains("very_urgent"), "{message}");
}

#[test]
fn counted_mechanisms_and_attendance() {
    assert!(ConsultationMechanism::Video.counts_for_access());
    assert!(!ConsultationMechanism::Email.counts_for_access());
    assert!(ContactStatus::AttendedLate.is_attended());
    assert!(!ContactStatus::LateNotSeen.is_attended());
    assert!(Priority::Emergency.rank() < Priority::Routine.rank());
}

#[test]
fn the_did_not_attend_rate_counts_code_3_against_the_appointments_expected() {
    use super::ContactStatus as S;
    assert_eq!(S::DidNotAttend.did_not_attend(), Some(true));
    for expected in [S::Attended, S::AttendedLate, S::LateNotSeen] {
        assert_eq!(expected.did_not_attend(), Some(false), "{expected:?}");
    }
    for left_out in [S::Scheduled, S::CancelledByPatient, S::CancelledByProvider] {
        assert_eq!(left_out.did_not_attend(), None, "{left_out:?}");
    }
}
