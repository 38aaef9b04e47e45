//! The validated, compiled model the engine runs: names replaced by indices, probabilities
//! turned into cumulative tables, distributions built, profiles normalised. [`Model::new`] is
//! the only way to get one, and it checks everything [`Scenario`] cannot express in types,
//! collecting every problem with the path of its field.

use std::collections::BTreeMap;

use crate::dist::Dist;
use crate::error::{FieldError, ScenarioErrors};
use crate::scenario::{DnaAction, InitialSpec, NodeKind, NodeSpec, ProfileSpec, Scenario};

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
    /// Per need group, the routing rules with cumulative probabilities.
    pub routes: Vec<Vec<Route>>,
    pub dna: Option<Dna>,
    pub reneging: Vec<(String, Dist)>,
    /// Capacity changes, the first at day 0.
    pub capacity: Vec<(f64, u32)>,
    pub repeat: Option<f64>,
    pub initial: Vec<Initial>,
    pub in_service: Vec<(usize, u32)>,
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

struct Names<'a> {
    nodes: &'a BTreeMap<&'a str, usize>,
    groups: &'a BTreeMap<&'a str, usize>,
    group_count: usize,
}

impl Names<'_> {
    fn node(&self, name: &str, path: &str, errors: &mut Vec<FieldError>) -> Option<usize> {
        let found = self.nodes.get(name).copied();
        if found.is_none() {
            let known: Vec<&str> = self.nodes.keys().copied().collect();
            errors.push(err(
                path,
                &format!("unknown node \"{name}\" (nodes: {})", known.join(", ")),
            ));
        }
        found
    }

    fn group(&self, name: &str, path: &str, errors: &mut Vec<FieldError>) -> Option<usize> {
        let found = self.groups.get(name).copied();
        if found.is_none() {
            let known: Vec<&str> = self.groups.keys().copied().collect();
            errors.push(err(
                path,
                &format!(
                    "unknown need group \"{name}\" (groups: {})",
                    known.join(", ")
                ),
            ));
        }
        found
    }
}

fn err(path: &str, message: &str) -> FieldError {
    FieldError {
        path: path.to_string(),
        message: message.to_string(),
    }
}

fn check_groups(scenario: &Scenario, errors: &mut Vec<FieldError>) -> Vec<String> {
    if scenario.groups.is_empty() {
        errors.push(err("groups", "list at least one need group"));
    }
    if scenario.groups.len() > 255 {
        errors.push(err("groups", "at most 255 need groups"));
    }
    for (i, g) in scenario.groups.iter().enumerate() {
        if g.trim().is_empty() {
            errors.push(err(&format!("groups[{i}]"), "must not be empty"));
        }
        if scenario.groups[..i].contains(g) {
            errors.push(err(
                &format!("groups[{i}]"),
                &format!("\"{g}\" is listed twice"),
            ));
        }
    }
    scenario.groups.clone()
}

fn check_run(scenario: &Scenario, errors: &mut Vec<FieldError>) -> Run {
    let r = &scenario.run;
    let mut check = |field: &str, value: f64, allow_zero: bool| {
        let ok = value.is_finite() && (value > 0.0 || (allow_zero && value == 0.0));
        if !ok {
            let bound = if allow_zero { "≥ 0" } else { "> 0" };
            errors.push(err(
                &format!("run.{field}"),
                &format!("must be a number {bound} (got {value})"),
            ));
        }
    };
    check("warmup_days", r.warmup_days, true);
    check("observe_days", r.observe_days, false);
    check("snapshot_every_days", r.snapshot_every_days, false);
    check("standard_days", r.standard_days, true);
    check("bin_days", r.bin_days, false);
    let max_wait = r.max_wait_days.unwrap_or(r.observe_days);
    if let Some(m) = r.max_wait_days {
        check("max_wait_days", m, false);
    }
    if r.bin_days > 0.0 && max_wait / r.bin_days > MAX_BINS {
        errors.push(err(
            "run.bin_days",
            &format!(
                "{:.0} bins over {max_wait} days of wait is too fine: at most {MAX_BINS} bins \
                 (make bin_days larger or set max_wait_days)",
                max_wait / r.bin_days,
            ),
        ));
    }
    Run {
        warmup: r.warmup_days,
        end: r.warmup_days + r.observe_days,
        snapshot_every: r.snapshot_every_days,
        standard: r.standard_days,
        bin: r.bin_days,
        max_wait,
    }
}

fn compile_node(
    name: &str,
    spec: &NodeSpec,
    names: &Names<'_>,
    errors: &mut Vec<FieldError>,
) -> Option<Node> {
    let before = errors.len();
    let path = format!("nodes.{name}");
    let service = Dist::compile(&spec.service, &format!("{path}.service"), errors);
    let groups = names.group_count;

    // Routing: resolve names, then per group the rules naming it plus the rules naming none.
    let mut rules = Vec::new();
    for (i, r) in spec.routing.iter().enumerate() {
        let rp = format!("{path}.routing[{i}]");
        let to = names.node(&r.to, &format!("{rp}.to"), errors);
        let group = r
            .group
            .as_ref()
            .map(|g| names.group(g, &format!("{rp}.group"), errors));
        let becomes = r
            .becomes
            .as_ref()
            .map(|g| names.group(g, &format!("{rp}.becomes"), errors));
        if !(r.p.is_finite() && (0.0..=1.0).contains(&r.p)) {
            errors.push(err(
                &format!("{rp}.p"),
                &format!("must be a probability between 0 and 1 (got {})", r.p),
            ));
        }
        if let (Some(to), Some(group), Some(becomes)) = (
            to,
            group.unwrap_or(Some(usize::MAX)),
            becomes.unwrap_or(Some(usize::MAX)),
        ) {
            rules.push((to, group, becomes, r.p));
        }
    }
    let mut routes = vec![Vec::new(); groups];
    for (g, table) in routes.iter_mut().enumerate() {
        let mut cumulative = 0.0;
        for &(to, group, becomes, p) in &rules {
            if group != usize::MAX && group != g {
                continue;
            }
            cumulative += p;
            table.push(Route {
                cumulative,
                p,
                to,
                group: if becomes == usize::MAX { g } else { becomes },
            });
        }
        if cumulative > 1.0 + SUM_TOLERANCE {
            let group_name = names
                .groups
                .iter()
                .find(|(_, i)| **i == g)
                .map_or("", |(n, _)| n);
            errors.push(err(
                &format!("{path}.routing"),
                &format!(
                    "probabilities for group {group_name} sum to {}, must be ≤ 1",
                    round(cumulative)
                ),
            ));
        }
    }

    let dna = spec.dna.as_ref().and_then(|d| {
        if !(d.rate.is_finite() && (0.0..1.0).contains(&d.rate)) {
            errors.push(err(
                &format!("{path}.dna.rate"),
                &format!("must be at least 0 and below 1 (got {})", d.rate),
            ));
        }
        let slot = match &d.slot {
            Some(s) => Some(Dist::compile(s, &format!("{path}.dna.slot"), errors)?),
            None => None,
        };
        Some(Dna {
            rate: d.rate,
            requeue: d.then == DnaAction::Requeue,
            slot,
        })
    });

    let mut reneging = Vec::new();
    for (i, r) in spec.reneging.iter().enumerate() {
        let rp = format!("{path}.reneging[{i}]");
        if r.reason.trim().is_empty() {
            errors.push(err(&format!("{rp}.reason"), "must not be empty"));
        }
        if let Some(d) = Dist::compile(&r.patience, &format!("{rp}.patience"), errors) {
            reneging.push((r.reason.clone(), d));
        }
    }
    if reneging.len() > usize::from(u16::MAX) {
        errors.push(err(&format!("{path}.reneging"), "at most 65535 reasons"));
    }

    let capacity = compile_capacity(&path, spec, errors);
    if capacity.len() > 1 << 28 {
        errors.push(err(&format!("{path}.capacity"), "at most 2^28 changes"));
    }

    let mut initial = Vec::new();
    for (i, entry) in spec.initial.iter().enumerate() {
        if let Some(x) = compile_initial(&format!("{path}.initial[{i}]"), entry, names, errors) {
            initial.push(x);
        }
    }
    let mut in_service = Vec::new();
    let mut total_in_service = 0u64;
    for (i, entry) in spec.initial_in_service.iter().enumerate() {
        let rp = format!("{path}.initial_in_service[{i}]");
        if let Some(g) = names.group(&entry.group, &format!("{rp}.group"), errors) {
            in_service.push((g, entry.count));
        }
        total_in_service += u64::from(entry.count);
    }
    let servers0 = capacity.first().map_or(spec.servers, |(_, c)| *c);
    if total_in_service > u64::from(servers0) {
        errors.push(err(
            &format!("{path}.initial_in_service"),
            &format!("{total_in_service} in service at day 0 but only {servers0} servers"),
        ));
    }

    if errors.len() != before {
        return None;
    }
    Some(Node {
        name: name.to_string(),
        triage: spec.kind == NodeKind::Triage,
        service: service?,
        routes,
        dna,
        reneging,
        capacity,
        repeat: spec.capacity_repeat_days,
        initial,
        in_service,
    })
}

fn compile_capacity(path: &str, spec: &NodeSpec, errors: &mut Vec<FieldError>) -> Vec<(f64, u32)> {
    if let Some(period) = spec.capacity_repeat_days {
        if !(period.is_finite() && period > 0.0) {
            errors.push(err(
                &format!("{path}.capacity_repeat_days"),
                &format!("must be a number > 0 (got {period})"),
            ));
        }
    }
    let mut capacity = vec![(0.0, spec.servers)];
    let mut last = f64::NEG_INFINITY;
    for (i, c) in spec.capacity.iter().enumerate() {
        let rp = format!("{path}.capacity[{i}].day");
        if !(c.day.is_finite() && c.day >= 0.0) {
            errors.push(err(&rp, &format!("must be a number ≥ 0 (got {})", c.day)));
        } else if c.day <= last {
            errors.push(err(
                &rp,
                &format!("days must increase (day {} follows day {last})", c.day),
            ));
        } else if spec.capacity_repeat_days.is_some_and(|p| c.day >= p) {
            errors.push(err(
                &rp,
                &format!("must be below capacity_repeat_days (got {})", c.day),
            ));
        }
        last = c.day;
        if c.day == 0.0 {
            capacity[0] = (0.0, c.servers);
        } else {
            capacity.push((c.day, c.servers));
        }
    }
    capacity
}

fn compile_initial(
    path: &str,
    entry: &InitialSpec,
    names: &Names<'_>,
    errors: &mut Vec<FieldError>,
) -> Option<Initial> {
    let group = names.group(&entry.group, &format!("{path}.group"), errors);
    let waited = match (&entry.waited_days[..], entry.count, &entry.waited) {
        (days, None, None) => {
            for (i, d) in days.iter().enumerate() {
                if !(d.is_finite() && *d >= 0.0) {
                    errors.push(err(
                        &format!("{path}.waited_days[{i}]"),
                        &format!("must be a number ≥ 0 (got {d})"),
                    ));
                }
            }
            Some(Waited::Exact(days.to_vec()))
        }
        ([], Some(count), Some(dist)) => {
            Dist::compile(dist, &format!("{path}.waited"), errors).map(|d| Waited::Drawn(count, d))
        }
        _ => {
            errors.push(err(
                path,
                "give either waited_days (one per person) or count with waited (a distribution)",
            ));
            None
        }
    };
    Some(Initial {
        group: group?,
        waited: waited?,
    })
}

fn compile_profile(
    path: &str,
    spec: &ProfileSpec,
    errors: &mut Vec<FieldError>,
) -> Option<Profile> {
    let before = errors.len();
    let mut weekly = [1.0; 7];
    if let Some(w) = &spec.weekly {
        if w.len() != 7 {
            errors.push(err(
                &format!("{path}.weekly"),
                &format!("needs 7 values, one per day (got {})", w.len()),
            ));
        } else if w.iter().any(|x| !(x.is_finite() && *x >= 0.0)) || w.iter().sum::<f64>() <= 0.0 {
            errors.push(err(
                &format!("{path}.weekly"),
                "values must be numbers ≥ 0, not all 0",
            ));
        } else {
            let mean = w.iter().sum::<f64>() / 7.0;
            for (slot, x) in weekly.iter_mut().zip(w) {
                *slot = x / mean;
            }
        }
    }
    let year = spec.year_days.unwrap_or(DAYS_PER_YEAR);
    if !(year.is_finite() && year > 0.0) {
        errors.push(err(
            &format!("{path}.year_days"),
            &format!("must be a number > 0 (got {year})"),
        ));
    }
    let mut seasonal: Vec<(f64, f64)> = Vec::new();
    for (i, s) in spec.seasonal.iter().enumerate() {
        let sp = format!("{path}.seasonal[{i}]");
        if i == 0 && s.from_day != 0.0 {
            errors.push(err(
                &format!("{sp}.from_day"),
                &format!("the first period must start at day 0 (got {})", s.from_day),
            ));
        }
        if let Some((last, _)) = seasonal.last() {
            if s.from_day <= *last || s.from_day >= year {
                errors.push(err(
                    &format!("{sp}.from_day"),
                    &format!("must increase and stay below {year} (got {})", s.from_day),
                ));
            }
        }
        if !(s.factor.is_finite() && s.factor >= 0.0) {
            errors.push(err(
                &format!("{sp}.factor"),
                &format!("must be a number ≥ 0 (got {})", s.factor),
            ));
        }
        seasonal.push((s.from_day, s.factor));
    }
    if errors.len() != before {
        return None;
    }
    if !seasonal.is_empty() {
        let mut area = 0.0;
        for (i, (from, f)) in seasonal.iter().enumerate() {
            let to = seasonal.get(i + 1).map_or(year, |(d, _)| *d);
            area += f * (to - from);
        }
        if area <= 0.0 {
            errors.push(err(
                &format!("{path}.seasonal"),
                "factors must not all be 0",
            ));
            return None;
        }
        let mean = area / year;
        for (_, f) in &mut seasonal {
            *f /= mean;
        }
    }
    Some(Profile {
        weekly,
        seasonal,
        year,
    })
}

fn compile_arrivals(
    scenario: &Scenario,
    names: &Names<'_>,
    profiles: &BTreeMap<&str, Profile>,
    errors: &mut Vec<FieldError>,
) -> (Vec<Stream>, Vec<Process>) {
    let triage: Vec<&str> = scenario
        .nodes
        .iter()
        .filter(|(_, n)| n.kind == NodeKind::Triage)
        .map(|(k, _)| k.as_str())
        .collect();
    let mut streams = Vec::new();
    let mut by_profile: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for (i, a) in scenario.arrivals.iter().enumerate() {
        let path = format!("arrivals[{i}]");
        let group = names.group(&a.group, &format!("{path}.group"), errors);
        if !(a.per_year.is_finite() && a.per_year >= 0.0) {
            errors.push(err(
                &format!("{path}.per_year"),
                &format!("must be a number ≥ 0 (got {})", a.per_year),
            ));
        }
        let node = match (&a.to, triage.as_slice()) {
            (Some(to), _) => names.node(to, &format!("{path}.to"), errors),
            (None, [one]) => names.nodes.get(one).copied(),
            (None, []) => {
                errors.push(err(
                    &format!("{path}.to"),
                    "no node is of kind \"triage\": name the node referrals arrive at",
                ));
                None
            }
            (None, _) => {
                errors.push(err(
                    &format!("{path}.to"),
                    "more than one triage node: name the node referrals arrive at",
                ));
                None
            }
        };
        let profile = a.profile.as_deref();
        if let Some(p) = profile {
            if !scenario.profiles.contains_key(p) {
                let known: Vec<&str> = scenario.profiles.keys().map(String::as_str).collect();
                errors.push(err(
                    &format!("{path}.profile"),
                    &format!("unknown profile \"{p}\" (profiles: {})", known.join(", ")),
                ));
            }
        }
        if let (Some(group), Some(node)) = (group, node) {
            by_profile.entry(profile).or_default().push(streams.len());
            streams.push(Stream {
                group,
                node,
                rate: a.per_year.max(0.0) / DAYS_PER_YEAR,
            });
        }
    }
    let processes = by_profile
        .into_iter()
        .filter_map(|(profile, members)| {
            let rate: f64 = members.iter().map(|&s| streams[s].rate).sum();
            if rate <= 0.0 {
                return None;
            }
            let mut running = 0.0;
            let cumulative = members
                .iter()
                .map(|&s| {
                    running += streams[s].rate / rate;
                    running
                })
                .collect();
            Some(Process {
                profile: profile.and_then(|p| profiles.get(p).cloned()),
                rate,
                streams: members,
                cumulative,
            })
        })
        .collect();
    (streams, processes)
}

/// Every (node, group) a visit can reach must be able to leave: otherwise the network fills up
/// for ever and the traffic equations have no solution.
fn check_exits(
    scenario: &Scenario,
    nodes: &[Node],
    streams: &[Stream],
    groups: usize,
    errors: &mut Vec<FieldError>,
) {
    let states = nodes.len() * groups;
    let id = |n: usize, g: usize| n * groups + g;
    let mut can_exit = vec![false; states];
    for (n, node) in nodes.iter().enumerate() {
        let leaves_otherwise = node
            .dna
            .as_ref()
            .is_some_and(|d| !d.requeue && d.rate > 0.0)
            || !node.reneging.is_empty();
        for g in 0..groups {
            let total = node.routes[g].last().map_or(0.0, |r| r.cumulative);
            can_exit[id(n, g)] = leaves_otherwise || total < 1.0 - SUM_TOLERANCE;
        }
    }
    let mut changed = true;
    while changed {
        changed = false;
        for (n, node) in nodes.iter().enumerate() {
            for g in 0..groups {
                if !can_exit[id(n, g)]
                    && node.routes[g]
                        .iter()
                        .any(|r| r.p > 0.0 && can_exit[id(r.to, r.group)])
                {
                    can_exit[id(n, g)] = true;
                    changed = true;
                }
            }
        }
    }
    let mut reached = vec![false; states];
    let mut stack: Vec<usize> = streams.iter().map(|s| id(s.node, s.group)).collect();
    for (n, node) in nodes.iter().enumerate() {
        stack.extend(node.initial.iter().map(|i| id(n, i.group)));
        stack.extend(node.in_service.iter().map(|(g, _)| id(n, *g)));
    }
    while let Some(s) = stack.pop() {
        if std::mem::replace(&mut reached[s], true) {
            continue;
        }
        let (n, g) = (s / groups, s % groups);
        stack.extend(
            nodes[n].routes[g]
                .iter()
                .filter(|r| r.p > 0.0)
                .map(|r| id(r.to, r.group)),
        );
    }
    for (n, node) in nodes.iter().enumerate() {
        for g in 0..groups {
            if reached[id(n, g)] && !can_exit[id(n, g)] {
                errors.push(err(
                    &format!("nodes.{}.routing", node.name),
                    &format!(
                        "visits of group {} can never leave the network: every route from here \
                         leads back with probability 1 (let some probability go unrouted, i.e. discharged)",
                        scenario.groups[g]
                    ),
                ));
            }
        }
    }
}

fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
