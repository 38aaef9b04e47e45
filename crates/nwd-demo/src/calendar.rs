//! The simulated calendar: the period the demo covers, local days in the area's time zone,
//! and when referrals arrive (weekday and school-term seasonality, fewer in August and at
//! weekends).
//!
//! Simulated times are whole seconds since the Unix epoch (`i64`), so the hot loop does plain
//! integer arithmetic; each day's UTC offset (taken at local noon) is looked up once and kept.
//! Working-hours times are therefore exact; a night-time crisis contact on the night the
//! clocks change may be an hour out, which no measure depends on.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use rand::Rng;

use crate::draw::DemoRng;

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;
/// Seconds in an hour.
pub(crate) const HOUR: i64 = 3_600;
/// Seconds in a minute.
pub(crate) const MINUTE: i64 = 60;
/// Days kept in the table after the end (bookings just beyond the end still need a weekday).
const DAYS_AFTER_END: i64 = 400;

/// The period and its local days.
pub(crate) struct Clock {
    /// The area's time zone.
    pub tz: TimeZone,
    /// Day 0: the local date `years` before the end date. The period is days 1..=`end_day`.
    origin: Date,
    /// Unix seconds of `origin` at 00:00 UTC.
    origin_utc: i64,
    /// UTC offset in seconds at local noon, per day from `origin`.
    offsets: Vec<i32>,
    /// The local date, per day from `origin`.
    dates: Vec<Date>,
    /// `origin`'s weekday, Monday = 0.
    origin_weekday: i64,
    /// The end of the period (inclusive).
    pub end: i64,
    /// The local day of `end`.
    pub end_day: i64,
}

impl Clock {
    /// The clock for a period of `years` ending at `end`.
    pub(crate) fn new(end: Timestamp, tz: &TimeZone, years: u32) -> Clock {
        let end_date = end.to_zoned(tz.clone()).date();
        let years = i16::try_from(years.clamp(1, 20)).unwrap_or(2);
        let origin = Date::new(end_date.year() - years, end_date.month(), end_date.day())
            .or_else(|_| Date::new(end_date.year() - years, end_date.month(), 28))
            .unwrap_or(end_date);
        let origin_utc = origin
            .to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .unwrap_or(0);
        let end_day = origin
            .until(end_date)
            .map(|span| i64::from(span.get_days()))
            .unwrap_or(0);
        let mut offsets = Vec::new();
        let mut dates = Vec::new();
        let mut date = origin;
        for day in 0..=end_day + DAYS_AFTER_END {
            let noon = Timestamp::from_second(origin_utc + day * DAY + 12 * HOUR)
                .unwrap_or(Timestamp::UNIX_EPOCH);
            offsets.push(tz.to_offset(noon).seconds());
            dates.push(date);
            date = date.tomorrow().unwrap_or(date);
        }
        Clock {
            tz: tz.clone(),
            origin,
            origin_utc,
            offsets,
            dates,
            origin_weekday: i64::from(origin.weekday().to_monday_zero_offset()),
            end: end.as_second(),
            end_day,
        }
    }

    fn offset(&self, day: i64) -> i64 {
        let last = self.offsets.len().saturating_sub(1);
        let index = usize::try_from(day.max(0)).unwrap_or(0).min(last);
        self.offsets.get(index).map_or(0, |o| i64::from(*o))
    }

    /// The local day (index from the origin) that `t` falls on.
    pub(crate) fn day_of(&self, t: i64) -> i64 {
        let rough = (t - self.origin_utc).div_euclid(DAY);
        (t + self.offset(rough) - self.origin_utc).div_euclid(DAY)
    }

    /// The time `seconds` after local midnight on `day`.
    pub(crate) fn at(&self, day: i64, seconds: i64) -> i64 {
        self.origin_utc + day * DAY + seconds - self.offset(day)
    }

    /// Weekday of `day`, Monday = 0 … Sunday = 6.
    pub(crate) fn weekday(&self, day: i64) -> i64 {
        (self.origin_weekday + day).rem_euclid(7)
    }

    /// The local date of `day`.
    pub(crate) fn date(&self, day: i64) -> Date {
        match usize::try_from(day).ok().and_then(|i| self.dates.get(i)) {
            Some(date) => *date,
            None => self.origin.checked_add(day.days()).unwrap_or(self.origin),
        }
    }

    /// The local date that `t` falls on.
    pub(crate) fn date_of(&self, t: i64) -> Date {
        self.date(self.day_of(t))
    }

    /// The local date of `t`, computed exactly in the time zone (for ages, which the domain
    /// computes the same way).
    pub(crate) fn exact_date(&self, t: i64) -> Date {
        self.timestamp(t).to_zoned(self.tz.clone()).date()
    }

    /// The day index of a local date.
    pub(crate) fn day_of_date(&self, date: Date) -> i64 {
        self.origin
            .until(date)
            .map(|span| i64::from(span.get_days()))
            .unwrap_or(0)
    }

    /// `day`, or the Monday after it when it falls at a weekend.
    pub(crate) fn working_day(&self, day: i64) -> i64 {
        match self.weekday(day) {
            5 => day + 2,
            6 => day + 1,
            _ => day,
        }
    }

    /// A time during working hours (09:00–16:45) on `day`, moved off weekends.
    pub(crate) fn working_time(&self, rng: &mut DemoRng, day: i64) -> i64 {
        let day = self.working_day(day);
        let quarter = rng.gen_range(0..32);
        self.at(day, 9 * HOUR + quarter * 15 * MINUTE)
    }

    /// The next working-hours time on or after `t` (same day when still in hours).
    pub(crate) fn next_working_time(&self, rng: &mut DemoRng, t: i64) -> i64 {
        let day = self.day_of(t);
        let candidate = self.working_time(rng, day);
        if candidate > t {
            candidate
        } else {
            self.working_time(rng, day + 1)
        }
    }

    /// Converts a simulated time to a timestamp.
    pub(crate) fn timestamp(&self, t: i64) -> Timestamp {
        Timestamp::from_second(t).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// When referrals arrive: one time per referral, drawn by day weight then time of day.
pub(crate) struct Arrivals {
    /// Cumulative day weights for days 1..=end_day.
    cumulative: Vec<f64>,
}

impl Arrivals {
    /// Day weights for the whole period.
    pub(crate) fn new(clock: &Clock) -> Arrivals {
        let mut cumulative = Vec::with_capacity(usize::try_from(clock.end_day).unwrap_or(0));
        let mut total = 0.0;
        for day in 1..=clock.end_day {
            total += day_weight(clock, day);
            cumulative.push(total);
        }
        Arrivals { cumulative }
    }

    /// A day in 1..=end_day, drawn by weight.
    pub(crate) fn day(&self, rng: &mut DemoRng) -> i64 {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let ticket = rng.gen_range(0.0..total.max(f64::MIN_POSITIVE));
        let index = self.cumulative.partition_point(|c| *c <= ticket);
        i64::try_from(index).unwrap_or(0) + 1
    }
}

/// A day's relative referral volume: weekday × school calendar × a gentle rise in demand
/// (the seeds describe demand "significantly higher than expected" and still growing).
fn day_weight(clock: &Clock, day: i64) -> f64 {
    let weekday = match clock.weekday(day) {
        0 => 1.2,
        1 => 1.15,
        2 | 3 => 1.1,
        4 => 0.95,
        _ => 0.3,
    };
    let date = clock.date(day);
    let (month, dom) = (date.month(), date.day());
    let term = match (month, dom) {
        (8, _) => 0.55,
        (7, 22..) => 0.75,
        (12, 20..) | (1, ..=4) => 0.55,
        (4, ..=14) => 0.8,
        (10, 24..) | (2, 14..=21) | (5, 26..) => 0.85,
        (9, _) | (11, _) | (1, _) => 1.1,
        _ => 1.0,
    };
    #[expect(clippy::cast_precision_loss, reason = "day counts are small")]
    let trend = 1.0 + 0.06 * (day as f64 / 365.0);
    weekday * term * trend
}

#[cfg(test)]
mod tests;
