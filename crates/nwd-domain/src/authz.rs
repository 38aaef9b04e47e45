// Over 600 lines: to be split by what it owns in issue 16 (the architecture step), not mid-issue.
//! Who may do what: roles, the permissions each role holds, the policy every route declares,
//! and the rules for a *legitimate relationship* with a young person.
//!
//! The NHS models access as role-based access plus a legitimate relationship with the patient
//! (Spine/CIS2 "role-based access control" and "legitimate relationships"); the Caldicott
//! principles ask for least privilege. Here:
//!
//! - a [`Role`] grants [`Permission`]s (the defaults below, overridable from configuration);
//! - every route declares a [`Policy`]: public, or a permission plus the [`Scope`] of the record
//!   it names, checked against a relationship;
//! - clinical content needs an open relationship between one of the user's teams and the young
//!   person ([`relationship_open`]): a referral being triaged, an allocation, an episode — ending
//!   at discharge plus a configurable grace period;
//! - break-glass access ([`BreakGlassRequest`]) needs a reason, is time-boxed and is never
//!   available to commissioners or external referrers.
//!
//! Pure: the facts (memberships, allocations, grants) come from the store; the decisions are
//! here and unit-tested.

use std::collections::BTreeSet;
use std::fmt;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

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
            Role::Commissioner => &[ReadAggregates],
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
    pub const ALL: [Permission; 15] = [
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

/// What a route names, so that the guard can check the caller's relationship to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Nothing in particular (a collection, a search whose results are filtered).
    None,
    /// The referral in the named path parameter.
    Referral(&'static str),
    /// The person in the named path parameter.
    Person(&'static str),
    /// The service in the named path parameter: the caller must be in a team of it (or in
    /// the single point of access).
    Service(&'static str),
}

/// The policy a route declares. A route without one cannot be registered (see
/// `nwd_web::secure`), and the public allow-list is exactly the routes whose policy is
/// [`Policy::Public`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// No sign-in: self-referral, directory, crisis information, status link, health.
    Public,
    /// Signed in, with no permission beyond that (e.g. who am I, sign out).
    SignedIn,
    /// Signed in with a permission, over a scope.
    Requires(Permission, Scope),
}

/// Which roles grant which permissions: the defaults, or an area's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleTable {
    grants: Vec<(Role, BTreeSet<Permission>)>,
}

impl Default for RoleTable {
    fn default() -> Self {
        RoleTable {
            grants: Role::ALL
                .into_iter()
                .map(|r| (r, r.default_permissions().iter().copied().collect()))
                .collect(),
        }
    }
}

impl RoleTable {
    /// Replaces one role's permissions. Refuses what [`Role::may_hold`] refuses: person-level
    /// or break-glass permissions for commissioners and external referrers (the hard
    /// rules: aggregates only; only what they sent), and anything but the parent/carer view for
    /// parents and carers.
    pub fn set(&mut self, role: Role, permissions: BTreeSet<Permission>) -> Result<(), String> {
        if let Some(refusal) = permissions.iter().find_map(|p| role.may_hold(*p).err()) {
            return Err(refusal);
        }
        if let Some(slot) = self.grants.iter_mut().find(|(r, _)| *r == role) {
            slot.1 = permissions;
        }
        Ok(())
    }

    /// The permissions `role` holds.
    pub fn permissions(&self, role: Role) -> BTreeSet<Permission> {
        self.grants
            .iter()
            .find(|(r, _)| *r == role)
            .map(|(_, ps)| ps.clone())
            .unwrap_or_default()
    }

    /// Whether `role` holds `permission`.
    pub fn grants(&self, role: Role, permission: Permission) -> bool {
        self.grants
            .iter()
            .any(|(r, ps)| *r == role && ps.contains(&permission))
    }
}

/// Whether a relationship that ended at `ended_at` (None: still open) is still open at `now`,
/// given a grace period after discharge (default [`DEFAULT_GRACE`]).
pub fn relationship_open(
    ended_at: Option<Timestamp>,
    now: Timestamp,
    grace: SignedDuration,
) -> bool {
    match ended_at {
        None => true,
        Some(ended) => now < ended + grace,
    }
}

/// Default grace period after discharge: none — the relationship ends at discharge (the
/// issue: "it ends at discharge (configurable grace period)"). An area may configure e.g.
/// 7 days for letters; say so in its DPIA.
pub const DEFAULT_GRACE: SignedDuration = SignedDuration::ZERO;

/// Longest break-glass window: 8 hours, one working shift. Local policy — configurable; no
/// national figure is published (NHS CIS2 "sealing"/"emergency access" leaves it to the
/// organisation).
pub const MAX_BREAK_GLASS: SignedDuration = SignedDuration::from_hours(8);

/// A request for break-glass access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakGlassRequest {
    /// Why (free text, at least [`MIN_REASON_CHARS`] characters).
    pub reason: String,
    /// For how long.
    pub duration: SignedDuration,
}

/// A reason must say something: at least 10 characters.
pub const MIN_REASON_CHARS: usize = 10;

/// Why a break-glass request is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BreakGlassRefusal {
    /// The role may never break glass.
    #[error("role {0} may not use break-glass access")]
    RoleNotAllowed(Role),
    /// The reason is missing or too short.
    #[error("give a reason of at least {MIN_REASON_CHARS} characters: it is shown to the privacy officer")]
    ReasonTooShort,
    /// The duration is not between one minute and the maximum.
    #[error("duration must be between 1 minute and {} minutes", MAX_BREAK_GLASS.as_secs() / 60)]
    Duration,
}

impl BreakGlassRequest {
    /// Checks a request from a user holding `roles` (any one that may break glass and holds
    /// the permission is enough).
    pub fn check(&self, roles: &[Role], table: &RoleTable) -> Result<(), BreakGlassRefusal> {
        let allowed = roles
            .iter()
            .any(|r| r.may_break_glass() && table.grants(*r, Permission::BreakGlass));
        if !allowed {
            return Err(BreakGlassRefusal::RoleNotAllowed(
                roles.first().copied().unwrap_or(Role::ExternalReferrer),
            ));
        }
        if self.reason.trim().chars().count() < MIN_REASON_CHARS {
            return Err(BreakGlassRefusal::ReasonTooShort);
        }
        if self.duration < SignedDuration::from_mins(1) || self.duration > MAX_BREAK_GLASS {
            return Err(BreakGlassRefusal::Duration);
        }
        Ok(())
    }
}

/// Minimum password length: 8 characters, no composition rules (NIST SP 800-63B §3.1.1.2 and
/// OWASP ASVS 5.0 V6.2.1; 15 recommended, ASVS V6.2.2 guidance).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Recommended length, shown to users.
pub const RECOMMENDED_PASSWORD_CHARS: usize = 15;
/// Maximum accepted length: at least 64 must be allowed (ASVS V6.2.9); 128 bounds hashing work.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    /// Too short.
    #[error("use at least {MIN_PASSWORD_CHARS} characters ({RECOMMENDED_PASSWORD_CHARS} or more recommended); a few unrelated words make a good password")]
    TooShort,
    /// Too long.
    #[error("use at most {MAX_PASSWORD_CHARS} characters")]
    TooLong,
    /// In the breached-password list.
    #[error("this password appears in a list of breached passwords; choose another")]
    Breached,
    /// The same as the username.
    #[error("the password must not be the username")]
    IsUsername,
}

/// Checks a new password: length only (no composition rules), not the username, not in the
/// breached list (`breached` answers for a lower-cased candidate).
pub fn check_new_password(
    password: &str,
    username: &str,
    breached: impl Fn(&str) -> bool,
) -> Result<(), PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(PasswordProblem::IsUsername);
    }
    if breached(&password.to_lowercase()) {
        return Err(PasswordProblem::Breached);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commissioners_and_referrers_never_reach_person_level_data() {
        let table = RoleTable::default();
        for role in [Role::Commissioner, Role::ExternalReferrer] {
            for p in Permission::ALL.into_iter().filter(|p| p.is_person_level()) {
                assert!(!table.grants(role, p), "{role} holds {p:?}");
            }
        }
        let mut table = RoleTable::default();
        assert!(table
            .set(
                Role::Commissioner,
                [Permission::ReadClinical].into_iter().collect()
            )
            .is_err());
        assert!(table
            .set(
                Role::ExternalReferrer,
                [Permission::BreakGlass].into_iter().collect()
            )
            .is_err());
    }

    #[test]
    fn administrators_see_demographics_but_no_clinical_content() {
        let table = RoleTable::default();
        assert!(table.grants(Role::Administrator, Permission::ReadDemographics));
        assert!(!table.grants(Role::Administrator, Permission::ReadClinical));
        assert!(!table.grants(Role::Administrator, Permission::WriteClinical));
    }

    #[test]
    fn relationship_ends_at_discharge_plus_grace() {
        let ended: Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
        assert!(relationship_open(None, ended, DEFAULT_GRACE));
        assert!(!relationship_open(Some(ended), ended, DEFAULT_GRACE));
        let grace = SignedDuration::from_hours(24);
        assert!(relationship_open(
            Some(ended),
            ended + SignedDuration::from_hours(23),
            grace
        ));
        assert!(!relationship_open(Some(ended), ended + grace, grace));
    }

    #[test]
    fn break_glass_needs_a_reason_a_window_and_a_role_that_may() {
        let table = RoleTable::default();
        let ok = BreakGlassRequest {
            reason: "Young person in A&E out of hours".into(),
            duration: SignedDuration::from_hours(1),
        };
        assert_eq!(ok.check(&[Role::Clinician], &table), Ok(()));
        assert!(matches!(
            ok.check(&[Role::Commissioner], &table),
            Err(BreakGlassRefusal::RoleNotAllowed(_))
        ));
        let short = BreakGlassRequest {
            reason: "urgent".into(),
            ..ok.clone()
        };
        assert_eq!(
            short.check(&[Role::Clinician], &table),
            Err(BreakGlassRefusal::ReasonTooShort)
        );
        let long = BreakGlassRequest {
            duration: SignedDuration::from_hours(9),
            ..ok
        };
        assert_eq!(
            long.check(&[Role::Clinician], &table),
            Err(BreakGlassRefusal::Duration)
        );
    }

    #[test]
    fn passwords_are_checked_by_length_and_breach_only() {
        let breached = |p: &str| p == "password123";
        assert_eq!(
            check_new_password("short", "u", breached),
            Err(PasswordProblem::TooShort)
        );
        assert_eq!(
            check_new_password("PASSWORD123", "u", breached),
            Err(PasswordProblem::Breached)
        );
        assert_eq!(
            check_new_password("j.smith1", "J.SMITH1", breached),
            Err(PasswordProblem::IsUsername)
        );
        // No composition rules: all lower-case words are fine.
        assert_eq!(
            check_new_password("correct horse battery staple", "u", breached),
            Ok(())
        );
        assert_eq!(
            check_new_password(&"x".repeat(129), "u", breached),
            Err(PasswordProblem::TooLong)
        );
    }

    #[test]
    fn roles_and_permissions_round_trip_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Ok(r));
        }
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Ok(p));
        }
        assert!(Role::parse("superuser").unwrap_err().contains("triage"));
    }
}
