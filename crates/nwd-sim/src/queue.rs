//! The event queue: a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan 1990) keyed by event time.
//!
//! A discrete-event simulation only ever schedules events at or after the current time, so its
//! queue is *monotone*, and a radix heap fits it: 65 buckets by the highest bit in which a key
//! differs from the last key taken out. A push is a vector push; a pop takes from bucket 0 or,
//! when that is empty, redistributes the first non-empty bucket around its minimum. Each event
//! moves down a few buckets at most, so the cost per event hardly grows with the number of
//! pending events (in the county pathway, one per visit in service: thousands). It measured
//! about three times faster than `std::collections::BinaryHeap` here (docs/benchmarks.md).
//!
//! Keys are the bits of non-negative `f64` times, which order like the times themselves.
//! Events with equal times come out in an order fixed by the sequence of operations, so a run
//! is reproducible (they are not FIFO among themselves).

/// A monotone priority queue of `(time, item)`.
#[derive(Debug, Clone)]
pub(crate) struct EventQueue<T> {
    last: u64,
    len: usize,
    /// Bit i set when bucket i is not empty.
    occupied: u128,
    buckets: Vec<Vec<(u64, T)>>,
}

#[inline]
fn bucket(key: u64, last: u64) -> usize {
    (64 - (key ^ last).leading_zeros()) as usize
}

impl<T: Copy> EventQueue<T> {
    pub fn new() -> Self {
        EventQueue {
            last: 0,
            len: 0,
            occupied: 0,
            buckets: (0..65).map(|_| Vec::new()).collect(),
        }
    }

    /// Schedules `item` at `time` (≥ the time of the last pop, and ≥ 0).
    #[inline]
    pub fn push(&mut self, time: f64, item: T) {
        let key = time.max(0.0).to_bits().max(self.last);
        let b = bucket(key, self.last);
        self.buckets[b].push((key, item));
        self.occupied |= 1 << b;
        self.len += 1;
    }

    /// The earliest event.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, T)> {
        if self.occupied & 1 == 0 {
            if self.occupied == 0 {
                return None;
            }
            let i = self.occupied.trailing_zeros() as usize;
            let mut moved = std::mem::take(&mut self.buckets[i]);
            self.occupied &= !(1 << i);
            let min = moved.iter().map(|(k, _)| *k).min().unwrap_or(self.last);
            self.last = min;
            for &(key, item) in &moved {
                let b = bucket(key, min);
                self.buckets[b].push((key, item));
                self.occupied |= 1 << b;
            }
            // Give the emptied bucket its allocation back.
            moved.clear();
            self.buckets[i] = moved;
        }
        let (key, item) = self.buckets[0].pop()?;
        if self.buckets[0].is_empty() {
            self.occupied &= !1;
        }
        self.len -= 1;
        Some((f64::from_bits(key), item))
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Heap memory held.
    pub fn heap_bytes(&self) -> usize {
        self.buckets
            .iter()
            .map(|b| b.capacity() * std::mem::size_of::<(u64, T)>())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_order_with_interleaved_pushes() {
        let mut q = EventQueue::new();
        let mut x: u64 = 12345;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        for i in 0..1000u32 {
            q.push(next() * 100.0, i);
        }
        let mut now = 0.0;
        let mut popped = 0;
        while let Some((t, _)) = q.pop() {
            assert!(t >= now, "{t} after {now}");
            now = t;
            popped += 1;
            if popped < 5000 {
                q.push(now + next() * 50.0, 0);
            }
        }
        assert_eq!(popped, 5999);
        assert_eq!(q.len(), 0);
    }
}
