//! The kept figures: equal to a fresh computation after every write, after a write by another
//! store on the same database, and usual waits that do not wait for the first read.

use jiff::civil::date;
use nwd_domain::codes::{ConsultationMechanism, ContactStatus, Priority, ReferralSource, TeamType};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::Command;
use nwd_store::dashboard::DashboardQuery;

use crate::backend::for_each_backend;
use crate::synthetic::{
    add_service, contact, organisation, person, receive_with, run, service, triage,
};

use super::ts;

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
                    without_closing_measure: Some(nwd_domain::referral::measurement::MissingMeasure {
                reason: nwd_domain::referral::measurement::MissingMeasureReason::NotClinicallyAppropriate,
                note: None,
            }),
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
