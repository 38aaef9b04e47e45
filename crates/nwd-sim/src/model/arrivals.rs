//! Compiling arrivals: the arrival streams per (source, group) and their processes, with a
//! weekly or seasonal profile normalised so that its mean factor is 1 (a profile changes when
//! referrals come, not how many).

use std::collections::BTreeMap;

use crate::error::FieldError;
use crate::scenario::{NodeKind, Priority, ProfileSpec, Scenario};

use super::check::{err, Names};
use super::limits::{MAX_PER_YEAR, MIN_CYCLE_DAYS};
use super::{Process, Profile, Stream, DAYS_PER_YEAR};

pub(super) fn compile_profile(
    path: &str,
    spec: &ProfileSpec,
    errors: &mut Vec<FieldError>,
) -> Option<Profile> {
    let before = errors.len();
    let mut weekly = [1.0; 7];
    if let Some(w) = &spec.weekly {
        if w.len() != 7 {
            errors.push(err(
                &format!("{path}.weekly"),
                &format!("needs 7 values, one per day (got {})", w.len()),
            ));
        } else if w.iter().any(|x| !(x.is_finite() && *x >= 0.0)) || w.iter().sum::<f64>() <= 0.0 {
            errors.push(err(
                &format!("{path}.weekly"),
                "values must be numbers ≥ 0, not all 0",
            ));
        } else {
            let mean = w.iter().sum::<f64>() / 7.0;
            for (slot, x) in weekly.iter_mut().zip(w) {
                *slot = x / mean;
            }
        }
    }
    let year = spec.year_days.unwrap_or(DAYS_PER_YEAR);
    if !(year.is_finite() && year >= MIN_CYCLE_DAYS) {
        errors.push(err(
            &format!("{path}.year_days"),
            &format!("must be a number ≥ {MIN_CYCLE_DAYS} (got {year})"),
        ));
    }
    let mut seasonal: Vec<(f64, f64)> = Vec::new();
    for (i, s) in spec.seasonal.iter().enumerate() {
        let sp = format!("{path}.seasonal[{i}]");
        if i == 0 && s.from_day != 0.0 {
            errors.push(err(
                &format!("{sp}.from_day"),
                &format!("the first period must start at day 0 (got {})", s.from_day),
            ));
        }
        if let Some((last, _)) = seasonal.last() {
            if s.from_day <= *last || s.from_day >= year {
                errors.push(err(
                    &format!("{sp}.from_day"),
                    &format!("must increase and stay below {year} (got {})", s.from_day),
                ));
            }
        }
        if !(s.factor.is_finite() && s.factor >= 0.0) {
            errors.push(err(
                &format!("{sp}.factor"),
                &format!("must be a number ≥ 0 (got {})", s.factor),
            ));
        }
        seasonal.push((s.from_day, s.factor));
    }
    if errors.len() != before {
        return None;
    }
    if !seasonal.is_empty() {
        let mut area = 0.0;
        for (i, (from, f)) in seasonal.iter().enumerate() {
            let to = seasonal.get(i + 1).map_or(year, |(d, _)| *d);
            area += f * (to - from);
        }
        if area <= 0.0 {
            errors.push(err(
                &format!("{path}.seasonal"),
                "factors must not all be 0",
            ));
            return None;
        }
        let mean = area / year;
        for (_, f) in &mut seasonal {
            *f /= mean;
        }
    }
    Some(Profile {
        weekly,
        seasonal,
        year,
    })
}

pub(super) fn compile_arrivals(
    scenario: &Scenario,
    names: &Names<'_>,
    profiles: &BTreeMap<&str, Profile>,
    errors: &mut Vec<FieldError>,
) -> (Vec<Stream>, Vec<Process>) {
    let triage: Vec<&str> = scenario
        .nodes
        .iter()
        .filter(|(_, n)| n.kind == NodeKind::Triage)
        .map(|(k, _)| k.as_str())
        .collect();
    let mut streams = Vec::new();
    let mut by_profile: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for (i, a) in scenario.arrivals.iter().enumerate() {
        let path = format!("arrivals[{i}]");
        let group = names.group(&a.group, &format!("{path}.group"), errors);
        if !(a.per_year.is_finite() && (0.0..=MAX_PER_YEAR).contains(&a.per_year)) {
            errors.push(err(
                &format!("{path}.per_year"),
                &format!(
                    "must be a number ≥ 0 and at most {MAX_PER_YEAR} referrals a year (got {})",
                    a.per_year
                ),
            ));
        }
        let node = match (&a.to, triage.as_slice()) {
            (Some(to), _) => names.node(to, &format!("{path}.to"), errors),
            (None, [one]) => names.nodes.get(one).copied(),
            (None, []) => {
                errors.push(err(
                    &format!("{path}.to"),
                    "no node is of kind \"triage\": name the node referrals arrive at",
                ));
                None
            }
            (None, _) => {
                errors.push(err(
                    &format!("{path}.to"),
                    "more than one triage node: name the node referrals arrive at",
                ));
                None
            }
        };
        let profile = a.profile.as_deref();
        if let Some(p) = profile {
            if !scenario.profiles.contains_key(p) {
                let known: Vec<&str> = scenario.profiles.keys().map(String::as_str).collect();
                errors.push(err(
                    &format!("{path}.profile"),
                    &format!("unknown profile \"{p}\" (profiles: {})", known.join(", ")),
                ));
            }
        }
        if let (Some(group), Some(node)) = (group, node) {
            by_profile.entry(profile).or_default().push(streams.len());
            streams.push(Stream {
                group,
                node,
                urgent: a.priority == Priority::Urgent,
                rate: a.per_year.max(0.0) / DAYS_PER_YEAR,
            });
        }
    }
    let total: f64 = scenario.arrivals.iter().map(|a| a.per_year).sum();
    if total > MAX_PER_YEAR && scenario.arrivals.iter().all(|a| a.per_year <= MAX_PER_YEAR) {
        errors.push(err(
            "arrivals",
            &format!("{total} referrals a year over all streams: at most {MAX_PER_YEAR}"),
        ));
    }
    let processes = by_profile
        .into_iter()
        .filter_map(|(profile, members)| {
            let rate: f64 = members.iter().map(|&s| streams[s].rate).sum();
            if rate <= 0.0 {
                return None;
            }
            let mut running = 0.0;
            let cumulative = members
                .iter()
                .map(|&s| {
                    running += streams[s].rate / rate;
                    running
                })
                .collect();
            Some(Process {
                profile: profile.and_then(|p| profiles.get(p).cloned()),
                rate,
                streams: members,
                cumulative,
            })
        })
        .collect();
    (streams, processes)
}
