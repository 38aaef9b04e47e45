//! `nowrongdoor simulate …`: the what-if simulator from the command line — run a scenario
//! (replications in parallel, a progress bar on standard error, a summary table on standard
//! output, JSON and CSV files), check one (validation and the closed-form figures only), and
//! calibrate a baseline from the database. The model and the statistics live in `nwd-sim`;
//! the database reads in `nwd_store::calibrate`.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use nwd_sim::calibrate::CalibrationOptions;
use nwd_sim::{Model, RepStats, RunOptions, Scenario};
use nwd_store::Store;

mod files;
mod summary;

use files::{write_comparison_csv, write_json, write_scenario, write_table_csv};
use summary::{write_backtest, write_comparison, write_summary};

/// The `simulate` subcommands.
#[derive(clap::Subcommand)]
pub enum SimulateCommand {
    /// Run a scenario file (TOML, or JSON by extension): replications in parallel.
    Run {
        /// Scenario file.
        scenario: PathBuf,
        /// Replications (1 to `nwd_sim::limits::MAX_REPLICATIONS`, 10,000).
        #[arg(long, default_value_t = 100, value_parser = reps_parser())]
        reps: u32,
        /// Seed: the same seed gives bit-identical results on any number of threads.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Worker threads (0: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
        /// Write the results as JSON (one object per node, each statistic as {"mean", "hw"}).
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write the results as CSV (one row per statistic).
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Compare with another scenario, run with the same seed and replications.
        #[arg(long)]
        compare: Option<PathBuf>,
    },
    /// Validate a scenario and show the traffic equations, Erlang C and CAPA (no simulation).
    Check {
        /// Scenario file.
        scenario: PathBuf,
    },
    /// Derive a baseline scenario from the database and report how well it reproduces the
    /// observed waits and lists (a backtest over the calibration window).
    Calibrate {
        /// Where to write the baseline scenario.
        #[arg(long, default_value = "baseline.toml")]
        out: PathBuf,
        /// Calibration window: this many days up to the latest activity in the record.
        #[arg(long, default_value_t = 365)]
        window_days: u32,
        /// Also write the backtest scenario (the window's starting state, run over the window).
        #[arg(long)]
        backtest_out: Option<PathBuf>,
        /// Replications of the backtest (1 to 10,000).
        #[arg(long, default_value_t = 20, value_parser = reps_parser())]
        reps: u32,
        /// Seed of the backtest.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Worker threads (0: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
}

/// `--reps`: a whole number from 1 to the simulator's limit, refused by clap with the flag named.
fn reps_parser() -> clap::builder::RangedI64ValueParser<u32> {
    clap::value_parser!(u32).range(1..=i64::from(nwd_sim::limits::MAX_REPLICATIONS))
}

/// Runs a `simulate` subcommand; `open_store` opens the database when one is needed.
pub async fn run<F, Fut>(command: SimulateCommand, open_store: F) -> anyhow::Result<()>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Store>>,
{
    match command {
        SimulateCommand::Run {
            scenario,
            reps,
            seed,
            threads,
            json,
            csv,
            compare,
        } => {
            let options = RunOptions {
                replications: reps,
                seed,
                threads,
            };
            let model = load(&scenario)?;
            let runs = simulate(&model, &options, "run")?;
            let report = nwd_sim::summarise(&model, &runs, seed);
            let mut out = std::io::stdout().lock();
            write_summary(&mut out, &report)?;
            match compare {
                None => {
                    if let Some(path) = json {
                        write_json(&path, &report)?;
                    }
                    if let Some(path) = csv {
                        write_table_csv(&path, &nwd_sim::table(&model, &runs))?;
                    }
                }
                Some(other_path) => {
                    let other = load(&other_path)?;
                    let other_runs = simulate(&other, &options, "compare")?;
                    let other_report = nwd_sim::summarise(&other, &other_runs, seed);
                    write_summary(&mut out, &other_report)?;
                    let comparison = nwd_sim::compare(&model, &runs, &other, &other_runs);
                    write_comparison(&mut out, &comparison)?;
                    if let Some(path) = json {
                        let both = serde_json::json!({
                            "base": report,
                            "scenario": other_report,
                            "comparison": comparison,
                        });
                        write_json(&path, &both)?;
                    }
                    if let Some(path) = csv {
                        write_comparison_csv(&path, &comparison)?;
                    }
                }
            }
            Ok(())
        }
        SimulateCommand::Check { scenario } => {
            let model = load(&scenario)?;
            let analytic = nwd_sim::analyse(&model);
            let mut out = std::io::stdout().lock();
            writeln!(out, "{} is valid.", scenario.display())?;
            writeln!(out, "{}", serde_json::to_string_pretty(&analytic)?)?;
            Ok(())
        }
        SimulateCommand::Calibrate {
            out,
            window_days,
            backtest_out,
            reps,
            seed,
            threads,
        } => {
            let store = open_store().await?;
            let data = store.calibration_data().await?;
            let Some(latest) = data.latest_ms else {
                anyhow::bail!("the database has no referrals to calibrate from (try `nowrongdoor demo` first)");
            };
            let records = data.records(latest);
            let options = CalibrationOptions {
                from: -f64::from(window_days),
                to: 0.0,
                standard_days: first_help_standard_days(store.standards())?,
            };
            let calibration = nwd_sim::calibrate::calibrate(&records, &options);
            let header = format!(
                "# Calibrated by `nowrongdoor simulate calibrate` from {} referrals and {} allocations,\n\
                 # over the {window_days} days up to the latest activity in the record.\n\
                 # See docs/simulator.md (Calibration) for what each figure is estimated from.\n\n",
                data.referrals.len(),
                data.allocations.len()
            );
            write_scenario(&out, &header, &calibration.baseline)?;
            eprintln!("baseline scenario written to {}", out.display());
            if let Some(path) = &backtest_out {
                write_scenario(path, &header, &calibration.backtest)?;
            }
            for note in &calibration.notes {
                eprintln!("note: {note}");
            }
            let backtest = Model::new(&calibration.backtest)
                .context("the calibrated backtest scenario does not validate")?;
            Model::new(&calibration.baseline)
                .context("the calibrated baseline scenario does not validate")?;
            let runs = simulate(
                &backtest,
                &RunOptions {
                    replications: reps,
                    seed,
                    threads,
                },
                "backtest",
            )?;
            let report = nwd_sim::summarise(&backtest, &runs, seed);
            write_backtest(
                &mut std::io::stdout().lock(),
                &report,
                &calibration.observed,
            )?;
            Ok(())
        }
    }
}

/// Reads and validates a scenario file.
/// The referral-to-first-help standard calibration reports against, in days: the configured
/// standards' own (`DefaultStandards::first_help_standard`, by default the community CYP
/// 4 weeks of `config/standards.toml`), as the web simulator reads it.
fn first_help_standard_days(
    standards: &nwd_domain::standards::DefaultStandards,
) -> anyhow::Result<f64> {
    standards
        .first_help_standard()
        .map(|s| s.target.in_days())
        .ok_or_else(|| {
            anyhow::anyhow!(
                "the standards file has no fallback standard for routine referrals for the simulator to report against"
            )
        })
}

fn load(path: &Path) -> anyhow::Result<Model> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("could not read the scenario {}", path.display()))?;
    let scenario = if path.extension().is_some_and(|e| e == "json") {
        Scenario::from_json(&text)
    } else {
        Scenario::from_toml(&text)
    }
    .with_context(|| format!("{} is not a valid scenario", path.display()))?;
    Model::new(&scenario).with_context(|| format!("{} is not a valid scenario", path.display()))
}

fn simulate(model: &Model, options: &RunOptions, label: &str) -> anyhow::Result<Vec<RepStats>> {
    let bar = ProgressBar::new(u64::from(options.replications));
    bar.set_style(
        ProgressStyle::with_template(
            "{msg:>8} [{bar:40}] {pos}/{len} replications ({elapsed}, about {eta} left)",
        )?
        .progress_chars("=> "),
    );
    bar.set_message(label.to_string());
    let started = std::time::Instant::now();
    let runs = nwd_sim::run(model, options, &|| bar.inc(1))?;
    bar.finish_and_clear();
    eprintln!(
        "{label}: {} replications of {} in {:.2} s",
        options.replications,
        model.scenario().name,
        started.elapsed().as_secs_f64()
    );
    Ok(runs)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a failure stops it with its message"
)]
mod tests;
