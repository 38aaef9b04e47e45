//! Compiling one node: its service and patience distributions, routing as cumulative tables
//! (summing to at most 1 + `SUM_TOLERANCE`), capacity and its changes, did-not-attend,
//! and its initial list and caseload.

use crate::dist::Dist;
use crate::error::FieldError;
use crate::scenario::{DnaAction, InitialSpec, NodeKind, NodeSpec, Priority};

use super::check::{err, round, Names};
use super::limits::{MAX_INITIAL, MIN_CYCLE_DAYS};
use super::{Dna, Initial, Node, Route, Waited, SUM_TOLERANCE};

pub(super) fn compile_node(
    name: &str,
    spec: &NodeSpec,
    names: &Names<'_>,
    errors: &mut Vec<FieldError>,
) -> Option<Node> {
    let before = errors.len();
    let path = format!("nodes.{name}");
    let service = Dist::compile(&spec.service, &format!("{path}.service"), errors);
    let lead = spec
        .booking_lead
        .as_ref()
        .map(|d| Dist::compile(d, &format!("{path}.booking_lead"), errors));
    let groups = names.group_count;

    // Routing: resolve names, then per group the rules naming it plus the rules naming none.
    let mut rules = Vec::new();
    for (i, r) in spec.routing.iter().enumerate() {
        let rp = format!("{path}.routing[{i}]");
        let to = names.node(&r.to, &format!("{rp}.to"), errors);
        let group = r
            .group
            .as_ref()
            .map(|g| names.group(g, &format!("{rp}.group"), errors));
        let becomes = r
            .becomes
            .as_ref()
            .map(|g| names.group(g, &format!("{rp}.becomes"), errors));
        if !(r.p.is_finite() && (0.0..=1.0).contains(&r.p)) {
            errors.push(err(
                &format!("{rp}.p"),
                &format!("must be a probability between 0 and 1 (got {})", r.p),
            ));
        }
        if let (Some(to), Some(group), Some(becomes)) = (
            to,
            group.unwrap_or(Some(usize::MAX)),
            becomes.unwrap_or(Some(usize::MAX)),
        ) {
            rules.push((to, group, becomes, r.p, r.priority));
        }
    }
    let mut routes = vec![Vec::new(); 2 * groups];
    for (l, table) in routes.iter_mut().enumerate() {
        let (g, urgent) = (l / 2, l.is_multiple_of(2));
        let mut cumulative = 0.0;
        for &(to, group, becomes, p, priority) in &rules {
            if group != usize::MAX && group != g {
                continue;
            }
            if priority.is_some_and(|pr| (pr == Priority::Urgent) != urgent) {
                continue;
            }
            cumulative += p;
            table.push(Route {
                cumulative,
                p,
                to,
                group: if becomes == usize::MAX { g } else { becomes },
            });
        }
    }
    // Each lane's rules must sum to at most 1: one message per group when both priorities'
    // sums are the same (no rule names a priority), else one per priority.
    for g in 0..groups {
        let sum = |urgent: bool| {
            routes[super::lane(g, urgent)]
                .last()
                .map_or(0.0, |r: &Route| r.cumulative)
        };
        let (urgent, routine) = (sum(true), sum(false));
        let group_name = names
            .groups
            .iter()
            .find(|(_, i)| **i == g)
            .map_or("", |(n, _)| n);
        let over: Vec<(&str, f64)> = if urgent == routine {
            vec![("", urgent)]
        } else {
            vec![(" (urgent)", urgent), (" (routine)", routine)]
        };
        for (which, total) in over {
            if total > 1.0 + SUM_TOLERANCE {
                errors.push(err(
                    &format!("{path}.routing"),
                    &format!(
                        "probabilities for group {group_name}{which} sum to {}, must be ≤ 1",
                        round(total)
                    ),
                ));
            }
        }
    }

    let dna = spec.dna.as_ref().and_then(|d| {
        if !(d.rate.is_finite() && (0.0..1.0).contains(&d.rate)) {
            errors.push(err(
                &format!("{path}.dna.rate"),
                &format!("must be at least 0 and below 1 (got {})", d.rate),
            ));
        }
        let slot = match &d.slot {
            Some(s) => Some(Dist::compile(s, &format!("{path}.dna.slot"), errors)?),
            None => None,
        };
        Some(Dna {
            rate: d.rate,
            requeue: d.then == DnaAction::Requeue,
            slot,
        })
    });

    let mut reneging = Vec::new();
    for (i, r) in spec.reneging.iter().enumerate() {
        let rp = format!("{path}.reneging[{i}]");
        if r.reason.trim().is_empty() {
            errors.push(err(&format!("{rp}.reason"), "must not be empty"));
        }
        if let Some(d) = Dist::compile(&r.patience, &format!("{rp}.patience"), errors) {
            reneging.push((r.reason.clone(), d));
        }
    }
    if reneging.len() > usize::from(u16::MAX) {
        errors.push(err(&format!("{path}.reneging"), "at most 65535 reasons"));
    }

    let capacity = compile_capacity(&path, spec, errors);
    if capacity.len() > 1 << 28 {
        errors.push(err(&format!("{path}.capacity"), "at most 2^28 changes"));
    }

    let mut initial = Vec::new();
    for (i, entry) in spec.initial.iter().enumerate() {
        if let Some(x) = compile_initial(&format!("{path}.initial[{i}]"), entry, names, errors) {
            initial.push(x);
        }
    }
    let mut in_service = Vec::new();
    let mut total_in_service = 0u64;
    for (i, entry) in spec.initial_in_service.iter().enumerate() {
        let rp = format!("{path}.initial_in_service[{i}]");
        let served = &entry.served_days;
        if !served.is_empty() && served.len() as u64 != u64::from(entry.count) {
            errors.push(err(
                &format!("{rp}.served_days"),
                &format!(
                    "give one per person ({} for count {})",
                    served.len(),
                    entry.count
                ),
            ));
        }
        if let Some((k, d)) = served
            .iter()
            .enumerate()
            .find(|(_, d)| !(d.is_finite() && **d >= 0.0))
        {
            errors.push(err(
                &format!("{rp}.served_days[{k}]"),
                &format!("must be a number ≥ 0 (got {d})"),
            ));
        }
        if let Some(g) = names.group(&entry.group, &format!("{rp}.group"), errors) {
            in_service.push((g, entry.count, served.clone()));
        }
        total_in_service += u64::from(entry.count);
    }
    let initial_count: u64 = spec
        .initial
        .iter()
        .map(|i| i.waited_days.len() as u64 + u64::from(i.count.unwrap_or(0)))
        .sum();
    if initial_count + total_in_service > MAX_INITIAL {
        errors.push(err(
            &format!("{path}.initial"),
            &format!(
                "{} people at day 0 (waiting and in service): at most {MAX_INITIAL}",
                initial_count + total_in_service
            ),
        ));
    }
    let servers0 = capacity.first().map_or(spec.servers, |(_, c)| *c);
    if total_in_service > u64::from(servers0) {
        errors.push(err(
            &format!("{path}.initial_in_service"),
            &format!("{total_in_service} in service at day 0 but only {servers0} servers"),
        ));
    }

    if errors.len() != before {
        return None;
    }
    Some(Node {
        name: name.to_string(),
        triage: spec.kind == NodeKind::Triage,
        service: service?,
        lead: match lead {
            Some(d) => Some(d?),
            None => None,
        },
        routes,
        dna,
        reneging,
        capacity,
        repeat: spec.capacity_repeat_days,
        initial,
        in_service,
    })
}

pub(super) fn compile_capacity(
    path: &str,
    spec: &NodeSpec,
    errors: &mut Vec<FieldError>,
) -> Vec<(f64, u32)> {
    if let Some(period) = spec.capacity_repeat_days {
        if !(period.is_finite() && period >= MIN_CYCLE_DAYS) {
            errors.push(err(
                &format!("{path}.capacity_repeat_days"),
                &format!("must be a number ≥ {MIN_CYCLE_DAYS} (got {period})"),
            ));
        }
    }
    let mut capacity = vec![(0.0, spec.servers)];
    let mut last = f64::NEG_INFINITY;
    for (i, c) in spec.capacity.iter().enumerate() {
        let rp = format!("{path}.capacity[{i}].day");
        if !(c.day.is_finite() && c.day >= 0.0) {
            errors.push(err(&rp, &format!("must be a number ≥ 0 (got {})", c.day)));
        } else if c.day <= last {
            errors.push(err(
                &rp,
                &format!("days must increase (day {} follows day {last})", c.day),
            ));
        } else if spec.capacity_repeat_days.is_some_and(|p| c.day >= p) {
            errors.push(err(
                &rp,
                &format!("must be below capacity_repeat_days (got {})", c.day),
            ));
        }
        last = c.day;
        if c.day == 0.0 {
            capacity[0] = (0.0, c.servers);
        } else {
            capacity.push((c.day, c.servers));
        }
    }
    capacity
}

pub(super) fn compile_initial(
    path: &str,
    entry: &InitialSpec,
    names: &Names<'_>,
    errors: &mut Vec<FieldError>,
) -> Option<Initial> {
    let group = names.group(&entry.group, &format!("{path}.group"), errors);
    let waited = match (&entry.waited_days[..], entry.count, &entry.waited) {
        (days, None, None) => {
            for (i, d) in days.iter().enumerate() {
                if !(d.is_finite() && *d >= 0.0) {
                    errors.push(err(
                        &format!("{path}.waited_days[{i}]"),
                        &format!("must be a number ≥ 0 (got {d})"),
                    ));
                }
            }
            Some(Waited::Exact(days.to_vec()))
        }
        ([], Some(count), Some(dist)) => {
            Dist::compile(dist, &format!("{path}.waited"), errors).map(|d| Waited::Drawn(count, d))
        }
        _ => {
            errors.push(err(
                path,
                "give either waited_days (one per person) or count with waited (a distribution)",
            ));
            None
        }
    };
    Some(Initial {
        group: group?,
        waited: waited?,
    })
}
