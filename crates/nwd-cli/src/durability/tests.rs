//! Unit tests of the durability check: safe settings are accepted, unsafe ones refused by name
//! (with the fix on PostgreSQL).

use super::*;

fn postgres(fsync: &str, synchronous_commit: &str, full_page_writes: &str) -> DurabilityReport {
    DurabilityReport::Postgres {
        fsync: fsync.into(),
        synchronous_commit: synchronous_commit.into(),
        full_page_writes: full_page_writes.into(),
    }
}

fn sqlite(journal_mode: &str, synchronous: SqliteSynchronous) -> DurabilityReport {
    DurabilityReport::Sqlite {
        journal_mode: journal_mode.into(),
        synchronous,
    }
}

/// Checks which settings `report` is refused for, and that the refusal names each of
/// them and the way out.
fn check_refused(report: DurabilityReport, expected: &[&str]) {
    let names: Vec<&str> = unsafe_settings(&report).iter().map(|s| s.setting).collect();
    assert_eq!(names, expected, "{report:?}");
    let outcome = decide(&report, false);
    if expected.is_empty() {
        assert!(outcome.is_ok(), "{report:?}: {outcome:?}");
    } else {
        let message = outcome.unwrap_err().to_string();
        for name in expected {
            assert!(message.contains(&format!("{name} is ")), "{message}");
        }
        assert!(message.contains("--allow-unsafe-durability"), "{message}");
        assert!(decide(&report, true).is_ok());
    }
}

#[test]
fn safe_settings_are_accepted() {
    check_refused(sqlite("wal", SqliteSynchronous::Full), &[]);
    check_refused(sqlite("wal", SqliteSynchronous::Extra), &[]);
    for synchronous_commit in ["on", "local", "remote_write", "remote_apply"] {
        check_refused(postgres("on", synchronous_commit, "on"), &[]);
    }
}

#[test]
fn unsafe_sqlite_settings_are_refused_by_name() {
    check_refused(sqlite("wal", SqliteSynchronous::Normal), &["synchronous"]);
    check_refused(sqlite("wal", SqliteSynchronous::Off), &["synchronous"]);
    check_refused(sqlite("delete", SqliteSynchronous::Full), &["journal_mode"]);
    check_refused(
        sqlite("memory", SqliteSynchronous::Unknown(7)),
        &["journal_mode", "synchronous"],
    );
}

#[test]
fn unsafe_postgres_settings_are_refused_by_name_with_the_fix() {
    check_refused(postgres("off", "on", "on"), &["fsync"]);
    check_refused(postgres("on", "off", "on"), &["synchronous_commit"]);
    check_refused(postgres("on", "on", "off"), &["full_page_writes"]);
    check_refused(
        postgres("off", "off", "off"),
        &["fsync", "synchronous_commit", "full_page_writes"],
    );
    let message = decide(&postgres("off", "on", "on"), false)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("set fsync = on in postgresql.conf"),
        "{message}"
    );
}

#[tokio::test]
async fn the_store_opens_sqlite_with_safe_settings() {
    let path = std::env::temp_dir().join(format!(
        "nwd-durability-{}-{}.sqlite",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond()
    ));
    let standards =
        crate::config::parse_standards(include_str!("../../../../config/standards.toml")).unwrap();
    let store = Store::connect(nwd_store::StoreOptions::new(
        path.display().to_string(),
        standards,
    ))
    .await
    .unwrap();
    let report = store.durability().await.unwrap();
    assert_eq!(
        report,
        DurabilityReport::Sqlite {
            journal_mode: "wal".into(),
            synchronous: SqliteSynchronous::Full
        }
    );
    check(&store, false).await.unwrap();
    assert_eq!(store.integrity_check().await.unwrap(), Some(vec![]));
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
