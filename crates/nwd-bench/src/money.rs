//! `nwd-bench money`: contracts' payment and activity statements (issue 20) over a large
//! record. Generates and imports the demo county at the asked size, saves the demo's
//! commissioning record (`nwd_demo::COMMISSIONING`) through the use case every door uses,
//! then times, on the store itself (no HTTP), each contract's statement for the current
//! financial year: the first (the kept inputs read, as after a restart) and then `--repeat`
//! more (from the kept inputs). Reports each contract's year: cost, contacts attended and
//! young people helped (published figures); then the whole system's quarterly report and the
//! year's Transformation Plan, `--repeat` times each; then the need page's counts for the last
//! twelve months, from the kept inputs and by the SQL they replaced (`need`). Reports the
//! database's rows and size (bytes per referral) and the process's resident memory before
//! and after the kept inputs are read. `--keep` leaves a PostgreSQL database for later runs,
//! which `--reuse NAME` times again without generating and importing it (the demo's record
//! is saved once).

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use nwd_domain::commissioning::FinancialYear;

use crate::report;
use crate::server::{self, FreshDatabase, Matching};

mod need;
mod size;
mod write;

/// Options of `nwd-bench money`.
#[derive(clap::Args)]
pub struct Args {
    /// `postgres://user@host/db` (a fresh database is created and dropped after), `sqlite`
    /// (a fresh file in the temporary folder) or a new SQLite file path.
    #[arg(long)]
    database_url: String,
    /// Referrals to generate and import (over `--years`).
    #[arg(long, default_value_t = 60_000)]
    referrals: u32,
    /// Years of activity.
    #[arg(long, default_value_t = 2)]
    years: u32,
    /// Timed repetitions of each statement after the first.
    #[arg(long, default_value_t = 5)]
    repeat: usize,
    /// Seed of the demo data.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Keep the database afterwards (for `--reuse`).
    #[arg(long)]
    keep: bool,
    /// Also time the quarterly report after each of this many small writes (a contact
    /// recorded; it stays in a kept database).
    #[arg(long, default_value_t = 3)]
    after_writes: usize,
    /// Then time the statements and the quarterly report again counting by one scan of the
    /// kept inputs, as before session 18 filed them by service and time.
    #[arg(long)]
    compare_scan: bool,
    /// Time the PostgreSQL database of this name (kept by an earlier run with `--keep`)
    /// instead of generating and importing one.
    #[arg(long)]
    reuse: Option<String>,
}

/// Referrals per batch handed from the generator to the import (as `nowrongdoor demo`).
const BATCH: usize = 1_000;

/// Batches that may wait between the generator and the import.
const BATCHES_WAITING: usize = 4;

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Runs the statements benchmark.
pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.referrals == 0 || args.years == 0 || args.repeat == 0 {
        bail!("--referrals, --years and --repeat must be at least 1");
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

fn report_memory(when: &str) {
    if let Some((now, peak)) = size::resident_mib() {
        report(format!(
            "resident memory {when}: {now:.0} MiB (peak so far {peak:.0} MiB)"
        ));
    }
}

async fn measure(args: &Args, database: &FreshDatabase) -> anyhow::Result<()> {
    let store = server::open_store(&database.url, 8, Matching::NhsNumberOnly).await?;
    if args.reuse.is_none() {
        import(args, &store).await?;
    }
    size::report_size(database).await?;
    report_memory("before the kept inputs are read");
    let record = nwd_usecase::commissioning::current(&store).await?;
    let plan = record
        .plan
        .map_err(|e| anyhow::anyhow!("the demo record does not check: {e:?}"))?;
    time_all(&store, &plan, args.repeat, "").await?;
    need::time_need(&store, args.repeat).await?;
    report_memory("at the end");
    // The open allocations are picked with a plain connection, which an SQLite file opened
    // by the store (with its own key and settings) does not take: PostgreSQL only.
    if args.after_writes > 0 && !database.url.starts_with("postgres") {
        report("quarterly report after writes: timed on PostgreSQL only".to_owned());
    } else if args.after_writes > 0 {
        let open = write::open_allocations(&database.url, args.after_writes).await?;
        write::check(&open)?;
        let quarter =
            nwd_domain::commissioning::Quarter::of(store.now().to_zoned(store.tz().clone()).date());
        let rule = store.standards().suppression;
        let mut times = Vec::new();
        for allocation in &open {
            write::record_contact(&store, *allocation).await?;
            let started = Instant::now();
            nwd_usecase::commissioning::quarterly_report(&store, &plan, quarter, &rule).await?;
            times.push(ms(started.elapsed()));
        }
        report(format!(
            "quarterly report after one contact recorded (the kept inputs brought up to date first): {}",
            times.join(", ")
        ));
    }
    for _ in 0..2 {
        let (took, rows, bytes) = store.refile_activity_rows().await?;
        report(format!(
            "filing the statements' rows by service and time again: {} ({rows} rows, {:.1} MiB)",
            ms(took),
            bytes as f64 / 1_048_576.0
        ));
    }
    if args.compare_scan {
        store.count_activity_by_scan(true);
        time_all(
            &store,
            &plan,
            args.repeat,
            "by one scan (before session 18): ",
        )
        .await?;
        store.count_activity_by_scan(false);
    }
    Ok(())
}

/// Times each contract's statement, then the quarterly report and the Transformation Plan.
async fn time_all(
    store: &nwd_store::Store,
    plan: &nwd_domain::commissioning::Commissioning,
    repeat: usize,
    label: &str,
) -> anyhow::Result<()> {
    let rule = store.standards().suppression;
    let today = store.now().to_zoned(store.tz().clone()).date();
    for contract in &plan.contracts {
        let year = FinancialYear::of(today.min(contract.end));
        let mut times = Vec::with_capacity(repeat + 1);
        let mut last = None;
        for _ in 0..=repeat {
            let started = Instant::now();
            let statement =
                nwd_usecase::commissioning::statement(store, plan, contract, year, &rule).await?;
            times.push(started.elapsed());
            last = Some(statement);
        }
        let Some(statement) = last else {
            bail!("no statement");
        };
        let mut warm = times[1..].to_vec();
        warm.sort();
        let cost = statement
            .rows
            .iter()
            .filter_map(|r| r.cost)
            .fold(nwd_domain::commissioning::Money::ZERO, |t, c| t.plus(c));
        let contacts: u64 = statement
            .rows
            .iter()
            .filter_map(|r| r.activity.attended.value())
            .sum();
        report(format!(
            "{label}{} ({year}, {} quarters, {} services, {} elements): first {}, then median {} (min {}, max {}); cost to date {cost}, contacts attended {contacts}",
            contract.key,
            statement.rows.len(),
            contract.services.len(),
            contract.elements.len(),
            ms(times[0]),
            ms(warm[warm.len() / 2]),
            ms(warm[0]),
            ms(warm[warm.len() - 1]),
        ));
    }
    report_memory("after the statements (kept inputs read)");
    // The whole system's quarterly report (five quarters, every contract) and the year's
    // Transformation Plan, from the kept inputs.
    let quarter = nwd_domain::commissioning::Quarter::of(today);
    let year = FinancialYear::of(today);
    let mut report_times = Vec::with_capacity(repeat);
    let mut plan_times = Vec::with_capacity(repeat);
    for _ in 0..repeat {
        let started = Instant::now();
        nwd_usecase::commissioning::quarterly_report(store, plan, quarter, &rule).await?;
        report_times.push(started.elapsed());
        let started = Instant::now();
        nwd_usecase::commissioning::transformation_plan(store, plan, year, &rule).await?;
        plan_times.push(started.elapsed());
    }
    let first_report = report_times[0];
    let first_plan = plan_times[0];
    report_times.sort();
    plan_times.sort();
    report(format!(
        "{label}quarterly report {quarter} (5 quarters, {} contracts): first {}, median {} (min {}, max {}); Transformation Plan {year}: first {}, median {} (min {}, max {})",
        plan.contracts.len(),
        ms(first_report),
        ms(report_times[report_times.len() / 2]),
        ms(report_times[0]),
        ms(report_times[report_times.len() - 1]),
        ms(first_plan),
        ms(plan_times[plan_times.len() / 2]),
        ms(plan_times[0]),
        ms(plan_times[plan_times.len() - 1]),
    ));
    Ok(())
}

/// Generates the demo county and imports it as it is generated (a batch of referrals at a
/// time, on a blocking thread feeding the import: the path of the command line's `demo`, so
/// memory does not grow with the referrals' histories), then saves the demo's commissioning
/// record. Reports the import's time and the peak resident memory after it.
async fn import(args: &Args, store: &nwd_store::Store) -> anyhow::Result<()> {
    let config = nwd_demo::DemoConfig {
        seed: args.seed,
        years: args.years,
        referrals_per_year: args.referrals.div_ceil(args.years),
        end: store.now(),
        tz: store.tz().clone(),
        standards: store.standards().clone(),
    };
    let started = Instant::now();
    let audit = nwd_store::audit::AuditContext::operator("nwd-bench", "nwd-bench money", "demo");
    let mut referrals = 0;
    // When the generator handed over the directory (plans made, people registered), and when
    // the last batch was stored: the phases before and after streaming the referrals.
    let planned = std::sync::Arc::new(std::sync::OnceLock::new());
    let mut last_stored = started;
    let directory = store
        .import_streamed(
            &audit,
            BATCHES_WAITING,
            &mut |done| {
                referrals = done;
                last_stored = Instant::now();
            },
            {
                let planned = planned.clone();
                move |feed| {
                    nwd_demo::generate_in_batches(
                        &config,
                        BATCH,
                        &mut |_, _| {},
                        |directory| {
                            let _ = planned.set((Instant::now(), size::resident_mib()));
                            feed.directory(nwd_store::ImportDirectory {
                                organisations: directory.organisations.clone(),
                                services: directory.services.clone(),
                                persons: directory.persons.clone(),
                                abouts: nwd_demo::about::abouts(&directory.persons),
                            })
                        },
                        |batch| {
                            feed.referrals(
                                batch
                                    .into_iter()
                                    .map(nwd_demo::DemoReferral::into_parts)
                                    .collect(),
                            )
                        },
                    )
                }
            },
        )
        .await
        .context("the import failed")?;
    let (planned, planned_resident) = planned.get().copied().unwrap_or((started, None));
    if let Some((now, _)) = planned_resident {
        report(format!(
            "resident memory once planned (the intakes and the people, before any referral): {now:.0} MiB"
        ));
    }
    report(format!(
        "{referrals} referrals ({} people) generated and imported in {:.1} s, in batches of {BATCH}: \
         planning {:.1} s, then the people and the referrals generated and stored {:.1} s, \
         commit, statistics, crisis positions and vacuum {:.1} s",
        directory.persons.len(),
        started.elapsed().as_secs_f64(),
        (planned - started).as_secs_f64(),
        (last_stored.max(planned) - planned).as_secs_f64(),
        last_stored.max(planned).elapsed().as_secs_f64(),
    ));
    drop(directory);
    report_memory("after the import");
    let audit =
        nwd_store::audit::AuditContext::operator("nwd-bench", "nwd-bench money", "commissioning");
    nwd_usecase::commissioning::save(
        store,
        &audit,
        "nwd-bench",
        0,
        nwd_demo::COMMISSIONING,
        "benchmark",
    )
    .await
    .map_err(|e| anyhow::anyhow!("the demo record was refused: {e:?}"))?;
    Ok(())
}
