//! Across replications: every statistic's mean with a 95 % confidence half-width (Student t
//! over the independent replications), the [`Report`] written as JSON, the flat table written
//! as CSV, and the side-by-side [`Comparison`] of two scenarios.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::analytic::{analyse, NodeAnalytic};
use crate::model::Model;
use crate::stats::{GroupStats, ReferralStats, RepStats};

mod compare;
mod estimate;
mod flat;

pub use compare::{compare, Comparison, ComparisonRow};
pub use estimate::{t_975, Estimate};
pub use flat::{flatten, keys, Key};

/// Everything a run produced, as written to JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// Replications run.
    pub replications: usize,
    /// Seed.
    pub seed: u64,
    /// Warm-up (days).
    pub warmup_days: f64,
    /// Observation window (days).
    pub observe_days: f64,
    /// Standard used for `within_standard` (days).
    pub standard_days: f64,
    /// Per node, keyed by name.
    pub nodes: BTreeMap<String, NodeReport>,
    /// Referral → first start.
    pub referrals: ReferralReport,
    /// Network-wide closed-form figures.
    pub network: NetworkAnalytic,
    /// Mean events and node visits per replication.
    pub per_replication: PerReplication,
}

/// One node's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeReport {
    /// All need groups together.
    #[serde(flatten)]
    pub total: GroupStats<Estimate>,
    /// Busy server-time / available server-time.
    pub utilisation: Estimate,
    /// Reneges per year by reason.
    pub reneges_by_reason: BTreeMap<String, Estimate>,
    /// Per need group.
    pub groups: BTreeMap<String, GroupStats<Estimate>>,
    /// Waiting list from day 0.
    pub snapshots: Vec<Snapshot>,
    /// Traffic equations, Erlang C, CAPA.
    pub analytic: NodeAnalytic,
}

/// The waiting list at one day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Snapshot {
    /// Day of the run.
    pub day: f64,
    /// Number waiting.
    pub list: Estimate,
}

/// Referral → first start, in total and per need group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferralReport {
    /// All groups.
    #[serde(flatten)]
    pub total: ReferralStats<Estimate>,
    /// Per need group at receipt.
    pub groups: BTreeMap<String, ReferralStats<Estimate>>,
}

/// Network-wide closed-form figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NetworkAnalytic {
    /// External referrals per year.
    pub referrals_per_year: f64,
    /// Node visits per referral by the traffic equations.
    pub visits_per_referral: f64,
}

/// Work per replication.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PerReplication {
    /// Events processed.
    pub events: f64,
    /// Node visits.
    pub node_visits: f64,
}

/// Summarises replications `reps` of `model` (run with `seed`).
pub fn summarise(model: &Model, reps: &[RepStats], seed: u64) -> Report {
    let estimate = |f: &dyn Fn(&RepStats) -> f64| Estimate::of(reps.iter().map(f));
    let analytic = analyse(model);
    let mut nodes = BTreeMap::new();
    for (n, node) in model.nodes.iter().enumerate() {
        let total = GroupStats::from_fn(|i| estimate(&|r| r.nodes[n].total.values()[i]));
        let groups = model
            .groups
            .iter()
            .enumerate()
            .map(|(g, name)| {
                let stats =
                    GroupStats::from_fn(|i| estimate(&|r| r.nodes[n].groups[g].values()[i]));
                (name.clone(), stats)
            })
            .collect();
        let reneges_by_reason = node
            .reneging
            .iter()
            .enumerate()
            .map(|(k, (reason, _))| {
                (
                    reason.clone(),
                    estimate(&|r| r.nodes[n].reneges_by_reason[k]),
                )
            })
            .collect();
        let count = reps.first().map_or(0, |r| r.snapshots[n].len());
        let snapshots = (0..count)
            .map(|k| Snapshot {
                day: k as f64 * model.run.snapshot_every,
                list: estimate(&|r| r.snapshots[n][k]),
            })
            .collect();
        let Some(node_analytic) = analytic.nodes.get(&node.name).cloned() else {
            continue;
        };
        nodes.insert(
            node.name.clone(),
            NodeReport {
                total,
                utilisation: estimate(&|r| r.nodes[n].utilisation),
                reneges_by_reason,
                groups,
                snapshots,
                analytic: node_analytic,
            },
        );
    }
    let referrals = ReferralReport {
        total: ReferralStats::from_fn(|i| estimate(&|r| r.referrals_total.values()[i])),
        groups: model
            .groups
            .iter()
            .enumerate()
            .map(|(g, name)| {
                (
                    name.clone(),
                    ReferralStats::from_fn(|i| estimate(&|r| r.referrals[g].values()[i])),
                )
            })
            .collect(),
    };
    let per = |f: &dyn Fn(&RepStats) -> u64| {
        reps.iter().map(|r| f(r) as f64).sum::<f64>() / reps.len().max(1) as f64
    };
    Report {
        scenario: model.scenario.name.clone(),
        replications: reps.len(),
        seed,
        warmup_days: model.run.warmup,
        observe_days: model.run.observe(),
        standard_days: model.run.standard,
        nodes,
        referrals,
        network: NetworkAnalytic {
            referrals_per_year: analytic.referrals_per_year,
            visits_per_referral: analytic.visits_per_referral,
        },
        per_replication: PerReplication {
            events: per(&|r| r.counts.events),
            node_visits: per(&|r| r.counts.node_visits),
        },
    }
}

/// The flat table of a run: one row per statistic with its estimate (for CSV).
pub fn table(model: &Model, reps: &[RepStats]) -> Vec<(Key, Estimate)> {
    let flat: Vec<Vec<f64>> = reps.iter().map(flatten).collect();
    keys(model)
        .into_iter()
        .enumerate()
        .map(|(i, k)| (k, Estimate::of(flat.iter().map(|f| f[i]))))
        .collect()
}
