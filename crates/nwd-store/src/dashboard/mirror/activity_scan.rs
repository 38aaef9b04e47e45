//! The reference for `Mirror::activity` (feature `testing`): the same counts by one scan of
//! every referral and allocation kept, as they were counted before the timelines (the
//! store's tests compare the two after random writes). What a set of services — or the
//! whole system — delivered in each of a list of periods, counted from the kept inputs: the
//! allocations (made, first seen with their wait and verdict, seen a second time, ended, open
//! on an 18th birthday), the direct contacts booked (attended, not attended, expected; the
//! different young people attended, by age), and the referrals in scope (received, triaged or
//! signposted, stepped up or down, with protected characteristics recorded).
//!
//! A set of services' referrals are those with an allocation to one of them; the whole
//! system's are every referral, including those signposted and never allocated.

use std::collections::HashSet;

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use nwd_domain::about::{EthnicityGroup, GenderGroup, UptakeGroup};
use nwd_domain::commissioning::statement::{Activity, CRISIS_PRIORITIES};
use nwd_domain::ServiceId;

use super::Mirror;

/// The index of the period holding `at` (milliseconds), if any.
fn period_of(periods: &[(i64, i64)], at: i64) -> Option<usize> {
    periods.iter().position(|&(from, to)| at >= from && at < to)
}

/// The instant local midnight begins `day`, in milliseconds.
fn start_of_day(day: jiff::civil::Date, tz: &TimeZone) -> Option<i64> {
    let zoned = day.to_zoned(tz.clone()).ok()?;
    Some(zoned.timestamp().as_millisecond())
}

/// The civil date of a day number.
fn date_of(day: i32) -> Option<jiff::civil::Date> {
    jiff::civil::date(1970, 1, 1)
        .checked_add(i64::from(day).days())
        .ok()
}

impl Mirror {
    /// What `services` (every service and referral when `None`) delivered in each of
    /// `periods` (`[from, to)`), with days and birthdays in `tz`, by one scan of everything.
    pub(crate) fn activity_by_scan(
        &self,
        services: Option<&[ServiceId]>,
        periods: &[(Timestamp, Timestamp)],
        tz: &TimeZone,
    ) -> Vec<Activity> {
        let bounds: Vec<(i64, i64)> = periods
            .iter()
            .map(|(f, t)| (f.as_millisecond(), t.as_millisecond()))
            .collect();
        let mut out = vec![Activity::default(); bounds.len()];
        let mut chosen = vec![services.is_none(); self.service_ids.len()];
        for id in services.unwrap_or(&[]) {
            if let Some(&slot) = self.service_index.get(id) {
                chosen[slot as usize] = true;
            }
        }
        let every = services.is_none();
        let wanted = |service: u32| every || chosen.get(service as usize).copied().unwrap_or(false);
        let mut in_scope = vec![every; self.entries.len()];
        for a in self.allocations.iter().filter(|a| wanted(a.service)) {
            in_scope[a.referral as usize] = true;
            let Some(entry) = self.entries[a.referral as usize].as_ref() else {
                continue;
            };
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
                    if let Some(i) = CRISIS_PRIORITIES.iter().position(|p| *p == entry.priority) {
                        row.crisis_with_standard[i] += 1;
                        row.crisis_within_standard[i] += u64::from(within);
                    }
                }
            }
            if let Some(p) = a.ended_at.and_then(|at| period_of(&bounds, at)) {
                out[p].episodes_ended += 1;
            }
            // The second attended direct contact at the allocation's service while it was open.
            let open = |at: i64| at >= a.allocated_at && a.ended_at.is_none_or(|end| at <= end);
            let mut attended: Vec<i64> = entry
                .booked
                .iter()
                .filter(|b| b.service == a.service && b.status.is_attended() && open(b.at))
                .map(|b| b.at)
                .collect();
            if attended.len() >= 2 {
                attended.sort_unstable();
                if let Some(p) = period_of(&bounds, attended[1]) {
                    if let (Ok(start), Ok(second)) = (
                        Timestamp::from_millisecond(a.clock_start),
                        Timestamp::from_millisecond(attended[1]),
                    ) {
                        let days = nwd_domain::waits::days_waited(start, second, tz);
                        out[p].second_wait_days.push(days.max(0) as u32);
                    }
                }
            }
            self.count_transition(a, entry, &bounds, tz, &mut out);
        }

        let ethnicity_unknown = 1u32 << UptakeGroup::Ethnicity(EthnicityGroup::NotRecorded).index();
        let gender_unknown = 1u32 << UptakeGroup::Gender(GenderGroup::NotRecorded).index();
        let mut under_18: Vec<HashSet<u32>> = vec![HashSet::new(); bounds.len()];
        let mut adults: Vec<HashSet<u32>> = vec![HashSet::new(); bounds.len()];
        let mut people: Vec<HashSet<u32>> = vec![HashSet::new(); bounds.len()];
        for (slot, entry) in self.entries.iter().enumerate() {
            let Some(entry) = entry else { continue };
            if in_scope[slot] {
                if let Some(p) = period_of(&bounds, entry.received_at) {
                    out[p].received += 1;
                    if entry.about.uptake_mask() & (ethnicity_unknown | gender_unknown) == 0 {
                        out[p].protected_recorded += 1;
                    }
                }
                if let Some(at) = entry.triaged_at {
                    if let Some(p) = period_of(&bounds, at) {
                        let row = &mut out[p];
                        row.triaged += 1;
                        row.triage_minutes
                            .push(((at - entry.received_at).max(0) / 60_000) as u32);
                        if entry.signposted && !entry.allocated_at_triage {
                            row.signposted += 1;
                        }
                    }
                }
                for &(at, up) in &entry.steps {
                    if let Some(p) = period_of(&bounds, at) {
                        if up {
                            out[p].step_ups += 1;
                        } else {
                            out[p].step_downs += 1;
                        }
                    }
                }
            }
            // The instant the young person turns 18, worked out once per referral with contacts.
            let eighteenth = if entry.booked.is_empty() {
                None
            } else {
                self.eighteenth
                    .get(entry.person as usize)
                    .copied()
                    .flatten()
                    .and_then(date_of)
                    .and_then(|d| start_of_day(d, tz))
            };
            for b in entry.booked.iter().filter(|b| wanted(b.service)) {
                let Some(p) = period_of(&bounds, b.at) else {
                    continue;
                };
                let row = &mut out[p];
                if b.status.is_attended() {
                    row.attended += 1;
                    people[p].insert(entry.person);
                    match eighteenth {
                        Some(at) if b.at >= at => adults[p].insert(entry.person),
                        Some(_) => under_18[p].insert(entry.person),
                        None => false,
                    };
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
        for (p, row) in out.iter_mut().enumerate() {
            row.young_people = people[p].len() as u64;
            row.young_people_under_18 = under_18[p].len() as u64;
            row.young_people_18_to_25 = adults[p].len() as u64;
        }
        out
    }

    /// Counts `a` if its young person turned 18 in one of the periods while it was open, and
    /// whether its referral's first transition plan was made by 17½ (six months before).
    fn count_transition(
        &self,
        a: &super::Allocation,
        entry: &super::Entry,
        bounds: &[(i64, i64)],
        tz: &TimeZone,
        out: &mut [Activity],
    ) {
        let Some(day) = self
            .eighteenth
            .get(entry.person as usize)
            .copied()
            .flatten()
        else {
            return;
        };
        let Some(birthday) = date_of(day) else { return };
        let Some(at) = start_of_day(birthday, tz) else {
            return;
        };
        let Some(p) = period_of(bounds, at) else {
            return;
        };
        let open = a.allocated_at <= at && a.ended_at.is_none_or(|end| end > at);
        if !open {
            return;
        }
        out[p].turned_18_in_service += 1;
        // By 17½: made before the day after the date six months before the 18th birthday.
        let by = birthday
            .checked_sub(6.months())
            .ok()
            .and_then(|d| d.tomorrow().ok())
            .and_then(|d| start_of_day(d, tz));
        if let (Some(planned), Some(by)) = (entry.transition_planned_at, by) {
            if planned < by {
                out[p].transition_planned_by_17_half += 1;
            }
        }
    }
}
