//! Streamed statistics of one replication: nothing is kept per visit. Waits go into fixed-bin
//! histograms (bins of `run.bin_days`, exact zero waits counted apart), lists and busy servers
//! are integrated over time as they change, counts are counted. At the end of the run
//! [`Accumulator::finish`] turns them into a [`RepStats`]: one number per statistic.
//!
//! Definitions (the observation window is `[warmup, warmup + observe)`, the run ends with it):
//! - wait at a node: service start − arrival at the node, over visits that **arrived in the
//!   window** and started service (a did-not-attend does not stop it);
//! - `p_wait`: share of those whose wait was not zero;
//! - `mean_list`: time-average number waiting over the window;
//! - `arrivals_per_year`, `throughput_per_year` (service completions), `reneges_per_year`:
//!   counts in the window divided by its length in years;
//! - `waiting_at_end`: number waiting when the run ends;
//! - utilisation: busy server-time / available server-time in the window (a capacity cut never
//!   interrupts a visit, so it can pass 1 for a while);
//! - referral → first start at a service node (not triage), over referrals received in the
//!   window: mean over those seen; p50, p90 and the share within the standard over those seen
//!   plus those still unseen at the end, counted as longer than anyone seen (and so outside the
//!   standard). Referrals that left unseen (signposted, discharged from triage, reneged, did not
//!   attend and discharged) are counted apart, per year.

use serde::Serialize;

use crate::model::{Model, DAYS_PER_YEAR};

/// A fixed-bin histogram of non-negative values, with exact zeros and an overflow counted
/// apart. Quantiles interpolate linearly within a bin, so they are exact to within one bin.
#[derive(Debug, Clone)]
pub(crate) struct Histogram {
    inverse_width: f64,
    width: f64,
    bins: Vec<u32>,
    zero: u64,
    overflow: u64,
    count: u64,
    sum: f64,
}

impl Histogram {
    pub fn new(width: f64, span: f64) -> Histogram {
        let bins = (span / width).ceil() as usize + 1;
        Histogram {
            inverse_width: 1.0 / width,
            width,
            bins: vec![0; bins],
            zero: 0,
            overflow: 0,
            count: 0,
            sum: 0.0,
        }
    }

    #[inline]
    pub fn add(&mut self, x: f64) {
        self.count += 1;
        self.sum += x;
        if x <= 0.0 {
            self.zero += 1;
            return;
        }
        let i = (x * self.inverse_width) as usize;
        match self.bins.get_mut(i) {
            Some(b) => *b += 1,
            None => self.overflow += 1,
        }
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.bins.iter_mut().zip(&other.bins) {
            *a += b;
        }
        self.zero += other.zero;
        self.overflow += other.overflow;
        self.count += other.count;
        self.sum += other.sum;
    }

    pub fn mean(&self) -> f64 {
        self.sum / self.count as f64
    }

    pub fn zero_share(&self) -> f64 {
        self.zero as f64 / self.count as f64
    }

    /// The `q` quantile of the values plus `beyond` more values larger than any of them
    /// (infinite if it falls among those or in the overflow; NaN with no values at all).
    pub fn quantile(&self, q: f64, beyond: u64) -> f64 {
        let n = self.count + beyond;
        if n == 0 {
            return f64::NAN;
        }
        let target = q * n as f64;
        let mut below = self.zero as f64;
        if target <= below {
            return 0.0;
        }
        for (i, &b) in self.bins.iter().enumerate() {
            let b = f64::from(b);
            if below + b >= target && b > 0.0 {
                return (i as f64 + (target - below) / b) * self.width;
            }
            below += b;
        }
        f64::INFINITY
    }

    /// Share of the values plus `beyond` that are at most `x`.
    pub fn share_within(&self, x: f64, beyond: u64) -> f64 {
        let n = self.count + beyond;
        if n == 0 {
            return f64::NAN;
        }
        let full = ((x * self.inverse_width) as usize).min(self.bins.len());
        let mut within =
            self.zero as f64 + self.bins[..full].iter().map(|b| f64::from(*b)).sum::<f64>();
        if let Some(b) = self.bins.get(full) {
            // The part of the boundary bin up to x, spread evenly.
            let fraction = x * self.inverse_width - full as f64;
            within += f64::from(*b) * fraction;
        }
        within / n as f64
    }

    pub fn heap_bytes(&self) -> usize {
        self.bins.capacity() * std::mem::size_of::<u32>()
    }
}

macro_rules! stat_block {
    ($(#[$meta:meta])* $name:ident { $($(#[doc = $doc:literal])* $field:ident,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Serialize)]
        pub struct $name<T> {
            $($(#[doc = $doc])* pub $field: T,)*
        }

        impl<T: Copy> $name<T> {
            /// Field names, in order.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// Field values, in the order of [`Self::FIELDS`].
            pub fn values(&self) -> Vec<T> {
                vec![$(self.$field),*]
            }

            /// Builds the block field by field, `f` getting the field's index.
            pub fn from_fn(mut f: impl FnMut(usize) -> T) -> Self {
                let mut index = 0usize;
                $(
                    let $field = f(index);
                    index += 1;
                )*
                let _ = index;
                $name { $($field,)* }
            }
        }
    };
}

stat_block! {
    /// Statistics of one node (or one need group at a node).
    GroupStats {
        /// Mean wait (days) of visits that arrived in the window and started service.
        mean_wait_days,
        /// Median wait (days).
        p50_wait_days,
        /// 90th-percentile wait (days).
        p90_wait_days,
        /// Share of those visits that waited at all.
        p_wait,
        /// Time-average waiting list.
        mean_list,
        /// Arrivals at the node per year.
        arrivals_per_year,
        /// Service completions per year.
        throughput_per_year,
        /// Visits that left the queue unseen per year (all reasons).
        reneges_per_year,
        /// Waiting when the run ended.
        waiting_at_end,
    }
}

stat_block! {
    /// Referral → first start of help, over referrals received in the window.
    ReferralStats {
        /// Referrals received per year.
        referrals_per_year,
        /// Mean days to first service start, of those seen.
        mean_days,
        /// Median days (unseen at the end count as longest).
        p50_days,
        /// 90th percentile days (unseen at the end count as longest).
        p90_days,
        /// Share seen within the standard (unseen at the end count as outside it).
        within_standard,
        /// Referrals received in the window and still unseen at the end.
        unseen_at_end,
        /// Referrals per year that left without a first service start.
        left_unseen_per_year,
    }
}

/// Everything one replication measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepStats {
    /// Per node, in model order.
    pub nodes: Vec<NodeRep>,
    /// Referral → first start per need group (of the referral at receipt), in model order.
    pub referrals: Vec<ReferralStats<f64>>,
    /// Referral → first start over all groups.
    pub referrals_total: ReferralStats<f64>,
    /// Waiting list per node at day 0, `snapshot_every`, … up to the end: `[node][k]`.
    pub snapshots: Vec<Vec<f64>>,
    /// Counts over the whole run (not just the window), for checks and benchmarks.
    pub counts: RunCounts,
}

/// One node's statistics in one replication.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeRep {
    /// All need groups together.
    pub total: GroupStats<f64>,
    /// Per need group.
    pub groups: Vec<GroupStats<f64>>,
    /// Busy server-time / available server-time in the window.
    pub utilisation: f64,
    /// Reneges per year by reason, in the scenario's order.
    pub reneges_by_reason: Vec<f64>,
}

/// Whole-run counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RunCounts {
    /// External arrivals.
    pub arrivals: u64,
    /// Visits present at day 0 (initial lists and in service).
    pub initial: u64,
    /// Visits that left by routing or a did-not-attend discharge.
    pub departures: u64,
    /// Visits that reneged.
    pub reneged: u64,
    /// Visits in the network at the end.
    pub in_system: u64,
    /// Node visits (arrivals at any node, including initial ones).
    pub node_visits: u64,
    /// Events processed.
    pub events: u64,
    /// Heap memory the replication's structures held at the end (their peak: they never shrink).
    pub memory_bytes: u64,
}

/// The running accumulators of one replication.
pub(crate) struct Accumulator {
    w0: f64,
    w1: f64,
    groups: usize,
    wait: Vec<Histogram>,
    arrivals: Vec<u64>,
    completions: Vec<u64>,
    reneges: Vec<u64>,
    list_area: Vec<f64>,
    list_last: Vec<f64>,
    busy_area: Vec<f64>,
    busy_last: Vec<f64>,
    cap_area: Vec<f64>,
    cap_last: Vec<f64>,
    renege_reason: Vec<Vec<u64>>,
    referral: Vec<Histogram>,
    referral_arrivals: Vec<u64>,
    referral_left: Vec<u64>,
    referral_unseen: Vec<u64>,
    snapshot_every: f64,
    next_snapshot: f64,
    snapshots_taken: u32,
    snapshots: Vec<Vec<f64>>,
}

#[inline]
fn overlap(a: f64, b: f64, w0: f64, w1: f64) -> f64 {
    (b.min(w1) - a.max(w0)).max(0.0)
}

impl Accumulator {
    pub fn new(model: &Model) -> Accumulator {
        let run = &model.run;
        let groups = model.groups.len();
        let nodes = model.nodes.len();
        let keys = nodes * groups;
        let span = run.max_wait;
        let snapshots = (run.end / run.snapshot_every).floor() as usize + 1;
        Accumulator {
            w0: run.warmup,
            w1: run.end,
            groups,
            wait: vec![Histogram::new(run.bin, span); keys],
            arrivals: vec![0; keys],
            completions: vec![0; keys],
            reneges: vec![0; keys],
            list_area: vec![0.0; keys],
            list_last: vec![0.0; keys],
            busy_area: vec![0.0; nodes],
            busy_last: vec![0.0; nodes],
            cap_area: vec![0.0; nodes],
            cap_last: vec![0.0; nodes],
            renege_reason: model
                .nodes
                .iter()
                .map(|n| vec![0; n.reneging.len()])
                .collect(),
            referral: vec![Histogram::new(run.bin, span); groups],
            referral_arrivals: vec![0; groups],
            referral_left: vec![0; groups],
            referral_unseen: vec![0; groups],
            snapshot_every: run.snapshot_every,
            next_snapshot: 0.0,
            snapshots_taken: 0,
            snapshots: vec![Vec::with_capacity(snapshots); nodes],
        }
    }

    #[inline]
    pub fn in_window(&self, t: f64) -> bool {
        t >= self.w0 && t < self.w1
    }

    /// Records snapshots due at or before `t` (the state has not changed since they were due).
    #[inline]
    pub fn snapshots_until(&mut self, t: f64, waiting_by_node: &[u32]) {
        while self.next_snapshot <= t && self.next_snapshot <= self.w1 {
            for (s, w) in self.snapshots.iter_mut().zip(waiting_by_node) {
                s.push(f64::from(*w));
            }
            self.snapshots_taken += 1;
            self.next_snapshot = f64::from(self.snapshots_taken) * self.snapshot_every;
        }
    }

    #[inline]
    pub fn list_changed(&mut self, key: usize, t: f64, before: u32) {
        self.list_area[key] +=
            f64::from(before) * overlap(self.list_last[key], t, self.w0, self.w1);
        self.list_last[key] = t;
    }

    #[inline]
    pub fn busy_changed(&mut self, node: usize, t: f64, before: u32) {
        self.busy_area[node] +=
            f64::from(before) * overlap(self.busy_last[node], t, self.w0, self.w1);
        self.busy_last[node] = t;
    }

    #[inline]
    pub fn capacity_changed(&mut self, node: usize, t: f64, before: u32) {
        self.cap_area[node] +=
            f64::from(before) * overlap(self.cap_last[node], t, self.w0, self.w1);
        self.cap_last[node] = t;
    }

    #[inline]
    pub fn arrival(&mut self, key: usize, t: f64) {
        if self.in_window(t) {
            self.arrivals[key] += 1;
        }
    }

    #[inline]
    pub fn started(&mut self, key: usize, arrived: f64, t: f64) {
        if arrived >= self.w0 {
            self.wait[key].add(t - arrived);
        }
    }

    #[inline]
    pub fn completed(&mut self, key: usize, t: f64) {
        if self.in_window(t) {
            self.completions[key] += 1;
        }
    }

    #[inline]
    pub fn reneged(&mut self, key: usize, reason: usize, t: f64) {
        if self.in_window(t) {
            self.reneges[key] += 1;
            let node = key / self.groups;
            self.renege_reason[node][reason] += 1;
        }
    }

    #[inline]
    pub fn referral_received(&mut self, group: usize) {
        self.referral_arrivals[group] += 1;
    }

    #[inline]
    pub fn referral_seen(&mut self, group: usize, days: f64) {
        self.referral[group].add(days);
    }

    #[inline]
    pub fn referral_left_unseen(&mut self, group: usize) {
        self.referral_left[group] += 1;
    }

    pub fn referral_unseen_at_end(&mut self, group: usize) {
        self.referral_unseen[group] += 1;
    }

    pub fn heap_bytes(&self) -> usize {
        let f = std::mem::size_of::<f64>();
        let u = std::mem::size_of::<u64>();
        self.wait.iter().map(Histogram::heap_bytes).sum::<usize>()
            + self
                .referral
                .iter()
                .map(Histogram::heap_bytes)
                .sum::<usize>()
            + self
                .snapshots
                .iter()
                .map(|s| s.capacity() * f)
                .sum::<usize>()
            + (self.list_area.len() * 2 + self.busy_area.len() * 4) * f
            + self.arrivals.len() * 3 * u
    }

    /// Closes the integrals at the end of the run and computes the replication's statistics.
    pub fn finish(
        mut self,
        model: &Model,
        waiting: &[u32],
        busy: &[u32],
        capacity: &[u32],
        counts: RunCounts,
    ) -> RepStats {
        let end = self.w1;
        let waiting_by_node: Vec<u32> = waiting
            .chunks(self.groups.max(1))
            .map(|c| c.iter().sum())
            .collect();
        self.snapshots_until(end, &waiting_by_node);
        for (key, w) in waiting.iter().enumerate() {
            self.list_changed(key, end, *w);
        }
        for (node, b) in busy.iter().enumerate() {
            self.busy_changed(node, end, *b);
        }
        for (node, c) in capacity.iter().enumerate() {
            self.capacity_changed(node, end, *c);
        }
        let years = (self.w1 - self.w0) / DAYS_PER_YEAR;
        let days = self.w1 - self.w0;
        let groups = self.groups;
        let group_stats = |hist: &Histogram, key_sets: &[usize]| {
            let sum = |v: &[u64]| key_sets.iter().map(|k| v[*k]).sum::<u64>() as f64;
            let list_area: f64 = key_sets.iter().map(|k| self.list_area[*k]).sum();
            let at_end: u32 = key_sets.iter().map(|k| waiting[*k]).sum();
            GroupStats {
                mean_wait_days: hist.mean(),
                p50_wait_days: hist.quantile(0.5, 0),
                p90_wait_days: hist.quantile(0.9, 0),
                p_wait: 1.0 - hist.zero_share(),
                mean_list: list_area / days,
                arrivals_per_year: sum(&self.arrivals) / years,
                throughput_per_year: sum(&self.completions) / years,
                reneges_per_year: sum(&self.reneges) / years,
                waiting_at_end: f64::from(at_end),
            }
        };
        let nodes = (0..model.nodes.len())
            .map(|n| {
                let keys: Vec<usize> = (n * groups..(n + 1) * groups).collect();
                let mut all = Histogram::new(model.run.bin, model.run.max_wait);
                let per_group = keys
                    .iter()
                    .map(|&k| {
                        all.merge(&self.wait[k]);
                        group_stats(&self.wait[k], &[k])
                    })
                    .collect();
                NodeRep {
                    total: group_stats(&all, &keys),
                    groups: per_group,
                    utilisation: self.busy_area[n] / self.cap_area[n],
                    reneges_by_reason: self.renege_reason[n]
                        .iter()
                        .map(|c| *c as f64 / years)
                        .collect(),
                }
            })
            .collect();
        let standard = model.run.standard;
        let referral_stats =
            |hist: &Histogram, arrivals: u64, left: u64, unseen: u64| ReferralStats {
                referrals_per_year: arrivals as f64 / years,
                mean_days: hist.mean(),
                p50_days: hist.quantile(0.5, unseen),
                p90_days: hist.quantile(0.9, unseen),
                within_standard: hist.share_within(standard, unseen),
                unseen_at_end: unseen as f64,
                left_unseen_per_year: left as f64 / years,
            };
        let mut all = Histogram::new(model.run.bin, model.run.max_wait);
        let referrals = (0..groups)
            .map(|g| {
                all.merge(&self.referral[g]);
                referral_stats(
                    &self.referral[g],
                    self.referral_arrivals[g],
                    self.referral_left[g],
                    self.referral_unseen[g],
                )
            })
            .collect();
        let referrals_total = referral_stats(
            &all,
            self.referral_arrivals.iter().sum(),
            self.referral_left.iter().sum(),
            self.referral_unseen.iter().sum(),
        );
        RepStats {
            nodes,
            referrals,
            referrals_total,
            snapshots: self.snapshots,
            counts,
        }
    }
}
