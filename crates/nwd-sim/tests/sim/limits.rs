//! Inputs that would crash the process or never finish are refused before any work, each
//! with its field named and the limit stated (issue 20; `nwd_sim::limits`): a rate that cannot
//! move the clock, a snapshot every nanosecond of a day, a run of a trillion days, a cycle
//! shorter than a day, an initial list of billions, and billions of replications.

use nwd_sim::limits::{MAX_REPLICATIONS, MAX_RUN_DAYS};
use nwd_sim::{Model, RunOptions, Scenario, SimError};

const SMALL: &str = r#"
name = "small"
groups = ["a"]
arrivals = [ { source = "gp", group = "a", per_year = 100 } ]
[run]
warmup_days = 0
observe_days = 60
[nodes.triage]
kind = "triage"
servers = 5
service = { dist = "exponential", mean = 1 }
routing = [ { to = "team", p = 1.0 } ]
[nodes.team]
servers = 2
service = { dist = "exponential", mean = 5 }
"#;

/// The small scenario with `from` replaced by `to` (which must be found).
fn with(from: &str, to: &str) -> Scenario {
    assert!(SMALL.contains(from), "{from}");
    Scenario::from_toml(&SMALL.replacen(from, to, 1)).unwrap()
}

fn refused(scenario: &Scenario, path: &str, fragment: &str) {
    let e = Model::new(scenario).expect_err("should be refused");
    assert!(
        e.mentions(path, fragment),
        "expected {path}: {fragment} in\n{e}"
    );
}

#[test]
fn the_small_scenario_runs() {
    let model = Model::new(&Scenario::from_toml(SMALL).unwrap()).unwrap();
    let options = RunOptions {
        replications: 2,
        seed: 1,
        threads: 1,
    };
    assert_eq!(nwd_sim::run(&model, &options, &|| {}).unwrap().len(), 2);
}

#[test]
fn a_rate_that_would_never_advance_time_is_refused() {
    refused(
        &with("per_year = 100", "per_year = 1e300"),
        "arrivals[0].per_year",
        "at most 10000000",
    );
    // Many streams each within the limit, together beyond it.
    let mut many = with("per_year = 100", "per_year = 9e6");
    many.arrivals.push(many.arrivals[0].clone());
    refused(&many, "arrivals", "over all streams");
}

#[test]
fn a_run_of_a_trillion_days_is_refused_with_the_window_named() {
    let scenario = with("observe_days = 60", "observe_days = 1e12");
    refused(&scenario, "run.observe_days", "at most 365250");
    // Only the run length: not also a complaint about the histogram's bins.
    assert_eq!(Model::new(&scenario).unwrap_err().0.len(), 1);
    refused(
        &with("warmup_days = 0", "warmup_days = 400000"),
        "run.warmup_days",
        "a thousand years",
    );
    // The limit itself is allowed.
    let edge = with(
        "observe_days = 60",
        &format!("observe_days = {MAX_RUN_DAYS}\nsnapshot_every_days = 365\nbin_days = 1"),
    );
    Model::new(&edge).unwrap();
}

#[test]
fn a_snapshot_every_nanosecond_is_refused() {
    refused(
        &with(
            "observe_days = 60",
            "observe_days = 60\nsnapshot_every_days = 1e-9",
        ),
        "run.snapshot_every_days",
        "at most 10000",
    );
}

#[test]
fn cycles_shorter_than_a_day_and_huge_initial_lists_are_refused() {
    refused(
        &with(
            "servers = 2\n",
            "servers = 2\ncapacity = [ { day = 0, servers = 1 } ]\ncapacity_repeat_days = 1e-9\n",
        ),
        "nodes.team.capacity_repeat_days",
        "≥ 1",
    );
    refused(
        &with(
            "servers = 2\n",
            "servers = 2\ninitial = [ { group = \"a\", count = 4294967295, waited = { dist = \"fixed\", mean = 1 } } ]\n",
        ),
        "nodes.team.initial",
        "at most 10000000",
    );
}

#[test]
fn billions_of_replications_are_refused_before_any_work() {
    let model = Model::new(&Scenario::from_toml(SMALL).unwrap()).unwrap();
    let run = |replications| {
        nwd_sim::run(
            &model,
            &RunOptions {
                replications,
                seed: 1,
                threads: 1,
            },
            &|| panic!("no replication may start"),
        )
    };
    assert!(matches!(
        run(u32::MAX),
        Err(SimError::TooManyReplications {
            asked: u32::MAX,
            max: MAX_REPLICATIONS
        })
    ));
    assert!(matches!(run(0), Err(SimError::NoReplications)));
    // Within the count, but snapshots every 4 days of a century for 10,000 replications would keep
    // more results than memory allows.
    let long = Model::new(&with(
        "observe_days = 60",
        "observe_days = 36000\nsnapshot_every_days = 4",
    ))
    .unwrap();
    let e = nwd_sim::check_replications(&long, MAX_REPLICATIONS).unwrap_err();
    assert!(matches!(e, SimError::ResultsTooLarge { .. }), "{e}");
    assert!(e.to_string().starts_with("replications:"), "{e}");
}
