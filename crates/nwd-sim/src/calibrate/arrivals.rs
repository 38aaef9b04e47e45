//! Arrival streams from the record: per (referral source, need group at triage, priority),
//! and a second service at the same time as an arrival of its own at that service.

use std::collections::{BTreeMap, HashMap};

use super::fit::round;
use super::records::{AllocationRecord, Records};
use crate::scenario::{ArrivalSpec, Priority};

/// An urgent referral's priority in the simulator: anything above routine is urgent.
pub(super) fn priority_of(urgent: bool) -> Priority {
    if urgent {
        Priority::Urgent
    } else {
        Priority::Routine
    }
}

/// The arrival streams of the window `[from, to)` (`years` long), and how many of the
/// window's referrals were urgent; what it noticed goes to `notes`.
pub(super) fn arrivals(
    records: &Records,
    (from, to, years): (f64, f64, f64),
    node_of: &HashMap<&str, String>,
    by_referral: &HashMap<&str, Vec<&AllocationRecord>>,
    notes: &mut Vec<String>,
) -> (Vec<ArrivalSpec>, usize) {
    let in_window = |t: f64| t >= from && t < to;
    // Per (source, need group, urgent): urgent referrals arrive as urgent, queued first.
    let mut counts: BTreeMap<(&str, &str, bool), f64> = BTreeMap::new();
    let mut untriaged: BTreeMap<&str, f64> = BTreeMap::new();
    for r in records.referrals.iter().filter(|r| in_window(r.received)) {
        match r.need_group.as_deref() {
            Some(g) => *counts.entry((r.source.as_str(), g, r.urgent)).or_default() += 1.0,
            None => *untriaged.entry(r.source.as_str()).or_default() += 1.0,
        }
    }
    let mut arrivals = Vec::new();
    for ((source, group, urgent), count) in &counts {
        let known: f64 = counts
            .iter()
            .filter(|((s, _, _), _)| s == source)
            .map(|(_, c)| c)
            .sum();
        let share = 1.0 + untriaged.get(source).copied().unwrap_or(0.0) / known;
        arrivals.push(ArrivalSpec {
            source: source.to_string(),
            group: group.to_string(),
            per_year: round(count * share / years),
            to: None,
            profile: None,
            priority: priority_of(*urgent),
        });
    }
    let in_window_count = records
        .referrals
        .iter()
        .filter(|r| in_window(r.received))
        .count();
    let urgent_count = records
        .referrals
        .iter()
        .filter(|r| in_window(r.received) && r.urgent)
        .count();
    if urgent_count > 0 {
        notes.push(format!(
            "{urgent_count} of the window's {in_window_count} referrals ({:.1} %) had a clinical priority above routine: they arrive as urgent and are started before routine referrals at every node; the list and caseload at day 0 are queued as routine",
            100.0 * urgent_count as f64 / in_window_count.max(1) as f64
        ));
    }
    let urgent_referral: HashMap<&str, bool> = records
        .referrals
        .iter()
        .map(|r| (r.id.as_str(), r.urgent))
        .collect();

    // A second service at the same time (an `additional` allocation, or a further one made
    // at triage) cannot be a second visit of the same referral in the simulator: it becomes an
    // arrival of its own at that service.
    let mut concurrent: BTreeMap<(String, String, bool), f64> = BTreeMap::new();
    for list in by_referral.values() {
        let mut first_triage_seen = false;
        for a in list {
            let extra = match a.origin.as_str() {
                "additional" => true,
                "triage" => std::mem::replace(&mut first_triage_seen, true),
                _ => false,
            };
            if extra && in_window(a.allocated) {
                if let Some(node) = node_of.get(a.service_id.as_str()) {
                    let urgent = urgent_referral
                        .get(a.referral_id.as_str())
                        .copied()
                        .unwrap_or(false);
                    *concurrent
                        .entry((node.clone(), a.need_group.clone(), urgent))
                        .or_default() += 1.0;
                }
            }
        }
    }
    if !concurrent.is_empty() {
        notes.push(format!(
            "{:.0} allocations in the window were a second service at the same time; they arrive at that service as source \"additional_allocation\" (and count as referrals in the referral statistics)",
            concurrent.values().sum::<f64>()
        ));
    }
    for ((node, group, urgent), count) in &concurrent {
        arrivals.push(ArrivalSpec {
            source: "additional_allocation".into(),
            group: group.clone(),
            per_year: round(count / years),
            to: Some(node.clone()),
            profile: None,
            priority: priority_of(*urgent),
        });
    }

    (arrivals, urgent_count)
}
