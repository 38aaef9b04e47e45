//! The audit context is passed explicitly (issue 16): every public store function that
//! changes data takes an `AuditContext`, and its change commits with an audit entry
//! attributed to the context's actor — a background job, the operator at the command line,
//! a signed-in user — whichever door it came through. One context writes one entry however
//! many changes it makes. And the consent checks run inside the transaction that writes, so
//! a concurrent change cannot slip between check and write.

use std::time::Duration;

use jiff::civil::date;
use nwd_domain::authz::Role;
use nwd_domain::codes::TeamType;
use nwd_domain::consent::{ConsentDecision, ParentAccessBasis};
use nwd_domain::directory::{OrganisationDetails, OrganisationKind};
use nwd_domain::need::NeedGroup;
use nwd_store::audit::{AuditContext, AuditRecord};
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use nwd_store::consent::NewAssessment;

use crate::backend::{for_each_backend, TestStore};
use crate::synthetic::{add_service, organisation, person, receive, service, triage, NHS_A, NHS_B};

/// The audit trail after entry `after`, oldest first.
async fn entries_after(t: &TestStore, after: i64, user: &str) -> Vec<AuditRecord> {
    t.store
        .audit_for_user(user)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.seq as i64 > after)
        .collect()
}

/// Runs `change` and asserts it wrote exactly one audit entry, attributed to `user` with the
/// route `route`; returns the entry.
async fn one_entry<F, Fut>(t: &TestStore, user: &str, route: &str, change: F) -> AuditRecord
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let before = t.count("audit_log").await;
    change().await;
    assert_eq!(
        t.count("audit_log").await,
        before + 1,
        "{route}: one change, one entry"
    );
    let mut entries = entries_after(t, before, user).await;
    assert_eq!(entries.len(), 1, "{route}: the entry names {user}");
    let entry = entries.remove(0);
    assert_eq!(entry.entry.route, route);
    assert_eq!(entry.entry.action, "change");
    assert_eq!(entry.entry.outcome, "allowed");
    entry
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_data_changing_store_function_writes_an_entry_attributed_to_its_actor() {
    for_each_backend(|t| async move {
        let org = organisation(&t.store).await;
        let camhs = add_service(
            &t.store,
            service(
                org,
                "Community CAMHS",
                TeamType::Community,
                &[NeedGroup::GettingHelp],
                (0, 18),
            ),
        )
        .await;
        let ada = receive(&t, person("Ada", date(2012, 5, 1), Some(NHS_A))).await;
        let bea = receive(&t, person("Bea", date(2011, 2, 3), Some(NHS_B))).await;

        // A referral command by a background job.
        let job = AuditContext::job("triage-import");
        one_entry(&t, "job:triage-import", "job triage-import", || async {
            t.store
                .execute(
                    &job,
                    ada.id,
                    ada.version,
                    triage(NeedGroup::GettingHelp, &[camhs]),
                    "job:triage-import",
                )
                .await
                .unwrap();
        })
        .await;

        // A merge, its undo and a "not the same person" from the command line.
        let merge = AuditContext::operator("ops", "cli persons merge", "person");
        let merged = std::sync::Arc::new(std::sync::Mutex::new(None));
        one_entry(&t, "cli:ops", "cli persons merge", || async {
            let done = t
                .store
                .merge_persons(
                    &merge,
                    ada.person_id,
                    bea.person_id,
                    "the same young person",
                    "cli:ops",
                )
                .await
                .unwrap();
            *merged.lock().unwrap() = Some(done.id);
        })
        .await;
        let merge_id = merged.lock().unwrap().unwrap();
        let unmerge = AuditContext::operator("ops", "cli persons unmerge", "person");
        one_entry(&t, "cli:ops", "cli persons unmerge", || async {
            t.store
                .unmerge(&unmerge, merge_id, "not the same after all", "cli:ops")
                .await
                .unwrap();
        })
        .await;
        let not_same = AuditContext::operator("ops", "cli persons not-same", "person");
        one_entry(&t, "cli:ops", "cli persons not-same", || async {
            t.store
                .record_not_same(
                    &not_same,
                    ada.person_id,
                    bea.person_id,
                    "different parents",
                    "cli:ops",
                )
                .await
                .unwrap();
        })
        .await;

        // Directory writes and a status link, by the operator.
        let directory = AuditContext::operator("ops", "cli directory add", "organisation");
        one_entry(&t, "cli:ops", "cli directory add", || async {
            t.store
                .create_organisation(
                    &directory,
                    OrganisationDetails {
                        name: "Example Youth Charity".into(),
                        kind: OrganisationKind::VoluntaryCommunity,
                        ods_code: None,
                    },
                )
                .await
                .unwrap();
        })
        .await;
        let link = AuditContext::job("status-links");
        one_entry(&t, "job:status-links", "job status-links", || async {
            t.store.issue_status_link(&link, ada.id).await.unwrap();
        })
        .await;
        assert!(t.store.verify_audit().await.unwrap().first_broken.is_none());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_context_writes_one_entry_however_many_changes_it_makes() {
    for_each_backend(|t| async move {
        let before = t.count("audit_log").await;
        let audit = AuditContext::operator("ops", "cli directory import", "organisation");
        for name in ["First charity", "Second charity"] {
            t.store
                .create_organisation(
                    &audit,
                    OrganisationDetails {
                        name: name.into(),
                        kind: OrganisationKind::VoluntaryCommunity,
                        ods_code: None,
                    },
                )
                .await
                .unwrap();
        }
        assert!(audit.written());
        assert_eq!(
            t.count("audit_log").await,
            before + 1,
            "two changes under one context: its one entry, not two"
        );
        assert_eq!(entries_after(&t, before, "cli:ops").await.len(), 1);
    })
    .await;
}

/// A young person of 14 judged competent agrees that their parent may see their record;
/// while that decision is between its checks and its write, a clinician records that they
/// are no longer competent for that decision. The finding must not slip in between: it waits
/// until the decision has committed (and so comes after it in the record and the audit
/// trail), never leaving a decision whose basis was already withdrawn when it was written.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_withdrawn_finding_cannot_slip_between_the_consent_check_and_its_write() {
    for_each_backend(|t| async move {
        let kai = receive(&t, person("Kai", date(2011, 1, 10), Some(NHS_A))).await;
        let person_id = kai.person_id.to_string();
        let (org, team) = t
            .store
            .bootstrap_team(&Bootstrap {
                organisation: "Families".into(),
                organisation_kind: OrganisationKind::VoluntaryCommunity,
                team: "Parents and carers".into(),
                team_kind: TeamKind::Other,
                service_id: None,
            })
            .await
            .unwrap();
        let parent = t
            .store
            .create_user(
                NewUser {
                    username: "kai.dad".into(),
                    display_name: "Kai's dad".into(),
                    organisation_id: org,
                    password: None,
                    memberships: vec![(team, Role::ParentCarer)],
                },
                "test",
            )
            .await
            .unwrap();
        let clinician = nwd_store::testing::acting("clinician");
        let assess = |competent: bool| NewAssessment {
            decision: ConsentDecision::ParentCarerAccess,
            referral_id: None,
            competent,
            rationale: if competent {
                "Understands what their father would see and why".into()
            } else {
                "No longer understands what sharing would mean".into()
            },
        };
        t.store
            .record_competence_assessment(&clinician, &person_id, assess(true))
            .await
            .unwrap();
        let link = t
            .store
            .link_carer(&clinician, &person_id, &parent.id, "father")
            .await
            .unwrap();

        let (reached, release) = t.store.pause_next_parent_access_decision();
        let deciding = {
            let store = t.store.clone();
            let person_id = person_id.clone();
            tokio::spawn(async move {
                store
                    .record_parent_access_decision(
                        &by_account("clinician-1"),
                        &person_id,
                        &link,
                        ParentAccessBasis::YoungPersonConsent,
                        "Kai agreed that their father may see the record",
                    )
                    .await
            })
        };
        reached.await.unwrap();
        let mut withdrawing = {
            let store = t.store.clone();
            let person_id = person_id.clone();
            let finding = assess(false);
            tokio::spawn(async move {
                store
                    .record_competence_assessment(&by_account("clinician-2"), &person_id, finding)
                    .await
            })
        };
        // The decision has checked the finding it rests on and not yet written: the
        // withdrawal must wait for it rather than commit in between.
        assert!(
            tokio::time::timeout(Duration::from_millis(500), &mut withdrawing)
                .await
                .is_err(),
            "a finding was recorded between the decision's check and its write"
        );
        release.send(()).unwrap();
        let decision = deciding.await.unwrap().unwrap();
        let finding = withdrawing.await.unwrap().unwrap();
        let seq_of = |user: &'static str, record: String| {
            let store = t.store.clone();
            async move {
                store
                    .audit_for_user(user)
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|e| e.entry.record_id.as_deref() == Some(record.as_str()))
                    .map(|e| e.seq)
                    .unwrap()
            }
        };
        let decided = seq_of("clinician-1", decision.id.clone()).await;
        let withdrawn = seq_of("clinician-2", finding.id.clone()).await;
        assert!(
            decided < withdrawn,
            "the decision committed first, the withdrawal after it: {decided} < {withdrawn}"
        );
        assert!(decision.recorded_at <= finding.assessed_at);
    })
    .await;
}

/// A change by the signed-in account `account` outside any request.
fn by_account(account: &str) -> AuditContext {
    AuditContext::outside_request(
        nwd_domain::actor::Actor::User(account.into()),
        Some(account),
        "test change",
    )
}

/// Functions that write without an audit entry of their own, and why: bookkeeping that
/// changes no record (a sign-in under way, a session's idle clock).
const BOOKKEEPING: [&str; 6] = [
    "begin_oidc_flow",      // a sign-in under way, kept by the hash of its state
    "take_oidc_flow",       // taken once, whatever happens next
    "session_principal",    // refreshes the session's idle clock at most once a minute
    "save_draft",           // a public journey's answers between pages, not the record
    "finish_draft",         // empties them once the (audited) send has made the referral
    "purge_expired_drafts", // deletes drafts past their idle lifetime
];

/// Functions that open a write transaction and hand it to the caller to continue, with the
/// function that commits it: that one must commit an audit entry (the transaction's writes
/// are the opener's, whose signature takes the `AuditContext`).
const STAGED: [(&str, &str); 1] = [("begin_import", "pub async fn finish(")];

/// Every public store function that opens a write transaction takes an `AuditContext`, and
/// nothing commits a write transaction but `WriteTx::commit_audited` (test fixtures aside,
/// behind the `testing` feature): a new write cannot be added without an audit entry.
#[test]
fn every_public_store_function_that_writes_takes_an_audit_context() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut writers = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let starts: Vec<usize> = text
            .match_indices("\n    pub async fn ")
            .map(|(i, _)| i)
            .collect();
        for (n, &start) in starts.iter().enumerate() {
            let end = starts.get(n + 1).copied().unwrap_or(text.len());
            let function = &text[start..end];
            let name = function["\n    pub async fn ".len()..]
                .split(['(', '<'])
                .next()
                .unwrap();
            let signature = function.split(" {\n").next().unwrap();
            let attributes = text[..start].rsplit("\n\n").next().unwrap_or_default();
            let fixture = attributes
                .lines()
                .rev()
                .take(2)
                .any(|l| l.contains("feature = \"testing\""));
            if !function.contains("begin_write()") || fixture || BOOKKEEPING.contains(&name) {
                continue;
            }
            writers += 1;
            assert!(
                signature.contains("AuditContext"),
                "{}: `{name}` opens a write transaction but takes no AuditContext",
                file.display()
            );
            let committed_by = match STAGED.iter().find(|(opener, _)| *opener == name) {
                Some((_, finisher)) => {
                    let at = text.find(finisher).unwrap_or_else(|| {
                        panic!("{}: `{name}`'s `{finisher}` is missing", file.display())
                    });
                    let rest = &text[at..];
                    &rest[..rest[1..].find("\n    pub ").map_or(rest.len(), |e| e + 1)]
                }
                None => function,
            };
            assert!(
                committed_by.contains("commit_audited(") || committed_by.contains("append("),
                "{}: `{name}` writes without committing an audit entry",
                file.display()
            );
        }
        for (i, _) in text.match_indices("tx.commit().await") {
            let before = &text[..i];
            let body = before.rsplit("async fn ").next().unwrap();
            let function = body.split('(').next().unwrap();
            // Intake's group commit appends every intake's own entry before it commits.
            let appends_each_entry = body.contains("append_scopes_after(");
            assert!(
                appends_each_entry
                    || BOOKKEEPING.contains(&function)
                    || [
                        "commit_audited",
                        "commit_fixture",
                        "destroy_record",
                        "fill_search_keys",
                        "fill_crisis_positions",
                        "write",
                        "session_principal",
                    ]
                    .contains(&function),
                "{}: `{function}` commits a transaction without an audit entry",
                file.display()
            );
        }
    }
    assert!(writers >= 30, "only {writers} writing functions found");
}
