//! The payment and activity statement: for a contract (or one of its funded elements) and a
//! quarter, what was delivered — counted from the record by the store ([`Activity`]) — what
//! it cost under the contract's payment terms, the cost per contact, per episode and per
//! young person helped (under a block contract too: the question that ended Kent's 2017
//! arrangement, "lack of available performance data and dispute in relation to payment"),
//! who paid what share, and each of the contract's KPIs against its threshold.
//!
//! **Disclosure.** The counts are published as every commissioner-facing count is
//! (`crate::disclosure`: below 5 `*`, the rest rounded to 5); unit costs and KPI shares are
//! derived from the published counts, never the exact ones, and a unit cost or share whose
//! count is suppressed is suppressed too. An activity contract's cost is what is paid, so it
//! is the price times the exact units — shown only when the units are not suppressed. A
//! **capped** activity contract ([`Payment::Activity`]'s `capped`) pays at most its value for
//! the financial year: each quarter what is left after the year's earlier quarters
//! ([`contract_rows`]), the rest shown as delivered beyond the value, not paid.

use jiff::civil::Date;
use serde::Serialize;

use super::money::Money;
use super::plan::{
    value_for, ActivityUnit, Agreement, Commissioning, Contract, Payment, YearValue,
};
use super::year::{FinancialYear, Quarter};
use crate::disclosure::{Published, Suppression};

pub use super::kpi::{Kpi, KpiDirection, KpiValue, Rag};

/// What a set of services delivered in a period, counted from the record (exact counts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    /// Allocations to the services made in the period.
    pub referrals: u64,
    /// Allocations whose first attended contact fell in the period.
    pub first_seen: u64,
    /// Of those, the ones whose service has a standard for the referral.
    pub seen_with_standard: u64,
    /// Of those, the ones seen within it.
    pub seen_within_standard: u64,
    /// Attended direct contacts in the period (codes 5 and 6).
    pub attended: u64,
    /// Appointments in the period the young person did not attend (code 3).
    pub did_not_attend: u64,
    /// Appointments expected in the period (codes 3, 5, 6 and 7: `ContactStatus::did_not_attend`).
    pub expected: u64,
    /// Allocations ended in the period (episodes).
    pub episodes_ended: u64,
    /// Different young people with an attended direct contact in the period.
    pub young_people: u64,
    /// Days waited from the referral to the first attended contact, one per allocation first
    /// seen in the period, in any order.
    pub wait_days: Vec<u32>,
    /// Days waited from the referral to the second attended contact at the same service, one
    /// per allocation whose second contact fell in the period, in any order.
    pub second_wait_days: Vec<u32>,
    /// Allocations first seen in the period with a standard, by the referral's priority:
    /// emergency, very urgent, urgent ([`CRISIS_PRIORITIES`]).
    pub crisis_with_standard: [u64; 3],
    /// Of those, the ones seen within it.
    pub crisis_within_standard: [u64; 3],
    /// Referrals received in the period (for a set of services: referrals with an allocation
    /// to one of them).
    pub received: u64,
    /// Of those, the ones whose young person's ethnic group and gender identity are both
    /// recorded ("prefer not to say" is an answer; "not known" or never asked is not).
    pub protected_recorded: u64,
    /// Referrals triaged in the period.
    pub triaged: u64,
    /// Of those, the ones signposted and not allocated.
    pub signposted: u64,
    /// Minutes from receipt to triage, one per referral triaged in the period.
    pub triage_minutes: Vec<u32>,
    /// Need-group changes up (more help) in the period.
    pub step_ups: u64,
    /// Need-group changes down in the period.
    pub step_downs: u64,
    /// Different young people with an attended direct contact in the period before their
    /// 18th birthday.
    pub young_people_under_18: u64,
    /// Different young people with an attended direct contact in the period on or after it.
    pub young_people_18_to_25: u64,
    /// Allocations open on their young person's 18th birthday, which fell in the period.
    pub turned_18_in_service: u64,
    /// Of those, the ones whose referral had a transition plan made at least six months
    /// before that birthday (by 17½).
    pub transition_planned_by_17_half: u64,
}

/// The priorities crisis response is measured for, in [`Activity::crisis_with_standard`]'s
/// order: emergency (1 hour), very urgent (4 hours), urgent (24 hours) — the proposed
/// national crisis standards (domain guide §3); the hours themselves are each service's
/// standards in the directory.
pub const CRISIS_PRIORITIES: [crate::codes::Priority; 3] = [
    crate::codes::Priority::Emergency,
    crate::codes::Priority::VeryUrgent,
    crate::codes::Priority::Urgent,
];

/// The counts of [`Activity`] as they may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PublishedActivity {
    /// Allocations made.
    pub referrals: Published,
    /// Allocations first seen.
    pub first_seen: Published,
    /// Attended direct contacts.
    pub attended: Published,
    /// Not attended.
    pub did_not_attend: Published,
    /// Episodes ended.
    pub episodes_ended: Published,
    /// Young people helped.
    pub young_people: Published,
    /// Referrals received.
    pub received: Published,
    /// Referrals triaged.
    pub triaged: Published,
    /// Of those, signposted.
    pub signposted: Published,
    /// Steps up.
    pub step_ups: Published,
    /// Steps down.
    pub step_downs: Published,
}

impl PublishedActivity {
    /// `activity` under `rule`.
    pub fn of(activity: &Activity, rule: &Suppression) -> PublishedActivity {
        PublishedActivity {
            referrals: rule.count(activity.referrals),
            first_seen: rule.count(activity.first_seen),
            attended: rule.count(activity.attended),
            did_not_attend: rule.count(activity.did_not_attend),
            episodes_ended: rule.count(activity.episodes_ended),
            young_people: rule.count(activity.young_people),
            received: rule.count(activity.received),
            triaged: rule.count(activity.triaged),
            signposted: rule.count(activity.signposted),
            step_ups: rule.count(activity.step_ups),
            step_downs: rule.count(activity.step_downs),
        }
    }
}

/// One KPI in one quarter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KpiResult {
    /// The KPI.
    pub kpi: Kpi,
    /// Its value.
    pub value: KpiValue,
    /// The threshold.
    pub threshold: f64,
    /// The rating.
    pub rag: Rag,
}

/// A share of the cost by who paid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunderShare {
    /// Index of the party in [`Commissioning::parties`].
    pub party: usize,
    /// What it paid.
    pub amount: Money,
}

/// One quarter of a contract's (or element's) statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementRow {
    /// The quarter.
    pub quarter: String,
    /// First day.
    pub from: Date,
    /// First day after it.
    pub to: Date,
    /// The quarter is not over (figures to date).
    pub partial: bool,
    /// Days counted: those of the quarter inside the contract's term, up to today.
    pub days_in_term: i64,
    /// What was delivered.
    pub activity: PublishedActivity,
    /// What it cost (`None`: an activity cost whose units are suppressed).
    pub cost: Option<Money>,
    /// A capped activity contract: the activity delivered beyond the year's value, priced
    /// but not paid (`None` for other contracts, or when the units are suppressed).
    pub beyond_value: Option<Money>,
    /// The incentive's share of the cost (CQUIN), when there is one.
    pub incentive: Option<Money>,
    /// Cost per attended contact.
    pub per_contact: Option<Money>,
    /// Cost per episode ended.
    pub per_episode: Option<Money>,
    /// Cost per young person helped.
    pub per_young_person: Option<Money>,
    /// Who paid what.
    pub funders: Vec<FunderShare>,
    /// Each KPI.
    pub kpis: Vec<KpiResult>,
}

/// Sum over the days `from..to` of each day's share of the annual value in force.
pub fn pro_rata(values: &[YearValue], from: Date, to: Date) -> Money {
    let mut total: i128 = 0;
    let mut day = from;
    while day < to {
        let year = FinancialYear::of(day);
        total += i128::from(value_for(values, year).pence()) * 1_000_000 / i128::from(year.days());
        day = match day.tomorrow() {
            Ok(next) => next,
            Err(_) => break,
        };
    }
    Money::from_pence(((total + 500_000) / 1_000_000) as i64)
}

/// The days of `quarter` inside `start..=end`, as `(from, to)` (to exclusive).
pub fn within_term(quarter: Quarter, start: Date, end: Date) -> (Date, Date) {
    let from = quarter.first_day().max(start);
    let after_end = end.tomorrow().unwrap_or(end);
    let to = quarter.end().min(after_end);
    (from, to.max(from))
}

/// The days of `quarter` a statement counts on `today`: those inside the term and not after
/// today (a quarter not yet over is counted, and paid, to date).
pub fn days_counted(quarter: Quarter, start: Date, end: Date, today: Date) -> (Date, Date) {
    let (from, to) = within_term(quarter, start, end);
    let to = to.min(today.tomorrow().unwrap_or(today));
    (from.min(to), to)
}

/// What a quarter costs: shown (`None`: an activity cost whose units are suppressed), paid
/// exactly (for the running total of a capped contract's year), and the activity delivered
/// beyond a capped contract's value (`None` unless capped and shown).
struct Cost {
    shown: Option<Money>,
    paid: Money,
    beyond_value: Option<Money>,
}

/// The cost of `activity` in the days `from..to` under `payment` and `values`, with
/// `paid_before` already paid in the same financial year (a capped activity contract pays
/// at most what is left of the year's value).
fn cost(
    payment: Payment,
    values: &[YearValue],
    from: Date,
    to: Date,
    activity: &Activity,
    rule: &Suppression,
    paid_before: Money,
) -> Cost {
    match payment {
        Payment::Block | Payment::Grant => {
            let paid = pro_rata(values, from, to);
            Cost {
                shown: Some(paid),
                paid,
                beyond_value: None,
            }
        }
        Payment::Activity { per, price, capped } => {
            // No day of the quarter in the term: nothing is paid for.
            let units = match per {
                _ if from >= to => 0,
                ActivityUnit::Contact => activity.attended,
                ActivityUnit::Episode => activity.episodes_ended,
            };
            let earned = price.times(units);
            let paid = if capped {
                let left = value_for(values, FinancialYear::of(from)).pence() - paid_before.pence();
                Money::from_pence(earned.pence().min(left.max(0)))
            } else {
                earned
            };
            let shown = rule.count(units) != Published::Suppressed;
            Cost {
                shown: shown.then_some(paid),
                paid,
                beyond_value: (shown && capped)
                    .then(|| Money::from_pence(earned.pence() - paid.pence())),
            }
        }
    }
}

/// How `agreement`'s partners shared the days `from..to`: each partner's contribution over
/// those days, in the order first named.
pub fn contributions(agreement: &Agreement, from: Date, to: Date) -> Vec<FunderShare> {
    agreement
        .partners()
        .into_iter()
        .map(|party| FunderShare {
            party,
            amount: agreement.contributed(party, from, to),
        })
        .collect()
}

/// Splits `total` by the weights of `shares` (the last share takes the rounding).
fn split(total: Money, shares: &[FunderShare]) -> Vec<FunderShare> {
    let sum: i64 = shares.iter().map(|s| s.amount.pence()).sum();
    if sum == 0 {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(shares.len());
    let mut given = 0i64;
    for (i, s) in shares.iter().enumerate() {
        let amount = if i + 1 == shares.len() {
            Money::from_pence(total.pence() - given)
        } else {
            total.share(s.amount.pence(), sum)
        };
        given += amount.pence();
        out.push(FunderShare {
            party: s.party,
            amount,
        });
    }
    out
}

/// One quarter of `contract`'s statement, from the activity of its services in the days of
/// the quarter inside its term, on `today` (which marks the current quarter partial).
pub fn contract_row(
    plan: &Commissioning,
    contract: &Contract,
    quarter: Quarter,
    activity: &Activity,
    rule: &Suppression,
    today: Date,
) -> StatementRow {
    contract_row_after(plan, contract, quarter, activity, rule, today, Money::ZERO).0
}

/// Consecutive quarters of `contract`'s statement, oldest first, each with its services'
/// activity: a capped activity contract pays each quarter at most what is left of its
/// financial year's value after the quarters before it in the same year — so pass every
/// quarter of a year from its first, or the cap starts late. A quarter outside the term has
/// no days counted and pays nothing.
pub fn contract_rows(
    plan: &Commissioning,
    contract: &Contract,
    quarters: &[(Quarter, &Activity)],
    rule: &Suppression,
    today: Date,
) -> Vec<StatementRow> {
    let mut paid = Money::ZERO;
    let mut year = None;
    quarters
        .iter()
        .map(|(quarter, activity)| {
            if year != Some(quarter.year) {
                year = Some(quarter.year);
                paid = Money::ZERO;
            }
            let (row, paid_now) =
                contract_row_after(plan, contract, *quarter, activity, rule, today, paid);
            paid = paid.plus(paid_now);
            row
        })
        .collect()
}

/// One quarter's row with `paid_before` already paid in its financial year, and what this
/// quarter paid exactly.
fn contract_row_after(
    plan: &Commissioning,
    contract: &Contract,
    quarter: Quarter,
    activity: &Activity,
    rule: &Suppression,
    today: Date,
    paid_before: Money,
) -> (StatementRow, Money) {
    let (from, to) = days_counted(quarter, contract.start, contract.end, today);
    let priced = cost(
        contract.payment,
        &contract.values,
        from,
        to,
        activity,
        rule,
        paid_before,
    );
    let cost = priced.shown;
    let funders = match (cost, contract.agreement, contract.funder) {
        (Some(cost), Some(a), _) => split(cost, &contributions(&plan.agreements[a], from, to)),
        (Some(cost), None, Some(f)) => vec![FunderShare {
            party: f,
            amount: cost,
        }],
        _ => Vec::new(),
    };
    let incentive = match (&contract.incentive, cost) {
        (Some((_, share)), Some(cost)) => Some(Money::from_pence(
            (cost.pence() as f64 * share).round() as i64,
        )),
        _ => None,
    };
    let kpis = contract
        .kpis
        .iter()
        .map(|t| {
            let value = t.kpi.value(activity, rule);
            KpiResult {
                kpi: t.kpi,
                value,
                threshold: t.threshold,
                rag: Rag::of(t.kpi, value, t.threshold, t.amber),
            }
        })
        .collect();
    let mut row = row(
        quarter, from, to, activity, rule, today, cost, incentive, funders, kpis,
    );
    row.beyond_value = priced.beyond_value;
    (row, priced.paid)
}

/// One quarter of a funded element's statement (paid as a block from its own values).
pub fn element_row(
    element: &super::plan::Element,
    contract: &Contract,
    quarter: Quarter,
    activity: &Activity,
    rule: &Suppression,
    today: Date,
) -> StatementRow {
    let (from, to) = days_counted(quarter, contract.start, contract.end, today);
    let cost = pro_rata(&element.values, from, to);
    let funders = vec![FunderShare {
        party: element.funder,
        amount: cost,
    }];
    row(
        quarter,
        from,
        to,
        activity,
        rule,
        today,
        Some(cost),
        None,
        funders,
        Vec::new(),
    )
}

#[expect(
    clippy::too_many_arguments,
    reason = "one row's parts, named at both calls"
)]
fn row(
    quarter: Quarter,
    from: Date,
    to: Date,
    activity: &Activity,
    rule: &Suppression,
    today: Date,
    cost: Option<Money>,
    incentive: Option<Money>,
    funders: Vec<FunderShare>,
    kpis: Vec<KpiResult>,
) -> StatementRow {
    let published = PublishedActivity::of(activity, rule);
    let per = |count: Published| cost.and_then(|c| count.value().and_then(|n| c.per(n)));
    StatementRow {
        quarter: quarter.label(),
        from: quarter.first_day(),
        to: quarter.end(),
        partial: today < quarter.end() && today >= quarter.first_day(),
        days_in_term: super::year::days_between(from, to),
        per_contact: per(published.attended),
        per_episode: per(published.episodes_ended),
        per_young_person: per(published.young_people),
        activity: published,
        cost,
        beyond_value: None,
        incentive,
        funders,
        kpis,
    }
}

#[cfg(test)]
mod tests;
