//! Helpers shared by the tests: build a model from TOML, run replications.

use nwd_sim::{run, Model, RepStats, RunOptions, Scenario};

pub fn model(toml: &str) -> Model {
    let scenario = Scenario::from_toml(toml).unwrap_or_else(|e| panic!("{e}"));
    Model::new(&scenario).unwrap_or_else(|e| panic!("{e}"))
}

pub fn reps(model: &Model, replications: u32, seed: u64, threads: usize) -> Vec<RepStats> {
    run(
        model,
        &RunOptions {
            replications,
            seed,
            threads,
        },
        &|| {},
    )
    .unwrap()
}
