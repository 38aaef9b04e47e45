//! API tokens from the administration pages and API: issuing one to its holder (checked,
//! shown once, audited) and listing an account's tokens (never the tokens themselves).

use super::*;

/// An API token as listed (never the token itself, which is shown once at creation).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiTokenSummary {
    /// Token id.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// The permissions it is limited to.
    pub scopes: Vec<Permission>,
    /// Created.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    /// When revoked, if it is.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub revoked_at: Option<Timestamp>,
}

impl Store {
    /// Issues an API token to `holder`, as `audit`'s actor — the one way every door creates a
    /// token. A signed-in member of staff creates tokens for their own account only, so an
    /// administrator cannot mint one to act as somebody else (issue 15); the operator at the
    /// command line (who can reach the database anyway) may create one for any account.
    /// Checked: a name of up to 100 characters, at least one scope, and — inside the write
    /// transaction — a known, live account. The audit entry records the token, its holder,
    /// its scopes and who created it. Returns (token id, the token — shown once).
    pub async fn issue_api_token(
        &self,
        audit: &AuditContext,
        holder: &str,
        name: &str,
        scopes: &BTreeSet<Permission>,
    ) -> Result<(String, String), AuthError> {
        if audit.account().is_some_and(|account| account != holder) {
            return Err(AuthError::Forbidden(
                "an API token is created by its holder only: the member of staff creates their \
                 own (POST /api/account/tokens, or their own account page)"
                    .into(),
            ));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(invalid(
                "name",
                "say what the token is for, in up to 100 characters (e.g. the system that uses it)",
            ));
        }
        if scopes.is_empty() {
            return Err(invalid(
                "scopes",
                "choose at least one permission for the token",
            ));
        }
        let by = audit.by();
        let now = self.now();
        let mut w = self.begin_write().await?;
        live_account(&mut w, holder, "it cannot have tokens").await?;
        let (id, token) =
            crate::auth::insert_api_token(&mut w, holder, name, scopes, &by, now).await?;
        audit.set_record("api_token", &id);
        audit.set_detail(format!(
            "token created: token:{id} for user:{holder} scopes:{} by:{by}",
            crate::auth::scopes_text(scopes)
        ));
        w.commit_audited(now, audit).await?;
        Ok((id, token))
    }

    /// An account's API tokens, newest first (never the tokens themselves).
    pub async fn api_tokens(&self, user_id: &str) -> Result<Vec<ApiTokenSummary>, StoreError> {
        sqlx::query(
            "SELECT id, name, scopes, created_at, revoked_at FROM api_tokens WHERE user_id = $1 \
             ORDER BY created_at DESC, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let scopes: String = r.try_get("scopes")?;
            Ok(ApiTokenSummary {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                scopes: scopes
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| Permission::parse(s).map_err(StoreError::Corrupt))
                    .collect::<Result<_, _>>()?,
                created_at: ts(r.try_get("created_at")?)?,
                revoked_at: r
                    .try_get::<Option<i64>, _>("revoked_at")?
                    .map(ts)
                    .transpose()?,
            })
        })
        .collect()
    }
}
