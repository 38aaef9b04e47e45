//! The discrete-event engine: one replication of a [`Model`], from day 0 to the end of the
//! observation window, on an event queue ([`crate::queue::EventQueue`], a radix heap). One
//! file a little over 600 lines on purpose: the event loop and its handlers share the hot
//! state and are read together.
//!
//! - **A visit lives where it is**: while it waits, in its node's urgent or routine queue (each
//!   a FIFO `VecDeque` of [`Visit`]s; a free server takes the urgent queue's front first); while it is in service, inside its own service-end event (16 bytes: the
//!   referral it carries, its need groups and node). There is no table of visits to look up,
//!   so the engine's memory is the pending events plus the queues, and handling an event
//!   touches the event and the front of a queue, both cache-friendly, instead of a visit at a
//!   random place in a large table (that look-up was the largest single cost).
//! - **Reneging: one event per node, not per visit.** Each entry of a node's queue has a
//!   position (the count of entries ever queued there before it). Its patience deadline goes
//!   into the node's own min-heap of (deadline, position), and only the node's earliest
//!   deadline is in the event queue (a renege event names just the node; the node remembers
//!   the earliest one it has scheduled). When it fires, every deadline due is taken off the
//!   node's heap: a position that has already left the front of the queue started service (or
//!   left) meanwhile and is dropped; otherwise the entry is marked gone at once, taken off the
//!   live counts, and skipped when it reaches the front. Then the node's next deadline is
//!   scheduled. A visit that starts service before its patience runs out costs no event: its
//!   deadline stays in the node's heap until the heap holds more stale deadlines than live
//!   ones, when it is compacted in one linear pass (amortised O(1) per stale deadline), so
//!   the cost of a visit does not depend on the length of the queue. At a node where most
//!   visits leaving the queue renege, each deadline gets an event of its own instead
//!   ([`Kind::RenegeVisit`], checked against the queue's front when it fires), since there the
//!   heap would only add work (see [`NodeQueue::lean`]). When every patience clock
//!   of a node is exponential, the first to run out is drawn as one exponential with the
//!   summed rate and its reason only when it runs out (competing exponential risks: the
//!   reason is independent of the time, with probability rate ÷ summed rate).
//! - **Events** are ordered by time; ties resolve in an order fixed by the sequence of
//!   operations, so the same way on every run. An event packs into 16 bytes
//!   ([`Event::encode`]).
//! - **Arrivals** with a weekly or seasonal profile are drawn by inverting the integrated rate
//!   (piecewise constant between midnights and seasonal boundaries): exact, with no rejected
//!   candidates.
//! - **Did-not-attend** resolves at the booked start: the slot stays busy for its length (a
//!   service-time draw unless `dna.slot` is given) with nobody in it; the visit goes to the
//!   back of the queue with its original arrival time (the wait keeps counting, and the
//!   patience clocks restart) or is discharged.
//! - **Capacity** changes are events; a cut lets visits in service finish.
//! - **Booking lead**: at a node with one, an arriving visit waits out its lead (drawn per
//!   visit) in a slab of its own (`leads`, reused through a free list), named by its
//!   [`Kind::LeadEnd`] event; it counts on the node's list meanwhile, then joins the queue as
//!   if it had just arrived, keeping its arrival time.
//! - **The end**: an event due after the end of the run is not queued. A visit whose service
//!   would end after it is counted as in the system at the end when its service starts (nothing
//!   can change it before the end).
//!
//! Randomness: one `ChaCha8Rng` per replication, seeded with the run's seed and using the
//! replication number as its stream (ChaCha's 64-bit stream parameter gives independent,
//! non-overlapping sequences), so a replication's result depends only on (model, seed, rep).
//!
//! Layout: the packed events in `event`, the per-node queues and patience in `node_queue`,
//! setting up a replication in `start`. The event handlers (`impl Sim` below, from `run` to
//! `finish`) are the hot loop and stay together in this file, so that one reading follows an
//! event from the queue to every state it touches.

use std::cmp::Reverse;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};

use crate::model::Model;
use crate::queue::EventQueue;
use crate::stats::{Accumulator, RepStats, RunCounts};

mod event;
mod node_queue;
mod start;

use event::{Event, Kind, Visit};
use node_queue::{NodeQueue, Patience, Segment, COMPACT_SLACK, LEAN_LIMIT};

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
    heap: EventQueue<Event>,
    queues: Vec<NodeQueue>,
    patience: Vec<Patience>,
    /// Per arrival process, the profile segment last used (`until` −∞ before the first).
    segments: Vec<Segment>,
    /// Live waiting count per (node, group).
    waiting: Vec<u32>,
    /// Live waiting count per node.
    waiting_node: Vec<u32>,
    busy: Vec<u32>,
    capacity: Vec<u32>,
    /// Visits in their booking lead (`live` while they are), by slot.
    leads: Vec<Visit>,
    /// Free slots of `leads`.
    free_leads: Vec<u32>,
    /// Per node: visits in their booking lead (counted in `waiting_node` too).
    leading: Vec<u32>,
    groups: usize,
    acc: Accumulator,
    counts: RunCounts,
}

impl<'m> Sim<'m> {
    #[inline]
    fn schedule(&mut self, time: f64, kind: Kind) {
        if time <= self.end {
            self.heap.push(time, Event::encode(kind));
        }
    }

    #[inline]
    fn exp1(&mut self) -> f64 {
        Exp1.sample(&mut self.rng)
    }

    #[inline]
    fn key(&self, n: usize, visit: &Visit) -> usize {
        n * self.groups + usize::from(visit.group)
    }

    /// Index in `queues` of node `n`'s urgent (`2n`) or routine (`2n + 1`) queue.
    #[inline]
    fn queue_of(n: usize, urgent: bool) -> usize {
        2 * n + usize::from(!urgent)
    }

    /// Schedules process `p`'s next arrival after day `from`: an Exp(1) amount of integrated
    /// rate, used up segment by segment of the profile (one segment without a profile).
    fn schedule_arrival(&mut self, p: usize, from: f64) {
        let model = self.model;
        let process = &model.processes[p];
        let mut need = self.exp1();
        let next = match &process.profile {
            None => from + need / process.rate,
            Some(profile) => {
                let mut t = from;
                let mut segment = self.segments[p];
                let next = loop {
                    if t >= segment.until {
                        let (factor, until) = profile.segment(t);
                        segment = Segment {
                            rate: process.rate * factor,
                            until,
                        };
                    }
                    let left = (segment.until - t) * segment.rate;
                    if need < left {
                        break t + need / segment.rate;
                    }
                    need -= left;
                    t = segment.until;
                    if t > self.end {
                        break t;
                    }
                };
                // Keep the segment the arrival falls in for the next draw.
                self.segments[p] = segment;
                next.max(from)
            }
        };
        self.schedule(next, Kind::Arrival { process: p as u32 });
    }

    fn run(&mut self) {
        while let Some((time, event)) = self.heap.pop() {
            self.now = time;
            self.counts.events += 1;
            self.acc.snapshots_until(self.now, &self.waiting_node);
            match event.decode() {
                Kind::Arrival { process } => self.arrival(process as usize),
                Kind::ServiceEnd { node, visit } => self.service_end(usize::from(node), visit),
                Kind::SlotEnd { node } => {
                    let n = usize::from(node);
                    self.acc.busy_changed(n, self.now, self.busy[n]);
                    self.busy[n] -= 1;
                    self.try_start(n);
                }
                Kind::Renege { node, urgent } => self.renege(usize::from(node), urgent),
                Kind::RenegeVisit {
                    node,
                    urgent,
                    position,
                } => self.renege_visit(usize::from(node), urgent, position),
                Kind::Capacity { node, index } => {
                    self.capacity_change(usize::from(node), index as usize)
                }
                Kind::LeadEnd { node, slot } => self.lead_end(usize::from(node), slot),
            }
        }
        self.now = self.end;
    }

    fn arrival(&mut self, p: usize) {
        let model = self.model;
        self.schedule_arrival(p, self.now);
        let process = &model.processes[p];
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
        self.counts.arrivals += 1;
        self.arrive(
            Visit {
                referral_time: self.now,
                node_arrival: self.now,
                group: stream.group as u8,
                referral_group: stream.group as u8,
                seen: false,
                cohort,
                live: true,
                renege_reason: 0,
                urgent: stream.urgent,
            },
            stream.node,
        );
    }

    /// A visit reaches node `n` (its group and arrival time already set).
    fn arrive(&mut self, visit: Visit, n: usize) {
        self.counts.node_visits += 1;
        let key = self.key(n, &visit);
        self.acc.arrival(key, self.now);
        if let Some(lead) = &self.model.nodes[n].lead {
            let days = lead.sample(&mut self.rng);
            self.start_lead(visit, n, days);
            return;
        }
        self.join(visit, n);
    }

    /// The visit is on node `n`'s list from now, but bookable only in `days`.
    fn start_lead(&mut self, mut visit: Visit, n: usize, days: f64) {
        let key = self.key(n, &visit);
        {
            self.acc.list_changed(key, self.now, self.waiting[key]);
            self.waiting[key] += 1;
            self.waiting_node[n] += 1;
            self.leading[n] += 1;
            visit.live = true;
            let slot = match self.free_leads.pop() {
                Some(slot) => {
                    self.leads[slot as usize] = visit;
                    slot
                }
                None => {
                    self.leads.push(visit);
                    (self.leads.len() - 1) as u32
                }
            };
            // A lead ending after the run leaves the visit in the slab, waiting at the end.
            self.schedule(
                self.now + days,
                Kind::LeadEnd {
                    node: n as u16,
                    slot,
                },
            );
        }
    }

    /// The visit's booking lead at `n` ends: off the lead, into the queue (or straight in).
    fn lead_end(&mut self, n: usize, slot: u32) {
        let entry = &mut self.leads[slot as usize];
        entry.live = false;
        let visit = *entry;
        self.free_leads.push(slot);
        let key = self.key(n, &visit);
        self.acc.list_changed(key, self.now, self.waiting[key]);
        self.waiting[key] -= 1;
        self.waiting_node[n] -= 1;
        self.leading[n] -= 1;
        self.join(visit, n);
    }

    /// The visit can be booked at `n`: it starts if nobody is queued and a server is free,
    /// otherwise it joins the queue.
    fn join(&mut self, visit: Visit, n: usize) {
        if self.waiting_node[n] == self.leading[n] && self.busy[n] < self.capacity[n] {
            self.begin_service(visit, n);
            if self.waiting_node[n] > self.leading[n] {
                // A did-not-attend put it back on the list while a server is free.
                self.try_start(n);
            }
        } else {
            self.enqueue(visit, n);
        }
    }

    /// Puts the visit at the back of node `n`'s queue and starts its patience clocks.
    fn enqueue(&mut self, mut visit: Visit, n: usize) {
        let model = self.model;
        let key = self.key(n, &visit);
        self.acc.list_changed(key, self.now, self.waiting[key]);
        self.waiting[key] += 1;
        self.waiting_node[n] += 1;
        visit.live = true;
        let first = match &self.patience[n] {
            Patience::None => f64::INFINITY,
            Patience::Exponential { mean, .. } => {
                let mean = *mean;
                visit.renege_reason = 0; // drawn when it runs out
                mean * self.exp1()
            }
            Patience::General => {
                let mut first = f64::INFINITY;
                let mut reason = 0;
                for (i, (_, patience)) in model.nodes[n].reneging.iter().enumerate() {
                    let t = patience.sample(&mut self.rng);
                    if t < first {
                        first = t;
                        reason = i;
                    }
                }
                visit.renege_reason = reason as u16;
                first
            }
        };
        let deadline = self.now + first;
        let urgent = visit.urgent;
        let q = Self::queue_of(n, urgent);
        let queue = &mut self.queues[q];
        if deadline <= self.end {
            let position = queue.head + queue.entries.len() as u64;
            if queue.lean > 0 {
                self.heap.push(
                    deadline,
                    Event::encode(Kind::RenegeVisit {
                        node: n as u16,
                        urgent,
                        position,
                    }),
                );
                self.queues[q].entries.push_back(visit);
                return;
            }
            queue
                .deadlines
                .push(Reverse((deadline.to_bits(), position)));
            if deadline < queue.armed {
                queue.armed = deadline;
                self.heap.push(
                    deadline,
                    Event::encode(Kind::Renege {
                        node: n as u16,
                        urgent,
                    }),
                );
            }
        }
        self.queues[q].entries.push_back(visit);
    }

    /// Takes the next live visit off node `n`'s queues, urgent first (non-preemptive priority:
    /// nobody's service is interrupted); reneged entries met at the front are dropped.
    fn pop_waiting(&mut self, n: usize) -> Option<Visit> {
        for urgent in [true, false] {
            let queue = &mut self.queues[Self::queue_of(n, urgent)];
            while let Some(visit) = queue.entries.pop_front() {
                queue.head += 1;
                if visit.live {
                    queue.lean = (queue.lean - 1).max(-LEAN_LIMIT);
                    return Some(visit);
                }
            }
        }
        None
    }

    /// Starts waiting visits while node `n` has free servers.
    fn try_start(&mut self, n: usize) {
        while self.busy[n] < self.capacity[n] && self.waiting_node[n] > 0 {
            let Some(visit) = self.pop_waiting(n) else {
                break;
            };
            let key = self.key(n, &visit);
            self.acc.list_changed(key, self.now, self.waiting[key]);
            self.waiting[key] -= 1;
            self.waiting_node[n] -= 1;
            self.begin_service(visit, n);
        }
        // Drop the deadlines of visits that left the queue once they outnumber the live ones.
        for urgent in [true, false] {
            let queue = &mut self.queues[Self::queue_of(n, urgent)];
            if queue.deadlines.len() > 2 * self.waiting_node[n] as usize + COMPACT_SLACK {
                let head = queue.head;
                queue
                    .deadlines
                    .retain(|Reverse((_, position))| *position >= head);
            }
        }
    }

    /// A server at `n` takes the visit (which has left the queue).
    fn begin_service(&mut self, mut visit: Visit, n: usize) {
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
                self.schedule(self.now + days, Kind::SlotEnd { node: n as u16 });
                if dna.requeue {
                    self.enqueue(visit, n);
                } else {
                    // Discharged after a did-not-attend before any help: gave up.
                    self.leave(&visit, true, true);
                }
                return;
            }
        }
        let key = self.key(n, &visit);
        self.acc.started(key, visit.node_arrival, self.now);
        if !visit.seen && !node.triage {
            visit.seen = true;
            if visit.cohort {
                self.acc.referral_seen(
                    usize::from(visit.referral_group),
                    self.now - visit.referral_time,
                );
            }
        }
        let days = node.service.sample(&mut self.rng);
        self.schedule_service_end(self.now + days, n, visit);
    }

    /// Queues the end of `visit`'s service at `n`, or counts it as in the system at the end.
    #[inline]
    fn schedule_service_end(&mut self, time: f64, n: usize, visit: Visit) {
        if time <= self.end {
            self.heap.push(
                time,
                Event::encode(Kind::ServiceEnd {
                    node: n as u16,
                    visit,
                }),
            );
        } else {
            self.still_in_system(&visit);
        }
    }

    fn still_in_system(&mut self, visit: &Visit) {
        self.counts.in_system += 1;
        if visit.cohort && !visit.seen {
            self.acc
                .referral_unseen_at_end(usize::from(visit.referral_group));
        }
    }

    fn service_end(&mut self, n: usize, mut visit: Visit) {
        let g = usize::from(visit.group);
        self.acc.busy_changed(n, self.now, self.busy[n]);
        self.busy[n] -= 1;
        self.acc.completed(n * self.groups + g, self.now);
        self.try_start(n);
        let routes = self.model.nodes[n].routes_of(g, visit.urgent);
        let mut next = None;
        if !routes.is_empty() {
            let u: f64 = self.rng.gen();
            next = routes.iter().find(|r| u < r.cumulative);
        }
        match next {
            Some(route) => {
                visit.group = route.group as u8;
                visit.node_arrival = self.now;
                self.arrive(visit, route.to);
            }
            None => self.leave(&visit, true, false),
        }
    }

    /// The visit leaves the network (by routing or discharge when `departed`, else reneging);
    /// `gave_up` when it leaves waiting (reneging, or a discharge after a did-not-attend), which
    /// counts a referral not yet helped as outside the standard.
    fn leave(&mut self, visit: &Visit, departed: bool, gave_up: bool) {
        if departed {
            self.counts.departures += 1;
        } else {
            self.counts.reneged += 1;
        }
        if visit.cohort && !visit.seen {
            self.acc
                .referral_left_unseen(usize::from(visit.referral_group), gave_up);
        }
    }

    /// A renege event of node `n`'s urgent or routine queue: every deadline due runs out,
    /// then the next is scheduled.
    fn renege(&mut self, n: usize, urgent: bool) {
        let now = self.now.to_bits();
        let q = Self::queue_of(n, urgent);
        if self.queues[q].armed.to_bits() == now {
            self.queues[q].armed = f64::INFINITY;
        }
        loop {
            let queue = &mut self.queues[q];
            let Some(&Reverse((deadline, position))) = queue.deadlines.peek() else {
                break;
            };
            if deadline > now {
                // Not due: make sure an event is scheduled for it.
                let deadline = f64::from_bits(deadline);
                if deadline < queue.armed {
                    queue.armed = deadline;
                    self.heap.push(
                        deadline,
                        Event::encode(Kind::Renege {
                            node: n as u16,
                            urgent,
                        }),
                    );
                }
                break;
            }
            queue.deadlines.pop();
            let Some(index) = position.checked_sub(queue.head) else {
                continue; // started service (or left) meanwhile
            };
            // Deadlines leave the heap when they run out, so a queued position is live.
            self.run_out(n, q, index as usize);
        }
    }

    /// A [`Kind::RenegeVisit`] event: the entry at `position` reneges if it still waits.
    fn renege_visit(&mut self, n: usize, urgent: bool, position: u64) {
        let q = Self::queue_of(n, urgent);
        let queue = &self.queues[q];
        let Some(index) = position.checked_sub(queue.head) else {
            return; // started service (or left) meanwhile
        };
        if queue.entries.get(index as usize).is_some_and(|e| e.live) {
            self.run_out(n, q, index as usize);
        }
    }

    /// The live entry at `index` in queue `q` (one of node `n`'s) reneges now.
    fn run_out(&mut self, n: usize, q: usize, index: usize) {
        let queue = &mut self.queues[q];
        queue.lean = (queue.lean + 1).min(LEAN_LIMIT);
        let entry = &mut queue.entries[index];
        entry.live = false;
        let mut visit = *entry;
        if let Patience::Exponential { cumulative, .. } = &self.patience[n] {
            if cumulative.len() > 1 {
                let u: f64 = self.rng.gen();
                let reason = cumulative
                    .partition_point(|c| *c <= u)
                    .min(cumulative.len() - 1);
                visit.renege_reason = reason as u16;
            }
        }
        let key = self.key(n, &visit);
        self.acc.list_changed(key, self.now, self.waiting[key]);
        self.waiting[key] -= 1;
        self.waiting_node[n] -= 1;
        self.acc
            .reneged(key, usize::from(visit.renege_reason), self.now);
        self.leave(&visit, false, true);
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
                    node: n as u16,
                    index: next as u32,
                },
            );
        } else if let Some(period) = node.repeat {
            let cycle_start = self.now - day;
            self.schedule(
                cycle_start + period,
                Kind::Capacity {
                    node: n as u16,
                    index: 0,
                },
            );
        }
        self.try_start(n);
    }

    fn finish(mut self) -> RepStats {
        // Visits in service at the end were counted when their service started (their end
        // event is after the end); the live entries of the queues are the rest.
        let mut waiting_unseen = Vec::new();
        let in_lead = self.leads.iter().filter(|v| v.live);
        for queue in &self.queues {
            for visit in queue.entries.iter().filter(|v| v.live) {
                self.counts.in_system += 1;
                if visit.cohort && !visit.seen {
                    waiting_unseen.push(usize::from(visit.referral_group));
                }
            }
        }
        for visit in in_lead {
            self.counts.in_system += 1;
            if visit.cohort && !visit.seen {
                waiting_unseen.push(usize::from(visit.referral_group));
            }
        }
        for group in waiting_unseen {
            self.acc.referral_unseen_at_end(group);
        }
        self.counts.memory_bytes = (self.heap.heap_bytes()
            + self
                .queues
                .iter()
                .map(|q| {
                    q.entries.capacity() * std::mem::size_of::<Visit>()
                        + q.deadlines.capacity() * std::mem::size_of::<Reverse<(u64, u64)>>()
                })
                .sum::<usize>()
            + self.leads.capacity() * std::mem::size_of::<Visit>()
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
