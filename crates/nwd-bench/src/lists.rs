// Over 600 lines: to be split by what it owns in issue 16 (the architecture step), not mid-issue.
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

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use indicatif::{ProgressBar, ProgressStyle};
use nwd_domain::codes::{ConsultationMechanism, ContactStatus};
use nwd_domain::referral::{Command, ContactInput, ContactKind, RecordedEvent, Referral};
use nwd_domain::{AllocationId, ReferralId};
use nwd_store::{DemoImport, Store};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::report;
use crate::server::{self, FreshDatabase, Matching, Server};
use crate::stats::{self, Latencies, Summary};

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

/// The identifiers the requests will pick from, drawn at random from a kept database
/// (`--reuse`): the demo county depends on the day it is generated (its two years end now),
/// so generating it again the next day would not give the kept database's ids.
async fn kept(url: &str, args: &Args) -> anyhow::Result<(Load, Samples)> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .context("cannot open the kept database")?;
    let wanted = args.requests + args.warmup;
    let strings = |sql: String| {
        let pool = pool.clone();
        async move {
            let rows = sqlx::query(&sql).fetch_all(&pool).await?;
            rows.iter()
                .map(|row| row.try_get::<String, _>(0))
                .collect::<Result<Vec<String>, sqlx::Error>>()
        }
    };
    let count = |table: &'static str| {
        let pool = pool.clone();
        async move {
            let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&pool)
                .await?
                .try_get(0)?;
            Ok::<usize, sqlx::Error>(n as usize)
        }
    };
    let services = strings("SELECT id FROM services ORDER BY id".into()).await?;
    let referrals = strings(format!(
        "SELECT id FROM referrals ORDER BY random() LIMIT {wanted}"
    ))
    .await?;
    let nhs_numbers = strings(format!(
        "SELECT nhs_number FROM persons WHERE nhs_number IS NOT NULL ORDER BY random() LIMIT {wanted}"
    ))
    .await?;
    let people = sqlx::query(&format!(
        "SELECT given_name, family_name, date_of_birth FROM persons ORDER BY random() LIMIT {wanted}"
    ))
    .fetch_all(&pool)
    .await?
    .iter()
    .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
    .collect::<Result<Vec<(String, String, String)>, sqlx::Error>>()?;
    let open_allocations = sqlx::query(
        "SELECT referral_id, id FROM allocations WHERE ended_at IS NULL ORDER BY random() LIMIT 1000",
    )
    .fetch_all(&pool)
    .await?
    .iter()
    .map(|row| {
        let referral: String = row.try_get(0)?;
        let allocation: String = row.try_get(1)?;
        Ok((
            ReferralId(referral.parse()?),
            AllocationId(allocation.parse()?),
        ))
    })
    .collect::<anyhow::Result<Vec<_>>>()?;
    let load = Load {
        referrals: count("referrals").await?,
        persons: count("persons").await?,
        services: services.len(),
        events: count("referral_events").await?,
        generate: Duration::ZERO,
        import: Duration::ZERO,
        peak_rss_after_generate_mib: None,
    };
    pool.close().await;
    Ok((
        load,
        Samples {
            services,
            referrals,
            nhs_numbers,
            people,
            open_allocations,
        },
    ))
}

/// Generates the demo county with `--referrals` over `--years` and imports it; returns what
/// it cost and the identifiers the requests will pick from.
async fn load(args: &Args, store: &Store, rng: &mut StdRng) -> anyhow::Result<(Load, Samples)> {
    let config = nwd_demo::DemoConfig {
        seed: args.seed,
        years: args.years,
        referrals_per_year: args.referrals.div_ceil(args.years),
        end: store.now(),
        tz: store.tz().clone(),
        standards: store.standards().clone(),
    };
    let planned = u64::from(config.years) * u64::from(config.referrals_per_year);
    let progress = bar(planned, "generate", "referrals");
    let started = Instant::now();
    let data = {
        let progress = progress.clone();
        tokio::task::spawn_blocking(move || {
            nwd_demo::generate(&config, &mut |done, _| progress.set_position(done))
        })
        .await
        .context("the generator failed")?
    };
    progress.finish();
    let generate = started.elapsed();
    let peak_rss_after_generate_mib = stats::peak_rss_mib();

    let histories: Vec<(&[RecordedEvent], &Referral)> = data
        .referrals
        .iter()
        .map(|r| (r.events.as_slice(), &r.state))
        .collect();
    let progress = bar(histories.len() as u64, "import", "referrals");
    let started = Instant::now();
    if args.reuse.is_none() {
        store
            .import(
                &nwd_store::audit::AuditContext::operator("nwd-bench", "nwd-bench lists", "demo"),
                DemoImport {
                    organisations: &data.organisations,
                    services: &data.services,
                    persons: &data.persons,
                    referrals: &histories,
                    abouts: &nwd_demo::about::abouts(&data.persons),
                },
                &mut |done, _| progress.set_position(done),
            )
            .await
            .context("the import failed")?;
    }
    progress.finish();
    let import = started.elapsed();

    let wanted = args.requests + args.warmup;
    let services = data.services.iter().map(|s| s.id.to_string()).collect();
    let referrals = data
        .referrals
        .choose_multiple(rng, wanted)
        .map(|r| r.state.id.to_string())
        .collect();
    let with_numbers: Vec<String> = data
        .persons
        .iter()
        .filter_map(|p| p.details.nhs_number.map(|n| n.as_digits()))
        .collect();
    let nhs_numbers = with_numbers.choose_multiple(rng, wanted).cloned().collect();
    let people = data
        .persons
        .choose_multiple(rng, wanted)
        .map(|p| {
            (
                p.details.given_name.clone(),
                p.details.family_name.clone(),
                p.details.date_of_birth.to_string(),
            )
        })
        .collect();
    let mut open_allocations: Vec<(ReferralId, AllocationId)> = data
        .referrals
        .iter()
        .filter(|r| r.state.closure.is_none())
        .filter_map(|r| {
            r.state
                .allocations
                .iter()
                .find(|a| a.ended.is_none())
                .map(|a| (r.state.id, a.id))
        })
        .collect();
    open_allocations.shuffle(rng);
    let load = Load {
        referrals: data.referrals.len(),
        persons: data.persons.len(),
        services: data.services.len(),
        events: data.referrals.iter().map(|r| r.events.len()).sum(),
        generate,
        import,
        peak_rss_after_generate_mib,
    };
    Ok((
        load,
        Samples {
            services,
            referrals,
            nhs_numbers,
            people,
            open_allocations,
        },
    ))
}

/// What one endpoint answers, for the sanity facts beside its latency.
#[derive(Clone, Copy)]
enum Shape {
    /// A waiting list: `total` on the list.
    WaitingList,
    /// A page of referrals: `items`.
    Page,
    /// One referral.
    Referral,
    /// An HTML page: its size.
    Html,
}

/// One endpoint and the paths it will be asked for, in order (warm-up first).
struct Endpoint {
    name: &'static str,
    shape: Shape,
    paths: Vec<String>,
    /// Make one write (untimed) before each request.
    write_first: bool,
}

/// The five endpoints, each with `n` paths drawn at random from the samples.
fn endpoints(
    samples: &Samples,
    n: usize,
    rng: &mut StdRng,
    with_pages: bool,
    cold: bool,
    only: &[String],
) -> anyhow::Result<Vec<Endpoint>> {
    let draw = |list: &[String], rng: &mut StdRng, what: &str| -> anyhow::Result<Vec<String>> {
        if list.is_empty() {
            bail!("the generated data has no {what}");
        }
        Ok((0..n).filter_map(|_| list.choose(rng).cloned()).collect())
    };
    let services = draw(&samples.services, rng, "services")?;
    let referrals = draw(&samples.referrals, rng, "referrals")?;
    let nhs_numbers = draw(&samples.nhs_numbers, rng, "NHS numbers")?;
    if samples.people.is_empty() {
        bail!("the generated data has no people");
    }
    let people: Vec<(String, String, String)> = (0..n)
        .filter_map(|_| samples.people.choose(rng).cloned())
        .collect();
    let prefix = |name: &str, letters: usize| -> String {
        nwd_domain::search::name_key(name)
            .chars()
            .take(letters)
            .collect()
    };
    let fixed = |path: &str| vec![path.to_string(); n];
    let page = |name: &'static str, paths: Vec<String>| Endpoint {
        name,
        shape: Shape::Html,
        paths,
        write_first: false,
    };
    let pages = vec![
        page("page_start", fixed("/")),
        page("page_get_help", fixed("/get-help")),
        page("page_urgent_help", fixed("/urgent-help")),
        page("page_find_support", fixed("/find-support?age=15")),
        page(
            "page_service",
            services
                .iter()
                .map(|id| format!("/find-support/services/{id}"))
                .collect(),
        ),
        page("page_triage_queue", fixed("/staff/triage")),
        page("page_triage_queue_p2", fixed("/staff/triage?page=2")),
        page(
            "page_search_name",
            people
                .iter()
                .map(|(given, family, _)| {
                    format!(
                        "/staff/search?q={}+{}",
                        prefix(given, 3),
                        prefix(family, 20)
                    )
                })
                .collect(),
        ),
        page(
            "page_search_nhs",
            nhs_numbers
                .iter()
                .map(|n| format!("/staff/search?q={n}"))
                .collect(),
        ),
        page(
            "page_service_search",
            services
                .iter()
                .zip(&people)
                .map(|(id, (_, family, _))| {
                    format!("/staff/services/{id}?q={}", prefix(family, 20))
                })
                .collect(),
        ),
        page(
            "page_referral",
            referrals
                .iter()
                .map(|id| format!("/staff/referrals/{id}"))
                .collect(),
        ),
        page(
            "page_service_lists",
            services
                .iter()
                .map(|id| format!("/staff/services/{id}"))
                .collect(),
        ),
        page("page_crisis_list", fixed("/staff/crisis")),
        page("page_risk_reviews", fixed("/staff/risk-reviews")),
        page("page_transitions", fixed("/staff/transitions")),
        page("page_dashboard", fixed("/commissioning")),
    ];
    let mut pages = pages;
    if cold {
        pages.push(Endpoint {
            write_first: true,
            ..page("page_dashboard_cold", fixed("/commissioning"))
        });
    }
    let mut all = vec![
        Endpoint {
            name: "waiting_list",
            shape: Shape::WaitingList,
            paths: services
                .iter()
                .map(|id| format!("/api/services/{id}/waiting-list?limit=100"))
                .collect(),
            write_first: false,
        },
        Endpoint {
            name: "triage_queue",
            shape: Shape::Page,
            paths: fixed("/api/referrals?status=awaiting_triage&sort=priority&limit=50"),
            write_first: false,
        },
        Endpoint {
            name: "search_source",
            shape: Shape::Page,
            paths: fixed("/api/referrals?source=school&limit=50"),
            write_first: false,
        },
        Endpoint {
            name: "search_nhs_number",
            shape: Shape::Page,
            paths: nhs_numbers
                .iter()
                .map(|n| format!("/api/referrals?nhs_number={n}"))
                .collect(),
            write_first: false,
        },
        Endpoint {
            name: "search_reference",
            shape: Shape::Page,
            paths: referrals
                .iter()
                .map(|id| format!("/api/referrals?reference=NWD-{}-{}", &id[0..4], &id[4..8]))
                .collect(),
            write_first: false,
        },
        Endpoint {
            name: "search_name",
            shape: Shape::Page,
            paths: people
                .iter()
                .map(|(given, family, _)| {
                    format!(
                        "/api/referrals?family_name={}&given_name={}",
                        prefix(family, 20),
                        prefix(given, 3)
                    )
                })
                .collect(),
            write_first: false,
        },
        Endpoint {
            name: "search_family_prefix",
            shape: Shape::Page,
            paths: people
                .iter()
                .map(|(_, family, _)| format!("/api/referrals?family_name={}", prefix(family, 3)))
                .collect(),
            write_first: false,
        },
        Endpoint {
            name: "search_date_of_birth",
            shape: Shape::Page,
            paths: people
                .iter()
                .map(|(_, _, born)| format!("/api/referrals?date_of_birth={born}"))
                .collect(),
            write_first: false,
        },
        Endpoint {
            name: "get_referral",
            shape: Shape::Referral,
            paths: referrals
                .iter()
                .map(|id| format!("/api/referrals/{id}"))
                .collect(),
            write_first: false,
        },
    ];
    if with_pages {
        all.extend(pages);
    }
    if !only.is_empty() {
        all.retain(|e| only.iter().any(|name| name == e.name));
    }
    Ok(all)
}

/// An endpoint's latencies and a note on what it answered.
struct Timed {
    summary: Summary,
    note: String,
    phases: Phases,
}

/// Sums of the guard's phases over the timed requests, from their `Server-Timing` headers.
#[derive(Default)]
struct Phases {
    requests: u32,
    authn_ms: f64,
    policy_ms: f64,
    app_ms: f64,
    audit_ms: f64,
}

impl Phases {
    /// Adds one response's `Server-Timing` header (`authn;dur=0.120, policy;dur=…`).
    fn add(&mut self, header: Option<&reqwest::header::HeaderValue>) -> anyhow::Result<()> {
        let text = header
            .and_then(|v| v.to_str().ok())
            .context("a guarded response came without its Server-Timing header")?;
        for metric in text.split(',') {
            let (name, rest) = metric
                .trim()
                .split_once(";dur=")
                .context("bad Server-Timing")?;
            let ms: f64 = rest.parse().context("bad Server-Timing duration")?;
            match name {
                "authn" => self.authn_ms += ms,
                "policy" => self.policy_ms += ms,
                "app" => self.app_ms += ms,
                "audit" => self.audit_ms += ms,
                _ => {}
            }
        }
        self.requests += 1;
        Ok(())
    }

    /// A report line and its JSON: mean milliseconds per phase, and the policy check and
    /// audit write as a share of the mean request time seen by the client.
    fn report(&self, client_mean: Duration) -> (String, Value) {
        let n = f64::from(self.requests.max(1));
        let (authn, policy, app, audit) = (
            self.authn_ms / n,
            self.policy_ms / n,
            self.app_ms / n,
            self.audit_ms / n,
        );
        let total = client_mean.as_secs_f64() * 1000.0;
        let share = if total > 0.0 {
            (policy + audit) / total * 100.0
        } else {
            0.0
        };
        let with_authn = if total > 0.0 {
            (authn + policy + audit) / total * 100.0
        } else {
            0.0
        };
        (
            format!(
                "guard: authn {authn:.3} ms, policy {policy:.3} ms, handler {app:.3} ms, audit {audit:.3} ms; policy + audit = {share:.1} % of {total:.3} ms ({with_authn:.1} % with authentication)"
            ),
            json!({
                "authn_ms": authn, "policy_ms": policy, "handler_ms": app, "audit_ms": audit,
                "policy_audit_share_pct": share, "with_authn_share_pct": with_authn,
            }),
        )
    }
}

/// Sends the endpoint's requests one at a time: the first `--warmup` untimed.
async fn time(
    client: &Client,
    base: &str,
    endpoint: &Endpoint,
    args: &Args,
    writer: &mut Writer,
) -> anyhow::Result<Timed> {
    let progress = bar(endpoint.paths.len() as u64, endpoint.name, "requests");
    let mut latencies = Latencies::with_capacity(args.requests);
    let mut sizes: Vec<u64> = Vec::with_capacity(args.requests);
    let mut phases = Phases::default();
    for (i, path) in endpoint.paths.iter().enumerate() {
        if endpoint.write_first {
            writer.write().await?;
        }
        let started = Instant::now();
        let response = client
            .get(format!("{base}{path}"))
            .header("Authorization", server::authorization())
            .send()
            .await?;
        let status = response.status();
        let timing = response.headers().get("server-timing").cloned();
        let body = response.bytes().await?;
        let elapsed = started.elapsed();
        if status != StatusCode::OK {
            bail!(
                "GET {path} answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        if i >= args.warmup {
            latencies.record(elapsed);
            if let Shape::Html = endpoint.shape {
                // Public pages are not guarded, so carry no timings.
                if timing.is_some() {
                    phases.add(timing.as_ref())?;
                }
                sizes.push(body.len() as u64);
            } else {
                phases.add(timing.as_ref())?;
                let value: Value = serde_json::from_slice(&body)?;
                sizes.push(match endpoint.shape {
                    Shape::WaitingList => value["total"].as_u64().unwrap_or(0),
                    Shape::Page => value["items"].as_array().map_or(0, |a| a.len() as u64),
                    Shape::Referral | Shape::Html => body.len() as u64,
                });
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    sizes.sort_unstable();
    let largest = sizes.last().copied().unwrap_or(0);
    let median = sizes.get(sizes.len() / 2).copied().unwrap_or(0);
    let empty = sizes.iter().filter(|s| **s == 0).count();
    let note = match endpoint.shape {
        Shape::WaitingList => {
            format!("people on the list: median {median}, largest {largest}")
        }
        Shape::Page => format!("items per page: median {median}, max {largest}; {empty} empty"),
        Shape::Referral | Shape::Html => format!("body bytes: median {median}, max {largest}"),
    };
    Ok(Timed {
        summary: latencies.summary(),
        note,
        phases,
    })
}
