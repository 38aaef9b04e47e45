//! 95 % confidence intervals, as Public Health England's (now OHID's) "Technical Guide:
//! Confidence intervals" (2018) recommends for public health indicators:
//! - a **proportion** (a group's share of referrals, a field's completeness): the Wilson score
//!   interval (Wilson 1927; method 3 of Newcombe, *Statistics in Medicine* 1998;17:857–872);
//! - a **count of events over a population** (referrals per 10,000): Byar's approximation to
//!   the exact Poisson interval (Breslow and Day 1987), the population taken as exact.
//!
//! An uptake ratio (a group's share of referrals over its share of the population) takes the
//! Wilson interval of the share of referrals, divided by the population share, which is a
//! census figure and taken as exact.

/// The 97.5th percentile of the standard normal distribution.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// An estimate with its 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Interval {
    /// The estimate.
    pub value: f64,
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

impl Interval {
    /// Every figure multiplied by `factor`.
    pub fn scaled(self, factor: f64) -> Interval {
        Interval {
            value: self.value * factor,
            lower: self.lower * factor,
            upper: self.upper * factor,
        }
    }
}

/// The Wilson score interval of `x` out of `n`; `None` when `n` is 0 or `x > n`.
pub fn wilson(x: u64, n: u64) -> Option<Interval> {
    if n == 0 || x > n {
        return None;
    }
    let (x, n) = (x as f64, n as f64);
    let p = x / n;
    let z2 = Z_95 * Z_95;
    let denominator = 1.0 + z2 / n;
    let centre = p + z2 / (2.0 * n);
    let half = Z_95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(Interval {
        value: p,
        lower: ((centre - half) / denominator).max(0.0),
        upper: ((centre + half) / denominator).min(1.0),
    })
}

/// Byar's interval for a Poisson count `observed`.
pub fn byar(observed: u64) -> Interval {
    let o = observed as f64;
    let lower = if observed == 0 {
        0.0
    } else {
        o * (1.0 - 1.0 / (9.0 * o) - Z_95 / (3.0 * o.sqrt())).powi(3)
    };
    let o1 = o + 1.0;
    let upper = o1 * (1.0 - 1.0 / (9.0 * o1) + Z_95 / (3.0 * o1.sqrt())).powi(3);
    Interval {
        value: o,
        lower,
        upper,
    }
}

/// `events` per `per` people of a population of `population`, with Byar's interval; `None`
/// for an empty population.
pub fn rate(events: u64, population: u64, per: f64) -> Option<Interval> {
    (population > 0).then(|| byar(events).scaled(per / population as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-4, "{a} is not {b}");
    }

    /// Hand-checked: 10 of 100 → 5.52 % to 17.44 % (Newcombe 1998, method 3).
    #[test]
    fn wilson_intervals_match_hand_checked_values_and_edges() {
        let i = wilson(10, 100).unwrap();
        close(i.value, 0.1);
        close(i.lower, 0.055_229);
        close(i.upper, 0.174_366);
        let none = wilson(0, 20).unwrap();
        close(none.lower, 0.0);
        close(none.upper, 0.161_125);
        let all = wilson(20, 20).unwrap();
        close(all.lower, 0.838_875);
        close(all.upper, 1.0);
        assert_eq!(wilson(0, 0), None, "no denominator, no interval");
        assert_eq!(wilson(3, 2), None);
    }

    /// Hand-checked: 10 events → 4.787 to 18.391; none → 0 to 3.668.
    #[test]
    fn byar_intervals_match_hand_checked_values() {
        let i = byar(10);
        close(i.lower, 4.787_450);
        close(i.upper, 18.391_459);
        let zero = byar(0);
        close(zero.lower, 0.0);
        close(zero.upper, 3.668_012);
        let hundred = byar(100);
        close(hundred.lower, 81.362_105);
        close(hundred.upper, 121.627_938);
    }

    #[test]
    fn a_rate_per_ten_thousand_scales_the_count_and_its_interval() {
        let r = rate(10, 5_000, 10_000.0).unwrap();
        close(r.value, 20.0);
        close(r.lower, 9.574_900);
        close(r.upper, 36.782_917);
        assert_eq!(rate(3, 0, 10_000.0), None, "no population, no rate");
    }
}
