//! `nwd-bench intake`: concurrent clients post referrals for distinct synthetic young people
//! until a given number are accepted; reports throughput and latency, and checks the row
//! count.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context as _};
use indicatif::{ProgressBar, ProgressStyle};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::report;
use crate::server::{self, FreshDatabase, Matching, Server};
use crate::stats::Latencies;

mod bodies;
mod worker;

use worker::Worker;

/// Stems of the 999 test range: one NHS number per referral at most.
const NHS_STEMS: u64 = 1_000_000;

/// Attempts per referral before the run fails (a transport error or a 5xx is retried with
/// the same idempotency key, so a retry can never create a second referral).
const ATTEMPTS: u32 = 5;

/// Options of `nwd-bench intake`.
#[derive(clap::Args)]
pub struct Args {
    /// `postgres://user@host/db` (a fresh database is created on that server and dropped
    /// after), `sqlite` (a fresh file in the temporary folder) or a new SQLite file path.
    #[arg(long)]
    database_url: String,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    clients: u32,
    /// Referrals to be accepted.
    #[arg(long, default_value_t = 20_000)]
    referrals: u64,
    /// Database connections in the server's pool.
    #[arg(long, default_value_t = 16)]
    max_connections: u32,
    /// Person matching at intake: `register` (the probabilistic matcher, as the server
    /// runs) or `nhs-number-only`.
    #[arg(long, value_enum, default_value_t = Matching::Register)]
    matching: Matching,
    /// Keep the database afterwards (for inspection).
    #[arg(long)]
    keep: bool,
}

/// Runs the intake benchmark.
pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.referrals == 0 || args.clients == 0 {
        bail!("--referrals and --clients must be at least 1");
    }
    if args.referrals > NHS_STEMS {
        bail!("at most {NHS_STEMS} referrals: each young person needs a distinct NHS number stem");
    }
    let database = FreshDatabase::create(&args.database_url).await?;
    let outcome = measure(&args, &database).await;
    if args.keep {
        report(format!("kept: {}", database.location()));
    } else {
        database.remove().await?;
    }
    outcome
}

async fn measure(args: &Args, database: &FreshDatabase) -> anyhow::Result<()> {
    let store = server::open_store(&database.url, args.max_connections, args.matching).await?;
    let server = Server::start(store.clone()).await?;
    let client = server::client()?;
    create_service(&client, &server.base).await?;

    let bar = ProgressBar::new(args.referrals).with_style(
        ProgressStyle::with_template(
            "intake [{bar:40}] {pos}/{len} referrals ({per_sec}, {elapsed}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = JoinSet::new();
    for _ in 0..args.clients {
        let worker = Worker {
            client: client.clone(),
            url: format!("{}/api/referrals", server.base),
            next: next.clone(),
            total: args.referrals,
            bar: bar.clone(),
        };
        workers.spawn(worker.run());
    }
    let mut latencies = Latencies::with_capacity(usize::try_from(args.referrals)?);
    let mut retries = 0u64;
    while let Some(result) = workers.join_next().await {
        let (worker_latencies, worker_retries) = result.context("a client task failed")??;
        latencies.merge(worker_latencies);
        retries += worker_retries;
    }
    let wall = started.elapsed();
    bar.finish();
    server.stop().await?;

    let stored = store.count_rows("referrals").await?;
    let keys = store.count_rows("idempotency_keys").await?;
    store.close().await;
    let accepted = latencies.summary().count as u64;
    let summary = latencies.summary();
    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
    let rate = accepted as f64 / wall.as_secs_f64();

    report(format!(
        "intake on {} ({}), matching {:?}: {} clients, {accepted} referrals accepted in {:.2} s = {rate:.0} referrals/s",
        database.backend,
        database.location(),
        args.matching,
        args.clients,
        wall.as_secs_f64()
    ));
    report(format!("latency: {}", summary.line()));
    report(format!(
        "retries: {retries}; rows: {stored} referrals, {keys} idempotency keys"
    ));
    report(
        json!({
            "benchmark": "intake",
            "backend": database.backend,
            "clients": args.clients,
            "matching": format!("{:?}", args.matching),
            "referrals": accepted,
            "wall_s": (wall.as_secs_f64() * 1000.0).round() / 1000.0,
            "referrals_per_s": rate.round(),
            "latency": summary.json(),
            "retries": retries,
            "rows": {"referrals": stored, "idempotency_keys": keys},
        })
        .to_string(),
    );
    if u64::try_from(stored).ok() != Some(args.referrals) {
        bail!(
            "expected exactly {} referrals in the database, found {stored}",
            args.referrals
        );
    }
    Ok(())
}

/// Creates one organisation and one service, as any deployment starts.
async fn create_service(client: &Client, base: &str) -> anyhow::Result<()> {
    let organisation = post_created(
        client,
        &format!("{base}/api/organisations"),
        &json!({"name": "Synthetic Bench NHS Trust", "kind": "nhs_trust"}),
    )
    .await?;
    let organisation_id = organisation["id"]
        .as_str()
        .context("the organisation has no id")?;
    post_created(
        client,
        &format!("{base}/api/services"),
        &json!({
            "organisation_id": organisation_id,
            "name": "Bench community CAMHS",
            "description": "Synthetic service for the intake benchmark",
            "need_groups": ["getting_help", "getting_more_help"],
            "age_from": 0,
            "age_to": 18,
            "team_type": "community",
            "delivery_modes": ["face_to_face", "online"],
            "areas": ["ME", "CT"],
            "self_referral": false,
            "capacity": {"clinician_wte": 12.0, "slots_per_week": 200}
        }),
    )
    .await?;
    Ok(())
}

async fn post_created(client: &Client, url: &str, body: &Value) -> anyhow::Result<Value> {
    let response = client
        .post(url)
        .header("Authorization", server::authorization())
        .json(body)
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    if status != StatusCode::CREATED {
        bail!("POST {url} answered {status}: {body}");
    }
    Ok(body)
}
