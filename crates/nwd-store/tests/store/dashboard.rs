//! The commissioner dashboard's monthly aggregates against a hand-computed fixture: six
//! referrals over January–April 2025 in Europe/London (the clocks go forward on 30 March, so
//! March ends at 23:00 UTC), with triage, a signposting, contacts, a step up and a step down.

mod fixture;
mod kept;
mod ledger;
mod outcomes;
mod random;

use jiff::Timestamp;

fn ts(value: &str) -> Timestamp {
    value.parse().unwrap()
}

/// A small deterministic random source (xorshift64*), so the random write sequences repeat.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        (!items.is_empty()).then(|| &items[self.below(items.len())])
    }
}
