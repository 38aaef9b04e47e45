//! What one replication reports: the statistic blocks ([`GroupStats`] per node or need group,
//! [`ReferralStats`] from referral to first start of help), each with its field names in order,
//! and [`RepStats`], [`NodeRep`] and [`RunCounts`] that hold them.

use serde::Serialize;

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
        /// Share seen within the standard: those still unseen at the end and those who gave
        /// up waiting count as outside it.
        within_standard,
        /// Referrals received in the window and still unseen at the end.
        unseen_at_end,
        /// Referrals per year that left without a first service start (any reason).
        left_unseen_per_year,
        /// Of those, referrals per year that gave up waiting: reneged, or discharged after a
        /// did-not-attend.
        gave_up_per_year,
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
