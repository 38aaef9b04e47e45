//! Latency samples and their summary (nearest-rank percentiles), and the process's peak
//! memory.

use std::time::Duration;

use serde_json::{json, Value};

/// The `p`-th percentile (0 < p ≤ 100) of `sorted` by the nearest-rank method: the smallest
/// sample such that at least `p` % of the samples are at or below it. `None` when empty.
pub fn percentile(sorted: &[Duration], p: f64) -> Option<Duration> {
    if sorted.is_empty() {
        return None;
    }
    #[expect(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "sample counts are far below 2^52 and the rank is clamped to the slice"
    )]
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// Latencies of one kind of request.
#[derive(Debug, Default, Clone)]
pub struct Latencies {
    samples: Vec<Duration>,
}

impl Latencies {
    /// An empty set with room for `n` samples.
    pub fn with_capacity(n: usize) -> Self {
        Latencies {
            samples: Vec::with_capacity(n),
        }
    }

    /// Adds one sample.
    pub fn record(&mut self, sample: Duration) {
        self.samples.push(sample);
    }

    /// Adds every sample of `other`.
    pub fn merge(&mut self, other: Latencies) {
        self.samples.extend(other.samples);
    }

    /// Count, mean, p50, p99 and max.
    pub fn summary(&self) -> Summary {
        let mut sorted = self.samples.clone();
        sorted.sort_unstable();
        let total: Duration = sorted.iter().sum();
        let count = sorted.len();
        Summary {
            count,
            mean: u32::try_from(count)
                .ok()
                .filter(|n| *n > 0)
                .map_or(Duration::ZERO, |n| total / n),
            p50: percentile(&sorted, 50.0).unwrap_or_default(),
            p95: percentile(&sorted, 95.0).unwrap_or_default(),
            p99: percentile(&sorted, 99.0).unwrap_or_default(),
            max: sorted.last().copied().unwrap_or_default(),
        }
    }
}

/// A summary of latencies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Samples.
    pub count: usize,
    /// Arithmetic mean.
    pub mean: Duration,
    /// Median (nearest rank).
    pub p50: Duration,
    /// 95th percentile (nearest rank).
    pub p95: Duration,
    /// 99th percentile (nearest rank).
    pub p99: Duration,
    /// Slowest.
    pub max: Duration,
}

/// Milliseconds with three decimals, for reports.
pub fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

impl Summary {
    /// `p50 1.234 ms, p99 …, max …, mean …` for the readable report.
    pub fn line(&self) -> String {
        format!(
            "p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms, mean {:.2} ms (n = {})",
            ms(self.p50),
            ms(self.p95),
            ms(self.p99),
            ms(self.max),
            ms(self.mean),
            self.count
        )
    }

    /// The same figures as JSON (milliseconds).
    pub fn json(&self) -> Value {
        json!({
            "n": self.count,
            "p50_ms": ms(self.p50),
            "p95_ms": ms(self.p95),
            "p99_ms": ms(self.p99),
            "max_ms": ms(self.max),
            "mean_ms": ms(self.mean),
        })
    }
}

/// The process's peak resident set size in MiB (`VmHWM` in `/proc/self/status`), where
/// the platform reports it.
pub fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms_list(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|v| Duration::from_millis(*v)).collect()
    }

    #[test]
    fn nearest_rank_percentiles() {
        // The textbook example: 15, 20, 35, 40, 50.
        let sorted = ms_list(&[15, 20, 35, 40, 50]);
        assert_eq!(percentile(&sorted, 5.0), Some(Duration::from_millis(15)));
        assert_eq!(percentile(&sorted, 30.0), Some(Duration::from_millis(20)));
        assert_eq!(percentile(&sorted, 40.0), Some(Duration::from_millis(20)));
        assert_eq!(percentile(&sorted, 50.0), Some(Duration::from_millis(35)));
        assert_eq!(percentile(&sorted, 100.0), Some(Duration::from_millis(50)));
        // p99 of 100 samples is the 99th, not the maximum.
        let hundred: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&hundred, 99.0), Some(Duration::from_millis(99)));
        assert_eq!(percentile(&hundred, 50.0), Some(Duration::from_millis(50)));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(
            percentile(&ms_list(&[7]), 99.0),
            Some(Duration::from_millis(7))
        );
    }

    #[test]
    fn summary_of_unsorted_samples() {
        let mut latencies = Latencies::default();
        for v in [30, 10, 20] {
            latencies.record(Duration::from_millis(v));
        }
        let summary = latencies.summary();
        assert_eq!(summary.count, 3);
        assert_eq!(summary.p50, Duration::from_millis(20));
        assert_eq!(summary.max, Duration::from_millis(30));
        assert_eq!(summary.mean, Duration::from_millis(20));
        assert_eq!(Latencies::default().summary().count, 0);
    }
}
