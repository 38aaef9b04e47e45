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
