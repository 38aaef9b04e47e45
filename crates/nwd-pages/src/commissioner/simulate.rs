//! The what-if simulator for commissioners (`/commissioning/simulate`): the baseline is
//! calibrated from the live record (`nwd_store::calibrate` reads it, `nwd_sim::calibrate`
//! turns it into a scenario — as `nowrongdoor simulate calibrate` does), the form changes
//! capacity (servers per service), demand (% change in referrals) and routing (% change in
//! the share triage sends to a service), and the result shows the waiting list over time and
//! the waits for the baseline and the scenario, each a mean over replications with its 95 %
//! confidence interval, as charts and tables.
//!
//! Bounded so that a request cannot tie up the server: at most [`MAX_REPLICATIONS`]
//! replications and [`MAX_YEARS`] years, one simulation at a time in the whole server (a
//! second request is told to try again), run on a blocking thread with the simulator's own
//! small rayon pool. Works without JavaScript: the form posts and the result is rendered in
//! the response.
//!
//! Uses only the simulator's public API (scenario types, [`nwd_sim::run`], [`nwd_sim::keys`],
//! [`nwd_sim::flatten`], [`nwd_sim::summarise`]).

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::civil::Date;
use jiff::ToSpan;
use nwd_sim::calibrate::CalibrationOptions;
use nwd_sim::scenario::NodeKind;
use nwd_sim::{Estimate, Model, Report, RunOptions, Scenario};
use tokio::sync::Semaphore;

use crate::chart::{Chart, ChartKind, Series};
use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// Most replications one request may ask for.
pub const MAX_REPLICATIONS: u32 = 50;
/// Longest horizon one request may ask for (years).
pub const MAX_YEARS: u32 = 3;
/// The seed: the same form gives the same answer.
const SEED: u64 = 2026;
/// Calibration window: the year up to the latest activity in the record (as the CLI's default).
const WINDOW_DAYS: f64 = 365.0;

/// One simulation at a time in the whole server: the machine's cores are the limit.
static RUNNING: Semaphore = Semaphore::const_new(1);

/// A service node in the form.
#[derive(Debug, Clone)]
pub struct NodeField {
    /// Node name (the field ids are `servers-<name>` and `route-<name>`).
    pub name: String,
    /// Shown name.
    pub label: String,
    /// Servers in the baseline.
    pub baseline_servers: u32,
    /// Servers as typed.
    pub servers: String,
    /// Routing change as typed (%).
    pub route: String,
    /// Whether triage routes to it (a routing change applies).
    pub routed_from_triage: bool,
}

/// What the form holds.
#[derive(Debug, Clone)]
pub struct SimulationForm {
    /// Replications.
    pub reps: String,
    /// Years.
    pub years: String,
    /// Demand change (%).
    pub demand: String,
    /// Per service.
    pub nodes: Vec<NodeField>,
}

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
    /// The waiting-list chart.
    pub list_svg: String,
    /// Its table: month, baseline, scenario.
    pub list_rows: Vec<(String, String, String)>,
    /// The waits chart.
    pub waits_svg: String,
    /// Its table.
    pub wait_rows: Vec<WaitRow>,
}

#[derive(Template)]
#[template(path = "simulate.html")]
struct SimulatePage {
    layout: Layout,
    form: SimulationForm,
    result: Option<SimulationResult>,
    notes: Vec<String>,
    csrf: String,
    max_reps: u32,
    max_years: u32,
}

/// The referral-to-first-help standard the simulator reports against, in days, from the
/// configured standards ([`DefaultStandards::first_help_standard`], by default the community
/// CYP 4 weeks of `config/standards.toml`): never a number of its own.
///
/// [`DefaultStandards::first_help_standard`]: nwd_domain::standards::DefaultStandards::first_help_standard
pub fn standard_days(standards: &nwd_domain::standards::DefaultStandards) -> Result<f64, ApiError> {
    standards
        .first_help_standard()
        .map(|s| s.target.in_days())
        .ok_or_else(|| {
            ApiError::Internal(
                "the configured standards have no fallback standard for routine referrals for the simulator to report against (config/standards.toml)".into(),
            )
        })
}

/// A number of days in words, as the standards describe their targets (`4 weeks`, `5 days`).
fn describe_days(days: f64) -> String {
    if days >= 1.0 && days.fract() == 0.0 {
        nwd_domain::standards::WaitTarget::Days(days as u32).describe()
    } else {
        nwd_domain::standards::WaitTarget::Hours((days * 24.0).round() as u32).describe()
    }
}

/// The calibrated baseline and calibration's notes, or `None` with no referrals to learn from.
async fn baseline(state: &AppState) -> Result<Option<(Scenario, Vec<String>)>, PageError> {
    let standard_days = standard_days(state.store.standards()).map_err(PageError::staff)?;
    let data = state
        .store
        .calibration_data()
        .await
        .map_err(PageError::staff)?;
    let Some(latest) = data.latest_ms else {
        return Ok(None);
    };
    let calibration = tokio::task::spawn_blocking(move || {
        nwd_sim::calibrate::calibrate(
            &data.records(latest),
            &CalibrationOptions {
                from: -WINDOW_DAYS,
                to: 0.0,
                standard_days,
            },
        )
    })
    .await
    .map_err(|e| PageError::staff(ApiError::Internal(e.to_string())))?;
    // Calibration floors a near-instant triage at one minute itself
    // (`nwd_sim::calibrate::MIN_TRIAGE_DAYS`) and says so in its notes.
    Ok(Some((calibration.baseline, calibration.notes)))
}

fn label_of(node: &str) -> String {
    let text = node.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

fn service_nodes(scenario: &Scenario) -> Vec<&str> {
    scenario
        .nodes
        .iter()
        .filter(|(_, n)| n.kind == NodeKind::Service)
        .map(|(name, _)| name.as_str())
        .collect()
}

fn triage_node(scenario: &Scenario) -> Option<&str> {
    scenario
        .nodes
        .iter()
        .find(|(_, n)| n.kind == NodeKind::Triage)
        .map(|(name, _)| name.as_str())
}

fn empty_form(scenario: &Scenario) -> SimulationForm {
    let routed: Vec<&str> = triage_node(scenario)
        .and_then(|t| scenario.nodes.get(t))
        .map(|t| t.routing.iter().map(|r| r.to.as_str()).collect())
        .unwrap_or_default();
    SimulationForm {
        reps: "20".into(),
        years: "2".into(),
        demand: "0".into(),
        nodes: service_nodes(scenario)
            .into_iter()
            .map(|name| {
                let servers = scenario.nodes[name].servers;
                NodeField {
                    name: name.to_owned(),
                    label: label_of(name),
                    baseline_servers: servers,
                    servers: servers.to_string(),
                    route: "0".into(),
                    routed_from_triage: routed.contains(&name),
                }
            })
            .collect(),
    }
}

/// A whole number in `range`, or a message naming what is allowed.
fn whole(
    text: &str,
    id: &str,
    what: &str,
    range: std::ops::RangeInclusive<i64>,
    errors: &mut Vec<FieldMessage>,
) -> Option<i64> {
    match text.trim().parse::<i64>() {
        Ok(v) if range.contains(&v) => Some(v),
        _ => {
            errors.push(FieldMessage::new(
                id,
                format!(
                    "Enter {what} as a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            ));
            None
        }
    }
}

/// The validated request: replications, years and the changed scenario.
#[derive(Debug, Clone)]
pub struct Request {
    /// Replications.
    pub reps: u32,
    /// Years.
    pub years: u32,
    /// The baseline with the run length set.
    pub baseline: Scenario,
    /// The changed scenario.
    pub scenario: Scenario,
}

/// Reads the form against the baseline: every invalid field is named; the changed scenario
/// is then validated by the simulator and its errors are put on the nearest field.
pub fn read_form(
    form: &FormData,
    base: &Scenario,
) -> (SimulationForm, Result<Request, Vec<FieldMessage>>) {
    let mut typed = empty_form(base);
    typed.reps = form.first("reps").to_owned();
    typed.years = form.first("years").to_owned();
    typed.demand = form.first("demand").to_owned();
    for node in &mut typed.nodes {
        node.servers = form.first(&format!("servers-{}", node.name)).to_owned();
        node.route = form.first(&format!("route-{}", node.name)).to_owned();
    }
    let mut errors = Vec::new();
    let reps = whole(
        &typed.reps,
        "reps",
        "the number of runs",
        2..=i64::from(MAX_REPLICATIONS),
        &mut errors,
    );
    let years = whole(
        &typed.years,
        "years",
        "the number of years",
        1..=i64::from(MAX_YEARS),
        &mut errors,
    );
    let demand = whole(
        &typed.demand,
        "demand",
        "the change in referrals (per cent)",
        -90..=200,
        &mut errors,
    );
    let mut servers = BTreeMap::new();
    let mut routes = BTreeMap::new();
    for node in &typed.nodes {
        let id = format!("servers-{}", node.name);
        if let Some(v) = whole(
            &node.servers,
            &id,
            &format!("the caseload places at {}", node.label),
            0..=10_000,
            &mut errors,
        ) {
            servers.insert(node.name.clone(), v as u32);
        }
        if node.routed_from_triage {
            let id = format!("route-{}", node.name);
            if let Some(v) = whole(
                &node.route,
                &id,
                &format!("the change in referrals sent to {}", node.label),
                -100..=200,
                &mut errors,
            ) {
                routes.insert(node.name.clone(), v);
            }
        }
    }
    let (Some(reps), Some(years), Some(demand), true) = (reps, years, demand, errors.is_empty())
    else {
        return (typed, Err(errors));
    };
    let mut baseline = base.clone();
    baseline.run.warmup_days = 0.0;
    baseline.run.observe_days = f64::from(years as u32) * 365.0;
    let mut scenario = baseline.clone();
    scenario.name = "scenario".into();
    for arrival in &mut scenario.arrivals {
        arrival.per_year *= 1.0 + demand as f64 / 100.0;
    }
    if let Some(triage) = triage_node(base).map(str::to_owned) {
        if let Some(node) = scenario.nodes.get_mut(&triage) {
            for route in &mut node.routing {
                if let Some(change) = routes.get(&route.to) {
                    route.p *= 1.0 + *change as f64 / 100.0;
                }
            }
        }
    }
    for (name, count) in &servers {
        if let Some(node) = scenario.nodes.get_mut(name) {
            if node.servers != *count {
                node.servers = *count;
                // A new establishment replaces any planned changes from the baseline.
                node.capacity.clear();
            }
        }
    }
    if let Err(problems) = Model::new(&scenario) {
        let errors = problems
            .0
            .iter()
            .map(|e| {
                let id = field_for(&e.path, &typed);
                FieldMessage::new(&id, format!("{} ({})", plain(&e.message), e.path))
            })
            .collect();
        return (typed, Err(errors));
    }
    (
        typed,
        Ok(Request {
            reps: reps as u32,
            years: years as u32,
            baseline,
            scenario,
        }),
    )
}

fn plain(message: &str) -> String {
    let mut text = message.to_owned();
    if let Some(first) = text.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    text
}

/// The form field a simulator error's path belongs to.
fn field_for(path: &str, form: &SimulationForm) -> String {
    let mut parts = path.split('.');
    if parts.next() == Some("nodes") {
        if let Some(node) = parts.next() {
            if form.nodes.iter().any(|n| n.name == node) {
                return format!("servers-{node}");
            }
            // Routing out of triage: the first routing field.
            if let Some(first) = form.nodes.iter().find(|n| n.routed_from_triage) {
                return format!("route-{}", first.name);
            }
        }
    }
    "demand".to_owned()
}

fn pm(e: Estimate, scale: f64, decimals: usize) -> String {
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
fn total_list(model: &Model, runs: &[nwd_sim::RepStats]) -> Vec<(u64, Estimate)> {
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

fn band(estimates: &[(u64, Estimate)]) -> Series {
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

/// Runs both scenarios and builds the charts and tables.
fn simulate(request: &Request, today: Date) -> Result<SimulationResult, ApiError> {
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
        description: "Mean days from arriving at a service to starting there, baseline and scenario side by side for each service. The table beside the chart has the 95% confidence intervals.".into(),
        x_labels: services.iter().map(|s| label_of(s)).collect(),
        y_label: "Days".into(),
        kind: ChartKind::Bar,
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
                label: label_of(s),
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
        list_svg: list_chart.svg(),
        list_rows,
        waits_svg: waits_chart.svg(),
        wait_rows,
    })
}

fn no_data_form() -> SimulationForm {
    SimulationForm {
        reps: "20".into(),
        years: "2".into(),
        demand: "0".into(),
        nodes: Vec::new(),
    }
}

/// The simulator form, filled in with the calibrated baseline.
#[utoipa::path(get, path = "/commissioning/simulate", tag = "pages",
    responses((status = 200, description = "The what-if simulator", content_type = "text/html")))]
pub async fn form(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let (form, notes) = match baseline(&state).await? {
        Some((scenario, notes)) => (empty_form(&scenario), notes),
        None => (
            no_data_form(),
            vec!["There are no referrals in the record yet, so there is nothing to calibrate a baseline from.".into()],
        ),
    };
    Ok(page(
        &principal,
        form,
        None,
        notes,
        Vec::new(),
        StatusCode::OK,
    ))
}

fn page(
    principal: &nwd_store::auth::Principal,
    form: SimulationForm,
    result: Option<SimulationResult>,
    notes: Vec<String>,
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> axum::response::Response {
    render(
        &SimulatePage {
            layout: Layout::staff("What-if simulator", principal).with_errors(errors),
            form,
            result,
            notes,
            csrf: principal.csrf_token.clone().unwrap_or_default(),
            max_reps: MAX_REPLICATIONS,
            max_years: MAX_YEARS,
        },
        status,
        Sensitivity::Identifiable,
    )
}

/// Runs the baseline and the scenario and shows both.
#[utoipa::path(post, path = "/commissioning/simulate", tag = "pages",
    params(("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Baseline and scenario, side by side", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html"), (status = 503, description = "Another simulation is running", content_type = "text/html")))]
pub async fn run(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let Some((base, notes)) = baseline(&state).await? else {
        return Ok(page(
            &principal,
            no_data_form(),
            None,
            Vec::new(),
            vec![FieldMessage::new(
                "reps",
                "There are no referrals in the record yet to calibrate a baseline from",
            )],
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let (typed, request) = read_form(&form, &base);
    let request = match request {
        Ok(r) => r,
        Err(errors) => {
            return Ok(page(
                &principal,
                typed,
                None,
                notes,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
    };
    let Ok(permit) = RUNNING.try_acquire() else {
        return Ok(page(
            &principal,
            typed,
            None,
            notes,
            vec![FieldMessage::new(
                "reps",
                "Another simulation is running. Wait a minute and run it again",
            )],
            StatusCode::SERVICE_UNAVAILABLE,
        ));
    };
    trail.set_detail(format!(
        "what-if simulation; reps={}, years={}",
        request.reps, request.years
    ));
    let today = state.store.now().to_zoned(state.store.tz().clone()).date();
    let request = Arc::new(request);
    let job = request.clone();
    let result = tokio::task::spawn_blocking(move || {
        let result = simulate(&job, today);
        drop(permit);
        result
    })
    .await
    .map_err(|e| PageError::staff(ApiError::Internal(e.to_string())))?
    .map_err(PageError::staff)?;
    Ok(page(
        &principal,
        typed,
        Some(result),
        notes,
        Vec::new(),
        StatusCode::OK,
    ))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test: a failure stops it with its message"
)]
mod tests {
    use nwd_sim::scenario::{ArrivalSpec, DistSpec, NodeSpec, RouteSpec, RunSpec};

    use super::*;

    fn node(kind: NodeKind, servers: u32, routing: Vec<RouteSpec>) -> NodeSpec {
        NodeSpec {
            kind,
            servers,
            service: DistSpec::Exponential { mean: 10.0 },
            routing,
            dna: None,
            reneging: Vec::new(),
            capacity: Vec::new(),
            capacity_repeat_days: None,
            initial: Vec::new(),
            initial_in_service: Vec::new(),
        }
    }

    fn base() -> Scenario {
        Scenario {
            name: "baseline".into(),
            description: String::new(),
            groups: vec!["getting_help".into()],
            run: RunSpec::default(),
            profiles: BTreeMap::new(),
            arrivals: vec![ArrivalSpec {
                source: "gp".into(),
                group: "getting_help".into(),
                per_year: 300.0,
                to: None,
                profile: None,
            }],
            nodes: BTreeMap::from([
                (
                    "triage".to_owned(),
                    node(
                        NodeKind::Triage,
                        50,
                        vec![RouteSpec {
                            group: None,
                            to: "community_cyp".into(),
                            p: 0.6,
                            becomes: None,
                        }],
                    ),
                ),
                (
                    "community_cyp".to_owned(),
                    node(NodeKind::Service, 12, Vec::new()),
                ),
            ]),
        }
    }

    fn form(pairs: &str) -> FormData {
        FormData::parse(pairs.as_bytes())
    }

    #[test]
    fn the_form_changes_demand_capacity_and_routing() {
        let (_, request) = read_form(
            &form("reps=10&years=1&demand=10&servers-community_cyp=9&route-community_cyp=50"),
            &base(),
        );
        let request = request.unwrap();
        assert_eq!((request.reps, request.years), (10, 1));
        assert_eq!(request.baseline.run.observe_days, 365.0);
        assert_eq!(request.baseline.run.warmup_days, 0.0);
        assert!((request.scenario.arrivals[0].per_year - 330.0).abs() < 1e-9);
        assert_eq!(request.scenario.nodes["community_cyp"].servers, 9);
        assert!((request.scenario.nodes["triage"].routing[0].p - 0.9).abs() < 1e-9);
        assert_eq!(request.baseline.nodes["community_cyp"].servers, 12);
    }

    #[test]
    fn errors_name_the_field_and_cap_the_work() {
        let (_, request) = read_form(
            &form("reps=500&years=9&demand=x&servers-community_cyp=-1&route-community_cyp=0"),
            &base(),
        );
        let ids: Vec<String> = request.unwrap_err().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["reps", "years", "demand", "servers-community_cyp"]);
        // Routing that sends more than everyone: the simulator's own check, on the field.
        let (_, request) = read_form(
            &form("reps=10&years=1&demand=0&servers-community_cyp=12&route-community_cyp=100"),
            &base(),
        );
        let errors = request.unwrap_err();
        assert_eq!(errors[0].id, "route-community_cyp", "{errors:?}");
        assert!(
            errors[0].message.contains("nodes.triage.routing"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_small_run_gives_both_lists_with_intervals() {
        let (_, request) = read_form(
            &form("reps=4&years=1&demand=50&servers-community_cyp=12&route-community_cyp=0"),
            &base(),
        );
        let result = simulate(&request.unwrap(), jiff::civil::date(2026, 1, 1)).unwrap();
        // Day 0 and every 30 days over a year: 13 snapshots.
        assert_eq!(result.list_rows.len(), 13);
        assert!(
            result.list_rows[12].1.contains('±'),
            "{:?}",
            result.list_rows[12]
        );
        assert!(
            result.list_svg.contains("<polygon"),
            "confidence bands drawn"
        );
        assert_eq!(result.wait_rows.len(), 1);
        assert_eq!(result.wait_rows[0].cells.len(), 6);
    }

    /// The page's standard is the configured one (issue 16): the shipped 28 days ("4
    /// weeks"), an area's 6 weeks when its file says so, and an error rather than a number
    /// of the page's own when the file has no routine fallback.
    #[test]
    fn the_standard_comes_from_the_configured_standards() {
        let shipped = include_str!("../../../../config/standards.toml");
        let standards: nwd_domain::standards::DefaultStandards = toml::from_str(shipped).unwrap();
        assert_eq!(standard_days(&standards).unwrap(), 28.0);
        assert_eq!(describe_days(28.0), "4 weeks");
        let area = shipped.replacen("target = { days = 28 }", "target = { days = 42 }", 1);
        let mut standards: nwd_domain::standards::DefaultStandards = toml::from_str(&area).unwrap();
        assert_eq!(standard_days(&standards).unwrap(), 42.0);
        assert_eq!(describe_days(5.0), "5 days");
        standards.fallback.clear();
        assert!(standard_days(&standards).is_err());
    }
}
