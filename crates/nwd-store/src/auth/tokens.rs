//! API tokens: issued for a live account with scoped permissions, shown once and stored as
//! their SHA-256, revoked, and looked up from a bearer header.

use super::*;

/// Writes an API token in `w` (the caller commits); returns (token id, the token).
pub(crate) async fn insert_api_token(
    w: &mut crate::WriteTx<'_>,
    user_id: &str,
    name: &str,
    scopes: &BTreeSet<Permission>,
    created_by: &str,
    now: Timestamp,
) -> Result<(String, String), StoreError> {
    let id = Uuid::new_v4().to_string();
    let token = format!("nwd_{}", random_token());
    let scopes = scopes_text(scopes);
    sqlx::query(
        "INSERT INTO api_tokens (id, token_hash, name, user_id, scopes, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(token_hash(&token))
    .bind(name)
    .bind(user_id)
    .bind(&scopes)
    .bind(ms(now))
    .bind(created_by)
    .execute(&mut *w.tx)
    .await?;
    Ok((id, token))
}

/// Scopes as stored and audited: API names, comma-separated.
pub(crate) fn scopes_text(scopes: &BTreeSet<Permission>) -> String {
    scopes
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

impl Store {
    /// Creates an API token for its holder, limited to `scopes`, without the checks of
    /// [`Store::issue_api_token`] and without an audit entry: a fixture for tests and
    /// benchmarks, never a door's. Returns (token id, the token).
    #[cfg(any(test, feature = "testing"))]
    pub async fn create_api_token(
        &self,
        user_id: &str,
        name: &str,
        scopes: &BTreeSet<Permission>,
    ) -> Result<(String, String), StoreError> {
        let now = self.now();
        let mut w = self.begin_write().await?;
        let (id, token) = insert_api_token(
            &mut w,
            user_id,
            name,
            scopes,
            &format!("user:{user_id}"),
            now,
        )
        .await?;
        w.commit_fixture().await?;
        Ok((id, token))
    }

    /// Revokes a live API token, as `audit`'s actor; `holder`, when given, is the account it
    /// must belong to (the administration page and API name it in the path). An unknown,
    /// another account's or already revoked token is not found. The audit entry names the
    /// token and its holder.
    pub async fn revoke_api_token(
        &self,
        audit: &crate::audit::AuditContext,
        holder: Option<&str>,
        token_id: &str,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let mut w = self.begin_write().await?;
        let owner: Option<String> =
            sqlx::query("SELECT user_id FROM api_tokens WHERE id = $1 AND revoked_at IS NULL")
                .bind(token_id)
                .fetch_optional(&mut *w.tx)
                .await?
                .map(|row| row.try_get("user_id"))
                .transpose()?;
        let Some(owner) = owner.filter(|owner| holder.is_none_or(|h| h == owner.as_str())) else {
            return Err(StoreError::not_found("live API token", token_id));
        };
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(ms(now))
            .bind(token_id)
            .execute(&mut *w.tx)
            .await?;
        audit.set_record("api_token", token_id);
        audit.set_detail(format!(
            "token revoked: token:{token_id} of user:{owner} by:{}",
            audit.by()
        ));
        w.commit_audited(now, audit).await?;
        Ok(())
    }

    /// The principal behind a bearer token, if live.
    pub async fn token_principal(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        let now = self.now();
        let rows = sqlx::query(super::principal::TOKEN_PRINCIPAL_SQL.as_str())
            .bind(token_hash(token))
            .fetch_all(&self.pool)
            .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        if row.try_get::<Option<i64>, _>("c_revoked_at")?.is_some()
            || row
                .try_get::<Option<i64>, _>("c_expires_at")?
                .is_some_and(|e| e <= ms(now))
        {
            return Ok(None);
        }
        let scopes: String = row.try_get("c_scopes")?;
        let scopes = scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| Permission::parse(s).map_err(StoreError::Corrupt))
            .collect::<Result<BTreeSet<_>, _>>()?;
        let id: String = row.try_get("c_id")?;
        self.principal_from_rows(&rows, format!("token:{id}"), Some(scopes), None)
    }
}
