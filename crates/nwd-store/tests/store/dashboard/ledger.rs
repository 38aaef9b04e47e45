//! The no-wrong-door ledger's returns and passed-on requests (issue 20), kept and computed
//! afresh, on both databases. The journeys of the hand-computed fixture are in `fixture.rs`.
//!
//! | Request | Young person | Received   | What happened                                        | Journey                 | Return |
//! |---------|--------------|------------|------------------------------------------------------|-------------------------|--------|
//! | A       | Ada (NHS A)  | 2 January  | allocated to community; discharged unseen 20 January | ended without help      | no     |
//! | B       | Ada (NHS A)  | 1 March    | not triaged                                          | not yet triaged         | yes: A closed 40 days before |
//! | C       | Bea (NHS B)  | 1 February | allocated to community and specialist, both ended unseen | passed on without help | no  |

use jiff::civil::date;
use nwd_domain::codes::{
    ConsultationMechanism, ContactStatus, DischargeReason, Priority, ReferralSource, TeamType,
};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::{Command, DischargeCommand, Referral};
use nwd_store::dashboard::DashboardQuery;

use crate::backend::{for_each_backend, TestStore};
use crate::synthetic::{
    add_service, contact, organisation, person, receive_with, run, service, triage, NHS_A, NHS_B,
};

use super::ts;

/// Discharges every allocation of `r`, unseen, on `at`.
async fn discharge_all(t: &TestStore, mut r: Referral, at: &str) -> Referral {
    t.clock.set(at);
    for allocation in r.allocations.iter().map(|a| a.id).collect::<Vec<_>>() {
        r = run(
            t,
            &r,
            Command::Discharge(DischargeCommand {
                allocation_id: allocation,
                reason: DischargeReason::DidNotEngage,
                note: None,
                without_closing_measure: None,
            }),
        )
        .await;
    }
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn returns_within_six_months_and_requests_passed_on_are_counted() {
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
                &[NeedGroup::GettingHelp],
                (0, 25),
            ),
        )
        .await;

        t.clock.set("2025-01-02T10:00:00Z");
        let a = receive_with(
            &t,
            person("Ada", date(2010, 5, 5), Some(NHS_A)),
            ReferralSource::Gp,
            Priority::Routine,
            ts("2025-01-02T09:00:00Z"),
        )
        .await;
        let a = run(&t, &a, triage(NeedGroup::GettingHelp, &[community])).await;
        // Ada did not come to her appointment on 10 January.
        t.clock.set("2025-01-11T10:00:00Z");
        let dna = contact(
            a.allocations[0].id,
            ts("2025-01-10T10:00:00Z"),
            ContactStatus::DidNotAttend,
            ConsultationMechanism::FaceToFace,
        );
        let a = run(&t, &a, dna).await;
        let a = discharge_all(&t, a, "2025-01-20T10:00:00Z").await;
        assert!(a.closure.is_some(), "the last allocation ended: closed");

        t.clock.set("2025-02-01T10:00:00Z");
        let c = receive_with(
            &t,
            person("Bea", date(2011, 6, 6), Some(NHS_B)),
            ReferralSource::School,
            Priority::Routine,
            ts("2025-02-01T09:00:00Z"),
        )
        .await;
        let c = run(
            &t,
            &c,
            triage(NeedGroup::GettingHelp, &[community, specialist]),
        )
        .await;
        discharge_all(&t, c, "2025-02-20T10:00:00Z").await;

        t.clock.set("2025-03-01T10:00:00Z");
        let b = receive_with(
            &t,
            person("Ada", date(2010, 5, 5), Some(NHS_A)),
            ReferralSource::Gp,
            Priority::Routine,
            ts("2025-03-01T09:00:00Z"),
        )
        .await;
        assert_eq!(
            b.person_id, a.person_id,
            "the same young person by NHS number"
        );

        t.clock.set("2025-04-02T12:00:00Z");
        let query = DashboardQuery {
            from: date(2025, 1, 1),
            months: 3,
            service_id: None,
        };
        let kept = t.store.dashboard(&query).await.unwrap();
        let fresh = t.store.compute_dashboard(&query).await.unwrap();
        assert_eq!(kept.ledger, fresh.ledger, "kept and fresh agree");
        assert_eq!(kept.contacts_by_status, fresh.contacts_by_status);
        assert_eq!(kept.contacts_by_status["did_not_attend"], [1, 0, 0]);
        assert_eq!(kept.contacts_by_status.len(), 1, "no other contact");
        let l = &kept.ledger;
        // Journey::ALL order: reached help, waiting, passed on, ended unseen, signposted,
        // advice or other, not yet triaged.
        assert_eq!(l.all.received, 3);
        assert_eq!(l.all.journeys, [0, 0, 1, 1, 0, 0, 1]);
        assert_eq!(l.all.returned, 1, "B came back 40 days after A closed");
        assert_eq!(l.by_source["gp"].returned, 1);
        assert_eq!(l.by_source["gp"].journeys, [0, 0, 0, 1, 0, 0, 1]);
        assert_eq!(l.by_source["school"].journeys, [0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(l.by_service[&community].received, 2, "A and C");
        assert_eq!(l.by_service[&specialist].journeys, [0, 0, 1, 0, 0, 0, 0]);

        // January alone: A only, and no earlier request to return from.
        let january = t
            .store
            .dashboard(&DashboardQuery {
                from: date(2025, 1, 1),
                months: 1,
                service_id: None,
            })
            .await
            .unwrap();
        assert_eq!(january.ledger.all.received, 1);
        assert_eq!(january.ledger.all.returned, 0);

        // The quarterly report's ledger, per period, is the dashboard's for the same months:
        // January, then February and March together (B returned, C passed on).
        let periods = [
            (ts("2025-01-01T00:00:00Z"), ts("2025-02-01T00:00:00Z")),
            (ts("2025-02-01T00:00:00Z"), ts("2025-04-01T00:00:00Z")),
        ];
        let by_period = t.store.ledgers(&periods).await.unwrap();
        assert_eq!(by_period.len(), 2);
        assert_eq!(by_period[0], january.ledger);
        let february_march = t
            .store
            .dashboard(&DashboardQuery {
                from: date(2025, 2, 1),
                months: 2,
                service_id: None,
            })
            .await
            .unwrap();
        assert_eq!(by_period[1], february_march.ledger);
        assert_eq!(by_period[1].all.journeys, [0, 0, 1, 0, 0, 0, 1]);
        assert_eq!(by_period[1].all.returned, 1);
    })
    .await;
}
