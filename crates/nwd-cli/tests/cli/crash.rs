// Over 600 lines: to be split by what it owns in issue 16 (the architecture step), not mid-issue.
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
//! `serve` checks at start-up are for (`durability.rs`; tested at the end of this file).
//!
//! PostgreSQL runs when `DATABASE_URL` is set (`scripts/test` sets it), and is required
//! when `NWD_REQUIRE_POSTGRES=1`. Databases come from the test kit (`nwd_store::testing`). `NWD_CRASH_SEED` replays a kill schedule.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashSet;
use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nwd_store::testing::TestDatabase;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

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

// ---------------------------------------------------------------------------------------
// The harness.

/// What a run acknowledged.
struct Run {
    acknowledged: Vec<Acknowledged>,
    kills: usize,
}

/// One acknowledged write: what was sent and what the server answered.
struct Acknowledged {
    body: Value,
    status: u16,
    response: Value,
}

async fn run_harness(url: &str, allow_unsafe: bool) -> Run {
    let seed = std::env::var("NWD_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2026_u64);
    let started = Instant::now();
    let port = free_port();
    let log = std::env::temp_dir().join(format!("nwd-crash-{}.log", unique()));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

    let acknowledged = Arc::new(Mutex::new(Vec::<Acknowledged>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let next_index = Arc::new(AtomicUsize::new(0));
    let replays = Arc::new(AtomicUsize::new(0));
    let failed_attempts = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for client_no in 0..CLIENTS {
        let (client, base) = (client.clone(), base.clone());
        let (acknowledged, stop, next_index) =
            (acknowledged.clone(), stop.clone(), next_index.clone());
        let (replays, failed_attempts) = (replays.clone(), failed_attempts.clone());
        clients.push(tokio::spawn(async move {
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ ((client_no as u64 + 1) * 0x9e37));
            while !stop.load(Ordering::SeqCst) {
                let index = next_index.fetch_add(1, Ordering::SeqCst);
                let body = self_referral(index, &mut rng);
                let key = format!("crash-{seed}-{index}");
                let mut attempts = 0_u32;
                // Retry the same body and key until acknowledged: after a crash we cannot
                // know whether it committed, and the key makes retrying safe.
                loop {
                    attempts += 1;
                    let sent = client
                        .post(format!("{base}/api/self-referrals"))
                        .header("Idempotency-Key", &key)
                        .json(&body)
                        .send()
                        .await;
                    let response = match sent {
                        Ok(response) => response,
                        Err(_) => {
                            failed_attempts.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(15)).await;
                            continue;
                        }
                    };
                    let status = response.status();
                    if status.is_success() {
                        // A reset mid-body is a failed attempt like any other.
                        let Ok(answer) = response.json::<Value>().await else {
                            failed_attempts.fetch_add(1, Ordering::SeqCst);
                            continue;
                        };
                        if status.as_u16() == 200 {
                            replays.fetch_add(1, Ordering::SeqCst);
                        }
                        acknowledged.lock().unwrap().push(Acknowledged {
                            body,
                            status: status.as_u16(),
                            response: answer,
                        });
                        break;
                    }
                    if status.as_u16() == 429 || status.is_server_error() {
                        // Rate limited, or the database went away under a dying server.
                        failed_attempts.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(25)).await;
                        continue;
                    }
                    let text = response.text().await.unwrap_or_default();
                    panic!(
                        "self-referral {index} refused with {status} (attempt {attempts}): {text}"
                    );
                }
            }
        }));
    }

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut kills = 0;
    let mut server = Server::start(url, port, allow_unsafe, &log);
    loop {
        server.wait_until_ready().await;
        let uptime = Duration::from_millis(rng.gen_range(UPTIME_MS));
        tokio::time::sleep(uptime).await;
        let done = acknowledged.lock().unwrap().len();
        if done >= TARGET_ACKNOWLEDGED && kills >= MIN_KILLS {
            break;
        }
        assert!(
            started.elapsed() < TIME_LIMIT,
            "only {done} writes acknowledged and {kills} kills after {:?}",
            started.elapsed()
        );
        server.kill();
        kills += 1;
        server = Server::start(url, port, allow_unsafe, &log);
    }
    // Let every client finish the request it has in flight (retrying until acknowledged),
    // then kill the server one last time, mid-idle.
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.await.unwrap();
    }
    server.kill();
    kills += 1;
    let _ = std::fs::remove_file(&log);

    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    eprintln!(
        "crash harness on {}: {} writes acknowledged ({} answered by replaying their \
         Idempotency-Key after a crash), {} failed attempts retried, {kills} SIGKILLs, \
         {:.1} s, seed {seed}",
        if url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        },
        acknowledged.len(),
        replays.load(Ordering::SeqCst),
        failed_attempts.load(Ordering::SeqCst),
        started.elapsed().as_secs_f64()
    );
    assert!(kills > MIN_KILLS);
    Run {
        acknowledged,
        kills,
    }
}

/// Opens the database directly and checks every acknowledged write.
async fn verify(url: &str, run: &Run) {
    assert!(run.acknowledged.len() >= TARGET_ACKNOWLEDGED);
    assert!(run.kills >= MIN_KILLS);
    let store = open_store(url).await;
    if let Some(problems) = store.integrity_check().await.unwrap() {
        assert!(
            problems.is_empty(),
            "PRAGMA integrity_check found {problems:?}"
        );
    }
    let mut ids = HashSet::new();
    let mut linked = 0;
    for ack in &run.acknowledged {
        // The public answer names the referral by its reference only (issue 15, High 1).
        let reference = ack.response["reference"].as_str().unwrap();
        let stored = store
            .referral_by_reference(reference)
            .await
            .unwrap()
            .unwrap_or_else(|| {
                panic!(
                    "acknowledged ({}) referral {reference} is missing",
                    ack.status
                )
            });
        let id_text = stored.id.to_string();
        assert!(
            ids.insert(id_text.clone()),
            "two requests were acknowledged with the same referral {id_text}"
        );
        let stored_json = serde_json::to_value(&stored).unwrap();

        let sent = &ack.body;
        let expected_source = match sent["who"].as_str() {
            Some("parent_carer") => "parent_carer",
            _ => "self_referral",
        };
        assert_eq!(stored_json["source"], expected_source, "{id_text}");
        assert_eq!(
            stored_json["presenting_needs"], sent["presenting_needs"],
            "{id_text}"
        );
        assert_eq!(stored_json["reasons"], sent["reasons"], "{id_text}");
        assert_eq!(stored_json["referrer"]["name"], sent["contact"]["name"]);
        assert_eq!(stored_json["referrer"]["phone"], sent["contact"]["phone"]);
        // A self-referral's choices are recorded as the domain's agency names
        // (`nwd_domain::self_referral::ShareWith::agency`).
        let agencies: Vec<&str> = sent["consent_to_share"]
            .as_array()
            .unwrap()
            .iter()
            .map(|choice| {
                nwd_domain::self_referral::ShareWith::parse(choice.as_str().unwrap())
                    .unwrap()
                    .agency()
            })
            .collect();
        assert_eq!(stored_json["consent_to_share"], json!(agencies));

        let person = store.person(stored.person_id).await.unwrap();
        let person = serde_json::to_value(&person).unwrap();
        if person["nhs_number"].is_null() && !sent["person"]["nhs_number"].is_null() {
            // An anonymous referral never links itself: a number already registered stays
            // on the referral, and the provisional record waits for review without it.
            linked += 1;
            continue;
        }
        let sent_person = &sent["person"];
        for field in ["given_name", "family_name", "date_of_birth"] {
            assert_eq!(person[field], sent_person[field], "{id_text}: {field}");
        }
        for field in ["nhs_number", "postcode"] {
            assert_eq!(
                compact(&person[field]),
                compact(&sent_person[field]),
                "{id_text}: {field}"
            );
        }
    }
    eprintln!(
        "verified {} acknowledged referrals ({linked} waiting for review against a registered number)",
        run.acknowledged.len()
    );
    // Exactly once: no lost write, and no commit duplicated by its retry.
    assert_eq!(
        store.count_rows("referrals").await.unwrap(),
        run.acknowledged.len() as i64
    );
    assert_eq!(
        store.count_rows("referral_events").await.unwrap(),
        run.acknowledged.len() as i64
    );
    assert_eq!(
        store.count_rows("idempotency_keys").await.unwrap(),
        run.acknowledged.len() as i64
    );
    store.close().await;
}

/// A synthetic self-referral, unique by `index`: an invented family name, an NHS number from
/// the 999 test range (or none), a postcode in a real format.
fn self_referral(index: usize, rng: &mut ChaCha8Rng) -> Value {
    const GIVEN: &[&str] = &[
        "Kai", "Amara", "Riley", "Zofia", "Idris", "Maisie", "Tomasz", "Priya", "Noor", "Callum",
    ];
    const REASONS: &[&str] = &[
        "anxiety",
        "depression",
        "self_harm",
        "eating_disorder",
        "relationship_difficulties",
        "ocd",
    ];
    let who = if rng.gen_bool(0.8) {
        "young_person"
    } else {
        "parent_carer"
    };
    let given = GIVEN[rng.gen_range(0..GIVEN.len())];
    let family = family_name(index);
    let date_of_birth = format!(
        "{}-{:02}-{:02}",
        rng.gen_range(2008..=2013),
        rng.gen_range(1..=12),
        rng.gen_range(1..=28)
    );
    let mut person = json!({
        "given_name": given,
        "family_name": family,
        "date_of_birth": date_of_birth,
        "postcode": format!("CT{} {}{}{}", rng.gen_range(1..=21), rng.gen_range(1..=9),
            char::from(b'A' + rng.gen_range(0..26)), char::from(b'B' + rng.gen_range(0..24))),
    });
    if let Some(nhs) = test_nhs_number(index).filter(|_| rng.gen_bool(0.7)) {
        person["nhs_number"] = json!(nhs);
    }
    let first = rng.gen_range(0..REASONS.len());
    let mut reasons = vec![REASONS[first]];
    if rng.gen_bool(0.4) {
        reasons.push(REASONS[(first + 1) % REASONS.len()]);
    }
    json!({
        "who": who,
        "person": person,
        "presenting_needs": format!("Crash-harness referral {index}: I have felt worried for {} weeks.", rng.gen_range(1..40)),
        "reasons": reasons,
        "contact": {"name": if who == "young_person" { given.to_string() } else { format!("Parent of {given}") },
                    "phone": format!("07700 900{:03}", rng.gen_range(0..1000))},
        "consent_to_share": if rng.gen_bool(0.5) { json!(["school"]) } else { json!([]) },
    })
}

/// `999` then six digits from `index`, then the modulus-11 check digit; `None` when the
/// digits have no valid check digit.
fn test_nhs_number(index: usize) -> Option<String> {
    let digits: Vec<u32> = format!("999{:06}", index % 1_000_000)
        .chars()
        .map(|c| c.to_digit(10).unwrap())
        .collect();
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| d * (10 - i as u32))
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return None,
        c => c,
    };
    let text: String = digits
        .iter()
        .map(|d| char::from_digit(*d, 10).unwrap())
        .collect();
    Some(format!("{text}{check}"))
}

/// An invented family name unique to `index`: its digits in base 24 as syllables, most
/// significant first, so that names differ from their first letters (names sharing a long
/// prefix look alike to the person matcher).
fn family_name(mut index: usize) -> String {
    const SYLLABLES: [&str; 24] = [
        "ka", "lo", "mir", "tse", "vu", "dra", "pel", "quo", "ris", "bon", "hak", "zel", "fo",
        "gru", "nim", "sar", "tov", "yel", "wen", "cas", "jup", "mor", "dil", "bex",
    ];
    let mut parts = Vec::new();
    for _ in 0..3 {
        parts.push(SYLLABLES[index % SYLLABLES.len()]);
        index /= SYLLABLES.len();
    }
    parts.reverse();
    let name = parts.concat();
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// A value's text without spaces, upper case (NHS numbers and postcodes are stored
/// formatted).
fn compact(value: &Value) -> Option<String> {
    value.as_str().map(|s| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase()
    })
}

// ---------------------------------------------------------------------------------------
// The server process.

/// A running `nowrongdoor serve`; SIGKILLed when dropped (so a failing test leaves no
/// server behind).
struct Server {
    child: Option<Child>,
    port: u16,
    log: PathBuf,
}

/// A server secret key beside the log (PostgreSQL refuses to serve without one).
fn secret_key_file(log: &std::path::Path) -> PathBuf {
    let path = log.with_extension("key");
    if !path.exists() {
        std::fs::write(&path, format!("{}\n", "5a".repeat(32))).unwrap();
    }
    path
}

fn server_command(url: &str, port: u16, allow_unsafe: bool, log: &PathBuf) -> Command {
    let log_file = File::options().create(true).append(true).open(log).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_nowrongdoor"));
    command
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("NWD_DATABASE_URL", url)
        .env("NWD_SECRET_KEY_FILE", secret_key_file(log))
        .env("NWD_MAX_CONNECTIONS", "8")
        .env("NWD_LOG", "warn")
        // The anonymous rate limit (20 per address per ten minutes) would throttle this
        // harness, which sends every request from one address; the global limit stays.
        .env("NWD_ANONYMOUS_PER_10_MINUTES", "1000000")
        .env_remove("NWD_ALLOW_UNSAFE_DURABILITY")
        .env_remove("NWD_DEMO")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log_file));
    if allow_unsafe {
        command.arg("--allow-unsafe-durability");
    }
    command
}

impl Server {
    fn start(url: &str, port: u16, allow_unsafe: bool, log: &PathBuf) -> Server {
        let child = server_command(url, port, allow_unsafe, log)
            .spawn()
            .expect("start nowrongdoor serve");
        Server {
            child: Some(child),
            port,
            log: log.clone(),
        }
    }

    /// Polls `/healthz` until it answers 200; fails with the server's log if it exits.
    async fn wait_until_ready(&mut self) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(500))
            .build()
            .unwrap();
        let url = format!("http://127.0.0.1:{}/healthz", self.port);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(response) = client.get(&url).send().await {
                if response.status().is_success() {
                    return;
                }
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().unwrap()) {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                panic!("the server exited with {status} before it was ready:\n{log}");
            }
            assert!(Instant::now() < deadline, "the server did not become ready");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// SIGKILL (`Child::kill` on Unix), then reap.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---------------------------------------------------------------------------------------
// Databases.

async fn open_store(url: &str) -> nwd_store::Store {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/standards.toml"
    ))
    .unwrap();
    let standards = toml::from_str(&text).unwrap();
    let mut options = nwd_store::StoreOptions::new(url, standards);
    options.max_connections = 4;
    nwd_store::Store::connect(options)
        .await
        .expect("open the store")
}

fn durability_is_safe(report: &nwd_store::durability::DurabilityReport) -> bool {
    match report {
        nwd_store::durability::DurabilityReport::Postgres {
            fsync,
            synchronous_commit,
            full_page_writes,
        } => fsync == "on" && synchronous_commit != "off" && full_page_writes == "on",
        nwd_store::durability::DurabilityReport::Sqlite { .. } => true,
    }
}

/// A free TCP port on 127.0.0.1 (the server is restarted on the same one after each kill).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Unique enough for file and database names: process id and nanoseconds.
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
