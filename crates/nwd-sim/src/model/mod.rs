//! The validated, compiled model the engine runs: names replaced by indices, probabilities
//! turned into cumulative tables, distributions built, profiles normalised. [`Model::new`] is
//! the only way to get one, and it checks everything [`Scenario`] cannot express in types,
//! collecting every problem with the path of its field.

use std::collections::BTreeMap;

use crate::dist::Dist;
use crate::error::ScenarioErrors;
use crate::scenario::Scenario;

mod arrivals;
mod check;
pub mod limits;
mod nodes;

use arrivals::{compile_arrivals, compile_profile};
use check::{check_exits, check_groups, check_run, err, Names};
use nodes::compile_node;

/// Days in a year: rates in scenario files are per Julian year of 365.25 days.
pub const DAYS_PER_YEAR: f64 = 365.25;

/// Routing probabilities out of a node may exceed 1 by this much (rounding in files).
const SUM_TOLERANCE: f64 = 1e-9;

/// The most histogram bins one (node, group) may have (observe_days / bin_days).
const MAX_BINS: f64 = 2_000_000.0;

/// A scenario that passed validation, ready to run.
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) scenario: Scenario,
    pub(crate) groups: Vec<String>,
    pub(crate) nodes: Vec<Node>,
    pub(crate) processes: Vec<Process>,
    pub(crate) streams: Vec<Stream>,
    pub(crate) run: Run,
}

#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub warmup: f64,
    pub end: f64,
    pub snapshot_every: f64,
    pub standard: f64,
    pub bin: f64,
    /// Span of the wait histograms.
    pub max_wait: f64,
}

impl Run {
    pub fn observe(&self) -> f64 {
        self.end - self.warmup
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub name: String,
    pub triage: bool,
    pub service: Dist,
    /// Booking lead before a visit joins the queue.
    pub lead: Option<Dist>,
    /// Per lane (need group and priority, [`lane`]), the routing rules with cumulative
    /// probabilities.
    pub routes: Vec<Vec<Route>>,
    pub dna: Option<Dna>,
    pub reneging: Vec<(String, Dist)>,
    /// Capacity changes, the first at day 0.
    pub capacity: Vec<(f64, u32)>,
    pub repeat: Option<f64>,
    pub initial: Vec<Initial>,
    /// (group, count, days already in service — empty, or one per person).
    pub in_service: Vec<(usize, u32, Vec<f64>)>,
}

/// The lane of a visit of group `g`: its routing table at every node. Urgent and routine
/// visits of a group route apart (a priority never changes), so the lanes are `2g` (urgent)
/// and `2g + 1` (routine).
pub(crate) fn lane(g: usize, urgent: bool) -> usize {
    2 * g + usize::from(!urgent)
}

impl Node {
    /// The routing rules for a visit of group `g` and its priority.
    pub(crate) fn routes_of(&self, g: usize, urgent: bool) -> &[Route] {
        &self.routes[lane(g, urgent)]
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Route {
    pub cumulative: f64,
    pub p: f64,
    pub to: usize,
    pub group: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Dna {
    pub rate: f64,
    pub requeue: bool,
    pub slot: Option<Dist>,
}

#[derive(Debug, Clone)]
pub(crate) struct Initial {
    pub group: usize,
    pub waited: Waited,
}

#[derive(Debug, Clone)]
pub(crate) enum Waited {
    Exact(Vec<f64>),
    Drawn(u32, Dist),
}

/// Arrival streams sharing one profile, simulated as one Poisson process (a superposition of
/// Poisson processes with proportional rates is Poisson; each arrival's stream is then drawn
/// in proportion to the rates).
#[derive(Debug, Clone)]
pub(crate) struct Process {
    pub profile: Option<Profile>,
    /// Sum of the streams' mean rates (per day).
    pub rate: f64,
    pub streams: Vec<usize>,
    /// Cumulative share of `rate`, one per stream.
    pub cumulative: Vec<f64>,
}

#[derive(Debug, Clone)]
pub(crate) struct Stream {
    pub group: usize,
    pub node: usize,
    /// Urgent referrals: queued before routine ones at every node.
    pub urgent: bool,
    /// Mean rate per day.
    pub rate: f64,
}

#[derive(Debug, Clone)]
pub(crate) struct Profile {
    pub weekly: [f64; 7],
    /// (from day, factor), the first at 0.
    pub seasonal: Vec<(f64, f64)>,
    pub year: f64,
}

impl Profile {
    /// The rate multiplier in force at day `t` (time average 1) and the day it next changes
    /// (the next midnight or the next seasonal boundary, whichever comes first; always > `t`).
    /// The multiplier is piecewise constant, so arrivals can be drawn by inverting its integral
    /// segment by segment.
    #[inline]
    pub fn segment(&self, t: f64) -> (f64, f64) {
        let midnight = t.floor();
        let day = (midnight as i64).rem_euclid(7) as usize;
        let mut until = midnight + 1.0;
        let mut seasonal = 1.0;
        if !self.seasonal.is_empty() {
            let in_year = t.rem_euclid(self.year);
            let i = self.seasonal.partition_point(|(from, _)| *from <= in_year);
            seasonal = self
                .seasonal
                .get(i.wrapping_sub(1))
                .map_or(1.0, |(_, f)| *f);
            let next = self.seasonal.get(i).map_or(self.year, |(from, _)| *from);
            until = until.min(t - in_year + next);
        }
        if until <= t {
            // Rounding at a boundary: step past it (t ≥ 0, so the next float is the next bits).
            until = f64::from_bits(t.max(0.0).to_bits() + 1);
        }
        (self.weekly[day] * seasonal, until)
    }
}

impl Model {
    /// Validates and compiles a scenario. Every problem is reported, each with its field path.
    pub fn new(scenario: &Scenario) -> Result<Model, ScenarioErrors> {
        let mut errors = Vec::new();
        let groups = check_groups(scenario, &mut errors);
        let run = check_run(scenario, &mut errors);
        let node_index: BTreeMap<&str, usize> = scenario
            .nodes
            .keys()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let mut group_index: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, g) in groups.iter().enumerate() {
            group_index.entry(g.as_str()).or_insert(i);
        }
        let names = Names {
            nodes: &node_index,
            groups: &group_index,
            group_count: groups.len(),
        };
        if scenario.nodes.is_empty() {
            errors.push(err("nodes", "the network needs at least one node"));
        }
        if scenario.nodes.len() > usize::from(u16::MAX) {
            errors.push(err("nodes", "at most 65535 nodes"));
        }
        let nodes: Vec<Node> = scenario
            .nodes
            .iter()
            .filter_map(|(name, spec)| compile_node(name, spec, &names, &mut errors))
            .collect();
        let profiles: BTreeMap<&str, Profile> = scenario
            .profiles
            .iter()
            .filter_map(|(name, spec)| {
                compile_profile(&format!("profiles.{name}"), spec, &mut errors)
                    .map(|p| (name.as_str(), p))
            })
            .collect();
        let (streams, processes) = compile_arrivals(scenario, &names, &profiles, &mut errors);
        if errors.is_empty() {
            check_exits(scenario, &nodes, &streams, groups.len(), &mut errors);
        }
        if !errors.is_empty() {
            return Err(ScenarioErrors(errors));
        }
        Ok(Model {
            scenario: scenario.clone(),
            groups,
            nodes,
            processes,
            streams,
            run,
        })
    }

    /// The scenario this model was built from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Need-group names, in index order.
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// Node names, in index order (alphabetical, as in the scenario's table).
    pub fn node_names(&self) -> impl Iterator<Item = &str> {
        self.nodes.iter().map(|n| n.name.as_str())
    }

    /// Servers at node `node` at day `t`.
    pub(crate) fn servers_at(&self, node: usize, t: f64) -> u32 {
        let n = &self.nodes[node];
        let t = match n.repeat {
            Some(period) => t.rem_euclid(period),
            None => t,
        };
        let i = n.capacity.partition_point(|(day, _)| *day <= t);
        n.capacity.get(i.wrapping_sub(1)).map_or(0, |(_, c)| *c)
    }

    /// Time-average servers at `node` over the observation window (exact for the schedule).
    pub(crate) fn mean_servers(&self, node: usize) -> f64 {
        let n = &self.nodes[node];
        let (from, to) = (self.run.warmup, self.run.end);
        let mut change_days: Vec<f64> = match n.repeat {
            None => n.capacity.iter().map(|(d, _)| *d).collect(),
            Some(period) => {
                let first_cycle = (from / period).floor() as i64;
                let last_cycle = (to / period).ceil() as i64;
                (first_cycle..=last_cycle)
                    .flat_map(|k| n.capacity.iter().map(move |(d, _)| k as f64 * period + d))
                    .collect()
            }
        };
        change_days.retain(|d| *d > from && *d < to);
        change_days.push(to);
        let mut area = 0.0;
        let mut last = from;
        for d in change_days {
            area += f64::from(self.servers_at(node, last)) * (d - last);
            last = d;
        }
        area / (to - from)
    }
}
