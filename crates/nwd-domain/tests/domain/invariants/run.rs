//! Running a journey through `Referral::execute` and checking the four invariants after
//! every command, recording what the journey reached ([`Coverage`]).

use std::collections::BTreeSet;

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;
use uuid::Uuid;

use nwd_domain::codes::{ContactStatus, ReasonCode, ReferralSource};
use nwd_domain::directory::Service;
use nwd_domain::person::age_in_years;
use nwd_domain::referral::{
    AllocationOrigin, ContactKind, Context, NewReferral, RecordedEvent, Referral, ReferralEvent,
    ReferralKind, ReferralStatus, Referrer,
};
use nwd_domain::standards::WaitStandard;
use nwd_domain::waits::entries_for;
use nwd_domain::{AllocationId, DomainError, PersonId, ReferralId};

use super::*;

/// What a set of journeys reached: event types, statuses, refusals, and waiting-list
/// situations (someone waiting; someone seen and so off the list while still allocated).
#[derive(Debug, Default)]
pub(super) struct Coverage {
    pub(super) events: BTreeSet<&'static str>,
    pub(super) statuses: BTreeSet<&'static str>,
    pub(super) errors: BTreeSet<&'static str>,
    pub(super) waits: BTreeSet<&'static str>,
}

pub(super) fn run(
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
        details: Default::default(),
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

pub(super) fn check_invariants(
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
