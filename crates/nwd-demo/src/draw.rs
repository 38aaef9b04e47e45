//! Seeded draws: weighted choices from fixed tables, and ids minted from a seeded stream so
//! that the same seed always gives the same UUIDs. Owns no domain knowledge.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

/// The generator's random stream. ChaCha8 is fast and gives the same sequence on every
/// platform for a given seed.
pub(crate) type DemoRng = ChaCha8Rng;

/// A version-4-shaped UUID whose bytes come from the seeded stream (never `Uuid::new_v4`).
pub(crate) fn uuid(rng: &mut DemoRng) -> Uuid {
    uuid::Builder::from_random_bytes(rng.gen()).into_uuid()
}

/// Picks from a fixed, non-empty table of `(value, weight)` pairs.
pub(crate) fn pick<T: Copy, const N: usize>(rng: &mut DemoRng, table: &[(T, u32); N]) -> T {
    const { assert!(N > 0, "a weighted table needs at least one entry") };
    let mut chosen = table[N - 1].0;
    let total: u32 = table.iter().map(|(_, w)| *w).sum();
    let mut ticket = rng.gen_range(0..total.max(1));
    for (value, weight) in table {
        if ticket < *weight {
            chosen = *value;
            break;
        }
        ticket -= weight;
    }
    chosen
}

/// Picks from a list of candidates built at run time; `None` when every weight is zero.
pub(crate) fn pick_weighted<T: Copy>(rng: &mut DemoRng, candidates: &[(T, u32)]) -> Option<T> {
    let total: u32 = candidates.iter().map(|(_, w)| *w).sum();
    if total == 0 {
        return None;
    }
    let mut ticket = rng.gen_range(0..total);
    for (value, weight) in candidates {
        if ticket < *weight {
            return Some(*value);
        }
        ticket -= weight;
    }
    None
}

/// One of a fixed, non-empty list, uniformly.
pub(crate) fn one_of<T: Copy, const N: usize>(rng: &mut DemoRng, items: &[T; N]) -> T {
    const { assert!(N > 0, "choose from at least one item") };
    items[rng.gen_range(0..N)]
}

/// True with probability `p` (clamped to 0..=1).
pub(crate) fn chance(rng: &mut DemoRng, p: f64) -> bool {
    rng.gen_bool(p.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn weighted_picks_follow_their_weights_and_skip_zero_weights() {
        let mut rng = DemoRng::seed_from_u64(7);
        let table = [("a", 1), ("never", 0), ("b", 3)];
        let mut b = 0;
        for _ in 0..4000 {
            let value = pick(&mut rng, &table);
            assert_ne!(value, "never");
            if value == "b" {
                b += 1;
            }
        }
        assert!((2800..3200).contains(&b), "{b}");
        assert_eq!(pick_weighted(&mut rng, &[("x", 0)]), None);
    }

    #[test]
    fn seeded_uuids_repeat_for_the_same_seed() {
        let first = uuid(&mut DemoRng::seed_from_u64(1));
        assert_eq!(first, uuid(&mut DemoRng::seed_from_u64(1)));
        assert_ne!(first, uuid(&mut DemoRng::seed_from_u64(2)));
        assert_eq!(first.get_version_num(), 4);
    }
}
