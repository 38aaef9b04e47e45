//! Setting up one replication: the engine's state for a [`Model`] ([`Sim::new`]) and its
//! first events ([`Sim::start`]): the initial list and caseload, each arrival process's first
//! arrival and each capacity change. Run once per replication, outside the hot loop.

use rand_chacha::ChaCha8Rng;

use crate::dist::Dist;
use crate::model::{Model, Waited};
use crate::queue::EventQueue;
use crate::stats::{Accumulator, RunCounts};

use super::event::{Kind, Visit};
use super::node_queue::{NodeQueue, Patience, Segment};
use super::Sim;

/// Draws of a booking lead tried for someone already waiting before they are taken to be past
/// any lead: a local choice (a lead longer than their wait with probability below about 1 in
/// 64 is treated as none left).
const LEAD_TRIES: u32 = 64;

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
            queues: vec![NodeQueue::default(); 2 * nodes],
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
            leads: Vec::new(),
            free_leads: Vec::new(),
            leading: vec![0; nodes],
            groups,
            acc: Accumulator::new(model),
            counts: RunCounts::default(),
        }
    }

    /// The rest of a booking lead for someone who has already waited `waited` days: a lead
    /// drawn given that it is longer than `waited` (by rejection, at most [`LEAD_TRIES`]
    /// draws), minus `waited`; 0 if no draw is longer (they are past any lead: bookable now).
    fn rest_of_lead(&mut self, lead: &Dist, waited: f64) -> f64 {
        self.rest_of(lead, waited).unwrap_or(0.0)
    }

    /// The rest of a duration drawn from `dist` given that it is longer than `elapsed` (by
    /// rejection, at most [`LEAD_TRIES`] draws), or `None` if no draw was longer.
    fn rest_of(&mut self, dist: &Dist, elapsed: f64) -> Option<f64> {
        for _ in 0..LEAD_TRIES {
            let days = dist.sample(&mut self.rng);
            if days > elapsed {
                return Some(days - elapsed);
            }
        }
        None
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
            for (group, count, served) in &node.in_service {
                let (group, count) = (*group, *count);
                for k in 0..count as usize {
                    let visit = Visit {
                        referral_time: 0.0,
                        node_arrival: 0.0,
                        group: group as u8,
                        referral_group: group as u8,
                        seen: true,
                        cohort: false,
                        live: false,
                        renege_reason: 0,
                        urgent: false,
                    };
                    self.counts.initial += 1;
                    self.counts.node_visits += 1;
                    self.busy[n] += 1;
                    // The rest of a service already under way, or a fresh one.
                    let days = match served.get(k) {
                        Some(&done) => match self.rest_of(&node.service, done) {
                            Some(rest) => rest,
                            None => node.service.sample(&mut self.rng),
                        },
                        None => node.service.sample(&mut self.rng),
                    };
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
                let visit = Visit {
                    referral_time: -waited,
                    node_arrival: -waited,
                    group: group as u8,
                    referral_group: group as u8,
                    seen: false,
                    cohort: false,
                    live: true,
                    renege_reason: 0,
                    urgent: false,
                };
                // At a booking-led node, someone already waiting is still in their lead until
                // it runs out: the rest of a lead longer than what they have waited.
                match node
                    .lead
                    .as_ref()
                    .map(|lead| self.rest_of_lead(lead, waited))
                {
                    Some(rest) if rest > 0.0 => self.start_lead(visit, n, rest),
                    _ => self.enqueue(visit, n),
                }
            }
        }
        for n in 0..model.nodes.len() {
            self.try_start(n);
        }
        self.acc.snapshots_until(0.0, &self.waiting_node);
    }
}
