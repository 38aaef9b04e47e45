//! What a set of services — or the whole system — delivered in each of a list of periods
//! (`nwd_domain::commissioning::statement::Activity`), counted from the kept inputs filed by
//! service and time (`timeline`): the allocations (made, first seen with their wait and
//! verdict, seen a second time, ended, open on an 18th birthday), the direct contacts booked
//! (attended, not attended, expected; the different young people attended, by age), and the
//! referrals in scope (received, triaged or signposted, stepped up or down, with protected
//! characteristics recorded).
//!
//! A set of services' referrals are those with an allocation to one of them (a referral
//! filed under two of the services asked for is counted once); the whole system's are every
//! referral, including those signposted and never allocated, and its contacts include those
//! at a service no longer listed. Each period reads only its services' rows in the buckets
//! it spans, so a contract's statement costs what its services did in its quarters, not the
//! whole record. A thing in two overlapping periods counts in the first of them only. The
//! lists of waits and minutes come out sorted.

use jiff::Timestamp;
use nwd_domain::commissioning::statement::Activity;
use nwd_domain::ServiceId;

use super::timeline::{
    Age, AllocationEvent, AllocationRow, BookedRow, ReferralEvent, ReferralRow, SYSTEM,
};
use super::{Mirror, NO_SERVICE};

/// The index of the first period holding `at` (milliseconds), if any.
fn period_of(periods: &[(i64, i64)], at: i64) -> Option<usize> {
    periods.iter().position(|&(from, to)| at >= from && at < to)
}

/// Whether two of the (non-empty) periods share an instant.
fn overlapping(periods: &[(i64, i64)]) -> bool {
    let mut sorted: Vec<(i64, i64)> = periods.iter().copied().filter(|(f, t)| f < t).collect();
    sorted.sort_unstable();
    sorted.windows(2).any(|w| w[1].0 < w[0].1)
}

/// The different young people seen in one period: a bit per person for each of "attended",
/// "attended before 18" and "attended at 18 or over", and the people marked (to unmark).
struct People {
    seen: Vec<u64>,
    under_18: Vec<u64>,
    adults: Vec<u64>,
    marked: Vec<u32>,
}

/// Sets `person`'s bit; whether it was clear.
fn mark(bits: &mut [u64], person: u32) -> bool {
    let (word, bit) = ((person / 64) as usize, 1u64 << (person % 64));
    match bits.get_mut(word) {
        Some(w) if *w & bit == 0 => {
            *w |= bit;
            true
        }
        _ => false,
    }
}

impl People {
    fn new(persons: usize) -> People {
        let words = persons.div_ceil(64);
        People {
            seen: vec![0; words],
            under_18: vec![0; words],
            adults: vec![0; words],
            marked: Vec::new(),
        }
    }

    fn clear(&mut self) {
        for person in self.marked.drain(..) {
            let word = (person / 64) as usize;
            for bits in [&mut self.seen, &mut self.under_18, &mut self.adults] {
                if let Some(w) = bits.get_mut(word) {
                    *w = 0;
                }
            }
        }
    }
}

fn count_allocation(row: &mut Activity, r: &AllocationRow) {
    match r.event {
        AllocationEvent::Allocated => row.referrals += 1,
        AllocationEvent::FirstSeen {
            wait_days,
            verdict,
            crisis,
        } => {
            row.first_seen += 1;
            if let Some(days) = wait_days {
                row.wait_days.push(days);
            }
            if let Some(within) = verdict {
                row.seen_with_standard += 1;
                row.seen_within_standard += u64::from(within);
                if let Some(i) = crisis.map(usize::from).filter(|i| *i < 3) {
                    row.crisis_with_standard[i] += 1;
                    row.crisis_within_standard[i] += u64::from(within);
                }
            }
        }
        AllocationEvent::Ended => row.episodes_ended += 1,
        AllocationEvent::SecondSeen { days } => row.second_wait_days.push(days),
        AllocationEvent::TurnedEighteen { planned_by_17_half } => {
            row.turned_18_in_service += 1;
            row.transition_planned_by_17_half += u64::from(planned_by_17_half);
        }
    }
}

fn count_referral(row: &mut Activity, r: &ReferralRow) {
    match r.event {
        ReferralEvent::Received { protected } => {
            row.received += 1;
            row.protected_recorded += u64::from(protected);
        }
        ReferralEvent::Triaged {
            minutes,
            signposted,
        } => {
            row.triaged += 1;
            row.triage_minutes.push(minutes);
            row.signposted += u64::from(signposted);
        }
        ReferralEvent::Step { up: true, .. } => row.step_ups += 1,
        ReferralEvent::Step { up: false, .. } => row.step_downs += 1,
    }
}

fn count_booked(row: &mut Activity, b: &BookedRow, people: &mut People) {
    if b.status.is_attended() {
        row.attended += 1;
        if mark(&mut people.seen, b.person) {
            row.young_people += 1;
            people.marked.push(b.person);
        }
        match b.age {
            Age::Adult => {
                row.young_people_18_to_25 += u64::from(mark(&mut people.adults, b.person))
            }
            Age::Under18 => {
                row.young_people_under_18 += u64::from(mark(&mut people.under_18, b.person));
            }
            Age::Unknown => {}
        }
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

impl Mirror {
    /// What `services` (every service and referral when `None`) delivered in each of
    /// `periods` (`[from, to)`), with days and birthdays in the area's time zone.
    pub(crate) fn activity(
        &self,
        services: Option<&[ServiceId]>,
        periods: &[(Timestamp, Timestamp)],
    ) -> Vec<Activity> {
        let bounds: Vec<(i64, i64)> = periods
            .iter()
            .map(|(f, t)| (f.as_millisecond(), t.as_millisecond()))
            .collect();
        let mut out = vec![Activity::default(); bounds.len()];
        let every = services.is_none();
        let chosen: Vec<u32> = match services {
            None => (0..self.service_ids.len() as u32).collect(),
            Some(ids) => {
                let mut slots: Vec<u32> = ids
                    .iter()
                    .filter_map(|id| self.service_index.get(id).copied())
                    .collect();
                slots.sort_unstable();
                slots.dedup();
                slots
            }
        };
        let mut booked_scopes = chosen.clone();
        if every {
            booked_scopes.push(NO_SERVICE);
        }
        let overlapping = overlapping(&bounds);
        let timelines = &self.timelines;
        let mut people = People::new(self.eighteenth.len());
        let mut shared: Vec<ReferralRow> = Vec::new();
        for (p, (&(from, to), row)) in bounds.iter().zip(out.iter_mut()).enumerate() {
            if from >= to {
                continue;
            }
            let here = |at: i64| !overlapping || period_of(&bounds, at) == Some(p);
            for &service in &chosen {
                timelines.allocations.each(service, from, to, |r| {
                    if here(r.at) {
                        count_allocation(row, r);
                    }
                });
            }
            if every || chosen.len() == 1 {
                let scope = if every { SYSTEM } else { chosen[0] };
                timelines.referrals.each(scope, from, to, |r| {
                    if here(r.at) {
                        count_referral(row, r);
                    }
                });
            } else {
                // A referral allocated to two of the services is filed under both: once.
                shared.clear();
                for &service in &chosen {
                    timelines.referrals.each(service, from, to, |r| {
                        if here(r.at) {
                            shared.push(*r);
                        }
                    });
                }
                shared.sort_unstable_by_key(ReferralRow::key);
                shared.dedup_by_key(|r| r.key());
                for r in &shared {
                    count_referral(row, r);
                }
            }
            people.clear();
            for &scope in &booked_scopes {
                timelines.booked.each(scope, from, to, |b| {
                    if here(b.at) {
                        count_booked(row, b, &mut people);
                    }
                });
            }
        }
        for row in &mut out {
            row.wait_days.sort_unstable();
            row.second_wait_days.sort_unstable();
            row.triage_minutes.sort_unstable();
        }
        out
    }
}
