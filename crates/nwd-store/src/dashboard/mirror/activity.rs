//! What a set of services delivered in each of a list of periods
//! (`nwd_domain::commissioning::statement::Activity`), counted from the kept inputs: the
//! allocations (made, first seen with their wait and verdict, ended) and the direct contacts
//! booked (attended, not attended, expected; and the different young people attended).

use std::collections::HashSet;

use jiff::Timestamp;
use nwd_domain::commissioning::statement::Activity;
use nwd_domain::ServiceId;

use super::Mirror;

/// The index of the period holding `at` (milliseconds), if any.
fn period_of(periods: &[(i64, i64)], at: i64) -> Option<usize> {
    periods.iter().position(|&(from, to)| at >= from && at < to)
}

impl Mirror {
    /// What `services` delivered in each of `periods` (`[from, to)`).
    pub(crate) fn activity(
        &self,
        services: &[ServiceId],
        periods: &[(Timestamp, Timestamp)],
    ) -> Vec<Activity> {
        let bounds: Vec<(i64, i64)> = periods
            .iter()
            .map(|(f, t)| (f.as_millisecond(), t.as_millisecond()))
            .collect();
        let mut out = vec![Activity::default(); bounds.len()];
        let mut chosen = vec![false; self.service_ids.len()];
        for id in services {
            if let Some(&slot) = self.service_index.get(id) {
                chosen[slot as usize] = true;
            }
        }
        let wanted = |service: u32| chosen.get(service as usize).copied().unwrap_or(false);
        for a in self.allocations.iter().filter(|a| wanted(a.service)) {
            if let Some(p) = period_of(&bounds, a.allocated_at) {
                out[p].referrals += 1;
            }
            if let Some(p) = a.first_attended_at.and_then(|at| period_of(&bounds, at)) {
                let row = &mut out[p];
                row.first_seen += 1;
                if let Some(days) = a.first_wait_days {
                    row.wait_days.push(days.max(0) as u32);
                }
                if let Some(within) = a.verdict {
                    row.seen_with_standard += 1;
                    row.seen_within_standard += u64::from(within);
                }
            }
            if let Some(p) = a.ended_at.and_then(|at| period_of(&bounds, at)) {
                out[p].episodes_ended += 1;
            }
        }
        let mut people: Vec<HashSet<u32>> = vec![HashSet::new(); bounds.len()];
        for entry in self.entries.iter().flatten() {
            for b in entry.booked.iter().filter(|b| wanted(b.service)) {
                let Some(p) = period_of(&bounds, b.at) else {
                    continue;
                };
                let row = &mut out[p];
                if b.status.is_attended() {
                    row.attended += 1;
                    people[p].insert(entry.person);
                }
                match b.status.did_not_attend() {
                    Some(true) => {
                        row.did_not_attend += 1;
                        row.expected += 1;
                    }
                    Some(false) => row.expected += 1,
                    None => {}
                }
            }
        }
        for (row, seen) in out.iter_mut().zip(people) {
            row.young_people = seen.len() as u64;
        }
        out
    }
}
