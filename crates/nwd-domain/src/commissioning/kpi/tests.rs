//! Each KPI of the library on small hand-checked activity, with the suppression boundaries.

use super::*;
use crate::disclosure::Suppression;

fn open() -> Suppression {
    Suppression {
        enabled: false,
        ..Suppression::default()
    }
}

#[test]
fn every_code_parses_back_to_its_kpi_and_an_unknown_one_lists_the_library() {
    for kpi in Kpi::ALL {
        assert_eq!(Kpi::parse(kpi.code()), Ok(kpi));
        assert!(!kpi.definition().is_empty() && !kpi.source().is_empty());
    }
    let err = Kpi::parse("waits").unwrap_err();
    assert!(err.contains("median_triage_hours") && err.contains("transition_planned_by_17_half"));
}

#[test]
fn time_to_triage_is_the_nearest_rank_of_the_minutes_shown_in_hours() {
    let a = Activity {
        triage_minutes: vec![600, 30, 1440, 150, 90],
        ..Activity::default()
    };
    let rule = Suppression::default();
    // Sorted 30, 90, 150, 600, 1440: rank ⌈2.5⌉ = 3 → 150 min; rank ⌈4.5⌉ = 5 → 1,440 min.
    assert_eq!(
        Kpi::MedianTriageHours.value(&a, &rule),
        KpiValue::Value(2.5)
    );
    assert_eq!(Kpi::P90TriageHours.value(&a, &rule), KpiValue::Value(24.0));
    // 35 minutes is 0.58 hours, shown to one place.
    let b = Activity {
        triage_minutes: vec![35; 5],
        ..Activity::default()
    };
    assert_eq!(
        Kpi::MedianTriageHours.value(&b, &rule),
        KpiValue::Value(0.6)
    );
    // Four referrals: below the threshold of 5.
    let few = Activity {
        triage_minutes: vec![30, 90, 150, 600],
        ..Activity::default()
    };
    assert_eq!(
        Kpi::MedianTriageHours.value(&few, &rule),
        KpiValue::Suppressed
    );
    assert_eq!(
        Kpi::MedianTriageHours.value(&few, &open()),
        KpiValue::Value(1.5)
    );
    assert_eq!(
        Kpi::P90TriageHours.value(&Activity::default(), &open()),
        KpiValue::NoData
    );
    assert_eq!(
        Rag::of(Kpi::MedianTriageHours, KpiValue::Value(2.5), 24.0, 24.0),
        Rag::Green
    );
}

#[test]
fn second_contact_waits_are_their_own_distribution() {
    let a = Activity {
        wait_days: vec![1; 10],
        second_wait_days: vec![10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
        ..Activity::default()
    };
    let rule = Suppression::default();
    assert_eq!(
        Kpi::MedianSecondContactDays.value(&a, &rule),
        KpiValue::Value(50.0)
    );
    assert_eq!(
        Kpi::P90SecondContactDays.value(&a, &rule),
        KpiValue::Value(90.0)
    );
    assert_eq!(Kpi::MedianWaitDays.value(&a, &rule), KpiValue::Value(1.0));
}

#[test]
fn crisis_response_is_rated_per_priority_from_published_counts() {
    let a = Activity {
        // Emergency: 19 of 20 within 1 hour; very urgent: 38 of 50; urgent: 3 of 4.
        crisis_with_standard: [20, 50, 4],
        crisis_within_standard: [19, 38, 3],
        ..Activity::default()
    };
    let rule = Suppression::default();
    // Published 20 of 20 (19 rounds to 20): 100 %.
    assert_eq!(
        Kpi::EmergencyWithinStandard.value(&a, &rule),
        KpiValue::Value(100.0)
    );
    // 40 of 50 = 80 %.
    assert_eq!(
        Kpi::VeryUrgentWithinStandard.value(&a, &rule),
        KpiValue::Value(80.0)
    );
    assert_eq!(
        Kpi::UrgentWithinStandard.value(&a, &rule),
        KpiValue::Suppressed
    );
    assert_eq!(
        Kpi::UrgentWithinStandard.value(&a, &open()),
        KpiValue::Value(75.0)
    );
    assert_eq!(
        Rag::of(
            Kpi::VeryUrgentWithinStandard,
            KpiValue::Value(80.0),
            95.0,
            10.0
        ),
        Rag::Red
    );
}

#[test]
fn young_people_helped_by_age_are_published_counts() {
    let a = Activity {
        young_people_under_18: 1_203,
        young_people_18_to_25: 4,
        ..Activity::default()
    };
    let rule = Suppression::default();
    assert_eq!(
        Kpi::YoungPeopleUnder18.value(&a, &rule),
        KpiValue::Value(1_205.0)
    );
    assert_eq!(
        Kpi::YoungPeople18To25.value(&a, &rule),
        KpiValue::Suppressed
    );
    assert_eq!(
        Kpi::YoungPeople18To25.value(&a, &open()),
        KpiValue::Value(4.0)
    );
    assert_eq!(
        Rag::of(
            Kpi::YoungPeopleUnder18,
            KpiValue::Value(1_205.0),
            1_000.0,
            100.0
        ),
        Rag::Green
    );
}

#[test]
fn transitions_signposting_and_recording_are_shares() {
    let a = Activity {
        turned_18_in_service: 40,
        transition_planned_by_17_half: 22,
        triaged: 300,
        signposted: 91,
        received: 320,
        protected_recorded: 301,
        ..Activity::default()
    };
    let rule = Suppression::default();
    // 20 of 40 published = 50 %.
    assert_eq!(
        Kpi::TransitionPlannedBy17Half.value(&a, &rule),
        KpiValue::Value(50.0)
    );
    // 90 of 300 = 30 %.
    assert_eq!(Kpi::SignpostedShare.value(&a, &rule), KpiValue::Value(30.0));
    // 300 of 320 = 93.75 → 94 %.
    assert_eq!(
        Kpi::ProtectedCharacteristicsRecorded.value(&a, &rule),
        KpiValue::Value(94.0)
    );
    assert_eq!(
        Kpi::TransitionPlannedBy17Half.value(&Activity::default(), &open()),
        KpiValue::NoData
    );
}
