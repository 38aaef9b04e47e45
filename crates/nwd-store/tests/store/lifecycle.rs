// Over 600 lines: one lifecycle walked step by step with the projection checked against the
// events at each step; its helpers are shared by every test here. A split by stage (triage,
// allocation, contacts, discharge) is possible and left for issue 16 item 7's next session.
//! The referral lifecycle through the store: triage, allocation, contacts, step up,
//! discharge and transition, with the projection checked against the events at every step;
//! waiting lists with a pinned clock; and refusal of conflicting or illegal changes.

use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};
use nwd_domain::codes::{
    ConsultationMechanism, ContactStatus, DischargeReason, Priority, ReferralSource, TeamType,
    TransitionOutcome,
};
use nwd_domain::need::{NeedGroup, StepDirection};
use nwd_domain::referral::{
    AllocateCommand, AllocationOrigin, Command, Destination, DischargeCommand, Referral,
    ReferralStatus, StepCommand, TransitionCommand,
};
use nwd_domain::{DomainError, ReferralId, ServiceId};
use nwd_store::{ReferralSearch, ReferralSummary, StoreError, WaitingList};

use crate::backend::{for_each_backend, TestStore};
use crate::synthetic::{
    add_service, assert_projection_is_replay, contact, organisation, person, receive, receive_with,
    run, service, triage, NHS_A, NHS_B,
};

const HOUR: SignedDuration = SignedDuration::from_hours(1);
const DAY: SignedDuration = SignedDuration::from_hours(24);

fn ts(value: &str) -> Timestamp {
    value.parse().unwrap()
}

async fn waiting(t: &TestStore, service_id: ServiceId) -> WaitingList {
    t.store.waiting_list(service_id, 100, 0).await.unwrap()
}

fn waiting_referrals(list: &WaitingList) -> Vec<ReferralId> {
    list.entries.iter().map(|e| e.referral_id).collect()
}

async fn summary(t: &TestStore, id: ReferralId) -> ReferralSummary {
    let page = t
        .store
        .search_referrals(&ReferralSearch::default())
        .await
        .unwrap();
    page.items.into_iter().find(|s| s.id == id).unwrap()
}

async fn event_types(t: &TestStore, id: ReferralId) -> Vec<&'static str> {
    t.store
        .referral_events(id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.event.type_name())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_referral_goes_from_triage_to_discharge_with_its_projection_equal_to_its_events() {
    for_each_backend(|t| async move {
        let org = organisation(&t.store).await;
        let community = add_service(
            &t.store,
            service(
                org,
                "Community CYP",
                TeamType::Community,
                &[NeedGroup::GettingHelp, NeedGroup::GettingMoreHelp],
                (0, 17),
            ),
        )
        .await;
        let hub = add_service(
            &t.store,
            service(
                org,
                "Wellbeing hub",
                TeamType::WellbeingHub,
                &[NeedGroup::GettingHelp],
                (0, 25),
            ),
        )
        .await;
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

        let r = receive(&t, person("Ada", date(2012, 5, 1), Some(NHS_A))).await;
        let received = t.clock.now();
        assert_eq!(r.status, ReferralStatus::AwaitingTriage);
        assert_eq!(assert_projection_is_replay(&t, r.id).await, r);
        assert_eq!(waiting(&t, community).await.total, 0);

        // Triage the next day: the wait is measured from receipt, not triage.
        t.clock.advance(DAY);
        let r = run(&t, &r, triage(NeedGroup::GettingHelp, &[community])).await;
        assert_eq!(r.status, ReferralStatus::Open);
        assert_eq!(r.need_group, Some(NeedGroup::GettingHelp));
        let community_allocation = r.allocations[0].id;
        assert_eq!(r.allocations[0].clock_start, received);
        let list = waiting(&t, community).await;
        assert_eq!(waiting_referrals(&list), [r.id]);
        assert_eq!(list.entries[0].days_waited, 1);
        assert_eq!(
            list.entries[0].standard.as_deref(),
            Some("Community CYP: 4 weeks")
        );

        // An additional, concurrent service: its clock starts when it is added.
        t.clock.advance(DAY);
        let r = run(
            &t,
            &r,
            Command::Allocate(AllocateCommand {
                service_id: hub,
                reason: "Group work alongside 1:1 help.".into(),
            }),
        )
        .await;
        let hub_allocation = r.allocations[1].id;
        assert_eq!(r.allocations[1].origin, AllocationOrigin::Additional);
        let hub_list = waiting(&t, hub).await;
        assert_eq!(waiting_referrals(&hub_list), [r.id]);
        assert_eq!(hub_list.entries[0].clock_start, t.clock.now());
        assert_eq!(hub_list.entries[0].days_waited, 0);

        // A booked contact does not end the wait; its attended outcome does.
        let booked_for = t.clock.now().checked_add(2 * DAY).unwrap();
        let r = run(
            &t,
            &r,
            contact(
                community_allocation,
                booked_for,
                ContactStatus::Scheduled,
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;
        assert_eq!(waiting_referrals(&waiting(&t, community).await), [r.id]);
        t.clock.advance(2 * DAY + HOUR);
        let r = run(
            &t,
            &r,
            Command::RecordContactOutcome {
                contact_id: r.contacts[0].id,
                status: ContactStatus::Attended,
            },
        )
        .await;
        assert_eq!(r.allocations[0].first_attended_at, Some(booked_for));
        assert_eq!(waiting(&t, community).await.total, 0);
        assert_eq!(waiting(&t, hub).await.total, 1);

        // Step up to crisis support: the community allocation ends, a crisis one starts now.
        t.clock.advance(DAY);
        let r = run(
            &t,
            &r,
            Command::Step(StepCommand {
                direction: StepDirection::Up,
                to: NeedGroup::GettingRiskSupport,
                reason: "Risk increased at the last session.".into(),
                end_allocations: vec![community_allocation],
                allocate: vec![crisis],
            }),
        )
        .await;
        assert_eq!(r.status, ReferralStatus::Open);
        assert_eq!(r.need_group, Some(NeedGroup::GettingRiskSupport));
        assert_eq!(r.step_count, 1);
        assert_eq!(
            r.allocations[0].ended.as_ref().map(|e| e.reason),
            Some(DischargeReason::SteppedUpOrDown)
        );
        let crisis_allocation = r.allocations[2].id;
        let crisis_list = waiting(&t, crisis).await;
        assert_eq!(waiting_referrals(&crisis_list), [r.id]);
        assert_eq!(crisis_list.entries[0].clock_start, t.clock.now());
        assert_eq!(
            crisis_list.entries[0].standard.as_deref(),
            Some("Crisis: urgent, 24 hours")
        );
        assert_eq!(
            summary(&t, r.id).await.need_group,
            Some(NeedGroup::GettingRiskSupport)
        );

        // Discharged from the hub before being seen: off its waiting list, referral open.
        let r = run(
            &t,
            &r,
            Command::Discharge(DischargeCommand {
                allocation_id: hub_allocation,
                reason: DischargeReason::NoFurtherInterventionNeeded,
                note: None,
            }),
        )
        .await;
        assert_eq!(r.status, ReferralStatus::Open);
        assert_eq!(waiting(&t, hub).await.total, 0);

        // A contact on the ended allocation is refused and writes nothing.
        let before = t.counts().await;
        let refused = t
            .store
            .execute(
                &nwd_store::testing::acting("tester"),
                r.id,
                r.version,
                contact(
                    hub_allocation,
                    t.clock.now(),
                    ContactStatus::Attended,
                    ConsultationMechanism::FaceToFace,
                ),
                "clinician-2",
            )
            .await;
        assert!(
            matches!(
                refused,
                Err(StoreError::Domain(DomainError::IllegalTransition(_)))
            ),
            "{refused:?}"
        );
        assert_eq!(t.counts().await, before);
        assert_eq!(t.store.referral(r.id).await.unwrap(), r);

        // Seen by the crisis team, then discharged: the referral closes, naming where the
        // young person went.
        t.clock.advance(HOUR);
        let r = run(
            &t,
            &r,
            contact(
                crisis_allocation,
                t.clock.now(),
                ContactStatus::Attended,
                ConsultationMechanism::Video,
            ),
        )
        .await;
        assert_eq!(waiting(&t, crisis).await.total, 0);
        t.clock.advance(DAY);
        let r = run(
            &t,
            &r,
            Command::Discharge(DischargeCommand {
                allocation_id: crisis_allocation,
                reason: DischargeReason::TreatmentCompleted,
                note: Some("Crisis plan in place.".into()),
            }),
        )
        .await;
        assert_eq!(r.status, ReferralStatus::Closed);
        let closure = r.closure.clone().unwrap();
        assert_eq!(closure.at, t.clock.now());
        assert_eq!(
            closure.destination,
            Destination::Allocated {
                service_ids: vec![community, hub, crisis],
                service_names: vec![
                    "Community CYP".to_owned(),
                    "Wellbeing hub".to_owned(),
                    "Crisis team".to_owned()
                ],
            }
        );
        let line = summary(&t, r.id).await;
        assert_eq!(line.status, ReferralStatus::Closed);
        assert_eq!(line.destination_kind.as_deref(), Some("allocated"));
        assert_eq!(
            line.destination_name.as_deref(),
            Some("Discharged from Community CYP, Wellbeing hub, Crisis team"),
            "the destination names the services, not a count"
        );
        assert_eq!(line.closed_at, Some(t.clock.now()));
        assert_eq!(line.version, r.version);

        assert_eq!(
            event_types(&t, r.id).await,
            [
                "received",
                "triaged",
                "allocated",
                "allocated",
                "contact_recorded",
                "contact_outcome_recorded",
                "need_group_changed",
                "allocation_ended",
                "allocated",
                "allocation_ended",
                "contact_recorded",
                "allocation_ended",
                "closed",
            ]
        );
        assert_eq!(t.count("allocations").await, 3);
        assert_eq!(t.count("contacts").await, 2);

        // A closed referral changes no more.
        let before = t.counts().await;
        assert!(matches!(
            t.store
                .execute(
                    &nwd_store::testing::acting("tester"),
                    r.id,
                    r.version,
                    Command::Decline {
                        reason: "No longer wanted.".into()
                    },
                    "clinician-1"
                )
                .await,
            Err(StoreError::Domain(DomainError::IllegalTransition(_)))
        ));
        assert_eq!(t.counts().await, before);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_transition_closes_the_referral_with_the_receiving_service_as_destination() {
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
        // 17 on the pinned date (3 March 2025), 18 on 1 August 2025.
        let r = receive(&t, person("Bea", date(2007, 8, 1), Some(NHS_B))).await;
        let r = run(&t, &r, triage(NeedGroup::GettingHelp, &[community])).await;
        let allocation = r.allocations[0].id;
        t.clock.advance(7 * DAY);
        let r = run(
            &t,
            &r,
            contact(
                allocation,
                t.clock.now(),
                ContactStatus::Attended,
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;
        t.clock.advance(30 * DAY);
        let r = run(
            &t,
            &r,
            Command::Transition(TransitionCommand {
                allocation_id: allocation,
                outcome: TransitionOutcome::ZeroToTwentyFiveService,
                need_group: NeedGroup::GettingHelp,
                receiving_service: Some("Young adults' wellbeing service".into()),
                note: None,
            }),
        )
        .await;
        assert_eq!(r.status, ReferralStatus::Closed);
        assert_eq!(
            r.transitions,
            [(
                allocation,
                TransitionOutcome::ZeroToTwentyFiveService,
                NeedGroup::GettingHelp
            )]
        );
        assert_eq!(
            r.allocations[0].ended.as_ref().map(|e| e.reason),
            Some(DischargeReason::Transition)
        );
        let line = summary(&t, r.id).await;
        assert_eq!(line.destination_kind.as_deref(), Some("transitioned"));
        assert_eq!(
            line.destination_name.as_deref(),
            Some("Young adults' wellbeing service")
        );
        assert!(t.store.transition_list().await.unwrap().is_empty());
    })
    .await;
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

/// A referral triaged to one service, ready for contacts.
async fn triaged_referral(t: &TestStore) -> Referral {
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
    let r = receive(t, person("Ada", date(2012, 5, 1), Some(NHS_A))).await;
    t.clock.advance(DAY);
    run(t, &r, triage(NeedGroup::GettingHelp, &[community])).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_change_decided_against_an_old_version_is_refused_naming_what_changed() {
    for_each_backend(|t| async move {
        let r = triaged_referral(&t).await;
        let seen = r.version;
        let allocation = r.allocations[0].id;

        // Two clinicians open the referral at the same version; the first records a contact.
        t.clock.advance(HOUR);
        t.store
            .execute(
                &nwd_store::testing::acting("tester"),
                r.id,
                seen,
                contact(
                    allocation,
                    t.clock.now(),
                    ContactStatus::Attended,
                    ConsultationMechanism::FaceToFace,
                ),
                "clinician-first",
            )
            .await
            .unwrap();
        let before = t.counts().await;

        // The second, still on the old version, discharges.
        let refused = t
            .store
            .execute(
                &nwd_store::testing::acting("tester"),
                r.id,
                seen,
                Command::Discharge(DischargeCommand {
                    allocation_id: allocation,
                    reason: DischargeReason::TreatmentCompleted,
                    note: None,
                }),
                "clinician-second",
            )
            .await;
        match refused {
            Err(StoreError::Conflict {
                expected,
                current,
                changes,
            }) => {
                assert_eq!((expected, current), (seen, seen + 1));
                assert_eq!(changes.len(), 1);
                assert_eq!(changes[0].version, seen + 1);
                assert_eq!(changes[0].event_type, "contact_recorded");
                assert_eq!(changes[0].actor, "clinician-first");
                assert_eq!(changes[0].at, t.clock.now());
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(t.counts().await, before);
        let stored = assert_projection_is_replay(&t, r.id).await;
        assert_eq!(stored.version, seen + 1);
        assert_eq!(stored.status, ReferralStatus::Open);
        assert!(stored.allocations[0].is_active());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_ten_concurrent_changes_to_one_version_exactly_one_is_stored() {
    for_each_backend(|t| async move {
        let r = triaged_referral(&t).await;
        let allocation = r.allocations[0].id;
        let at = t.clock.now();
        let mut tasks = Vec::new();
        for i in 0..10 {
            let store = t.store.clone();
            let (id, version) = (r.id, r.version);
            tasks.push(tokio::spawn(async move {
                let command = contact(
                    allocation,
                    at,
                    ContactStatus::Attended,
                    ConsultationMechanism::FaceToFace,
                );
                store
                    .execute(
                        &nwd_store::testing::acting("tester"),
                        id,
                        version,
                        command,
                        &format!("clinician-{i}"),
                    )
                    .await
            }));
        }
        let mut winners = Vec::new();
        let mut conflicts = 0;
        for (i, task) in tasks.into_iter().enumerate() {
            match task.await.unwrap() {
                Ok(_) => winners.push(format!("clinician-{i}")),
                Err(StoreError::Conflict {
                    expected,
                    current,
                    changes,
                }) => {
                    assert_eq!((expected, current), (r.version, r.version + 1));
                    assert_eq!(
                        changes
                            .iter()
                            .map(|c| c.event_type.as_str())
                            .collect::<Vec<_>>(),
                        ["contact_recorded"],
                        "a conflict names what the winner changed"
                    );
                    conflicts += 1;
                }
                Err(other) => panic!("expected a conflict, got {other:?}"),
            }
        }
        assert_eq!(winners.len(), 1, "exactly one change is stored");
        assert_eq!(conflicts, 9);
        let stored = assert_projection_is_replay(&t, r.id).await;
        assert_eq!(stored.version, r.version + 1);
        assert_eq!(stored.contacts.len(), 1);
        assert_eq!(stored.contacts[0].clinician, "Synthetic Clinician");
        let events = t.store.referral_events(r.id).await.unwrap();
        assert_eq!(events.last().unwrap().actor, winners[0]);
        assert_eq!(t.count("contacts").await, 1);
    })
    .await;
}
