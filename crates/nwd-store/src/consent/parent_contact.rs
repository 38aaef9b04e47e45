//! Parent contact: a clinician's decision to contact (or not) a parent or carer about a
//! referral, and the gate every feature that would contact a parent must pass.

use super::*;

impl Store {
    /// Records a clinician's decision to contact (or not) a parent or carer about a referral.
    pub async fn record_parent_contact_decision(
        &self,
        audit: &crate::audit::AuditContext,
        referral: ReferralId,
        contact: bool,
        rationale: &str,
    ) -> Result<ParentContactDecision, StoreError> {
        let by = recorded_by(audit);
        let by = by.as_str();
        let mut errors = ValidationErrors::new();
        check_text(
            &mut errors,
            "rationale",
            rationale,
            "record why: what the young person agreed to, or why a parent must or must not be contacted",
        );
        errors.into_result()?;
        let mut w = self.begin_write().await?;
        let person = person_of_referral(&mut w.tx, referral).await?;
        lock_known_person(&mut w.tx, &person).await?;
        let now = self.now();
        let decision = ParentContactDecision {
            id: Uuid::new_v4().to_string(),
            referral_id: referral.to_string(),
            contact,
            rationale: rationale.trim().to_owned(),
            decided_by: by.to_owned(),
            decided_at: now,
        };
        sqlx::query(
            "INSERT INTO parent_contact_decisions (id, referral_id, person_id, contact, rationale, \
             decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&decision.id)
        .bind(&decision.referral_id)
        .bind(&person)
        .bind(i64::from(contact))
        .bind(&decision.rationale)
        .bind(by)
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        audit.set_record("parent_contact_decision", &decision.id);
        w.commit_audited(now, audit).await?;
        Ok(decision)
    }

    /// Whether a parent or carer may be contacted about this referral: the one gate every
    /// feature that would contact a parent (letters, messages, a "contact parent" task) must
    /// pass.
    pub async fn parent_contact(
        &self,
        referral: ReferralId,
    ) -> Result<Result<ParentContactBasis, ParentContactRefusal>, StoreError> {
        let row = sqlx::query(
            "SELECT r.person_id, r.source, r.received_at, p.date_of_birth FROM referrals r \
             JOIN persons p ON p.id = r.person_id WHERE r.id = $1",
        )
        .bind(referral.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("referral", referral))?;
        let person: String = row.try_get("person_id")?;
        let source = ReferralSource::parse(&row.try_get::<String, _>("source")?)
            .map_err(StoreError::Corrupt)?;
        let received = ts(row.try_get("received_at")?)?
            .to_zoned(self.tz.clone())
            .date();
        let born = date(&row.try_get::<String, _>("date_of_birth")?)?;
        let decisions = sqlx::query(
            "SELECT id, contact, rationale, decided_by, decided_at FROM parent_contact_decisions \
             WHERE referral_id = $1",
        )
        .bind(referral.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(ParentContactDecision {
                id: row.try_get("id")?,
                referral_id: referral.to_string(),
                contact: row.try_get::<i64, _>("contact")? == 1,
                rationale: row.try_get("rationale")?,
                decided_by: row.try_get("decided_by")?,
                decided_at: ts(row.try_get("decided_at")?)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let overrides: Vec<SafeguardingOverride> = self
            .safeguarding_overrides(&person)
            .await?
            .into_iter()
            .filter(|o| {
                o.referral_id.is_none() || o.referral_id.as_deref() == Some(&referral.to_string())
            })
            .collect();
        Ok(consent::parent_contact(
            ParentContactFacts {
                source,
                age_at_referral: age_in_years(born, received),
                decisions: &decisions,
                overrides: &overrides,
            },
            &self.access.consent,
        ))
    }
}
