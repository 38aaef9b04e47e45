//! Retention on both databases: a record past its date is destroyed with its events, a stub
//! and an audit entry are left, nothing identifiable survives, a record still within its
//! date (or with an open referral) is kept, and events stay undeletable except through the
//! retention path.

use jiff::civil::date;
use jiff::SignedDuration;
use nwd_domain::codes::{DischargeReason, TeamType};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::{Command, DischargeCommand, ReferralStatus};
use nwd_domain::retention::{RetentionRules, RuleApplied};

use crate::backend::{for_each_backend, TestStore};
use crate::synthetic::{
    add_service, organisation, person, receive, run, service, triage, NHS_A, NHS_B,
};

/// A young person referred, triaged to a service and discharged: a closed referral.
async fn closed_referral(t: &TestStore, name: &str, born: jiff::civil::Date, nhs: &str) -> String {
    let org = organisation(&t.store).await;
    let community = add_service(
        &t.store,
        service(
            org,
            &format!("Community CYP {name}"),
            TeamType::Community,
            &[NeedGroup::GettingHelp],
            (0, 25),
        ),
    )
    .await;
    let r = receive(t, person(name, born, Some(nhs))).await;
    t.clock.advance(SignedDuration::from_hours(24));
    let r = run(t, &r, triage(NeedGroup::GettingHelp, &[community])).await;
    let allocation = r.allocations[0].id;
    t.clock.advance(SignedDuration::from_hours(24));
    let r = run(
        t,
        &r,
        Command::Discharge(DischargeCommand {
            allocation_id: allocation,
            reason: DischargeReason::TreatmentCompleted,
            note: Some("Canary note Zebedee".into()),
            without_closing_measure: None,
        }),
    )
    .await;
    assert_eq!(r.status, ReferralStatus::Closed);
    r.person_id.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn retention_destroys_identifiable_data_past_its_date_and_leaves_an_audited_stub() {
    for_each_backend(|t| async move {
        // Treated at 12 (clock starts 3 March 2025): kept until the 25th birthday, 2038.
        let old = closed_referral(&t, "Zebedee", date(2013, 1, 10), NHS_A).await;
        // Treated at 17: kept until the 26th birthday, 2033-06-01.
        let older = closed_referral(&t, "Ysolde", date(2007, 6, 1), NHS_B).await;
        // The shipped defaults also apply the mental health entry (20 years after the
        // conclusion of treatment in 2025): nothing is due before 2045.
        assert!(t
            .store
            .retention_candidates(&RetentionRules::default(), date(2044, 12, 31))
            .await
            .unwrap()
            .is_empty());
        // The children's records entry alone, from here on.
        let rules = RetentionRules {
            min_years_after_conclusion: 0,
            ..RetentionRules::default()
        };

        // Nothing is due yet.
        let today = date(2030, 1, 1);
        assert!(t
            .store
            .retention_candidates(&rules, today)
            .await
            .unwrap()
            .is_empty());

        // On the 26th birthday of the one treated at 17, that record alone is due.
        let due = t
            .store
            .retention_candidates(&rules, date(2033, 6, 1))
            .await
            .unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].person_id, older);
        assert_eq!(due[0].rule, RuleApplied::OlderAtConclusion);
        assert_eq!(due[0].retain_until, date(2033, 6, 1));
        let events_before = t.count("referral_events").await;
        let audit_before = t.count("audit_log").await;
        let done = t
            .store
            .destroy_record(
                &nwd_store::audit::AuditContext::operator("records.manager", "retention", "person"),
                &due[0],
                &rules,
                "run-1",
            )
            .await
            .unwrap();
        assert_eq!(done.stubs, 1);
        assert_eq!(
            t.count("referral_events").await,
            events_before - done.events as i64
        );
        assert!(done.events >= 3);
        assert_eq!(t.count("persons").await, 1);
        assert_eq!(t.count("referrals").await, 1);
        assert_eq!(t.count("audit_log").await, audit_before + 1);

        // The stub: the referral id, dates, rule, who and when; nothing identifiable.
        let stubs = t.store.retention_stubs().await.unwrap();
        assert_eq!(stubs.len(), 1);
        assert_eq!(stubs[0].rule, "older_at_conclusion");
        assert_eq!(stubs[0].destroyed_by, "records.manager");
        assert!(stubs[0].referral_id.is_some() && stubs[0].closed_at.is_some());
        let stub_text = format!("{stubs:?}");
        for canary in ["Ysolde", "2007-06-01", NHS_B] {
            assert!(!stub_text.contains(canary), "stub holds {canary}");
        }
        // Audited as a destruction under the rule applied.
        let trail = t.store.audit_for_person(&older).await.unwrap();
        let last = trail.last().unwrap();
        assert_eq!(last.entry.action, "destroy");
        assert_eq!(last.entry.why, "retention:older_at_conclusion");
        assert!(t.store.verify_audit().await.unwrap().first_broken.is_none());

        // The other record keeps its events: they cannot be deleted outside retention.
        assert!(t.raw_execute("DELETE FROM referral_events").await.is_err());
        assert!(t.count("referral_events").await > 0);
        // Nor can a stub be changed.
        assert!(t
            .raw_execute("UPDATE retention_stubs SET rule = 'x'")
            .await
            .is_err());

        // The remaining record is due on its 25th birthday.
        let due = t
            .store
            .retention_candidates(&rules, date(2038, 1, 10))
            .await
            .unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].person_id, old);
        assert_eq!(due[0].rule, RuleApplied::UntilBirthday);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_open_referral_or_a_recorded_death_changes_what_is_due() {
    for_each_backend(|t| async move {
        let rules = RetentionRules {
            min_years_after_conclusion: 0,
            ..RetentionRules::default()
        };
        // Open (never closed): never due, whatever the date.
        let r = receive(&t, person("Xanthe", date(2010, 2, 2), Some(NHS_A))).await;
        assert!(t
            .store
            .retention_candidates(&rules, date(2090, 1, 1))
            .await
            .unwrap()
            .is_empty());
        assert_eq!(r.status, ReferralStatus::AwaitingTriage);
        // A closed record of someone who died: 8 years after death.
        let died = closed_referral(&t, "Wilfred", date(2012, 3, 3), NHS_B).await;
        t.store
            .record_death(
                &nwd_store::testing::acting("records.manager"),
                &died,
                date(2026, 4, 4),
            )
            .await
            .unwrap();
        let due = t
            .store
            .retention_candidates(&rules, date(2034, 4, 4))
            .await
            .unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].rule, RuleApplied::AfterDeath);
    })
    .await;
}
