//! Waiting lists with a pinned clock: order, days waited, breaches.

use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use nwd_domain::codes::{ConsultationMechanism, ContactStatus, Priority, ReferralSource, TeamType};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::Referral;

use crate::backend::for_each_backend;
use crate::synthetic::{
    add_service, contact, organisation, person, receive_with, run, service, triage,
};

use super::{waiting, waiting_referrals, DAY, HOUR};

fn ts(value: &str) -> Timestamp {
    value.parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_waiting_list_orders_by_priority_then_clock_start_with_days_waited_and_breaches() {
    for_each_backend(|t| async move {
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
        let now = t.clock.now();
        let born = date(2012, 5, 1);
        let mut referrals = Vec::new();
        for (name, priority, received) in [
            ("A", Priority::Routine, now),
            ("B", Priority::Urgent, now.checked_sub(2 * DAY).unwrap()),
            ("C", Priority::Routine, now.checked_sub(10 * DAY).unwrap()),
            ("D", Priority::VeryUrgent, now),
        ] {
            let r = receive_with(
                &t,
                person(name, born, None),
                ReferralSource::Gp,
                priority,
                received,
            )
            .await;
            let r = run(&t, &r, triage(NeedGroup::GettingHelp, &[community])).await;
            referrals.push(r);
        }
        let [a, b, c, d]: [Referral; 4] = referrals.try_into().unwrap();

        // 20 days after A was received (23 March 2025, still GMT).
        t.clock.set("2025-03-23T09:00:00Z");
        let list = waiting(&t, community).await;
        assert_eq!(waiting_referrals(&list), [d.id, b.id, c.id, a.id]);
        assert_eq!(list.total, 4);
        let days: Vec<i32> = list.entries.iter().map(|e| e.days_waited).collect();
        assert_eq!(days, [20, 22, 30, 20]);
        assert_eq!(list.entries[3].hours_waited, 20 * 24);
        // 28 calendar days in London: C breached on 21 March; A's deadline falls after the
        // clocks go forward, at 09:00 BST (08:00 UTC) on 31 March.
        let breaches: Vec<(bool, Option<Timestamp>)> = list
            .entries
            .iter()
            .map(|e| (e.breached, e.breach_at))
            .collect();
        assert_eq!(
            breaches,
            [
                (false, Some(ts("2025-03-31T08:00:00Z"))),
                (false, Some(ts("2025-03-29T09:00:00Z"))),
                (true, Some(ts("2025-03-21T09:00:00Z"))),
                (false, Some(ts("2025-03-31T08:00:00Z"))),
            ]
        );
        assert_eq!(list.breached, 1);
        assert_eq!(list.measured_at, t.clock.now());

        // A page still counts every breach on the list.
        let page = t.store.waiting_list(community, 2, 1).await.unwrap();
        assert_eq!(waiting_referrals(&page), [b.id, c.id]);
        assert_eq!((page.total, page.breached), (4, 1));

        t.clock.set("2025-03-31T07:59:59Z");
        assert_eq!(waiting(&t, community).await.breached, 2);
        t.clock.set("2025-03-31T08:00:00Z");
        assert_eq!(waiting(&t, community).await.breached, 4);

        // Seen: off the list; the rest keep their order.
        let c = t.store.referral(c.id).await.unwrap();
        run(
            &t,
            &c,
            contact(
                c.allocations[0].id,
                t.clock.now(),
                ContactStatus::Attended,
                ConsultationMechanism::Telephone,
            ),
        )
        .await;
        // Did not attend: still waiting.
        let a = t.store.referral(a.id).await.unwrap();
        run(
            &t,
            &a,
            contact(
                a.allocations[0].id,
                t.clock.now(),
                ContactStatus::DidNotAttend,
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;
        let list = waiting(&t, community).await;
        assert_eq!(waiting_referrals(&list), [d.id, b.id, a.id]);
        assert_eq!((list.total, list.breached), (3, 3));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_crisis_wait_breaches_its_four_hour_standard_after_four_hours() {
    for_each_backend(|t| async move {
        let org = organisation(&t.store).await;
        let crisis = add_service(
            &t.store,
            service(
                org,
                "Crisis team",
                TeamType::CrisisResolution,
                &[NeedGroup::GettingRiskSupport],
                (0, 17),
            ),
        )
        .await;
        let now = t.clock.now();
        let born = date(2010, 1, 20);
        let mut ids = Vec::new();
        for (name, source, priority) in [
            ("Routine", ReferralSource::Gp, Priority::Routine),
            ("Emergency", ReferralSource::Gp, Priority::Emergency),
            ("ED", ReferralSource::EmergencyDepartment, Priority::Urgent),
        ] {
            let r = receive_with(&t, person(name, born, None), source, priority, now).await;
            run(&t, &r, triage(NeedGroup::GettingRiskSupport, &[crisis])).await;
            ids.push(r.id);
        }
        let (routine, emergency, ed) = (ids[0], ids[1], ids[2]);

        t.clock.advance(3 * HOUR + SignedDuration::from_mins(59));
        let list = waiting(&t, crisis).await;
        assert_eq!(waiting_referrals(&list), [emergency, ed, routine]);
        let standards: Vec<Option<&str>> =
            list.entries.iter().map(|e| e.standard.as_deref()).collect();
        assert_eq!(
            standards,
            [
                Some("Crisis: very urgent, 4 hours"),
                Some("Crisis: emergency department referral, 1 hour"),
                Some("Crisis: urgent, 24 hours"),
            ]
        );
        assert_eq!(
            list.entries[0].breach_at,
            Some(now.checked_add(4 * HOUR).unwrap())
        );
        assert_eq!(list.entries[0].hours_waited, 3);
        let breached: Vec<bool> = list.entries.iter().map(|e| e.breached).collect();
        assert_eq!(breached, [false, true, false]);
        // The count is the entries' own verdicts: the emergency-department standard applies
        // by source, the others by priority.
        assert_eq!((list.total, list.breached), (3, 1));

        t.clock.advance(SignedDuration::from_mins(61));
        let list = waiting(&t, crisis).await;
        assert_eq!(list.entries[0].hours_waited, 5);
        let breached: Vec<bool> = list.entries.iter().map(|e| e.breached).collect();
        assert_eq!(breached, [true, true, false]);
        assert_eq!(list.breached, 2);
    })
    .await;
}
