//! The small estimators calibration uses: daily counts in service and waiting (one sweep),
//! means and quantiles, fitted and empirical distributions, node names from service names, and
//! the floor on a triage delay ([`MIN_TRIAGE_DAYS`]). Times are in days; a fitted distribution
//! keeps four significant figures, so a delay of minutes keeps its size.

use super::AllocationRecord;
use crate::scenario::DistSpec;

/// Per day: (allocations in service, allocations waiting) at each sample time, by a sweep.
pub(super) fn daily_counts(
    allocations: &[&AllocationRecord],
    days: &[f64],
) -> (Vec<usize>, Vec<usize>) {
    // Changes: (time, Δ in service, Δ waiting).
    let mut changes: Vec<(f64, i64, i64)> = Vec::new();
    for a in allocations {
        let end = a.ended.unwrap_or(f64::INFINITY);
        match a.first_attended {
            Some(f) if f < end => {
                changes.push((a.allocated, 0, 1));
                changes.push((f, 1, -1));
                changes.push((end, -1, 0));
            }
            _ => {
                changes.push((a.allocated, 0, 1));
                changes.push((end, 0, -1));
            }
        }
    }
    changes.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut busy, mut waiting) = (0i64, 0i64);
    let mut i = 0;
    let mut out_busy = Vec::with_capacity(days.len());
    let mut out_waiting = Vec::with_capacity(days.len());
    for &t in days {
        while i < changes.len() && changes[i].0 <= t {
            busy += changes[i].1;
            waiting += changes[i].2;
            i += 1;
        }
        out_busy.push(busy.max(0) as usize);
        out_waiting.push(waiting.max(0) as usize);
    }
    (out_busy, out_waiting)
}

/// Lower-case ASCII letters and digits joined by `_`.
pub(super) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        "service".into()
    } else {
        out
    }
}

pub(super) fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Linear-interpolated quantile (NaN for no values).
pub(super) fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let position = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (position.floor() as usize, position.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo as f64)
}

/// The shortest triage delay calibration gives (days): one minute. The simulator needs a
/// positive delay, and a referral whose triage decision is recorded within a minute of its
/// receipt (entered with the referral, e.g. by the practitioner who took it) has no triage
/// delay to measure. One minute is far below the shortest waiting standard in the domain
/// guide (1 hour, emergency-department referrals to crisis services; proposed national
/// standards, 2021), so the floor cannot move any within-standard figure.
pub const MIN_TRIAGE_DAYS: f64 = 1.0 / 1440.0;

/// Lognormal with the values' mean and cv (fixed if they do not vary; `default` if none), to
/// four significant figures: a delay of minutes keeps its size (rounding to hundredths of a
/// day would make anything under about 7 minutes 0).
pub(super) fn fit_precise(values: &[f64], default: f64) -> DistSpec {
    let Some(m) = mean(values).filter(|m| *m > 0.0) else {
        return DistSpec::Fixed { mean: default };
    };
    let var = values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / values.len() as f64;
    let cv = var.sqrt() / m;
    if cv > 1e-6 {
        DistSpec::Lognormal {
            mean: significant(m),
            cv: significant(cv),
        }
    } else {
        DistSpec::Fixed {
            mean: significant(m),
        }
    }
}

/// `x` to four significant figures.
pub(super) fn significant(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let scale = 10f64.powi(3 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// The values' 100 centiles (midpoints 0.5 % … 99.5 %) as an empirical distribution, or the
/// values themselves when there are fewer than 100.
pub(super) fn empirical(values: &[f64]) -> DistSpec {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let values = if sorted.len() <= 100 {
        sorted.iter().map(|v| round(*v)).collect()
    } else {
        (0..100)
            .map(|k| round(quantile(&sorted, (k as f64 + 0.5) / 100.0)))
            .collect()
    };
    DistSpec::Empirical {
        values,
        weights: Vec::new(),
    }
}

pub(super) fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

pub(super) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}
