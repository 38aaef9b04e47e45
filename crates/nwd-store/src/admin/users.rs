//! The user list: every account (or one) with its organisation, teams and roles, how far its
//! second factor is set up, and its state; an account's id from its username.

use super::*;

/// A team membership as an administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipSummary {
    /// Team id.
    pub team_id: String,
    /// Team name.
    pub team_name: String,
    /// Role in that team.
    pub role: Role,
}

/// How far an account's second factor (TOTP) is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TotpState {
    /// No secret: the account signs in only through OpenID Connect.
    None,
    /// A secret was issued but no code has been used yet (not enrolled).
    Issued,
    /// A code has been used to sign in: enrolled.
    Enrolled,
}

/// One account, for the user list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    /// User id.
    pub id: String,
    /// Sign-in name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Organisation id.
    pub organisation_id: String,
    /// Organisation name.
    pub organisation_name: String,
    /// Teams and roles.
    pub memberships: Vec<MembershipSummary>,
    /// Second factor.
    pub totp: TotpState,
    /// Whether the account signs in with a password (else only OpenID Connect).
    pub has_password: bool,
    /// Whether it still holds the initial password an administrator gave it (it must choose
    /// its own at first sign-in).
    pub must_change_password: bool,
    /// When disabled, if it is.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub disabled_at: Option<Timestamp>,
    /// Created.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
}

impl Store {
    /// Every account, by username, with its teams and roles (no clinical content).
    pub async fn users(&self) -> Result<Vec<UserSummary>, StoreError> {
        self.user_rows(None).await
    }

    /// One account.
    pub async fn user(&self, id: &str) -> Result<UserSummary, StoreError> {
        self.user_rows(Some(id))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::not_found("user", id))
    }

    /// The id of the account with this username, if any.
    pub async fn user_id_by_username(&self, username: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query("SELECT id FROM users WHERE username = $1")
            .bind(username.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get("id"))
            .transpose()?)
    }

    async fn user_rows(&self, only: Option<&str>) -> Result<Vec<UserSummary>, StoreError> {
        let filter = if only.is_some() {
            "WHERE u.id = $1"
        } else {
            ""
        };
        // Booleans as BIGINT 0/1 so both drivers decode them alike.
        let sql = format!(
            "SELECT u.id, u.username, u.display_name, u.organisation_id, o.name AS org_name, \
             CASE WHEN u.password_hash IS NULL THEN 0 ELSE 1 END AS has_password, \
             CASE WHEN u.totp_secret IS NULL THEN 0 ELSE 1 END AS has_totp, \
             CASE WHEN u.totp_last_step IS NULL THEN 0 ELSE 1 END AS used_totp, \
             u.must_change_password, u.disabled_at, u.created_at \
             FROM users u JOIN organisations o ON o.id = u.organisation_id {filter} \
             ORDER BY u.username"
        );
        let mut query = sqlx::query(&sql);
        if let Some(id) = only {
            query = query.bind(id.to_owned());
        }
        let rows = query.fetch_all(&self.pool).await?;
        let memberships = self.memberships(only).await?;
        let truthy = |row: &sqlx::any::AnyRow, name: &str| -> Result<bool, StoreError> {
            Ok(row.try_get::<i64, _>(name)? != 0)
        };
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                let totp = match (truthy(row, "has_totp")?, truthy(row, "used_totp")?) {
                    (false, _) => TotpState::None,
                    (true, false) => TotpState::Issued,
                    (true, true) => TotpState::Enrolled,
                };
                Ok(UserSummary {
                    memberships: memberships
                        .iter()
                        .filter(|(user, _)| *user == id)
                        .map(|(_, m)| m.clone())
                        .collect(),
                    username: row.try_get("username")?,
                    display_name: row.try_get("display_name")?,
                    organisation_id: row.try_get("organisation_id")?,
                    organisation_name: row.try_get("org_name")?,
                    totp,
                    has_password: truthy(row, "has_password")?,
                    must_change_password: truthy(row, "must_change_password")?,
                    disabled_at: row
                        .try_get::<Option<i64>, _>("disabled_at")?
                        .map(ts)
                        .transpose()?,
                    created_at: ts(row.try_get("created_at")?)?,
                    id,
                })
            })
            .collect()
    }

    async fn memberships(
        &self,
        only: Option<&str>,
    ) -> Result<Vec<(String, MembershipSummary)>, StoreError> {
        let filter = if only.is_some() {
            "WHERE m.user_id = $1"
        } else {
            ""
        };
        let sql = format!(
            "SELECT m.user_id, m.team_id, t.name, m.role FROM team_members m \
             JOIN teams t ON t.id = m.team_id {filter} ORDER BY t.name, m.role"
        );
        let mut query = sqlx::query(&sql);
        if let Some(id) = only {
            query = query.bind(id.to_owned());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                let role: String = r.try_get("role")?;
                Ok((
                    r.try_get("user_id")?,
                    MembershipSummary {
                        team_id: r.try_get("team_id")?,
                        team_name: r.try_get("name")?,
                        role: Role::parse(&role).map_err(StoreError::Corrupt)?,
                    },
                ))
            })
            .collect()
    }
}
