//! The commissioning record's versions (migration 0030) on both databases: each save is a new
//! version with its audit entry, an earlier version stays readable, and a save made from a
//! version that is no longer the newest — one after another, or two at once — is refused
//! with what was saved meanwhile, writing nothing.

use nwd_store::audit::AuditContext;
use nwd_store::StoreError;

use crate::backend::for_each_backend;

fn operator() -> AuditContext {
    AuditContext::operator("ops", "cli commissioning load", "commissioning")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn versions_append_and_a_save_from_an_old_version_is_refused() {
    for_each_backend(|t| async move {
        assert!(t.store.commissioning_current().await.unwrap().is_none());
        let audits = t.count("audit_log").await;
        let first = t
            .store
            .save_commissioning(&operator(), 0, "[[party]]\n# one\n", "Ops", "first record")
            .await
            .unwrap();
        assert_eq!(first, 1);
        assert_eq!(
            t.count("audit_log").await,
            audits + 1,
            "the save is audited"
        );
        let second = t
            .store
            .save_commissioning(&operator(), 1, "# two\n", "Ops", "variation")
            .await
            .unwrap();
        assert_eq!(second, 2);
        let current = t.store.commissioning_current().await.unwrap().unwrap();
        assert_eq!((current.version, current.source.as_str()), (2, "# two\n"));
        let old = t.store.commissioning_version(1).await.unwrap().unwrap();
        assert_eq!(
            (old.source.as_str(), old.reason.as_str()),
            ("[[party]]\n# one\n", "first record")
        );
        let list = t.store.commissioning_versions().await.unwrap();
        assert_eq!(list.iter().map(|v| v.version).collect::<Vec<_>>(), [2, 1]);

        // Someone edited version 1 while version 2 was saved: refused, naming version 2.
        let refused = t
            .store
            .save_commissioning(&operator(), 1, "# stale\n", "Other", "late edit")
            .await
            .unwrap_err();
        match refused {
            StoreError::Conflict {
                expected,
                current,
                changes,
            } => {
                assert_eq!((expected, current), (1, 2));
                assert_eq!(changes.len(), 1);
                assert_eq!((changes[0].version, changes[0].actor.as_str()), (2, "Ops"));
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
        assert_eq!(
            t.count("commissioning_versions").await,
            2,
            "nothing written"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_saves_from_the_same_version_at_once_keep_one_and_refuse_the_other() {
    for_each_backend(|t| async move {
        let other = t.second_store().await;
        let (first, second) = (operator(), operator());
        let (a, b) = tokio::join!(
            t.store.save_commissioning(&first, 0, "# a\n", "A", "a"),
            other.save_commissioning(&second, 0, "# b\n", "B", "b"),
        );
        let outcomes = [a.is_ok(), b.is_ok()];
        assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{a:?} {b:?}");
        let refused = if a.is_err() { a } else { b };
        assert!(
            matches!(refused, Err(StoreError::Conflict { .. })),
            "{refused:?}"
        );
        assert_eq!(t.count("commissioning_versions").await, 1);
    })
    .await;
}
