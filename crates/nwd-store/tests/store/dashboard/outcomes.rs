//! The dashboard's outcome figures (issue 19) against a hand-computed fixture, kept and
//! computed afresh, on both databases. Seven referrals over January–April 2025:
//!
//! | Ref | Service    | Attended | Measures (yp_core total; GBO goal 1) | Closed   | Counted | Paired | Result                    |
//! |-----|------------|----------|---------------------------------------|----------|---------|--------|---------------------------|
//! | R1  | community  | 2        | 25 → 15 (−10 ≥ 8: improved)          | February | yes     | yes    | meaningful improvement    |
//! | R2  | community  | 2        | 20 → 30 (deteriorated); GBO 2 → 6     | February | yes     | yes    | improved and deteriorated |
//! | R3  | community  | 2        | 22 only (no second score)             | March    | yes     | no     | —                         |
//! | R4  | community  | 1        | 25 → 10                               | March    | no (one contact) | — | —                   |
//! | R5  | community  | 2        | 25 → 10                               | April    | no (after the period) | — | —              |
//! | R6  | specialist | 2        | 20 → 22 (no change)                   | March    | yes     | yes    | no change                 |
//! | R7  | community  | 2        | 25 → 10                               | open     | no      | —      | —                         |
//!
//! All (January–March): closed 4, paired 3, reliable improvement 2 (R1, R2), reliable
//! deterioration 1 (R2), meaningful improvement 1 (R1). Community: 3, 2, 2, 1, 1. Specialist:
//! 1, 1, 0, 0, 0. Need groups: getting help = community's, getting more help = specialist's.
//! Ages at referral: Bea (R2) is 18, the rest 14 — under 18: 3, 2, 1, 0, 1; 18 to 25: 1, 1,
//! 1, 1, 0.

use jiff::civil::date;
use nwd_domain::about::UptakeGroup;
use nwd_domain::codes::{
    ConsultationMechanism, ContactStatus, DischargeReason, Priority, ReferralSource, TeamType,
};
use nwd_domain::need::NeedGroup;
use nwd_domain::outcome_figures::{OutcomeCounts, RaterCounts};
use nwd_domain::referral::outcome::{OutcomeAssessment, OutcomeRater, ScaleEntry};
use nwd_domain::referral::{Command, DischargeCommand, Referral};
use nwd_domain::ServiceId;
use nwd_store::dashboard::DashboardQuery;

use crate::backend::{for_each_backend, TestStore};
use crate::synthetic::{
    add_service, contact, organisation, person, receive_with, run, service, triage,
};

use super::ts;

fn counts(
    closed: u64,
    paired: u64,
    improved: u64,
    deteriorated: u64,
    meaningful: u64,
) -> OutcomeCounts {
    // Every measure of the fixture is self-rated.
    OutcomeCounts {
        closed,
        paired,
        raters: [
            RaterCounts {
                paired,
                reliable_improvement: improved,
                reliable_deterioration: deteriorated,
                meaningful_improvement: meaningful,
            },
            RaterCounts::default(),
            RaterCounts::default(),
        ],
    }
}

fn measure(referral: &Referral, measure: &str, scale: &str, at: &str, score: i32) -> Command {
    Command::RecordOutcome(OutcomeAssessment {
        allocation_id: referral.allocations[0].id,
        measure: measure.into(),
        rater: OutcomeRater::YoungPerson,
        at: ts(at),
        scores: vec![ScaleEntry {
            scale: scale.into(),
            score_tenths: score * 10,
        }],
        answers: Vec::new(),
    })
}

/// Every young person was born on 5 May 2010 (14 when referred) but Bea, born on 2 January
/// 2007: 18 on the day she was referred (2 January 2025), the first age MHS112 leaves out.
fn born(name: &str) -> jiff::civil::Date {
    if name == "Bea" {
        date(2007, 1, 2)
    } else {
        date(2010, 5, 5)
    }
}

/// One referral: received in January, triaged to `service`, attended contacts on `contacts`
/// (recorded on 2025-01-31), the measures given, and — when `close` is given — discharged
/// then.
async fn play(
    t: &TestStore,
    name: &str,
    service: ServiceId,
    need: NeedGroup,
    contacts: &[&str],
    measures: &[(&str, &str, &str, i32)],
    close: Option<&str>,
) -> Referral {
    t.clock.set("2025-01-03T10:00:00Z");
    let r = receive_with(
        t,
        person(name, born(name), None),
        ReferralSource::Gp,
        Priority::Routine,
        ts("2025-01-02T09:00:00Z"),
    )
    .await;
    let mut r = run(t, &r, triage(need, &[service])).await;
    t.clock.set("2025-01-31T12:00:00Z");
    for at in contacts {
        let c = contact(
            r.allocations[0].id,
            ts(at),
            ContactStatus::Attended,
            ConsultationMechanism::FaceToFace,
        );
        r = run(t, &r, c).await;
    }
    for (m, scale, at, score) in measures {
        let command = measure(&r, m, scale, at, *score);
        r = run(t, &r, command).await;
    }
    if let Some(at) = close {
        t.clock.set(at);
        let discharge = Command::Discharge(DischargeCommand {
            allocation_id: r.allocations[0].id,
            reason: DischargeReason::TreatmentCompleted,
            note: None,
            without_closing_measure: unless_closed(&r, t),
        });
        r = run(t, &r, discharge).await;
    }
    r
}

/// The reason a discharge gives when the allocation has no closing measure (the rule:
/// `nwd_domain::referral::measurement`).
fn unless_closed(
    r: &nwd_domain::referral::Referral,
    t: &crate::backend::TestStore,
) -> Option<nwd_domain::referral::measurement::MissingMeasure> {
    (r.has_closing_measure(r.allocations[0].id, t.store.tz()) == Some(false)).then_some(
        nwd_domain::referral::measurement::MissingMeasure {
            reason: nwd_domain::referral::measurement::MissingMeasureReason::LostContact,
            note: None,
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn outcome_figures_match_the_hand_computed_fixture() {
    for_each_backend(|t| async move {
        let org = organisation(&t.store).await;
        let community = add_service(
            &t.store,
            service(
                org,
                "Community CYP",
                TeamType::Community,
                &[NeedGroup::GettingHelp],
                (0, 25),
            ),
        )
        .await;
        let specialist = add_service(
            &t.store,
            service(
                org,
                "Specialist CAMHS",
                TeamType::Community,
                &[NeedGroup::GettingMoreHelp],
                (0, 25),
            ),
        )
        .await;
        let two = ["2025-01-10T10:00:00Z", "2025-01-20T10:00:00Z"];
        let yp = |at: &'static str, score: i32| ("yp_core", "total", at, score);
        let improved = [
            yp("2025-01-10T10:00:00Z", 25),
            yp("2025-01-25T10:00:00Z", 15),
        ];
        let help = NeedGroup::GettingHelp;

        play(
            &t,
            "Ada",
            community,
            help,
            &two,
            &improved,
            Some("2025-02-05T10:00:00Z"),
        )
        .await;
        play(
            &t,
            "Bea",
            community,
            help,
            &two,
            &[
                yp("2025-01-10T10:00:00Z", 20),
                yp("2025-01-25T10:00:00Z", 30),
                ("gbo", "goal1", "2025-01-10T10:00:00Z", 2),
                ("gbo", "goal1", "2025-01-25T10:00:00Z", 6),
            ],
            Some("2025-02-06T10:00:00Z"),
        )
        .await;
        play(
            &t,
            "Cal",
            community,
            help,
            &two,
            &[yp("2025-01-10T10:00:00Z", 22)],
            Some("2025-03-05T10:00:00Z"),
        )
        .await;
        play(
            &t,
            "Dev",
            community,
            help,
            &two[..1],
            &improved,
            Some("2025-03-06T10:00:00Z"),
        )
        .await;
        play(
            &t,
            "Eli",
            community,
            help,
            &two,
            &improved,
            Some("2025-04-02T10:00:00Z"),
        )
        .await;
        let r6 = play(
            &t,
            "Fin",
            specialist,
            NeedGroup::GettingMoreHelp,
            &two,
            &[
                yp("2025-01-10T10:00:00Z", 20),
                yp("2025-01-25T10:00:00Z", 22),
            ],
            None,
        )
        .await;
        play(&t, "Gus", community, help, &two, &improved, None).await;

        let query = DashboardQuery {
            from: date(2025, 1, 1),
            months: 3,
            service_id: None,
        };
        t.clock.set("2025-04-03T12:00:00Z");
        // Before R6 closes: the kept figures hold R1–R3 only.
        let before = t.store.dashboard(&query).await.unwrap();
        assert_eq!(before.outcomes.all, counts(3, 2, 2, 1, 1));

        t.clock.set("2025-03-20T10:00:00Z");
        run(
            &t,
            &r6,
            Command::Discharge(DischargeCommand {
                allocation_id: r6.allocations[0].id,
                reason: DischargeReason::TreatmentCompleted,
                note: None,
                without_closing_measure: unless_closed(&r6, &t),
            }),
        )
        .await;
        t.clock.set("2025-04-03T12:00:00Z");

        let kept = t.store.dashboard(&query).await.unwrap();
        let fresh = t.store.compute_dashboard(&query).await.unwrap();
        assert_eq!(kept.outcomes, fresh.outcomes, "kept and fresh agree");
        let o = &kept.outcomes;
        assert_eq!(o.all, counts(4, 3, 2, 1, 1));
        assert_eq!(o.by_service[&community], counts(3, 2, 2, 1, 1));
        assert_eq!(o.by_service[&specialist], counts(1, 1, 0, 0, 0));
        assert_eq!(o.by_service.len(), 2);
        assert_eq!(o.by_need_group["getting_help"], counts(3, 2, 2, 1, 1));
        assert_eq!(o.by_need_group["getting_more_help"], counts(1, 1, 0, 0, 0));
        assert_eq!(o.by_need_group.len(), 2);
        // By age at referral: Bea (R2, 18) is in the 18–25 row, the rest under 18.
        assert_eq!(o.by_age[0], counts(3, 2, 1, 0, 1), "under 18");
        assert_eq!(o.by_age[1], counts(1, 1, 1, 1, 0), "18 to 25");
        assert_eq!(o.by_age[2], OutcomeCounts::default(), "not known");
        // No "about" record: every young person is in the "not recorded" rows only.
        assert_eq!(o.by_group[UptakeGroup::NoGroupRecorded.index()], o.all);
        assert_eq!(
            o.by_group[UptakeGroup::LookedAfter.index()],
            OutcomeCounts::default()
        );

        // April: only R5.
        let april = t
            .store
            .dashboard(&DashboardQuery {
                from: date(2025, 4, 1),
                months: 1,
                service_id: None,
            })
            .await
            .unwrap();
        assert_eq!(april.outcomes.all, counts(1, 1, 1, 0, 1));

        // Only the specialist service: R6.
        let s = t
            .store
            .dashboard(&DashboardQuery {
                service_id: Some(specialist),
                ..query
            })
            .await
            .unwrap();
        assert_eq!(s.outcomes.all, counts(1, 1, 0, 0, 0));
        assert_eq!(s.outcomes.by_service.len(), 1);
    })
    .await;
}
