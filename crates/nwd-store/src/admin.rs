//! Administration of accounts: the user list with teams, roles, second factor and state; teams
//! (listed with their service and members, added with every field checked); team membership
//! changes; API tokens issued and revoked from the administration pages and API.
//!
//! Creating accounts, disabling them (which ends every session and revokes every token at
//! once) and hashing passwords stay in [`crate::auth`]; this module adds what an administrator
//! needs to see and change, with the same checks. Every change takes the caller's
//! [`AuditContext`] — the administration pages and API, and the command line alike — and runs
//! in one write transaction that checks what it reads and commits the audit entry with the
//! change. It holds no clinical content.
//!
//! One submodule per area: the user list (`users`), teams and their members (`teams`),
//! membership changes (`memberships`) and API tokens (`tokens`); here, what they share: how
//! a refusal names its field, and the live account a change is for.

use std::collections::BTreeSet;

use jiff::Timestamp;
use nwd_domain::authz::{Permission, Role};
use nwd_domain::ValidationErrors;
use serde::Serialize;
use sqlx::Row;

use crate::audit::AuditContext;
use crate::auth::{AuthError, TeamKind};
use crate::codec::{ms, ts};
use crate::{Store, StoreError};

mod memberships;
mod teams;
mod tokens;
mod users;

pub(crate) use memberships::keep_an_administrator;
pub use memberships::MembershipGrant;
pub use teams::{parse_team_kind, team_kind_name, NewTeam, TeamMember, TeamSummary};
pub use tokens::ApiTokenSummary;
pub use users::{MembershipSummary, TotpState, UserSummary};

fn invalid(field: &'static str, message: impl Into<String>) -> AuthError {
    AuthError::Invalid {
        field,
        message: message.into(),
    }
}

/// An account's username, read in `w`: not found when unknown, refused (`user`) when
/// disabled, saying that `consequence` (e.g. "it cannot have tokens").
async fn live_account(
    w: &mut crate::WriteTx<'_>,
    user_id: &str,
    consequence: &str,
) -> Result<String, AuthError> {
    let Some(row) = sqlx::query("SELECT username, disabled_at FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *w.tx)
        .await?
    else {
        return Err(StoreError::not_found("user", user_id).into());
    };
    if row.try_get::<Option<i64>, _>("disabled_at")?.is_some() {
        return Err(invalid(
            "user",
            format!("this account is disabled: {consequence}"),
        ));
    }
    Ok(row.try_get("username")?)
}
