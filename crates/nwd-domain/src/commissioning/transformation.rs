//! The annual Transformation Plan (`seeds/003_…` paragraphs 29–45; the 2024 plan of
//! `seeds/002_…`): for a financial year, the principles the partners agreed and who signed
//! them, each provider's declaration of its staff (whole-time equivalents by service, role
//! and skill), and an action plan whose milestones are tracked (owner, due date, status,
//! evidence). It is part of the commissioning record ([`super::plan::CommissioningDocument`]'s
//! `[[transformation_plan]]`), versioned and checked with it; each commissioner's declared
//! investment comes from the money model ([`investment`]), and waits and access from the
//! live record, so the plan cannot state figures the record does not hold.
//!
//! The staff declarations are what the what-if simulator asks about: [`staff_by_service`]
//! gives each service's declared clinical WTE for the year.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::money::Money;
use super::plan::{value_for, Commissioning};
use super::year::FinancialYear;
use crate::ServiceId;

/// Most whole-time equivalents one declaration line may hold (far above any one team).
pub const MAX_WTE: f64 = 1_000.0;

/// A plan as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransformationPlanDoc {
    /// The financial year, `2026/27`.
    pub year: String,
    /// Its title.
    pub title: String,
    /// A short summary, shown first.
    #[serde(default)]
    pub summary: Option<String>,
    /// The agreed principles.
    #[serde(default, rename = "principle")]
    pub principles: Vec<PrincipleDoc>,
    /// The providers' declarations.
    #[serde(default, rename = "declaration")]
    pub declarations: Vec<DeclarationDoc>,
    /// The action plan.
    #[serde(default, rename = "action")]
    pub actions: Vec<ActionDoc>,
}

/// A principle as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrincipleDoc {
    /// What was agreed.
    pub text: String,
    /// The parties that signed it (keys).
    #[serde(default)]
    pub signed_by: Vec<String>,
    /// When (`YYYY-MM-DD`).
    #[serde(default)]
    pub signed_on: Option<String>,
}

/// A provider's declaration as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationDoc {
    /// The provider's key.
    pub provider: String,
    /// Its staff.
    #[serde(default, rename = "staff")]
    pub staff: Vec<StaffDoc>,
}

/// One line of staff as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaffDoc {
    /// The directory's service they work in (name or id).
    pub service: String,
    /// Their role (`Clinical psychologist`).
    pub role: String,
    /// A skill or modality (`CBT`), if any.
    #[serde(default)]
    pub skill: Option<String>,
    /// Whole-time equivalents.
    pub wte: f64,
    /// Whether they see young people (counted as the service's clinical capacity); true by
    /// default.
    #[serde(default)]
    pub clinical: Option<bool>,
}

/// Where a milestone stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneStatus {
    /// Not started.
    NotStarted,
    /// On track.
    OnTrack,
    /// At risk of missing its date.
    AtRisk,
    /// Done (evidence expected).
    Done,
}

impl MilestoneStatus {
    /// Every status, in the order a milestone moves through them.
    pub const ALL: [MilestoneStatus; 4] = [
        MilestoneStatus::NotStarted,
        MilestoneStatus::OnTrack,
        MilestoneStatus::AtRisk,
        MilestoneStatus::Done,
    ];

    /// As the record writes it (`on_track`).
    pub fn code(self) -> &'static str {
        match self {
            MilestoneStatus::NotStarted => "not_started",
            MilestoneStatus::OnTrack => "on_track",
            MilestoneStatus::AtRisk => "at_risk",
            MilestoneStatus::Done => "done",
        }
    }

    /// The status the record writes as `code`.
    pub fn parse(code: &str) -> Option<MilestoneStatus> {
        MilestoneStatus::ALL.into_iter().find(|s| s.code() == code)
    }

    /// As shown.
    pub fn label(self) -> &'static str {
        match self {
            MilestoneStatus::NotStarted => "Not started",
            MilestoneStatus::OnTrack => "On track",
            MilestoneStatus::AtRisk => "At risk",
            MilestoneStatus::Done => "Done",
        }
    }
}

/// An action as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionDoc {
    /// What will be done.
    pub action: String,
    /// Who owns it (a party's key).
    pub owner: String,
    /// When it is due (`YYYY-MM-DD`).
    pub due: String,
    /// Where it stands.
    pub status: MilestoneStatus,
    /// What shows it (a done milestone needs some).
    #[serde(default)]
    pub evidence: Option<String>,
}

/// A checked principle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Principle {
    /// What was agreed.
    pub text: String,
    /// Indices of the parties that signed.
    pub signed_by: Vec<usize>,
    /// When.
    pub signed_on: Option<Date>,
}

/// A checked staff line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Staff {
    /// The service.
    pub service: ServiceId,
    /// The service as written (its name).
    pub service_name: String,
    /// Role.
    pub role: String,
    /// Skill.
    pub skill: Option<String>,
    /// Whole-time equivalents.
    pub wte: f64,
    /// Sees young people.
    pub clinical: bool,
}

/// A checked declaration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Declaration {
    /// Index of the provider.
    pub provider: usize,
    /// Staff lines.
    pub staff: Vec<Staff>,
}

impl Declaration {
    /// Total whole-time equivalents declared.
    pub fn total_wte(&self) -> f64 {
        self.staff.iter().map(|s| s.wte).sum()
    }
}

/// A checked action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// What.
    pub action: String,
    /// Index of the owner.
    pub owner: usize,
    /// Due.
    pub due: Date,
    /// Status.
    pub status: MilestoneStatus,
    /// Evidence.
    pub evidence: Option<String>,
}

impl Action {
    /// Past its due date on `today` and not done.
    pub fn overdue(&self, today: Date) -> bool {
        self.status != MilestoneStatus::Done && self.due < today
    }
}

/// A checked plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransformationPlan {
    /// Its year.
    pub year: FinancialYear,
    /// Title.
    pub title: String,
    /// Summary.
    pub summary: Option<String>,
    /// Principles.
    pub principles: Vec<Principle>,
    /// Declarations.
    pub declarations: Vec<Declaration>,
    /// Actions.
    pub actions: Vec<Action>,
}

/// One commissioner's declared investment in a year, from the money model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Investment {
    /// Index of the party.
    pub party: usize,
    /// Into pooled funds and aligned budgets: its contributions over the year's days.
    pub agreements: Money,
    /// Contracts it funds directly (not through an agreement): their values for the year.
    pub contracts: Money,
    /// Funded elements it pays for inside contracts: their values for the year.
    pub elements: Money,
}

impl Investment {
    /// The sum.
    pub fn total(&self) -> Money {
        Money::from_pence(self.agreements.pence() + self.contracts.pence() + self.elements.pence())
    }
}

/// Each commissioner's investment in `year`, in the order of the parties: what it puts into
/// agreements (day by day, variations included), the contracts it funds directly and the
/// funded elements it pays for. Commissioners with nothing in the year are left out.
pub fn investment(record: &Commissioning, year: FinancialYear) -> Vec<Investment> {
    let (from, to) = (year.first_day(), year.end());
    record
        .parties
        .iter()
        .enumerate()
        .filter(|(_, p)| p.commissioner)
        .map(|(i, _)| {
            let agreements: i64 = record
                .agreements
                .iter()
                .map(|a| a.contributed(i, from, to).pence())
                .sum();
            let contracts: i64 = record
                .contracts
                .iter()
                .filter(|c| c.agreement.is_none() && c.funder == Some(i))
                .map(|c| c.value_for(year).pence())
                .sum();
            let elements: i64 = record
                .contracts
                .iter()
                .flat_map(|c| c.elements.iter())
                .filter(|e| e.funder == i)
                .map(|e| value_for(&e.values, year).pence())
                .sum();
            Investment {
                party: i,
                agreements: Money::from_pence(agreements),
                contracts: Money::from_pence(contracts),
                elements: Money::from_pence(elements),
            }
        })
        .filter(|inv| inv.total() != Money::ZERO)
        .collect()
}

/// Each service's declared clinical whole-time equivalents in `year`'s plan (none without a
/// plan for the year): what the what-if simulator converts to capacity.
pub fn staff_by_service(record: &Commissioning, year: FinancialYear) -> BTreeMap<ServiceId, f64> {
    let mut out = BTreeMap::new();
    if let Some(plan) = record.plan_for(year) {
        for s in plan
            .declarations
            .iter()
            .flat_map(|d| d.staff.iter())
            .filter(|s| s.clinical)
        {
            *out.entry(s.service).or_insert(0.0) += s.wte;
        }
    }
    out
}

#[cfg(test)]
mod tests;
