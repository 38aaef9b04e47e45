//! The commissioning record as one document: the parties, the agreements (pooled funds and
//! aligned budgets) with each partner's contributions, and the contracts with their payment
//! terms, values, funded elements and KPIs.
//!
//! [`CommissioningDocument`] is the document as written (TOML at the doors, every table
//! closed to unknown keys); [`CommissioningDocument::check`] turns it into a checked
//! [`Commissioning`] — references resolved, dates and sums parsed — or returns every problem
//! at once, each under the path of its field (`contract[2].kpi[0].threshold`). A variation
//! of a contribution during the year is a further `contribution` line with the day it takes
//! effect (`from`) and why; the earlier line stays, as history.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::money::Money;
use super::statement::Kpi;
use super::year::FinancialYear;
use crate::ServiceId;

/// Most of each kind of entry (far above one area's parties, agreements and contracts).
pub const MAX_ENTRIES: usize = 500;

/// Longest name or free text, in characters.
pub const MAX_TEXT: usize = 300;

/// What kind of body a party is (the commissioners: ICB, county council, schools,
/// police and crime commissioner, youth justice; and the providers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// An integrated care board (the NHS commissioner).
    IntegratedCareBoard,
    /// A county, unitary or borough council.
    LocalAuthority,
    /// A school, academy trust or schools forum.
    School,
    /// A police and crime commissioner.
    PoliceAndCrimeCommissioner,
    /// A youth justice service.
    YouthJustice,
    /// An NHS trust.
    NhsTrust,
    /// A voluntary or community organisation.
    VoluntaryCommunity,
    /// Anything else.
    Other,
}

/// Whether a party commissions, provides, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// Pays for services.
    Commissioner,
    /// Delivers services.
    Provider,
}

/// A pooled fund or an aligned budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementKind {
    /// A pooled fund under section 75 of the NHS Act 2006.
    #[serde(rename = "pooled_section_75")]
    PooledSection75,
    /// A payment under section 76 of the NHS Act 2006 (council to NHS), as Kent's 2016 one.
    #[serde(rename = "pooled_section_76")]
    PooledSection76,
    /// Aligned budgets: each partner keeps its money and plans to shared outcomes.
    Aligned,
}

impl AgreementKind {
    /// As shown.
    pub fn label(self) -> &'static str {
        match self {
            AgreementKind::PooledSection75 => "Pooled fund (section 75)",
            AgreementKind::PooledSection76 => "Pooled fund (section 76)",
            AgreementKind::Aligned => "Aligned budgets",
        }
    }
}

/// How a contract pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// A fixed annual sum, paid in equal daily shares over the term.
    Block,
    /// A price per unit of activity.
    Activity,
    /// A grant (voluntary and community groups), paid as a block.
    Grant,
}

/// What an activity price pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityUnit {
    /// An attended direct contact.
    Contact,
    /// An episode of care ended (an allocation ended).
    Episode,
}

/// How often a KPI is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Every month.
    Monthly,
    /// Every quarter.
    Quarterly,
    /// Once a year.
    Annual,
}

/// The document as written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommissioningDocument {
    /// Commissioners and providers.
    #[serde(default, rename = "party")]
    pub parties: Vec<PartyDoc>,
    /// Pooled funds and aligned budgets.
    #[serde(default, rename = "agreement")]
    pub agreements: Vec<AgreementDoc>,
    /// Contracts.
    #[serde(default, rename = "contract")]
    pub contracts: Vec<ContractDoc>,
    /// The whole system's KPIs, over every service (the quarterly report's first part).
    #[serde(default, rename = "kpi")]
    pub kpis: Vec<KpiTermDoc>,
    /// The annual Transformation Plans, one per financial year.
    #[serde(default, rename = "transformation_plan")]
    pub plans: Vec<super::transformation::TransformationPlanDoc>,
}

/// A party as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyDoc {
    /// Short key the other entries use (`kcc`).
    pub key: String,
    /// Its name.
    pub name: String,
    /// What kind of body it is.
    pub kind: PartyKind,
    /// Commissioner, provider, or both.
    pub roles: Vec<PartyRole>,
}

/// An agreement as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementDoc {
    /// Short key.
    pub key: String,
    /// Its name.
    pub name: String,
    /// Pooled (section 75 or 76) or aligned.
    pub kind: AgreementKind,
    /// The lead (host) commissioner's key.
    pub lead: String,
    /// The shared outcomes it plans to.
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// Each partner's contribution per year, variations included.
    #[serde(default, rename = "contribution")]
    pub contributions: Vec<ContributionDoc>,
}

/// One contribution line as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContributionDoc {
    /// The partner's key.
    pub partner: String,
    /// The financial year, `2026/27`.
    pub year: String,
    /// The annual sum in pounds.
    pub amount: f64,
    /// The day a variation takes effect (`YYYY-MM-DD`); the year's first day when absent.
    #[serde(default)]
    pub from: Option<String>,
    /// Why (a variation needs one).
    #[serde(default)]
    pub reason: Option<String>,
}

/// A contract as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractDoc {
    /// Short key (its reference).
    pub key: String,
    /// Its name.
    pub name: String,
    /// The provider's key.
    pub provider: String,
    /// The agreement it is funded from, if any (its partners then share its cost).
    #[serde(default)]
    pub agreement: Option<String>,
    /// The commissioner paying, when not funded from an agreement.
    #[serde(default)]
    pub funder: Option<String>,
    /// First day of the term.
    pub start: String,
    /// Last day of the term.
    pub end: String,
    /// The directory's services it covers (names or ids).
    pub services: Vec<String>,
    /// How it pays.
    pub payment: PaymentDoc,
    /// An incentive scheme (such as CQUIN) and its share of the value.
    #[serde(default)]
    pub incentive: Option<IncentiveDoc>,
    /// Annual values.
    #[serde(default, rename = "value")]
    pub values: Vec<YearValueDoc>,
    /// Funded elements inside it.
    #[serde(default, rename = "element")]
    pub elements: Vec<ElementDoc>,
    /// KPIs.
    #[serde(default, rename = "kpi")]
    pub kpis: Vec<KpiTermDoc>,
}

/// Payment terms as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentDoc {
    /// Block, activity or grant.
    #[serde(rename = "type")]
    pub kind: PaymentKind,
    /// For activity: what the price pays for.
    #[serde(default)]
    pub per: Option<ActivityUnit>,
    /// For activity: the price in pounds.
    #[serde(default)]
    pub price: Option<f64>,
    /// For activity: paid at most the contract's value for the financial year (a ceiling,
    /// as "cost and volume" contracts commonly have); activity beyond it is shown as
    /// delivered beyond the value, not paid. Not capped when left out.
    #[serde(default)]
    pub capped: Option<bool>,
}

/// An incentive as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncentiveDoc {
    /// Its name (`CQUIN`).
    pub name: String,
    /// Its share of the contract's value, 0 to 0.2 (CQUIN has been 1.25 %: 0.0125).
    pub share: f64,
}

/// An annual value as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearValueDoc {
    /// The financial year.
    pub year: String,
    /// The sum in pounds.
    pub amount: f64,
}

/// A funded element as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ElementDoc {
    /// Short key.
    pub key: String,
    /// Its name.
    pub name: String,
    /// The commissioner paying for it.
    pub funder: String,
    /// The services that deliver it (names or ids; each one of the contract's).
    pub services: Vec<String>,
    /// Annual values.
    #[serde(default, rename = "value")]
    pub values: Vec<YearValueDoc>,
}

/// A KPI term as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KpiTermDoc {
    /// The KPI's code in the library (`super::statement::Kpi`).
    pub kpi: String,
    /// The threshold, in the KPI's unit (per cent or days).
    pub threshold: f64,
    /// How far short of the threshold is amber rather than red (default 5, in the KPI's unit).
    #[serde(default)]
    pub amber: Option<f64>,
    /// How often it is reported.
    pub frequency: Frequency,
}

/// A checked party.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Party {
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: PartyKind,
    /// Whether it commissions.
    pub commissioner: bool,
    /// Whether it provides.
    pub provider: bool,
}

/// A checked contribution line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// Index of the partner in [`Commissioning::parties`].
    pub partner: usize,
    /// The year.
    pub year: FinancialYear,
    /// The annual sum from `from`.
    pub amount: Money,
    /// The day it takes effect.
    pub from: Date,
    /// Why (variations).
    pub reason: Option<String>,
}

/// A checked agreement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: AgreementKind,
    /// Index of the lead commissioner.
    pub lead: usize,
    /// Shared outcomes.
    pub outcomes: Vec<String>,
    /// Contribution lines, by partner, year and day in force.
    pub contributions: Vec<Contribution>,
}

impl Agreement {
    /// The annual sum `partner` has committed for `day`'s year as it stands on `day`: the
    /// latest line for that year in force on that day.
    pub fn annual_in_force(&self, partner: usize, day: Date) -> Money {
        let year = FinancialYear::of(day);
        self.contributions
            .iter()
            .filter(|c| c.partner == partner && c.year == year && c.from <= day)
            .max_by_key(|c| c.from)
            .map_or(Money::ZERO, |c| c.amount)
    }

    /// What `partner` contributes over the days `from` (inclusive) to `to` (exclusive): each
    /// day carries 1/365 (or 1/366) of the annual sum in force that day, so a variation in
    /// the year counts from the day it takes effect.
    pub fn contributed(&self, partner: usize, from: Date, to: Date) -> Money {
        let mut total: i128 = 0;
        let mut day = from;
        while day < to {
            let year = FinancialYear::of(day);
            let annual = self.annual_in_force(partner, day);
            // Whole pence per day would lose up to a penny a day; sum exact fractions.
            total += i128::from(annual.pence()) * 1_000_000 / i128::from(year.days());
            day = match day.tomorrow() {
                Ok(next) => next,
                Err(_) => break,
            };
        }
        Money::from_pence(((total + 500_000) / 1_000_000) as i64)
    }

    /// The partners with a line in this agreement, in the order first named.
    pub fn partners(&self) -> Vec<usize> {
        let mut seen = Vec::new();
        for c in &self.contributions {
            if !seen.contains(&c.partner) {
                seen.push(c.partner);
            }
        }
        seen
    }
}

/// A checked payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Payment {
    /// A fixed annual value.
    Block,
    /// A grant, paid as a block.
    Grant,
    /// A price per unit.
    Activity {
        /// What is priced.
        per: ActivityUnit,
        /// The price.
        price: Money,
        /// Paid at most the year's value.
        capped: bool,
    },
}

/// A checked annual value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct YearValue {
    /// Year.
    pub year: FinancialYear,
    /// Sum.
    pub amount: Money,
}

/// A checked funded element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Element {
    /// Key.
    pub key: String,
    /// Name.
    pub name: String,
    /// Index of its funder.
    pub funder: usize,
    /// Its services.
    pub services: Vec<ServiceId>,
    /// Annual values.
    pub values: Vec<YearValue>,
}

/// A checked KPI term.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KpiTerm {
    /// The KPI.
    pub kpi: Kpi,
    /// Its threshold.
    pub threshold: f64,
    /// Amber margin.
    pub amber: f64,
    /// Reporting frequency.
    pub frequency: Frequency,
}

/// A checked contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contract {
    /// Key (its reference).
    pub key: String,
    /// Name.
    pub name: String,
    /// Index of its provider.
    pub provider: usize,
    /// Index of its agreement, if funded from one.
    pub agreement: Option<usize>,
    /// Index of its funder, when not funded from an agreement.
    pub funder: Option<usize>,
    /// First day.
    pub start: Date,
    /// Last day (inclusive).
    pub end: Date,
    /// Its services.
    pub services: Vec<ServiceId>,
    /// Payment.
    pub payment: Payment,
    /// Incentive name and share.
    pub incentive: Option<(String, f64)>,
    /// Annual values.
    pub values: Vec<YearValue>,
    /// Funded elements.
    pub elements: Vec<Element>,
    /// KPIs.
    pub kpis: Vec<KpiTerm>,
}

impl Contract {
    /// Its annual value for `year` (zero when none is written).
    pub fn value_for(&self, year: FinancialYear) -> Money {
        value_for(&self.values, year)
    }
}

pub(crate) fn value_for(values: &[YearValue], year: FinancialYear) -> Money {
    values
        .iter()
        .find(|v| v.year == year)
        .map_or(Money::ZERO, |v| v.amount)
}

/// The checked commissioning record.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Commissioning {
    /// The whole system's KPIs.
    pub system_kpis: Vec<KpiTerm>,
    /// Parties.
    pub parties: Vec<Party>,
    /// Agreements.
    pub agreements: Vec<Agreement>,
    /// Contracts.
    pub contracts: Vec<Contract>,
    /// The annual Transformation Plans, by year.
    pub plans: Vec<super::transformation::TransformationPlan>,
}

impl Commissioning {
    /// The Transformation Plan for `year`, if there is one.
    pub fn plan_for(
        &self,
        year: FinancialYear,
    ) -> Option<&super::transformation::TransformationPlan> {
        self.plans.iter().find(|p| p.year == year)
    }

    /// The contract with key `key`.
    pub fn contract(&self, key: &str) -> Option<&Contract> {
        self.contracts.iter().find(|c| c.key == key)
    }
}

mod check;

#[cfg(test)]
pub(crate) mod tests;
