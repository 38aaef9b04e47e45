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

use jiff::{SignedDuration, Timestamp};

mod break_glass;
mod password;
mod permission;
mod role;
#[cfg(test)]
mod tests;

pub use break_glass::{BreakGlassRefusal, BreakGlassRequest, MAX_BREAK_GLASS, MIN_REASON_CHARS};
pub use password::{
    check_new_password, PasswordProblem, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS,
    RECOMMENDED_PASSWORD_CHARS,
};
pub use permission::Permission;
pub use role::Role;

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
