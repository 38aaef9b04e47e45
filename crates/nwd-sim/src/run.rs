//! Replications in parallel: each replication is independent (its own random stream), runs on
//! whichever worker is free, and the results are collected in replication order — so the
//! results are bit-identical whatever the number of threads.

use rayon::prelude::*;

use crate::engine;
use crate::error::SimError;
use crate::limits::{MAX_REPLICATIONS, MAX_RESULT_BYTES};
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

/// Refuses a number of replications before any work: none, more than
/// [`MAX_REPLICATIONS`], or more than [`MAX_RESULT_BYTES`] of kept results (one 8-byte figure
/// per statistic and snapshot of each replication).
pub fn check_replications(model: &Model, replications: u32) -> Result<(), SimError> {
    if replications == 0 {
        return Err(SimError::NoReplications);
    }
    if replications > MAX_REPLICATIONS {
        return Err(SimError::TooManyReplications {
            asked: replications,
            max: MAX_REPLICATIONS,
        });
    }
    let per_replication = crate::report::keys(model).len() as u64;
    let bytes = per_replication
        .saturating_mul(8)
        .saturating_mul(u64::from(replications));
    if bytes > MAX_RESULT_BYTES {
        return Err(SimError::ResultsTooLarge {
            replications,
            per_replication,
            bytes,
            max: MAX_RESULT_BYTES,
        });
    }
    Ok(())
}

/// Runs `options.replications` replications on a local pool of `options.threads` workers,
/// calling `progress` after each one finishes (from the worker threads).
pub fn run(
    model: &Model,
    options: &RunOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<RepStats>, SimError> {
    check_replications(model, options.replications)?;
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
