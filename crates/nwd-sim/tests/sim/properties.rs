//! Conservation on random small networks: every visit that entered (external arrivals and the
//! initial lists and caseloads) has departed, reneged, or is still in the network at the end.
//! The engine's counters are unsigned and the tests run with overflow checks, so a list count
//! going below zero would also fail here.

use proptest::prelude::*;

use nwd_sim::replicate;

use crate::support::model;

/// A random network of 1–3 nodes and 1–2 need groups, written as a scenario file.
fn network() -> impl Strategy<Value = String> {
    (1usize..=3, 1usize..=2).prop_flat_map(|(nodes, groups)| {
        let node = (
            0u32..4,                                              // servers
            prop::sample::select(vec!["exponential", "gamma", "lognormal", "fixed"]),
            0.2f64..5.0,                                          // mean service
            prop::collection::vec((0..nodes, 0..groups, 0.0f64..1.0), 0..4), // routes
            prop::option::of((0.0f64..0.5, any::<bool>())),       // DNA
            prop::option::of(1.0f64..30.0),                       // patience
            prop::option::of((1.0f64..100.0, 0u32..5)),           // a capacity change
            0u32..6,                                              // initial list
        );
        (
            Just((nodes, groups)),
            prop::collection::vec(node, nodes),
            prop::collection::vec((0..nodes, 0..groups, 10.0f64..2000.0), 1..4),
        )
    })
    .prop_map(|((_, groups), specs, arrivals)| {
        let name = |n: usize| format!("n{n}");
        let group = |g: usize| format!("g{g}");
        let mut text = format!(
            "name = \"random\"\ngroups = [{}]\narrivals = [\n",
            (0..groups).map(|g| format!("\"{}\"", group(g))).collect::<Vec<_>>().join(", ")
        );
        for (n, g, rate) in &arrivals {
            text += &format!(
                "  {{ source = \"s\", group = \"{}\", per_year = {rate}, to = \"{}\" }},\n",
                group(*g),
                name(*n)
            );
        }
        text += "]\n[run]\nwarmup_days = 20\nobserve_days = 200\nsnapshot_every_days = 10\n";
        for (n, (servers, dist, mean, routes, dna, patience, change, initial)) in specs.iter().enumerate() {
            text += &format!("[nodes.{}]\nservers = {servers}\n", name(n));
            text += &match *dist {
                "exponential" | "fixed" => format!("service = {{ dist = \"{dist}\", mean = {mean} }}\n"),
                _ => format!("service = {{ dist = \"{dist}\", mean = {mean}, cv = 0.7 }}\n"),
            };
            // Scale so each group's probabilities sum to at most 0.9 (every visit can leave).
            let total: f64 = routes.iter().map(|r| r.2).sum::<f64>().max(1.0);
            text += "routing = [\n";
            for (to, becomes, p) in routes {
                text += &format!(
                    "  {{ to = \"{}\", p = {}, becomes = \"{}\" }},\n",
                    name(*to),
                    0.9 * p / total,
                    group(*becomes)
                );
            }
            text += "]\n";
            if let Some((rate, requeue)) = dna {
                let then = if *requeue { "requeue" } else { "discharge" };
                text += &format!("dna = {{ rate = {rate}, then = \"{then}\" }}\n");
            }
            if let Some(mean) = patience {
                text += &format!(
                    "reneging = [ {{ reason = \"withdrew\", patience = {{ dist = \"exponential\", mean = {mean} }} }} ]\n"
                );
            }
            if let Some((day, servers)) = change {
                text += &format!("capacity = [ {{ day = {day}, servers = {servers} }} ]\n");
            }
            if *initial > 0 {
                text += &format!(
                    "initial = [ {{ group = \"{}\", count = {initial}, waited = {{ dist = \"exponential\", mean = 10 }} }} ]\n",
                    group(0)
                );
            }
        }
        text
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn visits_are_conserved(text in network(), seed in any::<u64>()) {
        let m = model(&text);
        let r = replicate(&m, seed, 0);
        let c = r.counts;
        prop_assert_eq!(
            c.arrivals + c.initial,
            c.departures + c.reneged + c.in_system,
            "{:?}\n{}", c, text
        );
        // What waits at the end is part of what is in the network.
        let waiting: f64 = r.nodes.iter().map(|n| n.total.waiting_at_end).sum();
        prop_assert!(waiting <= c.in_system as f64);
        for node in &r.nodes {
            prop_assert!(node.total.mean_list >= 0.0);
            prop_assert!(node.utilisation.is_nan() || node.utilisation >= 0.0);
        }
    }
}
