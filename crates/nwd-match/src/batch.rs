//! Batch use: de-duplicating a whole register ([`dedupe`]: scored pairs from blocking, and
//! clusters = connected components of the auto-link pairs), linking a file of queries to a
//! register ([`link`], [`Matcher::match_batch`]). Work is spread over the machine's cores with
//! scoped threads; results come back in input order whatever the thread count.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use crate::matcher::Matcher;
use crate::normalise::Normalised;
use crate::outcome::{Band, MatchOutcome, Rule};
use crate::params::{Params, ParamsError, Thresholds};
use crate::record::Record;

/// A proposed pair of records that may be the same person (`left < right`, input positions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    /// Position of the first record.
    pub left: usize,
    /// Position of the second record.
    pub right: usize,
    /// Match weight in bits.
    pub match_weight: f64,
    /// Match probability.
    pub match_probability: f64,
    /// `auto` or `review` (pairs that would be `new` are not proposed).
    pub band: Band,
    /// Rules that applied to the pair (e.g. a twin cap holding it at review).
    pub rules: Vec<Rule>,
}

/// The proposals of a de-duplication run; nothing is changed until a person accepts them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dedupe {
    /// Auto and review pairs, ordered by `(left, right)`.
    pub pairs: Vec<Pair>,
    /// Groups of two or more records joined by auto pairs (connected components), each sorted,
    /// ordered by their first record.
    pub clusters: Vec<Vec<usize>>,
}

/// Proposes duplicate pairs and clusters within `records`, using the blocking index (no
/// all-pairs scan).
pub fn dedupe(
    records: &[Record],
    params: &Params,
    thresholds: &Thresholds,
) -> Result<Dedupe, ParamsError> {
    dedupe_with_progress(records, params, thresholds, &|_| {})
}

/// [`dedupe`], calling `progress` with the number of records done so far (for a progress bar).
pub fn dedupe_with_progress(
    records: &[Record],
    params: &Params,
    thresholds: &Thresholds,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Dedupe, ParamsError> {
    let mut matcher = Matcher::new(params, thresholds.clone())?;
    matcher.insert_many(records);
    let done = AtomicUsize::new(0);
    let mut pairs = parallel_chunks(records.len(), 64, |range| {
        let mut scratch = Vec::new();
        let mut pairs = Vec::new();
        for i in range.clone() {
            let index = i as u32;
            let query = matcher.register().view(index);
            for (j, breakdown) in matcher.score_candidates(&query, Some(index), &mut scratch) {
                if breakdown.band == Band::New {
                    continue;
                }
                let j = j as usize;
                pairs.push(Pair {
                    left: i.min(j),
                    right: i.max(j),
                    match_weight: breakdown.total,
                    match_probability: breakdown.probability(),
                    band: breakdown.band,
                    rules: breakdown.rules().map(|(rule, _)| rule).collect(),
                });
            }
        }
        progress(done.fetch_add(range.len(), Ordering::Relaxed) + range.len());
        pairs
    });
    pairs.sort_by_key(|p| (p.left, p.right));
    pairs.dedup_by_key(|p| (p.left, p.right));
    let clusters = clusters(
        records.len(),
        pairs
            .iter()
            .filter(|p| p.band == Band::Auto)
            .map(|p| (p.left, p.right)),
    );
    Ok(Dedupe { pairs, clusters })
}

/// Matches every query against `register` (a fresh matcher holding the register's records).
pub fn link(
    register: &[Record],
    queries: &[Record],
    params: &Params,
    thresholds: &Thresholds,
) -> Result<Vec<MatchOutcome>, ParamsError> {
    let mut matcher = Matcher::new(params, thresholds.clone())?;
    matcher.insert_many(register);
    Ok(matcher.match_batch(queries))
}

impl Matcher {
    /// Registers many people: normalised in parallel, then stored in the register on one
    /// thread while another files them in the blocking index (the same result as inserting one
    /// by one: both go in input order). A pipeline (one thread normalising the next slice
    /// while another stored and filed) was measured slower at a million: normalising is the
    /// larger part, and it then ran on one core (docs/benchmarks.md, issue 18). Storing and
    /// filing are independent — the index is built from the normalised values, not the
    /// register — so they run side by side.
    pub fn insert_many(&mut self, records: &[Record]) {
        self.reserve(records.len());
        // In slices, so the normalised copies never all exist at once.
        for slice in records.chunks(1 << 16) {
            self.insert_normalised_many(slice, &normalise_all(slice));
        }
    }

    /// Matches many queries in parallel; outcomes in query order.
    pub fn match_batch(&self, queries: &[Record]) -> Vec<MatchOutcome> {
        parallel_chunks(queries.len(), 16, |range| {
            queries[range]
                .iter()
                .map(|q| self.match_record(q))
                .collect()
        })
    }
}

/// Normalises records on all cores, in order.
pub(crate) fn normalise_all(records: &[Record]) -> Vec<Normalised> {
    parallel_chunks(records.len(), 1024, |range| {
        records[range].iter().map(Normalised::from_record).collect()
    })
}

/// Connected components (of two or more) of the graph on `n` nodes with these edges.
pub fn clusters(n: usize, edges: impl IntoIterator<Item = (usize, usize)>) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for (a, b) in edges {
        if a >= n || b >= n {
            continue;
        }
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n];
    for x in 0..n {
        let r = root(&mut parent, x);
        members[r].push(x);
    }
    members.into_iter().filter(|m| m.len() > 1).collect()
}

/// Runs `work` over chunks of `0..n` on all cores and concatenates the results in order.
pub(crate) fn parallel_chunks<T: Send>(
    n: usize,
    chunk: usize,
    work: impl Fn(Range<usize>) -> Vec<T> + Sync,
) -> Vec<T> {
    let chunk = chunk.max(1);
    let threads = std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
        .min(n.div_ceil(chunk))
        .max(1);
    let next = AtomicUsize::new(0);
    let claim = || {
        let start = next.fetch_add(chunk, Ordering::Relaxed);
        (start < n).then(|| start..(start + chunk).min(n))
    };
    let mut parts: Vec<(usize, Vec<T>)> = if threads == 1 {
        std::iter::from_fn(claim)
            .map(|range| (range.start, work(range)))
            .collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        std::iter::from_fn(claim)
                            .map(|range| (range.start, work(range)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    parts.sort_by_key(|(start, _)| *start);
    parts.into_iter().flat_map(|(_, part)| part).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clusters_are_connected_components() {
        let got = clusters(7, [(0, 3), (3, 5), (1, 2), (6, 6)]);
        assert_eq!(got, vec![vec![0, 3, 5], vec![1, 2]]);
    }

    #[test]
    fn parallel_chunks_keeps_order() {
        let out = parallel_chunks(1000, 64, |range| range.map(|i| i * 2).collect());
        assert_eq!(out, (0..1000).map(|i| i * 2).collect::<Vec<_>>());
    }
}
