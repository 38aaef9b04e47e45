//! The KPI library: what can be written in a contract's `[[contract.kpi]]` or the record's
//! `[[system_kpi]]`, each computed from a period's [`Activity`] — its definition, direction,
//! unit and source kept beside its computation, so the page that shows a figure and the
//! code that counts it cannot drift apart.
//!
//! Every KPI passes the record's disclosure rule: a share whose numerator or denominator is
//! suppressed is suppressed (`crate::disclosure`), a percentile of fewer values than the
//! threshold is suppressed, a count is published as counts are (below 5 `*`, the rest
//! rounded to 5).

use serde::Serialize;

use super::statement::Activity;
use crate::disclosure::{Published, Suppression};

/// One KPI of the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kpi {
    /// Per cent of young people seen for the first time whose wait met their service's
    /// standard (the dashboard's "% within standard", domain guide §3).
    SeenWithinStandard,
    /// Median days from referral to the first attended contact.
    MedianWaitDays,
    /// 90th-percentile days from referral to the first attended contact.
    P90WaitDays,
    /// Median days from referral to the second attended contact.
    MedianSecondContactDays,
    /// 90th-percentile days from referral to the second attended contact.
    P90SecondContactDays,
    /// Per cent of expected appointments not attended (code 3 over codes 3, 5, 6 and 7, as
    /// NHS England's `DNA_Reason`; `ContactStatus::did_not_attend`).
    DidNotAttendRate,
    /// Median hours from receipt to triage.
    MedianTriageHours,
    /// 90th-percentile hours from receipt to triage.
    P90TriageHours,
    /// Per cent of triaged referrals signposted rather than allocated.
    SignpostedShare,
    /// Crisis response: emergency referrals seen within their standard (1 hour by default).
    EmergencyWithinStandard,
    /// Crisis response: very urgent referrals seen within their standard (4 hours).
    VeryUrgentWithinStandard,
    /// Crisis response: urgent referrals seen within their standard (24 hours).
    UrgentWithinStandard,
    /// Young people under 18 with an attended contact in the period.
    YoungPeopleUnder18,
    /// Young people aged 18 to 25 with an attended contact in the period.
    YoungPeople18To25,
    /// Per cent of young people turning 18 while in a service whose transition was planned
    /// by 17½.
    TransitionPlannedBy17Half,
    /// Per cent of referrals whose young person's ethnic group and gender identity are recorded.
    ProtectedCharacteristicsRecorded,
}

/// Whether more or less is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiDirection {
    /// Higher is better: the threshold is a floor.
    HigherIsBetter,
    /// Lower is better: the threshold is a ceiling.
    LowerIsBetter,
}

impl KpiDirection {
    /// The direction of `kpi`.
    pub fn of(kpi: Kpi) -> KpiDirection {
        match kpi {
            Kpi::SeenWithinStandard
            | Kpi::EmergencyWithinStandard
            | Kpi::VeryUrgentWithinStandard
            | Kpi::UrgentWithinStandard
            | Kpi::YoungPeopleUnder18
            | Kpi::YoungPeople18To25
            | Kpi::TransitionPlannedBy17Half
            | Kpi::ProtectedCharacteristicsRecorded => KpiDirection::HigherIsBetter,
            Kpi::MedianWaitDays
            | Kpi::P90WaitDays
            | Kpi::MedianSecondContactDays
            | Kpi::P90SecondContactDays
            | Kpi::DidNotAttendRate
            | Kpi::MedianTriageHours
            | Kpi::P90TriageHours
            | Kpi::SignpostedShare => KpiDirection::LowerIsBetter,
        }
    }
}

/// The waiting-time sources, cited once.
const WAITS_SOURCE: &str = "NHS England CYP waiting times (referral to first and to second care contact, as the Mental Health Services Monthly Statistics publish them since 2023); counted here from attended direct contacts at the same service";
const CRISIS_SOURCE: &str = "Domain guide §3: proposed national crisis standards (NHS England, Clinically-led review of mental health access standards, 2021) — emergency 1 hour, very urgent 4 hours, urgent 24 hours; each service's hours are its standards in the directory";

impl Kpi {
    /// Every KPI in the library.
    pub const ALL: [Kpi; 16] = [
        Kpi::SeenWithinStandard,
        Kpi::MedianWaitDays,
        Kpi::P90WaitDays,
        Kpi::MedianSecondContactDays,
        Kpi::P90SecondContactDays,
        Kpi::DidNotAttendRate,
        Kpi::MedianTriageHours,
        Kpi::P90TriageHours,
        Kpi::SignpostedShare,
        Kpi::EmergencyWithinStandard,
        Kpi::VeryUrgentWithinStandard,
        Kpi::UrgentWithinStandard,
        Kpi::YoungPeopleUnder18,
        Kpi::YoungPeople18To25,
        Kpi::TransitionPlannedBy17Half,
        Kpi::ProtectedCharacteristicsRecorded,
    ];

    /// Its code in a contract.
    pub fn code(self) -> &'static str {
        match self {
            Kpi::SeenWithinStandard => "seen_within_standard",
            Kpi::MedianWaitDays => "median_wait_days",
            Kpi::P90WaitDays => "p90_wait_days",
            Kpi::MedianSecondContactDays => "median_second_contact_days",
            Kpi::P90SecondContactDays => "p90_second_contact_days",
            Kpi::DidNotAttendRate => "did_not_attend_rate",
            Kpi::MedianTriageHours => "median_triage_hours",
            Kpi::P90TriageHours => "p90_triage_hours",
            Kpi::SignpostedShare => "signposted_share",
            Kpi::EmergencyWithinStandard => "crisis_emergency_within_standard",
            Kpi::VeryUrgentWithinStandard => "crisis_very_urgent_within_standard",
            Kpi::UrgentWithinStandard => "crisis_urgent_within_standard",
            Kpi::YoungPeopleUnder18 => "young_people_under_18",
            Kpi::YoungPeople18To25 => "young_people_18_to_25",
            Kpi::TransitionPlannedBy17Half => "transition_planned_by_17_half",
            Kpi::ProtectedCharacteristicsRecorded => "protected_characteristics_recorded",
        }
    }

    /// Parses a code, listing the library when it is not one.
    pub fn parse(code: &str) -> Result<Kpi, String> {
        Kpi::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or_else(|| {
                format!(
                    "{code:?} is not in the KPI library; use one of: {}",
                    Kpi::ALL.map(Kpi::code).join(", ")
                )
            })
    }

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            Kpi::SeenWithinStandard => "Seen within the waiting-time standard",
            Kpi::MedianWaitDays => "Median wait to first contact",
            Kpi::P90WaitDays => "90th-percentile wait to first contact",
            Kpi::MedianSecondContactDays => "Median wait to second contact",
            Kpi::P90SecondContactDays => "90th-percentile wait to second contact",
            Kpi::DidNotAttendRate => "Did-not-attend rate",
            Kpi::MedianTriageHours => "Median time to triage",
            Kpi::P90TriageHours => "90th-percentile time to triage",
            Kpi::SignpostedShare => "Signposted rather than allocated",
            Kpi::EmergencyWithinStandard => "Crisis response: emergency within standard (1 hour)",
            Kpi::VeryUrgentWithinStandard => {
                "Crisis response: very urgent within standard (4 hours)"
            }
            Kpi::UrgentWithinStandard => "Crisis response: urgent within standard (24 hours)",
            Kpi::YoungPeopleUnder18 => "Young people helped, under 18",
            Kpi::YoungPeople18To25 => "Young people helped, 18 to 25",
            Kpi::TransitionPlannedBy17Half => "Transition planned by 17½",
            Kpi::ProtectedCharacteristicsRecorded => "Protected characteristics recorded",
        }
    }

    /// Its definition, as shown beside it.
    pub fn definition(self) -> &'static str {
        match self {
            Kpi::SeenWithinStandard => "Young people seen for the first time in the quarter whose wait from referral met their service's standard for their priority, over those seen for the first time whose service has a standard. Shares come from the published (rounded) counts.",
            Kpi::MedianWaitDays => "The middle of the days waited from referral to the first attended contact, for each allocation first seen in the quarter.",
            Kpi::P90WaitDays => "The days within which nine in ten of the allocations first seen in the quarter had their first attended contact.",
            Kpi::MedianSecondContactDays => "The middle of the days waited from referral to the second attended direct contact at the same service, for each allocation whose second contact fell in the quarter.",
            Kpi::P90SecondContactDays => "The days within which nine in ten of the allocations whose second attended contact fell in the quarter had it.",
            Kpi::DidNotAttendRate => "Appointments in the quarter not attended without notice (status 3), over the appointments expected (statuses 3, 5, 6 and 7).",
            Kpi::MedianTriageHours => "The middle of the hours from a referral's receipt to its triage, for each referral triaged in the quarter.",
            Kpi::P90TriageHours => "The hours within which nine in ten of the referrals triaged in the quarter were triaged.",
            Kpi::SignpostedShare => "Referrals triaged in the quarter that were signposted to a named service and not allocated, over all referrals triaged in the quarter. Neither good nor bad alone: read it beside the ledger of who reached the service they were sent to.",
            Kpi::EmergencyWithinStandard => "Emergency referrals (priority 1) first seen in the quarter within their service's emergency standard, over those first seen whose service has one.",
            Kpi::VeryUrgentWithinStandard => "Very urgent referrals (priority 4) first seen in the quarter within their service's very urgent standard, over those first seen whose service has one.",
            Kpi::UrgentWithinStandard => "Urgent referrals (priority 2) first seen in the quarter within their service's urgent standard, over those first seen whose service has one.",
            Kpi::YoungPeopleUnder18 => "Different young people with an attended direct contact in the quarter before their 18th birthday. A quarter's count: the national access measures (MHS95, MHS69) count a rolling 12 months and are on the dashboard.",
            Kpi::YoungPeople18To25 => "Different young people with an attended direct contact in the quarter on or after their 18th birthday (the offer runs to 25).",
            Kpi::TransitionPlannedBy17Half => "Allocations open on the young person's 18th birthday, which fell in the quarter, whose referral had a transition plan made at least six months before it, over all such allocations.",
            Kpi::ProtectedCharacteristicsRecorded => "Referrals received in the quarter whose young person's ethnic group and gender identity are both recorded (\"prefer not to say\" is an answer; never asked or not known is not), over all referrals received.",
        }
    }

    /// Where its definition comes from.
    pub fn source(self) -> &'static str {
        match self {
            Kpi::SeenWithinStandard => "Domain guide §3 (waiting-time standards); the service's standards in the directory",
            Kpi::MedianWaitDays
            | Kpi::P90WaitDays
            | Kpi::MedianSecondContactDays
            | Kpi::P90SecondContactDays => WAITS_SOURCE,
            Kpi::DidNotAttendRate => "NHS England MHSDS `DNA_Reason` (menh_analysis 0.Generic_prep.py lines 2029–2037, NHSDigital/mental-health-monthly-statistics @7b4d742)",
            Kpi::MedianTriageHours | Kpi::P90TriageHours => "No national code: the single point of access's own measure (seeds/002: one front door, triaged by need); the dashboard's time to triage",
            Kpi::SignpostedShare => "No national code: the no-wrong-door ledger (seeds/003 paragraph 3, \"shunted between services\")",
            Kpi::EmergencyWithinStandard
            | Kpi::VeryUrgentWithinStandard
            | Kpi::UrgentWithinStandard => CRISIS_SOURCE,
            Kpi::YoungPeopleUnder18 | Kpi::YoungPeople18To25 => "Domain guide §3 (CYP access: attended contacts); ages as the 0–25 offer of seeds/002",
            Kpi::TransitionPlannedBy17Half => "NICE NG43 (Transition from children's to adults' services, 2016) recommendation 1.2.1: planning starts by school year 9 and at least six months before transfer; NHS England CQUIN 2017–19 \"Transitions out of CYPMHS\"",
            Kpi::ProtectedCharacteristicsRecorded => "Equality Act 2010 protected characteristics; NHS ethnic category codes (domain guide §3, Equality); seeds/001 equality impact assessment (uptake by every group monitored)",
        }
    }

    /// Its unit.
    pub fn unit(self) -> &'static str {
        match self {
            Kpi::SeenWithinStandard
            | Kpi::DidNotAttendRate
            | Kpi::SignpostedShare
            | Kpi::EmergencyWithinStandard
            | Kpi::VeryUrgentWithinStandard
            | Kpi::UrgentWithinStandard
            | Kpi::TransitionPlannedBy17Half
            | Kpi::ProtectedCharacteristicsRecorded => "%",
            Kpi::MedianWaitDays
            | Kpi::P90WaitDays
            | Kpi::MedianSecondContactDays
            | Kpi::P90SecondContactDays => "days",
            Kpi::MedianTriageHours | Kpi::P90TriageHours => "hours",
            Kpi::YoungPeopleUnder18 | Kpi::YoungPeople18To25 => "young people",
        }
    }

    /// The values a threshold may take.
    pub fn range(self) -> (f64, f64) {
        match self.unit() {
            "%" => (0.0, 100.0),
            "days" => (0.0, 3650.0),
            "hours" => (0.0, 8760.0),
            _ => (0.0, 10_000_000.0),
        }
    }

    /// Its value for a period's activity, or why there is none.
    pub fn value(self, activity: &Activity, rule: &Suppression) -> KpiValue {
        let a = activity;
        let crisis = |i: usize| share(a.crisis_within_standard[i], a.crisis_with_standard[i], rule);
        match self {
            Kpi::SeenWithinStandard => share(a.seen_within_standard, a.seen_with_standard, rule),
            Kpi::DidNotAttendRate => share(a.did_not_attend, a.expected, rule),
            Kpi::SignpostedShare => share(a.signposted, a.triaged, rule),
            Kpi::EmergencyWithinStandard => crisis(0),
            Kpi::VeryUrgentWithinStandard => crisis(1),
            Kpi::UrgentWithinStandard => crisis(2),
            Kpi::TransitionPlannedBy17Half => share(
                a.transition_planned_by_17_half,
                a.turned_18_in_service,
                rule,
            ),
            Kpi::ProtectedCharacteristicsRecorded => share(a.protected_recorded, a.received, rule),
            Kpi::MedianWaitDays => quantile(&a.wait_days, 0.5, rule, 1.0),
            Kpi::P90WaitDays => quantile(&a.wait_days, 0.9, rule, 1.0),
            Kpi::MedianSecondContactDays => quantile(&a.second_wait_days, 0.5, rule, 1.0),
            Kpi::P90SecondContactDays => quantile(&a.second_wait_days, 0.9, rule, 1.0),
            Kpi::MedianTriageHours => quantile(&a.triage_minutes, 0.5, rule, 60.0),
            Kpi::P90TriageHours => quantile(&a.triage_minutes, 0.9, rule, 60.0),
            Kpi::YoungPeopleUnder18 => count(a.young_people_under_18, rule),
            Kpi::YoungPeople18To25 => count(a.young_people_18_to_25, rule),
        }
    }
}

/// A share from the published counts.
fn share(n: u64, d: u64, rule: &Suppression) -> KpiValue {
    let (n, d) = (rule.count(n), rule.count(d));
    if d == Published::Count(0) {
        return KpiValue::NoData;
    }
    match rule.share(n, d) {
        Some(percent) => KpiValue::Value(percent as f64),
        None => KpiValue::Suppressed,
    }
}

/// A count as published.
fn count(n: u64, rule: &Suppression) -> KpiValue {
    match rule.count(n) {
        Published::Count(v) => KpiValue::Value(v as f64),
        Published::Suppressed => KpiValue::Suppressed,
    }
}

/// The `q` quantile of `values` divided by `per` (60: minutes shown as hours, to one
/// decimal place), suppressed when there are fewer values than the threshold — suppressed
/// before "no data", as the shares are: an empty period's count is a small number too.
fn quantile(values: &[u32], q: f64, rule: &Suppression, per: f64) -> KpiValue {
    let n = values.len() as u64;
    if rule.count(n) == Published::Suppressed {
        return KpiValue::Suppressed;
    }
    if n == 0 {
        return KpiValue::NoData;
    }
    let v = f64::from(nearest_rank(values, q)) / per;
    KpiValue::Value((v * 10.0).round() / 10.0)
}

/// The `q` quantile by the nearest-rank method (the smallest value with at least `q` of the
/// values at or below it), as `crate::waits` states its percentiles.
pub fn nearest_rank(values: &[u32], q: f64) -> u32 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// A KPI's value in a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum KpiValue {
    /// Nothing to measure in the quarter (shown only when small numbers are not suppressed:
    /// otherwise an empty quarter is suppressed like any count below the threshold).
    NoData,
    /// Too few to show.
    Suppressed,
    /// The value, in the KPI's unit.
    Value(f64),
}

/// Red, amber or green against a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    /// Meets the threshold.
    Green,
    /// Short of it by no more than the amber margin.
    Amber,
    /// Further short.
    Red,
    /// No value to rate (no data, or suppressed).
    NotRated,
}

impl Rag {
    /// Rates `value` against `threshold` with an `amber` margin, in `kpi`'s direction.
    pub fn of(kpi: Kpi, value: KpiValue, threshold: f64, amber: f64) -> Rag {
        let KpiValue::Value(v) = value else {
            return Rag::NotRated;
        };
        let shortfall = match KpiDirection::of(kpi) {
            KpiDirection::HigherIsBetter => threshold - v,
            KpiDirection::LowerIsBetter => v - threshold,
        };
        if shortfall <= 0.0 {
            Rag::Green
        } else if shortfall <= amber {
            Rag::Amber
        } else {
            Rag::Red
        }
    }

    /// As shown.
    pub fn label(self) -> &'static str {
        match self {
            Rag::Green => "Green",
            Rag::Amber => "Amber",
            Rag::Red => "Red",
            Rag::NotRated => "Not rated",
        }
    }
}

#[cfg(test)]
mod tests;
