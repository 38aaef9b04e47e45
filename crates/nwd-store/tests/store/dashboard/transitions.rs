//! The KPI "transition planned by 17½" and young people helped by age, on three young people
//! turning 18 in January–March 2025 while allocated: a plan made on the last day that counts,
//! a plan made a day late, and no plan.

use jiff::civil::date;
use nwd_domain::codes::{
    ConsultationMechanism, ContactStatus, Priority, ReferralSource, TeamType, TransitionOutcome,
};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::transition_plan::TransitionPlanCommand;
use nwd_domain::referral::Command;

use crate::backend::for_each_backend;
use crate::synthetic::{
    add_service, contact, organisation, person, receive_with, run, service, triage,
};

use super::ts;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_transition_counts_when_planned_by_seventeen_and_a_half() {
    for_each_backend(|t| async move {
        let org = organisation(&t.store).await;
        let team = add_service(
            &t.store,
            service(
                org,
                "Young people's team",
                TeamType::Community,
                &[NeedGroup::GettingHelp],
                (0, 25),
            ),
        )
        .await;
        // (name, born, day the plan is made): 18 on 10 February, 1 March and 20 March 2025.
        let people = [
            ("Gus", date(2007, 2, 10), Some("2024-08-10T10:00:00Z")),
            ("Hal", date(2007, 3, 1), Some("2024-09-02T10:00:00Z")),
            ("Ivy", date(2007, 3, 20), None),
        ];
        let mut first = None;
        for (name, born, planned) in people {
            t.clock.set("2024-06-02T10:00:00Z");
            let r = receive_with(
                &t,
                person(name, born, None),
                ReferralSource::Gp,
                Priority::Routine,
                ts("2024-06-01T09:00:00Z"),
            )
            .await;
            let r = run(&t, &r, triage(NeedGroup::GettingHelp, &[team])).await;
            let allocation = r.allocations[0].id;
            let r = match planned {
                Some(at) => {
                    t.clock.set(at);
                    run(
                        &t,
                        &r,
                        Command::PlanTransition(TransitionPlanCommand {
                            allocation_id: allocation,
                            planned_on: born.checked_add(jiff::Span::new().years(18)).unwrap(),
                            outcome: TransitionOutcome::AdultService,
                            receiving_service_id: None,
                            receiving_service: Some("Adult community mental health team".into()),
                            note: None,
                        }),
                    )
                    .await
                }
                None => r,
            };
            first.get_or_insert((r, allocation));
        }
        // Gus is seen on 1 February (17) and 20 February (18): helped in both age groups.
        let (gus, allocation) = first.unwrap();
        t.clock.set("2025-03-01T08:00:00Z");
        let gus = run(
            &t,
            &gus,
            contact(
                allocation,
                ts("2025-02-01T10:00:00Z"),
                ContactStatus::Attended,
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;
        run(
            &t,
            &gus,
            contact(
                allocation,
                ts("2025-02-20T10:00:00Z"),
                ContactStatus::Attended,
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;

        t.clock.set("2025-04-02T12:00:00Z");
        let local =
            |day: jiff::civil::Date| day.to_zoned(t.store.tz().clone()).unwrap().timestamp();
        let quarters = [
            (local(date(2024, 10, 1)), local(date(2025, 1, 1))),
            (local(date(2025, 1, 1)), local(date(2025, 4, 1))),
        ];
        let a = t.store.activity(&[team], &quarters).await.unwrap();
        assert_eq!(
            a[0].turned_18_in_service, 0,
            "nobody turned 18 before January"
        );
        assert_eq!(
            (
                a[1].turned_18_in_service,
                a[1].transition_planned_by_17_half
            ),
            (3, 1),
            "Gus planned on the day he was 17½; Hal a day after; Ivy not at all"
        );
        assert_eq!(
            (a[1].young_people_under_18, a[1].young_people_18_to_25),
            (1, 1)
        );
        assert_eq!(a[1].young_people, 1);
        assert_eq!(
            a,
            t.store
                .compute_activity(Some(&[team]), &quarters)
                .await
                .unwrap(),
            "kept and read afresh agree"
        );
    })
    .await;
}
