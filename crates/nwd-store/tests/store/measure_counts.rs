//! The follow-up counts kept on each allocation (migration 0027): written with every change
//! that moves them, read by the caseload, and filled in for rows written before the migration.

use jiff::Timestamp;
use nwd_domain::codes::{ConsultationMechanism, ContactStatus, TeamType};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::measurement::{DueKind, FollowUp, MeasureCounts, MeasurementSchedule};
use nwd_domain::referral::outcome::{OutcomeAssessment, OutcomeRater, ScaleEntry};
use nwd_domain::referral::Command;

use crate::backend::for_each_backend;
use crate::synthetic::{
    add_service, contact, organisation, person, receive_with, run, service, triage,
};

fn ts(value: &str) -> Timestamp {
    value.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_caseload_shows_what_is_due_and_old_rows_are_filled_in() {
    for_each_backend(|t| async move {
        t.clock.set("2026-03-02T12:00:00Z");
        let org = organisation(&t.store).await;
        let community = add_service(
            &t.store,
            service(
                org,
                "Community CYP",
                TeamType::Community,
                &[NeedGroup::GettingHelp],
                (0, 17),
            ),
        )
        .await;
        let received = receive_with(
            &t,
            person("Ada", jiff::civil::date(2012, 2, 2), None),
            nwd_domain::codes::ReferralSource::Gp,
            nwd_domain::codes::Priority::Routine,
            ts("2026-02-02T09:00:00Z"),
        )
        .await;
        let r = run(&t, &received, triage(NeedGroup::GettingHelp, &[community])).await;
        let allocation = r.allocations[0].id;
        let r = run(
            &t,
            &r,
            contact(
                allocation,
                ts("2026-02-20T10:00:00Z"),
                ContactStatus::Attended,
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;
        let counts = |c: &nwd_store::Caseload| c.entries[0].measures;
        let caseload = t.store.caseload(community, 10, 0).await.unwrap();
        assert_eq!(
            counts(&caseload),
            MeasureCounts {
                attended: 1,
                since_measure: 1,
                measured: false
            }
        );
        assert_eq!(
            caseload.entries[0].follow_up(&MeasurementSchedule::default()),
            FollowUp::Overdue(DueKind::Start)
        );
        // A measure moves the counts: the allocation is rewritten with the outcome.
        let r = run(
            &t,
            &r,
            Command::RecordOutcome(OutcomeAssessment {
                allocation_id: allocation,
                measure: "phq_9".into(),
                rater: OutcomeRater::YoungPerson,
                at: ts("2026-02-20T11:00:00Z"),
                scores: vec![ScaleEntry {
                    scale: "total".into(),
                    score_tenths: 150,
                }],
                answers: Vec::new(),
            }),
        )
        .await;
        let expected = r.measure_counts(allocation, t.store.tz());
        assert_eq!(
            expected,
            MeasureCounts {
                attended: 1,
                since_measure: 0,
                measured: true
            }
        );
        let caseload = t.store.caseload(community, 10, 0).await.unwrap();
        assert_eq!(counts(&caseload), expected);
        assert_eq!(
            caseload.entries[0].follow_up(&MeasurementSchedule::default()),
            FollowUp::UpToDate
        );
        // Rows from before the migration: NULL until the store fills them from the events.
        sqlx::query(
            "UPDATE allocations SET measure_attended = NULL, measure_since = NULL, measure_started = NULL",
        )
        .execute(&t.raw)
        .await
        .unwrap();
        let caseload = t.store.caseload(community, 10, 0).await.unwrap();
        assert_eq!(counts(&caseload), MeasureCounts::default());
        assert_eq!(t.store.fill_measure_counts().await.unwrap(), 1);
        let caseload = t.store.caseload(community, 10, 0).await.unwrap();
        assert_eq!(counts(&caseload), expected);
        assert_eq!(t.store.fill_measure_counts().await.unwrap(), 0, "done once");
    })
    .await;
}
