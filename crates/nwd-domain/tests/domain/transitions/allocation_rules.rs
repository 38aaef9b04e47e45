//! Rules about allocating worth a case of their own: closed referrals and discharged
//! allocations refuse new work, advice requests are never allocated, an under-16 self-referral
//! needs a competence decision, a step change leaves at least one service, and the wait clocks
//! start at receipt for triage and at the decision for later allocations.

use jiff::civil::{date, Date};
use jiff::Timestamp;

use nwd_domain::codes::{ContactStatus, ReferralSource};
use nwd_domain::need::{NeedGroup, StepDirection};
use nwd_domain::referral::{
    AllocateCommand, AllocationOrigin, Command, ReferralKind, ReferralStatus,
};
use nwd_domain::standards::{WaitStandard, WaitTarget};
use nwd_domain::waits::entries_for;
use nwd_domain::ServiceId;
use nwd_domain::{AllocationId, DomainError};

use super::*;

#[test]
fn triage_of_a_closed_referral_is_refused_and_names_its_destination() {
    for start in [
        Start::ClosedSignposted,
        Start::ClosedDischarged,
        Start::ClosedDeclined,
    ] {
        let mut desk = Desk::new(date(2011, 5, 20));
        let mut referral = start.build(&mut desk);
        let before = referral.clone();
        let error = desk
            .run(&mut referral, NOW, Cmd::TriageAllocate.build(&before))
            .unwrap_err();
        let DomainError::IllegalTransition(message) = error else {
            panic!("{start:?}: expected an illegal transition, got {error:?}");
        };
        let destination = before.closure.as_ref().unwrap().destination.name();
        assert!(message.contains("closed"), "{message}");
        assert!(
            message.contains(&destination),
            "{message} should name {destination}"
        );
        assert_eq!(referral, before);
    }
}

#[test]
fn contact_on_a_discharged_allocation_is_refused_while_the_referral_stays_open() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    let r = &mut referral;
    desk.given(
        r,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY), allocate_to(WELLBEING)])),
    );
    let community = r.allocations[0].id;
    let wellbeing = r.allocations[1].id;
    desk.given(
        r,
        "2025-01-09T09:00:00Z",
        contact(community, "2025-01-15T10:00:00Z", ContactStatus::Scheduled),
    );
    let booked = r.contacts[0].id;
    desk.given(r, "2025-01-10T09:00:00Z", discharge(community));
    assert_eq!(r.status, ReferralStatus::Open);

    let case = "contact on discharged allocation";
    let late = contact(community, "2025-02-01T10:00:00Z", ContactStatus::Attended);
    check_command(&mut desk, r, late, ILLEGAL, case);
    let outcome = Command::RecordContactOutcome {
        contact_id: booked,
        status: ContactStatus::Attended,
    };
    check_command(
        &mut desk,
        r,
        outcome,
        ILLEGAL,
        "outcome on discharged allocation",
    );
    check_command(
        &mut desk,
        r,
        discharge(community),
        ILLEGAL,
        "discharge twice",
    );
    let other = contact(wellbeing, "2025-02-01T10:00:00Z", ContactStatus::Attended);
    check_command(
        &mut desk,
        r,
        other,
        "open: contact_recorded",
        "contact on the other allocation",
    );
}

#[test]
fn an_advice_request_cannot_be_allocated() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = desk.receive(ReferralKind::AdviceRequest, ReferralSource::Gp);
    let cases = [
        (
            Command::Triage(triage(vec![signpost(), allocate_to(COMMUNITY)])),
            "refused: invalid [destinations[1]]",
        ),
        (Cmd::Allocate.build(&referral), ILLEGAL),
        (step(vec![], vec![COMMUNITY]), ILLEGAL),
        (
            Cmd::TriageAdvice.build(&referral),
            "closed(advice_given): triaged, advice_given, closed",
        ),
    ];
    for (i, (command, expected)) in cases.into_iter().enumerate() {
        check_command(
            &mut desk,
            &mut referral,
            command,
            expected,
            &format!("advice case {i}"),
        );
    }
    assert!(referral.allocations.is_empty());
}

/// Triage to the community service for someone born on `born`, referred by `source`, with a
/// competence decision recorded beforehand and/or offered with the triage.
fn check_competence(
    born: Date,
    source: ReferralSource,
    recorded_before: Option<bool>,
    with_triage: Option<bool>,
    expected: &str,
) {
    let mut desk = Desk::new(born);
    let mut referral = desk.receive(ReferralKind::Referral, source);
    if let Some(competent) = recorded_before {
        desk.given(
            &mut referral,
            TRIAGED,
            Command::RecordCompetence(competence(competent)),
        );
    }
    let mut command = triage(vec![allocate_to(COMMUNITY)]);
    command.competence = with_triage.map(competence);
    let case =
        format!("born {born}, {source:?}, before {recorded_before:?}, with triage {with_triage:?}");
    check_command(
        &mut desk,
        &mut referral,
        Command::Triage(command),
        expected,
        &case,
    );
}

#[test]
fn an_under_16_self_referral_needs_a_competence_decision_before_allocation() {
    use ReferralSource::*;
    const NEEDS: &str = "refused: invalid [competence]";
    const OPENS: &str = "open: triaged, allocated";
    let fourteen = date(2010, 9, 1);
    // Received 6 January 2025; turns 16 on 20 January 2025, before triage: age at referral counts.
    let fifteen_at_referral = date(2009, 1, 20);
    // 16th birthday on the day the referral is received.
    let sixteen_today = date(2009, 1, 6);

    check_competence(fourteen, SelfReferral, None, None, NEEDS);
    check_competence(fourteen, SelfReferral, None, Some(false), NEEDS);
    check_competence(fourteen, SelfReferral, Some(false), None, NEEDS);
    check_competence(fourteen, SelfReferral, Some(true), Some(false), NEEDS);
    check_competence(fourteen, SelfReferral, Some(true), None, OPENS);
    check_competence(
        fourteen,
        SelfReferral,
        None,
        Some(true),
        "open: competence_recorded, triaged, allocated",
    );
    check_competence(fifteen_at_referral, SelfReferral, None, None, NEEDS);
    check_competence(sixteen_today, SelfReferral, None, None, OPENS);
    // Only self-referrals need it: a parent's or a professional's referral does not.
    check_competence(fourteen, ParentCarer, None, None, OPENS);
    check_competence(fourteen, School, None, None, OPENS);

    // Signposting allocates nothing, so needs no decision.
    let mut desk = Desk::new(fourteen);
    let mut referral = desk.receive(ReferralKind::Referral, SelfReferral);
    let expected = "closed(signposted): triaged, signposted, closed";
    check_command(
        &mut desk,
        &mut referral,
        Command::Triage(triage(vec![signpost()])),
        expected,
        "signpost",
    );
}

#[test]
fn a_later_decision_of_no_competence_stops_further_allocations() {
    let mut desk = Desk::new(date(2010, 9, 1));
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::SelfReferral);
    let r = &mut referral;
    let mut first = triage(vec![allocate_to(COMMUNITY)]);
    first.competence = Some(competence(true));
    desk.given(r, TRIAGED, Command::Triage(first));
    desk.given(
        r,
        "2025-01-20T10:00:00Z",
        Command::RecordCompetence(competence(false)),
    );
    let community = r.allocations[0].id;

    let needs = "refused: invalid [competence]";
    let added = Cmd::Allocate.build(r);
    check_command(&mut desk, r, added, needs, "added service");
    let step_to_new = step(vec![community], vec![INTENSIVE]);
    check_command(&mut desk, r, step_to_new, needs, "step to a new service");
    // Support already in place continues; a step that allocates nothing is allowed.
    let keep = step(vec![], vec![]);
    check_command(
        &mut desk,
        r,
        keep,
        "open: need_group_changed",
        "step in place",
    );
    let seen = contact(community, "2025-02-01T10:00:00Z", ContactStatus::Attended);
    check_command(&mut desk, r, seen, "open: contact_recorded", "contact");

    desk.given(
        r,
        "2025-02-02T10:00:00Z",
        Command::RecordCompetence(competence(true)),
    );
    let added = Command::Allocate(AllocateCommand {
        service_id: INTENSIVE,
        reason: "Crisis plan alongside community sessions".to_string(),
    });
    check_command(
        &mut desk,
        r,
        added,
        "open: allocated",
        "allocated once competent",
    );
}

#[test]
fn a_step_change_must_leave_at_least_one_service() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    let r = &mut referral;
    desk.given(
        r,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY), allocate_to(WELLBEING)])),
    );
    let community = r.allocations[0].id;
    let wellbeing = r.allocations[1].id;

    let cases = [
        (
            step(vec![community, wellbeing], vec![]),
            "refused: invalid [allocate]",
        ),
        (
            step(vec![community, community], vec![]),
            "refused: invalid [end_allocations[1]]",
        ),
        (
            step(vec![AllocationId(UNKNOWN)], vec![]),
            "refused: invalid [end_allocations[0]]",
        ),
        (
            step(vec![community], vec![CLOSED_SERVICE]),
            "refused: invalid [allocate[0]]",
        ),
        (
            step(vec![], vec![COMMUNITY]),
            "refused: invalid [allocate[0]]",
        ),
        // Wellbeing does not serve Getting More Help, but it may continue alongside.
        (
            step(vec![community], vec![INTENSIVE]),
            "open: need_group_changed, allocation_ended, allocated",
        ),
        (step(vec![wellbeing], vec![]), "refused: invalid [to]"),
    ];
    for (i, (command, expected)) in cases.into_iter().enumerate() {
        check_command(&mut desk, r, command, expected, &format!("step case {i}"));
    }
    assert_eq!(r.need_group, Some(NeedGroup::GettingMoreHelp));
    assert_eq!(r.active_allocations().count(), 2);
}

#[test]
fn wait_clocks_start_at_receipt_for_triage_and_at_the_decision_for_later_allocations() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    let r = &mut referral;
    desk.given(
        r,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY)])),
    );
    let added = "2025-01-13T10:00:00Z";
    let additional = Cmd::Allocate.build(r);
    desk.given(r, added, additional);
    let stepped = "2025-01-20T15:30:00Z";
    let step_up = step(vec![r.allocations[0].id], vec![INTENSIVE]);
    desk.given(r, stepped, step_up);

    let clocks: Vec<(ServiceId, AllocationOrigin, Timestamp, Timestamp)> = r
        .allocations
        .iter()
        .map(|a| (a.service_id, a.origin, a.allocated_at, a.clock_start))
        .collect();
    assert_eq!(
        clocks,
        [
            (
                COMMUNITY,
                AllocationOrigin::Triage,
                ts(TRIAGED),
                ts(RECEIVED)
            ),
            (
                WELLBEING,
                AllocationOrigin::Additional,
                ts(added),
                ts(added)
            ),
            (
                INTENSIVE,
                AllocationOrigin::Step(StepDirection::Up),
                ts(stepped),
                ts(stepped)
            ),
        ]
    );

    // The waiting list measures a four-week standard from those clocks.
    let four_weeks = [WaitStandard {
        name: "Community: 4 weeks".to_string(),
        target: WaitTarget::Days(28),
        priorities: vec![],
        sources: vec![],
        target_share_percent: None,
        source: "test".to_string(),
    }];
    let wait = |service_id: ServiceId| {
        let entries = entries_for(r, service_id, &four_weeks, ts(NOW), &desk.tz);
        entries
            .iter()
            .map(|e| (e.clock_start, e.days_waited, e.breach_at, e.breached))
            .collect::<Vec<_>>()
    };
    // Community ended with the step: it is no longer on a waiting list.
    assert_eq!(wait(COMMUNITY), []);
    assert_eq!(
        wait(WELLBEING),
        [(ts(added), 21, Some(ts("2025-02-10T10:00:00Z")), false)]
    );
    assert_eq!(
        wait(INTENSIVE),
        [(ts(stepped), 14, Some(ts("2025-02-17T15:30:00Z")), false)]
    );

    // A triage allocation that waits past four weeks from receipt has breached, although it
    // was triaged two days after receipt.
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    desk.given(
        &mut referral,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY)])),
    );
    let entries = entries_for(&referral, COMMUNITY, &four_weeks, ts(NOW), &desk.tz);
    let summary: Vec<_> = entries
        .iter()
        .map(|e| (e.clock_start, e.days_waited, e.breach_at, e.breached))
        .collect();
    assert_eq!(
        summary,
        [(ts(RECEIVED), 28, Some(ts("2025-02-03T09:00:00Z")), true)]
    );

    // Attending the first contact takes the allocation off the list; a booking does not.
    let allocation = referral.allocations[0].id;
    let at = "2025-02-03T09:30:00Z";
    desk.given(
        &mut referral,
        NOW,
        contact(allocation, at, ContactStatus::Scheduled),
    );
    assert_eq!(
        entries_for(&referral, COMMUNITY, &four_weeks, ts(NOW), &desk.tz).len(),
        1
    );
    desk.given(
        &mut referral,
        NOW,
        contact(allocation, at, ContactStatus::Attended),
    );
    assert_eq!(
        entries_for(&referral, COMMUNITY, &four_weeks, ts(NOW), &desk.tz),
        []
    );
}
