//! Each booked service's calendar of first appointments: a fixed number of new-episode slots
//! a week (from its capacity), an inherited waiting list at the start of the period, and
//! first-come first-served booking into the first week with a free slot. Urgent referrals
//! bypass the queue but still use a slot, so they lengthen everyone else's wait.

use crate::calendar::Clock;

/// First-appointment slots per week for one service.
pub(crate) struct Bookings {
    /// New episodes the service can start a week (fractional: spread across weeks).
    per_week: f64,
    /// First appointments booked, per week from the clock's origin.
    booked: Vec<u32>,
    /// Every week before this one is full.
    first_open: usize,
}

impl Bookings {
    /// A calendar covering the period plus `weeks_after_end`, with the first `backlog_weeks`
    /// already full.
    pub(crate) fn new(clock: &Clock, per_week: f64, backlog_weeks: usize) -> Bookings {
        let weeks = usize::try_from(clock.end_day / 7).unwrap_or(0) + 12;
        let mut bookings = Bookings {
            per_week: per_week.max(0.05),
            booked: vec![0; weeks],
            first_open: 0,
        };
        for week in 0..backlog_weeks.min(weeks) {
            let capacity = bookings.capacity(week);
            if let Some(slot) = bookings.booked.get_mut(week) {
                *slot = capacity;
            }
        }
        bookings.advance();
        bookings
    }

    /// Slots in `week`: the integer share of the fractional weekly rate.
    fn capacity(&self, week: usize) -> u32 {
        #[expect(
            clippy::cast_precision_loss,
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "week numbers and slot counts are small"
        )]
        let slots = ((week + 1) as f64 * self.per_week).floor() as u32
            - (week as f64 * self.per_week).floor() as u32;
        slots
    }

    fn is_full(&self, week: usize) -> bool {
        self.booked
            .get(week)
            .is_none_or(|b| *b >= self.capacity(week))
    }

    fn advance(&mut self) {
        while self.first_open < self.booked.len() && self.is_full(self.first_open) {
            self.first_open += 1;
        }
    }

    /// Books the first free week on or after `earliest_day`; `None` when there is none before
    /// the calendar ends (the young person is still waiting when the demo ends).
    pub(crate) fn book(&mut self, earliest_day: i64) -> Option<i64> {
        let from = usize::try_from(earliest_day.max(0) / 7).unwrap_or(0);
        let mut week = from.max(self.first_open);
        while week < self.booked.len() {
            if !self.is_full(week) {
                if let Some(slot) = self.booked.get_mut(week) {
                    *slot += 1;
                }
                self.advance();
                let week_start = i64::try_from(week).unwrap_or(0) * 7;
                return Some(week_start.max(earliest_day));
            }
            week += 1;
        }
        None
    }

    /// Uses a slot in the week of `day` whether or not it is free (an urgent referral).
    pub(crate) fn force(&mut self, day: i64) {
        let week = usize::try_from(day.max(0) / 7).unwrap_or(0);
        if let Some(slot) = self.booked.get_mut(week) {
            *slot += 1;
        }
        self.advance();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;

    #[test]
    fn bookings_fill_weeks_in_order_after_the_inherited_backlog() {
        let tz = TimeZone::get("Europe/London").unwrap();
        let clock = Clock::new("2026-03-31T17:00:00Z".parse().unwrap(), &tz, 2);
        let mut bookings = Bookings::new(&clock, 2.0, 3);
        // Weeks 0–2 are full: the first booking lands in week 3.
        assert_eq!(bookings.book(0), Some(21));
        assert_eq!(bookings.book(0), Some(21));
        assert_eq!(bookings.book(0), Some(28));
        // A later earliest day is respected.
        assert_eq!(bookings.book(100), Some(100));
        // An urgent booking overfills its week; the queue moves on.
        bookings.force(28);
        assert_eq!(bookings.book(0), Some(35));
    }
}
