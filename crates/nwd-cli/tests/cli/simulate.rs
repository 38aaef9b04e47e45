//! `nowrongdoor simulate` through the real binary (issue 20): inputs that would abort or
//! never finish are refused at once with the flag or the field named, and a small scenario
//! still runs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

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

fn scenario(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("nwd-simulate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

fn simulate(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_nowrongdoor"))
        .arg("simulate")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn billions_of_replications_are_refused_with_the_flag_named() {
    let path = scenario("small", SMALL);
    let (ok, stderr) = simulate(&["run", path.to_str().unwrap(), "--reps", "4294967295"]);
    assert!(!ok);
    assert!(stderr.contains("--reps"), "{stderr}");
    assert!(stderr.contains("10000"), "{stderr}");
    let (ok, stderr) = simulate(&[
        "run",
        path.to_str().unwrap(),
        "--reps",
        "2",
        "--threads",
        "1",
    ]);
    assert!(ok, "{stderr}");
}

#[test]
fn scenarios_that_would_never_finish_are_refused_with_the_field_named() {
    for (name, from, to, field) in [
        (
            "rate",
            "per_year = 100",
            "per_year = 1e300",
            "arrivals[0].per_year",
        ),
        (
            "window",
            "observe_days = 60",
            "observe_days = 1e12",
            "run.observe_days",
        ),
        (
            "snapshots",
            "observe_days = 60",
            "observe_days = 60\nsnapshot_every_days = 1e-9",
            "run.snapshot_every_days",
        ),
        (
            "servers",
            "servers = 2",
            "servers = -2",
            "nodes.team.servers",
        ),
        (
            "unknown",
            "servers = 2",
            "servers = 2\nservise = 3",
            "nodes.team.servise",
        ),
        ("missing", "servers = 2\n", "", "nodes.team.servers"),
    ] {
        let path = scenario(name, &SMALL.replacen(from, to, 1));
        for command in ["check", "run"] {
            let (ok, stderr) = simulate(
                &[command, path.to_str().unwrap(), "--reps", "2"]
                    [..if command == "check" { 2 } else { 4 }],
            );
            assert!(!ok, "{name} {command}");
            assert!(stderr.contains(field), "{name} {command}: {stderr}");
        }
    }
}
