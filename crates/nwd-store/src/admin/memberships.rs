//! Team membership changes: giving an account a role in a team (a clinical role waits for a
//! second administrator) and taking one away, each checked inside its write transaction.

use super::*;

/// What became of a role an administrator gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MembershipGrant {
    /// In effect at once (a role that opens no young person's record).
    Granted,
    /// A clinical role: waits for a second administrator's approval.
    Pending {
        /// The request, to approve or refuse.
        grant_id: String,
    },
}

impl Store {
    /// Gives an account a role in a team, as `audit`'s actor. A clinical role
    /// ([`Role::needs_second_approval`]) does not take effect: it waits for a second
    /// administrator ([`crate::role_grants`]). Refuses the parent/carer role (given only
    /// through a recorded carer link) and — inside the write transaction — an unknown or
    /// disabled account, an unknown team, a membership the account already has and a request
    /// already waiting; nothing is written then. The audit entry records the account, team,
    /// role and who asked.
    pub async fn add_membership(
        &self,
        audit: &AuditContext,
        user_id: &str,
        team_id: &str,
        role: Role,
    ) -> Result<MembershipGrant, AuthError> {
        if role == Role::ParentCarer {
            return Err(invalid(
                "role",
                "the parent or carer role is given by linking a carer to a young person, not here",
            ));
        }
        let by = audit.by();
        let now = self.now();
        let mut w = self.begin_write().await?;
        let account = live_account(&mut w, user_id, "it cannot be given roles").await?;
        let team_known = sqlx::query("SELECT id FROM teams WHERE id = $1")
            .bind(team_id)
            .fetch_optional(&mut *w.tx)
            .await?
            .is_some();
        if !team_known {
            return Err(invalid("team_id", "choose a team from the list"));
        }
        if has_membership(&mut w, user_id, team_id, role).await? {
            return Err(invalid(
                "role",
                "the account already has this role in this team",
            ));
        }
        let grant = if role.needs_second_approval() {
            let grant_id =
                crate::role_grants::request(&mut w, user_id, team_id, role, &by, now).await?;
            MembershipGrant::Pending { grant_id }
        } else {
            sqlx::query("INSERT INTO team_members (user_id, team_id, role) VALUES ($1, $2, $3)")
                .bind(user_id)
                .bind(team_id)
                .bind(role.as_str())
                .execute(&mut *w.tx)
                .await?;
            MembershipGrant::Granted
        };
        audit.set_record("user", user_id);
        audit.set_detail(format!(
            "role given: user:{user_id} ({account}) team:{team_id} role:{} by:{by}{}",
            role.as_str(),
            match &grant {
                MembershipGrant::Granted => String::new(),
                MembershipGrant::Pending { grant_id } =>
                    format!(" pending second approval: role_grant:{grant_id}"),
            }
        ));
        w.commit_audited(now, audit).await?;
        Ok(grant)
    }

    /// Takes a role in a team away from an account, as `audit`'s actor, at once (roles are
    /// read on every request). Checked inside the write transaction: an unknown account is
    /// not found, a role the account does not have and its last membership are refused
    /// (disable the account instead), and so is the administrator role of the last account
    /// that holds it ([`keep_an_administrator`]).
    pub async fn remove_membership(
        &self,
        audit: &AuditContext,
        user_id: &str,
        team_id: &str,
        role: Role,
    ) -> Result<(), AuthError> {
        let now = self.now();
        let mut w = self.begin_write().await?;
        let Some(username) = username_of(&mut w, user_id).await? else {
            return Err(StoreError::not_found("user", user_id).into());
        };
        if !has_membership(&mut w, user_id, team_id, role).await? {
            return Err(invalid(
                "role",
                "the account does not have this role in this team",
            ));
        }
        let memberships: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM team_members WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(&mut *w.tx)
                .await?
                .try_get("n")?;
        if memberships == 1 {
            return Err(invalid(
                "role",
                "this is the account's only role: disable the account instead",
            ));
        }
        if role == Role::Administrator {
            keep_an_administrator(&mut w, user_id, Some(team_id)).await?;
        }
        sqlx::query("DELETE FROM team_members WHERE user_id = $1 AND team_id = $2 AND role = $3")
            .bind(user_id)
            .bind(team_id)
            .bind(role.as_str())
            .execute(&mut *w.tx)
            .await?;
        audit.set_record("user", user_id);
        audit.set_detail(format!(
            "role taken away: user:{user_id} ({username}) team:{team_id} role:{} by:{}",
            role.as_str(),
            audit.by()
        ));
        w.commit_audited(now, audit).await?;
        Ok(())
    }
}

/// Refuses a change that would leave no live account with the administrator role: the
/// account `user_id` losing it (in `team`, or — `None` — everywhere, when it is disabled)
/// must leave another administrator membership of an account not disabled. Locks every
/// administrator membership first (PostgreSQL: their rows, so that two administrators
/// removing each other at once are decided one after the other and the second sees the
/// first's change; SQLite: writers already run one at a time), then counts inside the
/// caller's write transaction.
pub(crate) async fn keep_an_administrator(
    w: &mut crate::WriteTx<'_>,
    user_id: &str,
    team: Option<&str>,
) -> Result<(), AuthError> {
    sqlx::query("UPDATE team_members SET role = role WHERE role = $1")
        .bind(Role::Administrator.as_str())
        .execute(&mut *w.tx)
        .await?;
    let rows = sqlx::query(
        "SELECT m.user_id, m.team_id FROM team_members m JOIN users u ON u.id = m.user_id \
         WHERE m.role = $1 AND u.disabled_at IS NULL",
    )
    .bind(Role::Administrator.as_str())
    .fetch_all(&mut *w.tx)
    .await?;
    let mut left = 0;
    for row in &rows {
        let holder: String = row.try_get("user_id")?;
        let in_team: String = row.try_get("team_id")?;
        let losing = holder == user_id && team.is_none_or(|t| t == in_team);
        if !losing {
            left += 1;
        }
    }
    if left == 0 && !rows.is_empty() {
        return Err(invalid(
            "role",
            "this is the last administrator: give another account the administrator role \
             first, so that someone can still manage accounts",
        ));
    }
    Ok(())
}

/// The username of an account, read in `w`.
async fn username_of(
    w: &mut crate::WriteTx<'_>,
    user_id: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query("SELECT username FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *w.tx)
        .await?
        .map(|row| row.try_get("username"))
        .transpose()?)
}

/// Whether the account holds `role` in the team, read in `w`.
async fn has_membership(
    w: &mut crate::WriteTx<'_>,
    user_id: &str,
    team_id: &str,
    role: Role,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "SELECT 1 AS x FROM team_members WHERE user_id = $1 AND team_id = $2 AND role = $3",
    )
    .bind(user_id)
    .bind(team_id)
    .bind(role.as_str())
    .fetch_optional(&mut *w.tx)
    .await?
    .is_some())
}
