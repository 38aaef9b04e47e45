// Over 600 lines: to be split by what it owns in issue 16 (the architecture step), not mid-issue.
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
use nwd_sim::{Model, RepStats, Report, RunOptions, Scenario};
use nwd_store::Store;

/// The `simulate` subcommands.
#[derive(clap::Subcommand)]
pub enum SimulateCommand {
    /// Run a scenario file (TOML, or JSON by extension): replications in parallel.
    Run {
        /// Scenario file.
        scenario: PathBuf,
        /// Replications.
        #[arg(long, default_value_t = 100)]
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
        /// Replications of the backtest.
        #[arg(long, default_value_t = 20)]
        reps: u32,
        /// Seed of the backtest.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Worker threads (0: one per core).
        #[arg(long, default_value_t = 0)]
        threads: usize,
    },
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

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text).with_context(|| format!("could not write {}", path.display()))?;
    eprintln!("results written to {}", path.display());
    Ok(())
}

fn write_scenario(path: &Path, header: &str, scenario: &Scenario) -> anyhow::Result<()> {
    let text = scenario.to_toml()?;
    std::fs::write(path, format!("{header}{text}"))
        .with_context(|| format!("could not write {}", path.display()))
}

fn number(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

fn write_table_csv(path: &Path, rows: &[(nwd_sim::Key, nwd_sim::Estimate)]) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path)
        .with_context(|| format!("could not create {}", path.display()))?;
    writer.write_record(["section", "node", "group", "statistic", "day", "mean", "hw"])?;
    for (key, estimate) in rows {
        writer.write_record(nwd_domain::spreadsheet::safe_row([
            key.section.to_string(),
            key.node.clone(),
            key.group.clone(),
            key.statistic.clone(),
            key.day.map(|d| d.to_string()).unwrap_or_default(),
            number(estimate.mean),
            number(estimate.hw),
        ]))?;
    }
    writer.flush()?;
    eprintln!("table written to {}", path.display());
    Ok(())
}

fn write_comparison_csv(path: &Path, comparison: &nwd_sim::Comparison) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_path(path)
        .with_context(|| format!("could not create {}", path.display()))?;
    writer.write_record(nwd_domain::spreadsheet::safe_row([
        "section",
        "node",
        "group",
        "statistic",
        "day",
        "base_mean",
        "base_hw",
        "scenario_mean",
        "scenario_hw",
        "difference_mean",
        "difference_hw",
    ]))?;
    for row in &comparison.rows {
        let k = &row.key;
        writer.write_record(nwd_domain::spreadsheet::safe_row([
            k.section.to_string(),
            k.node.clone(),
            k.group.clone(),
            k.statistic.clone(),
            k.day.map(|d| d.to_string()).unwrap_or_default(),
            number(row.base.mean),
            number(row.base.hw),
            number(row.scenario.mean),
            number(row.scenario.hw),
            number(row.difference.mean),
            number(row.difference.hw),
        ]))?;
    }
    writer.flush()?;
    eprintln!("comparison written to {}", path.display());
    Ok(())
}

fn pm(e: nwd_sim::Estimate) -> String {
    match (e.mean.is_finite(), e.hw.is_finite()) {
        // Shares and utilisations (below 10) get two decimals, days and counts one.
        (true, true) if e.mean.abs() < 10.0 => format!("{:.2} ± {:.2}", e.mean, e.hw),
        (true, true) => format!("{:.1} ± {:.1}", e.mean, e.hw),
        (true, false) => format!("{:.1}", e.mean),
        _ => "–".into(),
    }
}

fn write_summary(out: &mut impl std::io::Write, report: &Report) -> anyhow::Result<()> {
    writeln!(
        out,
        "\n{}: {} replications, seed {}, {:.0} warm-up + {:.0} observed days",
        report.scenario, report.replications, report.seed, report.warmup_days, report.observe_days
    )?;
    writeln!(
        out,
        "{:<24} {:>16} {:>16} {:>16} {:>16} {:>14} {:>8} {:>12}",
        "node",
        "arrivals/yr",
        "mean wait (d)",
        "p90 wait (d)",
        "mean list",
        "utilisation",
        "ρ (TE)",
        "Erlang C Wq"
    )?;
    for (name, node) in &report.nodes {
        let a = &node.analytic;
        let mut utilisation = node.utilisation;
        utilisation.mean *= 100.0;
        utilisation.hw *= 100.0;
        writeln!(
            out,
            "{:<24} {:>16} {:>16} {:>16} {:>16} {:>13}% {:>8.2} {:>12}",
            name,
            pm(node.total.arrivals_per_year),
            pm(node.total.mean_wait_days),
            pm(node.total.p90_wait_days),
            pm(node.total.mean_list),
            pm(utilisation),
            a.utilisation,
            a.erlang_c.map_or("over capacity".to_string(), |e| format!(
                "{:.2}",
                e.mean_wait_days
            )),
        )?;
    }
    let r = &report.referrals.total;
    let mut within = r.within_standard;
    within.mean *= 100.0;
    within.hw *= 100.0;
    writeln!(
        out,
        "referral → first help: mean {} d, median {} d, p90 {} d, within {:.0} days {} %; {:.2} node visits per referral (traffic equations)",
        pm(r.mean_days),
        pm(r.p50_days),
        pm(r.p90_days),
        report.standard_days,
        pm(within),
        report.network.visits_per_referral
    )?;
    Ok(())
}

fn write_comparison(
    out: &mut impl std::io::Write,
    comparison: &nwd_sim::Comparison,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "\n{} → {} (difference paired by replication, 95 % half-width)",
        comparison.base, comparison.scenario
    )?;
    writeln!(
        out,
        "{:<24} {:<20} {:>18} {:>18} {:>18}",
        "node", "statistic", "base", "scenario", "difference"
    )?;
    const SHOWN: [&str; 5] = [
        "mean_wait_days",
        "p90_wait_days",
        "mean_list",
        "utilisation",
        "within_standard",
    ];
    for row in &comparison.rows {
        let k = &row.key;
        if k.section == "snapshot" || !k.group.is_empty() || !SHOWN.contains(&k.statistic.as_str())
        {
            continue;
        }
        let node = if k.node.is_empty() {
            "(referrals)"
        } else {
            &k.node
        };
        writeln!(
            out,
            "{:<24} {:<20} {:>18} {:>18} {:>18}",
            node,
            k.statistic,
            pm(row.base),
            pm(row.scenario),
            pm(row.difference)
        )?;
    }
    Ok(())
}

fn write_backtest(
    out: &mut impl std::io::Write,
    report: &Report,
    observed: &nwd_sim::calibrate::Observed,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "\nbacktest over the calibration window ({} replications): observed | simulated ± 95 % half-width",
        report.replications
    )?;
    writeln!(
        out,
        "{:<36} {:>22} {:>22} {:>22} {:>22} {:>22}",
        "node", "arrivals/yr", "mean wait (d)", "p90 wait (d)", "mean list", "list at end"
    )?;
    let cell = |o: f64, s: nwd_sim::Estimate| {
        if o.is_finite() {
            format!("{o:.1} | {}", pm(s))
        } else {
            format!("– | {}", pm(s))
        }
    };
    for (name, o) in &observed.nodes {
        let Some(s) = report.nodes.get(name) else {
            continue;
        };
        writeln!(
            out,
            "{:<36} {:>22} {:>22} {:>22} {:>22} {:>22}",
            name,
            cell(o.arrivals_per_year, s.total.arrivals_per_year),
            cell(o.mean_wait_days, s.total.mean_wait_days),
            cell(o.p90_wait_days, s.total.p90_wait_days),
            cell(o.mean_list, s.total.mean_list),
            cell(o.waiting_at_end, s.total.waiting_at_end),
        )?;
    }
    let mut within = report.referrals.total.within_standard;
    within.mean *= 100.0;
    within.hw *= 100.0;
    writeln!(
        out,
        "referrals seen within {:.0} days: observed {:.1} % | simulated {} %",
        report.standard_days,
        observed.referrals_within_standard * 100.0,
        pm(within)
    )?;
    Ok(())
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test: a failure stops it with its message"
)]
mod tests {
    use nwd_sim::calibrate::{calibrate, CalibrationOptions};
    use nwd_sim::{summarise, Model, RunOptions};
    use nwd_store::{Store, StoreOptions};

    use super::first_help_standard_days;

    const DAY_MS: i64 = 86_400_000;

    /// The simulator's standard is the configured one: 28 days from `config/standards.toml`,
    /// and whatever an area's file says instead (here 6 weeks); a file without a routine
    /// fallback is refused rather than silently given 28.
    #[test]
    fn the_simulator_standard_comes_from_the_configured_standards() {
        let shipped = include_str!("../../../config/standards.toml");
        let standards = crate::config::parse_standards(shipped).unwrap();
        assert_eq!(first_help_standard_days(&standards).unwrap(), 28.0);
        let area = shipped.replacen("target = { days = 28 }", "target = { days = 42 }", 1);
        let standards = crate::config::parse_standards(&area).unwrap();
        assert_eq!(first_help_standard_days(&standards).unwrap(), 42.0);
        let mut none = standards;
        none.fallback.clear();
        assert!(first_help_standard_days(&none).is_err());
    }

    /// Calibration on SQLite against the demo county: the baseline's arrivals are the window's
    /// referrals, its initial lists are exactly today's waiting lists, both scenarios validate,
    /// and the backtest reproduces the arrivals at every busy service.
    #[tokio::test]
    async fn calibration_from_the_demo_county_on_sqlite() {
        let dir = std::env::temp_dir().join(format!("nwd-sim-calibrate-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("nwd.db").display());
        let standards =
            crate::config::parse_standards(include_str!("../../../config/standards.toml")).unwrap();
        let store = Store::connect(StoreOptions::new(url, standards))
            .await
            .unwrap();
        crate::demo::load(&store, 7, 2, 3000).await.unwrap();

        let data = store.calibration_data().await.unwrap();
        let latest = data.latest_ms.unwrap();
        let options = CalibrationOptions {
            from: -365.0,
            to: 0.0,
            standard_days: first_help_standard_days(store.standards()).unwrap(),
        };
        let calibration = calibrate(&data.records(latest), &options);
        Model::new(&calibration.baseline).unwrap();
        let backtest = Model::new(&calibration.backtest).unwrap();

        // Arrivals: every referral received in the window, per year.
        let received = data
            .referrals
            .iter()
            .filter(|r| r.received_at >= latest - 365 * DAY_MS && r.received_at < latest)
            .count() as f64;
        let per_year: f64 = calibration
            .baseline
            .arrivals
            .iter()
            .filter(|a| a.source != "additional_allocation")
            .map(|a| a.per_year)
            .sum();
        let expected = received * nwd_sim::DAYS_PER_YEAR / 365.0;
        assert!(
            (per_year - expected).abs() < 1.0,
            "{per_year} vs {expected}"
        );

        // The initial lists are today's waiting lists, person for person.
        let mut waiting = 0u64;
        for s in &data.services {
            let list = store
                .waiting_list(s.id.parse().unwrap(), 1, 0)
                .await
                .unwrap();
            waiting += list.total;
        }
        let initial: usize = calibration
            .baseline
            .nodes
            .iter()
            .filter(|(name, _)| *name != "triage")
            .flat_map(|(_, n)| &n.initial)
            .map(|i| i.waited_days.len())
            .sum();
        assert!(waiting > 0);
        assert_eq!(initial as u64, waiting);

        // The backtest reproduces arrivals at each service receiving 100 or more a year.
        let runs = nwd_sim::run(
            &backtest,
            &RunOptions {
                replications: 8,
                seed: 1,
                threads: 1,
            },
            &|| {},
        )
        .unwrap();
        let report = summarise(&backtest, &runs, 1);
        let mut checked = 0;
        for (name, observed) in &calibration.observed.nodes {
            if observed.arrivals_per_year < 100.0 {
                continue;
            }
            let simulated = report.nodes[name].total.arrivals_per_year.mean;
            let error = (simulated - observed.arrivals_per_year).abs() / observed.arrivals_per_year;
            assert!(
                error < 0.2,
                "{name}: observed {} a year, simulated {simulated}",
                observed.arrivals_per_year
            );
            checked += 1;
        }
        assert!(checked >= 3, "only {checked} busy services");
        std::fs::remove_dir_all(&dir).ok();
    }
}
