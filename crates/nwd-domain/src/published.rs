//! Aggregate figures as they may be shown to someone who may not see the people behind them
//! — a commissioner above all: every count through [`Suppression`], every rate derived from
//! the published counts, and a median or 90th percentile only where the count it summarises
//! is shown (the median of one young person's waits is that young person's wait).
//!
//! Who gets exact figures is [`exact_figures_for`]: only a caller who may already open every
//! record the figure counts. Everyone else — whatever period they ask for — gets these.

use serde::Serialize;

use crate::access::AccessMeasures;
use crate::disclosure::Suppression;
use crate::waits::{ServiceWaits, WaitDistribution};

/// Whether a caller gets a figure exactly: only when they may open every record it counts
/// (`sees_every_record_counted`: the single point of access for area-wide figures, a
/// service's own team for that service's). Otherwise the figure is published.
pub fn exact_figures_for(sees_every_record_counted: bool) -> bool {
    sees_every_record_counted
}

/// A count as published: the rounded count, or `None` when it is too small to show (`*`).
fn shown(rule: &Suppression, exact: u64) -> Option<u64> {
    rule.count(exact).value()
}

/// A wait distribution as published.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedDistribution {
    /// Journeys measured, rounded; `null` when too few to show.
    pub count: Option<u64>,
    /// Median, only when the count is shown.
    pub median: Option<f64>,
    /// 90th percentile, only when the count is shown.
    pub p90: Option<f64>,
}

impl PublishedDistribution {
    /// The distribution as it may be shown: the count through the rule, the median and 90th
    /// percentile only when the count is shown.
    pub fn from(rule: &Suppression, exact: &WaitDistribution) -> PublishedDistribution {
        let count = shown(rule, exact.count);
        PublishedDistribution {
            count,
            median: count.and(exact.median),
            p90: count.and(exact.p90),
        }
    }
}

/// A service's waits as published.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedServiceWaits {
    /// Always true: small numbers are suppressed (`null`) and the rest rounded.
    pub suppressed: bool,
    /// Allocations made in the period.
    pub allocations: Option<u64>,
    /// Of those, still waiting for a first attended contact.
    pub still_waiting: Option<u64>,
    /// Referral received → triage decision, hours.
    pub referral_to_triage_hours: PublishedDistribution,
    /// Clock start → first attended contact, days.
    pub to_first_contact_days: PublishedDistribution,
    /// Clock start → second attended contact, days.
    pub to_second_contact_days: PublishedDistribution,
    /// Seen within the standard, whole per cent of the published counts.
    pub seen_within_standard_percent: Option<u64>,
}

impl PublishedServiceWaits {
    /// The published form of `exact`.
    pub fn from(rule: &Suppression, exact: &ServiceWaits) -> PublishedServiceWaits {
        PublishedServiceWaits {
            suppressed: true,
            allocations: shown(rule, exact.allocations),
            still_waiting: shown(rule, exact.still_waiting),
            referral_to_triage_hours: PublishedDistribution::from(
                rule,
                &exact.referral_to_triage_hours,
            ),
            to_first_contact_days: PublishedDistribution::from(rule, &exact.to_first_contact_days),
            to_second_contact_days: PublishedDistribution::from(
                rule,
                &exact.to_second_contact_days,
            ),
            seen_within_standard_percent: rule.share(
                rule.count(exact.seen_within_standard),
                rule.count(exact.seen_with_standard),
            ),
        }
    }
}

/// The CYP access measures as published.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedAccessMeasures {
    /// Always true: small numbers are suppressed (`null`) and the rest rounded.
    pub suppressed: bool,
    /// First day of the period.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub period_start: jiff::civil::Date,
    /// Last day of the period (inclusive).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub period_end: jiff::civil::Date,
    /// MHS95, rounded; `null` when too few to show.
    pub mhs95_one_contact: Option<u64>,
    /// MHS69, rounded; `null` when too few to show.
    pub mhs69_two_contacts: Option<u64>,
}

impl PublishedAccessMeasures {
    /// The published form of `exact`.
    pub fn from(rule: &Suppression, exact: &AccessMeasures) -> PublishedAccessMeasures {
        PublishedAccessMeasures {
            suppressed: true,
            period_start: exact.period_start,
            period_end: exact.period_end,
            mhs95_one_contact: shown(rule, exact.mhs95_one_contact),
            mhs69_two_contacts: shown(rule, exact.mhs69_two_contacts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::waits::distribution;

    #[test]
    fn one_young_persons_wait_is_never_published() {
        let rule = Suppression::default();
        let exact = ServiceWaits {
            allocations: 1,
            still_waiting: 0,
            referral_to_triage_hours: distribution(vec![3.0]),
            to_first_contact_days: distribution(vec![12.0]),
            to_second_contact_days: distribution(vec![]),
            seen_within_standard_percent: Some(100.0),
            seen_with_standard: 1,
            seen_within_standard: 1,
        };
        let shown = PublishedServiceWaits::from(&rule, &exact);
        assert_eq!(shown.allocations, None);
        assert_eq!(shown.to_first_contact_days.median, None);
        assert_eq!(shown.referral_to_triage_hours.p90, None);
        assert_eq!(shown.seen_within_standard_percent, None);
        let many = ServiceWaits {
            allocations: 12,
            still_waiting: 2,
            to_first_contact_days: distribution((1..=10).map(f64::from).collect()),
            seen_with_standard: 10,
            seen_within_standard: 7,
            ..exact
        };
        let shown = PublishedServiceWaits::from(&rule, &many);
        assert_eq!(shown.allocations, Some(10));
        assert_eq!(shown.still_waiting, None);
        assert_eq!(shown.to_first_contact_days.count, Some(10));
        assert_eq!(shown.to_first_contact_days.median, Some(5.0));
        // 7 → 5 of 10: 50 %, from the published counts.
        assert_eq!(shown.seen_within_standard_percent, Some(50));
    }
}
