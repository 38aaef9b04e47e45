//! The safeguarding route's referrals: those made without the young person's or family's
//! knowledge or agreement (`nwd_domain::referral::intake::NotSought`). Intake copies the
//! reason onto the projection ([`record_not_sought`], in the intake's transaction); the
//! privacy officer reads the list ([`Store::referrals_without_consent`]) — the page that
//! shows it is audited by the route guard, as every privacy page is.

use jiff::Timestamp;
use nwd_domain::referral::intake::NotSoughtReason;
use nwd_domain::referral::Referral;
use nwd_domain::ReferralId;
use sqlx::Row;

use crate::codec::{ts, uuid};
use crate::{Store, StoreError};

/// One referral made on the safeguarding route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSoughtReferral {
    /// The referral.
    pub referral_id: ReferralId,
    /// When it was received.
    pub received_at: Timestamp,
    /// Why consent was not sought.
    pub reason: NotSoughtReason,
    /// The referrer's words.
    pub detail: String,
    /// Where it stands (`awaiting_triage`, `open`, `closed`).
    pub status: String,
}

/// Copies a new referral's safeguarding reason onto its projection row (nothing for a
/// referral made with consent).
pub(crate) async fn record_not_sought(
    conn: &mut sqlx::AnyConnection,
    referral: &Referral,
) -> Result<(), StoreError> {
    let Some(not_sought) = &referral.details.not_sought else {
        return Ok(());
    };
    sqlx::query(
        "UPDATE referrals SET consent_not_sought = $1, consent_not_sought_detail = $2 WHERE id = $3",
    )
    .bind(not_sought.reason.as_str())
    .bind(not_sought.detail.clone())
    .bind(referral.id.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// Referrals made without the young person's or family's knowledge or agreement, newest
    /// first (at most `limit`), for the privacy officer.
    pub async fn referrals_without_consent(
        &self,
        limit: u32,
    ) -> Result<Vec<NotSoughtReferral>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, received_at, consent_not_sought, consent_not_sought_detail, status \
             FROM referrals WHERE consent_not_sought IS NOT NULL \
             ORDER BY received_at DESC, id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(NotSoughtReferral {
                    referral_id: ReferralId(uuid(&row.try_get::<String, _>("id")?)?),
                    received_at: ts(row.try_get("received_at")?)?,
                    reason: NotSoughtReason::parse(
                        &row.try_get::<String, _>("consent_not_sought")?,
                    )
                    .map_err(StoreError::Corrupt)?,
                    detail: row
                        .try_get::<Option<String>, _>("consent_not_sought_detail")?
                        .unwrap_or_default(),
                    status: row.try_get("status")?,
                })
            })
            .collect()
    }
}
