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

use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use std::collections::BTreeMap;

use nwd_sim::calibrate::{CalibrationOptions, Observed, Staffing};
use nwd_sim::Scenario;
use tokio::sync::Semaphore;

use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

mod fit;
mod outcome;
mod request;

pub use fit::FitRow;
use outcome::simulate;
pub use outcome::{SimulationResult, WaitRow};
use request::{empty_form, no_data_form};
pub use request::{read_form, NodeField, Request, SimulationForm, StaffingField};

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

/// The calibrated baseline, the backtest over the last year with what the record showed
/// then, each service's staffing, and calibration's notes.
pub(super) struct Baseline {
    pub(super) scenario: Scenario,
    pub(super) notes: Vec<String>,
    pub(super) staffing: BTreeMap<String, Staffing>,
    pub(super) backtest: Scenario,
    pub(super) observed: Observed,
}

/// The calibrated baseline, or `None` with no referrals to learn from.
async fn baseline(state: &AppState) -> Result<Option<Baseline>, PageError> {
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
    let mut notes = calibration.notes;
    let staffing = declared_staffing(state, calibration.staffing, &mut notes).await?;
    Ok(Some(Baseline {
        scenario: calibration.baseline,
        notes,
        staffing,
        backtest: calibration.backtest,
        observed: calibration.observed,
    }))
}

/// The calibrated staffing with each service's clinicians taken from this year's
/// Transformation Plan where a provider declared them
/// (`nwd_domain::commissioning::transformation::staff_by_service`), the rest from the
/// directory; says which in `notes`. A record that no longer checks, or no plan for the year,
/// leaves the directory's.
async fn declared_staffing(
    state: &AppState,
    staffing: BTreeMap<String, Staffing>,
    notes: &mut Vec<String>,
) -> Result<BTreeMap<String, Staffing>, PageError> {
    use nwd_domain::commissioning::transformation::staff_by_service;
    use nwd_domain::commissioning::FinancialYear;
    let record = nwd_usecase::commissioning::current(&state.store)
        .await
        .map_err(PageError::staff)?;
    let Ok(plan) = record.plan else {
        return Ok(staffing);
    };
    let year = FinancialYear::of(state.store.now().to_zoned(state.store.tz().clone()).date());
    let declared: std::collections::HashMap<String, f64> = staff_by_service(&plan, year)
        .into_iter()
        .map(|(id, wte)| (id.to_string(), wte))
        .filter(|(id, _)| staffing.values().any(|s| &s.service_id == id))
        .collect();
    if declared.is_empty() {
        return Ok(staffing);
    }
    match nwd_sim::calibrate::with_declared_wte(&staffing, &declared) {
        Ok(with) => {
            notes.push(format!(
                "Clinicians (WTE) for {} service{} are the staff the providers declared in the {year} Transformation Plan; the others are the directory's.",
                declared.len(),
                if declared.len() == 1 { "" } else { "s" }
            ));
            Ok(with)
        }
        Err(problems) => {
            notes.push(format!(
                "The {year} Transformation Plan's staff declarations could not be used ({}); the directory's clinicians are shown.",
                problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
            ));
            Ok(staffing)
        }
    }
}

/// The simulator form, filled in with the calibrated baseline.
#[utoipa::path(get, path = "/commissioning/simulate", tag = "pages",
    responses((status = 200, description = "The what-if simulator", content_type = "text/html")))]
pub async fn form(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let (form, notes) = match baseline(&state).await? {
        Some(base) => (empty_form(&base.scenario, &base.staffing), base.notes),
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
    let Some(base) = baseline(&state).await? else {
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
    let notes = base.notes.clone();
    let (typed, request) = read_form(&form, &base.scenario, &base.staffing);
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
        let result = simulate(&job, &base, today);
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
    use nwd_sim::scenario::{
        ArrivalSpec, DistSpec, NodeKind, NodeSpec, Priority, RouteSpec, RunSpec,
    };

    use super::*;

    fn node(kind: NodeKind, servers: u32, routing: Vec<RouteSpec>) -> NodeSpec {
        NodeSpec {
            kind,
            label: None,
            servers,
            service: DistSpec::Exponential { mean: 10.0 },
            booking_lead: None,
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
                priority: Priority::Routine,
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
                            priority: None,
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
            &BTreeMap::new(),
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

    /// Capacity in clinicians (issue 20): with the directory's 4 WTE and 40 sessions a week
    /// at a team that held 12 young people at once, the form asks for WTE and sessions per
    /// WTE, shows the conversion, and 6 WTE at 10 sessions each become 18 caseload places.
    #[test]
    fn capacity_is_asked_in_clinicians_and_sessions() {
        let staffing = BTreeMap::from([(
            "community_cyp".to_owned(),
            Staffing {
                service_id: "s-community".into(),
                service: "Community CYP".into(),
                clinician_wte: 4.0,
                sessions_per_week: 40,
                places: 12,
            },
        )]);
        let form_now = empty_form(&base(), &staffing);
        let field = form_now.nodes[0].staffing.as_ref().unwrap();
        assert_eq!((field.wte.as_str(), field.sessions.as_str()), ("4", "10"));
        assert_eq!(
            field.conversion(),
            "Now 4 WTE × 10 sessions a week each = 40 sessions a week, which held up to 12 young people at once: 3.00 caseload places per WTE (0.30 per weekly session)"
        );
        let (_, request) = read_form(
            &form("reps=10&years=1&demand=0&wte-community_cyp=6&sessions-community_cyp=10&route-community_cyp=0"),
            &base(),
            &staffing,
        );
        assert_eq!(request.unwrap().scenario.nodes["community_cyp"].servers, 18);
        let (_, request) = read_form(
            &form("reps=10&years=1&demand=0&wte-community_cyp=-1&sessions-community_cyp=x&route-community_cyp=0"),
            &base(),
            &staffing,
        );
        let ids: Vec<String> = request.unwrap_err().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["wte-community_cyp", "sessions-community_cyp"]);
    }

    #[test]
    fn errors_name_the_field_and_cap_the_work() {
        let (_, request) = read_form(
            &form("reps=500&years=9&demand=x&servers-community_cyp=-1&route-community_cyp=0"),
            &base(),
            &BTreeMap::new(),
        );
        let ids: Vec<String> = request.unwrap_err().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["reps", "years", "demand", "servers-community_cyp"]);
        // Routing that sends more than everyone: the simulator's own check, on the field.
        let (_, request) = read_form(
            &form("reps=10&years=1&demand=0&servers-community_cyp=12&route-community_cyp=100"),
            &base(),
            &BTreeMap::new(),
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
            &BTreeMap::new(),
        );
        let base = Baseline {
            scenario: base(),
            notes: Vec::new(),
            staffing: BTreeMap::new(),
            backtest: base(),
            observed: Observed {
                nodes: BTreeMap::new(),
                referrals_within_standard: f64::NAN,
            },
        };
        let result = simulate(&request.unwrap(), &base, jiff::civil::date(2026, 1, 1)).unwrap();
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
        let shipped = include_str!("../../../../../config/standards.toml");
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
