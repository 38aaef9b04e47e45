//! The harness: concurrent clients posting self-referrals with idempotency keys while the server
//! is SIGKILLed and restarted at random moments ([`run_harness`]), then the database opened
//! directly to check that every acknowledged write is there exactly once ([`verify`]).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use super::*;

/// What a run acknowledged.
pub(super) struct Run {
    pub(super) acknowledged: Vec<Acknowledged>,
    pub(super) kills: usize,
}

/// One acknowledged write: what was sent and what the server answered.
pub(super) struct Acknowledged {
    pub(super) body: Value,
    pub(super) status: u16,
    pub(super) response: Value,
}

pub(super) async fn run_harness(url: &str, allow_unsafe: bool) -> Run {
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
pub(super) async fn verify(url: &str, run: &Run) {
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
