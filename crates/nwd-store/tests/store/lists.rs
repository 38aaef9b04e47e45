//! The transition list and the CYP access measures, read from stored allocations and
//! contacts with a pinned clock.

use jiff::civil::{date, Date};
use jiff::{SignedDuration, Timestamp};
use nwd_domain::codes::{ConsultationMechanism, ContactStatus, DischargeReason, TeamType};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::{Command, ContactInput, ContactKind, DischargeCommand, Referral};
use nwd_domain::ServiceId;

use crate::backend::{for_each_backend, TestStore};
use crate::synthetic::{
    add_service, contact, organisation, person, receive_with, run, service, triage,
};

fn ts(value: &str) -> Timestamp {
    value.parse().unwrap()
}

/// A referral for someone born on `born`, received at `received`, triaged to `service_id`.
async fn allocated(
    t: &TestStore,
    name: &str,
    born: Date,
    received: Timestamp,
    service_id: ServiceId,
) -> Referral {
    let r = receive_with(
        t,
        person(name, born, None),
        nwd_domain::codes::ReferralSource::Gp,
        nwd_domain::codes::Priority::Routine,
        received,
    )
    .await;
    run(t, &r, triage(NeedGroup::GettingHelp, &[service_id])).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_transition_list_shows_open_allocations_within_notice_of_the_upper_age() {
    for_each_backend(|t| async move {
        t.clock.set("2026-03-02T12:00:00Z");
        let now = t.clock.now();
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
        let hub = add_service(
            &t.store,
            service(
                org,
                "Young people's hub",
                TeamType::WellbeingHub,
                &[NeedGroup::GettingHelp],
                (0, 25),
            ),
        )
        .await;

        // 17, five months before turning 18: on the list (notice is six months).
        let due = allocated(&t, "Five months", date(2008, 8, 2), now, community).await;
        // 16: not yet.
        allocated(&t, "Sixteen", date(2009, 9, 15), now, community).await;
        // 17, but in a service that runs to 25: not on the list.
        allocated(&t, "In a 0-25 service", date(2008, 7, 10), now, hub).await;
        // 17 and due, but discharged: not on the list.
        let discharged = allocated(&t, "Discharged", date(2008, 6, 1), now, community).await;
        run(
            &t,
            &discharged,
            Command::Discharge(DischargeCommand {
                allocation_id: discharged.allocations[0].id,
                reason: DischargeReason::TreatmentCompleted,
                note: None,
                without_closing_measure: None,
            }),
        )
        .await;
        // Six months and one day before their 18th birthday: joins the list tomorrow.
        let tomorrow = allocated(&t, "Tomorrow", date(2008, 9, 3), now, community).await;

        let list = t.store.transition_list().await.unwrap();
        assert_eq!(list.len(), 1, "{list:?}");
        let entry = &list[0];
        assert_eq!(entry.referral_id, due.id);
        assert_eq!(entry.person_id, due.person_id);
        assert_eq!(entry.allocation_id, due.allocations[0].id);
        assert_eq!(entry.service_id, community);
        assert_eq!(entry.service_name, "Community CYP");
        assert_eq!(entry.need_group.as_deref(), Some("getting_help"));
        assert_eq!(entry.due.leaves_service_on, date(2026, 8, 2));
        assert_eq!(entry.due.review_from, date(2026, 2, 2));

        t.clock.advance(SignedDuration::from_hours(24));
        let list = t.store.transition_list().await.unwrap();
        let referrals: Vec<_> = list.iter().map(|e| e.referral_id).collect();
        assert_eq!(referrals, [due.id, tomorrow.id], "soonest first");
        assert_eq!(list[1].due.review_from, date(2026, 3, 3));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn access_measures_count_people_from_recorded_contacts() {
    for_each_backend(|t| async move {
        t.clock.set("2025-06-30T12:00:00Z");
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
        let hub = add_service(
            &t.store,
            service(
                org,
                "Young people's hub",
                TeamType::WellbeingHub,
                &[NeedGroup::GettingHelp],
                (0, 25),
            ),
        )
        .await;
        let received = ts("2025-04-01T09:00:00Z");
        let attended = |r: &Referral, at: &str, mechanism| {
            contact(
                r.allocations[0].id,
                ts(at),
                ContactStatus::Attended,
                mechanism,
            )
        };

        // Two counted contacts, aged 13: both measures.
        let two = allocated(&t, "Two contacts", date(2012, 1, 10), received, community).await;
        let two = run(
            &t,
            &two,
            attended(
                &two,
                "2025-05-01T10:00:00Z",
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;
        run(
            &t,
            &two,
            attended(&two, "2025-06-01T10:00:00Z", ConsultationMechanism::Video),
        )
        .await;

        // One counted contact (telephone); a missed one and an email do not count.
        let one = allocated(&t, "One contact", date(2010, 3, 3), received, community).await;
        let one = run(
            &t,
            &one,
            attended(
                &one,
                "2025-06-10T10:00:00Z",
                ConsultationMechanism::Telephone,
            ),
        )
        .await;
        let one = run(
            &t,
            &one,
            contact(
                one.allocations[0].id,
                ts("2025-06-12T10:00:00Z"),
                ContactStatus::DidNotAttend,
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;
        run(
            &t,
            &one,
            attended(&one, "2025-06-15T10:00:00Z", ConsultationMechanism::Email),
        )
        .await;

        // Indirect activity (with the school) counts.
        let indirect = allocated(&t, "Indirect", date(2013, 2, 2), received, community).await;
        run(
            &t,
            &indirect,
            Command::RecordContact(ContactInput {
                allocation_id: indirect.allocations[0].id,
                at: ts("2025-06-20T10:00:00Z"),
                status: ContactStatus::Attended,
                mechanism: ConsultationMechanism::Telephone,
                clinician: "Synthetic Clinician".into(),
                duration_minutes: 30,
                kind: ContactKind::Indirect {
                    with: "School SENCo".into(),
                },
            }),
        )
        .await;

        // Aged 20 at both contacts: neither measure (they are for under-18s).
        let adult = allocated(&t, "Young adult", date(2005, 1, 1), received, hub).await;
        let adult = run(
            &t,
            &adult,
            attended(
                &adult,
                "2025-05-05T10:00:00Z",
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;
        run(
            &t,
            &adult,
            attended(
                &adult,
                "2025-06-05T10:00:00Z",
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;

        // Seen only before the period (which starts on 1 July 2024).
        let earlier = allocated(
            &t,
            "Earlier",
            date(2011, 4, 4),
            ts("2024-05-01T09:00:00Z"),
            community,
        )
        .await;
        run(
            &t,
            &earlier,
            attended(
                &earlier,
                "2024-06-03T10:00:00Z",
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;

        // Booked but not yet held: does not count until its outcome is recorded.
        let booked = allocated(&t, "Booked", date(2011, 8, 8), received, community).await;
        let booked = run(
            &t,
            &booked,
            contact(
                booked.allocations[0].id,
                ts("2025-06-25T10:00:00Z"),
                ContactStatus::Scheduled,
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;

        let measures = t.store.access_measures(date(2025, 6, 30)).await.unwrap();
        assert_eq!(measures.period_start, date(2024, 7, 1));
        assert_eq!(measures.period_end, date(2025, 6, 30));
        assert_eq!(
            (measures.mhs95_one_contact, measures.mhs69_two_contacts),
            (3, 1)
        );

        run(
            &t,
            &booked,
            Command::RecordContactOutcome {
                contact_id: booked.contacts[0].id,
                status: ContactStatus::AttendedLate,
            },
        )
        .await;
        let measures = t.store.access_measures(date(2025, 6, 30)).await.unwrap();
        assert_eq!(
            (measures.mhs95_one_contact, measures.mhs69_two_contacts),
            (4, 1)
        );

        // The period ending before the May contacts sees only the earlier one.
        let last_year = t.store.access_measures(date(2024, 6, 30)).await.unwrap();
        assert_eq!(
            (last_year.mhs95_one_contact, last_year.mhs69_two_contacts),
            (1, 0)
        );
        // Ending on 1 May: the first of the two contacts is in, the second not yet.
        let first_of_may = t.store.access_measures(date(2025, 5, 1)).await.unwrap();
        assert_eq!(
            (
                first_of_may.mhs95_one_contact,
                first_of_may.mhs69_two_contacts
            ),
            (2, 0)
        );
    })
    .await;
}

/// The crisis list and a caseload in pages: every page in order, the totals of the whole
/// lists, and nothing outside them (routine referrals, closed allocations).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crisis_list_and_caseload_pages_keep_their_order_and_totals() {
    use nwd_domain::codes::{Priority, ReferralSource};
    for_each_backend(|t| async move {
        t.clock.set("2025-06-30T12:00:00Z");
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
        // Five crisis referrals received a day apart, in shuffled order, and one routine.
        let mut crisis = Vec::new();
        for (i, day) in [3, 1, 5, 2, 4].into_iter().enumerate() {
            let priority = if i % 2 == 0 {
                Priority::Emergency
            } else {
                Priority::VeryUrgent
            };
            let r = receive_with(
                &t,
                person(
                    ["Ann", "Ben", "Cat", "Dan", "Eve"][i],
                    date(2010, 1, day as i8),
                    None,
                ),
                ReferralSource::Gp,
                priority,
                ts(&format!("2025-06-0{day}T09:00:00Z")),
            )
            .await;
            crisis.push((day, r));
        }
        // Allocations are made at triage, an hour apart, in this order.
        let routine = allocated(
            &t,
            "Routine",
            date(2011, 2, 2),
            ts("2025-06-01T08:00:00Z"),
            community,
        )
        .await;
        crisis.sort_by_key(|(day, _)| *day);
        let expected: Vec<_> = crisis.iter().map(|(_, r)| r.id).collect();
        let everyone = nwd_store::auth::Visibility {
            single_point_of_access: true,
            cutoff_ms: 0,
            now_ms: t.clock.now().as_millisecond(),
            ..Default::default()
        };
        let mut seen = Vec::new();
        for page in 0..3 {
            let list = t
                .store
                .crisis_list(&everyone, &Default::default(), 2, page * 2)
                .await
                .unwrap();
            assert_eq!(list.total, 5);
            seen.extend(list.items.iter().map(|r| r.summary.id));
        }
        assert_eq!(seen, expected, "soonest triage due first, across pages");
        assert!(!seen.contains(&routine.id));
        // A caller who may open none of them sees an empty list and a total of 0.
        let nobody = nwd_store::auth::Visibility::default();
        let list = t
            .store
            .crisis_list(&nobody, &Default::default(), 2, 0)
            .await
            .unwrap();
        assert_eq!((list.total, list.items.len()), (0, 0));

        // The caseload: three open allocations and one discharged, two to a page.
        let mut open = vec![routine.allocations[0].id];
        for (name, received) in [
            ("Bea", "2025-06-02T08:00:00Z"),
            ("Col", "2025-06-03T08:00:00Z"),
        ] {
            t.clock.advance(SignedDuration::from_hours(1));
            let r = allocated(&t, name, date(2011, 3, 3), ts(received), community).await;
            open.push(r.allocations[0].id);
        }
        t.clock.advance(SignedDuration::from_hours(1));
        let gone = allocated(
            &t,
            "Dee",
            date(2011, 4, 4),
            ts("2025-06-04T08:00:00Z"),
            community,
        )
        .await;
        run(
            &t,
            &gone,
            Command::Discharge(DischargeCommand {
                allocation_id: gone.allocations[0].id,
                reason: DischargeReason::TreatmentCompleted,
                note: None,
                without_closing_measure: None,
            }),
        )
        .await;
        let first = t.store.caseload(community, 2, 0).await.unwrap();
        let second = t.store.caseload(community, 2, 2).await.unwrap();
        assert_eq!((first.total, second.total), (3, 3));
        let ids: Vec<_> = first
            .entries
            .iter()
            .chain(&second.entries)
            .map(|e| e.allocation_id)
            .collect();
        assert_eq!(
            ids, open,
            "by allocation date across pages; the discharged one is gone"
        );
    })
    .await;
}

/// The crisis list is read in order from each referral's projected position: a service's new
/// standard moves the breach time of the referrals waiting there, and a position lost (as for
/// referrals stored before the projection existed) is filled in again from the events.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn crisis_positions_follow_service_standards_and_are_filled_in_from_events() {
    use nwd_domain::codes::{Priority, ReferralSource};
    use nwd_domain::standards::{WaitStandard, WaitTarget};
    for_each_backend(|t| async move {
        t.clock.set("2025-06-30T12:00:00Z");
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
        let received = ts("2025-06-30T09:00:00Z");
        let r = receive_with(
            &t,
            person("Vic", date(2010, 3, 3), None),
            ReferralSource::Gp,
            Priority::VeryUrgent,
            received,
        )
        .await;
        let r = run(&t, &r, triage(NeedGroup::GettingHelp, &[community])).await;
        let everyone = nwd_store::auth::Visibility {
            single_point_of_access: true,
            cutoff_ms: 0,
            now_ms: t.clock.now().as_millisecond(),
            ..Default::default()
        };
        let breach = |t: &TestStore| {
            let store = t.store.clone();
            let everyone = everyone.clone();
            async move {
                let list = store
                    .crisis_list(&everyone, &Default::default(), 10, 0)
                    .await
                    .unwrap();
                assert_eq!(list.total, 1);
                list.items[0].breach_at
            }
        };
        let before = breach(&t).await.expect("a community standard applies");
        // The service adopts a 7-day standard for every referral.
        let (current, version) = t.store.service(community).await.unwrap();
        let mut details = current.details.clone();
        details.standards = vec![WaitStandard {
            name: "Local: seen within a week".into(),
            target: WaitTarget::Days(7),
            priorities: Vec::new(),
            sources: Vec::new(),
            target_share_percent: None,
            source: "Synthetic local standard".into(),
        }];
        t.store
            .update_service(
                &nwd_store::testing::acting("tester"),
                community,
                details,
                version,
            )
            .await
            .unwrap();
        let after = breach(&t).await.expect("the new standard applies");
        let clock_start = r.allocations[0].clock_start;
        assert_eq!(
            after,
            WaitTarget::Days(7).deadline(clock_start, t.store.tz()),
            "the breach follows the service's new standard"
        );
        assert_ne!(before, after);
        // Lost, then filled in again from the events.
        t.raw_execute("UPDATE referrals SET crisis_rank = NULL, crisis_due = NULL")
            .await
            .unwrap();
        let list = t
            .store
            .crisis_list(&everyone, &Default::default(), 10, 0)
            .await
            .unwrap();
        assert_eq!(list.total, 0, "the list reads the projection");
        t.store.refresh_crisis_positions().await.unwrap();
        assert_eq!(breach(&t).await, Some(after));
    })
    .await;
}
