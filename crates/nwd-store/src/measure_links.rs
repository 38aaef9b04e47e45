//! One-time links to complete a routine outcome measure (issue 19, migration 0028). Sending
//! one is a referral command (`Command::SendMeasureLink`, event `measure_link_sent`) whose
//! token is made here and kept only as its SHA-256, in the same transaction; completing one
//! claims the link (`used_at`) and records the measure (`Command::RecordOutcome`) in one
//! transaction, so a link records at most one measure however often it is sent. A malformed,
//! unknown, used or expired token reads as `None` alike, so nothing tells them apart.

use jiff::Timestamp;
use nwd_domain::referral::authority::WriteAuthority;
use nwd_domain::referral::measurement::MeasureLinkRequest;
use nwd_domain::referral::outcome::{OutcomeAssessment, OutcomeRater};
use nwd_domain::referral::{Command, RecordedEvent, Referral, ReferralEvent};
use nwd_domain::{AllocationId, ReferralId};
use sqlx::Row;

use crate::auth::token_hash;
use crate::codec::{ms, ts, uuid};
use crate::status::{is_status_token, new_status_token};
use crate::{Store, StoreError};

/// An open link, as its holder may use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenMeasureLink {
    /// The referral.
    pub referral_id: ReferralId,
    /// The allocation it is completed for.
    pub allocation_id: AllocationId,
    /// The measure's code.
    pub measure: String,
    /// Who completes it.
    pub rater: OutcomeRater,
    /// When it stops working.
    pub expires_at: Timestamp,
}

/// Why a completion was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum CompletionError {
    /// The link is malformed, unknown, used or expired (never told apart).
    #[error("this link has been used, has expired or is not a link")]
    Unusable,
    /// The store or the domain refused it.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Sends a completion link: runs `SendMeasureLink` as `actor` with `authority` at
    /// `expected_version` and keeps the new token's hash, all under `audit`. Returns the
    /// token (shown once: only its hash is kept).
    pub async fn send_measure_link(
        &self,
        audit: &crate::audit::AuditContext,
        referral_id: ReferralId,
        expected_version: u32,
        request: MeasureLinkRequest,
        actor: &str,
        authority: &WriteAuthority,
    ) -> Result<(String, Referral, Vec<RecordedEvent>), StoreError> {
        let mut w = self.begin_write().await?;
        let (referral, recorded) = self
            .decide_in(
                &mut w,
                referral_id,
                Some(expected_version),
                Command::SendMeasureLink(request),
                actor,
                Some(authority),
            )
            .await?;
        let Some((link_id, request, expires_at)) = recorded.iter().find_map(|r| match &r.event {
            ReferralEvent::MeasureLinkSent {
                link_id,
                request,
                expires_at,
            } => Some((*link_id, request.clone(), *expires_at)),
            _ => None,
        }) else {
            return Err(StoreError::Corrupt(
                "sending a measure link recorded no link".into(),
            ));
        };
        let token = new_status_token();
        sqlx::query(
            "INSERT INTO measure_links (token_hash, link_id, referral_id, allocation_id, measure, rater, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(token_hash(&token))
        .bind(link_id.to_string())
        .bind(referral_id.to_string())
        .bind(request.allocation_id.to_string())
        .bind(&request.measure)
        .bind(request.rater.code())
        .bind(ms(self.now()))
        .bind(ms(expires_at))
        .execute(&mut *w.tx)
        .await?;
        w.commit_audited(self.now(), audit).await?;
        Ok((token, referral, recorded))
    }

    /// The link `token` opens, when it is well formed, known, unused and not expired.
    pub async fn open_measure_link(
        &self,
        token: &str,
    ) -> Result<Option<OpenMeasureLink>, StoreError> {
        if !is_status_token(token) {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT referral_id, allocation_id, measure, rater, expires_at FROM measure_links \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(ms(self.now()))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| open_link(&row)).transpose()
    }

    /// Completes the link `token` with `assessment` (its allocation, measure and rater are
    /// the link's, whatever the caller put there): claims the link and records the measure in
    /// one transaction under `audit`.
    pub async fn complete_measure_link(
        &self,
        audit: &crate::audit::AuditContext,
        token: &str,
        mut assessment: OutcomeAssessment,
        actor: &str,
    ) -> Result<(Referral, Vec<RecordedEvent>), CompletionError> {
        if !is_status_token(token) {
            return Err(CompletionError::Unusable);
        }
        let now = self.now();
        let mut w = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT referral_id, allocation_id, measure, rater, expires_at FROM measure_links \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(ms(now))
        .fetch_optional(&mut *w.tx)
        .await
        .map_err(StoreError::from)?;
        let Some(row) = row else {
            return Err(CompletionError::Unusable);
        };
        let link = open_link(&row)?;
        let claimed = sqlx::query(
            "UPDATE measure_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL",
        )
        .bind(ms(now))
        .bind(token_hash(token))
        .execute(&mut *w.tx)
        .await
        .map_err(StoreError::from)?
        .rows_affected();
        if claimed != 1 {
            return Err(CompletionError::Unusable);
        }
        assessment.allocation_id = link.allocation_id;
        assessment.measure = link.measure;
        assessment.rater = link.rater;
        let done = self
            .decide_in(
                &mut w,
                link.referral_id,
                None,
                Command::RecordOutcome(assessment),
                actor,
                None,
            )
            .await?;
        w.commit_audited(now, audit).await?;
        Ok(done)
    }
}

fn open_link(row: &sqlx::any::AnyRow) -> Result<OpenMeasureLink, StoreError> {
    Ok(OpenMeasureLink {
        referral_id: ReferralId(uuid(&row.try_get::<String, _>("referral_id")?)?),
        allocation_id: AllocationId(uuid(&row.try_get::<String, _>("allocation_id")?)?),
        measure: row.try_get("measure")?,
        rater: OutcomeRater::parse(&row.try_get::<String, _>("rater")?)
            .map_err(StoreError::Corrupt)?,
        expires_at: ts(row.try_get("expires_at")?)?,
    })
}
