//! The simulator's form: its fields from the baseline, and reading it back into a validated
//! [`Request`] with every invalid field named.

use super::{MAX_REPLICATIONS, MAX_YEARS};
use crate::form::FormData;
use crate::layout::FieldMessage;
use nwd_sim::scenario::NodeKind;
use nwd_sim::{Model, Scenario};
use std::collections::BTreeMap;

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
pub(super) fn label_of(node: &str) -> String {
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

pub(super) fn empty_form(scenario: &Scenario) -> SimulationForm {
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
pub(super) fn no_data_form() -> SimulationForm {
    SimulationForm {
        reps: "20".into(),
        years: "2".into(),
        demand: "0".into(),
        nodes: Vec::new(),
    }
}
