//! An organisation's licensed item text for bundled outcome measures (migration 0029): kept as
//! JSON per measure, loaded, replaced and removed with an audit entry. What the wording must
//! satisfy is `nwd_outcomes::ItemText::apply`'s; the use case checks it before calling here.

use jiff::Timestamp;
use sqlx::Row;

use crate::codec::{ms, ts};
use crate::{Store, StoreError};

/// Wording as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMeasureText {
    /// The measure's code.
    pub measure: String,
    /// The wording, as JSON.
    pub body: String,
    /// Who loaded it.
    pub loaded_by: String,
    /// When.
    pub loaded_at: Timestamp,
}

impl Store {
    /// Every loaded wording, by measure code.
    pub async fn measure_texts(&self) -> Result<Vec<StoredMeasureText>, StoreError> {
        let rows = sqlx::query(
            "SELECT measure, body, loaded_by, loaded_at FROM measure_texts ORDER BY measure",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored).collect()
    }

    /// The wording loaded for `measure`, if any.
    pub async fn measure_text(
        &self,
        measure: &str,
    ) -> Result<Option<StoredMeasureText>, StoreError> {
        let row = sqlx::query(
            "SELECT measure, body, loaded_by, loaded_at FROM measure_texts WHERE measure = $1",
        )
        .bind(measure)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(stored).transpose()
    }

    /// Loads (or replaces) `measure`'s wording, under `audit`; `loaded_by` is the name shown
    /// beside it.
    pub async fn put_measure_text(
        &self,
        audit: &crate::audit::AuditContext,
        measure: &str,
        body: &str,
        loaded_by: &str,
    ) -> Result<(), StoreError> {
        audit.set_record("measure_text", measure);
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM measure_texts WHERE measure = $1")
            .bind(measure)
            .execute(&mut *w.tx)
            .await?;
        sqlx::query(
            "INSERT INTO measure_texts (measure, body, loaded_by, loaded_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(measure)
        .bind(body)
        .bind(loaded_by)
        .bind(ms(self.now()))
        .execute(&mut *w.tx)
        .await?;
        w.commit_audited(self.now(), audit).await?;
        Ok(())
    }

    /// Removes `measure`'s wording, under `audit`; whether there was one.
    pub async fn remove_measure_text(
        &self,
        audit: &crate::audit::AuditContext,
        measure: &str,
    ) -> Result<bool, StoreError> {
        audit.set_record("measure_text", measure);
        let mut w = self.begin_write().await?;
        let removed = sqlx::query("DELETE FROM measure_texts WHERE measure = $1")
            .bind(measure)
            .execute(&mut *w.tx)
            .await?
            .rows_affected();
        w.commit_audited(self.now(), audit).await?;
        Ok(removed > 0)
    }
}

fn stored(row: &sqlx::any::AnyRow) -> Result<StoredMeasureText, StoreError> {
    Ok(StoredMeasureText {
        measure: row.try_get("measure")?,
        body: row.try_get("body")?,
        loaded_by: row.try_get("loaded_by")?,
        loaded_at: ts(row.try_get("loaded_at")?)?,
    })
}
