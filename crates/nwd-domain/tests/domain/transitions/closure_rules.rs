//! Rules about ending care worth a case of their own: closing always has a destination, a
//! discharge accepts exactly the codes the pages offer, a warm handover needs a note, and a
//! transition is planned by need with its outcome recorded later.

use jiff::civil::date;

use nwd_domain::codes::{DischargeReason, ReferralSource, TransitionOutcome};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::{
    Command, DestinationRequest, DischargeCommand, ReferralEvent, ReferralKind, ReferralStatus,
    TransitionCommand, TransitionPlanCommand,
};
use nwd_domain::DomainError;
use nwd_domain::ServiceId;

use super::*;

#[test]
fn closing_always_has_a_destination() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    let cases = [
        (triage(vec![]), "refused: invalid [destinations]"),
        (
            triage(vec![DestinationRequest::Declined {
                reason: " ".to_string(),
            }]),
            "refused: invalid [destinations[0].reason]",
        ),
        (
            triage(vec![
                signpost(),
                DestinationRequest::Declined {
                    reason: "Not now".to_string(),
                },
            ]),
            "refused: invalid [destinations]",
        ),
        (
            triage(vec![DestinationRequest::Signpost {
                name: String::new(),
                service_id: None,
                warm_handover: false,
                handover_note: None,
            }]),
            "refused: invalid [destinations[0].name]",
        ),
    ];
    for (i, (command, expected)) in cases.into_iter().enumerate() {
        check_command(
            &mut desk,
            &mut referral,
            Command::Triage(command),
            expected,
            &format!("close case {i}"),
        );
    }
    let blank = Command::Decline {
        reason: "  ".to_string(),
    };
    check_command(
        &mut desk,
        &mut referral,
        blank,
        "refused: invalid [reason]",
        "blank decline",
    );
    assert_eq!(referral.status, ReferralStatus::AwaitingTriage);

    // A discharge from the last allocation names every service the young person was seen by.
    let r = &mut referral;
    desk.given(
        r,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY), allocate_to(WELLBEING)])),
    );
    let (community, wellbeing) = (r.allocations[0].id, r.allocations[1].id);
    check_command(
        &mut desk,
        r,
        discharge(community),
        "open: allocation_ended",
        "first discharge",
    );
    check_command(
        &mut desk,
        r,
        discharge(wellbeing),
        "closed(allocated): allocation_ended, closed",
        "last discharge",
    );
    let closure = r.closure.as_ref().unwrap();
    assert_eq!(closure.at, ts(NOW));
    assert_eq!(
        closure.destination.name(),
        "Discharged from Northvale community CYPMHS, Harbour creative therapy"
    );
    assert_eq!(
        closure.destination,
        nwd_domain::referral::Destination::Allocated {
            service_ids: vec![COMMUNITY, WELLBEING],
            service_names: vec![
                "Northvale community CYPMHS".to_string(),
                "Harbour creative therapy".to_string()
            ],
        }
    );
}

#[test]
fn discharge_accepts_exactly_the_codes_the_pages_offer() {
    // The pages offer the codes for which `accepted_at_discharge` holds; the command accepts
    // exactly those (transition and step changes have their own actions).
    for reason in DischargeReason::ALL {
        let mut desk = Desk::new(date(2011, 5, 20));
        let mut r = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
        desk.given(
            &mut r,
            TRIAGED,
            Command::Triage(triage(vec![allocate_to(COMMUNITY)])),
        );
        let allocation_id = r.allocations[0].id;
        let result = desk.run(
            &mut r,
            NOW,
            Command::Discharge(DischargeCommand {
                allocation_id,
                reason: *reason,
                note: None,
                without_closing_measure: None,
            }),
        );
        assert_eq!(
            result.is_ok(),
            reason.accepted_at_discharge(),
            "{reason:?}: {result:?}"
        );
    }
}

#[test]
fn a_warm_handover_needs_a_note_of_the_handover() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut r = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    let warm = |note: Option<&str>| {
        Command::Triage(triage(vec![DestinationRequest::Signpost {
            name: "Riverside Youth Counselling".to_string(),
            service_id: None,
            warm_handover: true,
            handover_note: note.map(str::to_string),
        }]))
    };
    let refused = desk.run(&mut r, TRIAGED, warm(None)).unwrap_err();
    assert!(
        refused.to_string().contains("handover")
            || format!("{refused:?}").contains("destinations[0].handover_note"),
        "{refused:?}"
    );
    assert_eq!(r.status, ReferralStatus::AwaitingTriage, "nothing changed");
    desk.given(&mut r, TRIAGED, warm(Some("Spoke to the duty counsellor")));
    assert_eq!(
        r.signposts[0].handover_note.as_deref(),
        Some("Spoke to the duty counsellor")
    );
    assert_eq!(
        r.closure.as_ref().map(|c| c.destination.name()),
        Some("Riverside Youth Counselling".to_string())
    );
}

#[test]
fn a_transition_is_planned_by_need_and_its_outcome_recorded_later() {
    // Born 20 May 2008: 17 on the day of triage, 18 on 20 May 2026.
    let mut desk = Desk::new(date(2008, 5, 20));
    let mut r = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    desk.given(
        &mut r,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY)])),
    );
    let allocation = r.allocations[0].id;
    let plan = |planned_on: &str, service: Option<ServiceId>, name: Option<&str>| {
        Command::PlanTransition(TransitionPlanCommand {
            allocation_id: allocation,
            planned_on: planned_on.parse().unwrap(),
            outcome: TransitionOutcome::ZeroToTwentyFiveService,
            receiving_service_id: service,
            receiving_service: name.map(str::to_string),
            note: Some("Met the 18-25 team together".to_string()),
        })
    };
    let field_of = |error: DomainError| match error {
        DomainError::Invalid(errors) => errors.0.into_iter().map(|e| e.field).collect::<Vec<_>>(),
        other => panic!("expected a field error, got {other:?}"),
    };
    // A date in the past is not a plan.
    let refused = desk.run(&mut r, NOW, plan("2025-01-01", None, Some("Adult team")));
    assert_eq!(field_of(refused.unwrap_err()), vec!["planned_on"]);
    // The receiving service is checked against the need group and the age on the planned
    // date: Harbour creative therapy serves Getting help to 18, and on 1 June 2027 they are 19.
    let refused = desk.run(&mut r, NOW, plan("2027-06-01", Some(WELLBEING), None));
    assert_eq!(field_of(refused.unwrap_err()), vec!["receiving_service_id"]);
    // Another service must be named.
    let refused = desk.run(&mut r, NOW, plan("2026-05-01", None, None));
    assert_eq!(field_of(refused.unwrap_err()), vec!["receiving_service"]);
    assert!(r.transition_plans.is_empty(), "nothing was planned");
    // Before the 19th birthday Harbour still serves them: planned, and the service stays open.
    desk.given(&mut r, NOW, plan("2026-05-01", Some(WELLBEING), None));
    assert_eq!(r.status, ReferralStatus::Open);
    assert!(r.allocations[0].is_active());
    let current = r.transition_plan(allocation).expect("planned");
    assert_eq!(
        current.receiving_service.as_deref(),
        Some("Harbour creative therapy")
    );
    assert_eq!(current.planned_on, date(2026, 5, 1));
    // Planning again replaces the plan.
    desk.given(&mut r, NOW, plan("2026-05-15", Some(WELLBEING), None));
    assert_eq!(r.open_transition_plans().len(), 1);
    assert_eq!(r.open_transition_plans()[0].planned_on, date(2026, 5, 15));
    // Later, the outcome as planned: the plan's receiving service is recorded.
    let events = desk
        .run(
            &mut r,
            "2026-05-15T10:00:00Z",
            Command::Transition(TransitionCommand {
                allocation_id: allocation,
                outcome: TransitionOutcome::ZeroToTwentyFiveService,
                need_group: NeedGroup::GettingHelp,
                receiving_service: None,
                note: None,
            }),
        )
        .unwrap();
    assert!(events.iter().any(|e| matches!(
        &e.event,
        ReferralEvent::TransitionRecorded { receiving_service: Some(name), .. }
            if name == "Harbour creative therapy"
    )));
    assert_eq!(r.status, ReferralStatus::Closed);
    assert!(
        r.open_transition_plans().is_empty(),
        "the plan is history now"
    );
}
