//! `nwd-bench sim`: the simulator's speed and memory on the reference county pathway
//! (`config/scenarios/county.toml`: 1 warm-up + 3 observed years, about 268,000 node visits
//! per replication, statistics included):
//!
//! - time per replication on one core (the best and the median of `--single` runs), events and
//!   node visits per second;
//! - `--reps` replications on 1 and on 2 worker threads (wall time, scaling);
//! - memory per replication: the engine's own structures at the end of a replication (their
//!   peak: they never shrink) and the growth of the process's peak resident set over one
//!   replication on one thread;
//! - reneging's cost per visit (the county with and without its patience clocks);
//! - cost per visit against queue length: one 50-server node at ρ = 0.9 (a short queue) and at
//!   ρ = 3 (the list grows past 70,000 over 21 years), without and with reneging.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use nwd_sim::{replicate, run, Model, RunOptions, Scenario};

use crate::report;

/// Arguments of `nwd-bench sim`.
#[derive(clap::Args)]
pub struct Args {
    /// Scenario to time.
    #[arg(long, default_value = "config/scenarios/county.toml")]
    scenario: PathBuf,
    /// Replications for the parallel runs.
    #[arg(long, default_value_t = 100)]
    reps: u32,
    /// Replications timed one by one on one core.
    #[arg(long, default_value_t = 10)]
    single: u32,
    /// Seed.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Run only the one-core timing (for `perf stat` or `perf record` on a busy machine: the
    /// process's task-clock divided by `--single` is the CPU time per replication).
    #[arg(long)]
    single_only: bool,
}

/// Peak and current resident set of this process (kB), from /proc (Linux only).
fn resident_kb() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// CPU time this thread has run (ns), from /proc (Linux only): on a machine shared with other
/// work it measures the replication's own cost where wall time measures the contention too.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Times `n` replications one after another: (best wall, median wall, best CPU) seconds and
/// the last counts.
fn time_single(model: &Model, seed: u64, n: u32) -> (f64, f64, f64, nwd_sim::RunCounts) {
    let mut times = Vec::new();
    let mut cpu = f64::INFINITY;
    let mut counts = nwd_sim::RunCounts::default();
    for rep in 0..n.max(1) {
        let cpu_before = thread_cpu_ns();
        let started = Instant::now();
        let stats = replicate(model, seed, rep);
        times.push(started.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu_before, thread_cpu_ns()) {
            cpu = cpu.min(b.saturating_sub(a) as f64 / 1e9);
        }
        counts = stats.counts;
    }
    times.sort_by(f64::total_cmp);
    (times[0], times[times.len() / 2], cpu, counts)
}

fn per_visit_ns(seconds: f64, counts: &nwd_sim::RunCounts) -> f64 {
    seconds * 1e9 / counts.node_visits as f64
}

fn single_node(rho: f64, reneging: bool) -> anyhow::Result<Model> {
    let servers = 50.0;
    let mean_service = 10.0;
    let per_year = rho * servers / mean_service * nwd_sim::DAYS_PER_YEAR;
    let patience = if reneging {
        "reneging = [ { reason = \"withdrew\", patience = { dist = \"exponential\", mean = 2000 } } ]"
    } else {
        ""
    };
    let text = format!(
        "name = \"single\"\ngroups = [\"a\"]\n\
         arrivals = [ {{ source = \"s\", group = \"a\", per_year = {per_year}, to = \"node\" }} ]\n\
         [run]\nwarmup_days = 365\nobserve_days = 7300\n\
         [nodes.node]\nservers = {servers}\n\
         service = {{ dist = \"exponential\", mean = {mean_service} }}\n{patience}\n"
    );
    Ok(Model::new(&Scenario::from_toml(&text)?)?)
}

/// Runs the simulator benchmark.
pub async fn run_bench(args: Args) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.scenario)
        .with_context(|| format!("could not read {}", args.scenario.display()))?;
    let scenario = Scenario::from_toml(&text)?;
    let model = Model::new(&scenario)?;
    report(format!(
        "simulator: {} ({:.0} warm-up + {:.0} observed days), seed {}",
        scenario.name, scenario.run.warmup_days, scenario.run.observe_days, args.seed
    ));

    // Memory: the process's peak resident set grows by what one replication needs.
    let before = resident_kb();
    let first = replicate(&model, args.seed, 0);
    let after = resident_kb();
    let rss_growth_mb = match (before, after) {
        (Some((peak_before, _)), Some((peak_after, _))) => {
            Some((peak_after.saturating_sub(peak_before)) as f64 / 1024.0)
        }
        _ => None,
    };
    report(format!(
        "memory per replication: engine structures {:.1} MB; process peak resident set grew {} over one replication",
        first.counts.memory_bytes as f64 / 1e6,
        rss_growth_mb.map_or("(unknown: no /proc)".to_string(), |m| format!("{m:.1} MB")),
    ));

    // One core.
    let (best, median, cpu, counts) = time_single(&model, args.seed, args.single);
    report(format!(
        "one core: {:.1} ms per replication (best of {}), median {:.1} ms, best CPU time {:.1} ms; {} node visits, {} events; {:.1} M events/s, {:.0} ns per node visit",
        best * 1e3,
        args.single,
        median * 1e3,
        cpu * 1e3,
        counts.node_visits,
        counts.events,
        counts.events as f64 / best / 1e6,
        per_visit_ns(best, &counts)
    ));

    if args.single_only {
        return Ok(());
    }

    // Parallel.
    let mut walls = Vec::new();
    for threads in [1usize, 2] {
        let options = RunOptions {
            replications: args.reps,
            seed: args.seed,
            threads,
        };
        let started = Instant::now();
        let runs = run(&model, &options, &|| {})?;
        let wall = started.elapsed().as_secs_f64();
        let events: u64 = runs.iter().map(|r| r.counts.events).sum();
        report(format!(
            "{} replications on {threads} thread{}: {:.2} s ({:.1} ms per replication, {:.1} M events/s)",
            args.reps,
            if threads == 1 { "" } else { "s" },
            wall,
            wall * 1e3 / f64::from(args.reps),
            events as f64 / wall / 1e6
        ));
        walls.push(wall);
    }
    report(format!(
        "scaling 1 → 2 threads: {:.2}×",
        walls[0] / walls[1]
    ));

    // Reneging's cost per visit: the county without its patience clocks.
    let mut without = scenario.clone();
    for node in without.nodes.values_mut() {
        node.reneging.clear();
    }
    let without = Model::new(&without)?;
    let (_, _, cpu_without, counts_without) = time_single(&without, args.seed, args.single);
    let with_ns = per_visit_ns(cpu, &counts);
    let without_ns = per_visit_ns(cpu_without, &counts_without);
    report(format!(
        "reneging (county, CPU time): {with_ns:.0} ns per node visit with, {without_ns:.0} without: {:.2}×",
        with_ns / without_ns
    ));

    // Cost per visit against queue length.
    for reneging in [false, true] {
        let mut line = format!(
            "one node, 50 servers, {} reneging:",
            if reneging { "with" } else { "no" }
        );
        for rho in [0.9, 3.0] {
            let m = single_node(rho, reneging)?;
            let (_, _, cpu, counts) = time_single(&m, args.seed, args.single);
            let stats = replicate(&m, args.seed, 0);
            let list = stats.nodes[0].total.waiting_at_end;
            line += &format!(
                " ρ = {rho}: {:.0} ns per visit (CPU; list at end {list:.0});",
                per_visit_ns(cpu, &counts)
            );
        }
        report(line);
    }
    Ok(())
}
