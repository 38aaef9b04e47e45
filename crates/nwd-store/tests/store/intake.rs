//! Intake: validation before any write, linking on an exact NHS number, and idempotent
//! creation, including under concurrency.

use jiff::civil::date;
use nwd_domain::referral::ReferralStatus;
use nwd_domain::DomainError;
use nwd_store::{IdempotencyRequest, Intake, ReferralSearch, StoreError};

use crate::backend::for_each_backend;
use crate::synthetic::{intake, person, NHS_A, NHS_B};

fn key(key: &str, hash: &str) -> Option<IdempotencyRequest> {
    Some(IdempotencyRequest {
        scope: "referrals".into(),
        key: key.into(),
        request_hash: hash.into(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_input_is_refused_before_anything_is_written() {
    for_each_backend(|t| async move {
        let before = t.counts().await;
        let mut bad = intake(&t.store, person("", date(2040, 1, 1), Some(NHS_A)));
        bad.referral.reasons.clear();
        bad.referral.referrer.name = " ".into();
        let error = t
            .store
            .receive_referral(
                &nwd_store::testing::acting("spa-coordinator"),
                bad,
                None,
                key("k-1", "hash-1"),
            )
            .await
            .unwrap_err();
        let fields: Vec<String> = match error {
            StoreError::Domain(DomainError::Invalid(errors)) => {
                errors.0.into_iter().map(|e| e.field).collect()
            }
            other => panic!("expected invalid input, got {other:?}"),
        };
        assert_eq!(
            fields,
            [
                "person.given_name",
                "person.date_of_birth",
                "reasons",
                "referrer.name"
            ]
        );
        // Older than the 0–25 range the system serves.
        let too_old = intake(&t.store, person("Old", date(1990, 1, 1), None));
        assert!(matches!(
            t.store
                .receive_referral(
                    &nwd_store::testing::acting("spa-coordinator"),
                    too_old,
                    None,
                    None
                )
                .await,
            Err(StoreError::Domain(DomainError::Invalid(_)))
        ));
        assert_eq!(t.counts().await, before);
        assert_eq!(t.count("persons").await, 0);
        assert_eq!(t.count("referrals").await, 0);
        assert_eq!(t.count("referral_events").await, 0);

        // The refused request did not use up its idempotency key.
        let good = intake(&t.store, person("Ada", date(2012, 5, 1), Some(NHS_A)));
        let outcome = t
            .store
            .receive_referral(
                &nwd_store::testing::acting("spa-coordinator"),
                good,
                None,
                key("k-1", "hash-1"),
            )
            .await
            .unwrap();
        assert!(outcome.created);
        assert_eq!(outcome.referral.status, ReferralStatus::AwaitingTriage);
        assert_eq!(t.count("referrals").await, 1);
        assert_eq!(t.count("referral_events").await, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_exact_nhs_number_links_to_the_registered_person_and_no_number_creates_one() {
    for_each_backend(|t| async move {
        let first = t
            .store
            .receive_referral(
                &nwd_store::testing::acting("spa-coordinator"),
                intake(&t.store, person("Ada", date(2012, 5, 1), Some(NHS_A))),
                None,
                None,
            )
            .await
            .unwrap();
        assert!(first.created && !first.existing_person);

        // The same number from another referrer, with a different spelling of the name.
        let mut again = person("Adah", date(2012, 5, 1), Some("999 000 0018"));
        again.family_name = "Test-Person".into();
        let second = t
            .store
            .receive_referral(
                &nwd_store::testing::acting("spa-coordinator"),
                intake(&t.store, again),
                None,
                None,
            )
            .await
            .unwrap();
        assert!(second.created && second.existing_person);
        assert_eq!(second.referral.person_id, first.referral.person_id);
        assert_ne!(second.referral.id, first.referral.id);

        // A different valid number is a different person.
        let other = t
            .store
            .receive_referral(
                &nwd_store::testing::acting("spa-coordinator"),
                intake(&t.store, person("Ada", date(2012, 5, 1), Some(NHS_B))),
                None,
                None,
            )
            .await
            .unwrap();
        assert!(!other.existing_person);
        assert_ne!(other.referral.person_id, first.referral.person_id);

        // Without a number nobody is linked, even with identical details.
        let mut unlinked = Vec::new();
        for _ in 0..2 {
            let outcome = t
                .store
                .receive_referral(
                    &nwd_store::testing::acting("spa-coordinator"),
                    intake(&t.store, person("Ada", date(2012, 5, 1), None)),
                    None,
                    None,
                )
                .await
                .unwrap();
            assert!(!outcome.existing_person);
            unlinked.push(outcome.referral.person_id);
        }
        assert_ne!(unlinked[0], unlinked[1]);
        assert!(!unlinked.contains(&first.referral.person_id));
        assert_eq!(t.count("persons").await, 4);
        assert_eq!(t.count("referrals").await, 5);

        // The register keeps the details of the first referral; both referrals are found
        // by the number.
        let registered = t.store.person(first.referral.person_id).await.unwrap();
        assert_eq!(registered.details.given_name, "Ada");
        let found = t
            .store
            .search_referrals(&ReferralSearch {
                nhs_number: Some(nwd_domain::NhsNumber::parse(NHS_A).unwrap()),
                ..Default::default()
            })
            .await
            .unwrap();
        let mut ids: Vec<_> = found.items.iter().map(|s| s.id).collect();
        ids.sort();
        let mut expected = vec![first.referral.id, second.referral.id];
        expected.sort();
        assert_eq!(ids, expected);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_repeated_idempotency_key_returns_the_first_referral_or_is_refused() {
    for_each_backend(|t| async move {
        let request = intake(&t.store, person("Ada", date(2012, 5, 1), Some(NHS_A)));
        let first = t
            .store
            .receive_referral(
                &nwd_store::testing::acting("spa-coordinator"),
                request.clone(),
                None,
                key("k-1", "hash-1"),
            )
            .await
            .unwrap();
        assert!(first.created);

        let repeat = t
            .store
            .receive_referral(
                &nwd_store::testing::acting("spa-coordinator"),
                request.clone(),
                None,
                key("k-1", "hash-1"),
            )
            .await
            .unwrap();
        assert!(!repeat.created);
        assert_eq!(repeat.referral, first.referral);

        let mut different = request.clone();
        different.referral.presenting_needs = "Something else entirely.".into();
        assert!(matches!(
            t.store
                .receive_referral(
                    &nwd_store::testing::acting("spa-coordinator"),
                    different,
                    None,
                    key("k-1", "hash-2")
                )
                .await,
            Err(StoreError::IdempotencyMismatch)
        ));
        assert_eq!(t.count("referrals").await, 1);
        assert_eq!(t.count("referral_events").await, 1);
        assert_eq!(t.count("idempotency_keys").await, 1);

        // Keys are scoped: the same key on another route is another request.
        let other_scope = t
            .store
            .receive_referral(
                &nwd_store::testing::acting("spa-coordinator"),
                request,
                None,
                Some(IdempotencyRequest {
                    scope: "self-referrals".into(),
                    key: "k-1".into(),
                    request_hash: "hash-1".into(),
                }),
            )
            .await
            .unwrap();
        assert!(other_scope.created);
        assert_ne!(other_scope.referral.id, first.referral.id);
        assert_eq!(t.count("referrals").await, 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_requests_with_one_key_create_one_referral() {
    for_each_backend(|t| async move {
        let request: Intake = intake(&t.store, person("Ada", date(2012, 5, 1), Some(NHS_A)));
        let mut tasks = Vec::new();
        for _ in 0..20 {
            let store = t.store.clone();
            let request = request.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .receive_referral(
                        &nwd_store::testing::acting("spa-coordinator"),
                        request,
                        None,
                        key("same-key", "same-hash"),
                    )
                    .await
            }));
        }
        let mut outcomes = Vec::new();
        for task in tasks {
            outcomes.push(task.await.unwrap().unwrap());
        }
        let id = outcomes[0].referral.id;
        assert!(outcomes.iter().all(|o| o.referral.id == id));
        assert_eq!(outcomes.iter().filter(|o| o.created).count(), 1);
        assert_eq!(t.count("referrals").await, 1);
        assert_eq!(t.count("persons").await, 1);
        assert_eq!(t.count("referral_events").await, 1);
        assert_eq!(t.count("idempotency_keys").await, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_referrals_for_one_nhs_number_register_one_person() {
    for_each_backend(|t| async move {
        let mut tasks = Vec::new();
        for i in 0..10 {
            let store = t.store.clone();
            let request = intake(&t.store, person("Ada", date(2012, 5, 1), Some(NHS_B)));
            tasks.push(tokio::spawn(async move {
                store
                    .receive_referral(
                        &nwd_store::testing::acting(&format!("referrer-{i}")),
                        request,
                        None,
                        None,
                    )
                    .await
            }));
        }
        let mut person_ids = Vec::new();
        for task in tasks {
            person_ids.push(task.await.unwrap().unwrap().referral.person_id);
        }
        assert!(person_ids.iter().all(|p| *p == person_ids[0]));
        assert_eq!(t.count("persons").await, 1);
        assert_eq!(t.count("referrals").await, 10);
    })
    .await;
}

/// The organisation a referral was sent for is an argument of intake, never read from the
/// audit context (issue 16): inside a request whose audit entry names another organisation,
/// the referral is recorded for the organisation passed, and the request's entry — committed
/// with the referral — names the referral and the young person.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sending_organisation_is_an_argument_not_read_from_the_audit_context() {
    for_each_backend(|t| async move {
        let mut entry = nwd_store::audit::AuditEntry::new("POST /api/referrals", "change");
        entry.organisation_id = Some("organisation-of-the-entry".into());
        let scope = nwd_store::audit::AuditScope::new(entry);
        let request = intake(&t.store, person("Ada", date(2012, 5, 1), Some(NHS_A)));
        let audit = nwd_store::audit::AuditContext::request(
            nwd_domain::actor::Actor::User("referrer".into()),
            Some("referrer-account"),
            scope.clone(),
        );
        let outcome = t
            .store
            .receive_referral(&audit, request, Some("organisation-that-sent-it"), None)
            .await
            .unwrap();
        let sent_by = |organisation: &str| ReferralSearch {
            visible_to: Some(nwd_store::auth::Visibility {
                submitted_by_org: Some(organisation.into()),
                ..Default::default()
            }),
            limit: 10,
            ..ReferralSearch::default()
        };
        let found = t
            .store
            .search_referrals(&sent_by("organisation-that-sent-it"))
            .await
            .unwrap();
        assert_eq!(
            found.items.iter().map(|r| r.id).collect::<Vec<_>>(),
            [outcome.referral.id]
        );
        assert!(t
            .store
            .search_referrals(&sent_by("organisation-of-the-entry"))
            .await
            .unwrap()
            .items
            .is_empty());
        assert!(scope.written(), "the entry committed with the referral");
        let entry = scope.entry();
        assert_eq!(entry.record_type, "referral");
        assert_eq!(entry.record_id, Some(outcome.referral.id.to_string()));
        assert_eq!(
            entry.person_id,
            Some(outcome.referral.person_id.to_string())
        );
        let events = t.store.referral_events(outcome.referral.id).await.unwrap();
        assert_eq!(events[0].actor, "user:referrer");
    })
    .await;
}

/// A professional's referral keeps what issue 17 added, exactly, on both databases: the
/// reasons in plain words, a referral that also asks for advice, the young person's own
/// contact, and the safeguarding route — on which the family may never be contacted
/// (`IntakeDetails::may_contact_family`), and which the privacy officer's list shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_professionals_details_are_kept_and_the_safeguarding_route_is_listed() {
    use nwd_domain::codes::PlainReason;
    use nwd_domain::referral::intake::{
        ContactSafety, FamilyContact, IntakeDetails, NotSought, NotSoughtReason,
    };
    for_each_backend(|t| async move {
        let mut sent = intake(&t.store, person("Synthia", date(2011, 4, 9), Some(NHS_A)));
        sent.referral.details = Box::new(IntakeDetails {
            also_advice: true,
            plain_reasons: vec![PlainReason::Worries, PlainReason::SelfHarm],
            family_contact: Some(FamilyContact {
                name: "Pat Testparent".into(),
                relationship: "Mother".into(),
                phone: Some("01632 960 002".into()),
                email: None,
                safety: ContactSafety::Yes,
                how: Some("Only after 4pm".into()),
            }),
            young_person_phone: None,
            young_person_email: None,
            not_sought: Some(NotSought {
                reason: NotSoughtReason::RiskToChild,
                detail: "Disclosure at school about home.".into(),
            }),
        });
        let expected = (*sent.referral.details).clone();
        let outcome = t
            .store
            .receive_referral(
                &nwd_store::testing::acting("spa-coordinator"),
                sent,
                None,
                key("k-details", "hash-details"),
            )
            .await
            .unwrap();
        let stored = t.store.referral(outcome.referral.id).await.unwrap();
        assert_eq!(stored.details, expected);
        assert!(
            !stored.details.may_contact_family(),
            "the safeguarding route never contacts the family automatically"
        );
        let listed = t.store.referrals_without_consent(10).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].referral_id, outcome.referral.id);
        assert_eq!(listed[0].reason, NotSoughtReason::RiskToChild);
        assert_eq!(listed[0].detail, "Disclosure at school about home.");

        // A referral made with agreement is kept as sent and is not on the list.
        let mut agreed = intake(&t.store, person("Sam", date(2010, 1, 2), Some(NHS_B)));
        agreed.referral.details = Box::new(IntakeDetails {
            plain_reasons: vec![PlainReason::LowMood],
            young_person_phone: Some("07700 900 123".into()),
            ..IntakeDetails::default()
        });
        let expected = (*agreed.referral.details).clone();
        let outcome = t
            .store
            .receive_referral(
                &nwd_store::testing::acting("spa-coordinator"),
                agreed,
                None,
                key("k-agreed", "hash-agreed"),
            )
            .await
            .unwrap();
        assert_eq!(
            t.store.referral(outcome.referral.id).await.unwrap().details,
            expected
        );
        assert_eq!(
            t.store.referrals_without_consent(10).await.unwrap().len(),
            1
        );
    })
    .await;
}
