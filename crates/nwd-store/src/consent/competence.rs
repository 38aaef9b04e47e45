//! Competence findings: the Gillick competence assessments recorded per decision, read back
//! for the checks that rest on them.

use super::*;

/// A competence assessment to record.
#[derive(Debug, Clone)]
pub struct NewAssessment {
    /// Which decision.
    pub decision: ConsentDecision,
    /// In which referral (must be the young person's).
    pub referral_id: Option<String>,
    /// Outcome.
    pub competent: bool,
    /// Why.
    pub rationale: String,
}

fn assessment_from_row(row: &sqlx::any::AnyRow) -> Result<CompetenceAssessment, StoreError> {
    Ok(CompetenceAssessment {
        id: row.try_get("id")?,
        decision: ConsentDecision::parse(&row.try_get::<String, _>("decision")?)
            .map_err(StoreError::Corrupt)?,
        referral_id: row.try_get("referral_id")?,
        competent: row.try_get::<i64, _>("competent")? == 1,
        rationale: row.try_get("rationale")?,
        assessed_by: row.try_get("assessed_by")?,
        assessed_at: ts(row.try_get("assessed_at")?)?,
    })
}

/// A young person's competence assessments, oldest first, read on `conn`.
pub(super) async fn assessments_of(
    conn: &mut sqlx::AnyConnection,
    person: &str,
) -> Result<Vec<CompetenceAssessment>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, decision, referral_id, competent, rationale, assessed_by, assessed_at \
         FROM competence_assessments WHERE person_id = $1 ORDER BY assessed_at, id",
    )
    .bind(person)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(assessment_from_row).collect()
}

impl Store {
    /// Every competence assessment recorded for a young person, oldest first.
    pub async fn competence_assessments(
        &self,
        person: &str,
    ) -> Result<Vec<CompetenceAssessment>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        assessments_of(&mut conn, person).await
    }

    /// Records a Gillick competence assessment for one decision (who: `by`; when: now).
    pub async fn record_competence_assessment(
        &self,
        audit: &crate::audit::AuditContext,
        person: &str,
        new: NewAssessment,
    ) -> Result<CompetenceAssessment, StoreError> {
        let by = recorded_by(audit);
        let by = by.as_str();
        let mut errors = ValidationErrors::new();
        check_text(
            &mut errors,
            "rationale",
            &new.rationale,
            "record the reasoning for the competence decision: what the young person understood",
        );
        errors.into_result()?;
        let mut w = self.begin_write().await?;
        lock_known_person(&mut w.tx, person).await?;
        if let Some(referral) = &new.referral_id {
            check_referral_of(&mut w.tx, referral, person).await?;
        }
        let now = self.now();
        let assessment = CompetenceAssessment {
            id: Uuid::new_v4().to_string(),
            decision: new.decision,
            referral_id: new.referral_id,
            competent: new.competent,
            rationale: new.rationale.trim().to_owned(),
            assessed_by: by.to_owned(),
            assessed_at: now,
        };
        sqlx::query(
            "INSERT INTO competence_assessments (id, person_id, referral_id, decision, competent, \
             rationale, assessed_by, assessed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&assessment.id)
        .bind(person)
        .bind(&assessment.referral_id)
        .bind(assessment.decision.as_str())
        .bind(i64::from(assessment.competent))
        .bind(&assessment.rationale)
        .bind(by)
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        audit.set_record("competence_assessment", &assessment.id);
        w.commit_audited(now, audit).await?;
        Ok(assessment)
    }
}
