//! Accounts, teams, sessions, API tokens, relationships and break-glass grants, one
//! submodule each (`accounts`, `sessions`, `tokens`, `relationships`); here, what they share:
//! the principal and its roles, the access settings, passwords and tokens' hashing.
//!
//! - Passwords: Argon2id, m = 19 MiB, t = 2, p = 1 (OWASP Password Storage Cheat Sheet's
//!   first configuration; issue 5), checked by length and against a local breached-password
//!   list only (no composition rules: NIST SP 800-63B).
//! - Second factor: TOTP (RFC 6238, SHA-1, 6 digits, 30 s, ±1 step), each step usable once.
//! - Sign-in failures answer one generic error; after [`MAX_FAILED_ATTEMPTS`] in a row an
//!   account is locked for [`LOCKOUT`] (ASVS V6.3.1 throttling).
//! - Sessions: 256-bit random ids, only their SHA-256 stored; a new id at every sign-in; idle
//!   and absolute timeouts; sign-out and disablement end them.
//! - API tokens: 256-bit random, stored as SHA-256, scoped to permissions, revocable.
//! - Federated sign-in (OpenID Connect) is [`crate::oidc`]'s; it makes sessions through the
//!   same `insert_session`.

mod accounts;
mod password;
mod principal;
mod relationships;
mod sessions;
mod tokens;

pub use accounts::{Bootstrap, CreatedUser, NewUser};
pub use relationships::BreakGlassGrant;
pub(crate) use sessions::insert_session;
pub use sessions::{session_ref, NewSession};
pub(crate) use tokens::{insert_api_token, scopes_text};

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use jiff::{SignedDuration, Timestamp};
use nwd_domain::authz::{
    check_new_password, relationship_open, BreakGlassRequest, Permission, Role, RoleTable,
};
use nwd_domain::referral::authority::WriteAuthority;
use nwd_domain::{PersonId, ReferralId, ServiceId};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use uuid::Uuid;

use crate::codec::{ms, ts};
use crate::{Store, StoreError};

/// Consecutive failures before an account is locked.
pub const MAX_FAILED_ATTEMPTS: i64 = 5;
/// How long a locked account stays locked.
pub const LOCKOUT: SignedDuration = SignedDuration::from_mins(15);

/// Argon2id with the parameters: 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    // The parameters are constants within Argon2's documented ranges.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (CPU-bound: call from a blocking thread).
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("password hashing failed: {e}")))
}

fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a password nobody knows, verified when the username does not exist so that
/// unknown and known usernames take the same time.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn dummy_hash() -> &'static str {
    DUMMY_HASH.get_or_init(|| hash_password("not a password anyone has").unwrap_or_default())
}

/// 256 random bits, hex.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// SHA-256, hex: how session ids and API tokens are stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Errors of account operations, with what to do about them.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The one answer to every failed sign-in (which part was wrong is never said).
    #[error("username, password or code not recognised, or the account is locked; try again in a few minutes or ask your administrator")]
    SignInFailed,
    /// A rule about the input.
    #[error("{field}: {message}")]
    Invalid {
        /// Which field.
        field: &'static str,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The caller may not make this change (e.g. issue a token for someone else, approve
    /// their own role).
    #[error("{0}")]
    Forbidden(String),
    /// Storage.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for AuthError {
    fn from(e: sqlx::Error) -> Self {
        AuthError::Store(StoreError::from(e))
    }
}

/// Kinds of team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TeamKind {
    /// The single point of access: relates to every referral until closed.
    SinglePointOfAccess,
    /// A service team: relates to people allocated to its service.
    Service,
    /// Commissioning, administration, referrers: relates to nobody.
    Other,
}

impl TeamKind {
    fn as_str(self) -> &'static str {
        match self {
            TeamKind::SinglePointOfAccess => "single_point_of_access",
            TeamKind::Service => "service",
            TeamKind::Other => "other",
        }
    }

    fn parse(s: &str) -> TeamKind {
        match s {
            "single_point_of_access" => TeamKind::SinglePointOfAccess,
            "service" => TeamKind::Service,
            _ => TeamKind::Other,
        }
    }
}

/// One team membership with a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    /// Team id.
    pub team_id: String,
    /// Team name.
    pub team_name: String,
    /// Team kind.
    pub kind: TeamKind,
    /// The service, for service teams.
    pub service_id: Option<String>,
    /// Role in that team.
    pub role: Role,
}

/// Who is calling, once authenticated.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Principal {
    /// User id.
    pub user_id: String,
    /// Username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Organisation.
    pub organisation_id: String,
    /// Memberships.
    pub memberships: Vec<Membership>,
    /// For API tokens: the permissions the token is limited to.
    pub scopes: Option<BTreeSet<Permission>>,
    /// Opaque reference to the session or token (never the secret).
    #[serde(skip)]
    pub credential_ref: String,
    /// The session's CSRF token (cookie sessions only).
    #[serde(skip)]
    pub csrf_token: Option<String>,
    /// Every permission the roles held grant under the role table the route guard checks
    /// (within the token's scopes): what the staff menu and the landing page are derived from.
    #[serde(skip)]
    pub granted: BTreeSet<Permission>,
    /// The account still holds the initial password an administrator gave it: until it
    /// chooses its own (`Store::change_password`), the route guard lets it do nothing else.
    pub must_change_password: bool,
}

impl Principal {
    /// The distinct roles held.
    pub fn roles(&self) -> Vec<Role> {
        let set: BTreeSet<Role> = self.memberships.iter().map(|m| m.role).collect();
        set.into_iter().collect()
    }

    /// Memberships whose role holds `permission` (and, for tokens, within scope).
    pub fn memberships_with<'a>(
        &'a self,
        permission: Permission,
        table: &'a RoleTable,
    ) -> impl Iterator<Item = &'a Membership> + 'a {
        let in_scope = self.scopes.as_ref().is_none_or(|s| s.contains(&permission));
        self.memberships
            .iter()
            .filter(move |m| in_scope && table.grants(m.role, permission))
    }

    /// Whether any role held grants `permission`.
    pub fn holds(&self, permission: Permission, table: &RoleTable) -> bool {
        self.memberships_with(permission, table).next().is_some()
    }

    /// Whose allocations this principal may change with `WriteClinical`: every one through a
    /// single point of access team, else those of their service teams' services
    /// (`nwd_domain::referral::authority`).
    pub fn write_authority(&self, table: &RoleTable) -> WriteAuthority {
        let teams: Vec<&Membership> = self
            .memberships_with(Permission::WriteClinical, table)
            .collect();
        if teams
            .iter()
            .any(|m| m.kind == TeamKind::SinglePointOfAccess)
        {
            return WriteAuthority::SinglePointOfAccess;
        }
        WriteAuthority::Services(
            teams
                .iter()
                .filter_map(|m| m.service_id.as_deref())
                .filter_map(|s| s.parse::<ServiceId>().ok())
                .collect(),
        )
    }

    /// The roles as stored in an audit entry.
    pub fn roles_text(&self) -> String {
        self.roles()
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Which referrals a principal may open with a permission: the search filter built from
/// the same rules as the per-record check.
#[derive(Debug, Clone, Default)]
pub struct Visibility {
    /// In a single point of access team: every referral not closed (or closed within grace).
    pub single_point_of_access: bool,
    /// Services whose allocations relate.
    pub service_ids: Vec<String>,
    /// For external referrers: referrals their organisation sent.
    pub submitted_by_org: Option<String>,
    /// Relationships ended before this instant (ms) no longer count.
    pub cutoff_ms: i64,
    /// Break-glass grants of this user, active at `now_ms`.
    pub user_id: Option<String>,
    /// Now (ms).
    pub now_ms: i64,
}

/// Session timing (configurable).
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// Idle timeout: 30 minutes by default (ASVS V7.3.1 asks for one; NHS staff systems
    /// commonly lock at 15–30 minutes).
    pub idle: SignedDuration,
    /// Absolute timeout: 12 hours, one long shift (ASVS V7.3.2).
    pub absolute: SignedDuration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: SignedDuration::from_mins(30),
            absolute: SignedDuration::from_hours(12),
        }
    }
}

/// Access settings held by the store.
#[derive(Debug, Clone)]
pub struct AccessSettings {
    /// Roles and permissions.
    pub roles: RoleTable,
    /// Sessions.
    pub sessions: SessionPolicy,
    /// Grace period after discharge.
    pub grace: SignedDuration,
    /// Breached passwords, lower-cased.
    pub breached: Arc<HashSet<String>>,
    /// Thresholds of the young people's confidentiality rules.
    pub consent: nwd_domain::consent::ConsentRules,
}

/// The shipped seed list of breached passwords (config/breached-passwords.txt).
pub const SEED_BREACHED_PASSWORDS: &str = include_str!("../../../config/breached-passwords.txt");

/// Parses a breached-password list: one per line, `#` comments, compared lower-cased.
pub fn parse_breached(text: &str) -> HashSet<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_lowercase)
        .collect()
}

impl Default for AccessSettings {
    fn default() -> Self {
        AccessSettings {
            roles: RoleTable::default(),
            sessions: SessionPolicy::default(),
            grace: nwd_domain::authz::DEFAULT_GRACE,
            breached: Arc::new(parse_breached(SEED_BREACHED_PASSWORDS)),
            consent: nwd_domain::consent::ConsentRules::default(),
        }
    }
}

/// The current TOTP code for a secret (for tests and enrolment checks).
pub fn totp_code(secret_b32: &str, at: Timestamp) -> Result<String, StoreError> {
    Ok(totp_for(secret_b32, "user")?.generate(at.as_second().max(0) as u64))
}

fn totp_for(secret_b32: &str, username: &str) -> Result<totp_rs::TOTP, StoreError> {
    let bytes = totp_rs::Secret::Encoded(secret_b32.to_owned())
        .to_bytes()
        .map_err(|e| StoreError::Corrupt(format!("stored TOTP secret unreadable: {e}")))?;
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("No Wrong Door".into()),
        username.to_owned(),
    )
    .map_err(|e| StoreError::Corrupt(format!("TOTP setup failed: {e}")))
}
