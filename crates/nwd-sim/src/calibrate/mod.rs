//! Calibration: a baseline [`Scenario`] derived from the live record, and the observed figures
//! to check it against. Pure: the caller reads the records (`nwd_store::calibrate`) and passes
//! them in, with times in days from any origin.
//!
//! What is estimated, over a window `[from, to)` (by default the last year of data):
//! - **arrivals** per (referral source, need group at triage, priority): referrals received in
//!   the window per year, those with a clinical priority above routine arriving as urgent
//!   (started before routine ones at every node); referrals not yet triaged are shared out in
//!   proportion within their source (`arrivals.rs`);
//! - **triage** (the single point of access) as a delay: its service time is the observed
//!   time from receipt to triage, and it gets enough servers never to queue (the record holds
//!   no triage capacity);
//! - **routing** out of triage per need group (share of triaged referrals with an allocation
//!   made at triage to each service) and out of each service per need group (share of
//!   completed episodes followed at once by a step up or down to another allocation, with its
//!   new need group; the rest are discharged);
//! - **service times** per service: first attended contact to the end of the allocation, as
//!   an empirical distribution of up to 100 quantiles;
//! - **servers** per service: the largest number of allocations in service (seen, not ended) on
//!   any day of the window — a service at capacity shows it, one with slack is understated;
//!   beside them the directory's clinicians and sessions ([`Staffing`]), to convert between;
//! - a **booking lead** for a service whose places the model would use less than 90 %
//!   (`lead.rs`): its waits are for a date, not a place;
//! - **reneging** per service and end reason: allocations ended before being seen, as
//!   exponential patience with rate = count / time spent waiting in the window;
//! - **did-not-attend** per service: did-not-attend contacts before the first attended one,
//!   per first attended contact (a missed start goes back on the list);
//! - the **initial list** and caseload: who waits (with days waited since allocation) and who
//!   is in service at the start (with days in service so far).
//!
//! Two scenarios come out: the **baseline** starts from the state at `to` (today) and runs
//! forward three years; the **backtest** starts from the state at `from` and runs over the
//! window, so its statistics can be compared with the [`Observed`] ones.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::DAYS_PER_YEAR;
use crate::scenario::{
    DistSpec, DnaAction, DnaSpec, InServiceSpec, InitialSpec, NodeKind, NodeSpec, RenegeSpec,
    RouteSpec, RunSpec, Scenario,
};

mod arrivals;
mod declared;
mod fit;
mod lead;
mod records;
#[cfg(test)]
mod tests;

pub use declared::{with_declared_wte, DeclarationProblem, MAX_DECLARED_WTE};
pub use fit::MIN_TRIAGE_DAYS;
use fit::{daily_counts, empirical, fit_precise, mean, quantile, round, round6, slug};
pub use lead::{BOOKING_LED_UTILISATION, MIN_LEAD_SAMPLES};
pub use records::{
    AllocationRecord, Calibration, CalibrationOptions, Observed, ObservedNode, Records,
    ReferralRecord, ServiceRecord, Staffing,
};

const THRIVE: [&str; 5] = [
    "thriving",
    "getting_advice",
    "getting_help",
    "getting_more_help",
    "getting_risk_support",
];

/// Derives the baseline and backtest scenarios and the observed figures.
pub fn calibrate(records: &Records, options: &CalibrationOptions) -> Calibration {
    let (from, to) = (options.from, options.to);
    let years = (to - from) / DAYS_PER_YEAR;
    let mut notes = Vec::new();

    // Need groups, THRIVE order first.
    let mut seen_groups: BTreeSet<&str> = records
        .referrals
        .iter()
        .filter_map(|r| r.need_group.as_deref())
        .collect();
    seen_groups.extend(records.allocations.iter().map(|a| a.need_group.as_str()));
    let mut groups: Vec<String> = THRIVE
        .iter()
        .filter(|g| seen_groups.contains(*g))
        .map(|g| g.to_string())
        .collect();
    groups.extend(
        seen_groups
            .iter()
            .filter(|g| !THRIVE.contains(g))
            .map(|g| g.to_string()),
    );

    // Nodes: one per service with allocations, named after the service.
    let used: BTreeSet<&str> = records
        .allocations
        .iter()
        .map(|a| a.service_id.as_str())
        .collect();
    let mut node_of: HashMap<&str, String> = HashMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::from(["triage".to_string()]);
    for s in records
        .services
        .iter()
        .filter(|s| used.contains(s.id.as_str()))
    {
        let base = slug(&s.name);
        let mut name = base.clone();
        let mut k = 2;
        while taken.contains(&name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        taken.insert(name.clone());
        node_of.insert(s.id.as_str(), name);
    }
    let mut by_referral: HashMap<&str, Vec<&AllocationRecord>> =
        records.allocations.iter().fold(HashMap::new(), |mut m, a| {
            m.entry(a.referral_id.as_str()).or_default().push(a);
            m
        });
    for list in by_referral.values_mut() {
        list.sort_by(|a, b| a.allocated.total_cmp(&b.allocated));
    }

    // Arrivals.
    let in_window = |t: f64| t >= from && t < to;
    let (arrivals, urgent_count) = arrivals::arrivals(
        records,
        (from, to, years),
        &node_of,
        &by_referral,
        &mut notes,
    );
    // Triage as a delay, never shorter than MIN_TRIAGE_DAYS.
    let triage_days: Vec<f64> = records
        .referrals
        .iter()
        .filter(|r| in_window(r.received))
        .filter_map(|r| r.triaged.map(|t| (t - r.received).max(MIN_TRIAGE_DAYS)))
        .collect();
    let floored = records
        .referrals
        .iter()
        .filter(|r| in_window(r.received))
        .filter(|r| r.triaged.is_some_and(|t| t - r.received < MIN_TRIAGE_DAYS))
        .count();
    if floored > 0 {
        notes.push(format!(
            "triage: {floored} of {} referrals were triaged within a minute of receipt (a decision recorded with the referral); they are taken to take one minute",
            triage_days.len()
        ));
    }
    let total_rate: f64 = arrivals
        .iter()
        .filter(|a| a.to.is_none())
        .map(|a| a.per_year)
        .sum::<f64>()
        / DAYS_PER_YEAR;
    let triage_service = fit_precise(&triage_days, 1.0);
    let triage_mean = mean(&triage_days).unwrap_or(1.0);
    let triage_servers =
        (total_rate * triage_mean * 2.0 + 10.0 * (total_rate * triage_mean).sqrt() + 10.0).ceil()
            as u32;
    // Out of triage per (need group, priority): urgent referrals go mostly to crisis services,
    // so routing them by their group's routine shares would send them to every service in it
    // and let them jump its list. Both priorities get their own rules when any referral in
    // the window was urgent; otherwise one set of rules serves both.
    let split = urgent_count > 0;
    let mut triage_routes: BTreeMap<(String, bool, String), f64> = BTreeMap::new();
    let mut triaged_by_group: BTreeMap<(String, bool), f64> = BTreeMap::new();
    for r in records.referrals.iter().filter(|r| in_window(r.received)) {
        let (Some(g), Some(_)) = (&r.need_group, r.triaged) else {
            continue;
        };
        let urgent = split && r.urgent;
        *triaged_by_group.entry((g.clone(), urgent)).or_default() += 1.0;
        // The first allocation made at triage is where the visit goes; any further one is a
        // second service at the same time, an extra arrival at that service (below).
        let first = by_referral
            .get(r.id.as_str())
            .into_iter()
            .flatten()
            .filter(|a| a.origin == "triage")
            .find_map(|a| node_of.get(a.service_id.as_str()));
        if let Some(t) = first {
            *triage_routes
                .entry((g.clone(), urgent, t.clone()))
                .or_default() += 1.0;
        }
    }
    let mut routing = Vec::new();
    let lanes: &[bool] = if split { &[true, false] } else { &[false] };
    for g in &groups {
        for &urgent in lanes {
            let n = triaged_by_group
                .get(&(g.clone(), urgent))
                .copied()
                .unwrap_or(0.0);
            let mut rules: Vec<(String, f64)> = triage_routes
                .iter()
                .filter(|((rg, ru, _), _)| rg == g && *ru == urgent)
                .map(|((_, _, t), c)| (t.clone(), c / n))
                .collect();
            let sum: f64 = rules.iter().map(|(_, p)| p).sum();
            if sum > 1.0 {
                notes.push(format!(
                    "triage: {g} referrals average {sum:.2} services each at triage; the simulator sends each to one, in proportion"
                ));
                for (_, p) in &mut rules {
                    *p /= sum;
                }
            }
            routing.extend(rules.into_iter().map(|(to, p)| RouteSpec {
                group: Some(g.clone()),
                to,
                p: round6(p),
                becomes: None,
                priority: split.then_some(arrivals::priority_of(urgent)),
            }));
        }
    }
    let awaiting_triage: Vec<f64> = records
        .referrals
        .iter()
        .filter(|r| r.received < to && r.triaged.is_none_or(|t| t >= to))
        .map(|r| to - r.received)
        .collect();
    let mut nodes = BTreeMap::new();
    nodes.insert(
        "triage".to_string(),
        NodeSpec {
            kind: NodeKind::Triage,
            label: None,
            servers: triage_servers,
            service: triage_service,
            booking_lead: None,
            routing,
            dna: None,
            reneging: Vec::new(),
            capacity: Vec::new(),
            capacity_repeat_days: None,
            initial: Vec::new(),
            initial_in_service: Vec::new(),
        },
    );
    if !awaiting_triage.is_empty() {
        notes.push(format!(
            "{} referrals were awaiting triage at the end; the baseline starts them at triage with the most common need group",
            awaiting_triage.len()
        ));
    }

    // Services.
    let mut observed_nodes = BTreeMap::new();
    let mut staffing = BTreeMap::new();
    let mut backtest_initial: BTreeMap<String, (Vec<InitialSpec>, Vec<InServiceSpec>)> =
        BTreeMap::new();
    for s in &records.services {
        let Some(node) = node_of.get(s.id.as_str()) else {
            continue;
        };
        let mine: Vec<&AllocationRecord> = records
            .allocations
            .iter()
            .filter(|a| a.service_id == s.id)
            .collect();
        let ended: Vec<&&AllocationRecord> = mine
            .iter()
            .filter(|a| a.ended.is_some_and(in_window))
            .collect();
        // Routing after completed episodes.
        let mut completions: BTreeMap<&str, f64> = BTreeMap::new();
        let mut moves: BTreeMap<(&str, String, &str), f64> = BTreeMap::new();
        let mut service_days = Vec::new();
        let mut reneges: BTreeMap<&str, f64> = BTreeMap::new();
        for a in &ended {
            let end = a.ended.unwrap_or(to);
            match a.first_attended {
                Some(seen) => {
                    service_days.push((end - seen).max(0.0));
                    *completions.entry(a.need_group.as_str()).or_default() += 1.0;
                    let next = by_referral.get(a.referral_id.as_str()).and_then(|list| {
                        list.iter().find(|b| {
                            b.origin.starts_with("step") && (b.allocated - end).abs() < 1.0 / 1440.0
                        })
                    });
                    if let Some(b) = next {
                        if let Some(target) = node_of.get(b.service_id.as_str()) {
                            *moves
                                .entry((
                                    a.need_group.as_str(),
                                    target.clone(),
                                    b.need_group.as_str(),
                                ))
                                .or_default() += 1.0;
                        }
                    }
                }
                None => {
                    let reason = a.end_reason.as_deref().unwrap_or("unknown");
                    *reneges.entry(reason).or_default() += 1.0;
                }
            }
        }
        let routing: Vec<RouteSpec> = moves
            .iter()
            .map(|((g, to_node, h), c)| RouteSpec {
                group: Some(g.to_string()),
                to: to_node.clone(),
                p: round6(c / completions.get(g).copied().unwrap_or(1.0)),
                becomes: (g != h).then(|| h.to_string()),
                priority: None,
            })
            .collect();
        // Waiting exposure in the window, for patience.
        let exposure: f64 = mine
            .iter()
            .map(|a| {
                let left = a.first_attended.or(a.ended).unwrap_or(to);
                (left.min(to) - a.allocated.max(from)).max(0.0)
            })
            .sum();
        let reneging = reneges
            .iter()
            .filter(|_| exposure > 0.0)
            .map(|(reason, count)| RenegeSpec {
                reason: reason.to_string(),
                patience: DistSpec::Exponential {
                    mean: round(exposure / count),
                },
            })
            .collect();
        // Servers: the most in service on any day of the window.
        let days: Vec<f64> = (0..((to - from).floor() as usize).max(1))
            .map(|d| from + d as f64 + 0.5)
            .collect();
        let (busy, lists) = daily_counts(&mine, &days);
        let servers = busy.iter().copied().max().unwrap_or(0).max(1) as u32;
        let waits: Vec<f64> = mine
            .iter()
            .filter(|a| in_window(a.allocated))
            .filter_map(|a| a.first_attended.map(|f| (f - a.allocated).max(0.0)))
            .collect();
        let arrivals_in = mine.iter().filter(|a| in_window(a.allocated)).count() as f64;
        let lead = lead::booking_lead(
            &waits,
            arrivals_in / (to - from),
            mean(&service_days).unwrap_or(30.0),
            servers,
        );
        if let Some(l) = &lead {
            notes.push(format!(
                "{}: booking-led (its places are {:.0} % used, so nobody need wait for one), so waits start with a booking lead of {:.1} days on average",
                s.name,
                l.utilisation * 100.0,
                l.mean_days
            ));
        }
        let lead = lead.map(|l| l.dist);
        staffing.insert(
            node.clone(),
            Staffing {
                service_id: s.id.clone(),
                service: s.name.clone(),
                clinician_wte: s.clinician_wte,
                sessions_per_week: s.slots_per_week,
                places: servers,
            },
        );
        let first_attended = mine.iter().filter(|a| a.first_attended.is_some()).count() as f64;
        let missed = records
            .missed_first_contacts
            .get(&s.id)
            .copied()
            .unwrap_or(0) as f64;
        let dna = (missed > 0.0 && first_attended > 0.0).then(|| DnaSpec {
            rate: round6((missed / (missed + first_attended)).min(0.9)),
            then: DnaAction::Requeue,
            slot: None,
        });
        let service = if service_days.is_empty() {
            notes.push(format!(
                "{node}: no completed episodes in the window; service time set to 30 days"
            ));
            DistSpec::Fixed { mean: 30.0 }
        } else {
            empirical(&service_days)
        };
        let state = |t: f64| {
            let mut waiting: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            let mut serving: BTreeMap<String, Vec<f64>> = BTreeMap::new();
            for a in &mine {
                if a.allocated <= t && a.ended.is_none_or(|e| e > t) {
                    match a.first_attended {
                        Some(f) if f <= t => serving
                            .entry(a.need_group.clone())
                            .or_default()
                            .push(round(t - f)),
                        _ => waiting
                            .entry(a.need_group.clone())
                            .or_default()
                            .push(round((t - a.allocated).max(0.0))),
                    }
                }
            }
            let initial: Vec<InitialSpec> = waiting
                .into_iter()
                .map(|(group, waited_days)| InitialSpec {
                    group,
                    waited_days,
                    count: None,
                    waited: None,
                })
                .collect();
            // Never more in service than servers (the largest daily count in the window).
            let mut room = servers;
            let in_service: Vec<InServiceSpec> = serving
                .into_iter()
                .map(|(group, mut served_days)| {
                    let count = (served_days.len() as u32).min(room);
                    room -= count;
                    served_days.truncate(count as usize);
                    InServiceSpec {
                        group,
                        count,
                        served_days,
                    }
                })
                .filter(|s| s.count > 0)
                .collect();
            (initial, in_service)
        };
        let (initial, in_service) = state(to);
        backtest_initial.insert(node.clone(), state(from));
        nodes.insert(
            node.clone(),
            NodeSpec {
                kind: NodeKind::Service,
                label: Some(s.name.clone()),
                servers,
                service,
                booking_lead: lead,
                routing,
                dna,
                reneging,
                capacity: Vec::new(),
                capacity_repeat_days: None,
                initial,
                initial_in_service: in_service,
            },
        );
        // Observed.
        observed_nodes.insert(
            node.clone(),
            ObservedNode {
                arrivals_per_year: arrivals_in / years,
                mean_wait_days: mean(&waits).unwrap_or(f64::NAN),
                p50_wait_days: quantile(&waits, 0.5),
                p90_wait_days: quantile(&waits, 0.9),
                mean_list: lists.iter().sum::<usize>() as f64 / lists.len().max(1) as f64,
                waiting_at_end: mine
                    .iter()
                    .filter(|a| {
                        a.allocated < to
                            && a.first_attended.is_none_or(|f| f >= to)
                            && a.ended.is_none_or(|e| e >= to)
                    })
                    .count() as f64,
            },
        );
    }

    // Referral → first service start, observed.
    let (mut within, mut counted) = (0.0, 0.0);
    for r in records.referrals.iter().filter(|r| in_window(r.received)) {
        let list = by_referral.get(r.id.as_str());
        let first = list
            .into_iter()
            .flatten()
            .filter_map(|a| a.first_attended)
            .fold(f64::INFINITY, f64::min);
        // Still waiting at the end, or gave up waiting (an allocation that ended unseen):
        // outside the standard, as the simulator counts them.
        let unseen = list
            .into_iter()
            .flatten()
            .any(|a| a.first_attended.is_none() && a.allocated < to);
        if first.is_finite() && first < to {
            counted += 1.0;
            if first - r.received <= options.standard_days {
                within += 1.0;
            }
        } else if unseen {
            counted += 1.0;
        }
    }

    let run = |warmup: f64, observe: f64| RunSpec {
        warmup_days: warmup,
        observe_days: round(observe),
        standard_days: options.standard_days,
        ..RunSpec::default()
    };
    let mut baseline = Scenario {
        name: "baseline".into(),
        description: format!(
            "Calibrated from the record over {:.0} days; starts from the list at the end of that window",
            to - from
        ),
        groups,
        run: run(0.0, 3.0 * 365.0),
        profiles: BTreeMap::new(),
        arrivals,
        nodes,
    };
    if let Some(triage) = baseline.nodes.get_mut("triage") {
        if !awaiting_triage.is_empty() {
            // Their need group is decided at triage: give them the most common one.
            let mut by_group: BTreeMap<&str, f64> = BTreeMap::new();
            for ((g, _), n) in &triaged_by_group {
                *by_group.entry(g.as_str()).or_default() += n;
            }
            let group = by_group
                .iter()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(g, _)| (*g).to_owned())
                .unwrap_or_default();
            triage.initial = vec![InitialSpec {
                group,
                waited_days: awaiting_triage.iter().map(|d| round(*d)).collect(),
                count: None,
                waited: None,
            }];
        }
    }
    let mut backtest = baseline.clone();
    backtest.name = "backtest".into();
    backtest.description =
        "Calibrated baseline started from the list at the start of the window, run over the window"
            .into();
    backtest.run = run(0.0, to - from);
    for (name, (initial, in_service)) in backtest_initial {
        if let Some(node) = backtest.nodes.get_mut(&name) {
            node.initial = initial;
            node.initial_in_service = in_service;
        }
    }
    if let Some(triage) = backtest.nodes.get_mut("triage") {
        triage.initial.clear();
    }
    Calibration {
        baseline,
        backtest,
        observed: Observed {
            nodes: observed_nodes,
            referrals_within_standard: if counted > 0.0 {
                within / counted
            } else {
                f64::NAN
            },
        },
        notes,
        staffing,
    }
}
