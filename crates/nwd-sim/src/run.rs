//! Replications in parallel: each replication is independent (its own random stream), runs on
//! whichever worker is free, and the results are collected in replication order — so the
//! results are bit-identical whatever the number of threads.

use rayon::prelude::*;

use crate::engine;
use crate::error::SimError;
use crate::model::Model;
use crate::stats::RepStats;

/// How many replications, with which seed, on how many threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Replications (at least 1).
    pub replications: u32,
    /// Seed of every replication's stream.
    pub seed: u64,
    /// Worker threads (0: one per core).
    pub threads: usize,
}

/// Runs one replication: a pure function of (model, seed, replication number).
pub fn replicate(model: &Model, seed: u64, replication: u32) -> RepStats {
    engine::replicate(model, seed, u64::from(replication))
}

/// Runs `options.replications` replications on a local pool of `options.threads` workers,
/// calling `progress` after each one finishes (from the worker threads).
pub fn run(
    model: &Model,
    options: &RunOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<RepStats>, SimError> {
    if options.replications == 0 {
        return Err(SimError::NoReplications);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .map_err(|e| SimError::ThreadPool {
            threads: options.threads,
            reason: e.to_string(),
        })?;
    Ok(pool.install(|| {
        (0..options.replications)
            .into_par_iter()
            .map(|rep| {
                let stats = replicate(model, options.seed, rep);
                progress();
                stats
            })
            .collect()
    }))
}
