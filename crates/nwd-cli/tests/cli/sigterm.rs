//! SIGTERM is handled like Ctrl-C (issue 15): the real `nowrongdoor serve` binary, under a
//! load of self-referrals from several clients, is sent SIGTERM; it stops accepting, lets the
//! requests under way finish, flushes the audit trail, checkpoints SQLite's write-ahead log
//! and exits 0 — and every referral it acknowledged is in the database.
//!
//! PostgreSQL runs when `DATABASE_URL` is set (and is required with `NWD_REQUIRE_POSTGRES=1`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nwd_store::testing::TestDatabase;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_drains_and_keeps_every_acknowledged_referral_sqlite() {
    let database = TestDatabase::sqlite().await;
    let url = database.sqlite_file().unwrap().display().to_string();
    let acknowledged = run(&url).await;
    // The write-ahead log was checkpointed into the database file and truncated.
    let wal = std::fs::metadata(format!("{url}-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert_eq!(wal, 0, "the WAL was not checkpointed at shutdown");
    verify(&url, &acknowledged).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_drains_and_keeps_every_acknowledged_referral_postgres() {
    let Some(database) = TestDatabase::postgres().await else {
        return;
    };
    let acknowledged = run(database.url()).await;
    verify(database.url(), &acknowledged).await;
}

/// Starts the server, loads it, sends SIGTERM mid-load; returns the acknowledged references.
async fn run(url: &str) -> Vec<String> {
    let port = free_port();
    let log = std::env::temp_dir().join(format!("nwd-sigterm-{}.log", unique()));
    let log_file = std::fs::File::create(&log).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_nowrongdoor"));
    if url.starts_with("postgres") {
        // PostgreSQL refuses to serve without a key; SQLite keeps one beside its file.
        command.env("NWD_SECRET_KEY_FILE", secret_key_file(&log));
    }
    let mut child = command
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .arg("--allow-unsafe-durability")
        .env("NWD_DATABASE_URL", url)
        .env("NWD_LOG", "warn")
        .env("NWD_ANONYMOUS_PER_10_MINUTES", "1000000")
        .env_remove("NWD_DEMO")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log_file))
        .spawn()
        .unwrap();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                break;
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the server exited with {status}: {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let mut clients = Vec::new();
    for c in 0..6 {
        let client = client.clone();
        let base = base.clone();
        let acknowledged = acknowledged.clone();
        clients.push(tokio::spawn(async move {
            for i in 0.. {
                let body = json!({
                    "who": "young_person",
                    "person": {"given_name": "Kai", "family_name": format!("Termtest{c}x{i}"),
                               "date_of_birth": "2011-02-03"},
                    "presenting_needs": "Worried all the time.",
                    "reasons": ["anxiety"],
                    "contact": {"name": "Kai", "phone": "07700 900123"}
                });
                match client
                    .post(format!("{base}/api/self-referrals"))
                    .json(&body)
                    .send()
                    .await
                {
                    Ok(response) if response.status() == 201 => {
                        let receipt: serde_json::Value = response.json().await.unwrap();
                        acknowledged
                            .lock()
                            .unwrap()
                            .push(receipt["reference"].as_str().unwrap().to_owned());
                    }
                    // 429 (the global ceiling) or 5xx: not acknowledged; keep going.
                    Ok(_) => {}
                    // Refused or reset: the server has stopped accepting.
                    Err(_) => break,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server did not stop within 30 s of SIGTERM");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    for handle in clients {
        let _ = tokio::time::timeout(Duration::from_secs(20), handle).await;
    }
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(status.code(), Some(0), "exit status {status}: {log_text}");
    assert!(log_text.contains("No Wrong Door stopped."), "{log_text}");
    let _ = std::fs::remove_file(&log);
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        !acknowledged.is_empty(),
        "no referral was acknowledged before SIGTERM"
    );
    acknowledged
}

async fn verify(url: &str, acknowledged: &[String]) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/standards.toml"
    ))
    .unwrap();
    let mut options = nwd_store::StoreOptions::new(url, toml::from_str(&text).unwrap());
    options.max_connections = 2;
    let store = nwd_store::Store::connect(options).await.unwrap();
    for reference in acknowledged {
        assert!(
            store
                .referral_by_reference(reference)
                .await
                .unwrap()
                .is_some(),
            "acknowledged referral {reference} is missing"
        );
    }
    assert_eq!(
        store.count_rows("referrals").await.unwrap(),
        acknowledged.len() as i64,
        "a referral was written but not acknowledged, or the reverse"
    );
    let chain = store.verify_audit().await.unwrap();
    assert!(chain.first_broken.is_none(), "{chain:?}");
    store.close().await;
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn unique() -> String {
    format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

/// A server secret key beside the log (PostgreSQL refuses to serve without one).
fn secret_key_file(log: &std::path::Path) -> std::path::PathBuf {
    let path = log.with_extension("key");
    if !path.exists() {
        std::fs::write(&path, format!("{}\n", "5a".repeat(32))).unwrap();
    }
    path
}
