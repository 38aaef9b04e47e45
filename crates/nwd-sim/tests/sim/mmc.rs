//! M/M/c: the simulated mean wait, probability of waiting, median and 90th-percentile wait and
//! mean queue agree with Erlang C at several loads up to ρ = 0.95.
//!
//! Each case runs 20 replications of a long observed window after a warm-up of many relaxation
//! times, so the estimates are close to the steady state, and asserts that Erlang C's value lies
//! inside the simulated 95 % confidence interval, widened by half a histogram bin for the
//! quantiles (they are exact to within one bin). The seed is fixed, so the test is not flaky.

use nwd_sim::{erlang_c, summarise, GroupStats, DAYS_PER_YEAR};

use crate::support::{model, reps};

/// Histogram bins of the quantiles (days; a service takes 1 day on average).
const BIN: f64 = 0.01;

fn scenario(lambda: f64, servers: u32, warmup: f64, observe: f64) -> String {
    format!(
        r#"
name = "mmc"
groups = ["all"]
arrivals = [ {{ source = "any", group = "all", per_year = {per_year}, to = "queue" }} ]
[run]
warmup_days = {warmup}
observe_days = {observe}
snapshot_every_days = {observe}
bin_days = {BIN}
max_wait_days = 400
[nodes.queue]
servers = {servers}
service = {{ dist = "exponential", mean = 1.0 }}
"#,
        per_year = lambda * DAYS_PER_YEAR
    )
}

fn check(lambda: f64, servers: u32, warmup: f64, observe: f64) {
    let m = model(&scenario(lambda, servers, warmup, observe));
    let runs = reps(&m, 20, 7, 2);
    let report = summarise(&m, &runs, 7);
    let sim: &GroupStats<nwd_sim::Estimate> = &report.nodes["queue"].total;
    let exact = erlang_c(lambda, 1.0, servers).unwrap();
    let cases = [
        ("mean wait", sim.mean_wait_days, exact.mean_wait_days, 0.0),
        ("P(wait)", sim.p_wait, exact.p_wait, 0.0),
        (
            "median wait",
            sim.p50_wait_days,
            exact.p50_wait_days,
            BIN / 2.0,
        ),
        (
            "p90 wait",
            sim.p90_wait_days,
            exact.p90_wait_days,
            BIN / 2.0,
        ),
        ("mean queue", sim.mean_list, exact.mean_list, 0.0),
    ];
    let rho = lambda / f64::from(servers);
    for (name, estimate, exact, slack) in cases {
        println!(
            "c={servers} ρ={rho:.2} {name}: simulated {:.4} ± {:.4}, Erlang C {exact:.4}",
            estimate.mean, estimate.hw
        );
        assert!(
            (estimate.mean - exact).abs() <= estimate.hw + slack,
            "c={servers} ρ={rho}: {name} simulated {} ± {} but Erlang C says {exact}",
            estimate.mean,
            estimate.hw
        );
    }
    // The analytic figures reported beside the simulation are the same Erlang C.
    let analytic = report.nodes["queue"].analytic.erlang_c.unwrap();
    assert!((analytic.mean_wait_days - exact.mean_wait_days).abs() < 1e-9 * exact.mean_wait_days);
    assert!((report.nodes["queue"].analytic.utilisation - rho).abs() < 1e-12);
    assert!(
        (report.nodes["queue"].utilisation.mean - rho).abs()
            <= report.nodes["queue"].utilisation.hw
    );
}

#[test]
fn mm1_at_rho_0_6() {
    check(0.6, 1, 200.0, 20_000.0);
}

#[test]
fn mm3_at_rho_0_8() {
    check(2.4, 3, 500.0, 20_000.0);
}

#[test]
fn mm10_at_rho_0_9() {
    check(9.0, 10, 500.0, 10_000.0);
}

#[test]
fn mm2_at_rho_0_95() {
    // Relaxation time ≈ 1/(cμ(1 − √ρ)²) ≈ 800 days: warm up 10,000, observe 100,000 per replication.
    check(1.9, 2, 10_000.0, 100_000.0);
}
