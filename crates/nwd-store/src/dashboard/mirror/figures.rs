//! Counting from the kept rows: [`Mirror::figures`], the one definition of every dashboard
//! figure, each service's usual wait to a first attended contact, and the access measures'
//! sweep over the counted contacts. No database read happens here.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use nwd_domain::access::AccessMeasures;
use nwd_domain::codes::ContactStatus;
use nwd_domain::ServiceId;

use nwd_domain::about::UptakeGroup;
use nwd_domain::outcome_figures::{self, OutcomeAgeBand, OutcomeCounts};

use super::Dashboard;
use crate::codec::{ms, ts};
use crate::dashboard::{Ledger, Outcomes, Waits};
use crate::Store;
use nwd_domain::ledger::{is_return, Journey, JourneyFacts, LedgerCounts};
use nwd_domain::waits::FirstContactWaits;

use super::{Allocation, Entry, Mirror, ServiceEntry, NO_SERVICE};

impl Mirror {
    /// Each service's waits to a first attended contact, in days, for the allocations made
    /// in `[from, to)` (milliseconds) that have been seen: the "usual wait" the public
    /// service page and the referral page's service choices show. The same figure as
    /// `Store::service_waits`'s `to_first_contact_days` (the store's tests compare them).
    pub(crate) fn first_contact_waits(
        &self,
        from: i64,
        to: i64,
    ) -> HashMap<ServiceId, nwd_domain::waits::WaitDistribution> {
        let mut days: Vec<Vec<f64>> = vec![Vec::new(); self.service_ids.len()];
        for a in &self.allocations {
            if a.allocated_at >= from && a.allocated_at < to {
                if let Some(d) = a.first_wait_days {
                    days[a.service as usize].push(f64::from(d));
                }
            }
        }
        self.service_ids
            .iter()
            .zip(days)
            .map(|(id, days)| (*id, nwd_domain::waits::distribution(days)))
            .collect()
    }

    /// The dashboard for these month bounds: the one definition of each figure (each
    /// field of [`Dashboard`] says what it counts).
    pub(crate) fn figures(
        &self,
        bounds: &[(Date, Timestamp, Timestamp)],
        now: Timestamp,
        service: Option<ServiceId>,
    ) -> Dashboard {
        let n = bounds.len();
        let los: Vec<i64> = bounds.iter().map(|b| ms(b.1)).collect();
        let his: Vec<i64> = bounds.iter().map(|b| ms(b.2)).collect();
        // The month an instant falls in (months are contiguous and ascending).
        let month_of = |at: i64| -> Option<usize> {
            let i = los.partition_point(|lo| *lo <= at).checked_sub(1)?;
            (at < his[i]).then_some(i)
        };
        let ends: Vec<i64> = bounds.iter().map(|b| ms(b.2.min(now))).collect();
        let wanted = service.map(|s| self.service_index.get(&s).copied().unwrap_or(NO_SERVICE));

        let mut waiting = vec![0u64; n];
        let (mut seen, mut with_standard, mut within) =
            (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
        // With a service: the referrals that had an allocation there.
        let mut had_service = vec![wanted.is_none(); self.entries.len()];
        // Reached a service / seen there (the uptake table's definitions).
        let mut reached = vec![false; self.entries.len()];
        let mut seen_at_all = vec![false; self.entries.len()];
        // (referral, service) of every allocation counted, for the outcomes by service.
        let mut at_service: Vec<(u32, u32)> = Vec::new();
        // Days waited by the allocations first seen: per month, and (service, days,
        // verdict) over the period.
        let mut month_waits: Vec<Vec<f64>> = vec![Vec::new(); n];
        // Direct contacts by attendance status, by the month they were (booked) for.
        let mut by_status = vec![vec![0u64; n]; ContactStatus::ALL.len()];
        // Hours from receipt to the triage decision, by the month triaged.
        let mut to_triage: Vec<Vec<f64>> = vec![Vec::new(); n];
        let mut period_waits: Vec<(u32, i32, Option<bool>)> = Vec::new();
        for a in &self.allocations {
            if wanted.is_some_and(|s| a.service != s) {
                continue;
            }
            at_service.push((a.referral, a.service));
            had_service[a.referral as usize] = true;
            reached[a.referral as usize] = true;
            if a.first_attended_at.is_some() {
                seen_at_all[a.referral as usize] = true;
            }
            for (i, end) in ends.iter().enumerate() {
                if a.allocated_at < *end
                    && a.first_attended_at.is_none_or(|f| f >= *end)
                    && a.ended_at.is_none_or(|e| e >= *end)
                {
                    waiting[i] += 1;
                }
            }
            if let Some(i) = a.first_attended_at.and_then(month_of) {
                if let Some(days) = a.first_wait_days {
                    month_waits[i].push(f64::from(days));
                    period_waits.push((a.service, days, a.verdict));
                }
                seen[i] += 1;
                if let Some(met) = a.verdict {
                    with_standard[i] += 1;
                    if met {
                        within[i] += 1;
                    }
                }
            }
        }

        let keys = self.keys.len();
        let mut by_source = vec![vec![0u64; n]; keys];
        let mut by_need = vec![vec![0u64; n]; keys];
        let (mut ups, mut downs) = (vec![0u64; n], vec![0u64; n]);
        let (mut triaged, mut allocated, mut signposted) =
            (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
        let mut uptake = crate::dashboard::empty_uptake();
        let mut outcomes = Outcomes {
            by_group: vec![OutcomeCounts::default(); UptakeGroup::ALL.len()],
            ..Outcomes::default()
        };
        let (period_from, period_to) = (los.first().copied(), his.last().copied());
        // Counted for the outcome figures: closed in the period after enough contacts.
        let outcome_counted = |entry: &Entry| -> bool {
            entry
                .closed_at
                .zip(period_from.zip(period_to))
                .is_some_and(|(at, (from, to))| at >= from && at < to)
                && outcome_figures::counted(entry.attended_direct as usize)
        };
        for (slot, entry) in self.entries.iter().enumerate() {
            let Some(entry) = entry else { continue };
            if !had_service[slot] {
                continue;
            }
            if outcome_counted(entry) {
                outcomes.all.add(&entry.outcome);
                let need = self.keys[entry.need as usize].clone();
                outcomes
                    .by_need_group
                    .entry(need)
                    .or_default()
                    .add(&entry.outcome);
                outcomes.by_age[OutcomeAgeBand::of(entry.age).index()].add(&entry.outcome);
                for (i, row) in outcomes.by_group.iter_mut().enumerate() {
                    if entry.about.uptake_mask() & (1 << i) != 0 {
                        row.add(&entry.outcome);
                    }
                }
            }
            if let Some(i) = month_of(entry.received_at) {
                by_source[entry.source as usize][i] += 1;
                by_need[entry.need as usize][i] += 1;
                crate::dashboard::count_uptake(
                    &mut uptake,
                    entry.about.uptake_mask(),
                    reached[slot],
                    seen_at_all[slot],
                );
            }
            for (at, up) in &entry.steps {
                if let Some(i) = month_of(*at) {
                    if *up {
                        ups[i] += 1;
                    } else {
                        downs[i] += 1;
                    }
                }
            }
            for b in &entry.booked {
                if wanted.is_some_and(|w| b.service != w) {
                    continue;
                }
                if let Some(i) = month_of(b.at) {
                    by_status[b.status as usize][i] += 1;
                }
            }
            if let Some(i) = entry.triaged_at.and_then(month_of) {
                if let Some(at) = entry.triaged_at {
                    to_triage[i].push((at - entry.received_at) as f64 / 3_600_000.0);
                }
                triaged[i] += 1;
                if entry.allocated_at_triage {
                    allocated[i] += 1;
                } else if entry.signposted {
                    signposted[i] += 1;
                }
            }
        }

        let spread = |counts: Vec<Vec<u64>>| -> BTreeMap<String, Vec<u64>> {
            counts
                .into_iter()
                .enumerate()
                .filter(|(_, series)| series.iter().any(|c| *c > 0))
                .map(|(k, series)| (self.keys[k].clone(), series))
                .collect()
        };
        let referrals_by_source = spread(by_source);
        let mut referrals = vec![0u64; n];
        for series in referrals_by_source.values() {
            for (total, count) in referrals.iter_mut().zip(series) {
                *total += count;
            }
        }

        at_service.sort_unstable();
        at_service.dedup();
        let ledger = self
            .ledger(1, &|at| month_of(at).map(|_| 0), &had_service, &at_service)
            .pop()
            .unwrap_or_default();
        for (referral, service) in at_service {
            let Some(entry) = &self.entries[referral as usize] else {
                continue;
            };
            if outcome_counted(entry) {
                if let Some(id) = self.service_ids.get(service as usize) {
                    outcomes
                        .by_service
                        .entry(*id)
                        .or_default()
                        .add(&entry.outcome);
                }
            }
        }

        let contacts_by_status: BTreeMap<String, Vec<u64>> = ContactStatus::ALL
            .iter()
            .zip(by_status)
            .filter(|(_, counts)| counts.iter().any(|c| *c > 0))
            .map(|(status, counts)| (status.as_str().to_owned(), counts))
            .collect();
        period_waits.sort_unstable_by_key(|(service, _, _)| *service);
        let waits = Waits {
            by_month: month_waits
                .into_iter()
                .map(nwd_domain::waits::distribution)
                .collect(),
            to_triage_by_month: to_triage
                .into_iter()
                .map(nwd_domain::waits::distribution)
                .collect(),
            all: FirstContactWaits::of(period_waits.iter().map(|(_, d, v)| (*d, *v))),
            by_service: period_waits
                .chunk_by(|a, b| a.0 == b.0)
                .filter_map(|chunk| {
                    let id = self.service_ids.get(chunk[0].0 as usize)?;
                    Some((
                        *id,
                        FirstContactWaits::of(chunk.iter().map(|(_, d, v)| (*d, *v))),
                    ))
                })
                .collect(),
        };

        let period_ends: Vec<Date> = bounds.iter().map(|b| b.0.last_of_month()).collect();
        let access = self.access(&period_ends, wanted);

        Dashboard {
            months: bounds.iter().map(|b| b.0).collect(),
            referrals,
            referrals_by_source,
            referrals_by_need_group: spread(by_need),
            seen,
            seen_within_standard: within,
            seen_with_standard: with_standard,
            waiting_at_end: waiting,
            access,
            step_ups: ups,
            step_downs: downs,
            triaged,
            triaged_allocated: allocated,
            triaged_signposted: signposted,
            uptake,
            outcomes,
            waits,
            ledger,
            contacts_by_status,
        }
    }

    /// The no-wrong-door ledger (`nwd_domain::ledger`) of the requests received in each of
    /// `periods` periods (`period_of` places an instant in one) that `had_service`: each
    /// one's journey from all its allocations (whatever the service filter), whether it is a
    /// return, and the services it was allocated to (`at_service`: (referral, service)
    /// pairs, sorted).
    pub(super) fn ledger(
        &self,
        periods: usize,
        period_of: &dyn Fn(i64) -> Option<usize>,
        had_service: &[bool],
        at_service: &[(u32, u32)],
    ) -> Vec<Ledger> {
        let mut facts = vec![JourneyFacts::default(); self.entries.len()];
        for a in &self.allocations {
            let f = &mut facts[a.referral as usize];
            f.allocations += 1;
            if a.first_attended_at.is_some() {
                f.seen += 1;
            } else if a.ended_at.is_none() {
                f.open_unseen += 1;
            }
        }
        // Every closed request as (young person, closed at, slot), sorted: a person's closures
        // are one run, found by binary search.
        let mut closures: Vec<(u32, i64, u32)> = self
            .entries
            .iter()
            .enumerate()
            .filter_map(|(slot, e)| {
                let e = e.as_ref()?;
                Some((e.person, e.closed_at?, slot as u32))
            })
            .collect();
        closures.sort_unstable();
        // Counted by interned key and by service slot, turned into maps at the end.
        let keys = self.keys.len();
        let services = self.service_ids.len();
        let mut by_source = vec![vec![LedgerCounts::default(); keys]; periods];
        let mut by_need = vec![vec![LedgerCounts::default(); keys]; periods];
        let mut by_service = vec![vec![LedgerCounts::default(); services]; periods];
        let mut all = vec![LedgerCounts::default(); periods];
        let mut journeys: Vec<Option<(usize, Journey, bool)>> = vec![None; self.entries.len()];
        for (slot, entry) in self.entries.iter().enumerate() {
            let Some(entry) = entry else { continue };
            if !had_service[slot] {
                continue;
            }
            let Some(p) = period_of(entry.received_at) else {
                continue;
            };
            let f = &mut facts[slot];
            f.signposted = entry.signposted;
            f.decided = entry.triaged_at.is_some() || entry.closed_at.is_some();
            let journey = Journey::of(f);
            let first = closures.partition_point(|c| c.0 < entry.person);
            let returned = is_return(
                entry.received_at,
                closures[first..]
                    .iter()
                    .take_while(|c| c.0 == entry.person)
                    .filter(|c| c.2 as usize != slot)
                    .map(|c| c.1),
            );
            journeys[slot] = Some((p, journey, returned));
            all[p].add(journey, returned);
            by_source[p][entry.source as usize].add(journey, returned);
            by_need[p][entry.need as usize].add(journey, returned);
        }
        for (referral, service) in at_service {
            if let Some((p, journey, returned)) = journeys[*referral as usize] {
                if let Some(row) = by_service[p].get_mut(*service as usize) {
                    row.add(journey, returned);
                }
            }
        }
        let keyed = |rows: Vec<LedgerCounts>| -> BTreeMap<String, LedgerCounts> {
            rows.into_iter()
                .enumerate()
                .filter(|(_, c)| c.received > 0)
                .map(|(k, c)| (self.keys[k].clone(), c))
                .collect()
        };
        all.into_iter()
            .zip(by_source)
            .zip(by_need)
            .zip(by_service)
            .map(|(((all, source), need), service)| Ledger {
                all,
                by_source: keyed(source),
                by_need_group: keyed(need),
                by_service: service
                    .into_iter()
                    .enumerate()
                    .filter(|(_, c)| c.received > 0)
                    .filter_map(|(slot, c)| Some((*self.service_ids.get(slot)?, c)))
                    .collect(),
            })
            .collect()
    }

    /// The access measures for these period ends (ascending), counting the contacts up to
    /// the last end (at `wanted` only, if given): the sweep of
    /// `nwd_domain::access::access_measures_for_periods` over contacts kept sorted by person
    /// and day, with "which periods contain this day" read from a table of the days the
    /// periods span.
    fn access(&self, period_ends: &[Date], wanted: Option<u32>) -> Vec<AccessMeasures> {
        let starts: Vec<Date> = period_ends.iter().map(|e| period_start(*e)).collect();
        let end_days: Vec<i32> = period_ends.iter().map(|d| day_number(*d)).collect();
        let start_days: Vec<i32> = starts.iter().map(|d| day_number(*d)).collect();
        let periods = period_ends.len();
        let (Some(&base), Some(&top)) = (start_days.iter().min(), end_days.last()) else {
            return Vec::new();
        };
        // The periods containing each day from `base` to `top`, as a half-open range.
        let table: Vec<(usize, usize)> = (base..=top)
            .map(|day| {
                let lo = end_days.partition_point(|end| *end < day);
                let hi = start_days.partition_point(|start| *start <= day);
                (lo, hi.max(lo))
            })
            .collect();
        let containing = |day: i32| -> (usize, usize) {
            if day < base {
                (0, 0)
            } else {
                table[(day - base) as usize]
            }
        };
        let mut one = vec![0i64; periods + 1];
        let mut two = vec![0i64; periods + 1];
        for person in self.contacts.chunk_by(|a, b| a.person == b.person) {
            // People whose date of birth is not (or no longer) there are not counted.
            let Some(eighteenth) = self.eighteenth[person[0].person as usize] else {
                continue;
            };
            let mut covered = 0;
            let mut first_two = [None, None];
            let mut taken = 0;
            for c in person {
                if c.day > top {
                    break;
                }
                if wanted.is_some_and(|s| c.service != s) {
                    continue;
                }
                if taken < 2 {
                    first_two[taken] = Some(c.day);
                    taken += 1;
                }
                if c.day < eighteenth {
                    // MHS95: the union of the runs of every under-18 contact.
                    let (lo, hi) = containing(c.day);
                    let from = lo.max(covered);
                    if from < hi {
                        one[from] += 1;
                        one[hi] -= 1;
                        covered = hi;
                    }
                } else if taken == 2 {
                    break;
                }
            }
            // MHS69: the first contact before 18, the second in the period.
            if let [Some(first), Some(second)] = first_two {
                if first < eighteenth {
                    let (lo, hi) = containing(second);
                    if lo < hi {
                        two[lo] += 1;
                        two[hi] -= 1;
                    }
                }
            }
        }
        let (mut mhs95, mut mhs69) = (0i64, 0i64);
        (0..periods)
            .map(|k| {
                mhs95 += one[k];
                mhs69 += two[k];
                AccessMeasures {
                    period_start: starts[k],
                    period_end: period_ends[k],
                    mhs95_one_contact: mhs95.max(0) as u64,
                    mhs69_two_contacts: mhs69.max(0) as u64,
                }
            })
            .collect()
    }
}

/// The days waited to an allocation's first attended contact, if it has one.
pub(super) fn first_wait_days(a: &Allocation, store: &Store) -> Option<i32> {
    let seen = ts(a.first_attended_at?).ok()?;
    let start = ts(a.clock_start).ok()?;
    Some(nwd_domain::waits::days_waited(start, seen, &store.tz))
}

/// Whether a seen allocation met its service's standard (`None`: not seen, or no standard).
pub(super) fn verdict(
    a: &Allocation,
    entry: &Entry,
    services: &[ServiceEntry],
    store: &Store,
) -> Option<bool> {
    let seen = a.first_attended_at?;
    let list = services
        .get(a.service as usize)
        .map(|s| s.standards.as_slice())
        .unwrap_or(&[]);
    let standard = nwd_domain::standards::select(list, entry.priority, entry.source_code)?;
    let start = ts(a.clock_start).ok()?;
    let seen = ts(seen).ok()?;
    Some(seen <= standard.target.deadline(start, &store.tz))
}

/// The first day of the rolling 12 months ending on `period_end`, as
/// `nwd_domain::access` defines it (12 months back, plus a day).
pub(super) fn period_start(period_end: Date) -> Date {
    period_end
        .checked_sub(12.months())
        .and_then(|d| d.checked_add(1.day()))
        .unwrap_or(period_end)
}

/// Days since 1970-01-01 (the proleptic Gregorian calendar; increases with the date).
pub(super) fn day_number(d: Date) -> i32 {
    // Howard Hinnant's days_from_civil.
    let (y, m, day) = (
        i32::from(d.year()),
        i32::from(d.month()),
        i32::from(d.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test: a failure stops it with its message"
)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// Day numbers are consecutive across month and year ends and leap days, and 0 on
    /// 1970-01-01 (so ordering and differences equal the calendar's).
    #[test]
    fn day_numbers_follow_the_calendar() {
        assert_eq!(day_number(date(1970, 1, 1)), 0);
        assert_eq!(day_number(date(2000, 3, 1)), 11_017);
        let mut d = date(1999, 12, 1);
        let mut n = day_number(d);
        while d < date(2031, 3, 31) {
            let next = d.tomorrow().unwrap();
            assert_eq!(day_number(next), n + 1, "{next}");
            d = next;
            n += 1;
        }
    }

    /// The period start is the domain's: 12 months back plus a day (29 February 2024 for the
    /// period ending 28 February 2025).
    #[test]
    fn period_starts_match_the_domain() {
        use nwd_domain::access::access_measures;
        for end in [date(2025, 2, 28), date(2024, 2, 29), date(2025, 3, 31)] {
            assert_eq!(period_start(end), access_measures(&[], end).period_start);
        }
        assert_eq!(period_start(date(2025, 2, 28)), date(2024, 2, 29));
    }
}
