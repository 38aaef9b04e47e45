//! The commissioning record's versions (migration 0030) and the activity its payment and
//! activity statements price.
//!
//! Saving appends a version under the caller's audit entry, refusing it (`Conflict`) when
//! someone saved since the version the caller edited; what the document must satisfy is the
//! domain's (`nwd_domain::commissioning::CommissioningDocument::check`), run by the use case
//! before calling here. [`Store::activity`] counts what a set of services delivered in each
//! of a list of periods, from the dashboard's kept inputs (`dashboard::mirror`).

use jiff::Timestamp;
use nwd_domain::commissioning::statement::Activity;
use nwd_domain::ServiceId;
use sqlx::Row;

use crate::codec::{ms, ts};
use crate::error::Change;
use crate::{Store, StoreError};

/// Most periods one activity request may ask for (ten years of quarters and more).
pub const MAX_PERIODS: usize = 60;

/// One saved version of the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommissioningVersion {
    /// 1, 2, …
    pub version: i64,
    /// The document as written (TOML); empty in a list of versions.
    pub source: String,
    /// Who saved it (the name shown).
    pub saved_by: String,
    /// Why.
    pub reason: String,
    /// When.
    pub saved_at: Timestamp,
}

impl Store {
    /// The version in force, if the record was ever saved.
    pub async fn commissioning_current(&self) -> Result<Option<CommissioningVersion>, StoreError> {
        let row = sqlx::query(
            "SELECT version, source, saved_by, reason, saved_at FROM commissioning_versions \
             ORDER BY version DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(|r| version_of(r, true)).transpose()
    }

    /// Version `version`, if saved.
    pub async fn commissioning_version(
        &self,
        version: i64,
    ) -> Result<Option<CommissioningVersion>, StoreError> {
        let row = sqlx::query(
            "SELECT version, source, saved_by, reason, saved_at FROM commissioning_versions WHERE version = $1",
        )
        .bind(version)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(|r| version_of(r, true)).transpose()
    }

    /// Every version, newest first, without their documents.
    pub async fn commissioning_versions(&self) -> Result<Vec<CommissioningVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, saved_by, reason, saved_at FROM commissioning_versions ORDER BY version DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| version_of(r, false)).collect()
    }

    /// Saves `source` as the next version after `edited_from` (0: the record was empty), under
    /// `audit`; the new version. `Conflict` (nothing written) when another version was saved
    /// since, listing the versions saved meanwhile.
    pub async fn save_commissioning(
        &self,
        audit: &crate::audit::AuditContext,
        edited_from: i64,
        source: &str,
        saved_by: &str,
        reason: &str,
    ) -> Result<i64, StoreError> {
        let mut w = self.begin_write().await?;
        // Take the database's write lock before reading. On SQLite a transaction that reads
        // first and writes second cannot wait for another process's writer (it is told
        // "database is locked" at once), while one whose first statement writes waits like
        // any writer: this deletes nothing, but is a write.
        sqlx::query("DELETE FROM commissioning_versions WHERE version < 0")
            .execute(&mut *w.tx)
            .await?;
        let current: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM commissioning_versions")
                .fetch_one(&mut *w.tx)
                .await?;
        let current = current.unwrap_or(0);
        if current != edited_from {
            drop(w);
            return Err(self.commissioning_conflict(edited_from, current).await?);
        }
        let version = current + 1;
        audit.set_record("commissioning", version.to_string());
        let inserted = sqlx::query(
            "INSERT INTO commissioning_versions (version, source, saved_by, reason, saved_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(version)
        .bind(source)
        .bind(saved_by)
        .bind(reason)
        .bind(ms(self.now()))
        .execute(&mut *w.tx)
        .await;
        if let Err(e) = inserted {
            // Two saves from the same version at once: the key refuses the second.
            drop(w);
            let now: Option<i64> =
                sqlx::query_scalar("SELECT MAX(version) FROM commissioning_versions")
                    .fetch_one(&self.pool)
                    .await?;
            return match now {
                Some(now) if now > edited_from => {
                    Err(self.commissioning_conflict(edited_from, now).await?)
                }
                _ => Err(e.into()),
            };
        }
        w.commit_audited(self.now(), audit).await?;
        Ok(version)
    }

    async fn commissioning_conflict(
        &self,
        expected: i64,
        current: i64,
    ) -> Result<StoreError, StoreError> {
        let changes = self
            .commissioning_versions()
            .await?
            .into_iter()
            .filter(|v| v.version > expected)
            .map(|v| Change {
                version: u32::try_from(v.version).unwrap_or(u32::MAX),
                event_type: "commissioning_saved".into(),
                actor: v.saved_by,
                at: v.saved_at,
            })
            .collect();
        Ok(StoreError::Conflict {
            expected: u32::try_from(expected).unwrap_or(u32::MAX),
            current: u32::try_from(current).unwrap_or(u32::MAX),
            changes,
        })
    }

    /// What `services` delivered in each of `periods` (`[from, to)` instants), from the
    /// dashboard's kept inputs brought up to date. At most [`MAX_PERIODS`] periods.
    pub async fn activity(
        &self,
        services: &[ServiceId],
        periods: &[(Timestamp, Timestamp)],
    ) -> Result<Vec<Activity>, StoreError> {
        self.activity_of(Some(services), periods).await
    }

    /// What the whole system delivered in each of `periods`: every service, and every
    /// referral (those signposted and never allocated too).
    pub async fn system_activity(
        &self,
        periods: &[(Timestamp, Timestamp)],
    ) -> Result<Vec<Activity>, StoreError> {
        self.activity_of(None, periods).await
    }

    async fn activity_of(
        &self,
        services: Option<&[ServiceId]>,
        periods: &[(Timestamp, Timestamp)],
    ) -> Result<Vec<Activity>, StoreError> {
        if periods.len() > MAX_PERIODS {
            return Err(StoreError::Corrupt(format!(
                "at most {MAX_PERIODS} periods at once, not {}",
                periods.len()
            )));
        }
        let inputs = self.kept_inputs().await?;
        #[cfg(feature = "testing")]
        if self
            .cached
            .activity_by_scan
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            return Ok(inputs.activity_by_scan(services, periods, &self.tz));
        }
        Ok(inputs.activity(services, periods))
    }

    /// From now on, [`Store::activity`] and [`Store::system_activity`] count by one scan of
    /// every referral and allocation kept (`on`), as before the kept inputs were filed by
    /// service and time, or from the filed inputs again: `nwd-bench money --compare-scan`
    /// times both on the same store.
    #[cfg(feature = "testing")]
    pub fn count_activity_by_scan(&self, on: bool) {
        self.cached
            .activity_by_scan
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Files the kept inputs' rows by service and time again, from the inputs brought up to
    /// date: how long that took, the rows filed and the bytes they take (for the benchmark).
    #[cfg(feature = "testing")]
    pub async fn refile_activity_rows(
        &self,
    ) -> Result<(std::time::Duration, usize, usize), StoreError> {
        let mut inputs = self.kept_inputs().await?;
        Ok(inputs.refile_timed())
    }

    /// [`Store::activity`] (or, with `None`, [`Store::system_activity`]) from the same kept
    /// inputs by one scan of every referral and allocation, as counted before they were filed
    /// by service and time (the tests compare the two).
    #[cfg(feature = "testing")]
    pub async fn activity_by_scan(
        &self,
        services: Option<&[ServiceId]>,
        periods: &[(Timestamp, Timestamp)],
    ) -> Result<Vec<Activity>, StoreError> {
        let inputs = self.kept_inputs().await?;
        Ok(inputs.activity_by_scan(services, periods, &self.tz))
    }

    /// The no-wrong-door ledger (`nwd_domain::ledger`) of every request received in each of
    /// `periods` (`[from, to)` instants), from the dashboard's kept inputs brought up to date:
    /// the dashboard's definition, counted per period. At most [`MAX_PERIODS`] periods.
    pub async fn ledgers(
        &self,
        periods: &[(Timestamp, Timestamp)],
    ) -> Result<Vec<crate::dashboard::Ledger>, StoreError> {
        if periods.len() > MAX_PERIODS {
            return Err(StoreError::Corrupt(format!(
                "at most {MAX_PERIODS} periods at once, not {}",
                periods.len()
            )));
        }
        let bounds: Vec<(i64, i64)> = periods
            .iter()
            .map(|(f, t)| (f.as_millisecond(), t.as_millisecond()))
            .collect();
        let inputs = self.kept_inputs().await?;
        Ok(inputs.ledgers(&bounds))
    }

    /// [`Store::activity`] (or, with `None`, [`Store::system_activity`]) from inputs read
    /// afresh (the tests compare the two).
    pub async fn compute_activity(
        &self,
        services: Option<&[ServiceId]>,
        periods: &[(Timestamp, Timestamp)],
    ) -> Result<Vec<Activity>, StoreError> {
        let version = self.data_version().await?;
        let inputs = crate::dashboard::mirror::Mirror::read_all(self, version).await?;
        Ok(inputs.activity(services, periods))
    }
}

fn version_of(
    row: &sqlx::any::AnyRow,
    with_source: bool,
) -> Result<CommissioningVersion, StoreError> {
    Ok(CommissioningVersion {
        version: row.try_get("version")?,
        source: if with_source {
            row.try_get("source")?
        } else {
            String::new()
        },
        saved_by: row.try_get("saved_by")?,
        reason: row.try_get("reason")?,
        saved_at: ts(row.try_get("saved_at")?)?,
    })
}
