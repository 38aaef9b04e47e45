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
//!   window: mean over those seen; p50 and p90 over those seen plus those still unseen at the
//!   end, counted as longer than anyone seen. The share within the standard counts, besides
//!   those seen, those still unseen at the end **and those who gave up waiting** (reneged, or
//!   discharged after a did-not-attend, before any help) as outside the standard: leaving them
//!   out would make the share look better exactly when people give up. Referrals that left
//!   unseen for any reason (signposted or discharged from triage as well) are counted apart,
//!   per year, and those who gave up also on their own.

use crate::model::{Model, DAYS_PER_YEAR};

mod blocks;
mod histogram;

pub use blocks::{GroupStats, NodeRep, ReferralStats, RepStats, RunCounts};
use histogram::Histogram;

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
    referral_gave_up: Vec<u64>,
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
            referral_gave_up: vec![0; groups],
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

    /// A referral left before any help: signposted or discharged from triage, or (`gave_up`)
    /// reneged or discharged after a did-not-attend.
    #[inline]
    pub fn referral_left_unseen(&mut self, group: usize, gave_up: bool) {
        self.referral_left[group] += 1;
        if gave_up {
            self.referral_gave_up[group] += 1;
        }
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
            |hist: &Histogram, arrivals: u64, left: u64, gave_up: u64, unseen: u64| ReferralStats {
                referrals_per_year: arrivals as f64 / years,
                mean_days: hist.mean(),
                p50_days: hist.quantile(0.5, unseen),
                p90_days: hist.quantile(0.9, unseen),
                within_standard: hist.share_within(standard, unseen + gave_up),
                unseen_at_end: unseen as f64,
                left_unseen_per_year: left as f64 / years,
                gave_up_per_year: gave_up as f64 / years,
            };
        let mut all = Histogram::new(model.run.bin, model.run.max_wait);
        let referrals = (0..groups)
            .map(|g| {
                all.merge(&self.referral[g]);
                referral_stats(
                    &self.referral[g],
                    self.referral_arrivals[g],
                    self.referral_left[g],
                    self.referral_gave_up[g],
                    self.referral_unseen[g],
                )
            })
            .collect();
        let referrals_total = referral_stats(
            &all,
            self.referral_arrivals.iter().sum(),
            self.referral_left.iter().sum(),
            self.referral_gave_up.iter().sum(),
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
