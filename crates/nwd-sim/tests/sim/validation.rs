//! Scenario validation: every problem is reported, each naming its field.

use nwd_sim::{Model, Scenario};

fn errors(text: &str) -> nwd_sim::ScenarioErrors {
    let scenario = match Scenario::from_toml(text) {
        Ok(s) => s,
        Err(e) => return e,
    };
    match Model::new(&scenario) {
        Ok(_) => panic!("the scenario should not validate"),
        Err(e) => e,
    }
}

#[test]
fn every_problem_is_reported_with_its_field_path() {
    let e = errors(
        r#"
name = "broken"
groups = ["help", "more", "help"]
arrivals = [
  { source = "gp", group = "help", per_year = -5, to = "triage" },
  { source = "gp", group = "unknown_group", per_year = 10 },
  { source = "gp", group = "more", per_year = 10, profile = "nope" },
]
[run]
observe_days = 0
[profiles.bad]
weekly = [1, 1, 1]
[nodes.triage]
kind = "triage"
servers = 2
service = { dist = "gamma", mean = 3, cv = 0 }
routing = [
  { to = "help", p = 0.6 },
  { to = "help", p = 0.47, group = "help" },
  { to = "nowhere", p = 0.1 },
]
[nodes.help]
servers = 1
service = { dist = "lognormal", mean = -1, cv = 0.5 }
dna = { rate = 1.2, then = "requeue" }
capacity = [ { day = 50, servers = 2 }, { day = 10, servers = 3 } ]
initial = [ { group = "help", count = 3 } ]
initial_in_service = [ { group = "help", count = 5 } ]
"#,
    );
    println!("{e}");
    let expected = [
        ("groups[2]", "listed twice"),
        ("run.observe_days", "> 0"),
        ("profiles.bad.weekly", "7 values"),
        ("arrivals[0].per_year", "≥ 0"),
        ("arrivals[1].group", "unknown need group \"unknown_group\""),
        ("arrivals[2].profile", "unknown profile \"nope\""),
        ("nodes.triage.service.cv", "> 0"),
        (
            "nodes.triage.routing",
            "probabilities for group help sum to 1.07, must be ≤ 1",
        ),
        ("nodes.triage.routing[2].to", "unknown node \"nowhere\""),
        ("nodes.help.service.mean", "> 0"),
        ("nodes.help.dna.rate", "below 1"),
        ("nodes.help.capacity[1].day", "must increase"),
        ("nodes.help.initial[0]", "waited_days"),
        ("nodes.help.initial_in_service", "only 1 servers"),
    ];
    for (path, fragment) in expected {
        assert!(
            e.mentions(path, fragment),
            "missing {path}: {fragment} in\n{e}"
        );
    }
    assert_eq!(e.0.len(), expected.len(), "{e}");
}

#[test]
fn a_loop_nobody_can_leave_is_refused() {
    let e = errors(
        r#"
name = "trap"
groups = ["a"]
arrivals = [ { source = "s", group = "a", per_year = 10, to = "x" } ]
[nodes.x]
servers = 1
service = { dist = "exponential", mean = 1 }
routing = [ { to = "y", p = 1.0 } ]
[nodes.y]
servers = 1
service = { dist = "exponential", mean = 1 }
routing = [ { to = "x", p = 1.0 } ]
"#,
    );
    assert!(e.mentions("nodes.x.routing", "can never leave"), "{e}");
    assert!(e.mentions("nodes.y.routing", "can never leave"), "{e}");
}

/// A file serde cannot read names the path of the field as well as the line (issue 20):
/// a negative `servers`, a misspelt field, a missing one, an unknown distribution, in TOML
/// and in JSON, inside a table of nodes and inside a list of arrivals.
#[test]
fn syntax_and_type_errors_name_the_field_path_and_line() {
    let node = "[nodes.x]\nservers = -1\nservice = { dist = \"exponential\", mean = 1 }\n";
    let e = errors(&format!("name = \"x\"\ngroups = [\"a\"]\n{node}"));
    assert!(e.mentions("nodes.x.servers", "line 4"), "{e}");
    let e = errors("name = \"x\"\ngroups = [\"a\"]\n[nodes.x]\nservers = 1\nservice = { dist = \"weibull\", mean = 1 }\n");
    assert!(e.mentions("nodes.x.service", "weibull"), "{e}");
    let e = errors("name = \"x\"\ngroups = [\"a\"]\n[nodes.x]\nservers = 1\nservice = { dist = \"exponential\", mean = 1 }\nservise = 3\n");
    assert!(e.mentions("nodes.x.servise", "unknown field"), "{e}");
    let e = errors("name = \"x\"\ngroups = [\"a\"]\n[nodes.x]\nservice = { dist = \"exponential\", mean = 1 }\n");
    assert!(e.mentions("nodes.x.servers", "missing field"), "{e}");
    let e = errors("name = \"x\"\ngroups = [\"a\"]\narrivals = [ { source = \"gp\", group = \"a\", per_year = 1 }, { source = \"gp\", group = \"a\", per_year = \"many\" } ]\n[nodes.x]\nservers = 1\nservice = { dist = \"exponential\", mean = 1 }\n");
    assert!(e.mentions("arrivals[1].per_year", "invalid type"), "{e}");
    let e = Scenario::from_json(
        r#"{"name": "x", "groups": ["a"], "nodes": {"x": {"servers": -3, "service": {"dist": "fixed", "mean": 1}}}}"#,
    )
    .unwrap_err();
    assert!(e.mentions("nodes.x.servers", "-3"), "{e}");
    let e = Scenario::from_json(r#"{"groups": ["a"], "nodes": {}}"#).unwrap_err();
    assert!(e.mentions("name", "missing field"), "{e}");
}

#[test]
fn the_county_example_validates() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/scenarios/county.toml"
    ))
    .unwrap();
    let scenario = Scenario::from_toml(&text).unwrap();
    let model = Model::new(&scenario).unwrap();
    let a = nwd_sim::analyse(&model);
    assert!(
        (a.referrals_per_year - 30_000.0).abs() < 200.0,
        "{}",
        a.referrals_per_year
    );
    // Round trip through TOML keeps the scenario.
    let again = Scenario::from_toml(&scenario.to_toml().unwrap()).unwrap();
    assert_eq!(again, scenario);
}
