//! The capabilities a route can need ([`Permission`]), and which of them reach person-level
//! clinical data.

use serde::{Deserialize, Serialize};

/// A capability a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read a referral's clinical content (with a relationship).
    ReadClinical,
    /// Change a referral: triage, allocate, contacts, step, discharge (with a relationship).
    WriteClinical,
    /// Search referrals (results limited to what the caller may open).
    SearchReferrals,
    /// Send a referral into the single point of access.
    MakeReferral,
    /// See the referrals one's own organisation sent, and their status (no clinical content).
    ViewSentReferrals,
    /// Read a person's demographics.
    ReadDemographics,
    /// Person-match review, merge, unmerge, "not the same person".
    ManageRegister,
    /// Create and change organisations and services.
    ManageDirectory,
    /// Waiting lists, caseloads and the transition list of one's services.
    ReadServiceLists,
    /// Aggregate measures (counts, waits, access), small numbers suppressed.
    ReadAggregates,
    /// Record the commissioning record: agreements, contributions, contracts and their KPIs
    /// (aggregates only; no person is reached).
    ManageCommissioning,
    /// Ask for time-boxed access without a relationship, giving a reason.
    BreakGlass,
    /// Audit reports: who accessed a young person's record, what a user accessed.
    AuditReports,
    /// Review break-glass use.
    ReviewBreakGlass,
    /// Create users, teams and API tokens; disable accounts.
    ManageUsers,
    /// A parent's or carer's view of a young person's record: only with a link to the young
    /// person and a basis the consent rules accept (`crate::consent::parent_access`).
    ReadAsParentCarer,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 16] = [
        Permission::ReadClinical,
        Permission::WriteClinical,
        Permission::SearchReferrals,
        Permission::MakeReferral,
        Permission::ViewSentReferrals,
        Permission::ReadDemographics,
        Permission::ManageRegister,
        Permission::ManageDirectory,
        Permission::ReadServiceLists,
        Permission::ReadAggregates,
        Permission::ManageCommissioning,
        Permission::BreakGlass,
        Permission::AuditReports,
        Permission::ReviewBreakGlass,
        Permission::ManageUsers,
        Permission::ReadAsParentCarer,
    ];

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ReadClinical => "read_clinical",
            Permission::WriteClinical => "write_clinical",
            Permission::SearchReferrals => "search_referrals",
            Permission::MakeReferral => "make_referral",
            Permission::ViewSentReferrals => "view_sent_referrals",
            Permission::ReadDemographics => "read_demographics",
            Permission::ManageRegister => "manage_register",
            Permission::ManageDirectory => "manage_directory",
            Permission::ReadServiceLists => "read_service_lists",
            Permission::ReadAggregates => "read_aggregates",
            Permission::ManageCommissioning => "manage_commissioning",
            Permission::BreakGlass => "break_glass",
            Permission::AuditReports => "audit_reports",
            Permission::ReviewBreakGlass => "review_break_glass",
            Permission::ManageUsers => "manage_users",
            Permission::ReadAsParentCarer => "read_as_parent_carer",
        }
    }

    /// Parses an API name.
    pub fn parse(value: &str) -> Result<Permission, String> {
        Permission::ALL
            .into_iter()
            .find(|p| p.as_str() == value)
            .ok_or_else(|| {
                format!(
                    "unknown permission {value:?}; allowed: {}",
                    Permission::ALL.map(Permission::as_str).join(", ")
                )
            })
    }

    /// Whether this permission reaches person-level data (so needs a relationship or
    /// break-glass when it names a record).
    pub fn is_person_level(self) -> bool {
        matches!(
            self,
            Permission::ReadClinical
                | Permission::WriteClinical
                | Permission::ReadDemographics
                | Permission::ManageRegister
                | Permission::ReadAsParentCarer
        )
    }
}
