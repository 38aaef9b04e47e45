//! Per-node state of the engine besides its counts: the FIFO queue of waiting visits with
//! their patience deadlines ([`NodeQueue`]), how a node's patience clocks are drawn
//! ([`Patience`]), and the profile segment an arrival process is in ([`Segment`]). A deadline
//! whose position is below the queue's `head` is stale and is skipped or compacted away.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::dist::Dist;

use super::event::Visit;

/// One node's queue: entries in FIFO order, the position of the front one, and the patience
/// deadlines of its entries.
#[derive(Debug, Clone)]
pub(super) struct NodeQueue {
    pub(super) entries: VecDeque<Visit>,
    /// Position of `entries[0]` (entries ever taken off the front).
    pub(super) head: u64,
    /// (deadline as time bits, position) of queued entries whose patience runs out before the
    /// end, earliest first; entries that left the queue stay until they come to the top or
    /// the heap is compacted (a position below `head` is stale).
    pub(super) deadlines: BinaryHeap<Reverse<(u64, u64)>>,
    /// The earliest renege event scheduled for this node and not yet fired (∞ if none).
    pub(super) armed: f64,
    /// Reneges minus service starts of queued visits, lately (clamped to ±[`LEAN_LIMIT`]).
    /// While it is positive — most visits leaving the queue renege — a new entry's deadline
    /// gets an event of its own ([`Kind::RenegeVisit`]) instead of a place in `deadlines`: a
    /// deadline that will run out costs one event either way, and the heap would add its own
    /// push and pop to it; the heap only saves the events of visits served first. The choice
    /// depends only on the run so far, so it is the same on every run.
    pub(super) lean: i32,
}

/// How far [`NodeQueue::lean`] may go either way: it follows a change in the mix within a
/// few thousand departures from the queue.
pub(super) const LEAN_LIMIT: i32 = 1024;

impl Default for NodeQueue {
    fn default() -> Self {
        NodeQueue {
            entries: VecDeque::new(),
            head: 0,
            deadlines: BinaryHeap::new(),
            armed: f64::INFINITY,
            lean: 0,
        }
    }
}

/// How a node's patience clocks are drawn.
#[derive(Debug, Clone)]
pub(super) enum Patience {
    /// No reneging.
    None,
    /// Every clock exponential: the first to run out is Exp(Σ rates), drawn as `mean` × Exp(1);
    /// its reason is drawn when it runs out, from `cumulative` (rate ÷ Σ rates, running sums).
    Exponential { mean: f64, cumulative: Vec<f64> },
    /// Any other mix: each clock is drawn and the first to run out kept, with its reason.
    General,
}

impl Patience {
    pub(super) fn of(reneging: &[(String, Dist)]) -> Patience {
        if reneging.is_empty() {
            return Patience::None;
        }
        let mut rates = Vec::with_capacity(reneging.len());
        for (_, dist) in reneging {
            match dist {
                Dist::Exponential { mean } => rates.push(1.0 / mean),
                _ => return Patience::General,
            }
        }
        let total: f64 = rates.iter().sum();
        let mut running = 0.0;
        let cumulative = rates
            .iter()
            .map(|r| {
                running += r / total;
                running
            })
            .collect();
        Patience::Exponential {
            mean: 1.0 / total,
            cumulative,
        }
    }
}

/// Deadlines a node's heap may hold beyond twice its live waiting count before it is
/// compacted (so small queues are not compacted over and over).
pub(super) const COMPACT_SLACK: usize = 64;

/// The segment of an arrival process's profile in force: its rate and when it ends.
#[derive(Debug, Clone, Copy)]
pub(super) struct Segment {
    pub(super) rate: f64,
    pub(super) until: f64,
}
