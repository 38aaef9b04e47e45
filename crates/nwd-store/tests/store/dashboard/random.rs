//! The kept dashboard equals a fresh computation after every write of a random sequence.
//!
//! One file over 600 lines on purpose: the test is one random sequence of writes whose every
//! step is followed by every comparison (dashboard, activity, ledger, need counts), so its
//! steps share the sequence's state; the comparisons it calls live beside the features they
//! check (`super::activity_agrees`, `crate::population::need_agrees_with_the_sql`).

use jiff::civil::date;
use nwd_domain::codes::{ConsultationMechanism, ContactStatus, Priority, ReferralSource, TeamType};
use nwd_domain::need::{NeedGroup, RiskLevel, StepDirection};
use nwd_domain::referral::{Command, DestinationRequest, StepCommand, TriageCommand};
use nwd_store::dashboard::DashboardQuery;

use crate::backend::for_each_backend;
use crate::synthetic::{add_service, contact, organisation, person, receive_with, service, triage};

use super::Rng;

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

/// Person `who`'s postcode: the same each time they are referred, some in districts of the
/// need page's population table, one outside it, some with none.
fn living_in(
    who: usize,
    mut details: nwd_domain::person::PersonDetails,
) -> nwd_domain::person::PersonDetails {
    let postcodes = [
        Some("ME14 1XX"),
        Some("CT1 2AB"),
        None,
        Some("TN1 1AA"),
        Some("ME14 2ZZ"),
        Some("me15 6aa"),
        None,
        Some("CT1 3QQ"),
    ];
    details.postcode =
        postcodes[who % postcodes.len()].map(|p| nwd_domain::Postcode::parse(p).unwrap());
    details
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
/// outcomes of booked contacts, outcome measures at contacts, steps up and down, discharges, declines, person merges and
/// unmerges, a service's standards changed, and retention destroying a whole record — the
/// dashboard served (kept inputs brought up to date from the change log) equals the one
/// computed from scratch in SQL, for three different queries; and so do the payment and
/// activity statements' counts (`Store::activity`) and the need page's counts
/// (`Store::need_counts` against the SQL it replaced).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_kept_dashboard_equals_a_fresh_computation_after_random_writes() {
    use jiff::SignedDuration;
    use nwd_domain::codes::DischargeReason;
    use nwd_domain::referral::outcome::{OutcomeAssessment, OutcomeRater, ScaleEntry};
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
        let mut need_cases = [false; 5];
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
                    living_in(
                        who,
                        person(
                            &format!("Person{who}"),
                            births[who % births.len()],
                            nhs.as_deref(),
                        ),
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
                } else if status.is_attended() && step % 2 == 0 {
                    // An outcome measure at every other attended contact (issue 19): the
                    // kept outcome figures must follow it once the referral closes.
                    // From the step, not the random source, so the sequence's other writes
                    // stay as they were.
                    let score = step * 7 % 41;
                    t.store
                        .execute(
                            &nwd_store::testing::acting("tester"),
                            r.id,
                            after.version,
                            Command::RecordOutcome(OutcomeAssessment {
                                allocation_id: a.id,
                                measure: "yp_core".into(),
                                rater: OutcomeRater::YoungPerson,
                                at: now,
                                scores: vec![ScaleEntry {
                                    scale: "total".into(),
                                    score_tenths: score * 10,
                                }],
                                answers: Vec::new(),
                            }),
                            "clinician",
                        )
                        .await
                        .unwrap();
                    "contact and outcome measure"
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
                            // Saying why only when there is no closing measure.
                            without_closing_measure: (r
                                .has_closing_measure(a.id, t.store.tz())
                                == Some(false))
                            .then_some(nwd_domain::referral::measurement::MissingMeasure {
                                reason: nwd_domain::referral::measurement::MissingMeasureReason::NotClinicallyAppropriate,
                                note: None,
                            }),
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
                                    person: living_in(
                                        who,
                                        person(
                                            &format!("Person{who}"),
                                            births[who % births.len()],
                                            Some(&nhs),
                                        ),
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
                // The payment and activity statements' counts (issue 20).
                super::activity_agrees(&t, &services, &format!("after write {step} ({kind})"))
                    .await;
                // The need page's counts from the kept inputs equal those read by SQL.
                let need = crate::population::need_agrees_with_the_sql(
                    &t,
                    &format!("after write {step} ({kind})"),
                )
                .await;
                let c = need.completeness;
                let bands: std::collections::BTreeSet<_> =
                    need.by_area_band.keys().filter_map(|(_, band)| *band).collect();
                for (case, happened) in need_cases.iter_mut().zip([
                    c.area_known < c.postcode,
                    c.postcode < c.referrals,
                    bands.len() >= 2,
                    need.by_area_band.values().any(|n| n.seen > 0),
                    need.by_sex.len() == 3,
                ]) {
                    *case |= happened;
                }
                // Every allocation and referral names its young person for the name searches
                // (0019, 0021), whichever write made or moved it.
                assert_eq!(
                    t.rows_with_stale_name_keys().await,
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
            "contact and outcome measure",
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
        crate::population::need_agrees_with_the_dashboard(&t, &queries[0], &last).await;
        // The need counts compared were not trivial either: at some point a district outside
        // the table, some without a postcode, two age bands, some seen, female, male and
        // neither.
        assert_eq!(
            need_cases,
            [true; 5],
            "outside the table, no postcode, two bands, seen, every sex"
        );
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
