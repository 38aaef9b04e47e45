//! The flat form of a run's statistics, for CSV and comparisons: one [`Key`] per statistic
//! (which one, at which node and need group), in the same order as [`flatten`] gives a
//! replication's values.

use serde::Serialize;

use crate::model::Model;
use crate::stats::{GroupStats, ReferralStats, RepStats};

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
