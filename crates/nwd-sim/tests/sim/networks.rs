//! Tandem and feedback networks: the simulated arrivals at every node (and need group) match
//! the traffic equations; an over-capacity node's list grows at the rate they predict.

use nwd_sim::{analyse, summarise, Estimate, DAYS_PER_YEAR};

use crate::support::{model, reps};

fn within(name: &str, estimate: Estimate, exact: f64) {
    println!(
        "{name}: simulated {:.1} ± {:.1}, traffic equations {exact:.1}",
        estimate.mean, estimate.hw
    );
    assert!(
        (estimate.mean - exact).abs() <= estimate.hw,
        "{name}: simulated {} ± {} but the traffic equations say {exact}",
        estimate.mean,
        estimate.hw
    );
}

#[test]
fn tandem_arrivals_match_traffic_equations() {
    let m = model(
        r#"
name = "tandem"
groups = ["a"]
arrivals = [ { source = "s", group = "a", per_year = 365.25, to = "first" } ]
[run]
warmup_days = 100
observe_days = 3000
[nodes.first]
servers = 3
service = { dist = "gamma", mean = 2.0, cv = 0.5 }
routing = [ { to = "second", p = 0.7 } ]
[nodes.second]
servers = 4
service = { dist = "lognormal", mean = 4.0, cv = 1.5 }
routing = [ { to = "third", p = 1.0 } ]
[nodes.third]
servers = 2
service = { dist = "exponential", mean = 1.0 }
"#,
    );
    let analytic = analyse(&m);
    let report = summarise(&m, &reps(&m, 100, 11, 2), 11);
    for (node, expected) in [("first", 365.25), ("second", 255.675), ("third", 255.675)] {
        assert!((analytic.nodes[node].arrivals_per_year - expected).abs() < 1e-9);
        assert!(analytic.nodes[node].utilisation < 0.75);
        within(node, report.nodes[node].total.arrivals_per_year, expected);
    }
    assert!((analytic.visits_per_referral - 2.4).abs() < 1e-12);
}

#[test]
fn feedback_with_need_group_changes_matches_traffic_equations() {
    // Step up and step down between two services, a return to the same service, DNA
    // discharges (which remove their share before routing) and DNA requeues (which do not).
    let m = model(
        r#"
name = "feedback"
groups = ["help", "more"]
arrivals = [
  { source = "gp", group = "help", per_year = 800, to = "triage" },
  { source = "ed", group = "more", per_year = 200, to = "triage" },
]
[run]
warmup_days = 200
observe_days = 3000
[nodes.triage]
kind = "triage"
servers = 5
service = { dist = "exponential", mean = 1.0 }
routing = [
  { group = "help", to = "help", p = 0.8 },
  { group = "more", to = "more", p = 0.9 },
]
[nodes.help]
servers = 20
service = { dist = "gamma", mean = 7.0, cv = 0.8 }
dna = { rate = 0.1, then = "discharge", slot = { dist = "fixed", mean = 0.5 } }
routing = [
  { to = "more", p = 0.2, becomes = "more" },
  { to = "help", p = 0.3 },
]
[nodes.more]
servers = 20
service = { dist = "exponential", mean = 10.0 }
dna = { rate = 0.15, then = "requeue" }
routing = [
  { to = "help", p = 0.4, becomes = "help" },
  { group = "more", to = "more", p = 0.1 },
]
"#,
    );
    let analytic = analyse(&m);
    let report = summarise(&m, &reps(&m, 20, 5, 2), 5);
    for node in ["triage", "help", "more"] {
        let exact = &analytic.nodes[node];
        within(
            node,
            report.nodes[node].total.arrivals_per_year,
            exact.arrivals_per_year,
        );
        for group in ["help", "more"] {
            within(
                &format!("{node}/{group}"),
                report.nodes[node].groups[group].arrivals_per_year,
                exact.arrivals_per_year_by_group[group],
            );
        }
        assert!(
            exact.utilisation < 1.0,
            "{node} must be under capacity for this test"
        );
    }
}

#[test]
fn over_capacity_list_grows_at_lambda_minus_c_mu() {
    // λ = 1.25 a day into 2 servers of mean 2 days (cμ = 1 a day): the list grows by 0.25 a day.
    let m = model(&format!(
        r#"
name = "over"
groups = ["a"]
arrivals = [ {{ source = "s", group = "a", per_year = {}, to = "node" }} ]
[run]
warmup_days = 0
observe_days = 2000
snapshot_every_days = 100
[nodes.node]
servers = 2
service = {{ dist = "exponential", mean = 2.0 }}
"#,
        1.25 * DAYS_PER_YEAR
    ));
    let analytic = analyse(&m);
    let growth = analytic.nodes["node"].list_growth_per_year;
    assert!((growth - 0.25 * DAYS_PER_YEAR).abs() < 1e-9);
    assert!(analytic.nodes["node"].erlang_c.is_none());
    let runs = reps(&m, 20, 3, 2);
    let slope = Estimate::of(runs.iter().map(|r| {
        let list = &r.snapshots[0];
        (list[list.len() - 1] - list[0]) / (2000.0 / DAYS_PER_YEAR)
    }));
    within("list growth per year", slope, growth);
}
