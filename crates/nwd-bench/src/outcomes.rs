//! `nwd-bench outcomes`: the commissioner dashboard's outcome figures (issue 19) over a large
//! record. Generates and imports the demo county at the asked size (its episodes record
//! outcome measures, `nwd_demo::care::measures`), counts the recorded assessments and their
//! scale scores, then times, on the store itself (no HTTP):
//!
//! - `compute_dashboard`: every input read afresh — the closed referrals with measures
//!   replayed and judged by `outcome_summary` (MHS112), then counted;
//! - `warm_dashboard`: the same read into the kept inputs (what the server does at start);
//! - `dashboard` after one change: a follow-up measure and a discharge written to an open
//!   allocation, then the figures from the kept inputs, which read only that referral again.
//!
//! Reports times and the outcome figures themselves (exact: this is a benchmark database of
//! synthetic people).

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use jiff::ToSpan;
use nwd_domain::codes::DischargeReason;
use nwd_domain::referral::outcome::{OutcomeAssessment, ScaleEntry};
use nwd_domain::referral::{Command, DischargeCommand, RecordedEvent, Referral, ReferralStatus};
use nwd_store::dashboard::DashboardQuery;
use nwd_store::DemoImport;

use crate::report;
use crate::server::{self, FreshDatabase, Matching};

/// Options of `nwd-bench outcomes`.
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
    /// Timed repetitions of each step.
    #[arg(long, default_value_t = 3)]
    repeat: usize,
    /// Seed of the demo data.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Extra interim assessments per referral with a baseline measure: copies of the
    /// baseline's measure, a second apart after it, each score a tenth off the baseline's,
    /// recorded in the same history right after the baseline (so the first and last scores,
    /// and every figure, are unchanged; only the stored responses multiply).
    #[arg(long, default_value_t = 0)]
    interim: u32,
}

/// Adds `n` interim assessments after each referral's first recorded measure (see
/// `Args::interim`), renumbering the history and replaying the state from it.
fn add_interim(data: &mut nwd_demo::DemoData, n: u32) -> anyhow::Result<()> {
    use nwd_domain::referral::ReferralEvent;
    if n == 0 {
        return Ok(());
    }
    for r in &mut data.referrals {
        let Some(at) = r
            .events
            .iter()
            .position(|e| matches!(e.event, ReferralEvent::OutcomeRecorded { .. }))
        else {
            continue;
        };
        let base = r.events[at].clone();
        let ReferralEvent::OutcomeRecorded { assessment } = &base.event else {
            continue;
        };
        let copies: Vec<RecordedEvent> = (1..=n)
            .map(|i| {
                let mut copy = assessment.clone();
                copy.at += jiff::SignedDuration::from_secs(i64::from(i));
                for s in &mut copy.scores {
                    s.score_tenths += if s.score_tenths > 0 && i % 2 == 0 {
                        -1
                    } else {
                        1
                    };
                }
                RecordedEvent {
                    seq: 0,
                    at: base.at,
                    actor: base.actor.clone(),
                    event: ReferralEvent::OutcomeRecorded { assessment: copy },
                }
            })
            .collect();
        r.events.splice(at + 1..at + 1, copies);
        for (i, e) in r.events.iter_mut().enumerate() {
            e.seq = i as u32 + 1;
        }
        r.state = Referral::replay(&r.events)
            .map_err(|e| anyhow::anyhow!("replay after adding interim measures: {e}"))?;
    }
    Ok(())
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// Runs the outcome figures benchmark.
pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.referrals == 0 || args.years == 0 || args.repeat == 0 {
        bail!("--referrals, --years and --repeat must be at least 1");
    }
    let database = FreshDatabase::create(&args.database_url).await?;
    let outcome = measure(&args, &database).await;
    database.remove().await?;
    outcome
}

async fn measure(args: &Args, database: &FreshDatabase) -> anyhow::Result<()> {
    let store = server::open_store(&database.url, 8, Matching::NhsNumberOnly).await?;
    let config = nwd_demo::DemoConfig {
        seed: args.seed,
        years: args.years,
        referrals_per_year: args.referrals.div_ceil(args.years),
        end: store.now(),
        tz: store.tz().clone(),
        standards: store.standards().clone(),
    };
    let started = Instant::now();
    let mut data = tokio::task::spawn_blocking(move || nwd_demo::generate(&config, &mut |_, _| {}))
        .await
        .context("the generator failed")?;
    let generate = started.elapsed();
    add_interim(&mut data, args.interim)?;
    let assessments: usize = data.referrals.iter().map(|r| r.state.outcomes.len()).sum();
    let scores: usize = data
        .referrals
        .iter()
        .flat_map(|r| &r.state.outcomes)
        .map(|a| a.scores.len())
        .sum();
    let events: usize = data.referrals.iter().map(|r| r.events.len()).sum();
    // An open allocation of a referral with a baseline measure, for the change.
    let target = data.referrals.iter().find_map(|r| {
        let allocation = r.state.active_allocations().next()?;
        let first = r.state.outcomes.first()?;
        (r.state.status != ReferralStatus::Closed && r.state.active_allocations().count() == 1)
            .then(|| (r.state.id, allocation.id, first.clone()))
    });
    let histories: Vec<(&[RecordedEvent], &Referral)> = data
        .referrals
        .iter()
        .map(|r| (r.events.as_slice(), &r.state))
        .collect();
    let started = Instant::now();
    store
        .import(
            &nwd_store::audit::AuditContext::operator("nwd-bench", "nwd-bench outcomes", "demo"),
            DemoImport {
                organisations: &data.organisations,
                services: &data.services,
                persons: &data.persons,
                referrals: &histories,
                abouts: &nwd_demo::about::abouts(&data.persons),
            },
            &mut |_, _| {},
        )
        .await
        .context("the import failed")?;
    let import = started.elapsed();
    let referrals = data.referrals.len();
    drop(histories);
    drop(data);
    report(format!(
        "{referrals} referrals, {events} events, {assessments} outcome assessments ({scores} scale scores); generate {}, import {}",
        seconds(generate),
        seconds(import)
    ));

    let today = store.now().to_zoned(store.tz().clone()).date();
    let query = DashboardQuery {
        from: today.first_of_month().saturating_sub(23.months()),
        months: 24,
        service_id: None,
    };
    for i in 0..args.repeat {
        let started = Instant::now();
        let d = store.compute_dashboard(&query).await?;
        let took = started.elapsed();
        let o = d.outcomes.all;
        let own = o.rater(nwd_domain::referral::outcome::OutcomeRater::YoungPerson);
        report(format!(
            "compute_dashboard (all read afresh, measures judged) #{i}: {}; closed {} paired {} ({:.1} %), self-rated: meaningful improvement {:.1} %, reliable deterioration {:.1} %",
            seconds(took),
            o.closed,
            o.paired,
            100.0 * o.paired as f64 / o.closed.max(1) as f64,
            100.0 * own.meaningful_improvement as f64 / own.paired.max(1) as f64,
            100.0 * own.reliable_deterioration as f64 / own.paired.max(1) as f64,
        ));
    }
    let started = Instant::now();
    store.warm_dashboard().await?;
    report(format!(
        "warm_dashboard (kept inputs read): {}",
        seconds(started.elapsed())
    ));
    let started = Instant::now();
    store.dashboard(&query).await?;
    report(format!(
        "dashboard from the kept inputs: {}",
        seconds(started.elapsed())
    ));

    let Some((id, allocation, first)) = target else {
        bail!("no open referral with a baseline measure to change");
    };
    let referral = store.referral(id).await?;
    let audit = nwd_store::testing::acting("nwd-bench");
    let follow_up = Command::RecordOutcome(OutcomeAssessment {
        allocation_id: allocation,
        measure: first.measure.clone(),
        rater: first.rater,
        at: store.now(),
        scores: first
            .scores
            .iter()
            .map(|s| ScaleEntry {
                scale: s.scale.clone(),
                score_tenths: s.score_tenths,
            })
            .collect(),
        answers: Vec::new(),
    });
    let (referral, _) = store
        .execute(&audit, id, referral.version, follow_up, "nwd-bench")
        .await?;
    let discharge = Command::Discharge(DischargeCommand {
        allocation_id: allocation,
        reason: DischargeReason::TreatmentCompleted,
        note: None,
        // The follow-up just recorded is the closing measure.
        without_closing_measure: None,
    });
    store
        .execute(&audit, id, referral.version, discharge, "nwd-bench")
        .await?;
    let started = Instant::now();
    let after = store.dashboard(&query).await?;
    let took = started.elapsed();
    let fresh = store.compute_dashboard(&query).await?;
    if after.outcomes != fresh.outcomes {
        bail!("the kept outcome figures differ from a fresh computation");
    }
    report(format!(
        "dashboard after one change (a follow-up measure and a discharge): {}; equal to a fresh computation",
        seconds(took)
    ));
    Ok(())
}
