//! How long young people waited for a first attended contact, as the commissioner dashboard
//! shows it (issue 20: "waits to first … contact against each standard (median, 90th
//! percentile, the distribution, share within standard)"): over a set of allocations seen,
//! the distribution of days waited (clock start → first attended contact, calendar days in
//! the area's time zone, [`super::days_waited`]), how many fall in each band of
//! [`WAIT_BANDS`], and how many of those with a standard were seen within it.

use super::{distribution, WaitDistribution};

/// The bands days waited are counted in: each label and its last day (inclusive; `None`: no
/// upper bound). The edges are the standards the domain guide names — 1 week (urgent eating
/// disorders), 4 weeks (community CYP services and routine eating disorders) — and 18 weeks,
/// the NHS Constitution's referral-to-treatment standard, and a year. A project choice, not a
/// published NHS England banding.
pub const WAIT_BANDS: [(&str, Option<i32>); 6] = [
    ("Up to 1 week", Some(7)),
    ("1 to 4 weeks", Some(28)),
    ("4 to 12 weeks", Some(84)),
    ("12 to 18 weeks", Some(126)),
    ("18 to 52 weeks", Some(364)),
    ("Over 52 weeks", None),
];

/// The band (index into [`WAIT_BANDS`]) of a wait of `days`.
pub fn wait_band(days: i32) -> usize {
    WAIT_BANDS
        .iter()
        .position(|(_, last)| last.is_none_or(|last| days <= last))
        .unwrap_or(WAIT_BANDS.len() - 1)
}

/// Waits to a first attended contact over a set of allocations seen. Exact: published
/// through [`crate::published`]'s rules by the pages.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FirstContactWaits {
    /// Days waited: how many, the median and the 90th percentile (nearest rank).
    pub days: WaitDistribution,
    /// How many waited within each band of [`WAIT_BANDS`].
    pub bands: [u64; WAIT_BANDS.len()],
    /// Of those seen, how many had a waiting-time standard to be measured against.
    pub with_standard: u64,
    /// Of those, how many were seen within it.
    pub within: u64,
}

impl FirstContactWaits {
    /// From each allocation's days waited and its verdict against its service's standard
    /// (`None`: the service has no standard for its priority and source).
    pub fn of(waits: impl IntoIterator<Item = (i32, Option<bool>)>) -> FirstContactWaits {
        let mut figures = FirstContactWaits::default();
        let mut days = Vec::new();
        for (waited, verdict) in waits {
            days.push(f64::from(waited));
            figures.bands[wait_band(waited)] += 1;
            if let Some(within) = verdict {
                figures.with_standard += 1;
                figures.within += u64::from(within);
            }
        }
        figures.days = distribution(days);
        figures
    }
}

impl Default for WaitDistribution {
    fn default() -> WaitDistribution {
        distribution(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_close_on_their_last_day() {
        let cases = [
            (0, 0),
            (7, 0),
            (8, 1),
            (28, 1),
            (29, 2),
            (84, 2),
            (85, 3),
            (126, 3),
            (127, 4),
            (364, 4),
            (365, 5),
            (5000, 5),
        ];
        for (days, band) in cases {
            assert_eq!(wait_band(days), band, "{days} days");
        }
    }

    #[test]
    fn figures_count_bands_standards_and_nearest_rank_percentiles() {
        // Ten waits: 1..=10 weeks less a day, three without a standard, one over it.
        let waits: Vec<(i32, Option<bool>)> = (1..=10)
            .map(|w| {
                let days = w * 7 - 1;
                let verdict = match w {
                    1..=3 => None,
                    4 => Some(true),
                    _ => Some(false),
                };
                (days, verdict)
            })
            .collect();
        let f = FirstContactWaits::of(waits);
        assert_eq!(f.days.count, 10);
        // Nearest rank: the 5th and 9th of ten.
        assert_eq!(f.days.median, Some(34.0));
        assert_eq!(f.days.p90, Some(62.0));
        // 6 (≤ 7), 13 20 27 (≤ 28), 34 … 69 (≤ 84).
        assert_eq!(f.bands, [1, 3, 6, 0, 0, 0]);
        assert_eq!((f.with_standard, f.within), (7, 1));
        assert_eq!(FirstContactWaits::of([]).days.median, None);
    }
}
