//! Priority queueing: at a node, urgent referrals start before routine ones (non-preemptive),
//! first come first served within each. On M/M/1 with two classes the simulated mean waits
//! agree with Cobham's formula for non-preemptive priority (Cobham 1954; Kleinrock, Queueing
//! Systems vol. 2, 1976, §3.6): W_k = W₀ / ((1 − σ_{k−1})(1 − σ_k)), W₀ = Σ λᵢ E[Sᵢ²] / 2,
//! σ_k the load of classes 1..k; and the average over both classes keeps FIFO's mean wait
//! (the conservation law), since priority only reorders who waits.

use nwd_sim::{summarise, Scenario, DAYS_PER_YEAR};

use crate::support::{model, reps};

/// Urgent 0.2 a day and routine 0.6 a day at one server with exponential service of 1 day.
fn scenario(urgent_priority: &str) -> String {
    format!(
        r#"
name = "priority"
groups = ["urgent", "routine"]
arrivals = [
  {{ source = "gp", group = "urgent", per_year = {urgent}, to = "team"{urgent_priority} }},
  {{ source = "gp", group = "routine", per_year = {routine}, to = "team" }},
]
[run]
warmup_days = 2000
observe_days = 20000
snapshot_every_days = 20000
max_wait_days = 400
[nodes.team]
servers = 1
service = {{ dist = "exponential", mean = 1.0 }}
"#,
        urgent = 0.2 * DAYS_PER_YEAR,
        routine = 0.6 * DAYS_PER_YEAR,
    )
}

#[test]
fn urgent_referrals_wait_as_cobhams_formula_says() {
    let m = model(&scenario(r#", priority = "urgent""#));
    let report = summarise(&m, &reps(&m, 20, 11, 2), 11);
    let team = &report.nodes["team"];
    // W₀ = (0.2 + 0.6) × 2 / 2 = 0.8; urgent 0.8 / (1 × 0.8) = 1; routine 0.8 / (0.8 × 0.2) = 5.
    let cases = [
        ("urgent", team.groups["urgent"].mean_wait_days, 1.0),
        ("routine", team.groups["routine"].mean_wait_days, 5.0),
        ("both", team.total.mean_wait_days, 4.0),
    ];
    for (name, estimate, exact) in cases {
        println!(
            "{name}: simulated {:.4} ± {:.4}, formula {exact}",
            estimate.mean, estimate.hw
        );
        assert!(
            (estimate.mean - exact).abs() <= estimate.hw.max(0.02 * exact),
            "{name}: simulated {} ± {} but the formula says {exact}",
            estimate.mean,
            estimate.hw
        );
    }
}

#[test]
fn without_priority_both_groups_wait_alike() {
    let m = model(&scenario(""));
    let report = summarise(&m, &reps(&m, 20, 11, 2), 11);
    let team = &report.nodes["team"];
    // FIFO M/M/1 at ρ = 0.8: everyone waits 4 days on average, whatever their group.
    for group in ["urgent", "routine"] {
        let w = team.groups[group].mean_wait_days;
        assert!((w.mean - 4.0).abs() <= w.hw.max(0.08), "{group}: {w:?}");
    }
}

#[test]
fn a_priority_is_read_written_and_refused_by_name() {
    let scenario = Scenario::from_toml(&scenario(r#", priority = "urgent""#)).unwrap();
    assert_eq!(
        scenario.arrivals[0].priority,
        nwd_sim::scenario::Priority::Urgent
    );
    let written = scenario.to_toml().unwrap();
    assert_eq!(written.matches("priority = ").count(), 1, "{written}");
    let e = Scenario::from_toml(&self::scenario(r#", priority = "soon""#))
        .unwrap_err()
        .to_string();
    assert!(e.contains("arrivals[0].priority"), "{e}");
    assert!(e.contains("urgent") && e.contains("routine"), "{e}");
}

/// Urgent and routine referrals of the same need group routed apart out of triage (issue 20:
/// calibrated urgent referrals go mostly to crisis services): each priority follows its own
/// rules, in the simulation and in the traffic equations, and a rule naming no priority
/// applies to both.
#[test]
fn urgent_and_routine_visits_of_a_group_route_apart() {
    let text = format!(
        r#"
name = "routing by priority"
groups = ["getting_help"]
arrivals = [
  {{ source = "gp", group = "getting_help", per_year = {urgent}, priority = "urgent" }},
  {{ source = "gp", group = "getting_help", per_year = {routine} }},
]
[run]
warmup_days = 200
observe_days = 4000
snapshot_every_days = 4000
max_wait_days = 400
[nodes.triage]
kind = "triage"
servers = 50
service = {{ dist = "fixed", mean = 0.1 }}
routing = [
  {{ group = "getting_help", to = "crisis", p = 0.9, priority = "urgent" }},
  {{ group = "getting_help", to = "community", p = 0.8, priority = "routine" }},
  {{ to = "community", p = 0.1 }},
]
[nodes.crisis]
servers = 20
service = {{ dist = "exponential", mean = 1.0 }}
[nodes.community]
servers = 40
service = {{ dist = "exponential", mean = 5.0 }}
"#,
        urgent = 0.5 * DAYS_PER_YEAR,
        routine = 4.0 * DAYS_PER_YEAR,
    );
    let m = model(&text);
    let report = summarise(&m, &reps(&m, 10, 7, 2), 7);
    let per_year = |node: &str| report.nodes[node].total.arrivals_per_year.mean;
    let analytic = |node: &str| report.nodes[node].analytic.arrivals_per_year;
    // Crisis: 0.9 of the urgent only. Community: 0.8 + 0.1 of the routine, 0.1 of the urgent.
    let crisis = 0.9 * 0.5 * DAYS_PER_YEAR;
    let community = (0.9 * 4.0 + 0.1 * 0.5) * DAYS_PER_YEAR;
    assert!(
        (analytic("crisis") - crisis).abs() < 1e-6,
        "{}",
        analytic("crisis")
    );
    assert!(
        (analytic("community") - community).abs() < 1e-6,
        "{}",
        analytic("community")
    );
    for (node, exact) in [("crisis", crisis), ("community", community)] {
        let simulated = per_year(node);
        assert!(
            (simulated - exact).abs() < 0.03 * exact,
            "{node}: simulated {simulated} a year, the rules say {exact}"
        );
    }
}

#[test]
fn a_routes_priority_is_read_and_its_sum_checked_per_priority() {
    let text = |p_urgent: f64| {
        format!(
            r#"
name = "sums"
groups = ["g"]
arrivals = [{{ source = "gp", group = "g", per_year = 100, priority = "urgent" }}]
[run]
warmup_days = 10
observe_days = 100
snapshot_every_days = 100
max_wait_days = 50
[nodes.triage]
kind = "triage"
servers = 5
service = {{ dist = "fixed", mean = 0.1 }}
routing = [
  {{ to = "team", p = 0.5 }},
  {{ to = "team", p = {p_urgent}, priority = "urgent" }},
  {{ to = "team", p = 0.5, priority = "routine" }},
]
[nodes.team]
servers = 5
service = {{ dist = "exponential", mean = 1.0 }}
"#
        )
    };
    // 0.5 + 0.5 = 1 for each priority: valid, although the three rules add up to 1.5.
    model(&text(0.5));
    let e = Scenario::from_toml(&text(0.6))
        .and_then(|s| nwd_sim::Model::new(&s).map(|_| ()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("nodes.triage.routing"), "{e}");
    assert!(e.contains("(urgent) sum to 1.1"), "{e}");
}
