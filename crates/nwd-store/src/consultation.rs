//! Anonymous consultations (`nwd_domain::consultation`): a professional's question about a
//! child who is not identified. Stored in `consultations` (migration 0025), which has no
//! column for a name, date of birth, NHS number or address and no person id: a consultation
//! is never matched to a person. The single point of access sees them on the triage queue
//! ([`Store::consultations_waiting`]).

use jiff::Timestamp;
use nwd_domain::codes::{PlainReason, Priority, ReferralSource};
use nwd_domain::consultation::{AgeBand, NewConsultation};
use nwd_domain::referral::Referrer;
use nwd_domain::ValidationErrors;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use uuid::Uuid;

use crate::audit::AuditContext;
use crate::codec::{ms, ts, uuid};
use crate::{Store, StoreError};

/// The `referrer` column's JSON: the professional, with the plain reasons and the stated
/// priority (one JSON column rather than three that no query filters on).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Asked {
    referrer: Referrer,
    #[serde(default)]
    plain_reasons: Vec<PlainReason>,
    priority: Priority,
}

/// A consultation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consultation {
    /// Id.
    pub id: Uuid,
    /// When received.
    pub received_at: Timestamp,
    /// How old the child is.
    pub age_band: AgeBand,
    /// The area.
    pub area: String,
    /// The question.
    pub question: String,
    /// What they are worried about.
    pub plain_reasons: Vec<PlainReason>,
    /// How soon.
    pub priority: Priority,
    /// Where the professional works.
    pub source: ReferralSource,
    /// The professional.
    pub referrer: Referrer,
    /// `awaiting_advice` until answered.
    pub status: String,
}

impl Consultation {
    /// Its reference to quote (`NWD-C-1A2B3C4D`).
    pub fn reference(&self) -> String {
        let hex = self.id.simple().to_string().to_uppercase();
        format!("NWD-C-{}", &hex[..8])
    }
}

/// What receiving a consultation came to.
#[derive(Debug, Clone)]
pub struct ConsultationOutcome {
    /// The consultation as stored.
    pub consultation: Consultation,
    /// False when an earlier request with the same key made it.
    pub created: bool,
}

impl Store {
    /// Receives an anonymous consultation under `audit` (one transaction with its audit
    /// entry), once per `idempotency_key`. Bad input is refused before anything is written.
    pub async fn receive_consultation(
        &self,
        audit: &AuditContext,
        consultation: NewConsultation,
        submitted_by_org: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<ConsultationOutcome, StoreError> {
        let mut errors = ValidationErrors::new();
        consultation.validate(&mut errors);
        errors.into_result()?;
        if let Some(key) = idempotency_key {
            if let Some(found) = self.consultation_by_key(key).await? {
                return Ok(ConsultationOutcome {
                    consultation: found,
                    created: false,
                });
            }
        }
        let id = Uuid::new_v4();
        let now = self.now();
        let asked = Asked {
            referrer: consultation.referrer.clone(),
            plain_reasons: consultation.plain_reasons.clone(),
            priority: consultation.priority,
        };
        let mut w = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO consultations (id, received_at, age_band, area, question, source, referrer, \
             submitted_by_org, idempotency_key, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'awaiting_advice')",
        )
        .bind(id.to_string())
        .bind(ms(crate::truncate_to_millis(consultation.received_at)))
        .bind(consultation.age_band.as_str())
        .bind(consultation.area.trim().to_owned())
        .bind(consultation.question.trim().to_owned())
        .bind(consultation.source.as_str())
        .bind(serde_json::to_string(&asked)?)
        .bind(submitted_by_org.map(str::to_owned))
        .bind(idempotency_key.map(str::to_owned))
        .execute(&mut *w.tx)
        .await?;
        audit.set_record("consultation", id.to_string());
        w.commit_audited(now, audit).await?;
        let stored = self
            .consultation(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("consultation {id} not found")))?;
        Ok(ConsultationOutcome {
            consultation: stored,
            created: true,
        })
    }

    /// One consultation.
    pub async fn consultation(&self, id: Uuid) -> Result<Option<Consultation>, StoreError> {
        let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(read).transpose()
    }

    async fn consultation_by_key(&self, key: &str) -> Result<Option<Consultation>, StoreError> {
        let row = sqlx::query(&format!("{SELECT} WHERE idempotency_key = $1"))
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(read).transpose()
    }

    /// Consultations awaiting advice, oldest first (at most `limit`), for the triage queue.
    pub async fn consultations_waiting(&self, limit: u32) -> Result<Vec<Consultation>, StoreError> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE status = 'awaiting_advice' ORDER BY received_at, id LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(read).collect()
    }
}

const SELECT: &str =
    "SELECT id, received_at, age_band, area, question, source, referrer, status FROM consultations";

fn read(row: &sqlx::any::AnyRow) -> Result<Consultation, StoreError> {
    let asked: Asked = serde_json::from_str(&row.try_get::<String, _>("referrer")?)?;
    Ok(Consultation {
        id: uuid(&row.try_get::<String, _>("id")?)?,
        received_at: ts(row.try_get("received_at")?)?,
        age_band: AgeBand::parse(&row.try_get::<String, _>("age_band")?)
            .map_err(StoreError::Corrupt)?,
        area: row.try_get("area")?,
        question: row.try_get("question")?,
        plain_reasons: asked.plain_reasons,
        priority: asked.priority,
        source: ReferralSource::parse(&row.try_get::<String, _>("source")?)
            .map_err(StoreError::Corrupt)?,
        referrer: asked.referrer,
        status: row.try_get("status")?,
    })
}
