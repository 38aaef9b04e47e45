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
    let mut options = StoreOptions::new(url, standards());
    // One connection: the one a deferred append used is the one checked after.
    options.max_connections = 1;
    options.audit_commit = AuditCommit::Deferred;
    Store::connect(options).await.unwrap()
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
