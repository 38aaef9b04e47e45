//! The follow-up counts kept on each allocation (migration 0027,
//! `nwd_domain::referral::measurement`): filled in for rows written before that migration.

use std::collections::BTreeSet;

use nwd_domain::ReferralId;
use sqlx::Row;

use crate::codec::{flag, uuid};
use crate::{Store, StoreError};

impl Store {
    /// Computes the follow-up counts of every open allocation that has none yet (rows written
    /// before migration 0027) from its referral's events. Called by [`Store::migrate`]; a
    /// derived figure, not a change to the record, so it is not audited. Returns how many
    /// allocations it filled.
    pub async fn fill_measure_counts(&self) -> Result<u64, StoreError> {
        let rows = sqlx::query(
            "SELECT referral_id FROM allocations WHERE measure_attended IS NULL AND ended_at IS NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut referrals = BTreeSet::new();
        for row in &rows {
            referrals.insert(ReferralId(uuid(&row.try_get::<String, _>("referral_id")?)?));
        }
        let mut filled = 0;
        for id in referrals {
            let referral = self.referral(id).await?;
            for allocation in referral.allocations.iter().filter(|a| a.is_active()) {
                let counts = referral.measure_counts(allocation.id, &self.tz);
                filled += sqlx::query(
                    "UPDATE allocations SET measure_attended = $1, measure_since = $2, measure_started = $3 \
                     WHERE id = $4 AND measure_attended IS NULL",
                )
                .bind(i64::from(counts.attended))
                .bind(i64::from(counts.since_measure))
                .bind(flag(counts.measured))
                .bind(allocation.id.to_string())
                .execute(&self.pool)
                .await?
                .rows_affected();
            }
        }
        Ok(filled)
    }
}
