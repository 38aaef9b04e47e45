//! The discrete-event engine: one replication of a [`Model`], from day 0 to the end of the
//! observation window, on an event queue ([`crate::queue::EventQueue`], a radix heap).
//!
//! - **Visits** live in a slab (`Vec<Visit>` with a free list); a visit carries its referral
//!   (receipt time, need group at receipt, whether help has started) from node to node.
//! - **Queues** are FIFO `VecDeque`s of tickets `(slot, ticket number)`. A visit draws a new
//!   ticket each time it joins a queue. Reneging is lazy: the renege event checks the ticket
//!   and, if the visit is still waiting on it, removes the visit from the counts at once; the
//!   stale entry stays in the deque and is skipped when it reaches the front. So the cost of a
//!   visit does not depend on the length of the queue (the live length is counted apart).
//! - **Events** are ordered by time; ties resolve in an order fixed by the sequence of
//!   operations, so the same way on every run. An event packs into 8 bytes (`Kind::encode`).
//! - **Did-not-attend** resolves at the booked start: the slot stays busy for its length (a
//!   service-time draw unless `dna.slot` is given) with nobody in it; the visit goes to the
//!   back of the queue with its original arrival time (the wait keeps counting, and the
//!   patience clocks restart) or is discharged.
//! - **Capacity** changes are events; a cut lets visits in service finish.
//!
//! Randomness: one `ChaCha8Rng` per replication, seeded with the run's seed and using the
//! replication number as its stream (ChaCha's 64-bit stream parameter gives independent,
//! non-overlapping sequences), so a replication's result depends only on (model, seed, rep).

use std::collections::VecDeque;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};

use crate::model::{Model, Waited};
use crate::queue::EventQueue;
use crate::stats::{Accumulator, RepStats, RunCounts};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Free,
    Waiting,
    InService,
}

#[derive(Debug, Clone, Copy)]
struct Visit {
    referral_time: f64,
    node_arrival: f64,
    ticket: u32,
    node: u16,
    group: u16,
    referral_group: u16,
    renege_reason: u16,
    state: State,
    seen: bool,
    cohort: bool,
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Arrival {
        process: u32,
    },
    ServiceEnd {
        slot: u32,
    },
    /// The end of a slot wasted by a did-not-attend.
    SlotEnd {
        node: u32,
    },
    /// The patience of the visit in `slot` runs out, if it still waits on `ticket` (the low
    /// [`TICKET_BITS`] bits of its ticket number; the reason is kept in the visit).
    Renege {
        slot: u32,
        ticket: u32,
    },
    Capacity {
        node: u32,
        index: u32,
    },
}

/// Bits of a ticket number carried by a renege event: a visit would have to rejoin queues
/// 2^29 times for two of its tickets to look alike.
const TICKET_BITS: u32 = 29;
const TICKET_MASK: u32 = (1 << TICKET_BITS) - 1;
/// Set in `Sim::waiting_ticket` while the visit waits on that ticket.
const WAITING: u32 = 1 << 31;

impl Kind {
    /// Packs the event into 8 bytes (3-bit tag, 29-bit second field, 32-bit first field), so a
    /// queue entry is 16 bytes.
    #[inline]
    fn encode(self) -> u64 {
        let (tag, high, low) = match self {
            Kind::Arrival { process } => (0u64, 0, process),
            Kind::ServiceEnd { slot } => (1, 0, slot),
            Kind::SlotEnd { node } => (2, 0, node),
            Kind::Renege { slot, ticket } => (3, ticket & TICKET_MASK, slot),
            Kind::Capacity { node, index } => (4, index & TICKET_MASK, node),
        };
        tag << 61 | u64::from(high) << 32 | u64::from(low)
    }

    #[inline]
    fn decode(bits: u64) -> Kind {
        let low = bits as u32;
        let high = (bits >> 32) as u32 & TICKET_MASK;
        match bits >> 61 {
            0 => Kind::Arrival { process: low },
            1 => Kind::ServiceEnd { slot: low },
            2 => Kind::SlotEnd { node: low },
            3 => Kind::Renege {
                slot: low,
                ticket: high,
            },
            _ => Kind::Capacity {
                node: low,
                index: high,
            },
        }
    }
}

/// Runs replication `rep` of `model` with `seed`.
pub(crate) fn replicate(model: &Model, seed: u64, rep: u64) -> RepStats {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(rep);
    let mut sim = Sim::new(model, rng);
    sim.start();
    sim.run();
    sim.finish()
}

struct Sim<'m> {
    model: &'m Model,
    rng: ChaCha8Rng,
    now: f64,
    end: f64,
    heap: EventQueue<u64>,
    visits: Vec<Visit>,
    /// Per slot, `WAITING | ticket` while the visit waits, else its ticket: a dense array so
    /// that stale renege events and stale queue entries are recognised without touching the
    /// visit itself (most renege events are stale).
    waiting_ticket: Vec<u32>,
    free: Vec<u32>,
    queues: Vec<VecDeque<(u32, u32)>>,
    /// Live waiting count per (node, group).
    waiting: Vec<u32>,
    /// Live waiting count per node.
    waiting_node: Vec<u32>,
    busy: Vec<u32>,
    capacity: Vec<u32>,
    groups: usize,
    acc: Accumulator,
    counts: RunCounts,
}

impl<'m> Sim<'m> {
    fn new(model: &'m Model, rng: ChaCha8Rng) -> Sim<'m> {
        let nodes = model.nodes.len();
        let groups = model.groups.len();
        let servers: usize = model
            .nodes
            .iter()
            .map(|n| {
                n.capacity
                    .iter()
                    .map(|(_, c)| *c as usize)
                    .max()
                    .unwrap_or(0)
            })
            .sum();
        Sim {
            model,
            rng,
            now: 0.0,
            end: model.run.end,
            heap: EventQueue::new(),
            visits: Vec::with_capacity(servers + 1024),
            waiting_ticket: Vec::with_capacity(servers + 1024),
            free: Vec::new(),
            queues: vec![VecDeque::new(); nodes],
            waiting: vec![0; nodes * groups],
            waiting_node: vec![0; nodes],
            busy: vec![0; nodes],
            capacity: vec![0; nodes],
            groups,
            acc: Accumulator::new(model),
            counts: RunCounts::default(),
        }
    }

    #[inline]
    fn schedule(&mut self, time: f64, kind: Kind) {
        if time <= self.end {
            self.heap.push(time, kind.encode());
        }
    }

    #[inline]
    fn exp1(&mut self) -> f64 {
        Exp1.sample(&mut self.rng)
    }

    fn new_visit(&mut self, visit: Visit) -> u32 {
        match self.free.pop() {
            Some(slot) => {
                let ticket = self.visits[slot as usize].ticket;
                self.visits[slot as usize] = Visit { ticket, ..visit };
                slot
            }
            None => {
                self.visits.push(visit);
                self.waiting_ticket.push(0);
                (self.visits.len() - 1) as u32
            }
        }
    }

    fn release(&mut self, slot: u32) {
        self.waiting_ticket[slot as usize] &= !WAITING;
        let v = &mut self.visits[slot as usize];
        v.state = State::Free;
        self.free.push(slot);
    }

    /// Day 0: capacities, the first arrivals, the visits in service and the initial lists.
    fn start(&mut self) {
        let model = self.model;
        for (n, node) in model.nodes.iter().enumerate() {
            self.capacity[n] = node.capacity[0].1;
            if node.capacity.len() > 1 {
                self.schedule(
                    node.capacity[1].0,
                    Kind::Capacity {
                        node: n as u32,
                        index: 1,
                    },
                );
            }
        }
        for p in 0..model.processes.len() {
            let first = self.exp1() / self.max_rate(p);
            self.schedule(first, Kind::Arrival { process: p as u32 });
        }
        for (n, node) in model.nodes.iter().enumerate() {
            for &(group, count) in &node.in_service {
                for _ in 0..count {
                    let slot = self.new_visit(Visit {
                        referral_time: 0.0,
                        node_arrival: 0.0,
                        ticket: 0,
                        node: n as u16,
                        group: group as u16,
                        referral_group: group as u16,
                        renege_reason: 0,
                        state: State::InService,
                        seen: true,
                        cohort: false,
                    });
                    self.counts.initial += 1;
                    self.counts.node_visits += 1;
                    self.busy[n] += 1;
                    let days = node.service.sample(&mut self.rng);
                    self.schedule(days, Kind::ServiceEnd { slot });
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
                let slot = self.new_visit(Visit {
                    referral_time: -waited,
                    node_arrival: -waited,
                    ticket: 0,
                    node: n as u16,
                    group: group as u16,
                    referral_group: group as u16,
                    renege_reason: 0,
                    state: State::Waiting,
                    seen: false,
                    cohort: false,
                });
                self.counts.initial += 1;
                self.counts.node_visits += 1;
                self.enqueue(slot, n);
            }
        }
        for n in 0..model.nodes.len() {
            self.try_start(n);
        }
        self.acc.snapshots_until(0.0, &self.waiting_node);
    }

    fn max_rate(&self, p: usize) -> f64 {
        let process = &self.model.processes[p];
        process.rate * process.profile.as_ref().map_or(1.0, |pr| pr.max)
    }

    fn run(&mut self) {
        while let Some((time, bits)) = self.heap.pop() {
            self.now = time;
            self.counts.events += 1;
            self.acc.snapshots_until(self.now, &self.waiting_node);
            match Kind::decode(bits) {
                Kind::Arrival { process } => self.arrival(process as usize),
                Kind::ServiceEnd { slot } => self.service_end(slot),
                Kind::SlotEnd { node } => {
                    let n = node as usize;
                    self.acc.busy_changed(n, self.now, self.busy[n]);
                    self.busy[n] -= 1;
                    self.try_start(n);
                }
                Kind::Renege { slot, ticket } => self.renege(slot, ticket),
                Kind::Capacity { node, index } => {
                    self.capacity_change(node as usize, index as usize)
                }
            }
        }
        self.now = self.end;
    }

    fn arrival(&mut self, p: usize) {
        let model = self.model;
        let process = &model.processes[p];
        let next = self.now + self.exp1() / self.max_rate(p);
        self.schedule(next, Kind::Arrival { process: p as u32 });
        if let Some(profile) = &process.profile {
            // Thinning (Lewis and Shedler 1979): keep a candidate with probability λ(t)/λmax.
            let u: f64 = self.rng.gen();
            if u * profile.max >= profile.factor(self.now) {
                return;
            }
        }
        let u: f64 = self.rng.gen();
        let i = process
            .cumulative
            .partition_point(|c| *c <= u)
            .min(process.streams.len() - 1);
        let stream = &model.streams[process.streams[i]];
        let cohort = self.acc.in_window(self.now);
        if cohort {
            self.acc.referral_received(stream.group);
        }
        let slot = self.new_visit(Visit {
            referral_time: self.now,
            node_arrival: self.now,
            ticket: 0,
            node: stream.node as u16,
            group: stream.group as u16,
            referral_group: stream.group as u16,
            renege_reason: 0,
            state: State::Waiting,
            seen: false,
            cohort,
        });
        self.counts.arrivals += 1;
        self.arrive(slot, stream.node);
    }

    /// A visit reaches node `n` (its group and arrival time already set).
    fn arrive(&mut self, slot: u32, n: usize) {
        self.counts.node_visits += 1;
        let v = self.visits[slot as usize];
        let key = n * self.groups + v.group as usize;
        self.acc.arrival(key, self.now);
        if self.waiting_node[n] == 0 && self.busy[n] < self.capacity[n] {
            self.visits[slot as usize].state = State::InService;
            self.begin_service(slot, n);
            if self.waiting_node[n] > 0 {
                self.try_start(n);
            }
        } else {
            self.enqueue(slot, n);
        }
    }

    fn enqueue(&mut self, slot: u32, n: usize) {
        let model = self.model;
        let v = &mut self.visits[slot as usize];
        v.ticket = v.ticket.wrapping_add(1);
        v.state = State::Waiting;
        v.node = n as u16;
        let ticket = v.ticket;
        let key = n * self.groups + v.group as usize;
        self.waiting_ticket[slot as usize] = WAITING | (ticket & TICKET_MASK);
        self.acc.list_changed(key, self.now, self.waiting[key]);
        self.waiting[key] += 1;
        self.waiting_node[n] += 1;
        self.queues[n].push_back((slot, ticket));
        let reneging = &model.nodes[n].reneging;
        if !reneging.is_empty() {
            let mut first = f64::INFINITY;
            let mut reason = 0;
            for (i, (_, patience)) in reneging.iter().enumerate() {
                let t = patience.sample(&mut self.rng);
                if t < first {
                    first = t;
                    reason = i;
                }
            }
            self.visits[slot as usize].renege_reason = reason as u16;
            self.schedule(self.now + first, Kind::Renege { slot, ticket });
        }
    }

    /// Starts waiting visits while node `n` has free servers.
    fn try_start(&mut self, n: usize) {
        while self.busy[n] < self.capacity[n] && self.waiting_node[n] > 0 {
            let Some((slot, ticket)) = self.queues[n].pop_front() else {
                break;
            };
            let flagged = &mut self.waiting_ticket[slot as usize];
            if *flagged != WAITING | (ticket & TICKET_MASK) {
                continue; // reneged: lazily deleted
            }
            *flagged &= !WAITING;
            let v = &mut self.visits[slot as usize];
            v.state = State::InService;
            let key = n * self.groups + v.group as usize;
            self.acc.list_changed(key, self.now, self.waiting[key]);
            self.waiting[key] -= 1;
            self.waiting_node[n] -= 1;
            self.begin_service(slot, n);
        }
    }

    /// A server at `n` takes the visit (which has left the queue).
    fn begin_service(&mut self, slot: u32, n: usize) {
        let node = &self.model.nodes[n];
        self.acc.busy_changed(n, self.now, self.busy[n]);
        self.busy[n] += 1;
        if let Some(dna) = &node.dna {
            let u: f64 = self.rng.gen();
            if u < dna.rate {
                let days = match &dna.slot {
                    Some(d) => d.sample(&mut self.rng),
                    None => node.service.sample(&mut self.rng),
                };
                self.schedule(self.now + days, Kind::SlotEnd { node: n as u32 });
                if dna.requeue {
                    self.enqueue(slot, n);
                } else {
                    self.leave(slot, true);
                }
                return;
            }
        }
        let v = &mut self.visits[slot as usize];
        let key = n * self.groups + v.group as usize;
        let arrived = v.node_arrival;
        self.acc.started(key, arrived, self.now);
        if !v.seen && !node.triage {
            v.seen = true;
            if v.cohort {
                let (group, days) = (v.referral_group as usize, self.now - v.referral_time);
                self.acc.referral_seen(group, days);
            }
        }
        let days = node.service.sample(&mut self.rng);
        self.schedule(self.now + days, Kind::ServiceEnd { slot });
    }

    fn service_end(&mut self, slot: u32) {
        let v = self.visits[slot as usize];
        let n = v.node as usize;
        let g = v.group as usize;
        self.acc.busy_changed(n, self.now, self.busy[n]);
        self.busy[n] -= 1;
        self.acc.completed(n * self.groups + g, self.now);
        self.try_start(n);
        let routes = &self.model.nodes[n].routes[g];
        let mut next = None;
        if !routes.is_empty() {
            let u: f64 = self.rng.gen();
            next = routes.iter().find(|r| u < r.cumulative);
        }
        match next {
            Some(route) => {
                let v = &mut self.visits[slot as usize];
                v.node = route.to as u16;
                v.group = route.group as u16;
                v.node_arrival = self.now;
                self.arrive(slot, route.to);
            }
            None => self.leave(slot, true),
        }
    }

    /// The visit leaves the network (by routing or discharge when `departed`, else reneging).
    fn leave(&mut self, slot: u32, departed: bool) {
        let v = self.visits[slot as usize];
        if departed {
            self.counts.departures += 1;
        } else {
            self.counts.reneged += 1;
        }
        if v.cohort && !v.seen {
            self.acc.referral_left_unseen(v.referral_group as usize);
        }
        self.release(slot);
    }

    fn renege(&mut self, slot: u32, ticket: u32) {
        let flagged = &mut self.waiting_ticket[slot as usize];
        if *flagged != WAITING | ticket {
            return; // started service or left meanwhile
        }
        *flagged &= !WAITING;
        let v = self.visits[slot as usize];
        let n = v.node as usize;
        let key = n * self.groups + v.group as usize;
        self.acc.list_changed(key, self.now, self.waiting[key]);
        self.waiting[key] -= 1;
        self.waiting_node[n] -= 1;
        self.acc
            .reneged(key, usize::from(v.renege_reason), self.now);
        self.leave(slot, false);
    }

    fn capacity_change(&mut self, n: usize, index: usize) {
        let node = &self.model.nodes[n];
        let (day, servers) = node.capacity[index];
        self.acc.capacity_changed(n, self.now, self.capacity[n]);
        self.capacity[n] = servers;
        let next = index + 1;
        if next < node.capacity.len() {
            let cycle_start = self.now - day;
            self.schedule(
                cycle_start + node.capacity[next].0,
                Kind::Capacity {
                    node: n as u32,
                    index: next as u32,
                },
            );
        } else if let Some(period) = node.repeat {
            let cycle_start = self.now - day;
            self.schedule(
                cycle_start + period,
                Kind::Capacity {
                    node: n as u32,
                    index: 0,
                },
            );
        }
        self.try_start(n);
    }

    fn finish(mut self) -> RepStats {
        for v in &self.visits {
            if v.state != State::Free {
                self.counts.in_system += 1;
                if v.cohort && !v.seen {
                    self.acc.referral_unseen_at_end(v.referral_group as usize);
                }
            }
        }
        self.counts.memory_bytes = (self.heap.heap_bytes()
            + self.visits.capacity() * std::mem::size_of::<Visit>()
            + (self.free.capacity() + self.waiting_ticket.capacity()) * 4
            + self.queues.iter().map(|q| q.capacity() * 8).sum::<usize>()
            + self.acc.heap_bytes()) as u64;
        self.acc.finish(
            self.model,
            &self.waiting,
            &self.busy,
            &self.capacity,
            self.counts,
        )
    }
}
