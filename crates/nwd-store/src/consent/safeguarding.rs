//! Safeguarding overrides: recording one (its audit entry carries the override as its
//! purpose), reading a young person's, and the privacy officer's review queue.

use super::*;

/// A safeguarding override in the privacy officer's queue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuedOverride {
    /// The override.
    #[serde(flatten)]
    pub item: SafeguardingOverride,
    /// The young person (opaque id).
    pub person_id: String,
}

fn override_from_row(row: &sqlx::any::AnyRow) -> Result<SafeguardingOverride, StoreError> {
    Ok(SafeguardingOverride {
        id: row.try_get("id")?,
        scope: OverrideScope::parse(&row.try_get::<String, _>("scope")?)
            .map_err(StoreError::Corrupt)?,
        referral_id: row.try_get("referral_id")?,
        reason: row.try_get("reason")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: ts(row.try_get("recorded_at")?)?,
    })
}

impl Store {
    /// Safeguarding overrides recorded for a young person, oldest first.
    pub async fn safeguarding_overrides(
        &self,
        person: &str,
    ) -> Result<Vec<SafeguardingOverride>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, scope, referral_id, reason, recorded_by, recorded_at \
             FROM safeguarding_overrides WHERE person_id = $1 ORDER BY recorded_at, id",
        )
        .bind(person)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(override_from_row).collect()
    }

    /// Records an explicit safeguarding override. Its audit entry (same transaction) carries
    /// the purpose `safeguarding override:<id>`; it waits in the privacy officer's queue.
    pub async fn record_safeguarding_override(
        &self,
        audit: &crate::audit::AuditContext,
        person: &str,
        scope: OverrideScope,
        referral_id: Option<String>,
        reason: &str,
    ) -> Result<SafeguardingOverride, StoreError> {
        let by = recorded_by(audit);
        let by = by.as_str();
        let mut errors = ValidationErrors::new();
        check_override_reason(reason, &mut errors);
        errors.into_result()?;
        let mut w = self.begin_write().await?;
        lock_known_person(&mut w.tx, person).await?;
        if let Some(referral) = &referral_id {
            check_referral_of(&mut w.tx, referral, person).await?;
        }
        let now = self.now();
        let item = SafeguardingOverride {
            id: Uuid::new_v4().to_string(),
            scope,
            referral_id,
            reason: reason.trim().to_owned(),
            recorded_by: by.to_owned(),
            recorded_at: now,
        };
        sqlx::query(
            "INSERT INTO safeguarding_overrides (id, person_id, referral_id, scope, reason, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&item.id)
        .bind(person)
        .bind(&item.referral_id)
        .bind(scope.as_str())
        .bind(&item.reason)
        .bind(by)
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        audit.set_record("safeguarding_override", item.id.clone());
        audit.set_person(nwd_domain::PersonId(crate::codec::uuid(person)?));
        audit.set_why(format!("safeguarding override:{}", item.id));
        audit.set_detail(format!("scope={}", scope.as_str()));
        w.commit_audited(now, audit).await?;
        Ok(item)
    }

    /// Safeguarding overrides not yet reviewed, oldest first (the privacy officer's queue).
    pub async fn safeguarding_queue(&self) -> Result<Vec<QueuedOverride>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, person_id, scope, referral_id, reason, recorded_by, recorded_at \
             FROM safeguarding_overrides WHERE reviewed_at IS NULL ORDER BY recorded_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(QueuedOverride {
                    item: override_from_row(row)?,
                    person_id: row.try_get("person_id")?,
                })
            })
            .collect()
    }
}
