//! The monthly aggregates against the hand-computed fixture.

use jiff::civil::date;
use nwd_domain::codes::{ConsultationMechanism, ContactStatus, Priority, ReferralSource, TeamType};
use nwd_domain::need::{NeedGroup, RiskLevel, StepDirection};
use nwd_domain::referral::{Command, DestinationRequest, StepCommand, TriageCommand};
use nwd_store::dashboard::DashboardQuery;

use crate::backend::for_each_backend;
use crate::synthetic::{
    add_service, contact, organisation, person, receive_with, run, service, triage,
};

use super::ts;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn monthly_aggregates_match_the_hand_computed_fixture() {
    for_each_backend(|t| async move {
        let org = organisation(&t.store).await;
        // Community team type: the 28-day fallback standard.
        let community = add_service(
            &t.store,
            service(
                org,
                "Community CYP",
                TeamType::Community,
                &[NeedGroup::GettingHelp],
                (0, 18),
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
                (0, 18),
            ),
        )
        .await;

        // R1: GP, January; triaged 11 Jan; seen 20 Jan (within 28 days) and again 3 March.
        t.clock.set("2025-01-11T10:00:00Z");
        let r1 = receive_with(
            &t,
            person("Ada", date(2010, 5, 5), None),
            ReferralSource::Gp,
            Priority::Routine,
            ts("2025-01-10T09:00:00Z"),
        )
        .await;
        let r1 = run(&t, &r1, triage(NeedGroup::GettingHelp, &[community])).await;
        let a1 = r1.allocations[0].id;
        // Contacts are recorded afterwards (a contact cannot be recorded before it happens).
        t.clock.set("2025-04-01T08:00:00Z");
        let r1 = run(
            &t,
            &r1,
            contact(
                a1,
                ts("2025-01-20T10:00:00Z"),
                ContactStatus::Attended,
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;
        run(
            &t,
            &r1,
            contact(
                a1,
                ts("2025-03-03T10:00:00Z"),
                ContactStatus::Attended,
                ConsultationMechanism::Telephone,
            ),
        )
        .await;

        // R2: school, 31 Jan 23:30 UTC (still January in GMT); triaged 3 Feb; seen 10 March,
        // after its 28-day deadline (28 Feb 23:30).
        t.clock.set("2025-02-03T10:00:00Z");
        let r2 = receive_with(
            &t,
            person("Bea", date(2011, 6, 6), None),
            ReferralSource::School,
            Priority::Routine,
            ts("2025-01-31T23:30:00Z"),
        )
        .await;
        let r2 = run(&t, &r2, triage(NeedGroup::GettingHelp, &[community])).await;
        t.clock.set("2025-04-01T08:00:00Z");
        run(
            &t,
            &r2,
            contact(
                r2.allocations[0].id,
                ts("2025-03-10T10:00:00Z"),
                ContactStatus::Attended,
                ConsultationMechanism::Video,
            ),
        )
        .await;

        // R3: self-referral, February; triaged 15 Feb and signposted (no allocation).
        t.clock.set("2025-02-15T10:00:00Z");
        let r3 = receive_with(
            &t,
            person("Cal", date(2008, 7, 7), None),
            ReferralSource::SelfReferral,
            Priority::Routine,
            ts("2025-02-14T09:00:00Z"),
        )
        .await;
        run(
            &t,
            &r3,
            Command::Triage(TriageCommand {
                need_group: NeedGroup::GettingAdvice,
                risk: RiskLevel::Low,
                priority: None,
                risk_review_on: None,
                rationale: "Agreed with the young person: an online service suits them.".into(),
                preference: None,
                destinations: vec![DestinationRequest::Signpost {
                    name: "Online counselling".into(),
                    service_id: None,
                    warm_handover: false,
                    handover_note: None,
                }],
                competence: None,
            }),
        )
        .await;

        // R4: GP, 31 March 23:30 UTC = 1 April 00:30 BST: April, outside the period.
        t.clock.set("2025-04-01T09:00:00Z");
        receive_with(
            &t,
            person("Dev", date(2012, 8, 8), None),
            ReferralSource::Gp,
            Priority::Routine,
            ts("2025-03-31T23:30:00Z"),
        )
        .await;

        // R5: GP, March, not triaged.
        t.clock.set("2025-03-05T10:00:00Z");
        receive_with(
            &t,
            person("Eli", date(2013, 9, 9), None),
            ReferralSource::Gp,
            Priority::Routine,
            ts("2025-03-05T09:00:00Z"),
        )
        .await;

        // R6: GP, February; triaged 21 Feb to the community service (never seen there);
        // stepped up on 12 March to the specialist service, down again on 20 March.
        t.clock.set("2025-02-21T10:00:00Z");
        let r6 = receive_with(
            &t,
            person("Fin", date(2009, 10, 10), None),
            ReferralSource::Gp,
            Priority::Routine,
            ts("2025-02-20T09:00:00Z"),
        )
        .await;
        let r6 = run(&t, &r6, triage(NeedGroup::GettingHelp, &[community])).await;
        t.clock.set("2025-03-12T10:00:00Z");
        let r6 = run(
            &t,
            &r6,
            Command::Step(StepCommand {
                direction: StepDirection::Up,
                to: NeedGroup::GettingMoreHelp,
                reason: "Risk increased; needs specialist help.".into(),
                end_allocations: vec![r6.allocations[0].id],
                allocate: vec![specialist],
            }),
        )
        .await;
        t.clock.set("2025-03-20T10:00:00Z");
        let hub_allocation = r6.allocations[1].id;
        run(
            &t,
            &r6,
            Command::Step(StepCommand {
                direction: StepDirection::Down,
                to: NeedGroup::GettingHelp,
                reason: "Settled; back to community help.".into(),
                end_allocations: vec![hub_allocation],
                allocate: vec![community],
            }),
        )
        .await;

        t.clock.set("2025-04-02T12:00:00Z");
        let d = t
            .store
            .dashboard(&DashboardQuery {
                from: date(2025, 1, 15),
                months: 3,
                service_id: None,
            })
            .await
            .unwrap();
        assert_eq!(
            d.months,
            [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]
        );
        assert_eq!(d.referrals, [2, 2, 1], "R4 is April in local time");
        assert_eq!(d.referrals_by_source["gp"], [1, 1, 1]);
        assert_eq!(d.referrals_by_source["school"], [1, 0, 0]);
        assert_eq!(d.referrals_by_source["self_referral"], [0, 1, 0]);
        assert_eq!(d.referrals_by_source.len(), 3);
        assert_eq!(d.referrals_by_need_group["getting_help"], [2, 1, 0]);
        assert_eq!(d.referrals_by_need_group["getting_advice"], [0, 1, 0]);
        assert_eq!(d.referrals_by_need_group["not_triaged"], [0, 0, 1]);
        assert_eq!(d.referrals_by_need_group.len(), 3);
        assert_eq!(d.seen, [1, 0, 1]);
        assert_eq!(d.seen_with_standard, [1, 0, 1]);
        assert_eq!(d.seen_within_standard, [1, 0, 0], "R2 was seen late");
        // Days waited to the first contact: R1 10 (10 → 20 January), R2 38 (31 January →
        // 10 March); nearest rank of two: the median is the first, the 90th percentile the
        // second.
        let by_month: Vec<(u64, Option<f64>)> = d
            .waits
            .by_month
            .iter()
            .map(|w| (w.count, w.median))
            .collect();
        assert_eq!(by_month, [(1, Some(10.0)), (0, None), (1, Some(38.0))]);
        assert_eq!(d.waits.all.days.count, 2);
        assert_eq!(
            (d.waits.all.days.median, d.waits.all.days.p90),
            (Some(10.0), Some(38.0))
        );
        assert_eq!(d.waits.all.bands, [0, 1, 1, 0, 0, 0], "1–4 and 4–12 weeks");
        assert_eq!((d.waits.all.with_standard, d.waits.all.within), (2, 1));
        assert_eq!(d.waits.by_service.len(), 1);
        assert_eq!(d.waits.by_service[&community], d.waits.all);
        // Attendance: R1 on 20 January and 3 March, R2 on 10 March; nothing missed.
        assert_eq!(d.contacts_by_status["attended"], [1, 0, 2]);
        assert_eq!(d.contacts_by_status.len(), 1);
        // Hours to the triage decision: R1 25 (10 Jan 09:00 → 11 Jan 10:00); in February R3
        // and R6 25, R2 58.5 (31 Jan 23:30 → 3 Feb 10:00).
        let to_triage: Vec<(u64, Option<f64>, Option<f64>)> = d
            .waits
            .to_triage_by_month
            .iter()
            .map(|w| (w.count, w.median, w.p90))
            .collect();
        assert_eq!(
            to_triage,
            [
                (1, Some(25.0), Some(25.0)),
                (3, Some(25.0), Some(58.5)),
                (0, None, None)
            ]
        );
        // The ledger (Journey::ALL order: reached help, waiting, passed on, ended unseen,
        // signposted, advice or other, not yet triaged): R1 and R2 seen, R6 waiting at the
        // community service again after two allocations ended unseen, R3 signposted, R5 not
        // triaged; nobody came back.
        let journeys = |c: &nwd_domain::ledger::LedgerCounts| (c.received, c.journeys, c.returned);
        assert_eq!(journeys(&d.ledger.all), (5, [2, 1, 0, 0, 1, 0, 1], 0));
        assert_eq!(
            journeys(&d.ledger.by_source["gp"]),
            (3, [1, 1, 0, 0, 0, 0, 1], 0)
        );
        assert_eq!(
            journeys(&d.ledger.by_source["school"]),
            (1, [1, 0, 0, 0, 0, 0, 0], 0)
        );
        assert_eq!(
            journeys(&d.ledger.by_source["self_referral"]),
            (1, [0, 0, 0, 0, 1, 0, 0], 0)
        );
        assert_eq!(
            journeys(&d.ledger.by_need_group["getting_help"]),
            (3, [2, 1, 0, 0, 0, 0, 0], 0)
        );
        assert_eq!(
            journeys(&d.ledger.by_service[&community]),
            (3, [2, 1, 0, 0, 0, 0, 0], 0)
        );
        assert_eq!(
            journeys(&d.ledger.by_service[&specialist]),
            (1, [0, 1, 0, 0, 0, 0, 0], 0)
        );
        // End of Feb: R2 and R6's first allocation; end of March: R6's second community one.
        assert_eq!(d.waiting_at_end, [0, 2, 1]);
        assert_eq!(d.step_ups, [0, 0, 1]);
        assert_eq!(d.step_downs, [0, 0, 1]);
        assert_eq!(d.triaged, [1, 3, 0]);
        assert_eq!(d.triaged_allocated, [1, 2, 0]);
        assert_eq!(d.triaged_signposted, [0, 1, 0]);
        let mhs95: Vec<u64> = d.access.iter().map(|a| a.mhs95_one_contact).collect();
        let mhs69: Vec<u64> = d.access.iter().map(|a| a.mhs69_two_contacts).collect();
        assert_eq!(mhs95, [1, 1, 2]);
        assert_eq!(mhs69, [0, 0, 1], "R1's second contact on 3 March");
        assert_eq!(d.access[2].period_end, date(2025, 3, 31));

        // Only referrals that reached the specialist service: R6.
        let s = t
            .store
            .dashboard(&DashboardQuery {
                from: date(2025, 1, 1),
                months: 3,
                service_id: Some(specialist),
            })
            .await
            .unwrap();
        assert_eq!(s.referrals, [0, 1, 0]);
        assert_eq!(s.step_ups, [0, 0, 1]);
        assert_eq!(s.step_downs, [0, 0, 1]);
        assert_eq!(s.triaged, [0, 1, 0]);
        assert_eq!(
            s.waiting_at_end,
            [0, 0, 0],
            "the specialist allocation ended"
        );
        assert_eq!(s.seen, [0, 0, 0]);
        assert_eq!(s.waits.all.days.count, 0);
        assert!(
            s.waits.by_service.is_empty(),
            "seen at the community service only"
        );
        assert_eq!(s.ledger.all.received, 1, "R6 only");
        assert_eq!(
            s.ledger.all.journeys[1], 1,
            "judged on all its allocations: waiting"
        );
        assert_eq!(s.access.iter().map(|a| a.mhs95_one_contact).sum::<u64>(), 0);

        // What the services delivered (the payment and activity statements' counts, issue 20):
        // the quarter January–March 2025 in local time, and each month.
        let local =
            |day: jiff::civil::Date| day.to_zoned(t.store.tz().clone()).unwrap().timestamp();
        let quarter = [(local(date(2025, 1, 1)), local(date(2025, 4, 1)))];
        let months = [
            (local(date(2025, 1, 1)), local(date(2025, 2, 1))),
            (local(date(2025, 2, 1)), local(date(2025, 3, 1))),
            (local(date(2025, 3, 1)), local(date(2025, 4, 1))),
        ];
        let q = t.store.activity(&[community], &quarter).await.unwrap();
        // Allocated to community: R1, R2, R6 (21 Feb) and R6 again (20 March); first seen R1
        // (10 days, within 28) and R2 (38 days, late); attended R1 twice and R2 once, by Ada
        // and Bea; R6's first community allocation ended by the step up.
        let c = &q[0];
        assert_eq!(
            (
                c.referrals,
                c.first_seen,
                c.seen_with_standard,
                c.seen_within_standard
            ),
            (4, 2, 2, 1)
        );
        assert_eq!((c.attended, c.did_not_attend, c.expected), (3, 0, 3));
        assert_eq!((c.episodes_ended, c.young_people), (1, 2));
        let mut waits = c.wait_days.clone();
        waits.sort_unstable();
        assert_eq!(waits, [10, 38]);
        // The KPI library's further counts, for the referrals with a community allocation
        // (R1, R2, R6): received and triaged in the quarter; minutes to triage R1 25 h, R2
        // 58.5 h, R6 25 h; R6 stepped up and down; R1's second contact on 3 March, 52 days
        // after 10 January; Ada and Bea are under 18; nobody recorded ethnicity or gender;
        // all routine, so no crisis response; nobody turned 18.
        let mut triage_minutes = c.triage_minutes.clone();
        triage_minutes.sort_unstable();
        assert_eq!(
            (c.received, c.triaged, c.signposted, c.protected_recorded),
            (3, 3, 0, 0)
        );
        assert_eq!(triage_minutes, [1500, 1500, 3510]);
        assert_eq!((c.step_ups, c.step_downs), (1, 1));
        assert_eq!(c.second_wait_days, [52]);
        assert_eq!((c.young_people_under_18, c.young_people_18_to_25), (2, 0));
        assert_eq!(c.crisis_with_standard, [0, 0, 0]);
        assert_eq!(c.turned_18_in_service, 0);
        // The whole system: every referral received (R4 is April), R3 signposted too.
        let system = &t.store.system_activity(&quarter).await.unwrap()[0];
        let mut triage_minutes = system.triage_minutes.clone();
        triage_minutes.sort_unstable();
        assert_eq!(
            (system.received, system.triaged, system.signposted),
            (5, 4, 1)
        );
        assert_eq!(triage_minutes, [1500, 1500, 1500, 3510]);
        assert_eq!(
            (system.referrals, system.attended, system.young_people),
            (5, 3, 2)
        );
        let both = t
            .store
            .activity(&[community, specialist], &quarter)
            .await
            .unwrap();
        assert_eq!(
            (
                both[0].referrals,
                both[0].episodes_ended,
                both[0].young_people
            ),
            (5, 2, 2)
        );
        let by_month = t.store.activity(&[community], &months).await.unwrap();
        let shape: Vec<(u64, u64, u64)> = by_month
            .iter()
            .map(|a| (a.referrals, a.attended, a.young_people))
            .collect();
        assert_eq!(shape, [(1, 1, 1), (2, 0, 0), (1, 2, 2)]);
        assert_eq!(
            by_month,
            t.store
                .compute_activity(Some(&[community]), &months)
                .await
                .unwrap(),
            "kept and read afresh agree"
        );

        // Out of range months are refused.
        assert!(t
            .store
            .dashboard(&DashboardQuery {
                from: date(2025, 1, 1),
                months: 0,
                service_id: None,
            })
            .await
            .is_err());
    })
    .await;
}
