//! A transition closes the referral with the receiving service as its destination.

use jiff::civil::date;
use nwd_domain::codes::{
    ConsultationMechanism, ContactStatus, DischargeReason, TeamType, TransitionOutcome,
};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::{Command, ReferralStatus, TransitionCommand};

use crate::backend::for_each_backend;
use crate::synthetic::{
    add_service, contact, organisation, person, receive, run, service, triage, NHS_B,
};

use super::{summary, DAY};

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
