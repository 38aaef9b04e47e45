//! Private status links: a referral's maker gets a random token; whoever holds it can see where
//! the referral stands (the web layer decides the words, from the event-sourced state this
//! returns). Only the token's SHA-256 is stored (`migrations/0006_status_links.sql`), tokens are
//! 256 random bits, and a wrong, malformed or unknown token gives the same `None`.
//!
//! It does **not** decide what a status says (`nwd_usecase::status` does) and it returns no
//! person: the referral's state and the names of the services it names are all there is.

use std::collections::BTreeMap;

use nwd_domain::referral::Referral;
use nwd_domain::{ReferralId, ServiceId};
use rand::RngCore;
use sqlx::Row;

use crate::auth::token_hash;
use crate::codec::{ms, uuid};
use crate::{Store, StoreError};

/// Length of a status token: 64 lowercase hex characters (256 bits).
pub const STATUS_TOKEN_LENGTH: usize = 64;

/// What a status link shows: the referral's state and the names of the services it mentions.
#[derive(Debug, Clone)]
pub struct StatusView {
    /// The referral, rebuilt from its events.
    pub referral: Referral,
    /// Names of the services its allocations and signposts name.
    pub service_names: BTreeMap<ServiceId, String>,
    /// Those of its services that share a young person's own questionnaire scores through
    /// their status link (`MeasurementSchedule::share_progress`).
    pub sharing_progress: Vec<ServiceId>,
}

/// A fresh token: 256 bits from the operating system's generator, hex.
pub(crate) fn new_status_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Records a token's hash for a referral (inside the caller's transaction).
pub(crate) async fn insert_status_link(
    conn: &mut sqlx::AnyConnection,
    referral_id: ReferralId,
    token: &str,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO status_links (token_hash, referral_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash(token))
    .bind(referral_id.to_string())
    .bind(ms(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// True when `token` has the shape of a status token (so that junk never reaches the database).
pub fn is_status_token(token: &str) -> bool {
    token.len() == STATUS_TOKEN_LENGTH
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Store {
    /// Issues another status link for an existing referral (a repeated submission: the first
    /// token cannot be recovered from its hash), under `audit`. Returns the token.
    pub async fn issue_status_link(
        &self,
        audit: &crate::audit::AuditContext,
        referral_id: ReferralId,
    ) -> Result<String, StoreError> {
        let token = new_status_token();
        let mut w = self.begin_write().await?;
        insert_status_link(&mut w.tx, referral_id, &token, self.now()).await?;
        w.commit_audited(self.now(), audit).await?;
        Ok(token)
    }

    /// The referral a status token belongs to, with the names of the services it names; `None`
    /// for any token that is not one (malformed, unknown), all alike.
    pub async fn referral_by_status_token(
        &self,
        token: &str,
    ) -> Result<Option<StatusView>, StoreError> {
        if !is_status_token(token) {
            return Ok(None);
        }
        let row = sqlx::query("SELECT referral_id FROM status_links WHERE token_hash = $1")
            .bind(token_hash(token))
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let id = ReferralId(uuid(&row.try_get::<String, _>("referral_id")?)?);
        Ok(Some(self.status_view(id).await?))
    }

    /// A referral's state with the names of the services it names: what a status (a status
    /// link, a referrer's list of what they sent) is worded from.
    pub async fn status_view(&self, id: ReferralId) -> Result<StatusView, StoreError> {
        let referral = self.referral(id).await?;
        let mut wanted: Vec<ServiceId> =
            referral.allocations.iter().map(|a| a.service_id).collect();
        wanted.extend(referral.signposts.iter().filter_map(|s| s.service_id));
        let mut service_names = BTreeMap::new();
        let mut sharing_progress = Vec::new();
        for service_id in wanted {
            if let std::collections::btree_map::Entry::Vacant(entry) =
                service_names.entry(service_id)
            {
                if let Ok((service, _)) = self.service(service_id).await {
                    if service.details.measurement.share_progress {
                        sharing_progress.push(service_id);
                    }
                    entry.insert(service.details.name);
                }
            }
        }
        Ok(StatusView {
            referral,
            service_names,
            sharing_progress,
        })
    }
}
