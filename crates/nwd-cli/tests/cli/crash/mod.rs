//! Crash harness: nothing acknowledged is lost.
//!
//! Starts the real `nowrongdoor serve` binary on a fresh database, drives self-referrals into
//! it from several concurrent clients (the public `POST /api/self-referrals`, each with an
//! `Idempotency-Key`), and SIGKILLs the server at random moments — restarting it on the same
//! database each time — until at least 1,000 writes were acknowledged across at least five
//! kills. A client whose request fails (connection refused or reset mid-request) retries
//! the same body with the same key until it is acknowledged, so every request that was ever
//! sent ends acknowledged exactly once. Then the database is opened directly and:
//!
//! - every acknowledged referral is there, equal to the referral the server acknowledged and
//!   to the body that was sent (person details included);
//! - there is exactly one referral (and one event) per acknowledged request: a commit whose
//!   answer was lost in the crash was replayed by its key, not duplicated;
//! - on SQLite, `PRAGMA integrity_check` is `ok`.
//!
//! What this does not show: survival of an operating-system crash or power loss (the kernel
//! keeps the page cache across a killed process). That is what the durability settings
//! `serve` checks at start-up are for (`durability.rs`; tested by
//! `serve_refuses_unsafe_postgres_durability_unless_allowed` below).
//!
//! PostgreSQL runs when `DATABASE_URL` is set (`scripts/test` sets it), and is required
//! when `NWD_REQUIRE_POSTGRES=1`. Databases come from the test kit (`nwd_store::testing`). `NWD_CRASH_SEED` replays a kill schedule.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use nwd_store::testing::TestDatabase;

mod bodies;
mod harness;
mod server;

use bodies::*;
use harness::*;
use server::*;

/// Acknowledged writes to reach before stopping.
const TARGET_ACKNOWLEDGED: usize = 1_000;
/// Kills to reach before stopping.
const MIN_KILLS: usize = 5;
/// Concurrent clients.
const CLIENTS: usize = 8;
/// How long a server lives after it answers its first health check, in milliseconds.
const UPTIME_MS: std::ops::RangeInclusive<u64> = 50..=300;
/// A run that has not reached its targets by now has failed.
const TIME_LIMIT: Duration = Duration::from_secs(180);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_self_referrals_survive_sigkill_sqlite() {
    let database = TestDatabase::sqlite().await;
    let url = database.sqlite_file().unwrap().display().to_string();
    let run = run_harness(&url, false).await;
    verify(&url, &run).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_self_referrals_survive_sigkill_postgres() {
    let Some(database) = TestDatabase::postgres().await else {
        return;
    };
    let url = database.url().to_owned();
    // A throw-away test cluster may run with fsync off (scripts/test does, for speed). That
    // does not weaken this test — it kills the application, never PostgreSQL — so allow it,
    // and say so.
    let store = open_store(&url).await;
    let report = store.durability().await.unwrap();
    store.close().await;
    let allow_unsafe = !durability_is_safe(&report);
    if allow_unsafe {
        eprintln!(
            "note: the PostgreSQL server runs with unsafe durability settings ({report:?}); \
             the harness serves with --allow-unsafe-durability (it kills the application, not \
             PostgreSQL)"
        );
    }
    let run = run_harness(&url, allow_unsafe).await;
    verify(&url, &run).await;
}

/// `serve` refuses a PostgreSQL connection that turns `synchronous_commit` off, naming the
/// setting, and starts with `--allow-unsafe-durability`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_refuses_unsafe_postgres_durability_unless_allowed() {
    let Some(database) = TestDatabase::postgres().await else {
        return;
    };
    let url = database.url().to_owned();
    let separator = if url.contains('?') { '&' } else { '?' };
    let unsafe_url = format!("{url}{separator}options[synchronous_commit]=off");

    let store = open_store(&unsafe_url).await;
    match store.durability().await.unwrap() {
        nwd_store::durability::DurabilityReport::Postgres {
            synchronous_commit, ..
        } => assert_eq!(synchronous_commit, "off"),
        other => panic!("expected a PostgreSQL report, got {other:?}"),
    }
    store.close().await;

    let port = free_port();
    let log = std::env::temp_dir().join(format!("nwd-crash-{}.log", unique()));
    let output = server_command(&unsafe_url, port, false, &log)
        .output()
        .unwrap();
    assert!(!output.status.success(), "serve started on unsafe settings");
    let message = std::fs::read_to_string(&log).unwrap();
    assert!(
        message.contains("refusing to start") && message.contains("synchronous_commit is off"),
        "{message}"
    );
    assert!(message.contains("--allow-unsafe-durability"), "{message}");

    // Told explicitly, it serves (fsync may be off too on a throw-away test cluster).
    let mut server = Server::start(&unsafe_url, port, true, &log);
    server.wait_until_ready().await;
    server.kill();
    let _ = std::fs::remove_file(&log);
}
