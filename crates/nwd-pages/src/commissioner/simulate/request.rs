//! The simulator's form: its fields from the baseline, and reading it back into a validated
//! [`Request`] with every invalid field named.

use super::{MAX_REPLICATIONS, MAX_YEARS};
use crate::form::FormData;
use crate::layout::FieldMessage;
use nwd_sim::calibrate::Staffing;
use nwd_sim::scenario::NodeKind;
use nwd_sim::{Model, Scenario};
use std::collections::BTreeMap;

/// A service node in the form.
#[derive(Debug, Clone)]
pub struct NodeField {
    /// Node name (the field ids are `wte-<name>`, `sessions-<name>` or `servers-<name>`, and
    /// `route-<name>`).
    pub name: String,
    /// Shown name: the service's name in the directory.
    pub label: String,
    /// Caseload places in the baseline.
    pub baseline_servers: u32,
    /// Caseload places as typed (asked only when the directory has no clinicians or sessions).
    pub servers: String,
    /// Capacity in clinicians and sessions, when the directory declares both.
    pub staffing: Option<StaffingField>,
    /// Routing change as typed (%).
    pub route: String,
    /// Whether triage routes to it (a routing change applies).
    pub routed_from_triage: bool,
}

/// A service's capacity asked in clinicians (WTE) and sessions, with the conversion to the
/// simulator's caseload places shown ([`nwd_sim::calibrate::Staffing`]).
#[derive(Debug, Clone)]
pub struct StaffingField {
    /// The directory's figures and the calibrated places.
    pub staffing: Staffing,
    /// Clinicians (WTE) as typed.
    pub wte: String,
    /// Sessions a week per WTE as typed.
    pub sessions: String,
}

impl StaffingField {
    /// Sessions a week per WTE in the directory.
    pub fn baseline_sessions_per_wte(&self) -> f64 {
        self.staffing.sessions_per_wte().unwrap_or(0.0)
    }

    /// The conversion, in words: `Now 4.5 WTE × 13.3 sessions a week each = 60 sessions a
    /// week, which held up to 23 young people at once: 5.11 caseload places per WTE (0.38 per
    /// weekly session)`.
    pub fn conversion(&self) -> String {
        let s = &self.staffing;
        format!(
            "Now {} WTE × {} sessions a week each = {} sessions a week, which held up to {} young people at once: {} caseload places per WTE ({} per weekly session)",
            decimal(s.clinician_wte),
            decimal(self.baseline_sessions_per_wte()),
            s.sessions_per_week,
            s.places,
            decimal2(s.places_per_wte().unwrap_or(0.0)),
            decimal2(s.places_per_session().unwrap_or(0.0)),
        )
    }
}

fn decimal(x: f64) -> String {
    let text = format!("{x:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
}

fn decimal2(x: f64) -> String {
    format!("{x:.2}")
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

/// A node's shown name: its label (the service's name in the directory), else its key made
/// readable.
pub(super) fn label_in(scenario: &Scenario, node: &str) -> String {
    if let Some(label) = scenario.nodes.get(node).and_then(|n| n.label.clone()) {
        return label;
    }
    let text = node.replace('_', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

pub(super) fn service_nodes(scenario: &Scenario) -> Vec<&str> {
    scenario
        .nodes
        .iter()
        .filter(|(_, n)| n.kind == NodeKind::Service)
        .map(|(name, _)| name.as_str())
        .collect()
}

pub(super) fn triage_node(scenario: &Scenario) -> Option<&str> {
    scenario
        .nodes
        .iter()
        .find(|(_, n)| n.kind == NodeKind::Triage)
        .map(|(name, _)| name.as_str())
}

pub(super) fn empty_form(
    scenario: &Scenario,
    staffing: &BTreeMap<String, Staffing>,
) -> SimulationForm {
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
                let staffing = staffing
                    .get(name)
                    .filter(|s| s.sessions_per_wte().is_some() && s.places == servers)
                    .map(|s| StaffingField {
                        staffing: s.clone(),
                        wte: decimal(s.clinician_wte),
                        sessions: decimal(s.sessions_per_wte().unwrap_or(0.0)),
                    });
                NodeField {
                    name: name.to_owned(),
                    label: label_in(scenario, name),
                    baseline_servers: servers,
                    servers: servers.to_string(),
                    staffing,
                    route: "0".into(),
                    routed_from_triage: routed.contains(&name),
                }
            })
            .collect(),
    }
}

/// A number from `low` to `high` (decimals allowed), or a message naming what is allowed.
pub(super) fn amount(
    text: &str,
    id: &str,
    what: &str,
    (low, high): (f64, f64),
    errors: &mut Vec<FieldMessage>,
) -> Option<f64> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (low..=high).contains(&v) => Some(v),
        _ => {
            errors.push(FieldMessage::new(
                id,
                format!("Enter {what} as a number from {low} to {high}"),
            ));
            None
        }
    }
}

/// A whole number in `range`, or a message naming what is allowed.
pub(super) fn whole(
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
    staffing: &BTreeMap<String, Staffing>,
) -> (SimulationForm, Result<Request, Vec<FieldMessage>>) {
    let mut typed = empty_form(base, staffing);
    typed.reps = form.first("reps").to_owned();
    typed.years = form.first("years").to_owned();
    typed.demand = form.first("demand").to_owned();
    for node in &mut typed.nodes {
        match &mut node.staffing {
            Some(field) => {
                field.wte = form.first(&format!("wte-{}", node.name)).to_owned();
                field.sessions = form.first(&format!("sessions-{}", node.name)).to_owned();
            }
            None => node.servers = form.first(&format!("servers-{}", node.name)).to_owned(),
        }
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
        match &node.staffing {
            Some(field) => {
                let wte = amount(
                    &field.wte,
                    &format!("wte-{}", node.name),
                    &format!("the clinicians (WTE) at {}", node.label),
                    (0.0, 1000.0),
                    &mut errors,
                );
                let sessions = amount(
                    &field.sessions,
                    &format!("sessions-{}", node.name),
                    &format!("the sessions a week per WTE at {}", node.label),
                    (0.0, 60.0),
                    &mut errors,
                );
                if let (Some(wte), Some(sessions)) = (wte, sessions) {
                    if let Some(places) = field.staffing.places_for(wte, sessions) {
                        servers.insert(node.name.clone(), places);
                    }
                }
            }
            None => {
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
            }
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

pub(super) fn plain(message: &str) -> String {
    let mut text = message.to_owned();
    if let Some(first) = text.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    text
}

/// The form field a simulator error's path belongs to.
pub(super) fn field_for(path: &str, form: &SimulationForm) -> String {
    let mut parts = path.split('.');
    if parts.next() == Some("nodes") {
        if let Some(node) = parts.next() {
            if let Some(field) = form.nodes.iter().find(|n| n.name == node) {
                return match field.staffing {
                    Some(_) => format!("wte-{node}"),
                    None => format!("servers-{node}"),
                };
            }
            // Routing out of triage: the first routing field.
            if let Some(first) = form.nodes.iter().find(|n| n.routed_from_triage) {
                return format!("route-{}", first.name);
            }
        }
    }
    "demand".to_owned()
}
pub(super) fn no_data_form() -> SimulationForm {
    SimulationForm {
        reps: "20".into(),
        years: "2".into(),
        demand: "0".into(),
        nodes: Vec::new(),
    }
}
