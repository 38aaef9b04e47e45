// Over 600 lines: to be split by what it owns in issue 16 (the architecture step), not mid-issue.
//! Property tests: random journeys through the single point of access — random commands with
//! plausible and implausible parameters, at random times — never break the referral's
//! invariants. After every command:
//!
//! 1. **No wrong door.** Closed if and only if a closure (with its named destination) is
//!    recorded, and a closed referral leaves nobody allocated; an open referral has at least
//!    one active allocation; a referral awaiting triage has none. Advice requests are never
//!    allocated, and an under-16 self-referral is only ever allocated on a competent decision.
//! 2. **Replay.** Replaying every recorded event rebuilds exactly the current state; the
//!    version is the number of events and their seqs are 1..=n.
//! 3. **Refusal changes nothing.** A refused command leaves the state exactly as it was and
//!    records no events.
//! 4. **Waiting lists.** For every service, `waits::entries_for` lists exactly the active
//!    allocations there with no attended direct contact (worked out here from the contacts,
//!    not through `Allocation::is_waiting`), each with its clock: referral received for a
//!    triage allocation, the decision's time for any later one.
//!
//! A deterministic run also checks that the generator reaches every event, status and error,
//! so the properties cannot pass by never getting anywhere.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use jiff::civil::{date, Date};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use uuid::Uuid;

use nwd_domain::codes::{
    ConsultationMechanism, ContactStatus, DeliveryMode, DischargeReason, Priority, ReasonCode,
    ReferralSource, TeamType, TransitionOutcome,
};
use nwd_domain::directory::{Capacity, Service, ServiceDetails};
use nwd_domain::need::{NeedGroup, RiskLevel, StepDirection};
use nwd_domain::person::{age_in_years, CompetenceDecision};
use nwd_domain::referral::{
    AllocateCommand, AllocationOrigin, Command, ContactInput, ContactKind, Context,
    DestinationRequest, DischargeCommand, NewReferral, RecordedEvent, Referral, ReferralEvent,
    ReferralKind, ReferralStatus, Referrer, StepCommand, TransitionCommand, TriageCommand,
};
use nwd_domain::standards::{WaitStandard, WaitTarget};
use nwd_domain::waits::entries_for;
use nwd_domain::ServiceId;
use nwd_domain::{AllocationId, ContactId, DomainError, OrganisationId, PersonId, ReferralId};

// ---------------------------------------------------------------------------------------------
// The world
// ---------------------------------------------------------------------------------------------

/// The directory's services, then one id that is in no directory.
const SERVICE_IDS: [ServiceId; 6] = [
    ServiceId(Uuid::from_u128(0xC0)),
    ServiceId(Uuid::from_u128(0xC1)),
    ServiceId(Uuid::from_u128(0xC2)),
    ServiceId(Uuid::from_u128(0xC3)),
    ServiceId(Uuid::from_u128(0xC4)),
    ServiceId(Uuid::from_u128(0xFF)),
];

const RECEIVED: &str = "2025-01-06T09:00:00Z";

fn directory() -> Vec<Service> {
    use NeedGroup::*;
    let service =
        |i: usize, name: &str, need_groups: &[NeedGroup], ages: (i16, i16), active| Service {
            id: SERVICE_IDS[i],
            details: ServiceDetails {
                organisation_id: OrganisationId(Uuid::from_u128(0x0A)),
                name: name.to_string(),
                description: String::new(),
                need_groups: need_groups.to_vec(),
                age_from: ages.0,
                age_to: ages.1,
                team_type: TeamType::Community,
                delivery_modes: vec![DeliveryMode::FaceToFace],
                areas: vec![],
                self_referral: true,
                capacity: Capacity::default(),
                standards: vec![],
                active,
            },
        };
    vec![
        service(
            0,
            "Northvale CYPMHS",
            &[GettingHelp, GettingMoreHelp],
            (0, 17),
            true,
        ),
        service(
            1,
            "Harbour creative therapy",
            &[GettingAdvice, GettingHelp],
            (5, 18),
            true,
        ),
        service(
            2,
            "Northvale intensive support",
            &[GettingMoreHelp, GettingRiskSupport],
            (0, 17),
            true,
        ),
        service(
            3,
            "Northvale 16-25 service",
            &[GettingHelp, GettingMoreHelp],
            (16, 25),
            true,
        ),
        service(4, "Closed pilot", NeedGroup::ALL, (0, 25), false),
    ]
}

fn standards() -> Vec<WaitStandard> {
    vec![WaitStandard {
        name: "Community: 4 weeks".to_string(),
        target: WaitTarget::Days(28),
        priorities: vec![],
        sources: vec![],
        target_share_percent: None,
        source: "test".to_string(),
    }]
}

// ---------------------------------------------------------------------------------------------
// Generated journeys
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Start {
    kind: ReferralKind,
    source: ReferralSource,
    priority: Priority,
    date_of_birth: Date,
}

/// An index into the referral's allocations or contacts (wrapped), or `None` for an id that
/// is on no referral.
type Pick = Option<usize>;

#[derive(Debug, Clone)]
enum Dest {
    Allocate(usize),
    Signpost { blank: bool, service: Option<usize> },
    Advice { blank: bool },
    Declined { blank: bool },
}

#[derive(Debug, Clone)]
enum Action {
    Competence {
        competent: bool,
        blank: bool,
    },
    Triage {
        group: usize,
        destinations: Vec<Dest>,
        competence: Option<bool>,
        blank: bool,
    },
    Allocate {
        service: usize,
        blank: bool,
    },
    Contact {
        allocation: Pick,
        offset_hours: i64,
        status: usize,
        mechanism: usize,
        indirect: Option<bool>,
        minutes: u16,
    },
    Outcome {
        contact: Pick,
        status: usize,
    },
    Step {
        up: bool,
        group: usize,
        end: Vec<Pick>,
        allocate: Vec<usize>,
        blank: bool,
    },
    Transition {
        allocation: Pick,
        outcome: usize,
        group: usize,
    },
    Discharge {
        allocation: Pick,
        reason: usize,
    },
    Decline {
        blank: bool,
    },
}

fn start() -> impl Strategy<Value = Start> {
    let kind =
        prop_oneof![4 => Just(ReferralKind::Referral), 1 => Just(ReferralKind::AdviceRequest)];
    let source = prop::sample::select(ReferralSource::ALL);
    let priority = prop::sample::select(Priority::ALL);
    let born = (8i16..=19, 1i8..=12, 1i8..=28).prop_map(|(age, m, d)| date(2025 - age, m, d));
    (kind, source, priority, born).prop_map(|(kind, source, priority, date_of_birth)| Start {
        kind,
        source,
        priority,
        date_of_birth,
    })
}

fn pick() -> impl Strategy<Value = Pick> {
    prop::option::weighted(0.9, 0..8usize)
}

/// Mostly a bad flag is false: most text is filled in.
fn blank() -> impl Strategy<Value = bool> {
    prop::bool::weighted(0.1)
}

fn service() -> impl Strategy<Value = usize> {
    0..SERVICE_IDS.len()
}

fn group() -> impl Strategy<Value = usize> {
    0..NeedGroup::ALL.len()
}

fn destination() -> impl Strategy<Value = Dest> {
    prop_oneof![
        6 => service().prop_map(Dest::Allocate),
        2 => (blank(), prop::option::of(service()))
            .prop_map(|(blank, service)| Dest::Signpost { blank, service }),
        1 => blank().prop_map(|blank| Dest::Advice { blank }),
        1 => blank().prop_map(|blank| Dest::Declined { blank }),
    ]
}

fn action() -> impl Strategy<Value = Action> {
    // Scheduled (index 0) and attended (index 1) are the statuses that matter most.
    let status =
        prop_oneof![2 => Just(0usize), 2 => Just(1usize), 3 => 0..ContactStatus::ALL.len()];
    let minutes = prop_oneof![1 => Just(0u16), 8 => 1u16..=120, 1 => Just(24 * 60 + 1)];
    prop_oneof![
        2 => (any::<bool>(), blank())
            .prop_map(|(competent, blank)| Action::Competence { competent, blank }),
        3 => (group(), prop::collection::vec(destination(), 0..=3), prop::option::of(any::<bool>()), blank())
            .prop_map(|(group, destinations, competence, blank)| Action::Triage { group, destinations, competence, blank }),
        4 => (service(), blank()).prop_map(|(service, blank)| Action::Allocate { service, blank }),
        12 => (pick(), -72i64..=12, status, 0..ConsultationMechanism::ALL.len(), prop::option::weighted(0.2, blank()), minutes)
            .prop_map(|(allocation, offset_hours, status, mechanism, indirect, minutes)| Action::Contact {
                allocation, offset_hours, status, mechanism, indirect, minutes,
            }),
        8 => (pick(), 0..ContactStatus::ALL.len())
            .prop_map(|(contact, status)| Action::Outcome { contact, status }),
        6 => (any::<bool>(), group(), prop::collection::vec(pick(), 0..=2), prop::collection::vec(service(), 0..=2), blank())
            .prop_map(|(up, group, end, allocate, blank)| Action::Step { up, group, end, allocate, blank }),
        2 => (pick(), 0..TransitionOutcome::ALL.len(), group())
            .prop_map(|(allocation, outcome, group)| Action::Transition { allocation, outcome, group }),
        3 => (pick(), 0..DischargeReason::ALL.len())
            .prop_map(|(allocation, reason)| Action::Discharge { allocation, reason }),
        1 => blank().prop_map(|blank| Action::Decline { blank }),
    ]
}

/// A triage a desk would plausibly make: Getting Help, to one or two services that offer
/// it, with a competence decision offered more often than not.
fn plausible_triage() -> impl Strategy<Value = Action> {
    let services = prop_oneof![
        Just(vec![Dest::Allocate(0)]),
        Just(vec![Dest::Allocate(1)]),
        Just(vec![Dest::Allocate(3)]),
        Just(vec![Dest::Allocate(0), Dest::Allocate(1)]),
    ];
    let competence = prop::option::weighted(0.7, prop::bool::weighted(0.9));
    (services, competence).prop_map(|(destinations, competence)| Action::Triage {
        group: 2,
        destinations,
        competence,
        blank: false,
    })
}

/// A journey: where it starts, usually a plausible triage, then random commands, each after
/// a pause of up to three days.
fn journey() -> impl Strategy<Value = (Start, Vec<(Action, i64)>)> {
    let pause = || 0i64..=3 * 24 * 60;
    (
        start(),
        prop::option::weighted(0.75, (plausible_triage(), pause())),
        prop::collection::vec((action(), pause()), 1..40),
    )
        .prop_map(|(start, triage, actions)| (start, triage.into_iter().chain(actions).collect()))
}

// ---------------------------------------------------------------------------------------------
// From actions to commands
// ---------------------------------------------------------------------------------------------

fn text(blank: bool, value: &str) -> String {
    if blank {
        "   ".to_string()
    } else {
        value.to_string()
    }
}

fn unknown() -> Uuid {
    Uuid::from_u128(0xDEAD)
}

fn allocation_id(referral: &Referral, pick: Pick) -> AllocationId {
    match pick {
        Some(i) if !referral.allocations.is_empty() => {
            referral.allocations[i % referral.allocations.len()].id
        }
        _ => AllocationId(unknown()),
    }
}

fn contact_id(referral: &Referral, pick: Pick) -> ContactId {
    match pick {
        Some(i) if !referral.contacts.is_empty() => {
            referral.contacts[i % referral.contacts.len()].id
        }
        _ => ContactId(unknown()),
    }
}

fn competence(competent: bool, blank: bool) -> CompetenceDecision {
    CompetenceDecision {
        competent,
        assessed_by: text(blank, "Jo Triage, CAMHS practitioner"),
        rationale: "Understands the help offered and that they can stop".to_string(),
    }
}

fn command(action: &Action, referral: &Referral, now: Timestamp) -> Command {
    match action {
        Action::Competence { competent, blank } => {
            Command::RecordCompetence(competence(*competent, *blank))
        }
        Action::Triage {
            group,
            destinations,
            competence: decision,
            blank,
        } => Command::Triage(TriageCommand {
            need_group: NeedGroup::ALL[*group],
            risk: RiskLevel::Medium,
            priority: None,
            risk_review_on: None,
            rationale: text(*blank, "Agreed with the young person and family"),
            preference: None,
            destinations: destinations
                .iter()
                .map(|d| match d {
                    Dest::Allocate(s) => DestinationRequest::Allocate {
                        service_id: SERVICE_IDS[*s],
                    },
                    Dest::Signpost { blank, service } => DestinationRequest::Signpost {
                        name: text(*blank, "Riverside Youth Counselling"),
                        service_id: service.map(|s| SERVICE_IDS[s]),
                        warm_handover: false,
                        handover_note: None,
                    },
                    Dest::Advice { blank } => DestinationRequest::AdviceGiven {
                        summary: text(*blank, "Graded plan for school attendance"),
                    },
                    Dest::Declined { blank } => DestinationRequest::Declined {
                        reason: text(*blank, "Would rather try the school counsellor"),
                    },
                })
                .collect(),
            competence: decision.map(|competent| competence(competent, false)),
        }),
        Action::Allocate { service, blank } => Command::Allocate(AllocateCommand {
            service_id: SERVICE_IDS[*service],
            reason: text(*blank, "Creative therapy alongside"),
        }),
        Action::Contact {
            allocation,
            offset_hours,
            status,
            mechanism,
            indirect,
            minutes,
        } => Command::RecordContact(ContactInput {
            allocation_id: allocation_id(referral, *allocation),
            at: now.checked_add(offset_hours.hours()).unwrap(),
            status: ContactStatus::ALL[*status],
            mechanism: ConsultationMechanism::ALL[*mechanism],
            clinician: "Sam Sample".to_string(),
            duration_minutes: *minutes,
            kind: match indirect {
                None => ContactKind::Direct,
                Some(blank) => ContactKind::Indirect {
                    with: text(*blank, "School SENCo"),
                },
            },
        }),
        Action::Outcome { contact, status } => Command::RecordContactOutcome {
            contact_id: contact_id(referral, *contact),
            status: ContactStatus::ALL[*status],
        },
        Action::Step {
            up,
            group,
            end,
            allocate,
            blank,
        } => Command::Step(StepCommand {
            direction: if *up {
                StepDirection::Up
            } else {
                StepDirection::Down
            },
            to: NeedGroup::ALL[*group],
            reason: text(*blank, "Needs changed"),
            end_allocations: end.iter().map(|p| allocation_id(referral, *p)).collect(),
            allocate: allocate.iter().map(|s| SERVICE_IDS[*s]).collect(),
        }),
        Action::Transition {
            allocation,
            outcome,
            group,
        } => Command::Transition(TransitionCommand {
            allocation_id: allocation_id(referral, *allocation),
            outcome: TransitionOutcome::ALL[*outcome],
            need_group: NeedGroup::ALL[*group],
            receiving_service: None,
            note: None,
        }),
        Action::Discharge { allocation, reason } => Command::Discharge(DischargeCommand {
            allocation_id: allocation_id(referral, *allocation),
            reason: DischargeReason::ALL[*reason],
            note: None,
        }),
        Action::Decline { blank } => Command::Decline {
            reason: text(*blank, "Feeling better"),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Running a journey and checking the invariants
// ---------------------------------------------------------------------------------------------

/// What a set of journeys reached: event types, statuses, refusals, and waiting-list
/// situations (someone waiting; someone seen and so off the list while still allocated).
#[derive(Debug, Default)]
struct Coverage {
    events: BTreeSet<&'static str>,
    statuses: BTreeSet<&'static str>,
    errors: BTreeSet<&'static str>,
    waits: BTreeSet<&'static str>,
}

fn run(
    start: &Start,
    actions: &[(Action, i64)],
    coverage: &mut Coverage,
) -> Result<(), TestCaseError> {
    let services = directory();
    let standards = standards();
    let tz = TimeZone::get("Europe/London").unwrap();
    let mut now: Timestamp = RECEIVED.parse().unwrap();
    let new = NewReferral {
        kind: start.kind,
        source: start.source,
        priority: start.priority,
        requested_priority: None,
        request_reason: None,
        reasons: vec![ReasonCode::Anxiety],
        presenting_needs: "Struggling to sleep and to go to school".to_string(),
        referrer: Referrer {
            name: "Alex Example".to_string(),
            role: None,
            organisation: None,
            phone: None,
            email: None,
        },
        consent_to_share: vec![],
        received_at: now,
    };
    let id = ReferralId(Uuid::from_u128(0xA0));
    let received =
        match Referral::receive(id, PersonId(Uuid::from_u128(0xB0)), new, now, "SPA admin") {
            Ok(received) => received,
            Err(_) => {
                // Only an advice request from the young person or family is refused at receipt.
                prop_assert!(
                    start.kind == ReferralKind::AdviceRequest && start.source.is_self_or_family()
                );
                return Ok(());
            }
        };
    let mut history = vec![received];
    let mut referral = Referral::replay(&history).unwrap();
    check_invariants(start, &referral, &history, &services, &standards, now, &tz)?;

    let mut counter: u128 = 0x1000;
    for (action, pause_minutes) in actions {
        now = now.checked_add(pause_minutes.minutes()).unwrap();
        let command = command(action, &referral, now);
        let before = referral.clone();
        let result = {
            let mut new_id = || {
                counter += 1;
                Uuid::from_u128(counter)
            };
            let mut ctx = Context {
                now,
                actor: "Jo Triage",
                tz: &tz,
                date_of_birth: start.date_of_birth,
                services: &services,
                new_id: &mut new_id,
            };
            referral.execute(command, &mut ctx)
        };
        match result {
            Ok(events) => {
                prop_assert!(!events.is_empty(), "an accepted command records an event");
                for event in &events {
                    prop_assert_eq!(event.at, now);
                    coverage.events.insert(event.event.type_name());
                }
                history.extend(events);
            }
            Err(error) => {
                // (3) A refusal changes nothing; nothing is added to the history.
                prop_assert_eq!(&referral, &before, "refused with {}", error);
                coverage.errors.insert(match error {
                    DomainError::Invalid(_) => "invalid",
                    DomainError::IllegalTransition(_) => "illegal_transition",
                    DomainError::NotFound(_) => "not_found",
                    DomainError::Forbidden(_) => "forbidden",
                });
            }
        }
        coverage.statuses.insert(referral.status.as_str());
        for allocation in referral.active_allocations() {
            coverage.waits.insert(match allocation.first_attended_at {
                None => "waiting",
                Some(_) => "seen",
            });
        }
        check_invariants(start, &referral, &history, &services, &standards, now, &tz)?;
    }
    Ok(())
}

fn check_invariants(
    start: &Start,
    referral: &Referral,
    history: &[RecordedEvent],
    services: &[Service],
    standards: &[WaitStandard],
    now: Timestamp,
    tz: &TimeZone,
) -> Result<(), TestCaseError> {
    // (1) No wrong door.
    prop_assert_eq!(
        referral.status == ReferralStatus::Closed,
        referral.closure.is_some()
    );
    let active = referral.active_allocations().count();
    match referral.status {
        ReferralStatus::AwaitingTriage => {
            prop_assert!(referral.allocations.is_empty());
            prop_assert!(referral.triage.is_none());
        }
        ReferralStatus::Open => {
            prop_assert!(active >= 1, "an open referral has an active allocation");
            prop_assert!(referral.triage.is_some());
        }
        ReferralStatus::Closed => {
            prop_assert_eq!(active, 0, "a closed referral leaves nobody allocated");
            let closure = referral.closure.as_ref().unwrap();
            prop_assert!(!closure.destination.name().trim().is_empty());
        }
    }
    if referral.kind == ReferralKind::AdviceRequest {
        prop_assert!(
            referral.allocations.is_empty(),
            "advice requests open no episode of care"
        );
    }
    for allocation in &referral.allocations {
        prop_assert!(services.iter().any(|s| s.id == allocation.service_id));
    }

    // (2) Replay.
    prop_assert_eq!(referral.version as usize, history.len());
    let seqs: Vec<u32> = history.iter().map(|e| e.seq).collect();
    prop_assert_eq!(seqs, (1..=history.len() as u32).collect::<Vec<_>>());
    let replayed = Referral::replay(history);
    prop_assert_eq!(replayed.as_ref(), Ok(referral));

    // Gillick: every allocation of an under-16 self-referral follows a competent decision.
    let received_on = referral.received_at.to_zoned(tz.clone()).date();
    let needs_competence = start.source == ReferralSource::SelfReferral
        && age_in_years(start.date_of_birth, received_on) < 16;
    let mut decision: Option<bool> = None;
    for recorded in history {
        match &recorded.event {
            ReferralEvent::CompetenceRecorded { decision: d } => decision = Some(d.competent),
            ReferralEvent::Allocated { .. } if needs_competence => {
                prop_assert_eq!(
                    decision,
                    Some(true),
                    "allocated without a competent decision"
                );
            }
            _ => {}
        }
    }

    // (4) Waiting lists, worked out from the contacts themselves.
    for service_id in SERVICE_IDS {
        let entries = entries_for(referral, service_id, standards, now, tz);
        let listed: BTreeSet<AllocationId> = entries.iter().map(|e| e.allocation_id).collect();
        prop_assert_eq!(listed.len(), entries.len(), "an allocation is listed once");
        let expected: BTreeSet<AllocationId> = referral
            .allocations
            .iter()
            .filter(|a| a.service_id == service_id && a.ended.is_none())
            .filter(|a| {
                !referral.contacts.iter().any(|c| {
                    c.allocation_id == a.id
                        && matches!(
                            c.status,
                            ContactStatus::Attended | ContactStatus::AttendedLate
                        )
                        && c.kind == ContactKind::Direct
                })
            })
            .map(|a| a.id)
            .collect();
        prop_assert_eq!(&listed, &expected, "waiting list for {}", service_id);
        for entry in &entries {
            let allocation = referral.allocation(entry.allocation_id).unwrap();
            prop_assert_eq!(entry.clock_start, allocation.clock_start);
            prop_assert_eq!(entry.referral_id, referral.id);
            prop_assert_eq!(entry.priority, referral.priority);
        }
    }
    // The clock starts at receipt for triage allocations, at the decision for later ones.
    for allocation in &referral.allocations {
        let expected = match allocation.origin {
            AllocationOrigin::Triage => referral.received_at,
            AllocationOrigin::Step(_) | AllocationOrigin::Additional => allocation.allocated_at,
        };
        prop_assert_eq!(allocation.clock_start, expected);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_journeys_keep_every_invariant((start, actions) in journey()) {
        run(&start, &actions, &mut Coverage::default())?;
    }
}

#[test]
fn random_journeys_reach_every_event_status_and_refusal() {
    let mut runner = TestRunner::deterministic();
    let strategy = journey();
    let mut coverage = Coverage::default();
    for _ in 0..256 {
        let (start, actions) = strategy.new_tree(&mut runner).unwrap().current();
        run(&start, &actions, &mut coverage).unwrap();
    }
    let events: BTreeSet<&str> = [
        "competence_recorded",
        "triaged",
        "allocated",
        "signposted",
        "advice_given",
        "contact_recorded",
        "contact_outcome_recorded",
        "need_group_changed",
        "transition_recorded",
        "allocation_ended",
        "closed",
    ]
    .into();
    let missing: Vec<&&str> = events.difference(&coverage.events).collect();
    assert!(missing.is_empty(), "never reached: {missing:?}");
    assert_eq!(
        coverage.statuses,
        ["awaiting_triage", "closed", "open"].into()
    );
    assert_eq!(coverage.waits, ["seen", "waiting"].into());
    assert_eq!(
        coverage.errors,
        ["illegal_transition", "invalid", "not_found"].into()
    );
}
