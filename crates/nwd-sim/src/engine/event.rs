//! What the engine's event queue holds: a [`Visit`] (24 bytes), an event's kind and payload
//! ([`Kind`]), and its packed form ([`Event`], 16 bytes: a 3-bit tag and the fields in one word,
//! plus a time). [`Event::decode`] gives back what [`Event::encode`] packed, except what an
//! event does not carry: a service-end visit's `node_arrival`, and the bits of a queue position
//! above `POSITION_BITS`.

/// A visit: the referral it carries and where it stands at its node. 24 bytes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Visit {
    /// Day the referral was received (negative for an initial list's waits).
    pub(super) referral_time: f64,
    /// Day the visit reached its current node (meaningful while it waits there).
    pub(super) node_arrival: f64,
    /// Need group now (≤ 255 groups, checked by the model).
    pub(super) group: u8,
    /// Need group when the referral was received.
    pub(super) referral_group: u8,
    /// Help (a first service start at a node that is not triage) has started.
    pub(super) seen: bool,
    /// The referral was received in the observation window.
    pub(super) cohort: bool,
    /// In a queue: still waiting (false once it reneged; the entry is then skipped).
    pub(super) live: bool,
    /// In a queue: the patience clock that will run out first.
    pub(super) renege_reason: u16,
    /// The referral is urgent: it waits in its node's urgent queue, served before the routine
    /// one (non-preemptive priority).
    pub(super) urgent: bool,
}

// The urgent flag fits in what was padding: a queue entry stays 24 bytes.
const _: () = assert!(std::mem::size_of::<Visit>() == 24);

/// An event's kind and payload.
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    Arrival {
        process: u32,
    },
    /// The service of `visit` at `node` ends (`visit.node_arrival` is not carried).
    ServiceEnd {
        node: u16,
        visit: Visit,
    },
    /// The end of a slot wasted by a did-not-attend.
    SlotEnd {
        node: u16,
    },
    /// The earliest patience deadline scheduled for `node`'s urgent or routine queue is due.
    Renege {
        node: u16,
        urgent: bool,
    },
    /// The patience of the entry at `position` in `node`'s urgent or routine queue runs out,
    /// if it still waits (at a node where most queued visits renege: see [`NodeQueue::lean`]).
    RenegeVisit {
        node: u16,
        urgent: bool,
        position: u64,
    },
    Capacity {
        node: u16,
        index: u32,
    },
    /// The booking lead of the visit in `slot` of the engine's lead slab ends at `node`.
    LeadEnd {
        node: u16,
        slot: u32,
    },
}

/// Bits of a queue position carried by a [`Kind::RenegeVisit`] event: 2^44 visits would have
/// to join one node's queue in one replication for positions to wrap.
pub(super) const POSITION_BITS: u32 = 44;
pub(super) const POSITION_MASK: u64 = (1 << POSITION_BITS) - 1;

/// A packed event: the 8-byte word holds a 3-bit tag (bits 61–63) and the fields; `time` is
/// the referral time of a visit in service (0 otherwise). A queue entry is 24 bytes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Event {
    pub(super) word: u64,
    pub(super) time: f64,
}

impl Event {
    #[inline]
    pub(super) fn encode(kind: Kind) -> Event {
        let (tag, fields, time) = match kind {
            Kind::Arrival { process } => (0u64, u64::from(process), 0.0),
            Kind::ServiceEnd { node, visit } => (
                1,
                u64::from(node)
                    | u64::from(visit.group) << 16
                    | u64::from(visit.referral_group) << 24
                    | u64::from(visit.seen) << 32
                    | u64::from(visit.cohort) << 33
                    | u64::from(visit.urgent) << 34,
                visit.referral_time,
            ),
            Kind::SlotEnd { node } => (2, u64::from(node), 0.0),
            Kind::Renege { node, urgent } => (3, u64::from(node) | u64::from(urgent) << 16, 0.0),
            Kind::RenegeVisit {
                node,
                urgent,
                position,
            } => (
                5,
                u64::from(node) | u64::from(urgent) << 16 | (position & POSITION_MASK) << 17,
                0.0,
            ),
            Kind::Capacity { node, index } => (4, u64::from(node) | u64::from(index) << 16, 0.0),
            Kind::LeadEnd { node, slot } => (6, u64::from(node) | u64::from(slot) << 16, 0.0),
        };
        Event {
            word: tag << 61 | fields,
            time,
        }
    }

    #[inline]
    pub(super) fn decode(self) -> Kind {
        let w = self.word;
        let node = w as u16;
        match w >> 61 {
            0 => Kind::Arrival { process: w as u32 },
            1 => Kind::ServiceEnd {
                node,
                visit: Visit {
                    referral_time: self.time,
                    node_arrival: 0.0,
                    group: (w >> 16) as u8,
                    referral_group: (w >> 24) as u8,
                    seen: w >> 32 & 1 == 1,
                    cohort: w >> 33 & 1 == 1,
                    live: false,
                    renege_reason: 0,
                    urgent: w >> 34 & 1 == 1,
                },
            },
            2 => Kind::SlotEnd { node },
            3 => Kind::Renege {
                node,
                urgent: w >> 16 & 1 == 1,
            },
            4 => Kind::Capacity {
                node,
                index: (w >> 16) as u32,
            },
            6 => Kind::LeadEnd {
                node,
                slot: (w >> 16) as u32,
            },
            _ => Kind::RenegeVisit {
                node,
                urgent: w >> 16 & 1 == 1,
                position: w >> 17 & POSITION_MASK,
            },
        }
    }
}
