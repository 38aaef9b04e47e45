//! Intake's group commit (`intake_group.rs`, docs/design/0007-intake-group-commit.md):
//! intakes arriving together commit in one transaction — one data-version move, one flush —
//! each with its own audit entry, each failing alone, later ones seeing earlier ones' people
//! and idempotency keys.
//!
//! `Store::hold_intake_commits` (feature `testing`) keeps the committers from taking a group
//! until the test lets go, so the intakes queued meanwhile are one group for certain.

use std::collections::HashSet;

use jiff::civil::date;
use nwd_domain::actor::Actor;
use nwd_store::audit::AuditContext;
use nwd_store::testing::acting;
use nwd_store::{Backend, IdempotencyRequest, Intake, IntakeOutcome, Store, StoreError};

use crate::backend::TestStore;
use crate::synthetic::{intake, person, NHS_A};

fn key(key: &str, hash: &str) -> Option<IdempotencyRequest> {
    Some(IdempotencyRequest {
        scope: "referrals".into(),
        key: key.into(),
        request_hash: hash.into(),
    })
}

/// A distinct synthetic young person, without an NHS number.
fn someone(i: usize) -> nwd_domain::person::PersonDetails {
    let mut details = person(
        &format!("Child{i}"),
        date(2011, 1, 1 + (i % 28) as i8),
        None,
    );
    details.family_name = format!("Groupperson{i}");
    details
}

type Pending = tokio::task::JoinHandle<Result<IntakeOutcome, StoreError>>;

/// Starts `receive_referral` for `request` as `audit`'s actor, in a task of its own.
fn send(
    store: &Store,
    audit: AuditContext,
    request: Intake,
    idem: Option<IdempotencyRequest>,
) -> Pending {
    let store = store.clone();
    tokio::spawn(async move { store.receive_referral(&audit, request, None, idem).await })
}

/// Sends every request while the committers are held, waits until all are queued, then lets
/// them commit together and returns the answers in order.
async fn in_one_group(
    t: &TestStore,
    requests: Vec<(AuditContext, Intake, Option<IdempotencyRequest>)>,
) -> Vec<Result<IntakeOutcome, StoreError>> {
    let n = requests.len();
    let hold = t.store.hold_intake_commits().await;
    let pending: Vec<Pending> = requests
        .into_iter()
        .map(|(audit, request, idem)| send(&t.store, audit, request, idem))
        .collect();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while t.store.intakes_waiting() < n {
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of {n} intakes were queued",
            t.store.intakes_waiting()
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    drop(hold);
    let mut answers = Vec::new();
    for task in pending {
        answers.push(task.await.unwrap());
    }
    answers
}

async fn open(backend: Backend) -> Option<(TestStore, nwd_store::testing::TestDatabase)> {
    if !nwd_store::testing::covers(backend) {
        return None;
    }
    Some(crate::backend::open(backend).await)
}

async fn finish(t: TestStore) {
    t.store.close().await;
}

/// The entries whose record is a referral.
async fn referral_entries(t: &TestStore) -> i64 {
    t.raw_count("SELECT COUNT(*) AS n FROM audit_log WHERE record_type = 'referral'")
        .await
}

// Many concurrent intakes, held into one group: every one is committed, with its own audit
// entry naming its own actor, referral and young person; the data version moved once for
// all of them; every referral is stamped in the figure change log; the chain verifies.
nwd_store::on_both_backends!(
    many_concurrent_intakes_commit_together_each_audited,
    |backend| {
        super::many_concurrent_intakes_commit_together_each_audited(backend).await;
    }
);

async fn many_concurrent_intakes_commit_together_each_audited(backend: Backend) {
    let Some((t, _db)) = open(backend).await else {
        return;
    };
    const N: usize = 40;
    let version = t.store.data_version().await.unwrap();
    let entries = t.count("audit_log").await;
    let requests = (0..N)
        .map(|i| {
            (
                acting(&format!("referrer-{i}")),
                intake(&t.store, someone(i)),
                None,
            )
        })
        .collect();
    let answers = in_one_group(&t, requests).await;
    let outcomes: Vec<IntakeOutcome> = answers.into_iter().map(Result::unwrap).collect();
    assert!(outcomes
        .iter()
        .all(|o| o.created && o.status_token.is_some()));
    assert_eq!(t.count("referrals").await, N as i64);
    assert_eq!(t.count("persons").await, N as i64);
    assert_eq!(t.count("referral_events").await, N as i64);
    assert_eq!(t.count("status_links").await, N as i64);
    assert_eq!(
        t.store.data_version().await.unwrap(),
        version + 1,
        "the group moved the data version once"
    );
    assert_eq!(t.count("audit_log").await, entries + N as i64);
    let mut places = HashSet::new();
    for (i, outcome) in outcomes.iter().enumerate() {
        let person = outcome.referral.person_id.to_string();
        let records = t.store.audit_for_person(&person).await.unwrap();
        assert_eq!(records.len(), 1, "one entry for intake {i}");
        let entry = &records[0].entry;
        assert_eq!(entry.record_type, "referral");
        assert_eq!(entry.record_id, Some(outcome.referral.id.to_string()));
        assert_eq!(
            entry.username,
            acting(&format!("referrer-{i}")).entry().username
        );
        assert_eq!(entry.action, "change");
        places.insert(records[0].seq);
    }
    assert_eq!(
        places.len(),
        N,
        "each entry has a place of its own in the chain"
    );
    assert_eq!(t.count("figure_changes").await, N as i64);
    assert_eq!(
        t.raw_count("SELECT COUNT(*) AS n FROM figure_changes WHERE version IS NULL OR version <> (SELECT version FROM data_version WHERE id = 1)").await,
        0,
        "every referral of the group is stamped with the group's version"
    );
    let verification = t.store.verify_audit().await.unwrap();
    assert_eq!(verification.first_broken, None);
    assert_eq!(verification.entries as i64, entries + N as i64);
    finish(t).await;
}

/// Makes the database refuse an idempotency key named `poison` (a trigger on
/// `idempotency_keys`): intake fails at its last statement, after its person, referral,
/// event, match decision and status link were written.
async fn poison_key(t: &TestStore, backend: Backend) {
    match backend {
        Backend::Sqlite => t
            .raw_execute(
                "CREATE TRIGGER poison BEFORE INSERT ON idempotency_keys WHEN NEW.key = 'poison' \
                 BEGIN SELECT RAISE(ABORT, 'poisoned key'); END",
            )
            .await
            .unwrap(),
        Backend::Postgres => {
            t.raw_execute(
                "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF NEW.key = 'poison' THEN RAISE EXCEPTION 'poisoned key'; END IF; \
                 RETURN NEW; END $$",
            )
            .await
            .unwrap();
            t.raw_execute(
                "CREATE TRIGGER poison BEFORE INSERT ON idempotency_keys \
                 FOR EACH ROW EXECUTE FUNCTION poison()",
            )
            .await
            .unwrap();
        }
    }
}

// One intake of a group failing at its last statement loses nothing of the others and keeps
// nothing of its own: it alone gets its error, with no audit entry; the others commit.
nwd_store::on_both_backends!(one_failing_intake_does_not_fail_its_group, |backend| {
    super::one_failing_intake_does_not_fail_its_group(backend).await;
});

async fn one_failing_intake_does_not_fail_its_group(backend: Backend) {
    let Some((t, _db)) = open(backend).await else {
        return;
    };
    poison_key(&t, backend).await;
    const N: usize = 11;
    const BAD: usize = 5;
    let version = t.store.data_version().await.unwrap();
    let bad_audit = acting("poisoner");
    let requests = (0..N)
        .map(|i| {
            let (audit, k) = if i == BAD {
                (bad_audit.clone(), key("poison", "h"))
            } else {
                (
                    acting(&format!("referrer-{i}")),
                    key(&format!("k-{i}"), "h"),
                )
            };
            (audit, intake(&t.store, someone(i)), k)
        })
        .collect();
    let answers = in_one_group(&t, requests).await;
    for (i, answer) in answers.iter().enumerate() {
        if i == BAD {
            let error = answer.as_ref().unwrap_err();
            assert!(error.to_string().contains("poisoned key"), "{error}");
        } else {
            assert!(answer.as_ref().unwrap().created, "intake {i}");
        }
    }
    let good = (N - 1) as i64;
    assert_eq!(t.count("referrals").await, good);
    assert_eq!(
        t.count("persons").await,
        good,
        "the failed intake's person was rolled back"
    );
    assert_eq!(t.count("referral_events").await, good);
    assert_eq!(t.count("status_links").await, good);
    assert_eq!(t.count("match_decisions").await, good);
    assert_eq!(t.count("idempotency_keys").await, good);
    assert_eq!(referral_entries(&t).await, good);
    let poisoner = bad_audit.entry().username.unwrap();
    assert_eq!(
        t.raw_count(&format!(
            "SELECT COUNT(*) AS n FROM audit_log WHERE username = '{poisoner}'"
        ))
        .await,
        0,
        "the failed intake's entry was not appended"
    );
    assert_eq!(t.store.data_version().await.unwrap(), version + 1);
    assert_eq!(t.store.verify_audit().await.unwrap().first_broken, None);
    finish(t).await;
}

// The same child sent by two doors in one group is one person: the second intake sees the
// first's person (in the group's own transaction) and links to it on the NHS number.
nwd_store::on_both_backends!(
    the_same_child_by_two_doors_in_one_group_is_one_person,
    |backend| {
        super::the_same_child_by_two_doors_in_one_group_is_one_person(backend).await;
    }
);

async fn the_same_child_by_two_doors_in_one_group_is_one_person(backend: Backend) {
    let Some((t, _db)) = open(backend).await else {
        return;
    };
    let from_school = intake(&t.store, person("Ada", date(2012, 5, 1), Some(NHS_A)));
    let mut from_gp = intake(&t.store, person("Adah", date(2012, 5, 1), Some(NHS_A)));
    from_gp.referral.source = nwd_domain::codes::ReferralSource::Gp;
    let requests = vec![
        (acting("school-dsl"), from_school, key("school-1", "h1")),
        (
            AuditContext::outside_request(
                Actor::User("gp".into()),
                Some("gp-account"),
                "POST /api/referrals",
            ),
            from_gp,
            key("gp-1", "h2"),
        ),
        (acting("other"), intake(&t.store, someone(1)), None),
    ];
    let version = t.store.data_version().await.unwrap();
    let answers = in_one_group(&t, requests).await;
    let outcomes: Vec<IntakeOutcome> = answers.into_iter().map(Result::unwrap).collect();
    assert_eq!(
        t.store.data_version().await.unwrap(),
        version + 1,
        "one group"
    );
    assert!(outcomes.iter().all(|o| o.created));
    assert_eq!(
        outcomes[0].referral.person_id,
        outcomes[1].referral.person_id
    );
    // Either door may have come first in the group; the other linked to its person.
    assert_eq!(
        outcomes[..2].iter().filter(|o| o.existing_person).count(),
        1
    );
    assert_ne!(
        outcomes[2].referral.person_id,
        outcomes[0].referral.person_id
    );
    assert_eq!(t.count("persons").await, 2);
    assert_eq!(t.count("referrals").await, 3);
    let entries = t
        .store
        .audit_for_person(&outcomes[0].referral.person_id.to_string())
        .await
        .unwrap();
    assert_eq!(entries.len(), 2, "each door's intake has its own entry");
    finish(t).await;
}

// An idempotency key works within a group (the second request with it answers the first's
// referral, once committed) and across groups (a retry after the commit answers the same
// referral, creating nothing), and a key reused with another request is refused alone.
nwd_store::on_both_backends!(
    idempotent_retries_within_and_across_groups_answer_one_referral,
    |backend| {
        super::idempotent_retries_within_and_across_groups_answer_one_referral(backend).await;
    }
);

async fn idempotent_retries_within_and_across_groups_answer_one_referral(backend: Backend) {
    let Some((t, _db)) = open(backend).await else {
        return;
    };
    let ada = intake(&t.store, person("Ada", date(2012, 5, 1), Some(NHS_A)));
    let first = in_one_group(
        &t,
        vec![
            (acting("referrer"), ada.clone(), key("retry-me", "hash")),
            (acting("referrer"), ada.clone(), key("retry-me", "hash")),
            (
                acting("other"),
                intake(&t.store, someone(1)),
                key("other", "hash"),
            ),
        ],
    )
    .await;
    let first: Vec<IntakeOutcome> = first.into_iter().map(Result::unwrap).collect();
    // Which of the two came first in the group is the queue's order, not the test's.
    let id = first[0].referral.id;
    assert_eq!(first[1].referral.id, id);
    assert_eq!(first[..2].iter().filter(|o| o.created).count(), 1);
    assert_eq!(
        first[..2]
            .iter()
            .filter(|o| o.status_token.is_some())
            .count(),
        1,
        "only the request that created it carries the status link"
    );
    assert_eq!(t.count("referrals").await, 2);

    // A later group: the retry, a new intake, and the key with a different request.
    let version = t.store.data_version().await.unwrap();
    let later = in_one_group(
        &t,
        vec![
            (
                acting("someone-new"),
                intake(&t.store, someone(2)),
                key("new", "hash"),
            ),
            (acting("referrer"), ada.clone(), key("retry-me", "hash")),
            (
                acting("referrer"),
                ada.clone(),
                key("retry-me", "another-hash"),
            ),
        ],
    )
    .await;
    let mut later = later.into_iter();
    let new = later.next().unwrap().unwrap();
    let retry = later.next().unwrap().unwrap();
    let mismatch = later.next().unwrap().unwrap_err();
    assert!(new.created);
    assert!(!retry.created && retry.referral.id == id && retry.status_token.is_none());
    assert!(
        matches!(mismatch, StoreError::IdempotencyMismatch),
        "{mismatch}"
    );
    assert_eq!(t.store.data_version().await.unwrap(), version + 1);
    assert_eq!(t.count("referrals").await, 3);
    assert_eq!(t.count("idempotency_keys").await, 3);
    assert_eq!(t.count("persons").await, 3);
    assert_eq!(
        referral_entries(&t).await,
        3,
        "a repeat appends no change entry"
    );
    assert_eq!(t.store.verify_audit().await.unwrap().first_broken, None);
    finish(t).await;
}

// The answers about a young person sent twice in one group — the child new to the register —
// make one record at version 2 with both intakes' answers and two kept versions; a later
// group's answers for the (now registered) child add a third.
nwd_store::on_both_backends!(
    answers_about_one_child_in_one_group_make_one_record,
    |backend| {
        super::answers_about_one_child_in_one_group_make_one_record(backend).await;
    }
);

async fn answers_about_one_child_in_one_group_make_one_record(backend: Backend) {
    use nwd_domain::about::{AboutYoungPerson, Answer};
    let Some((t, _db)) = open(backend).await else {
        return;
    };
    let answering = |group: &str| {
        let mut about = AboutYoungPerson::default();
        about.set_group(group, Some(Answer::Yes));
        let mut request = intake(&t.store, person("Ada", date(2012, 5, 1), Some(NHS_A)));
        request.about = about.clone();
        (request, about)
    };
    let (first, looked_after) = answering("looked_after");
    let (second, young_carer) = answering("young_carer");
    let answers = in_one_group(
        &t,
        vec![
            (acting("school"), first, None),
            (acting("gp"), second, None),
        ],
    )
    .await;
    let outcomes: Vec<IntakeOutcome> = answers.into_iter().map(Result::unwrap).collect();
    let child = outcomes[0].referral.person_id;
    assert_eq!(outcomes[1].referral.person_id, child);
    let stored = t.store.person_about(child).await.unwrap();
    assert_eq!(stored.version, 2);
    assert_eq!(stored.about, looked_after.merged_with(&young_carer));
    assert_eq!(t.count("person_about").await, 1);
    assert_eq!(t.count("person_about_changes").await, 2);

    let (third, care_leaver) = answering("care_leaver");
    let later = in_one_group(&t, vec![(acting("social-care"), third, None)]).await;
    assert_eq!(later[0].as_ref().unwrap().referral.person_id, child);
    let stored = t.store.person_about(child).await.unwrap();
    assert_eq!(stored.version, 3);
    assert_eq!(
        stored.about,
        looked_after
            .merged_with(&young_carer)
            .merged_with(&care_leaver)
    );
    assert_eq!(t.count("person_about_changes").await, 3);
    finish(t).await;
}
