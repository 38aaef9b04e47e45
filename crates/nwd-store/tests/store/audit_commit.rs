//! Deferred audit commits: entries of reads are committed before the call returns and the
//! chain verifies, and the connection used is handed back flushing every commit (FULL), so
//! no change ever commits unflushed. Runs on SQLite, and on PostgreSQL when `DATABASE_URL`
//! is set (databases from the test kit, `nwd_store::testing`).

use nwd_domain::directory::OrganisationKind;
use nwd_domain::standards::DefaultStandards;
use nwd_store::audit::{AuditCommit, AuditEntry, AuditScope};
use nwd_store::durability::{DurabilityReport, SqliteSynchronous};
use nwd_store::testing::TestDatabase;
use nwd_store::{Store, StoreOptions};

fn standards() -> DefaultStandards {
    crate::backend::default_standards()
}

async fn open(url: &str) -> Store {
    open_with(url, AuditCommit::Deferred).await
}

async fn open_with(url: &str, mode: AuditCommit) -> Store {
    let mut options = StoreOptions::new(url, standards());
    // One pooled connection: the one checked after is one a change would use.
    options.max_connections = 1;
    options.audit_commit = mode;
    Store::connect(options).await.unwrap()
}

/// Two stores on one database (as two server processes would be), each appending from many
/// tasks at once while changes append their own entries in their transactions: every entry is
/// committed exactly once, positions are 1..n without gaps or repeats, and the chain verifies
/// — the writers' remembered heads never fork the chain (the head trigger refuses a stale
/// one, and the writer retries under the head's lock).
async fn concurrent_writers_from_two_stores_keep_one_chain(url: &str, mode: AuditCommit) {
    let a = open_with(url, mode).await;
    let b = open_with(url, mode).await;
    let before = a.count_rows("audit_log").await.unwrap() as u64;
    let mut tasks = Vec::new();
    for i in 0..200u32 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            let mut entry = AuditEntry::new("/api/referrals/{id}", "read");
            entry.record_id = Some(format!("r{i}"));
            entry.outcome = "allowed".into();
            store.append_audit(entry).await.unwrap()
        }));
    }
    // Changes, whose entries are appended inside their own transactions, move the head under
    // the writers' remembered heads at the same time.
    let mut changes = Vec::new();
    for i in 0..20u32 {
        let store = if i % 2 == 0 { a.clone() } else { b.clone() };
        changes.push(tokio::spawn(async move {
            let mut entry = AuditEntry::new("POST /api/admin/teams", "change");
            entry.record_id = Some(format!("t{i}"));
            let scope = AuditScope::new(entry);
            let audit = nwd_store::audit::AuditContext::request(
                nwd_domain::actor::Actor::User("admin".into()),
                None,
                scope.clone(),
            );
            store
                .create_organisation(
                    &audit,
                    nwd_domain::directory::OrganisationDetails {
                        name: format!("Organisation {i}"),
                        kind: OrganisationKind::NhsTrust,
                        ods_code: None,
                    },
                )
                .await
                .unwrap();
            assert!(
                scope.written(),
                "the change's entry was appended in its transaction"
            );
        }));
    }
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.push(task.await.unwrap());
    }
    for change in changes {
        change.await.unwrap();
    }
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 200, "each entry has its own position");
    assert!(seqs.iter().all(|s| *s > before && *s <= before + 220));
    assert_eq!(
        a.count_rows("audit_log").await.unwrap() as u64,
        before + 220
    );
    let verification = b.verify_audit().await.unwrap();
    assert!(verification.first_broken.is_none(), "{verification:?}");
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_concurrent_writers() {
    for mode in [AuditCommit::Durable, AuditCommit::Deferred] {
        let database = TestDatabase::sqlite().await;
        concurrent_writers_from_two_stores_keep_one_chain(database.url(), mode).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_writers() {
    for mode in [AuditCommit::Durable, AuditCommit::Deferred] {
        let Some(database) = TestDatabase::postgres().await else {
            return;
        };
        concurrent_writers_from_two_stores_keep_one_chain(database.url(), mode).await;
    }
}

async fn deferred_entries_commit_chain_and_leave_full_durability(store: &Store) {
    let before = store.count_rows("audit_log").await.unwrap();
    for i in 0..5 {
        let mut entry = AuditEntry::new("/api/referrals/{id}", "read");
        entry.record_id = Some(format!("r{i}"));
        entry.outcome = "allowed".into();
        store.append_audit(entry).await.unwrap();
    }
    // Committed: visible at once, in order, and the chain verifies.
    assert_eq!(store.count_rows("audit_log").await.unwrap(), before + 5);
    let verification = store.verify_audit().await.unwrap();
    assert!(verification.first_broken.is_none(), "{verification:?}");
    // The connection went back to the pool flushing every commit.
    match store.durability().await.unwrap() {
        DurabilityReport::Sqlite { synchronous, .. } => {
            assert_eq!(synchronous, SqliteSynchronous::Full)
        }
        DurabilityReport::Postgres {
            synchronous_commit, ..
        } => assert_ne!(
            synchronous_commit, "off",
            "SET LOCAL leaked out of its transaction"
        ),
    }
}

#[tokio::test]
async fn sqlite_deferred_audit() {
    let database = TestDatabase::sqlite().await;
    let store = open(database.url()).await;
    deferred_entries_commit_chain_and_leave_full_durability(&store).await;
    store.close().await;
}

#[tokio::test]
async fn postgres_deferred_audit() {
    let Some(database) = TestDatabase::postgres().await else {
        return;
    };
    let store = open(database.url()).await;
    deferred_entries_commit_chain_and_leave_full_durability(&store).await;
    store.close().await;
}

async fn head_of(conn: &mut sqlx::AnyConnection) -> (i64, String) {
    use sqlx::Row;
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(conn)
        .await
        .unwrap();
    (row.try_get("seq").unwrap(), row.try_get("hash").unwrap())
}

/// The head trigger: a row that does not follow the chain head exactly — a position ahead of
/// it, or the right position with another previous hash — is refused and the head does not
/// move; appends go on from the real head and the chain verifies.
async fn an_entry_that_does_not_follow_the_head_is_refused(url: &str) {
    use sqlx::Connection;
    let store = open_with(url, AuditCommit::Durable).await;
    let first = store
        .append_audit(AuditEntry::new("GET /api/referrals", "search"))
        .await
        .unwrap();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    let (seq, hash) = head_of(&mut conn).await;
    assert_eq!(seq as u64, first);
    for (at, prev) in [(seq + 2, hash.clone()), (seq + 1, "f".repeat(64))] {
        let refused = sqlx::query(
            "INSERT INTO audit_log (seq, at, roles, action, route, record_type, why, outcome, \
             status, prev_hash, hash) VALUES ($1, 0, '', 'read', 'forged', 'none', 'public', \
             'allowed', 0, $2, $3)",
        )
        .bind(at)
        .bind(prev)
        .bind("e".repeat(64))
        .execute(&mut conn)
        .await;
        let error = refused
            .expect_err("a row off the head was accepted")
            .to_string();
        assert!(error.contains(nwd_store::audit::HEAD_MOVED), "{error}");
        assert_eq!(
            head_of(&mut conn).await,
            (seq, hash.clone()),
            "the head moved"
        );
    }
    conn.close().await.unwrap();
    let next = store
        .append_audit(AuditEntry::new("GET /api/referrals", "search"))
        .await
        .unwrap();
    assert_eq!(next, first + 1);
    assert!(store.verify_audit().await.unwrap().first_broken.is_none());
    store.close().await;
}

#[tokio::test]
async fn sqlite_head_trigger() {
    let database = TestDatabase::sqlite().await;
    an_entry_that_does_not_follow_the_head_is_refused(database.url()).await;
}

#[tokio::test]
async fn postgres_head_trigger() {
    let Some(database) = TestDatabase::postgres().await else {
        return;
    };
    an_entry_that_does_not_follow_the_head_is_refused(database.url()).await;
}
