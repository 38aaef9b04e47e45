//! Who is asking: a credential (API token or session) and the account behind it, with its
//! team memberships, read in **one** statement. The route guard authenticates every request,
//! so this is on every request's path: one round trip instead of three (issue 16 item 8).

use std::sync::LazyLock;

use sqlx::any::AnyRow;

use super::*;

/// The account's columns and its memberships (one row per membership; one row with NULL team
/// columns when it has none), joined onto a credential aliased `c` or read by user id.
const ACCOUNT_COLUMNS: &str = "u.id AS p_user_id, u.username AS p_username, \
     u.display_name AS p_display_name, u.organisation_id AS p_organisation_id, \
     u.disabled_at AS p_disabled_at, \
     u.must_change_password AS p_must_change_password, tm.team_id AS p_team_id, tm.team_name AS p_team_name, \
     tm.team_kind AS p_team_kind, tm.service_id AS p_service_id, tm.role AS p_role";
const MEMBERSHIPS_JOIN: &str = "LEFT JOIN (SELECT m.user_id, t.id AS team_id, \
     t.name AS team_name, t.kind AS team_kind, t.service_id, m.role \
     FROM team_members m JOIN teams t ON t.id = m.team_id) tm ON tm.user_id = u.id";
const MEMBERSHIPS_ORDER: &str = "ORDER BY tm.team_name, tm.role";

/// A token with its account: revocation and expiry are checked on the first row.
pub(crate) static TOKEN_PRINCIPAL_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT c.id AS c_id, c.scopes AS c_scopes, c.expires_at AS c_expires_at, \
         c.revoked_at AS c_revoked_at, {ACCOUNT_COLUMNS} FROM api_tokens c \
         JOIN users u ON u.id = c.user_id {MEMBERSHIPS_JOIN} \
         WHERE c.token_hash = $1 {MEMBERSHIPS_ORDER}"
    )
});

/// A session with its account: the timeouts are checked on the first row.
pub(crate) static SESSION_PRINCIPAL_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT c.csrf_token AS c_csrf_token, c.created_at AS c_created_at, \
         c.last_seen_at AS c_last_seen_at, c.ended_at AS c_ended_at, {ACCOUNT_COLUMNS} \
         FROM sessions c JOIN users u ON u.id = c.user_id {MEMBERSHIPS_JOIN} \
         WHERE c.id_hash = $1 {MEMBERSHIPS_ORDER}"
    )
});

/// An account by its id (after a sign-in, whose session was just written).
static USER_PRINCIPAL_SQL: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {ACCOUNT_COLUMNS} FROM users u {MEMBERSHIPS_JOIN} WHERE u.id = $1 {MEMBERSHIPS_ORDER}")
});

impl Store {
    /// The principal of `user_id`, or `None` when the account is unknown or disabled.
    pub(crate) async fn load_principal(
        &self,
        user_id: &str,
        credential_ref: String,
        scopes: Option<BTreeSet<Permission>>,
        csrf_token: Option<String>,
    ) -> Result<Option<Principal>, StoreError> {
        let rows = sqlx::query(USER_PRINCIPAL_SQL.as_str())
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        self.principal_from_rows(&rows, credential_ref, scopes, csrf_token)
    }

    /// Builds the principal from the rows of one of the statements above (the account's
    /// columns are the same on every row). `None` when there are no rows or the account is
    /// disabled.
    pub(crate) fn principal_from_rows(
        &self,
        rows: &[AnyRow],
        credential_ref: String,
        scopes: Option<BTreeSet<Permission>>,
        csrf_token: Option<String>,
    ) -> Result<Option<Principal>, StoreError> {
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        if first.try_get::<Option<i64>, _>("p_disabled_at")?.is_some() {
            return Ok(None);
        }
        let mut memberships = Vec::with_capacity(rows.len());
        for r in rows {
            let Some(team_id) = r.try_get::<Option<String>, _>("p_team_id")? else {
                continue;
            };
            let role: String = r.try_get("p_role")?;
            memberships.push(Membership {
                team_id,
                team_name: r.try_get("p_team_name")?,
                kind: TeamKind::parse(&r.try_get::<String, _>("p_team_kind")?),
                service_id: r.try_get("p_service_id")?,
                role: Role::parse(&role).map_err(StoreError::Corrupt)?,
            });
        }
        let mut principal = Principal {
            user_id: first.try_get("p_user_id")?,
            username: first.try_get("p_username")?,
            display_name: first.try_get("p_display_name")?,
            organisation_id: first.try_get("p_organisation_id")?,
            memberships,
            scopes,
            credential_ref,
            csrf_token,
            granted: BTreeSet::new(),
            must_change_password: first.try_get::<i64, _>("p_must_change_password")? != 0,
        };
        principal.granted = Permission::ALL
            .into_iter()
            .filter(|p| principal.holds(*p, &self.access.roles))
            .collect();
        Ok(Some(principal))
    }
}
