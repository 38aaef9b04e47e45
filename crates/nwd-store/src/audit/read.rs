//! Reading the trail: an entry from its row, and the entries about one young person or by
//! one user.

use super::*;

pub(crate) fn record_from_row(row: &sqlx::any::AnyRow) -> Result<AuditRecord, StoreError> {
    let status: i64 = row.try_get("status")?;
    Ok(AuditRecord {
        seq: row.try_get::<i64, _>("seq")? as u64,
        entry: AuditEntry {
            at: ts(row.try_get("at")?)?,
            user_id: row.try_get("user_id")?,
            username: row.try_get("username")?,
            roles: row.try_get("roles")?,
            organisation_id: row.try_get("organisation_id")?,
            session_id: row.try_get("session_id")?,
            address: row.try_get("address")?,
            action: row.try_get("action")?,
            route: row.try_get("route")?,
            record_type: row.try_get("record_type")?,
            record_id: row.try_get("record_id")?,
            person_id: row.try_get("person_id")?,
            why: row.try_get("why")?,
            outcome: row.try_get("outcome")?,
            status: u16::try_from(status).unwrap_or(u16::MAX),
            detail: row.try_get("detail")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
        mac: row.try_get("mac")?,
    })
}

pub(crate) const SELECT: &str =
    "SELECT seq, at, user_id, username, roles, organisation_id, session_id, \
    address, action, route, record_type, record_id, person_id, why, outcome, status, detail, \
    prev_hash, hash, mac FROM audit_log";

impl Store {
    /// Everything recorded about one young person (privacy officer; subject access request),
    /// oldest first, break-glass included.
    pub async fn audit_for_person(&self, person: &str) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(&format!("{SELECT} WHERE person_id = $1 ORDER BY seq"))
            .bind(person)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(record_from_row).collect()
    }

    /// Everything one user did, oldest first.
    pub async fn audit_for_user(&self, user: &str) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(&format!("{SELECT} WHERE user_id = $1 ORDER BY seq"))
            .bind(user)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(record_from_row).collect()
    }
}
