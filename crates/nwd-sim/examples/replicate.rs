//! Runs replications of a scenario one after another on one thread, for CPU-time A/B runs on
//! a shared machine: `perf stat -e task-clock target/release/examples/replicate SCENARIO N`,
//! and the task-clock ÷ N is the CPU time per replication (start-up and parsing included, a
//! few milliseconds). Prints the node visits and events of the last replication.
//!
//! `cargo build --release -p nwd-sim --example replicate` builds it without the rest of the
//! workspace.

#![allow(clippy::print_stdout, reason = "a command-line tool")]

use nwd_sim::{replicate, Model, Scenario};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: replicate SCENARIO [N] [SEED]")?;
    let n: u32 = args.next().map_or(Ok(10), |a| a.parse())?;
    let seed: u64 = args.next().map_or(Ok(2026), |a| a.parse())?;
    let model = Model::new(&Scenario::from_toml(&std::fs::read_to_string(path)?)?)?;
    let mut last = None;
    for rep in 0..n {
        last = Some(replicate(&model, seed, rep).counts);
    }
    if let Some(counts) = last {
        println!(
            "{n} replications; the last: {} node visits, {} events, {} reneged",
            counts.node_visits, counts.events, counts.reneged
        );
    }
    Ok(())
}
