//! Setting up one replication: the engine's state for a [`Model`] ([`Sim::new`]) and its
//! first events ([`Sim::start`]): the initial list and caseload, each arrival process's first
//! arrival and each capacity change. Run once per replication, outside the hot loop.

use rand_chacha::ChaCha8Rng;

use crate::model::{Model, Waited};
use crate::queue::EventQueue;
use crate::stats::{Accumulator, RunCounts};

use super::event::{Kind, Visit};
use super::node_queue::{NodeQueue, Patience, Segment};
use super::Sim;

impl<'m> Sim<'m> {
    pub(super) fn new(model: &'m Model, rng: ChaCha8Rng) -> Sim<'m> {
        let nodes = model.nodes.len();
        let groups = model.groups.len();
        Sim {
            model,
            rng,
            now: 0.0,
            end: model.run.end,
            heap: EventQueue::new(),
            queues: vec![NodeQueue::default(); nodes],
            patience: model
                .nodes
                .iter()
                .map(|n| Patience::of(&n.reneging))
                .collect(),
            segments: vec![
                Segment {
                    rate: 0.0,
                    until: f64::NEG_INFINITY,
                };
                model.processes.len()
            ],
            waiting: vec![0; nodes * groups],
            waiting_node: vec![0; nodes],
            busy: vec![0; nodes],
            capacity: vec![0; nodes],
            groups,
            acc: Accumulator::new(model),
            counts: RunCounts::default(),
        }
    }

    /// Day 0: capacities, the first arrivals, the visits in service and the initial lists.
    pub(super) fn start(&mut self) {
        let model = self.model;
        for (n, node) in model.nodes.iter().enumerate() {
            self.capacity[n] = node.capacity[0].1;
            if node.capacity.len() > 1 {
                self.schedule(
                    node.capacity[1].0,
                    Kind::Capacity {
                        node: n as u16,
                        index: 1,
                    },
                );
            }
        }
        for p in 0..model.processes.len() {
            self.schedule_arrival(p, 0.0);
        }
        for (n, node) in model.nodes.iter().enumerate() {
            for &(group, count) in &node.in_service {
                for _ in 0..count {
                    let visit = Visit {
                        referral_time: 0.0,
                        node_arrival: 0.0,
                        group: group as u8,
                        referral_group: group as u8,
                        seen: true,
                        cohort: false,
                        live: false,
                        renege_reason: 0,
                    };
                    self.counts.initial += 1;
                    self.counts.node_visits += 1;
                    self.busy[n] += 1;
                    let days = node.service.sample(&mut self.rng);
                    self.schedule_service_end(days, n, visit);
                }
            }
            // The initial list in FIFO order: longest waiting first.
            let mut list: Vec<(f64, usize)> = Vec::new();
            for initial in &node.initial {
                match &initial.waited {
                    Waited::Exact(days) => list.extend(days.iter().map(|d| (*d, initial.group))),
                    Waited::Drawn(count, dist) => {
                        for _ in 0..*count {
                            list.push((dist.sample(&mut self.rng), initial.group));
                        }
                    }
                }
            }
            list.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (waited, group) in list {
                self.counts.initial += 1;
                self.counts.node_visits += 1;
                self.enqueue(
                    Visit {
                        referral_time: -waited,
                        node_arrival: -waited,
                        group: group as u8,
                        referral_group: group as u8,
                        seen: false,
                        cohort: false,
                        live: true,
                        renege_reason: 0,
                    },
                    n,
                );
            }
        }
        for n in 0..model.nodes.len() {
            self.try_start(n);
        }
        self.acc.snapshots_until(0.0, &self.waiting_node);
    }
}
