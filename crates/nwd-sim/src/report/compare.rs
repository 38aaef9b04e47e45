//! Two scenarios side by side ([`Comparison`]), over the statistics both have, each row with
//! its estimate in both and their difference.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Model;
use crate::stats::RepStats;

use super::{flatten, keys, Estimate, Key};

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
