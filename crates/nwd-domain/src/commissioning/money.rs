//! Sums of money in whole pence.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The largest sum accepted anywhere: £10,000,000,000 (above any area's whole budget; a
/// larger figure is a typing error, and pence stay exact in an `i64` far beyond it).
pub const MAX_POUNDS: f64 = 10_000_000_000.0;

/// A sum of money in whole pence, never negative.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(0);

    /// From whole pence (negative becomes zero).
    pub fn from_pence(pence: i64) -> Money {
        Money(pence.max(0))
    }

    /// From pounds as written in a document: at most two decimal places, not negative, not
    /// above [`MAX_POUNDS`]. The error says what is allowed.
    pub fn from_pounds(pounds: f64) -> Result<Money, String> {
        if !pounds.is_finite() || pounds < 0.0 {
            return Err(format!(
                "{pounds} is not a sum of money: use pounds, 0 or more"
            ));
        }
        if pounds > MAX_POUNDS {
            return Err(format!(
                "£{pounds} is above the £10,000,000,000 accepted: check the figure"
            ));
        }
        let pence = (pounds * 100.0).round();
        if ((pounds * 100.0) - pence).abs() > 1e-6 {
            return Err(format!("{pounds} has more than two decimal places (pence)"));
        }
        Ok(Money(pence as i64))
    }

    /// Whole pence.
    pub fn pence(self) -> i64 {
        self.0
    }

    /// Pounds (for charts and CSV).
    pub fn pounds(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// The sum of two amounts.
    pub fn plus(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }

    /// `self × numerator / denominator`, rounded to the nearest penny (half away from zero);
    /// zero when the denominator is zero.
    pub fn share(self, numerator: i64, denominator: i64) -> Money {
        if denominator <= 0 {
            return Money::ZERO;
        }
        let product = i128::from(self.0) * i128::from(numerator.max(0));
        let d = i128::from(denominator);
        Money(((product + d / 2) / d) as i64)
    }

    /// This amount divided among `count` (a unit cost), `None` when there are none.
    pub fn per(self, count: u64) -> Option<Money> {
        (count > 0).then(|| self.share(1, count as i64))
    }

    /// `price × count`.
    pub fn times(self, count: u64) -> Money {
        Money(self.0.saturating_mul(count.min(i64::MAX as u64) as i64))
    }
}

impl fmt::Display for Money {
    /// `£1,290,000` for whole pounds, `£95.50` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pounds = self.0 / 100;
        let pence = self.0 % 100;
        let digits = pounds.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        if pence == 0 {
            write!(f, "£{grouped}")
        } else {
            write!(f, "£{grouped}.{pence:02}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Money;

    #[test]
    fn pounds_are_read_to_the_penny_and_shown_grouped() {
        let check = |pounds: f64, shown: &str| {
            assert_eq!(
                Money::from_pounds(pounds).unwrap().to_string(),
                shown,
                "{pounds}"
            );
        };
        check(1_290_000.0, "£1,290,000");
        check(95.5, "£95.50");
        check(0.07, "£0.07");
        check(999.0, "£999");
        check(1000.0, "£1,000");
        check(2_650_000.01, "£2,650,000.01");
    }

    #[test]
    fn negative_fractional_pence_and_absurd_sums_are_refused() {
        for bad in [-1.0, 0.001, 1.005, f64::NAN, f64::INFINITY, 2e10] {
            assert!(Money::from_pounds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shares_round_to_the_nearest_penny() {
        let m = Money::from_pence(1000);
        assert_eq!(m.share(1, 3).pence(), 333);
        assert_eq!(m.share(2, 3).pence(), 667);
        assert_eq!(m.share(1, 0), Money::ZERO);
        assert_eq!(m.per(0), None);
        assert_eq!(m.per(4).unwrap().pence(), 250);
        assert_eq!(Money::from_pence(9550).times(3).pence(), 28650);
    }
}
