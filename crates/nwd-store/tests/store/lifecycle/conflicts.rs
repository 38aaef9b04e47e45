//! Refusal of conflicting changes: a stale version, concurrent changes to one version.

use jiff::civil::date;
use nwd_domain::codes::{ConsultationMechanism, ContactStatus, DischargeReason, TeamType};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::{Command, DischargeCommand, Referral, ReferralStatus};
use nwd_store::StoreError;

use crate::backend::{for_each_backend, TestStore};
use crate::synthetic::{
    add_service, assert_projection_is_replay, contact, organisation, person, receive, run, service,
    triage, NHS_A,
};

use super::{DAY, HOUR};

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
                    without_closing_measure: None,
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
