//! Checks of a scenario as a whole, each problem pushed with the path of its field: the need
//! groups, the run settings, names that must resolve to a node or a group ([`Names`]), and that
//! every (node, group) a visit can reach can leave (otherwise the traffic equations have no
//! solution).

use std::collections::BTreeMap;

use crate::error::FieldError;
use crate::scenario::Scenario;

use super::limits::{MAX_RUN_DAYS, MAX_SNAPSHOTS};
use super::{Node, Run, Stream, MAX_BINS, SUM_TOLERANCE};

pub(super) struct Names<'a> {
    pub(super) nodes: &'a BTreeMap<&'a str, usize>,
    pub(super) groups: &'a BTreeMap<&'a str, usize>,
    pub(super) group_count: usize,
}

impl Names<'_> {
    pub(super) fn node(
        &self,
        name: &str,
        path: &str,
        errors: &mut Vec<FieldError>,
    ) -> Option<usize> {
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

    pub(super) fn group(
        &self,
        name: &str,
        path: &str,
        errors: &mut Vec<FieldError>,
    ) -> Option<usize> {
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

pub(super) fn err(path: &str, message: &str) -> FieldError {
    FieldError {
        path: path.to_string(),
        message: message.to_string(),
    }
}

pub(super) fn check_groups(scenario: &Scenario, errors: &mut Vec<FieldError>) -> Vec<String> {
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

pub(super) fn check_run(scenario: &Scenario, errors: &mut Vec<FieldError>) -> Run {
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
    if let Some(m) = r.max_wait_days {
        check("max_wait_days", m, false);
    }
    let run_days = r.warmup_days + r.observe_days;
    let too_long = run_days > MAX_RUN_DAYS;
    if too_long {
        let field = if r.observe_days >= r.warmup_days {
            "observe_days"
        } else {
            "warmup_days"
        };
        errors.push(err(
            &format!("run.{field}"),
            &format!(
                "warmup_days + observe_days is {run_days} days: at most {MAX_RUN_DAYS} (a thousand years)"
            ),
        ));
    } else if r.snapshot_every_days > 0.0 && run_days / r.snapshot_every_days > MAX_SNAPSHOTS {
        errors.push(err(
            "run.snapshot_every_days",
            &format!(
                "{:.0} snapshots over {run_days} days is too many: at most {MAX_SNAPSHOTS} \
                 (make snapshot_every_days at least {})",
                run_days / r.snapshot_every_days,
                (run_days / MAX_SNAPSHOTS * 1000.0).ceil() / 1000.0,
            ),
        ));
    }
    let max_wait = r.max_wait_days.unwrap_or(r.observe_days);
    // A run refused as too long is not also told its (default) histogram is too fine.
    let wait_too_long = too_long && r.max_wait_days.is_none();
    if r.bin_days > 0.0 && !wait_too_long && max_wait / r.bin_days > MAX_BINS {
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

/// Every (node, group, priority) a visit can reach must be able to leave: otherwise the
/// network fills up for ever and the traffic equations have no solution. A visit keeps its
/// priority, so each lane ([`super::lane`]) is its own graph; the list and caseload at day 0
/// are routine.
pub(super) fn check_exits(
    scenario: &Scenario,
    nodes: &[Node],
    streams: &[Stream],
    groups: usize,
    errors: &mut Vec<FieldError>,
) {
    let lanes = 2 * groups;
    let states = nodes.len() * lanes;
    let id = |n: usize, l: usize| n * lanes + l;
    // A route keeps the visit's priority: from lane l to the lane of its group, same priority.
    let to_lane = |l: usize, group: usize| super::lane(group, l.is_multiple_of(2));
    let mut can_exit = vec![false; states];
    for (n, node) in nodes.iter().enumerate() {
        let leaves_otherwise = node
            .dna
            .as_ref()
            .is_some_and(|d| !d.requeue && d.rate > 0.0)
            || !node.reneging.is_empty();
        for l in 0..lanes {
            let total = node.routes[l].last().map_or(0.0, |r| r.cumulative);
            can_exit[id(n, l)] = leaves_otherwise || total < 1.0 - SUM_TOLERANCE;
        }
    }
    let mut changed = true;
    while changed {
        changed = false;
        for (n, node) in nodes.iter().enumerate() {
            for l in 0..lanes {
                if !can_exit[id(n, l)]
                    && node.routes[l]
                        .iter()
                        .any(|r| r.p > 0.0 && can_exit[id(r.to, to_lane(l, r.group))])
                {
                    can_exit[id(n, l)] = true;
                    changed = true;
                }
            }
        }
    }
    let mut reached = vec![false; states];
    let mut stack: Vec<usize> = streams
        .iter()
        .map(|s| id(s.node, super::lane(s.group, s.urgent)))
        .collect();
    for (n, node) in nodes.iter().enumerate() {
        stack.extend(
            node.initial
                .iter()
                .map(|i| id(n, super::lane(i.group, false))),
        );
        stack.extend(
            node.in_service
                .iter()
                .map(|(g, _, _)| id(n, super::lane(*g, false))),
        );
    }
    while let Some(s) = stack.pop() {
        if std::mem::replace(&mut reached[s], true) {
            continue;
        }
        let (n, l) = (s / lanes, s % lanes);
        stack.extend(
            nodes[n].routes[l]
                .iter()
                .filter(|r| r.p > 0.0)
                .map(|r| id(r.to, to_lane(l, r.group))),
        );
    }
    for (n, node) in nodes.iter().enumerate() {
        for g in 0..groups {
            let stuck = [true, false].into_iter().any(|urgent| {
                let s = id(n, super::lane(g, urgent));
                reached[s] && !can_exit[s]
            });
            if stuck {
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

pub(super) fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
