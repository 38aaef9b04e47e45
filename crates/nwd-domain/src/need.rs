//! THRIVE needs-based groupings (domain guide §2) and the risk level recorded at triage.
//! Groups are agreed with the young person and family; they are not tiers of severity, but
//! a step "up" or "down" is still recorded as the clinician states it.

use serde::{Deserialize, Serialize};

/// A THRIVE needs-based grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NeedGroup {
    /// Thriving: prevention and promotion.
    Thriving,
    /// Getting Advice: signposting, self-management, one or two sessions.
    GettingAdvice,
    /// Getting Help: focused, evidence-based, goal-based help.
    GettingHelp,
    /// Getting More Help: extensive or specialised help.
    GettingMoreHelp,
    /// Getting Risk Support: interagency risk management, crisis plans.
    GettingRiskSupport,
}

impl NeedGroup {
    /// Every group.
    pub const ALL: &'static [NeedGroup] = &[
        NeedGroup::Thriving,
        NeedGroup::GettingAdvice,
        NeedGroup::GettingHelp,
        NeedGroup::GettingMoreHelp,
        NeedGroup::GettingRiskSupport,
    ];

    /// The API name.
    pub fn as_str(&self) -> &'static str {
        match self {
            NeedGroup::Thriving => "thriving",
            NeedGroup::GettingAdvice => "getting_advice",
            NeedGroup::GettingHelp => "getting_help",
            NeedGroup::GettingMoreHelp => "getting_more_help",
            NeedGroup::GettingRiskSupport => "getting_risk_support",
        }
    }

    /// The name shown to young people and families.
    pub fn label(&self) -> &'static str {
        match self {
            NeedGroup::Thriving => "Thriving",
            NeedGroup::GettingAdvice => "Getting Advice",
            NeedGroup::GettingHelp => "Getting Help",
            NeedGroup::GettingMoreHelp => "Getting More Help",
            NeedGroup::GettingRiskSupport => "Getting Risk Support",
        }
    }

    /// Parses the API name.
    pub fn parse(value: &str) -> Result<Self, String> {
        NeedGroup::ALL.iter().copied().find(|g| g.as_str() == value).ok_or_else(|| {
            format!(
                "unknown need group {value:?}; allowed: thriving, getting_advice, getting_help, getting_more_help, getting_risk_support"
            )
        })
    }
}

/// Risk level recorded at triage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// No identified risk.
    Low,
    /// Some risk, managed within the plan.
    Medium,
    /// Significant risk; needs a risk plan.
    High,
    /// Immediate risk to life; crisis pathway.
    Immediate,
}

impl RiskLevel {
    /// The API name.
    pub fn as_str(&self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Immediate => "immediate",
        }
    }
}

/// Direction of a change of need group, as the clinician records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepDirection {
    /// To more intensive or specialised help.
    Up,
    /// To less intensive help.
    Down,
}

impl StepDirection {
    /// The API name.
    pub fn as_str(&self) -> &'static str {
        match self {
            StepDirection::Up => "up",
            StepDirection::Down => "down",
        }
    }
}
