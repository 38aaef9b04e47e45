//! One referral from triage to discharge — allocation, contacts, step up — with the projection
//! checked against the events at every step.

use jiff::civil::date;
use nwd_domain::codes::{ConsultationMechanism, ContactStatus, DischargeReason, TeamType};
use nwd_domain::need::{NeedGroup, StepDirection};
use nwd_domain::referral::{
    AllocateCommand, AllocationOrigin, Command, Destination, DischargeCommand, ReferralStatus,
    StepCommand,
};
use nwd_domain::{DomainError, ReferralId};
use nwd_store::StoreError;

use crate::backend::{for_each_backend, TestStore};
use crate::synthetic::{
    add_service, assert_projection_is_replay, contact, organisation, person, receive, run, service,
    triage, NHS_A,
};

use super::{summary, waiting, waiting_referrals, DAY, HOUR};

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
                without_closing_measure: Some(nwd_domain::referral::measurement::MissingMeasure {
                reason: nwd_domain::referral::measurement::MissingMeasureReason::NotClinicallyAppropriate,
                note: None,
            }),
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
                without_closing_measure: Some(nwd_domain::referral::measurement::MissingMeasure {
                reason: nwd_domain::referral::measurement::MissingMeasureReason::NotClinicallyAppropriate,
                note: None,
            }),
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
