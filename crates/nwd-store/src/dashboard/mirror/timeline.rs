//! The kept inputs of the payment and activity statements (`Mirror::activity`) filed by
//! service and by time, so that a contract's counts read only its services' rows in the
//! periods asked for, and the whole system's only the rows in those periods.
//!
//! Three [`Timeline`]s hold one small row per thing counted, each at the instant that places
//! it in a period: a referral's receipt, triage and steps (filed under the whole system and
//! under each service it has an allocation to); an allocation's making, first attended
//! contact (with its wait and verdict), ending, second attended contact at its service while
//! open (with its wait) and the young person's 18th birthday while it was open; and each
//! direct contact booked (under its service), with its young person and whether it was before
//! or after their 18th birthday. Everything a row needs is worked out when it is filed, in the
//! store's time zone. Rows sit in buckets of [`BUCKET_MS`] by scope, unordered within one.
//!
//! The timelines follow the mirror's updates: a referral's rows are filed when it is read,
//! and taken out (found by the same function, so in the same buckets) before it is dropped;
//! a service whose standards changed has its allocations' rows filed again (their verdicts).

use std::collections::{HashMap, HashSet};

use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use nwd_domain::about::{EthnicityGroup, GenderGroup, UptakeGroup};
use nwd_domain::codes::ContactStatus;
use nwd_domain::commissioning::statement::CRISIS_PRIORITIES;

use super::{Allocation, Entry, Mirror};

/// Width of a bucket: 2³¹ ms, about 25 days (a quarter reads five buckets).
const BUCKET_MS: i64 = 1 << 31;

/// The referral timeline's scope for the whole system (service slots are the others).
pub(super) const SYSTEM: u32 = u32::MAX;

fn bucket(at: i64) -> i64 {
    at.div_euclid(BUCKET_MS)
}

/// A row placed in time and owned by one referral.
pub(super) trait Timed {
    fn at(&self) -> i64;
    fn referral(&self) -> u32;
}

/// Rows by scope (a service slot, or [`SYSTEM`]) and bucket.
pub(super) struct Timeline<T> {
    buckets: HashMap<(u32, i64), Vec<T>>,
}

impl<T> Default for Timeline<T> {
    fn default() -> Self {
        Timeline {
            buckets: HashMap::new(),
        }
    }
}

impl<T: Timed> Timeline<T> {
    /// Rows held, and the bytes their buckets take (the benchmark's measure, so only with the
    /// `testing` feature).
    #[cfg(feature = "testing")]
    fn size(&self) -> (usize, usize) {
        self.buckets.values().fold((0, 0), |(rows, bytes), v| {
            (
                rows + v.len(),
                bytes + v.capacity() * std::mem::size_of::<T>(),
            )
        })
    }

    fn push(&mut self, scope: u32, row: T) {
        self.buckets
            .entry((scope, bucket(row.at())))
            .or_default()
            .push(row);
    }

    /// Takes out the rows of the `removed` referrals from the buckets `keys`.
    fn forget(&mut self, keys: &HashSet<(u32, i64)>, removed: &HashSet<u32>) {
        for key in keys {
            if let Some(rows) = self.buckets.get_mut(key) {
                rows.retain(|r| !removed.contains(&r.referral()));
                if rows.is_empty() {
                    self.buckets.remove(key);
                }
            }
        }
    }

    /// Every row of `scope` at an instant in `[from, to)`.
    pub(super) fn each(&self, scope: u32, from: i64, to: i64, mut f: impl FnMut(&T)) {
        if from >= to {
            return;
        }
        let (first, last) = (bucket(from), bucket(to - 1));
        let mut visit = |rows: &Vec<T>| {
            for row in rows {
                let at = row.at();
                if at >= from && at < to {
                    f(row);
                }
            }
        };
        if (last - first) as u128 >= self.buckets.len() as u128 {
            // A very long period: look at every bucket once rather than at every key in it.
            for ((s, b), rows) in &self.buckets {
                if *s == scope && (first..=last).contains(b) {
                    visit(rows);
                }
            }
        } else {
            for b in first..=last {
                if let Some(rows) = self.buckets.get(&(scope, b)) {
                    visit(rows);
                }
            }
        }
    }
}

/// What happened to a referral at an instant.
#[derive(Clone, Copy)]
pub(super) enum ReferralEvent {
    /// Received, with both its young person's ethnic group and gender identity recorded.
    Received { protected: bool },
    /// Triaged after these minutes; signposted and not allocated at triage.
    Triaged { minutes: u32, signposted: bool },
    /// Its `index`th need-group change, up or down.
    Step { index: u32, up: bool },
}

#[derive(Clone, Copy)]
pub(super) struct ReferralRow {
    pub(super) at: i64,
    pub(super) referral: u32,
    pub(super) event: ReferralEvent,
}

impl ReferralRow {
    /// Which of its referral's rows this is (the same row filed under two services has the
    /// same key).
    pub(super) fn key(&self) -> (u32, u32) {
        let which = match self.event {
            ReferralEvent::Received { .. } => 0,
            ReferralEvent::Triaged { .. } => 1,
            ReferralEvent::Step { index, .. } => index.saturating_add(2),
        };
        (self.referral, which)
    }
}

/// What happened to an allocation at an instant.
#[derive(Clone, Copy)]
pub(super) enum AllocationEvent {
    Allocated,
    /// First attended contact: days waited (if known), seen within its standard (`None`
    /// without one), and the referral's crisis priority's index in `CRISIS_PRIORITIES`.
    FirstSeen {
        wait_days: Option<u32>,
        verdict: Option<bool>,
        crisis: Option<u8>,
    },
    Ended,
    /// Second attended direct contact at its service while open, after these days.
    SecondSeen {
        days: u32,
    },
    /// The young person turned 18 while it was open; whether the first transition plan was
    /// made by 17½.
    TurnedEighteen {
        planned_by_17_half: bool,
    },
}

#[derive(Clone, Copy)]
pub(super) struct AllocationRow {
    pub(super) at: i64,
    pub(super) referral: u32,
    pub(super) event: AllocationEvent,
}

/// Whether a contact was before its young person's 18th birthday.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Age {
    Unknown,
    Under18,
    Adult,
}

/// One direct contact booked.
#[derive(Clone, Copy)]
pub(super) struct BookedRow {
    pub(super) at: i64,
    pub(super) referral: u32,
    pub(super) person: u32,
    pub(super) status: ContactStatus,
    pub(super) age: Age,
}

impl Timed for ReferralRow {
    fn at(&self) -> i64 {
        self.at
    }
    fn referral(&self) -> u32 {
        self.referral
    }
}

impl Timed for AllocationRow {
    fn at(&self) -> i64 {
        self.at
    }
    fn referral(&self) -> u32 {
        self.referral
    }
}

impl Timed for BookedRow {
    fn at(&self) -> i64 {
        self.at
    }
    fn referral(&self) -> u32 {
        self.referral
    }
}

/// The three timelines.
#[derive(Default)]
pub(super) struct Timelines {
    pub(super) referrals: Timeline<ReferralRow>,
    pub(super) allocations: Timeline<AllocationRow>,
    pub(super) booked: Timeline<BookedRow>,
}

/// A row with its scope.
enum Filed {
    Referral(u32, ReferralRow),
    Allocation(u32, AllocationRow),
    Booked(u32, BookedRow),
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

/// What the rows are worked out from.
struct Rows<'a> {
    entries: &'a [Option<Entry>],
    eighteenth: &'a [Option<i32>],
    tz: &'a TimeZone,
}

impl Rows<'_> {
    /// The instant the young person of `entry` turns 18, if known.
    fn eighteenth_at(&self, entry: &Entry) -> Option<(jiff::civil::Date, i64)> {
        let day = self
            .eighteenth
            .get(entry.person as usize)
            .copied()
            .flatten()?;
        let birthday = date_of(day)?;
        Some((birthday, start_of_day(birthday, self.tz)?))
    }

    /// The rows of referral `slot` itself: under the whole system, and under each service
    /// in `services` (pairs of this referral and a service it has an allocation to, each
    /// once); and its contacts booked.
    fn referral(&self, slot: u32, services: &[(u32, u32)], out: &mut impl FnMut(Filed)) {
        let Some(entry) = self.entries.get(slot as usize).and_then(Option::as_ref) else {
            return;
        };
        let ethnicity_unknown = 1u32 << UptakeGroup::Ethnicity(EthnicityGroup::NotRecorded).index();
        let gender_unknown = 1u32 << UptakeGroup::Gender(GenderGroup::NotRecorded).index();
        let mut rows = vec![ReferralRow {
            at: entry.received_at,
            referral: slot,
            event: ReferralEvent::Received {
                protected: entry.about.uptake_mask() & (ethnicity_unknown | gender_unknown) == 0,
            },
        }];
        if let Some(at) = entry.triaged_at {
            rows.push(ReferralRow {
                at,
                referral: slot,
                event: ReferralEvent::Triaged {
                    minutes: ((at - entry.received_at).max(0) / 60_000) as u32,
                    signposted: entry.signposted && !entry.allocated_at_triage,
                },
            });
        }
        for (index, &(at, up)) in entry.steps.iter().enumerate() {
            rows.push(ReferralRow {
                at,
                referral: slot,
                event: ReferralEvent::Step {
                    index: index as u32,
                    up,
                },
            });
        }
        for row in &rows {
            out(Filed::Referral(SYSTEM, *row));
            for &(_, service) in services {
                out(Filed::Referral(service, *row));
            }
        }
        if entry.booked.is_empty() {
            return;
        }
        let eighteenth = self.eighteenth_at(entry).map(|(_, at)| at);
        for b in &entry.booked {
            let age = match eighteenth {
                Some(at) if b.at >= at => Age::Adult,
                Some(_) => Age::Under18,
                None => Age::Unknown,
            };
            out(Filed::Booked(
                b.service,
                BookedRow {
                    at: b.at,
                    referral: slot,
                    person: entry.person,
                    status: b.status,
                    age,
                },
            ));
        }
    }

    /// The rows of allocation `a`, under its service.
    fn allocation(&self, a: &Allocation, out: &mut impl FnMut(Filed)) {
        let Some(entry) = self
            .entries
            .get(a.referral as usize)
            .and_then(Option::as_ref)
        else {
            return;
        };
        let mut put = |at: i64, event: AllocationEvent| {
            out(Filed::Allocation(
                a.service,
                AllocationRow {
                    at,
                    referral: a.referral,
                    event,
                },
            ));
        };
        put(a.allocated_at, AllocationEvent::Allocated);
        if let Some(at) = a.first_attended_at {
            put(
                at,
                AllocationEvent::FirstSeen {
                    wait_days: a.first_wait_days.map(|d| d.max(0) as u32),
                    verdict: a.verdict,
                    crisis: CRISIS_PRIORITIES
                        .iter()
                        .position(|p| *p == entry.priority)
                        .map(|i| i as u8),
                },
            );
        }
        if let Some(at) = a.ended_at {
            put(at, AllocationEvent::Ended);
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
            if let (Ok(start), Ok(second)) = (
                Timestamp::from_millisecond(a.clock_start),
                Timestamp::from_millisecond(attended[1]),
            ) {
                let days = nwd_domain::waits::days_waited(start, second, self.tz);
                put(
                    attended[1],
                    AllocationEvent::SecondSeen {
                        days: days.max(0) as u32,
                    },
                );
            }
        }
        // Turned 18 while it was open; the first transition plan made by 17½ (before the day
        // after the date six months before the 18th birthday).
        if let Some((birthday, at)) = self.eighteenth_at(entry) {
            if a.allocated_at <= at && a.ended_at.is_none_or(|end| end > at) {
                let by = birthday
                    .checked_sub(6.months())
                    .ok()
                    .and_then(|d| d.tomorrow().ok())
                    .and_then(|d| start_of_day(d, self.tz));
                let planned_by_17_half = matches!(
                    (entry.transition_planned_at, by),
                    (Some(planned), Some(by)) if planned < by
                );
                put(at, AllocationEvent::TurnedEighteen { planned_by_17_half });
            }
        }
    }

    /// The rows of the referrals `slots` and of the allocations `allocations` (theirs).
    fn all(&self, slots: &[u32], allocations: &[&Allocation], out: &mut impl FnMut(Filed)) {
        let mut services: Vec<(u32, u32)> = Vec::with_capacity(allocations.len());
        for a in allocations {
            self.allocation(a, out);
            services.push((a.referral, a.service));
        }
        services.sort_unstable();
        services.dedup();
        for &slot in slots {
            let from = services.partition_point(|p| p.0 < slot);
            let to = from + services[from..].partition_point(|p| p.0 == slot);
            self.referral(slot, &services[from..to], out);
        }
    }
}

impl Timelines {
    fn put(&mut self, filed: Filed) {
        match filed {
            Filed::Referral(scope, row) => self.referrals.push(scope, row),
            Filed::Allocation(scope, row) => self.allocations.push(scope, row),
            Filed::Booked(scope, row) => self.booked.push(scope, row),
        }
    }
}

impl Mirror {
    /// What the rows are worked out from, with the allocations and the timelines they are
    /// filed in (borrowed apart, so that filing can write while the rows are read).
    fn rows(&mut self) -> (Rows<'_>, &[Allocation], &mut Timelines) {
        let Mirror {
            entries,
            eighteenth,
            tz,
            allocations,
            timelines,
            ..
        } = self;
        (
            Rows {
                entries,
                eighteenth,
                tz,
            },
            allocations,
            timelines,
        )
    }

    /// Files every referral held again, and how long that took, with the rows filed and the
    /// bytes they take (the benchmark's measure of what filing adds to a full read).
    #[cfg(feature = "testing")]
    pub(crate) fn refile_timed(&mut self) -> (std::time::Duration, usize, usize) {
        let started = std::time::Instant::now();
        self.file_all();
        let took = started.elapsed();
        let t = &self.timelines;
        let sizes = [t.referrals.size(), t.allocations.size(), t.booked.size()];
        let rows = sizes.iter().map(|s| s.0).sum();
        let bytes = sizes.iter().map(|s| s.1).sum();
        (took, rows, bytes)
    }

    /// Files every referral held (after a full read).
    pub(super) fn file_all(&mut self) {
        self.timelines = Timelines::default();
        let slots: Vec<u32> = (0..self.entries.len() as u32)
            .filter(|s| self.entries[*s as usize].is_some())
            .collect();
        self.file(&slots, 0);
    }

    /// Files the referrals `slots`, read just now, with their allocations (those from
    /// `first_allocation` on).
    pub(super) fn file(&mut self, slots: &[u32], first_allocation: usize) {
        let (rows, allocations, timelines) = self.rows();
        let theirs: Vec<&Allocation> = allocations
            .get(first_allocation..)
            .unwrap_or(&[])
            .iter()
            .collect();
        rows.all(slots, &theirs, &mut |f| timelines.put(f));
    }

    /// Takes the rows of the referrals `removed` out of the timelines (before they are
    /// dropped from the mirror).
    pub(super) fn unfile(&mut self, removed: &HashSet<u32>) {
        let (rows, allocations, timelines) = self.rows();
        let theirs: Vec<&Allocation> = allocations
            .iter()
            .filter(|a| removed.contains(&a.referral))
            .collect();
        let slots: Vec<u32> = removed.iter().copied().collect();
        let (mut referrals, mut booked_keys, mut allocation_keys) =
            (HashSet::new(), HashSet::new(), HashSet::new());
        rows.all(&slots, &theirs, &mut |f| match f {
            Filed::Referral(scope, row) => {
                referrals.insert((scope, bucket(row.at)));
            }
            Filed::Allocation(scope, row) => {
                allocation_keys.insert((scope, bucket(row.at)));
            }
            Filed::Booked(scope, row) => {
                booked_keys.insert((scope, bucket(row.at)));
            }
        });
        timelines.referrals.forget(&referrals, removed);
        timelines.allocations.forget(&allocation_keys, removed);
        timelines.booked.forget(&booked_keys, removed);
    }

    /// Files again the allocations to the services `changed` (their verdicts moved).
    pub(super) fn refile_services(&mut self, changed: &HashSet<u32>) {
        let (rows, allocations, timelines) = self.rows();
        timelines
            .allocations
            .buckets
            .retain(|(scope, _), _| !changed.contains(scope));
        for a in allocations.iter().filter(|a| changed.contains(&a.service)) {
            rows.allocation(a, &mut |f| timelines.put(f));
        }
    }
}
