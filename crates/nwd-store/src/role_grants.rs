//! Clinical roles wait for a second administrator (issue 15). An administrator — whose role
//! reads no clinical content — could otherwise give themselves, or an account they control,
//! the triage role and read young people's records. A grant of a role that
//! [`Role::needs_second_approval`] (triage, clinician, team manager) is stored here as a
//! request; it takes effect only when another administrator approves it — neither the one who
//! asked nor the account that gains the role — and the membership is written in the approval's
//! transaction. Every request, approval and refusal is audited with who, whom, team and role.
//!
//! It owns the `role_grants` table (migration 0014). Giving a role is
//! [`Store::add_membership`](crate::Store::add_membership); creating an account with a
//! clinical role is [`Store::create_account`](crate::Store::create_account).

use jiff::Timestamp;
use nwd_domain::authz::Role;
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use crate::auth::AuthError;
use crate::codec::{ms, ts};
use crate::{Store, StoreError, WriteTx};

/// A clinical role waiting for a second administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingRoleGrant {
    /// The request's id.
    pub id: String,
    /// The account that would gain the role.
    pub user_id: String,
    /// Its sign-in name.
    pub username: String,
    /// Its shown name.
    pub display_name: String,
    /// The team.
    pub team_id: String,
    /// The team's name.
    pub team_name: String,
    /// The role.
    pub role: Role,
    /// Who asked (`user:<id>` or `cli:<operator>`).
    pub requested_by: String,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub requested_at: Timestamp,
}

/// Records a request for `role` (one that needs a second approval) inside the caller's
/// transaction; refuses a second request for the same account, team and role while one waits.
pub(crate) async fn request(
    w: &mut WriteTx<'_>,
    user_id: &str,
    team_id: &str,
    role: Role,
    by: &str,
    now: Timestamp,
) -> Result<String, AuthError> {
    let id = Uuid::new_v4().to_string();
    let inserted = sqlx::query(
        "INSERT INTO role_grants (id, user_id, team_id, role, requested_by, requested_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(team_id)
    .bind(role.as_str())
    .bind(by)
    .bind(ms(now))
    .execute(&mut *w.tx)
    .await;
    match inserted {
        Ok(_) => Ok(id),
        Err(e) => {
            let e = StoreError::from(e);
            Err(if e.is_unique_violation() {
                AuthError::Invalid {
                    field: "role",
                    message: "this role is already waiting for a second administrator's approval"
                        .into(),
                }
            } else {
                e.into()
            })
        }
    }
}

impl Store {
    /// Clinical roles waiting for a second administrator, oldest first.
    pub async fn pending_role_grants(&self) -> Result<Vec<PendingRoleGrant>, StoreError> {
        sqlx::query(
            "SELECT g.id, g.user_id, u.username, u.display_name, g.team_id, t.name AS team_name, \
             g.role, g.requested_by, g.requested_at FROM role_grants g \
             JOIN users u ON u.id = g.user_id JOIN teams t ON t.id = g.team_id \
             WHERE g.decided_at IS NULL ORDER BY g.requested_at, g.id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(PendingRoleGrant {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
                team_id: r.try_get("team_id")?,
                team_name: r.try_get("team_name")?,
                role: Role::parse(&r.try_get::<String, _>("role")?).map_err(StoreError::Corrupt)?,
                requested_by: r.try_get("requested_by")?,
                requested_at: ts(r.try_get("requested_at")?)?,
            })
        })
        .collect()
    }

    /// Approves (`approve`) or refuses a waiting clinical role, as `audit`'s actor. Refused
    /// (403) when the actor asked for it or would gain it; an unknown or already decided
    /// request is not found. On approval the membership is written in the same transaction (a
    /// disabled account is refused). Returns the account's id.
    pub async fn decide_role_grant(
        &self,
        audit: &crate::audit::AuditContext,
        grant_id: &str,
        approve: bool,
    ) -> Result<String, AuthError> {
        let by = audit.by();
        let by = by.as_str();
        let now = self.now();
        let mut w = self.begin_write().await?;
        let Some(row) = sqlx::query(
            "SELECT g.user_id, u.username, u.disabled_at, g.team_id, g.role, g.requested_by \
             FROM role_grants g JOIN users u ON u.id = g.user_id \
             WHERE g.id = $1 AND g.decided_at IS NULL",
        )
        .bind(grant_id)
        .fetch_optional(&mut *w.tx)
        .await?
        else {
            return Err(StoreError::not_found("waiting role", grant_id).into());
        };
        let user_id: String = row.try_get("user_id")?;
        let username: String = row.try_get("username")?;
        let team_id: String = row.try_get("team_id")?;
        let role: String = row.try_get("role")?;
        let requested_by: String = row.try_get("requested_by")?;
        if by == requested_by {
            return Err(AuthError::Forbidden(
                "you asked for this role: a second administrator must approve it".into(),
            ));
        }
        if by == format!("user:{user_id}") {
            return Err(AuthError::Forbidden(
                "this role is for your own account: another administrator must approve it".into(),
            ));
        }
        if approve {
            if row.try_get::<Option<i64>, _>("disabled_at")?.is_some() {
                return Err(AuthError::Invalid {
                    field: "user",
                    message: "this account is disabled: it cannot be given roles".into(),
                });
            }
            sqlx::query(
                "INSERT INTO team_members (user_id, team_id, role) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(&user_id)
            .bind(&team_id)
            .bind(&role)
            .execute(&mut *w.tx)
            .await?;
        }
        let outcome = if approve { "approved" } else { "refused" };
        let decided = sqlx::query(
            "UPDATE role_grants SET decided_by = $1, decided_at = $2, outcome = $3 \
             WHERE id = $4 AND decided_at IS NULL",
        )
        .bind(by)
        .bind(ms(now))
        .bind(outcome)
        .bind(grant_id)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if decided != 1 {
            return Err(StoreError::not_found("waiting role", grant_id).into());
        }
        audit.set_record("role_grant", grant_id);
        audit.set_detail(format!(
            "role {outcome}: user:{user_id} ({username}) team:{team_id} role:{role} \
             requested_by:{requested_by} decided_by:{by}"
        ));
        w.commit_audited(now, audit).await?;
        Ok(user_id)
    }
}
