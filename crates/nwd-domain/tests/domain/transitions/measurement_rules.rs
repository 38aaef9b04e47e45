//! Making the follow-up measure hard to forget (issue 19): what is due on an allocation, the
//! closing measure at discharge, and the one-time completion link.

use jiff::civil::date;

use nwd_domain::codes::{ContactStatus, DischargeReason, ReferralSource};
use nwd_domain::referral::measurement::{
    shared_progress, DueKind, FollowUp, MeasureCounts, MeasureLinkRequest, MeasurementSchedule,
    MissingMeasure, MissingMeasureReason,
};
use nwd_domain::referral::outcome::{OutcomeAssessment, OutcomeRater, ScaleEntry};
use nwd_domain::referral::{Command, DischargeCommand, Referral, ReferralEvent, ReferralKind};
use nwd_domain::{AllocationId, DomainError};

use super::*;

fn phq9(allocation_id: AllocationId, at: &str, total: f64) -> Command {
    Command::RecordOutcome(OutcomeAssessment {
        allocation_id,
        measure: "phq_9".into(),
        rater: OutcomeRater::YoungPerson,
        at: ts(at),
        scores: vec![ScaleEntry {
            scale: "total".into(),
            score_tenths: ScaleEntry::tenths(total).unwrap(),
        }],
        answers: Vec::new(),
    })
}

fn discharge_saying(allocation_id: AllocationId, why: Option<MissingMeasureReason>) -> Command {
    Command::Discharge(DischargeCommand {
        allocation_id,
        reason: DischargeReason::TreatmentCompleted,
        note: None,
        without_closing_measure: why.map(|reason| MissingMeasure { reason, note: None }),
    })
}

fn seen(desk: &mut Desk, source: ReferralSource) -> (Referral, AllocationId) {
    let mut referral = desk.receive(ReferralKind::Referral, source);
    desk.given(
        &mut referral,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY)])),
    );
    let allocation = referral.allocations[0].id;
    desk.given(
        &mut referral,
        "2025-01-10T10:00:00Z",
        contact(allocation, "2025-01-10T10:00:00Z", ContactStatus::Attended),
    );
    (referral, allocation)
}

fn invalid_fields(error: DomainError) -> Vec<String> {
    match error {
        DomainError::Invalid(errors) => errors.0.into_iter().map(|e| e.field).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[test]
fn a_seen_allocation_is_not_discharged_without_a_closing_measure_or_a_reason() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let (mut referral, allocation) = seen(&mut desk, ReferralSource::Gp);
    let before = referral.clone();
    let error = desk
        .run(&mut referral, NOW, discharge_saying(allocation, None))
        .unwrap_err();
    assert_eq!(invalid_fields(error), ["without_closing_measure"]);
    assert_eq!(referral, before, "nothing kept");
    // "Another reason" needs its note.
    let error = desk
        .run(
            &mut referral,
            NOW,
            discharge_saying(allocation, Some(MissingMeasureReason::Other)),
        )
        .unwrap_err();
    assert_eq!(invalid_fields(error), ["without_closing_measure.note"]);
    // With a reason the discharge is recorded, and so is the reason.
    let events = desk
        .run(
            &mut referral,
            NOW,
            discharge_saying(allocation, Some(MissingMeasureReason::LostContact)),
        )
        .unwrap();
    assert!(events.iter().any(|e| matches!(
        &e.event,
        ReferralEvent::AllocationEnded { without_closing_measure: Some(m), .. }
            if m.reason == MissingMeasureReason::LostContact
    )));
    let ended = referral.allocations[0].ended.as_ref().unwrap();
    assert_eq!(
        ended.without_closing_measure.as_ref().map(|m| m.reason),
        Some(MissingMeasureReason::LostContact)
    );
    assert_eq!(Referral::replay(&desk.history).unwrap(), referral);
}

#[test]
fn a_measure_on_the_day_of_the_last_session_closes_and_a_reason_then_contradicts_it() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let (mut referral, allocation) = seen(&mut desk, ReferralSource::Gp);
    // Filled in before the session started, on the same day: it counts for that session.
    desk.given(
        &mut referral,
        "2025-01-10T09:40:00Z",
        phq9(allocation, "2025-01-10T09:40:00Z", 12.0),
    );
    assert_eq!(
        referral.has_closing_measure(allocation, &desk.tz),
        Some(true)
    );
    let error = desk
        .run(
            &mut referral,
            NOW,
            discharge_saying(allocation, Some(MissingMeasureReason::Declined)),
        )
        .unwrap_err();
    assert_eq!(invalid_fields(error), ["without_closing_measure"]);
    desk.given(&mut referral, NOW, discharge_saying(allocation, None));
    assert!(!referral.allocations[0].is_active());
}

#[test]
fn a_service_that_does_not_ask_for_a_closing_measure_discharges_without_one() {
    let mut desk = Desk::new(date(2011, 5, 20));
    for service in &mut desk.services {
        service.details.measurement.closing_measure = false;
    }
    let (mut referral, allocation) = seen(&mut desk, ReferralSource::Gp);
    desk.given(&mut referral, NOW, discharge_saying(allocation, None));
    // An allocation never seen has nothing to close either.
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    desk.given(
        &mut referral,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY)])),
    );
    let allocation = referral.allocations[0].id;
    assert_eq!(referral.has_closing_measure(allocation, &desk.tz), None);
    desk.given(&mut referral, NOW, discharge_saying(allocation, None));
}

#[test]
fn measure_counts_follow_sessions_and_measures_by_the_areas_days() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let (mut referral, allocation) = seen(&mut desk, ReferralSource::Gp);
    let schedule = MeasurementSchedule {
        review_every_contacts: 2,
        ..MeasurementSchedule::default()
    };
    let counts = referral.measure_counts(allocation, &desk.tz);
    assert_eq!(
        counts,
        MeasureCounts {
            attended: 1,
            since_measure: 1,
            measured: false
        }
    );
    assert_eq!(
        schedule.follow_up(counts),
        FollowUp::Overdue(DueKind::Start)
    );
    desk.given(
        &mut referral,
        "2025-01-10T11:00:00Z",
        phq9(allocation, "2025-01-10T11:00:00Z", 15.0),
    );
    let counts = referral.measure_counts(allocation, &desk.tz);
    assert_eq!((counts.since_measure, counts.measured), (0, true));
    assert_eq!(schedule.follow_up(counts), FollowUp::UpToDate);
    for day in ["2025-01-17T10:00:00Z", "2025-01-24T10:00:00Z"] {
        desk.given(
            &mut referral,
            day,
            contact(allocation, day, ContactStatus::Attended),
        );
    }
    let counts = referral.measure_counts(allocation, &desk.tz);
    assert_eq!((counts.attended, counts.since_measure), (3, 2));
    assert_eq!(
        schedule.follow_up(counts),
        FollowUp::Overdue(DueKind::Review)
    );
    // A session the young person did not attend does not count.
    desk.given(
        &mut referral,
        "2025-01-31T10:00:00Z",
        contact(
            allocation,
            "2025-01-31T10:00:00Z",
            ContactStatus::DidNotAttend,
        ),
    );
    assert_eq!(referral.measure_counts(allocation, &desk.tz).attended, 3);
}

fn link(allocation_id: AllocationId, measure: &str, rater: OutcomeRater) -> Command {
    Command::SendMeasureLink(MeasureLinkRequest {
        allocation_id,
        measure: measure.into(),
        rater,
    })
}

#[test]
fn a_link_is_only_for_a_measure_whose_questions_may_be_shown_to_a_rater_and_age_it_fits() {
    // Born 2011-05-20: 13 when the link is sent.
    let mut desk = Desk::new(date(2011, 5, 20));
    let (mut referral, allocation) = seen(&mut desk, ReferralSource::Gp);
    let before = referral.clone();
    let cases = [
        // RCADS is for the young person or a parent, not the clinician (whether its
        // wording is loaded is the use case's check: tests/api/measure_links.rs).
        (
            link(allocation, "rcads", OutcomeRater::Clinician),
            vec!["rater"],
        ),
        (
            link(allocation, "phq_10", OutcomeRater::YoungPerson),
            vec!["measure"],
        ),
        (
            link(allocation, "phq_9", OutcomeRater::Clinician),
            vec!["rater"],
        ),
        (
            link(allocation, "phq_9", OutcomeRater::ParentOrCarer),
            vec!["rater"],
        ),
    ];
    for (command, expected) in cases {
        let described = format!("{command:?}");
        let error = desk.run(&mut referral, NOW, command).unwrap_err();
        assert_eq!(invalid_fields(error), expected, "{described}");
        assert_eq!(referral, before, "nothing kept: {described}");
    }
    let events = desk
        .run(
            &mut referral,
            NOW,
            link(allocation, "phq_9", OutcomeRater::YoungPerson),
        )
        .unwrap();
    let ReferralEvent::MeasureLinkSent { expires_at, .. } = &events[0].event else {
        panic!("expected a link, got {:?}", events[0].event);
    };
    assert_eq!(
        expires_at.duration_since(ts(NOW)).as_hours(),
        24 * nwd_domain::referral::measurement::MEASURE_LINK_DAYS
    );
    assert_eq!(referral.measure_links.len(), 1);
    assert_eq!(Referral::replay(&desk.history).unwrap(), referral);

    // PHQ-9 is for ages 12 to 25: not for a 9-year-old.
    let mut desk = Desk::new(date(2015, 5, 20));
    let (mut referral, allocation) = seen(&mut desk, ReferralSource::Gp);
    let error = desk
        .run(
            &mut referral,
            NOW,
            link(allocation, "phq_9", OutcomeRater::YoungPerson),
        )
        .unwrap_err();
    assert_eq!(invalid_fields(error), ["measure"]);
}

#[test]
fn only_a_young_person_who_referred_themselves_sees_their_own_scores_where_shared() {
    // 17: no competence decision is needed before allocating a self-referral.
    let mut desk = Desk::new(date(2007, 5, 20));
    let (mut own, allocation) = seen(&mut desk, ReferralSource::SelfReferral);
    desk.given(
        &mut own,
        "2025-01-10T11:00:00Z",
        phq9(allocation, "2025-01-10T11:00:00Z", 15.0),
    );
    desk.given(
        &mut own,
        "2025-01-10T11:05:00Z",
        Command::RecordOutcome(OutcomeAssessment {
            allocation_id: allocation,
            measure: "cgas".into(),
            rater: OutcomeRater::Clinician,
            at: ts("2025-01-10T11:05:00Z"),
            scores: vec![ScaleEntry {
                scale: "total".into(),
                score_tenths: 550,
            }],
            answers: Vec::new(),
        }),
    );
    let shown = shared_progress(&own, |service| service == COMMUNITY);
    assert_eq!(shown.len(), 1, "the clinician's rating is not shown");
    assert_eq!(shown[0].measure, "phq_9");
    assert!(shared_progress(&own, |_| false).is_empty(), "not shared");

    let mut desk = Desk::new(date(2011, 5, 20));
    let (mut by_gp, allocation) = seen(&mut desk, ReferralSource::Gp);
    desk.given(
        &mut by_gp,
        "2025-01-10T11:00:00Z",
        phq9(allocation, "2025-01-10T11:00:00Z", 15.0),
    );
    assert!(
        shared_progress(&by_gp, |_| true).is_empty(),
        "a referrer's link never shows a young person's scores"
    );
}

#[test]
fn the_overdue_thresholds_a_list_queries_are_exactly_the_follow_up_rule() {
    for every in [1u8, 2, 6, 12] {
        for routine in [true, false] {
            let schedule = MeasurementSchedule {
                routine,
                review_every_contacts: every,
                ..MeasurementSchedule::default()
            };
            let when = schedule.overdue_when();
            assert_eq!(when.is_some(), routine);
            for attended in 0..20 {
                for since_measure in 0..=attended {
                    for measured in [false, true] {
                        let counts = MeasureCounts {
                            attended,
                            since_measure,
                            measured,
                        };
                        let overdue = matches!(schedule.follow_up(counts), FollowUp::Overdue(_));
                        assert_eq!(
                            when.is_some_and(|w| w.holds(counts)),
                            overdue,
                            "every {every}, routine {routine}, {counts:?}"
                        );
                    }
                }
            }
        }
    }
}
