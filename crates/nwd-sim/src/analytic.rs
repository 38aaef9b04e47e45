//! The closed-form figures shown beside the simulated ones, so a reader sees when a simple
//! formula misleads:
//!
//! - **Traffic equations** of an open network: the arrival rate at every (node, need group)
//!   solves λ = γ + λP (γ the external rates, P the routing probabilities, a did-not-attend
//!   discharge removing its share). Utilisation ρ = offered load / servers; a node with ρ > 1
//!   has no steady state and its list grows by λ − cμ a year.
//! - **Erlang C** (M/M/c) for each node on its own: probability of waiting, mean wait, wait
//!   quantiles (P(W > t) = C·e^(−(cμ−λ)t)) and mean queue; plus the Allen–Cunneen correction of
//!   the mean wait for non-exponential service, Wq ≈ Wq(M/M/c)·(1 + cv²)/2 (Allen, *Probability,
//!   Statistics and Queueing Theory*, 2nd ed. 1990, §6; arrivals taken as Poisson, ca² = 1).
//! - **CAPA** demand and capacity (the Choice and Partnership Approach's spreadsheet view, as
//!   in the NHS CYP referral management tool): demand per week against capacity per week, and
//!   the weeks it takes the surplus to clear today's list.
//!
//! Each node lists its caveats: where the assumptions behind these formulas do not hold in
//! the scenario (time-varying capacity, profiles, reneging, non-exponential service, an
//! over-capacity node upstream, an initial list).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{Model, Waited, DAYS_PER_YEAR};

/// The closed-form figures for a whole scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analytic {
    /// External referrals per year.
    pub referrals_per_year: f64,
    /// Node visits per referral (Σ node arrival rates / Σ external rates).
    pub visits_per_referral: f64,
    /// Per node.
    pub nodes: BTreeMap<String, NodeAnalytic>,
}

/// The closed-form figures for one node.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeAnalytic {
    /// Arrivals per year by the traffic equations.
    pub arrivals_per_year: f64,
    /// The same by need group.
    pub arrivals_per_year_by_group: BTreeMap<String, f64>,
    /// Server-days one visit needs on average (service, plus slots lost to did-not-attend).
    pub slot_days_per_visit: f64,
    /// Time-average servers over the observation window.
    pub servers: f64,
    /// Offered load / servers.
    pub utilisation: f64,
    /// Growth of the waiting list per year when over capacity (λ − cμ), else 0.
    pub list_growth_per_year: f64,
    /// Erlang C, when the node is under capacity.
    pub erlang_c: Option<ErlangC>,
    /// CAPA demand and capacity.
    pub capa: Capa,
    /// Where the formulas' assumptions do not hold here.
    pub caveats: Vec<String>,
}

/// Erlang C (M/M/c) results for one node.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErlangC {
    /// Servers used.
    pub servers: u32,
    /// Probability an arrival waits.
    pub p_wait: f64,
    /// Mean wait (days).
    pub mean_wait_days: f64,
    /// Median wait (days).
    pub p50_wait_days: f64,
    /// 90th-percentile wait (days).
    pub p90_wait_days: f64,
    /// Mean number waiting.
    pub mean_list: f64,
    /// Allen–Cunneen's mean wait for the node's service-time variability (days).
    pub mean_wait_allen_cunneen_days: f64,
}

/// CAPA demand and capacity for one node.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Capa {
    /// Visits arriving per week.
    pub demand_per_week: f64,
    /// Visits the servers can complete per week.
    pub capacity_per_week: f64,
    /// Demand / capacity.
    pub ratio: f64,
    /// The list at day 0.
    pub initial_list: f64,
    /// Weeks for the weekly surplus to clear the initial list (none when there is no surplus).
    pub weeks_to_clear_initial_list: Option<f64>,
}

/// Erlang C for `servers` servers, arrival rate `lambda` and mean service `mean_service`
/// (same time unit); `None` when the load reaches capacity or there are no servers.
pub fn erlang_c(lambda: f64, mean_service: f64, servers: u32) -> Option<ErlangC> {
    let a = lambda * mean_service;
    let c = f64::from(servers);
    if servers == 0 || a >= c || lambda <= 0.0 {
        return None;
    }
    // Erlang B by the stable recursion B(k) = a·B(k−1) / (k + a·B(k−1)), then
    // C = B / (1 − (a/c)(1 − B)).
    let mut b = 1.0;
    for k in 1..=servers {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / c;
    let p_wait = b / (1.0 - rho * (1.0 - b));
    let drain = c / mean_service - lambda;
    let quantile = |q: f64| {
        if p_wait <= 1.0 - q {
            0.0
        } else {
            (p_wait / (1.0 - q)).ln() / drain
        }
    };
    let mean_wait = p_wait / drain;
    Some(ErlangC {
        servers,
        p_wait,
        mean_wait_days: mean_wait,
        p50_wait_days: quantile(0.5),
        p90_wait_days: quantile(0.9),
        mean_list: lambda * mean_wait,
        mean_wait_allen_cunneen_days: mean_wait,
    })
}

/// Arrival rates per day at every (node, group), `node * groups + group`, by the traffic
/// equations (Gaussian elimination with partial pivoting), solved per lane (group and
/// priority: a visit keeps its priority, and the two may route apart) and summed over the
/// two priorities. Validation guarantees a solution.
pub(crate) fn traffic(model: &Model) -> Vec<f64> {
    let groups = model.groups.len();
    let lanes = 2 * groups;
    let states = model.nodes.len() * lanes;
    let id = |n: usize, l: usize| n * lanes + l;
    // Row t of (I − Pᵀ): λ_t − Σ_s λ_s P[s→t] = γ_t.
    let mut a = vec![vec![0.0; states + 1]; states];
    for (t, row) in a.iter_mut().enumerate() {
        row[t] = 1.0;
    }
    for s in &model.streams {
        a[id(s.node, crate::model::lane(s.group, s.urgent))][states] += s.rate;
    }
    for (n, node) in model.nodes.iter().enumerate() {
        let pass = node
            .dna
            .as_ref()
            .map_or(1.0, |d| if d.requeue { 1.0 } else { 1.0 - d.rate });
        for l in 0..lanes {
            let urgent = l.is_multiple_of(2);
            for r in &node.routes[l] {
                a[id(r.to, crate::model::lane(r.group, urgent))][id(n, l)] -= r.p * pass;
            }
        }
    }
    for col in 0..states {
        let pivot = (col..states)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        let p = a[col][col];
        if p.abs() < 1e-300 {
            continue;
        }
        let pivot_row = a[col].clone();
        for (row, values) in a.iter_mut().enumerate() {
            if row != col {
                let f = values[col] / p;
                if f != 0.0 {
                    for (v, pv) in values[col..].iter_mut().zip(&pivot_row[col..]) {
                        *v -= f * pv;
                    }
                }
            }
        }
    }
    let solved: Vec<f64> = (0..states)
        .map(|i| {
            let p = a[i][i];
            if p.abs() < 1e-300 {
                0.0
            } else {
                a[i][states] / p
            }
        })
        .collect();
    (0..model.nodes.len() * groups)
        .map(|i| {
            let (n, g) = (i / groups, i % groups);
            solved[id(n, crate::model::lane(g, true))] + solved[id(n, crate::model::lane(g, false))]
        })
        .collect()
}

/// All closed-form figures for `model`.
pub fn analyse(model: &Model) -> Analytic {
    let groups = model.groups.len();
    let lambda = traffic(model);
    let external: f64 = model.streams.iter().map(|s| s.rate).sum();
    let total: f64 = lambda.iter().sum();
    let mut over: Vec<bool> = vec![false; model.nodes.len()];
    let mut nodes = BTreeMap::new();
    // First pass: utilisation, to know which nodes are over capacity (for downstream caveats).
    let figures: Vec<(f64, f64, f64, f64)> = model
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            let rate: f64 = lambda[n * groups..(n + 1) * groups].iter().sum();
            let service = node.service.mean();
            let (dna, requeue, slot) = node.dna.as_ref().map_or((0.0, false, service), |d| {
                (
                    d.rate,
                    d.requeue,
                    d.slot.as_ref().map_or(service, |s| s.mean()),
                )
            });
            let slot_days = if requeue {
                service + dna / (1.0 - dna) * slot
            } else {
                (1.0 - dna) * service + dna * slot
            };
            let servers = model.mean_servers(n);
            let rho = if servers > 0.0 {
                rate * slot_days / servers
            } else if rate > 0.0 {
                f64::INFINITY
            } else {
                0.0
            };
            over[n] = rho > 1.0;
            (rate, slot_days, servers, rho)
        })
        .collect();
    for (n, node) in model.nodes.iter().enumerate() {
        let (rate, slot_days, servers, rho) = figures[n];
        let capacity_rate = servers / slot_days;
        let growth = if rho > 1.0 {
            (rate - capacity_rate) * DAYS_PER_YEAR
        } else {
            0.0
        };
        let constant = node.capacity.len() == 1;
        let c = if constant {
            node.capacity[0].1
        } else {
            servers.floor() as u32
        };
        let cv = node.service.cv();
        let erlang = erlang_c(rate, slot_days, c).map(|mut e| {
            e.mean_wait_allen_cunneen_days = e.mean_wait_days * (1.0 + cv * cv) / 2.0;
            e
        });
        let initial: f64 = node
            .initial
            .iter()
            .map(|i| match &i.waited {
                Waited::Exact(d) => d.len() as f64,
                Waited::Drawn(count, _) => f64::from(*count),
            })
            .sum();
        let demand = rate * 7.0;
        let capacity = capacity_rate * 7.0;
        let capa = Capa {
            demand_per_week: demand,
            capacity_per_week: capacity,
            ratio: demand / capacity,
            initial_list: initial,
            weeks_to_clear_initial_list: (capacity > demand).then(|| initial / (capacity - demand)),
        };
        let mut caveats = Vec::new();
        if rho > 1.0 {
            caveats.push(format!(
                "over capacity (utilisation {rho:.2}): no steady state exists; the list grows by about {growth:.0} a year and waits keep lengthening"
            ));
        }
        if (cv - 1.0).abs() > 0.05 {
            caveats.push(format!(
                "service times are not exponential (cv {cv:.2}): Erlang C assumes cv 1; Allen–Cunneen scales the mean wait by (1 + cv²)/2"
            ));
        }
        if !constant {
            caveats.push(format!(
                "capacity changes over time: the formulas use the window's average, {servers:.1} servers (Erlang C with {c})"
            ));
        }
        let profiled = model
            .processes
            .iter()
            .any(|p| p.profile.is_some() && p.streams.iter().any(|&i| model.streams[i].node == n));
        if profiled {
            caveats.push(
                "arrivals follow a weekly or seasonal profile: the formulas use the average rate"
                    .into(),
            );
        }
        if let Some(lead) = &node.lead {
            caveats.push(format!(
                "booking lead (mean {:.1} days): simulated waits are the lead plus the queue the formulas describe",
                lead.mean()
            ));
        }
        if !node.reneging.is_empty() {
            caveats.push("reneging is ignored by the formulas: simulated lists are shorter and waits of those seen differ".into());
        }
        if let Some(d) = &node.dna {
            caveats.push(format!(
                "did-not-attend rate {:.0} %: counted as {:.2} server-days per visit",
                d.rate * 100.0,
                slot_days
            ));
        }
        let upstream_over = model.nodes.iter().enumerate().any(|(m, other)| {
            m != n
                && over[m]
                && other
                    .routes
                    .iter()
                    .flatten()
                    .any(|r| r.to == n && r.p > 0.0)
        });
        if upstream_over {
            caveats.push("an over-capacity node routes to this one: real arrivals are fewer than the traffic equations say".into());
        }
        if initial > 0.0 {
            caveats.push(format!(
                "starts with a list of {initial:.0}: the formulas describe the steady state, not the way there"
            ));
        }
        let by_group = model
            .groups
            .iter()
            .enumerate()
            .map(|(g, name)| (name.clone(), lambda[n * groups + g] * DAYS_PER_YEAR))
            .collect();
        nodes.insert(
            node.name.clone(),
            NodeAnalytic {
                arrivals_per_year: rate * DAYS_PER_YEAR,
                arrivals_per_year_by_group: by_group,
                slot_days_per_visit: slot_days,
                servers,
                utilisation: rho,
                list_growth_per_year: growth,
                erlang_c: erlang,
                capa,
                caveats,
            },
        );
    }
    Analytic {
        referrals_per_year: external * DAYS_PER_YEAR,
        visits_per_referral: if external > 0.0 {
            total / external
        } else {
            0.0
        },
        nodes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erlang_c_matches_a_textbook_case() {
        // λ = 2, μ = 1 (mean service 1), c = 3: a = 2, B(3) = 4/19, C = 4/9 ≈ 0.4444,
        // Wq = C/(cμ − λ) = 0.4444 (e.g. Gross & Harris, Fundamentals of Queueing Theory §2.3).
        let Some(e) = erlang_c(2.0, 1.0, 3) else {
            unreachable!("under capacity")
        };
        assert!((e.p_wait - 4.0 / 9.0).abs() < 1e-12);
        assert!((e.mean_wait_days - 4.0 / 9.0).abs() < 1e-12);
        assert!((e.mean_list - 8.0 / 9.0).abs() < 1e-12);
        assert_eq!(e.p50_wait_days, 0.0);
        assert!((e.p90_wait_days - (4.0 / 0.9_f64).ln()).abs() < 1e-12);
    }

    #[test]
    fn erlang_c_refuses_overload() {
        assert!(erlang_c(3.0, 1.0, 3).is_none());
        assert!(erlang_c(1.0, 1.0, 0).is_none());
    }
}
