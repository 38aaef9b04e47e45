//! Break-glass access: a reasoned ([`MIN_REASON_CHARS`]), time-boxed ([`MAX_BREAK_GLASS`])
//! request, never available to commissioners or external referrers.

use super::{Permission, Role, RoleTable};

use jiff::SignedDuration;

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
