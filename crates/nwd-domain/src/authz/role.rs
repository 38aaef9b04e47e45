//! The roles staff hold in a team ([`Role`]) and the permissions each grants by default. The
//! defaults are least privilege: commissioners and external referrers never hold a permission
//! that reaches person-level data.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Permission;

/// A role a member of staff holds in a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Single point of access: takes, triages and routes referrals.
    Triage,
    /// A clinician or practitioner in a service team.
    Clinician,
    /// Manages a service team: its lists, caseload and staff.
    TeamManager,
    /// Administration: directory, users, demographics — no clinical content.
    Administrator,
    /// Privacy officer (Caldicott support): audit reports and break-glass review.
    PrivacyOfficer,
    /// Commissioner: aggregates only, no route to person-level data.
    Commissioner,
    /// A referrer outside the services (school, GP, social worker): sees only what they sent.
    ExternalReferrer,
    /// A young person's parent or carer with an account: sees only what the young person's
    /// recorded consent (or a best-interests decision, or a safeguarding override) allows, and
    /// never entries marked "not for parent/carer" (see [`crate::consent`]).
    ParentCarer,
}

impl Role {
    /// Every role, in a fixed order.
    pub const ALL: [Role; 8] = [
        Role::Triage,
        Role::Clinician,
        Role::TeamManager,
        Role::Administrator,
        Role::PrivacyOfficer,
        Role::Commissioner,
        Role::ExternalReferrer,
        Role::ParentCarer,
    ];

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Triage => "triage",
            Role::Clinician => "clinician",
            Role::TeamManager => "team_manager",
            Role::Administrator => "administrator",
            Role::PrivacyOfficer => "privacy_officer",
            Role::Commissioner => "commissioner",
            Role::ExternalReferrer => "external_referrer",
            Role::ParentCarer => "parent_carer",
        }
    }

    /// Parses an API name, listing the allowed values when it is not one.
    pub fn parse(value: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == value)
            .ok_or_else(|| {
                format!(
                    "unknown role {value:?}; allowed: {}",
                    Role::ALL.map(Role::as_str).join(", ")
                )
            })
    }

    /// The default permissions of this role (least privilege).
    pub fn default_permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Triage => &[
                ReadClinical,
                WriteClinical,
                SearchReferrals,
                MakeReferral,
                ReadDemographics,
                ManageRegister,
                ReadServiceLists,
                ReadAggregates,
                BreakGlass,
            ],
            Role::Clinician => &[
                ReadClinical,
                WriteClinical,
                SearchReferrals,
                MakeReferral,
                ReadDemographics,
                ReadServiceLists,
                BreakGlass,
            ],
            Role::TeamManager => &[
                ReadClinical,
                WriteClinical,
                SearchReferrals,
                MakeReferral,
                ReadDemographics,
                ReadServiceLists,
                ReadAggregates,
                BreakGlass,
            ],
            Role::Administrator => &[
                ReadDemographics,
                ManageRegister,
                ManageDirectory,
                ManageUsers,
            ],
            Role::PrivacyOfficer => &[AuditReports, ReviewBreakGlass],
            Role::Commissioner => &[ReadAggregates, ManageCommissioning],
            Role::ExternalReferrer => &[MakeReferral, ViewSentReferrals],
            Role::ParentCarer => &[ReadAsParentCarer],
        }
    }

    /// Whether an administrator's grant of this role waits for a second administrator's
    /// approval before it takes effect: the clinical roles, which open young people's records
    /// (issue 15: an administrator — "no clinical content" — could otherwise give themselves
    /// or an account they control the triage role and read records). The approver may be
    /// neither the administrator who asked nor the account that gains the role.
    pub fn needs_second_approval(self) -> bool {
        matches!(self, Role::Triage | Role::Clinician | Role::TeamManager)
    }

    /// Whether this role may ever use break-glass access (never commissioners, external
    /// referrers or parents/carers, whatever the configuration says).
    pub fn may_break_glass(self) -> bool {
        !matches!(
            self,
            Role::Commissioner | Role::ExternalReferrer | Role::ParentCarer
        )
    }

    /// Whether configuration may give this role `permission`: commissioners and external
    /// referrers never get person-level or break-glass rights (aggregates only; only what they
    /// sent), a parent or carer gets nothing but the parent/carer view, and only a parent or
    /// carer gets that view. `Err` says why.
    pub fn may_hold(self, permission: Permission) -> Result<(), String> {
        match self {
            Role::Commissioner | Role::ExternalReferrer
                if permission.is_person_level()
                    || permission == Permission::BreakGlass
                    || permission == Permission::ReadAsParentCarer =>
            {
                Err(format!(
                    "role {self} may not be given {}: commissioners see aggregates only and \
                     external referrers only what they sent",
                    permission.as_str()
                ))
            }
            Role::ParentCarer if permission != Permission::ReadAsParentCarer => Err(format!(
                "role {self} may not be given {}: a parent or carer may only hold {}",
                permission.as_str(),
                Permission::ReadAsParentCarer.as_str()
            )),
            _ if self != Role::ParentCarer && permission == Permission::ReadAsParentCarer => {
                Err(format!(
                    "role {self} may not be given {}: it is the parent/carer role's alone",
                    permission.as_str()
                ))
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
