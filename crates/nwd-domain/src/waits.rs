//! Waits: the waiting list (open allocations without a first attended contact), days waited
//! and breach dates against a service's standard, and the "hidden waits" between referral and
//! triage, first and second contact.
//!
//! The clock starts when the referral was received, not when it was triaged or allocated
//! (domain guide §3); for a step change or an added service it starts at that decision.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::codes::{Priority, ReferralSource};
use crate::ids::{AllocationId, PersonId, ReferralId, ServiceId};
use crate::referral::Referral;
use crate::standards::{select, WaitStandard};

/// Calendar days from `start` to `now` in the area's time zone (0 on the day received).
pub fn days_waited(start: Timestamp, now: Timestamp, tz: &TimeZone) -> i32 {
    let from = start.to_zoned(tz.clone()).date();
    let to = now.to_zoned(tz.clone()).date();
    from.until(to).map(|span| span.get_days()).unwrap_or(0)
}

/// One line of a service's waiting list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitingListEntry {
    /// The allocation waiting.
    pub allocation_id: AllocationId,
    /// Its referral.
    pub referral_id: ReferralId,
    /// The young person.
    pub person_id: PersonId,
    /// The service.
    pub service_id: ServiceId,
    /// Priority.
    pub priority: Priority,
    /// Source of referral (some standards depend on it).
    pub source: ReferralSource,
    /// When the clock started.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub clock_start: Timestamp,
    /// Calendar days waited so far.
    pub days_waited: i32,
    /// Hours waited so far (for crisis standards).
    pub hours_waited: i64,
    /// The standard this wait is measured against.
    pub standard: Option<String>,
    /// When the wait breaches (or breached) that standard.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub breach_at: Option<Timestamp>,
    /// Already past the breach time.
    pub breached: bool,
}

/// Builds a waiting-list entry for an allocation's wait, measured at `now`.
#[allow(clippy::too_many_arguments)]
pub fn entry(
    allocation_id: AllocationId,
    referral_id: ReferralId,
    person_id: PersonId,
    service_id: ServiceId,
    priority: Priority,
    source: ReferralSource,
    clock_start: Timestamp,
    standards: &[WaitStandard],
    now: Timestamp,
    tz: &TimeZone,
) -> WaitingListEntry {
    let standard = select(standards, priority, source);
    let breach_at = standard.map(|s| s.target.deadline(clock_start, tz));
    WaitingListEntry {
        allocation_id,
        referral_id,
        person_id,
        service_id,
        priority,
        source,
        clock_start,
        days_waited: days_waited(clock_start, now, tz),
        hours_waited: now.duration_since(clock_start).as_hours(),
        standard: standard.map(|s| s.name.clone()),
        breach_at,
        breached: breach_at.is_some_and(|b| now >= b),
    }
}

/// The waiting-list entries a referral contributes to `service_id` at `now`: one per open
/// allocation there without a first attended direct contact.
pub fn entries_for(
    referral: &Referral,
    service_id: ServiceId,
    standards: &[WaitStandard],
    now: Timestamp,
    tz: &TimeZone,
) -> Vec<WaitingListEntry> {
    referral
        .allocations
        .iter()
        .filter(|a| a.service_id == service_id && a.is_waiting())
        .map(|a| {
            entry(
                a.id,
                referral.id,
                referral.person_id,
                service_id,
                referral.priority,
                referral.source,
                a.clock_start,
                standards,
                now,
                tz,
            )
        })
        .collect()
}

/// Orders a waiting list: priority first (emergency before routine), then longest wait.
pub fn sort_waiting_list(entries: &mut [WaitingListEntry]) {
    entries.sort_by(|a, b| {
        (a.priority.rank(), a.clock_start, a.allocation_id).cmp(&(
            b.priority.rank(),
            b.clock_start,
            b.allocation_id,
        ))
    });
}

/// The waits a referral's journey contains, including the ones lists do not show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HiddenWaits {
    /// Referral received → triage decision.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub to_triage_hours: Option<i64>,
    /// Referral received → first attended direct contact, in days.
    pub to_first_contact_days: Option<i32>,
    /// Referral received → second attended direct contact, in days.
    pub to_second_contact_days: Option<i32>,
    /// First contact → second contact, in days (the wait for treatment after assessment).
    pub first_to_second_contact_days: Option<i32>,
    /// Total time since referral so far (or to closure), in days.
    pub total_days: i32,
}

/// Computes a referral's hidden waits at `now`.
pub fn hidden_waits(referral: &Referral, now: Timestamp, tz: &TimeZone) -> HiddenWaits {
    let received = referral.received_at;
    let first = referral.first_attended_at();
    let second = referral.second_attended_at();
    let end = referral.closure.as_ref().map(|c| c.at).unwrap_or(now);
    HiddenWaits {
        to_triage_hours: referral.triage.as_ref().map(|t| hours(received, t.at)),
        to_first_contact_days: first.map(|f| days_waited(received, f, tz)),
        to_second_contact_days: second.map(|s| days_waited(received, s, tz)),
        first_to_second_contact_days: first.zip(second).map(|(f, s)| days_waited(f, s, tz)),
        total_days: days_waited(received, end, tz),
    }
}

fn hours(from: Timestamp, to: Timestamp) -> i64 {
    let duration: SignedDuration = to.duration_since(from);
    duration.as_hours()
}

mod first_contact;
pub use first_contact::{wait_band, FirstContactWaits, WAIT_BANDS};

#[cfg(test)]
mod tests;

/// Distribution of one kind of wait over a set of journeys.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitDistribution {
    /// Journeys measured.
    pub count: u64,
    /// Median (nearest rank), in the unit of the field name.
    pub median: Option<f64>,
    /// 90th percentile (nearest rank).
    pub p90: Option<f64>,
}

/// Summarises waits by the nearest-rank method (the value below which the share of
/// observations falls, as NHS waiting-time statistics report percentiles).
pub fn distribution(mut values: Vec<f64>) -> WaitDistribution {
    values.retain(|v| v.is_finite());
    values.sort_by(f64::total_cmp);
    let rank = |p: f64| -> Option<f64> {
        if values.is_empty() {
            return None;
        }
        let index = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1;
        values.get(index).copied()
    };
    WaitDistribution {
        count: values.len() as u64,
        median: rank(0.5),
        p90: rank(0.9),
    }
}

/// A service's waits over a period, including the hidden ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceWaits {
    /// Allocations made in the period.
    pub allocations: u64,
    /// Of those, still waiting for a first attended contact.
    pub still_waiting: u64,
    /// Referral received → triage decision, hours (triage allocations only).
    pub referral_to_triage_hours: WaitDistribution,
    /// Clock start → first attended contact, days.
    pub to_first_contact_days: WaitDistribution,
    /// Clock start → second attended contact, days.
    pub to_second_contact_days: WaitDistribution,
    /// Seen within the service's standard, percent of those seen (when a standard applies).
    pub seen_within_standard_percent: Option<f64>,
    /// Those seen to whom a standard applied (the percent's denominator).
    pub seen_with_standard: u64,
    /// Of those, seen within it (the percent's numerator).
    pub seen_within_standard: u64,
}

#[cfg(test)]
mod distribution_tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let d = distribution((1..=10).map(f64::from).collect());
        assert_eq!((d.count, d.median, d.p90), (10, Some(5.0), Some(9.0)));
        let d = distribution(vec![7.0]);
        assert_eq!((d.median, d.p90), (Some(7.0), Some(7.0)));
        let d = distribution(vec![3.0, 1.0, 2.0, f64::NAN]);
        assert_eq!((d.count, d.median, d.p90), (3, Some(2.0), Some(3.0)));
        assert_eq!(distribution(Vec::new()).median, None);
    }
}
