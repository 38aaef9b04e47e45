//! Deferred audit commits: entries of reads are committed before the call returns and the
//! chain verifies, and the connection used is handed back flushing every commit (FULL), so
//! no change ever commits unflushed. Runs on SQLite, and on PostgreSQL when `DATABASE_URL`
//! is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use nwd_domain::standards::DefaultStandards;
use nwd_store::audit::{AuditCommit, AuditEntry};
use nwd_store::durability::{DurabilityReport, SqliteSynchronous};
use nwd_store::{Store, StoreOptions};

fn standards() -> DefaultStandards {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config/standards.toml");
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
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
/// tasks at once: every entry is committed exactly once, positions are 1..n without gaps or
/// repeats, and the chain verifies — the writers' remembered heads never fork the chain.
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
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.push(task.await.unwrap());
    }
    seqs.sort_unstable();
    let expected: Vec<u64> = (before + 1..=before + 200).collect();
    assert_eq!(seqs, expected, "each entry has its own position, no gaps");
    assert_eq!(
        a.count_rows("audit_log").await.unwrap() as u64,
        before + 200
    );
    let verification = b.verify_audit().await.unwrap();
    assert!(verification.first_broken.is_none(), "{verification:?}");
    a.close().await;
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_concurrent_writers() {
    for mode in [AuditCommit::Durable, AuditCommit::Deferred] {
        let path = std::env::temp_dir().join(format!("nwd-audit-{}.sqlite", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        concurrent_writers_from_two_stores_keep_one_chain(&url, mode).await;
        let _ = std::fs::remove_file(&path);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_concurrent_writers() {
    let Ok(admin) = std::env::var("DATABASE_URL") else {
        assert!(
            std::env::var("NWD_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "NWD_REQUIRE_POSTGRES=1 but DATABASE_URL is not set"
        );
        eprintln!("warning: DATABASE_URL is not set; PostgreSQL part skipped");
        return;
    };
    for mode in [AuditCommit::Durable, AuditCommit::Deferred] {
        let name = format!("nwd_audit_{}", uuid::Uuid::new_v4().simple());
        let url = nwd_store::provision::create_database(&admin, &name)
            .await
            .unwrap();
        concurrent_writers_from_two_stores_keep_one_chain(&url, mode).await;
        nwd_store::provision::drop_database(&admin, &name)
            .await
            .unwrap();
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
    let path = std::env::temp_dir().join(format!("nwd-audit-{}.sqlite", uuid::Uuid::new_v4()));
    let store = open(&format!("sqlite://{}?mode=rwc", path.display())).await;
    deferred_entries_commit_chain_and_leave_full_durability(&store).await;
    store.close().await;
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn postgres_deferred_audit() {
    let Ok(admin) = std::env::var("DATABASE_URL") else {
        assert!(
            std::env::var("NWD_REQUIRE_POSTGRES").as_deref() != Ok("1"),
            "NWD_REQUIRE_POSTGRES=1 but DATABASE_URL is not set"
        );
        eprintln!("warning: DATABASE_URL is not set; PostgreSQL part skipped");
        return;
    };
    let name = format!("nwd_audit_{}", uuid::Uuid::new_v4().simple());
    let url = nwd_store::provision::create_database(&admin, &name)
        .await
        .unwrap();
    let store = open(&url).await;
    deferred_entries_commit_chain_and_leave_full_durability(&store).await;
    store.close().await;
    nwd_store::provision::drop_database(&admin, &name)
        .await
        .unwrap();
}
