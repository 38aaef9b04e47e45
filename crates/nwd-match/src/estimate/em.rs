//! Expectation–maximisation with u held fixed: the E-step gives each comparison pattern its
//! probability of being a match, the M-step re-estimates m (for the comparisons the session's
//! blocking does not fix) and λ, the share of matches among the pairs.

use crate::comparison::{Gamma, MAX_LEVELS, MISSING, N_COMPARISONS};

use super::{normalise_levels, EstimateOptions, Table, MIN_OBSERVATIONS};

pub(super) struct EmResult {
    pub(super) m: Table,
    pub(super) lambda: f64,
    pub(super) iterations: usize,
    pub(super) estimated: [bool; N_COMPARISONS],
}

/// EM with u fixed: E-step gives each pattern's probability of being a match; M-step re-estimates
/// m (for comparisons not in `blocked`) and λ.
pub(super) fn expectation_maximisation(
    patterns: &[(Gamma, f64)],
    blocked: &[usize],
    start: &Table,
    u: &Table,
    options: &EstimateOptions,
) -> EmResult {
    let free: Vec<usize> = (0..N_COMPARISONS)
        .filter(|c| !blocked.contains(c))
        .collect();
    let mut m = *start;
    let mut lambda = 0.5;
    let mut iterations = 0;
    let mut estimated = [false; N_COMPARISONS];
    if patterns.is_empty() {
        return EmResult {
            m,
            lambda: 0.0,
            iterations,
            estimated,
        };
    }
    let total: f64 = patterns.iter().map(|(_, count)| count).sum();
    while iterations < options.max_iterations {
        iterations += 1;
        let mut counts: Table = [[0.0; MAX_LEVELS]; N_COMPARISONS];
        let mut matches = 0.0;
        for (gamma, count) in patterns {
            let (mut as_match, mut as_non_match) = (lambda, 1.0 - lambda);
            for &c in &free {
                let level = usize::from(gamma[c]);
                if gamma[c] != MISSING {
                    as_match *= m[c][level];
                    as_non_match *= u[c][level];
                }
            }
            let posterior = as_match / (as_match + as_non_match);
            let weight = count * posterior;
            matches += weight;
            for &c in &free {
                counts[c][usize::from(gamma[c])] += weight;
            }
        }
        let new_m = normalise_levels(&counts, &m);
        let new_lambda = (matches / total).clamp(1e-9, 1.0 - 1e-9);
        let mut change = (new_lambda - lambda).abs();
        for c in 0..N_COMPARISONS {
            for level in 0..MAX_LEVELS {
                change = change.max((new_m[c][level] - m[c][level]).abs());
            }
        }
        m = new_m;
        lambda = new_lambda;
        if change < options.tolerance {
            break;
        }
    }
    let mut counts: Table = [[0.0; MAX_LEVELS]; N_COMPARISONS];
    for (gamma, count) in patterns {
        for &c in &free {
            counts[c][usize::from(gamma[c])] += count;
        }
    }
    for &c in &free {
        estimated[c] = counts[c][1..].iter().sum::<f64>() >= MIN_OBSERVATIONS;
    }
    EmResult {
        m,
        lambda,
        iterations,
        estimated,
    }
}
