//! Gillick competence, assessed per decision: which decision ([`ConsentDecision`]), the
//! recorded assessment ([`CompetenceAssessment`]) and the latest one for a decision. Assessments
//! are never edited; a newer one supersedes.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Which decision a competence assessment was about (Gillick competence is per decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentDecision {
    /// Consenting to help (assessment, treatment) without a parent.
    ConsentToHelp,
    /// Whether a parent or carer may see their record.
    ParentCarerAccess,
    /// Whether a parent or carer may be contacted.
    ParentCarerContact,
    /// Sharing information with another agency.
    InformationSharing,
}

impl ConsentDecision {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentDecision::ConsentToHelp => "consent_to_help",
            ConsentDecision::ParentCarerAccess => "parent_carer_access",
            ConsentDecision::ParentCarerContact => "parent_carer_contact",
            ConsentDecision::InformationSharing => "information_sharing",
        }
    }

    /// Parses a stored or API name, listing the allowed values otherwise.
    pub fn parse(value: &str) -> Result<ConsentDecision, String> {
        [
            ConsentDecision::ConsentToHelp,
            ConsentDecision::ParentCarerAccess,
            ConsentDecision::ParentCarerContact,
            ConsentDecision::InformationSharing,
        ]
        .into_iter()
        .find(|d| d.as_str() == value)
        .ok_or_else(|| {
            format!("unknown decision {value:?}; allowed: consent_to_help, parent_carer_access, parent_carer_contact, information_sharing")
        })
    }
}

/// A Gillick competence assessment, as recorded: who, when, which decision, outcome and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompetenceAssessment {
    /// Id.
    pub id: String,
    /// Which decision.
    pub decision: ConsentDecision,
    /// The referral it was made in, if any.
    pub referral_id: Option<String>,
    /// Outcome: judged competent for this decision.
    pub competent: bool,
    /// The assessor's reasoning.
    pub rationale: String,
    /// Who assessed (user id).
    pub assessed_by: String,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub assessed_at: Timestamp,
}

/// The latest assessment for `decision` (assessments are never edited: a new one supersedes).
pub fn latest_for(
    assessments: &[CompetenceAssessment],
    decision: ConsentDecision,
) -> Option<&CompetenceAssessment> {
    assessments
        .iter()
        .filter(|a| a.decision == decision)
        .max_by_key(|a| a.assessed_at)
}
