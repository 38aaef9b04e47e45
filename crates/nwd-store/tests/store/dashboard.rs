// Over 600 lines: one hand-computed fixture and the figures checked against it; every test
// here shares the fixture, so a split (by figure) waits for the fixture to move into the test
// kit, issue 16 item 7's next session.
//! The commissioner dashboard's monthly aggregates against a hand-computed fixture: six
//! referrals over January–April 2025 in Europe/London (the clocks go forward on 30 March, so
//! March ends at 23:00 UTC), with triage, a signposting, contacts, a step up and a step down.

use jiff::civil::date;
use jiff::Timestamp;
use nwd_domain::codes::{ConsultationMechanism, ContactStatus, Priority, ReferralSource, TeamType};
use nwd_domain::need::{NeedGroup, RiskLevel, StepDirection};
use nwd_domain::referral::{Command, DestinationRequest, StepCommand, TriageCommand};
use nwd_store::dashboard::DashboardQuery;

use crate::backend::for_each_backend;
use crate::synthetic::{
    add_service, contact, organisation, person, receive_with, run, service, triage,
};

fn ts(value: &str) -> Timestamp {
    value.parse().unwrap()
}

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
        assert_eq!(s.access.iter().map(|a| a.mhs95_one_contact).sum::<u64>(), 0);

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

/// The dashboard and the transition list are kept under the data version: after a triage and
/// after a contact, what is served equals a fresh computation (never the figure kept before
/// the write), and a read with no write in between is served the same figures.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kept_figures_equal_a_fresh_computation_after_every_write() {
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
        let query = DashboardQuery {
            from: date(2025, 1, 1),
            months: 3,
            service_id: None,
        };
        let fresh = |t: &crate::backend::TestStore| {
            let store = t.store.clone();
            async move { store.compute_dashboard(&query).await.unwrap() }
        };

        // Received in February by someone who turns 18 (leaves the 0–17 service) in
        // September 2025: within six months' notice from March.
        t.clock.set("2025-02-03T09:00:00Z");
        let r = receive_with(
            &t,
            person("Gus", date(2007, 9, 1), None),
            ReferralSource::Gp,
            Priority::Routine,
            ts("2025-02-03T09:00:00Z"),
        )
        .await;
        t.clock.set("2025-03-05T10:00:00Z");
        let before = t.store.dashboard(&query).await.unwrap();
        assert_eq!(before, fresh(&t).await);
        assert_eq!(before.referrals, [0, 1, 0]);
        assert_eq!(before.triaged, [0, 0, 0]);
        assert!(t.store.transition_list().await.unwrap().is_empty());
        let today = date(2025, 3, 5);

        // A triage moves the data version; a read's own audit entry does not.
        let version = t.store.data_version().await.unwrap();
        let r = run(&t, &r, triage(NeedGroup::GettingHelp, &[community])).await;
        let after_triage_version = t.store.data_version().await.unwrap();
        assert!(after_triage_version > version);
        t.store
            .append_audit(nwd_store::audit::AuditEntry::new("store", "read"))
            .await
            .unwrap();
        assert_eq!(t.store.data_version().await.unwrap(), after_triage_version);

        // An hour later (an allocation made at this instant is not yet waiting at it).
        t.clock.set("2025-03-05T11:00:00Z");
        let after_triage = t.store.dashboard(&query).await.unwrap();
        assert_eq!(after_triage, fresh(&t).await, "not the figure kept before");
        assert_eq!(after_triage.triaged, [0, 0, 1]);
        assert_eq!(after_triage.triaged_allocated, [0, 0, 1]);
        assert_eq!(after_triage.waiting_at_end, [0, 0, 1]);
        let list = t.store.transition_list().await.unwrap();
        assert_eq!(
            list.len(),
            1,
            "the allocation puts Gus on the transition list"
        );
        assert_eq!(
            list.iter().map(|e| e.allocation_id).collect::<Vec<_>>(),
            t.store
                .compute_transition_list(today)
                .await
                .unwrap()
                .iter()
                .map(|e| e.allocation_id)
                .collect::<Vec<_>>()
        );

        // A contact: seen, off the waiting list, counted for access.
        t.clock.set("2025-03-20T10:00:00Z");
        assert_eq!(
            t.store.first_contact_waits().await.unwrap().unwrap()[&community].count,
            0,
            "no one seen yet (and this figure is now kept)"
        );
        run(
            &t,
            &r,
            contact(
                r.allocations[0].id,
                ts("2025-03-10T10:00:00Z"),
                ContactStatus::Attended,
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;
        let after_contact = t.store.dashboard(&query).await.unwrap();
        assert_eq!(after_contact, fresh(&t).await, "not the figure kept before");
        assert_eq!(after_contact.seen, [0, 0, 1]);
        assert_eq!(after_contact.waiting_at_end, [0, 0, 0]);
        let mhs95: Vec<u64> = after_contact
            .access
            .iter()
            .map(|a| a.mhs95_one_contact)
            .collect();
        assert_eq!(mhs95, [0, 0, 1], "Gus was 17 at the contact");
        // No write since: the same figures again.
        assert_eq!(t.store.dashboard(&query).await.unwrap(), after_contact);

        // The public page's typical wait is the full waits' first-contact figure, over the
        // 365 days up to now.
        let to = t.store.now();
        let from = to - jiff::SignedDuration::from_hours(24 * 365);
        let full = t
            .store
            .service_waits(community, from, to)
            .await
            .unwrap()
            .to_first_contact_days;
        assert_eq!(full.count, 1);
        assert_eq!(
            t.store.first_contact_waits().await.unwrap().unwrap()[&community],
            full
        );
    })
    .await;
}

/// A small deterministic random source (xorshift64*), so the random write sequences repeat.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}

/// The `n`th valid NHS number of the 999 test range (modulus 11 check digit).
fn test_nhs_number(n: usize) -> String {
    let mut serial = n * 7 + 1;
    loop {
        let digits = format!("999{serial:06}");
        let sum: u32 = digits
            .chars()
            .enumerate()
            .map(|(i, c)| c.to_digit(10).unwrap() * (10 - i as u32))
            .sum();
        let check = (11 - sum % 11) % 11;
        if check != 10 {
            return format!("{digits}{check}");
        }
        serial += 1;
    }
}

/// The queries compared after each write: the default twelve months, a quarter filtered by
/// one service, and eight months filtered by the other (crossing the clock change).
fn compared_queries(services: &[nwd_domain::ServiceId]) -> Vec<DashboardQuery> {
    vec![
        DashboardQuery {
            from: date(2024, 9, 1),
            months: 12,
            service_id: None,
        },
        DashboardQuery {
            from: date(2025, 2, 1),
            months: 3,
            service_id: Some(services[0]),
        },
        DashboardQuery {
            from: date(2024, 12, 1),
            months: 8,
            service_id: Some(services[1]),
        },
    ]
}

/// After every write of a random sequence — intake (some people referred more than once),
/// triage (allocations and signposting), further allocations, contacts of every kind,
/// outcomes of booked contacts, steps up and down, discharges, declines, person merges and
/// unmerges, a service's standards changed, and retention destroying a whole record — the
/// dashboard served (kept inputs brought up to date from the change log) equals the one
/// computed from scratch in SQL, for three different queries.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_kept_dashboard_equals_a_fresh_computation_after_random_writes() {
    use jiff::SignedDuration;
    use nwd_domain::codes::DischargeReason;
    use nwd_domain::referral::{AllocateCommand, DischargeCommand, ReferralStatus};
    use nwd_domain::retention::RetentionRules;
    use nwd_domain::standards::WaitTarget;
    use std::collections::BTreeMap;

    for_each_backend(|t| async move {
        let org = organisation(&t.store).await;
        let mut services = Vec::new();
        for name in ["Community CYP", "Specialist CAMHS", "Crisis team"] {
            services.push(
                add_service(
                    &t.store,
                    service(
                        org,
                        name,
                        TeamType::Community,
                        &[NeedGroup::GettingHelp, NeedGroup::GettingMoreHelp],
                        (0, 25),
                    ),
                )
                .await,
            );
        }
        let queries = compared_queries(&services);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut about_rng = Rng(0x2545_F491_4F6C_DD1D);
        let mut referrals = Vec::new();
        let mut merges = Vec::new();
        let mut done: BTreeMap<&'static str, usize> = BTreeMap::new();
        // Some people are referred again (same NHS number: the same person).
        let births = [
            date(2008, 3, 30),
            date(2007, 4, 15),
            date(2012, 1, 1),
            date(2007, 2, 28),
        ];
        t.clock.set("2025-01-20T09:00:00Z");
        for step in 0..90 {
            t.clock
                .advance(SignedDuration::from_mins(60 * (1 + rng.below(40)) as i64));
            let now = t.clock.now();
            let roll = rng.below(100);
            let open: Vec<_> = {
                let mut open = Vec::new();
                for id in &referrals {
                    if let Ok(r) = t.store.referral(*id).await {
                        if r.status != ReferralStatus::Closed {
                            open.push(r);
                        }
                    }
                }
                open
            };
            let awaiting: Vec<_> = open.iter().filter(|r| r.triage.is_none()).collect();
            let triaged: Vec<_> = open.iter().filter(|r| r.triage.is_some()).collect();
            let kind: &'static str = if roll < 22 || open.is_empty() {
                let who = rng.below(8);
                let nhs = (who < 4).then(|| test_nhs_number(who));
                let r = receive_with(
                    &t,
                    person(
                        &format!("Person{who}"),
                        births[who % births.len()],
                        nhs.as_deref(),
                    ),
                    *rng.pick(&[
                        ReferralSource::Gp,
                        ReferralSource::School,
                        ReferralSource::SelfReferral,
                    ])
                    .unwrap(),
                    Priority::Routine,
                    // Received up to ten days before it is entered.
                    now.checked_sub(SignedDuration::from_hours(rng.below(240) as i64))
                        .unwrap(),
                )
                .await;
                referrals.push(r.id);
                "intake"
            } else if roll < 40 && !awaiting.is_empty() {
                let r = *rng.pick(&awaiting).unwrap();
                let command = if rng.below(4) == 0 {
                    Command::Triage(TriageCommand {
                        need_group: NeedGroup::GettingAdvice,
                        risk: RiskLevel::Low,
                        priority: None,
                        risk_review_on: None,
                        rationale: "An online service suits them, agreed with them.".into(),
                        preference: None,
                        destinations: vec![DestinationRequest::Signpost {
                            name: "Online counselling".into(),
                            service_id: None,
                            warm_handover: false,
                            handover_note: None,
                        }],
                        competence: None,
                    })
                } else {
                    let first = services[rng.below(2)];
                    triage(NeedGroup::GettingHelp, &[first])
                };
                match t
                    .store
                    .execute(
                        &nwd_store::testing::acting("tester"),
                        r.id,
                        r.version,
                        command,
                        "spa",
                    )
                    .await
                {
                    Ok(_) => "triage",
                    // An under-16 who referred themselves needs a competence decision first:
                    // refused, nothing written.
                    Err(_) => "refused",
                }
            } else if roll < 70 && !triaged.is_empty() {
                let r = *rng.pick(&triaged).unwrap();
                let open_allocations: Vec<_> =
                    r.allocations.iter().filter(|a| a.ended.is_none()).collect();
                let Some(a) = rng.pick(&open_allocations) else {
                    continue;
                };
                let (status, mechanism) = *rng
                    .pick(&[
                        (ContactStatus::Attended, ConsultationMechanism::FaceToFace),
                        (ContactStatus::AttendedLate, ConsultationMechanism::Video),
                        (ContactStatus::Attended, ConsultationMechanism::Email),
                        (
                            ContactStatus::DidNotAttend,
                            ConsultationMechanism::Telephone,
                        ),
                        (ContactStatus::Scheduled, ConsultationMechanism::Telephone),
                    ])
                    .unwrap();
                let at = if status == ContactStatus::Scheduled {
                    now.checked_add(SignedDuration::from_hours(48)).unwrap()
                } else {
                    now
                };
                let (after, _) = t
                    .store
                    .execute(
                        &nwd_store::testing::acting("tester"),
                        r.id,
                        r.version,
                        contact(a.id, at, status, mechanism),
                        "clinician",
                    )
                    .await
                    .unwrap();
                if status == ContactStatus::Scheduled {
                    // Its outcome, recorded when it is due.
                    t.clock.advance(SignedDuration::from_hours(49));
                    let booked = after.contacts.last().unwrap().id;
                    let outcome = *rng
                        .pick(&[ContactStatus::Attended, ContactStatus::DidNotAttend])
                        .unwrap();
                    t.store
                        .execute(
                            &nwd_store::testing::acting("tester"),
                            r.id,
                            after.version,
                            Command::RecordContactOutcome {
                                contact_id: booked,
                                status: outcome,
                            },
                            "clinician",
                        )
                        .await
                        .unwrap();
                    "contact outcome"
                } else {
                    "contact"
                }
            } else if roll < 78 && !triaged.is_empty() {
                let r = *rng.pick(&triaged).unwrap();
                let open_allocations: Vec<_> =
                    r.allocations.iter().filter(|a| a.ended.is_none()).collect();
                let command = match (r.need_group, rng.below(3)) {
                    (Some(NeedGroup::GettingHelp), 0) => Command::Step(StepCommand {
                        direction: StepDirection::Up,
                        to: NeedGroup::GettingMoreHelp,
                        reason: "Needs more help.".into(),
                        end_allocations: open_allocations.iter().map(|a| a.id).collect(),
                        allocate: vec![services[1]],
                    }),
                    (Some(NeedGroup::GettingMoreHelp), 0) => Command::Step(StepCommand {
                        direction: StepDirection::Down,
                        to: NeedGroup::GettingHelp,
                        reason: "Settled.".into(),
                        end_allocations: open_allocations.iter().map(|a| a.id).collect(),
                        allocate: vec![services[0]],
                    }),
                    (Some(NeedGroup::GettingHelp | NeedGroup::GettingMoreHelp), 1) => {
                        Command::Allocate(AllocateCommand {
                            service_id: services[2],
                            reason: "Also needs the crisis team.".into(),
                        })
                    }
                    _ => match open_allocations.first() {
                        Some(a) => Command::Discharge(DischargeCommand {
                            allocation_id: a.id,
                            reason: DischargeReason::TreatmentCompleted,
                            note: None,
                        }),
                        None => Command::Decline {
                            reason: "They no longer want help.".into(),
                        },
                    },
                };
                let name = match &command {
                    Command::Step(_) => "step",
                    Command::Allocate(_) => "allocate",
                    Command::Discharge(_) => "discharge",
                    _ => "decline",
                };
                match t
                    .store
                    .execute(
                        &nwd_store::testing::acting("tester"),
                        r.id,
                        r.version,
                        command,
                        "clinician",
                    )
                    .await
                {
                    Ok(_) => name,
                    // A crisis team already allocated, for instance: nothing was written.
                    Err(_) => "refused",
                }
            } else if roll < 80 {
                // A change of priority (and risk) on any referral not closed: the dashboard's
                // "seen within the standard" follows the current priority.
                let r = rng.pick(&open).unwrap();
                let priority = *rng
                    .pick(&[
                        Priority::Emergency,
                        Priority::VeryUrgent,
                        Priority::Urgent,
                        Priority::Routine,
                    ])
                    .unwrap();
                let command = Command::RecordUrgency(nwd_domain::referral::UrgencyCommand {
                    priority: Some(priority),
                    risk: Some(RiskLevel::High),
                    risk_review_on: None,
                    reason: "Reviewed on the telephone.".into(),
                });
                match t
                    .store
                    .execute(
                        &nwd_store::testing::acting("tester"),
                        r.id,
                        r.version,
                        command,
                        "clinician",
                    )
                    .await
                {
                    Ok(_) => "urgency",
                    // Nothing would change: nothing was written.
                    Err(_) => "refused",
                }
            } else if roll < 82 && !awaiting.is_empty() {
                let r = *rng.pick(&awaiting).unwrap();
                t.store
                    .execute(
                        &nwd_store::testing::acting("tester"),
                        r.id,
                        r.version,
                        Command::Decline {
                            reason: "They found help elsewhere.".into(),
                        },
                        "spa",
                    )
                    .await
                    .unwrap();
                "decline"
            } else if roll < 88 {
                // Merge two people, or undo an earlier merge.
                if !merges.is_empty() && rng.below(2) == 0 {
                    let merge: uuid::Uuid = merges.remove(rng.below(merges.len()));
                    match t
                        .store
                        .unmerge(
                            &nwd_store::testing::acting("tester"),
                            merge,
                            "Not the same person after all.",
                            "reviewer",
                        )
                        .await
                    {
                        Ok(_) => "unmerge",
                        Err(_) => "refused",
                    }
                } else {
                    let mut people = Vec::new();
                    for id in &referrals {
                        if let Ok(r) = t.store.referral(*id).await {
                            people.push(r.person_id);
                        }
                    }
                    people.sort();
                    people.dedup();
                    match (rng.pick(&people).copied(), rng.pick(&people).copied()) {
                        (Some(a), Some(b)) if a != b => {
                            match t
                                .store
                                .merge_persons(
                                    &nwd_store::testing::acting("tester"),
                                    a,
                                    b,
                                    "The same young person.",
                                    "reviewer",
                                )
                                .await
                            {
                                Ok(m) => {
                                    merges.push(m.id);
                                    "merge"
                                }
                                Err(_) => "refused",
                            }
                        }
                        _ => "refused",
                    }
                }
            } else if roll < 93 {
                // A service's standards changed: every "seen within" at it is decided again.
                let id = services[rng.below(2)];
                let (svc, version) = t.store.service(id).await.unwrap();
                let mut details = svc.details;
                for standard in &mut details.standards {
                    standard.target = WaitTarget::Days(5 + rng.below(40) as u32);
                }
                t.store
                    .update_service(&nwd_store::testing::acting("tester"), id, details, version)
                    .await
                    .unwrap();
                "service standards"
            } else {
                // Retention destroys one whole record (people with nothing open).
                let rules = RetentionRules {
                    min_years_after_conclusion: 0,
                    ..RetentionRules::default()
                };
                let candidates = t
                    .store
                    .retention_candidates(&rules, date(2100, 1, 1))
                    .await
                    .unwrap();
                match rng.pick(&candidates) {
                    Some(c) => {
                        t.store
                            .destroy_record(
                                &nwd_store::audit::AuditContext::operator(
                                    "retention-officer",
                                    "retention",
                                    "person",
                                ),
                                c,
                                &rules,
                                "run-1",
                            )
                            .await
                            .unwrap();
                        "retention"
                    }
                    None => "refused",
                }
            };
            *done.entry(kind).or_default() += 1;
            // Now and then, from a stream of its own (so the sequence above is unchanged):
            // the young person's "about" record changed by staff, or added to by a new
            // referral for a registered person, which moves their other referrals' groups.
            let mut about_written = false;
            if about_rng.below(3) == 0 && !referrals.is_empty() {
                let id = referrals[about_rng.below(referrals.len())];
                if let Ok(r) = t.store.referral(id).await {
                    let answers = crate::about::random_about(&mut about_rng);
                    if about_rng.below(2) == 0 {
                        let stored = t.store.person_about(r.person_id).await.unwrap();
                        t.store
                            .update_person_about(
                                &nwd_store::testing::acting("clinician-2"),
                                r.person_id,
                                stored.version,
                                answers,
                            )
                            .await
                            .unwrap();
                        *done.entry("about change").or_default() += 1;
                    } else {
                        let who = about_rng.below(4);
                        let nhs = test_nhs_number(who);
                        t.store
                            .receive_referral(
                                &nwd_store::testing::acting("spa-coordinator"),
                                nwd_store::Intake {
                                    person: person(
                                        &format!("Person{who}"),
                                        births[who % births.len()],
                                        Some(&nhs),
                                    ),
                                    referral: crate::synthetic::referral(
                                        ReferralSource::Gp,
                                        Priority::Routine,
                                        now,
                                    ),
                                    about: answers,
                                },
                                None,
                                None,
                            )
                            .await
                            .unwrap();
                        *done.entry("about at intake").or_default() += 1;
                    }
                    about_written = true;
                }
            }
            let kind = if about_written && kind == "refused" {
                "about"
            } else {
                kind
            };
            // Compare after every write. Not after a refused one: the kept figure is the one
            // computed at the last write (at its clock), while a fresh computation counts
            // "waiting now" at the clock moved on since.
            if kind != "refused" {
                for query in &queries {
                    let served = t.store.dashboard(query).await.unwrap();
                    let fresh = t.store.compute_dashboard(query).await.unwrap();
                    assert_eq!(served, fresh, "after write {step} ({kind}), {query:?}");
                }
                // Every allocation names its young person for the lists' name search (0019),
                // whichever write made or moved it.
                assert_eq!(
                    t.allocations_with_stale_name_keys().await,
                    0,
                    "after write {step} ({kind})"
                );
            }
        }
        eprintln!("writes made: {done:?}");
        for kind in [
            "intake",
            "triage",
            "contact",
            "contact outcome",
            "step",
            "discharge",
            "merge",
            "service standards",
            "retention",
            "about change",
            "about at intake",
        ] {
            assert!(
                done.get(kind).copied().unwrap_or(0) > 0,
                "the sequence made no {kind}: {done:?}"
            );
        }
        // The figures are not trivially empty.
        let last = t.store.dashboard(&queries[0]).await.unwrap();
        assert!(last.referrals.iter().sum::<u64>() > 10);
        assert!(last.seen.iter().sum::<u64>() > 0);
        assert!(last.access.iter().any(|a| a.mhs95_one_contact > 0));
        // Some referrals are counted in a group other than "not recorded".
        assert!(last.uptake[7..=9]
            .iter()
            .chain(&last.uptake[11..=18])
            .any(|u| u.received > 0));
    })
    .await;
}

/// Two servers on one database: a write made through a second store (its own pool and kept
/// figures, as another process) is reflected in what the first serves at once — a new
/// referral, its triage, a contact, and a record destroyed by retention.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_write_by_another_store_on_the_same_database_is_reflected() {
    use nwd_domain::codes::DischargeReason;
    use nwd_domain::referral::DischargeCommand;
    use nwd_domain::retention::RetentionRules;

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
        let query = DashboardQuery {
            from: date(2025, 1, 1),
            months: 3,
            service_id: None,
        };
        t.clock.set("2025-03-03T09:00:00Z");
        // The first store reads (and keeps) the empty dashboard.
        let empty = t.store.dashboard(&query).await.unwrap();
        assert_eq!(empty.referrals, [0, 0, 0]);

        let other = t.second_store().await;
        let received = other
            .receive_referral(
                &nwd_store::testing::acting("spa-coordinator"),
                nwd_store::Intake {
                    person: person("Hal", date(2010, 4, 4), None),
                    referral: crate::synthetic::referral(
                        ReferralSource::School,
                        Priority::Routine,
                        ts("2025-03-03T08:00:00Z"),
                    ),
                    about: Default::default(),
                },
                None,
                None,
            )
            .await
            .unwrap()
            .referral;
        let d = t.store.dashboard(&query).await.unwrap();
        assert_eq!(d.referrals, [0, 0, 1], "the other store's referral");
        assert_eq!(d.referrals_by_need_group["not_triaged"], [0, 0, 1]);

        t.clock.set("2025-03-04T09:00:00Z");
        let (r, _) = other
            .execute(
                &nwd_store::testing::acting("tester"),
                received.id,
                received.version,
                triage(NeedGroup::GettingHelp, &[community]),
                "spa",
            )
            .await
            .unwrap();
        // An hour later (an allocation made at this instant is not yet waiting at it).
        t.clock.set("2025-03-04T10:00:00Z");
        let d = t.store.dashboard(&query).await.unwrap();
        assert_eq!(d.triaged_allocated, [0, 0, 1]);
        assert_eq!(d.waiting_at_end, [0, 0, 1]);
        assert_eq!(d, t.store.compute_dashboard(&query).await.unwrap());

        t.clock.set("2025-03-10T09:00:00Z");
        let (r, _) = other
            .execute(
                &nwd_store::testing::acting("tester"),
                r.id,
                r.version,
                contact(
                    r.allocations[0].id,
                    ts("2025-03-10T08:00:00Z"),
                    ContactStatus::Attended,
                    ConsultationMechanism::FaceToFace,
                ),
                "clinician",
            )
            .await
            .unwrap();
        let d = t.store.dashboard(&query).await.unwrap();
        assert_eq!(d.seen, [0, 0, 1]);
        assert_eq!(d.waiting_at_end, [0, 0, 0]);
        assert_eq!(d.access[2].mhs95_one_contact, 1);
        assert_eq!(d, t.store.compute_dashboard(&query).await.unwrap());

        // Discharged, then destroyed by retention through the other store.
        let (r, _) = other
            .execute(
                &nwd_store::testing::acting("tester"),
                r.id,
                r.version,
                Command::Discharge(DischargeCommand {
                    allocation_id: r.allocations[0].id,
                    reason: DischargeReason::TreatmentCompleted,
                    note: None,
                }),
                "clinician",
            )
            .await
            .unwrap();
        let rules = RetentionRules {
            min_years_after_conclusion: 0,
            ..RetentionRules::default()
        };
        let candidates = other
            .retention_candidates(&rules, date(2100, 1, 1))
            .await
            .unwrap();
        assert_eq!(candidates.len(), 1);
        assert_eq!(candidates[0].person_id, r.person_id.to_string());
        other
            .destroy_record(
                &nwd_store::audit::AuditContext::operator(
                    "retention-officer",
                    "retention",
                    "person",
                ),
                &candidates[0],
                &rules,
                "run-1",
            )
            .await
            .unwrap();
        let d = t.store.dashboard(&query).await.unwrap();
        assert_eq!(d.referrals, [0, 0, 0], "the destroyed record is gone");
        assert_eq!(d.seen, [0, 0, 0]);
        assert_eq!(d.access[2].mhs95_one_contact, 0);
        assert_eq!(d, t.store.compute_dashboard(&query).await.unwrap());
        other.close().await;
    })
    .await;
}

/// While another request is reading the dashboard's kept inputs for the first time, the
/// usual waits are "not yet known" at once instead of waiting for that read; once read, they
/// are known.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn usual_waits_do_not_wait_for_the_first_read_of_the_kept_inputs() {
    for_each_backend(|t| async move {
        {
            let _reading = t.store.hold_dashboard_inputs().await;
            assert!(t.store.first_contact_waits().await.unwrap().is_none());
        }
        assert!(t.store.first_contact_waits().await.unwrap().is_some());
    })
    .await;
}
