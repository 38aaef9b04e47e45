//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz) and for the corpus regression
//! test (`tests/sim/fuzz_corpus.rs`), which feeds every committed corpus file through the same
//! function on stable Rust. Takes arbitrary bytes, must never panic, and asserts the scenario
//! reader's invariants. Not part of the supported API.

use crate::{analyse, replicate, Model, Scenario};

/// Largest scenario the target simulates (arrivals per year, initial list, servers), so that
/// one input stays fast; larger valid scenarios are still parsed, validated and analysed.
const MAX_SIMULATED: f64 = 2_000.0;

/// A scenario file: the first byte picks TOML (even) or JSON (odd), the rest is the file.
///
/// Invariants: an error names at least one field, each with a message; a scenario that
/// validates writes as TOML that reads back equal; the closed-form analysis and one short
/// replication (30 days, a small scenario) of a valid scenario finish without panicking.
pub fn scenario(data: &[u8]) {
    let Some((format, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let parsed = if format % 2 == 0 {
        Scenario::from_toml(&text)
    } else {
        Scenario::from_json(&text)
    };
    let mut scenario = match parsed {
        Ok(scenario) => scenario,
        Err(errors) => {
            assert!(!errors.0.is_empty(), "an error without a field");
            return;
        }
    };
    let model = match Model::new(&scenario) {
        Ok(model) => model,
        Err(errors) => {
            assert!(!errors.0.is_empty(), "an invalid scenario without errors");
            assert!(errors
                .0
                .iter()
                .all(|e| !e.path.is_empty() && !e.message.is_empty()));
            return;
        }
    };
    match scenario.to_toml().map(|t| Scenario::from_toml(&t)) {
        Ok(Ok(again)) => assert_eq!(again, scenario, "TOML round trip changed the scenario"),
        Ok(Err(e)) => unreachable!("written scenario did not read back: {e}"),
        Err(e) => unreachable!("valid scenario could not be written: {e}"),
    }
    let _ = analyse(&model);
    let arrivals: f64 = scenario.arrivals.iter().map(|a| a.per_year).sum();
    let people: f64 = scenario
        .nodes
        .values()
        .map(|n| {
            let initial: f64 = n
                .initial
                .iter()
                .map(|i| i.count.unwrap_or(0) as f64 + i.waited_days.len() as f64)
                .sum();
            let in_service: f64 = n
                .initial_in_service
                .iter()
                .map(|i| f64::from(i.count))
                .sum();
            initial + in_service + f64::from(n.servers)
        })
        .sum();
    let fast_schedule = scenario
        .nodes
        .values()
        .any(|n| n.capacity_repeat_days.is_some_and(|d| d < 1.0) || n.capacity.len() > 100);
    if arrivals + people > MAX_SIMULATED || fast_schedule {
        return;
    }
    let run = &mut scenario.run;
    run.warmup_days = run.warmup_days.min(10.0);
    run.observe_days = run.observe_days.min(30.0);
    run.snapshot_every_days = run.snapshot_every_days.max(1.0);
    run.bin_days = run.bin_days.max(0.1);
    run.max_wait_days = None;
    if let Ok(short) = Model::new(&scenario) {
        let _ = replicate(&short, 1, 0);
    }
}
