//! Running the baseline and the changed scenario and turning the reports into charts and
//! tables ([`SimulationResult`]).

use super::fit::{self, FitRow};
use super::request::{label_in, service_nodes, Request};
use super::{describe_days, Baseline, SEED};
use crate::chart::{Chart, ChartKind, Series};
use jiff::civil::Date;
use jiff::ToSpan;
use nwd_http::problem::ApiError;
use nwd_sim::{Estimate, Model, Report, RunOptions, Scenario};
use std::collections::BTreeMap;

/// Most replications of the backtest shown beside the forecast: a local choice (ten give a
/// half-width of a few per cent of a mean wait at the demo county's services, enough to tell a
/// good fit from a tenfold miss, and keep the page's run short).
const FIT_REPLICATIONS: u32 = 10;

/// A row of the waits table.
#[derive(Debug, Clone)]
pub struct WaitRow {
    /// Service.
    pub label: String,
    /// Cells: baseline and scenario mean wait, p90 wait, utilisation.
    pub cells: Vec<String>,
}

/// The result.
#[derive(Debug, Clone)]
pub struct SimulationResult {
    /// Replications and horizon, in words.
    pub summary: String,
    /// The standard the shares are measured against, in words (e.g. `4 weeks`).
    pub standard: String,
    /// Share seen within the standard: baseline, scenario.
    pub within: (String, String),
    /// Referrals a year that gave up waiting (counted as not seen within the standard):
    /// baseline, scenario.
    pub gave_up: (String, String),
    /// Per service: the backtest's mean wait beside the record's, with a warning if poor.
    pub fit_rows: Vec<FitRow>,
    /// Replications of the backtest.
    pub fit_reps: u32,
    /// The waiting-list chart.
    pub list_svg: String,
    /// Its table: month, baseline, scenario.
    pub list_rows: Vec<(String, String, String)>,
    /// The waits chart.
    pub waits_svg: String,
    /// Its table.
    pub wait_rows: Vec<WaitRow>,
}
impl SimulationResult {
    /// Whether some service's backtest fits the record poorly.
    pub fn has_poor_fit(&self) -> bool {
        self.fit_rows.iter().any(|r| r.warning.is_some())
    }
}

pub(super) fn pm(e: Estimate, scale: f64, decimals: usize) -> String {
    match (e.mean.is_finite(), e.hw.is_finite()) {
        (true, true) => format!(
            "{:.*} ± {:.*}",
            decimals,
            e.mean * scale,
            decimals,
            e.hw * scale
        ),
        (true, false) => format!("{:.*}", decimals, e.mean * scale),
        _ => "–".into(),
    }
}

/// The total waiting list over the service nodes at each snapshot, per replication, as a
/// mean and 95 % interval per snapshot day.
pub(super) fn total_list(model: &Model, runs: &[nwd_sim::RepStats]) -> Vec<(u64, Estimate)> {
    let services: Vec<&str> = service_nodes(model.scenario());
    let keys = nwd_sim::keys(model);
    let flat: Vec<Vec<f64>> = runs.iter().map(nwd_sim::flatten).collect();
    let mut by_day: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        if key.section == "snapshot" && services.contains(&key.node.as_str()) {
            if let Some(day) = key.day {
                by_day.entry(day).or_default().push(i);
            }
        }
    }
    by_day
        .into_iter()
        .map(|(day, indices)| {
            (
                day,
                Estimate::of(flat.iter().map(|f| indices.iter().map(|i| f[*i]).sum())),
            )
        })
        .collect()
}

pub(super) fn band(estimates: &[(u64, Estimate)]) -> Series {
    let mut series = Series::new(
        "",
        estimates
            .iter()
            .map(|(_, e)| e.mean.is_finite().then_some(e.mean))
            .collect(),
    );
    series.band = Some(
        estimates
            .iter()
            .map(|(_, e)| {
                (e.mean.is_finite() && e.hw.is_finite())
                    .then(|| ((e.mean - e.hw).max(0.0), e.mean + e.hw))
            })
            .collect(),
    );
    series
}

/// Runs both scenarios and the backtest, and builds the charts and tables.
pub(super) fn simulate(
    request: &Request,
    base: &Baseline,
    today: Date,
) -> Result<SimulationResult, ApiError> {
    let options = RunOptions {
        replications: request.reps,
        seed: SEED,
        threads: 2,
    };
    let model = |s: &Scenario| Model::new(s).map_err(|e| ApiError::Internal(e.to_string()));
    let (base_model, scenario_model) = (model(&request.baseline)?, model(&request.scenario)?);
    let base_runs = nwd_sim::run(&base_model, &options, &|| {})
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let scenario_runs = nwd_sim::run(&scenario_model, &options, &|| {})
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let backtest_model = model(&base.backtest)?;
    let fit_reps = request.reps.min(FIT_REPLICATIONS);
    let backtest_runs = nwd_sim::run(
        &backtest_model,
        &RunOptions {
            replications: fit_reps,
            ..options
        },
        &|| {},
    )
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let backtest_report = nwd_sim::summarise(&backtest_model, &backtest_runs, SEED);
    let base_report: Report = nwd_sim::summarise(&base_model, &base_runs, SEED);
    let scenario_report: Report = nwd_sim::summarise(&scenario_model, &scenario_runs, SEED);

    let base_list = total_list(&base_model, &base_runs);
    let scenario_list = total_list(&scenario_model, &scenario_runs);
    let month_of = |day: u64| {
        today
            .saturating_add((day as i64).days())
            .strftime("%b %Y")
            .to_string()
    };
    let x_labels: Vec<String> = base_list.iter().map(|(d, _)| month_of(*d)).collect();
    let mut baseline_series = band(&base_list);
    baseline_series.label = "Baseline".into();
    let mut scenario_series = band(&scenario_list);
    scenario_series.label = "Scenario".into();
    let list_chart = Chart {
        id: "chart-list".into(),
        title: "Waiting list over time".into(),
        description: format!(
            "Everyone waiting for a service, every 30 days from today, for the baseline (solid line, circles) and the scenario (dashed line, squares); shaded bands are 95% confidence intervals over {} runs. The table beside the chart has every value.",
            request.reps
        ),
        x_labels,
        y_label: "Waiting".into(),
        kind: ChartKind::Line,
        series: vec![baseline_series, scenario_series],
        y_max: None,
    };
    let list_rows = base_list
        .iter()
        .zip(&scenario_list)
        .map(|((day, b), (_, s))| (month_of(*day), pm(*b, 1.0, 0), pm(*s, 1.0, 0)))
        .collect();

    let services = service_nodes(base_model.scenario());
    let label = |s: &str| label_in(&request.baseline, s);
    let mean_wait = |report: &Report, node: &str| {
        report
            .nodes
            .get(node)
            .map(|n| n.total.mean_wait_days.mean)
            .filter(|v| v.is_finite())
    };
    let waits_chart = Chart {
        id: "chart-waits".into(),
        title: "Mean wait by service".into(),
        description: "Mean days from arriving at a service to starting there, for each service a bar for the baseline (solid) and one for the scenario (hatched). The table below the chart has the 95% confidence intervals.".into(),
        x_labels: services.iter().map(|s| label(s)).collect(),
        y_label: "Mean wait (days)".into(),
        kind: ChartKind::HorizontalBar,
        series: vec![
            Series::new("Baseline", services.iter().map(|s| mean_wait(&base_report, s)).collect()),
            Series::new("Scenario", services.iter().map(|s| mean_wait(&scenario_report, s)).collect()),
        ],
        y_max: None,
    };
    let wait_rows = services
        .iter()
        .filter_map(|s| {
            let b = base_report.nodes.get(*s)?;
            let c = scenario_report.nodes.get(*s)?;
            Some(WaitRow {
                label: label(s),
                cells: vec![
                    pm(b.total.mean_wait_days, 1.0, 1),
                    pm(c.total.mean_wait_days, 1.0, 1),
                    pm(b.total.p90_wait_days, 1.0, 1),
                    pm(c.total.p90_wait_days, 1.0, 1),
                    pm(b.utilisation, 100.0, 0),
                    pm(c.utilisation, 100.0, 0),
                ],
            })
        })
        .collect();
    Ok(SimulationResult {
        standard: describe_days(request.baseline.run.standard_days),
        summary: format!(
            "{} runs of {} year{} from today, the same random numbers for both.",
            request.reps,
            request.years,
            if request.years == 1 { "" } else { "s" }
        ),
        within: (
            pm(base_report.referrals.total.within_standard, 100.0, 0),
            pm(scenario_report.referrals.total.within_standard, 100.0, 0),
        ),
        gave_up: (
            pm(base_report.referrals.total.gave_up_per_year, 1.0, 0),
            pm(scenario_report.referrals.total.gave_up_per_year, 1.0, 0),
        ),
        fit_rows: fit::rows(&services, &base.observed, &backtest_report, &label),
        fit_reps,
        list_svg: list_chart.svg(),
        list_rows,
        waits_svg: waits_chart.svg(),
        wait_rows,
    })
}
