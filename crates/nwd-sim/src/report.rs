//! Across replications: every statistic's mean with a 95 % confidence half-width (Student t
//! over the independent replications), the [`Report`] written as JSON, the flat table written
//! as CSV, and the side-by-side [`Comparison`] of two scenarios.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::analytic::{analyse, NodeAnalytic};
use crate::model::Model;
use crate::stats::{GroupStats, ReferralStats, RepStats};

/// A mean over replications with its 95 % confidence half-width. Undefined replications (a
/// group with no visits, say) are left out; `n` counts the rest. Serialised as
/// `{"mean": …, "hw": …}`, `null` where not a finite number (no replication defined it, fewer
/// than two for `hw`, or a quantile beyond the run for `mean`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// Mean over replications.
    pub mean: f64,
    /// Half-width of the 95 % confidence interval.
    pub hw: f64,
    /// Replications that defined the statistic.
    pub n: usize,
    /// Standard deviation over replications.
    pub sd: f64,
}

impl Serialize for Estimate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let finite = |x: f64| x.is_finite().then_some(x);
        let mut s = serializer.serialize_struct("Estimate", 2)?;
        s.serialize_field("mean", &finite(self.mean))?;
        s.serialize_field("hw", &finite(self.hw))?;
        s.end()
    }
}

impl Estimate {
    /// Mean, standard deviation and t-based half-width of the defined (non-NaN) values.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Estimate {
        let values: Vec<f64> = values.into_iter().filter(|v| !v.is_nan()).collect();
        let n = values.len();
        if n == 0 {
            return Estimate {
                mean: f64::NAN,
                hw: f64::NAN,
                n,
                sd: f64::NAN,
            };
        }
        let mean = values.iter().sum::<f64>() / n as f64;
        if n < 2 || !mean.is_finite() {
            return Estimate {
                mean,
                hw: f64::NAN,
                n,
                sd: f64::NAN,
            };
        }
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
        let sd = var.sqrt();
        Estimate {
            mean,
            hw: t_975(n - 1) * sd / (n as f64).sqrt(),
            n,
            sd,
        }
    }
}

/// Two-sided 95 % quantile of Student's t with `df` degrees of freedom (its 0.975 quantile).
/// Exact table values to three decimals for df ≤ 30 (e.g. NIST/SEMATECH e-Handbook of
/// Statistical Methods, §1.3.6.7.2); above, the Cornish–Fisher expansion of Abramowitz and
/// Stegun 26.7.5 (error below 1e-4 from df 30).
pub fn t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    if df == 0 {
        return f64::NAN;
    }
    if df <= 30 {
        return TABLE[df - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let v = df as f64;
    let g1 = (z.powi(3) + z) / 4.0;
    let g2 = (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / 96.0;
    let g3 = (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / 384.0;
    let g4 = (79.0 * z.powi(9) + 776.0 * z.powi(7) + 1482.0 * z.powi(5)
        - 1920.0 * z.powi(3)
        - 945.0 * z)
        / 92160.0;
    z + g1 / v + g2 / v.powi(2) + g3 / v.powi(3) + g4 / v.powi(4)
}

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

/// One row of the flat table: which statistic, where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Key {
    /// `node`, `referrals` or `snapshot`.
    pub section: &'static str,
    /// Node name (empty for referrals).
    pub node: String,
    /// Need group (empty for all groups).
    pub group: String,
    /// Statistic name (`list` for snapshots).
    pub statistic: String,
    /// Day of a snapshot (empty otherwise).
    pub day: Option<u64>,
}

/// The flat keys of `model`'s statistics, in the order [`flatten`] gives values.
pub fn keys(model: &Model) -> Vec<Key> {
    let key = |section, node: &str, group: &str, statistic: &str, day| Key {
        section,
        node: node.to_string(),
        group: group.to_string(),
        statistic: statistic.to_string(),
        day,
    };
    let mut keys = Vec::new();
    let snapshots = (model.run.end / model.run.snapshot_every).floor() as u64 + 1;
    for node in &model.nodes {
        for f in GroupStats::<f64>::FIELDS {
            keys.push(key("node", &node.name, "", f, None));
        }
        keys.push(key("node", &node.name, "", "utilisation", None));
        for (reason, _) in &node.reneging {
            keys.push(key(
                "node",
                &node.name,
                "",
                &format!("reneges_per_year_{reason}"),
                None,
            ));
        }
        for g in &model.groups {
            for f in GroupStats::<f64>::FIELDS {
                keys.push(key("node", &node.name, g, f, None));
            }
        }
        for k in 0..snapshots {
            let day = (k as f64 * model.run.snapshot_every).round() as u64;
            keys.push(key("snapshot", &node.name, "", "list", Some(day)));
        }
    }
    for f in ReferralStats::<f64>::FIELDS {
        keys.push(key("referrals", "", "", f, None));
    }
    for g in &model.groups {
        for f in ReferralStats::<f64>::FIELDS {
            keys.push(key("referrals", "", g, f, None));
        }
    }
    keys
}

/// One replication's statistics as a flat vector, in the order of [`keys`].
pub fn flatten(rep: &RepStats) -> Vec<f64> {
    let mut values = Vec::new();
    for (n, node) in rep.nodes.iter().enumerate() {
        values.extend(node.total.values());
        values.push(node.utilisation);
        values.extend(&node.reneges_by_reason);
        for g in &node.groups {
            values.extend(g.values());
        }
        values.extend(&rep.snapshots[n]);
    }
    values.extend(rep.referrals_total.values());
    for g in &rep.referrals {
        values.extend(g.values());
    }
    values
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

/// One statistic in two scenarios.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComparisonRow {
    /// Which statistic.
    #[serde(flatten)]
    pub key: Key,
    /// In the base scenario.
    pub base: Estimate,
    /// In the other scenario.
    pub scenario: Estimate,
    /// Other − base: paired by replication when both ran the same replications (same seed and
    /// streams: common random numbers), else the half-widths combined in quadrature.
    pub difference: Estimate,
}

/// Two scenarios side by side, over the statistics both have.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Base scenario name.
    pub base: String,
    /// Other scenario name.
    pub scenario: String,
    /// One row per shared statistic.
    pub rows: Vec<ComparisonRow>,
}

/// Compares `other` with `base`.
pub fn compare(
    base_model: &Model,
    base: &[RepStats],
    other_model: &Model,
    other: &[RepStats],
) -> Comparison {
    let base_flat: Vec<Vec<f64>> = base.iter().map(flatten).collect();
    let other_flat: Vec<Vec<f64>> = other.iter().map(flatten).collect();
    let other_index: BTreeMap<Key, usize> = keys(other_model)
        .into_iter()
        .enumerate()
        .map(|(i, k)| (k, i))
        .collect();
    let paired = base.len() == other.len();
    let rows = keys(base_model)
        .into_iter()
        .enumerate()
        .filter_map(|(i, key)| {
            let j = *other_index.get(&key)?;
            let a = Estimate::of(base_flat.iter().map(|f| f[i]));
            let b = Estimate::of(other_flat.iter().map(|f| f[j]));
            let difference = if paired {
                Estimate::of(base_flat.iter().zip(&other_flat).map(|(x, y)| y[j] - x[i]))
            } else {
                Estimate {
                    mean: b.mean - a.mean,
                    hw: (a.hw * a.hw + b.hw * b.hw).sqrt(),
                    n: a.n.min(b.n),
                    sd: f64::NAN,
                }
            };
            Some(ComparisonRow {
                key,
                base: a,
                scenario: b,
                difference,
            })
        })
        .collect();
    Comparison {
        base: base_model.scenario.name.clone(),
        scenario: other_model.scenario.name.clone(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        assert_eq!(t_975(1), 12.706);
        assert_eq!(t_975(30), 2.042);
        // Table values: df 40 → 2.021, 60 → 2.000, 120 → 1.980.
        for (df, t) in [(40, 2.021), (60, 2.000), (120, 1.980), (1000, 1.962)] {
            assert!((t_975(df) - t).abs() < 1e-3, "df {df}: {}", t_975(df));
        }
    }

    #[test]
    fn estimates_skip_undefined_values() {
        let e = Estimate::of([1.0, f64::NAN, 3.0]);
        assert_eq!(e.n, 2);
        assert_eq!(e.mean, 2.0);
        assert!((e.hw - 12.706 * (2.0_f64).sqrt() / (2.0_f64).sqrt()).abs() < 1e-9);
    }
}
