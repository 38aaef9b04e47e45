//! The pairs estimation counts over: u from a seeded sample of random pairs, blocked pairs for
//! each EM session (grouped by a blocking key, sampled when there are too many), and the
//! comparison patterns of a set of pairs with their counts. Seeded, so an estimate is
//! reproducible.

use std::collections::HashMap;

use crate::batch::parallel_chunks;
use crate::comparison::{compare, Gamma, MAX_LEVELS, MODEL, N_COMPARISONS};
use crate::prng::SplitMix64;
use crate::register::Register;

use super::{EstimateOptions, Table, MIN_OBSERVATIONS, PSEUDO_COUNT};

/// Level frequencies over a seeded sample of random pairs.
pub(super) fn estimate_u(register: &Register, options: &EstimateOptions, start: &Table) -> Table {
    const CHUNKS: usize = 64;
    let n = register.len() as u64;
    let per_chunk = options.random_pairs.div_ceil(CHUNKS);
    let counts = parallel_chunks(CHUNKS, 1, |chunks| {
        chunks
            .map(|chunk| {
                let mut rng = SplitMix64::new(options.seed ^ (chunk as u64).wrapping_mul(0x9E37));
                let mut counts: Table = [[0.0; MAX_LEVELS]; N_COMPARISONS];
                for _ in 0..per_chunk {
                    let i = rng.below(n);
                    let mut j = rng.below(n - 1);
                    if j >= i {
                        j += 1;
                    }
                    let gamma = compare(&register.view(i as u32), &register.view(j as u32));
                    for (c, &level) in gamma.iter().enumerate() {
                        counts[c][usize::from(level)] += 1.0;
                    }
                }
                counts
            })
            .collect()
    });
    let mut total: Table = [[0.0; MAX_LEVELS]; N_COMPARISONS];
    for table in counts {
        for c in 0..N_COMPARISONS {
            for level in 0..MAX_LEVELS {
                total[c][level] += table[c][level];
            }
        }
    }
    normalise_levels(&total, start)
}

/// Turns level counts (level 0 ignored) into probabilities with a pseudo-count; comparisons
/// with too few observations keep `fallback`.
pub(super) fn normalise_levels(counts: &Table, fallback: &Table) -> Table {
    let mut out = *fallback;
    for (c, spec) in MODEL.iter().enumerate() {
        let levels = spec.levels.len();
        let observed: f64 = counts[c][1..=levels].iter().sum();
        if observed < MIN_OBSERVATIONS {
            continue;
        }
        for level in 1..=levels {
            out[c][level] =
                (counts[c][level] + PSEUDO_COUNT) / (observed + PSEUDO_COUNT * levels as f64);
        }
    }
    out
}

/// Groups register indices by a 64-bit key (records without the key are left out), by sorting
/// (key, index) pairs: no allocation per key, which matters at a million records.
pub(super) fn group(
    register: &Register,
    key: impl Fn(&Register, u32) -> Option<u64>,
) -> Vec<Vec<u32>> {
    let mut keyed: Vec<(u64, u32)> = (0..register.len() as u32)
        .filter_map(|i| key(register, i).map(|k| (k, i)))
        .collect();
    keyed.sort_unstable();
    let mut groups: Vec<Vec<u32>> = keyed
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
        .map(|run| run.iter().map(|&(_, i)| i).collect())
        .collect();
    groups.sort_unstable();
    groups
}

/// All pairs within groups, or when there are more than `max`, a seeded sample of about `max`
/// (each group contributing in proportion to its pairs). Returns the full pair count too.
pub(super) fn sample_blocked_pairs(
    groups: &[Vec<u32>],
    max: usize,
    seed: u64,
) -> (u64, Vec<(u32, u32)>) {
    let pairs_in = |g: &Vec<u32>| (g.len() as u64) * (g.len() as u64 - 1) / 2;
    let total: u64 = groups.iter().map(pairs_in).sum();
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::new();
    let share = if total as f64 <= max as f64 {
        1.0
    } else {
        max as f64 / total as f64
    };
    for g in groups {
        if share >= 1.0 {
            for (a, &x) in g.iter().enumerate() {
                out.extend(g[a + 1..].iter().map(|&y| (x, y)));
            }
            continue;
        }
        let wanted = pairs_in(g) as f64 * share;
        let draws = wanted.floor() as u64 + u64::from(rng.unit() < wanted.fract());
        for _ in 0..draws {
            let a = rng.below(g.len() as u64) as usize;
            let mut b = rng.below(g.len() as u64 - 1) as usize;
            if b >= a {
                b += 1;
            }
            out.push((g[a], g[b]));
        }
    }
    (total, out)
}

/// Pairs of a referral (in `left`) and a registered person (in `right`) with the same key, or
/// when there are more than `max`, a seeded sample of about `max`. Returns the full pair count
/// too. The referrals' keys are looked up while the register is scanned once.
pub(super) fn cross_pairs(
    left: &Register,
    right: &Register,
    left_key: impl Fn(&Register, u32) -> Option<u64>,
    right_key: impl Fn(&Register, u32) -> Option<u64>,
    max: usize,
    seed: u64,
) -> (u64, Vec<(u32, u32)>) {
    let mut by_key: HashMap<u64, Vec<u32>> = HashMap::new();
    for i in 0..left.len() as u32 {
        if let Some(key) = left_key(left, i) {
            by_key.entry(key).or_default().push(i);
        }
    }
    let matches = |j: u32| right_key(right, j).and_then(|key| by_key.get(&key));
    let total: u64 = (0..right.len() as u32)
        .filter_map(matches)
        .map(|lefts| lefts.len() as u64)
        .sum();
    let share = if total as f64 <= max as f64 {
        1.0
    } else {
        max as f64 / total as f64
    };
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::new();
    for j in 0..right.len() as u32 {
        if let Some(lefts) = matches(j) {
            for &i in lefts {
                if share >= 1.0 || rng.unit() < share {
                    out.push((i, j));
                }
            }
        }
    }
    (total, out)
}

/// Distinct comparison vectors of the pairs, with counts (EM runs over these, not the pairs).
pub(super) fn patterns(register: &Register, pairs: &[(u32, u32)]) -> Vec<(Gamma, f64)> {
    counted_patterns(pairs, |a, b| compare(&register.view(a), &register.view(b)))
}

/// Distinct comparison vectors of pairs of a referral (in `left`) and a registered person (in
/// `right`), with counts.
pub(super) fn cross_patterns(
    left: &Register,
    right: &Register,
    pairs: &[(u32, u32)],
) -> Vec<(Gamma, f64)> {
    counted_patterns(pairs, |a, b| compare(&left.view(a), &right.view(b)))
}

fn counted_patterns(
    pairs: &[(u32, u32)],
    compare_pair: impl Fn(u32, u32) -> Gamma + Sync,
) -> Vec<(Gamma, f64)> {
    let partial = parallel_chunks(pairs.len(), 1 << 16, |range| {
        let mut counts: HashMap<Gamma, f64> = HashMap::new();
        for &(a, b) in &pairs[range] {
            *counts.entry(compare_pair(a, b)).or_default() += 1.0;
        }
        counts.into_iter().collect()
    });
    let mut counts: HashMap<Gamma, f64> = HashMap::new();
    for (gamma, count) in partial {
        *counts.entry(gamma).or_default() += count;
    }
    let mut out: Vec<(Gamma, f64)> = counts.into_iter().collect();
    out.sort_unstable_by_key(|a| a.0);
    out
}
