//! The public journeys' drafts (`migrations/0024_journey_drafts.sql`): the answers of a
//! journey under way, kept between its pages so that the browser's Back, Forward and refresh
//! never lose them and never post them again (the pages answer each post with `303 See Other`
//! to a page that reads the draft).
//!
//! - A draft's id is 128 random bits from the operating system's generator, given to the
//!   browser in a cookie; only its SHA-256 is stored.
//! - At most [`DRAFT_MAX_BYTES`] of answers; a bigger draft is refused and nothing is written.
//! - Idle for longer than [`DRAFT_IDLE_LIFETIME`], a draft is never read again; every write
//!   deletes the expired ones, and so does the retention run ([`Store::purge_expired_drafts`]).
//! - When the referral is sent, [`Store::finish_draft`] empties the answers and keeps only the
//!   confirmation (reference and status path) for a refresh of the confirmation page.
//!
//! Drafts are bookkeeping, not the record: saving one writes no audit entry (the send does,
//! through the intake use case). It does **not** decide what a journey asks or checks.

use jiff::SignedDuration;
use rand::RngCore;
use sqlx::Row;

use crate::auth::token_hash;
use crate::codec::ms;
use crate::{Store, StoreError};

/// The most a draft's answers may take, as stored (JSON): 64 KiB. The longest answer is 4,000
/// characters (presenting needs), so a real journey stays far below; a bigger draft is a
/// script's, refused with a message rather than stored.
pub const DRAFT_MAX_BYTES: usize = 64 * 1024;

/// How long a draft lives after its last answer: 2 hours. Long enough to answer every
/// question at a young person's own pace, with a break; short enough that answers about
/// someone's mental health left on a shared or family device are gone the same evening.
/// Local policy (no national standard), chosen for issue 17.
pub const DRAFT_IDLE_LIFETIME: SignedDuration = SignedDuration::from_hours(2);

/// Length of a draft id: 32 lowercase hex characters (128 bits).
pub const DRAFT_ID_LENGTH: usize = 32;

/// A draft as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The answers so far, as the form's (name, value) pairs, in order.
    pub answers: Vec<(String, String)>,
    /// After sending: the confirmation to show again (JSON, the journey's own shape).
    pub sent: Option<String>,
}

/// Why a draft was not saved.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// The answers are bigger than [`DRAFT_MAX_BYTES`]; nothing was written.
    #[error("the answers take {bytes} bytes, more than the {limit} bytes a draft may keep")]
    TooLarge {
        /// Their size as stored.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for DraftError {
    fn from(e: sqlx::Error) -> Self {
        DraftError::Store(StoreError::from(e))
    }
}

/// A fresh draft id: 128 bits from the operating system's generator, hex.
pub fn new_draft_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// True when `id` has the shape of a draft id (so that junk never reaches the database).
pub fn is_draft_id(id: &str) -> bool {
    id.len() == DRAFT_ID_LENGTH
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn encode(answers: &[(String, String)]) -> Result<String, DraftError> {
    let json = serde_json::to_string(answers)
        .map_err(|e| DraftError::Store(StoreError::Corrupt(e.to_string())))?;
    if json.len() > DRAFT_MAX_BYTES {
        return Err(DraftError::TooLarge {
            bytes: json.len(),
            limit: DRAFT_MAX_BYTES,
        });
    }
    Ok(json)
}

impl Store {
    /// Saves the answers of draft `id` of `journey` (creating it or replacing its answers),
    /// and deletes every expired draft. Refused, with nothing written, above
    /// [`DRAFT_MAX_BYTES`]. Bookkeeping, not a record: no audit entry of its own.
    pub async fn save_draft(
        &self,
        id: &str,
        journey: &str,
        answers: &[(String, String)],
    ) -> Result<(), DraftError> {
        let json = encode(answers)?;
        let now = self.now();
        let mut w = self.begin_write().await?;
        sqlx::query("DELETE FROM journey_drafts WHERE updated_at < $1")
            .bind(ms(now - DRAFT_IDLE_LIFETIME))
            .execute(&mut *w.tx)
            .await?;
        sqlx::query(
            "INSERT INTO journey_drafts (id_hash, journey, answers, sent, updated_at) \
             VALUES ($1, $2, $3, NULL, $4) \
             ON CONFLICT (id_hash) DO UPDATE SET answers = $3, updated_at = $4 \
             WHERE journey_drafts.journey = $2 AND journey_drafts.sent IS NULL",
        )
        .bind(token_hash(id))
        .bind(journey)
        .bind(&json)
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Draft `id` of `journey`, or `None` when there is none, it belongs to another journey,
    /// or it has been idle longer than [`DRAFT_IDLE_LIFETIME`].
    pub async fn read_draft(&self, id: &str, journey: &str) -> Result<Option<Draft>, StoreError> {
        if !is_draft_id(id) {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT answers, sent FROM journey_drafts \
             WHERE id_hash = $1 AND journey = $2 AND updated_at >= $3",
        )
        .bind(token_hash(id))
        .bind(journey)
        .bind(ms(self.now() - DRAFT_IDLE_LIFETIME))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let answers: String = row.try_get("answers")?;
        let answers = serde_json::from_str(&answers)
            .map_err(|e| StoreError::Corrupt(format!("draft answers: {e}")))?;
        Ok(Some(Draft {
            answers,
            sent: row.try_get("sent")?,
        }))
    }

    /// Marks draft `id` as sent: its answers are deleted and only `confirmation` (what the
    /// confirmation page shows again on a refresh) is kept, for [`DRAFT_IDLE_LIFETIME`].
    /// Bookkeeping after the send, which the intake use case audits.
    pub async fn finish_draft(
        &self,
        id: &str,
        journey: &str,
        confirmation: &str,
    ) -> Result<(), StoreError> {
        let mut w = self.begin_write().await?;
        sqlx::query(
            "UPDATE journey_drafts SET answers = '[]', sent = $1, updated_at = $2 \
             WHERE id_hash = $3 AND journey = $4",
        )
        .bind(confirmation)
        .bind(ms(self.now()))
        .bind(token_hash(id))
        .bind(journey)
        .execute(&mut *w.tx)
        .await?;
        w.tx.commit().await?;
        Ok(())
    }

    /// Deletes every draft idle longer than [`DRAFT_IDLE_LIFETIME`] (the retention run calls
    /// it); returns how many. Bookkeeping: drafts are not the record.
    pub async fn purge_expired_drafts(&self) -> Result<u64, StoreError> {
        let mut w = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM journey_drafts WHERE updated_at < $1")
            .bind(ms(self.now() - DRAFT_IDLE_LIFETIME))
            .execute(&mut *w.tx)
            .await?;
        w.tx.commit().await?;
        Ok(done.rows_affected())
    }
}
