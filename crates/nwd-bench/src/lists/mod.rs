//! `nwd-bench lists`: imports the demo county sized to a given number of referrals, then
//! times the waiting list, the triage queue, the searches (source, NHS number, reference,
//! name, date of birth) and a referral read, one request at a time on a warm server; with
//! `--pages`, the pages too (the triage queue's pages, the staff search, a service's lists
//! searched by name). `--reuse NAME` times a database kept by an earlier run (`--keep`)
//! instead of importing again, drawing the identifiers it asks for from that database (the
//! demo county ends on the day it is generated, so it cannot be generated again the next
//! day to find them). With `--pages --cold`, also the commissioner dashboard as it
//! is after a change: one small real write (a contact recorded on an open allocation) before
//! each timed request, so every request finds a new data version.

use std::time::Duration;

use anyhow::{bail, Context as _};
use indicatif::{ProgressBar, ProgressStyle};
use nwd_domain::codes::{ConsultationMechanism, ContactStatus};
use nwd_domain::referral::{Command, ContactInput, ContactKind};
use nwd_domain::{AllocationId, ReferralId};
use nwd_store::Store;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::{json, Value};

use crate::report;
use crate::server::{self, FreshDatabase, Matching, Server};
use crate::stats;

mod endpoints;
mod kept;
mod samples;
mod timing;

use endpoints::endpoints;
use kept::kept;
use samples::load;
use timing::time;

/// Options of `nwd-bench lists`.
#[derive(clap::Args)]
pub struct Args {
    /// `postgres://user@host/db` (a fresh database is created on that server and dropped
    /// after), `sqlite` (a fresh file in the temporary folder) or a new SQLite file path.
    #[arg(long)]
    database_url: String,
    /// Referrals to generate and import (over `--years`).
    #[arg(long, default_value_t = 1_000_000)]
    referrals: u32,
    /// Years of activity the referrals are spread over.
    #[arg(long, default_value_t = 2)]
    years: u32,
    /// Timed requests per endpoint.
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// Untimed requests per endpoint first, to warm caches and connections.
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// Seed of the demo data and of the random choices.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Also time the server-rendered pages (public, staff and commissioner).
    #[arg(long)]
    pages: bool,
    /// With `--pages`: also time the dashboard with one write (a recorded contact) before
    /// each request, untimed, so that each request follows a change ("page_dashboard_cold").
    #[arg(long)]
    cold: bool,
    /// How read audit entries reach the disk: `durable` (default) or `deferred`.
    #[arg(long, default_value = "durable")]
    audit_commit: nwd_store::audit::AuditCommit,
    /// Keep the database afterwards (for inspection, e.g. EXPLAIN).
    #[arg(long)]
    keep: bool,
    /// Time the PostgreSQL database of this name (kept by an earlier run with the same
    /// `--referrals`, `--years` and `--seed`) instead of creating and importing one.
    #[arg(long)]
    reuse: Option<String>,
    /// Only these endpoints (comma-separated names, as reported).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

/// Runs the lists benchmark.
pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.referrals == 0 || args.years == 0 || args.requests == 0 {
        bail!("--referrals, --years and --requests must be at least 1");
    }
    let database = match &args.reuse {
        Some(name) => FreshDatabase::existing(&args.database_url, name)?,
        None => FreshDatabase::create(&args.database_url).await?,
    };
    let outcome = measure(&args, &database).await;
    if args.keep || args.reuse.is_some() {
        report(format!("kept: {}", database.location()));
    } else {
        database.remove().await?;
    }
    outcome
}

/// What the timed requests pick from, kept after the generated data is dropped.
struct Samples {
    services: Vec<String>,
    referrals: Vec<String>,
    nhs_numbers: Vec<String>,
    /// (given name, family name, date of birth) of people drawn at random.
    people: Vec<(String, String, String)>,
    /// Open referrals with an allocation that has not ended, for the cold dashboard's writes.
    open_allocations: Vec<(ReferralId, AllocationId)>,
}

/// Makes the small real write before each cold dashboard request: a contact recorded (now,
/// attended, face to face — it counts for the access measures) on the next open allocation.
struct Writer {
    store: Store,
    open: Vec<(ReferralId, AllocationId)>,
    next: usize,
}

impl Writer {
    async fn write(&mut self) -> anyhow::Result<()> {
        if self.open.is_empty() {
            bail!("the generated data has no open allocation to record a contact on");
        }
        let (referral_id, allocation_id) = self.open[self.next % self.open.len()];
        self.next += 1;
        let referral = self.store.referral(referral_id).await?;
        // Every change is audited, the benchmark's too: one entry per contact recorded.
        let audit = nwd_store::audit::AuditContext::job("nwd-bench lists");
        self.store
            .execute(
                &audit,
                referral_id,
                referral.version,
                Command::RecordContact(ContactInput {
                    allocation_id,
                    at: self.store.now(),
                    status: ContactStatus::Attended,
                    mechanism: ConsultationMechanism::FaceToFace,
                    clinician: "Benchmark Clinician".into(),
                    duration_minutes: 30,
                    kind: ContactKind::Direct,
                }),
                "nwd-bench",
            )
            .await
            .context("recording the contact before a cold dashboard request")?;
        Ok(())
    }
}

/// What loading cost.
struct Load {
    referrals: usize,
    persons: usize,
    services: usize,
    events: usize,
    generate: Duration,
    import: Duration,
    peak_rss_after_generate_mib: Option<u64>,
}

async fn measure(args: &Args, database: &FreshDatabase) -> anyhow::Result<()> {
    // Only reads are timed here: no person matcher (it would hold the whole register).
    let store = server::open_store_with(
        &database.url,
        16,
        Matching::NhsNumberOnly,
        args.audit_commit,
    )
    .await?;
    let mut rng = StdRng::seed_from_u64(args.seed);
    let (load, samples) = match &args.reuse {
        Some(_) => kept(&database.url, args).await?,
        None => load(args, &store, &mut rng).await?,
    };
    report(format!(
        "loaded {} referrals ({} events), {} people, {} services into {} ({}): generate {:.1} s, import {:.1} s; peak RSS {} MiB after generating, {} MiB in all",
        load.referrals,
        load.events,
        load.persons,
        load.services,
        database.backend,
        database.location(),
        load.generate.as_secs_f64(),
        load.import.as_secs_f64(),
        load.peak_rss_after_generate_mib.unwrap_or(0),
        stats::peak_rss_mib().unwrap_or(0),
    ));
    // Each guarded response then says what authentication, the policy checks and the audit
    // append cost (the Server-Timing header), so access control's share can be reported.
    nwd_web::secure::set_server_timing(true);
    let server = Server::start(store.clone()).await?;
    let client = server::client()?;
    let endpoints = endpoints(
        &samples,
        args.requests + args.warmup,
        &mut rng,
        args.pages,
        args.cold,
        &args.only,
    )?;
    let mut writer = Writer {
        store: store.clone(),
        open: samples.open_allocations.clone(),
        next: 0,
    };
    let mut results = Vec::new();
    for endpoint in &endpoints {
        results.push((
            endpoint.name,
            time(&client, &server.base, endpoint, args, &mut writer).await?,
        ));
    }
    server.stop().await?;
    store.close().await;
    let sqlite_mib = database.file_bytes().map(|b| b / (1024 * 1024));
    if let Some(mib) = sqlite_mib {
        report(format!("SQLite file after closing: {mib} MiB"));
    }

    let mut json_endpoints = serde_json::Map::new();
    for (name, result) in &results {
        report(format!(
            "{name:<18} {} | {}",
            result.summary.line(),
            result.note
        ));
        let guard = result.phases.report(result.summary.mean);
        report(format!("{:<18} {}", "", guard.0));
        let mut figures = result.summary.json();
        if let Some(map) = figures.as_object_mut() {
            map.insert("note".into(), Value::String(result.note.clone()));
            map.insert("access_control".into(), guard.1);
        }
        json_endpoints.insert((*name).to_string(), figures);
    }
    report(
        json!({
            "benchmark": "lists",
            "backend": database.backend,
            "referrals": load.referrals,
            "events": load.events,
            "persons": load.persons,
            "services": load.services,
            "generate_s": round1(load.generate),
            "import_s": round1(load.import),
            "peak_rss_mib": stats::peak_rss_mib(),
            "peak_rss_after_generate_mib": load.peak_rss_after_generate_mib,
            "sqlite_file_mib": sqlite_mib,
            "requests_per_endpoint": args.requests,
            "audit_commit": format!("{:?}", args.audit_commit),
            "endpoints": json_endpoints,
        })
        .to_string(),
    );
    Ok(())
}

fn round1(d: Duration) -> f64 {
    (d.as_secs_f64() * 10.0).round() / 10.0
}

fn bar(len: u64, message: &'static str, unit: &str) -> ProgressBar {
    let template = format!("{{msg:>12}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{elapsed}})");
    ProgressBar::new(len)
        .with_style(
            ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        )
        .with_message(message)
}
