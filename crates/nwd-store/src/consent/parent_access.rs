//! Parent and carer links and the decisions that let them see a record: linking an account
//! to a young person, recording and withdrawing the basis for access, and the access check.

use super::*;

impl Store {
    /// Links a parent's or carer's account to a young person. The account must hold the
    /// parent/carer role. The link alone shows nothing: a decision is needed as well.
    pub async fn link_carer(
        &self,
        audit: &crate::audit::AuditContext,
        person: &str,
        user_id: &str,
        relationship: &str,
    ) -> Result<String, StoreError> {
        let by = recorded_by(audit);
        let by = by.as_str();
        let mut errors = ValidationErrors::new();
        check_text(
            &mut errors,
            "relationship",
            relationship,
            "say how they are related, e.g. mother, foster carer",
        );
        errors.into_result()?;
        let mut w = self.begin_write().await?;
        lock_known_person(&mut w.tx, person).await?;
        let role = sqlx::query(
            "SELECT 1 AS x FROM team_members WHERE user_id = $1 AND role = 'parent_carer' LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(&mut *w.tx)
        .await?;
        if role.is_none() {
            return Err(invalid(
                "user_id",
                "this account does not hold the parent_carer role; create a parent or carer account first",
            ));
        }
        let id = Uuid::new_v4().to_string();
        let now = self.now();
        sqlx::query(
            "INSERT INTO carer_links (id, person_id, user_id, relationship, linked_by, linked_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (person_id, user_id) DO NOTHING",
        )
        .bind(&id)
        .bind(person)
        .bind(user_id)
        .bind(relationship.trim())
        .bind(by)
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        let row = sqlx::query("SELECT id FROM carer_links WHERE person_id = $1 AND user_id = $2")
            .bind(person)
            .bind(user_id)
            .fetch_one(&mut *w.tx)
            .await?;
        let id: String = row.try_get("id")?;
        audit.set_record("carer_link", &id);
        w.commit_audited(now, audit).await?;
        Ok(id)
    }

    /// Records the basis on which a linked parent or carer may see the record. Refused with
    /// the rule's reason when the basis is not valid today (e.g. an under-16's consent without
    /// a finding of competence for this decision).
    pub async fn record_parent_access_decision(
        &self,
        audit: &crate::audit::AuditContext,
        person: &str,
        carer_link_id: &str,
        basis: ParentAccessBasis,
        rationale: &str,
    ) -> Result<ParentAccessDecision, StoreError> {
        let by = recorded_by(audit);
        let by = by.as_str();
        let mut errors = ValidationErrors::new();
        check_text(
            &mut errors,
            "rationale",
            rationale,
            "record why: what the young person agreed to, or why sharing is in their best interests",
        );
        errors.into_result()?;
        // The link, the age and the competence findings the basis rests on are read after
        // the person's lock, in the transaction that records the decision.
        let mut w = self.begin_write().await?;
        let born = lock_person(&mut w.tx, person).await?;
        let link = sqlx::query(
            "SELECT id FROM carer_links WHERE id = $1 AND person_id = $2 AND ended_at IS NULL",
        )
        .bind(carer_link_id)
        .bind(person)
        .fetch_optional(&mut *w.tx)
        .await?;
        if link.is_none() {
            return Err(invalid(
                "carer_link_id",
                "name a current parent/carer link of this young person",
            ));
        }
        let born = born.ok_or_else(|| StoreError::not_found("person", person))?;
        let age = age_in_years(born, self.today());
        let assessments = assessments_of(&mut w.tx, person).await?;
        let latest = consent::latest_for(&assessments, ConsentDecision::ParentCarerAccess);
        consent::basis_valid(basis, age, latest, &self.access.consent)
            .map_err(|why| invalid("basis", why.to_string()))?;
        #[cfg(feature = "testing")]
        self.consent_gate.pass().await;
        let now = self.now();
        let decision = ParentAccessDecision {
            id: Uuid::new_v4().to_string(),
            carer_link_id: carer_link_id.to_owned(),
            basis,
            rationale: rationale.trim().to_owned(),
            recorded_by: by.to_owned(),
            recorded_at: now,
            withdrawn_at: None,
        };
        sqlx::query(
            "INSERT INTO parent_access_decisions (id, carer_link_id, person_id, basis, rationale, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&decision.id)
        .bind(carer_link_id)
        .bind(person)
        .bind(basis.as_str())
        .bind(&decision.rationale)
        .bind(by)
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        audit.set_record("parent_access_decision", &decision.id);
        w.commit_audited(now, audit).await?;
        Ok(decision)
    }

    /// Withdraws a parent-access decision (the young person withdrew consent, or the
    /// best-interests decision ended). Access stops at once.
    pub async fn withdraw_parent_access_decision(
        &self,
        audit: &crate::audit::AuditContext,
        person: &str,
        decision: &str,
    ) -> Result<(), StoreError> {
        let by = recorded_by(audit);
        let by = by.as_str();
        let now = self.now();
        let mut w = self.begin_write().await?;
        if lock_person(&mut w.tx, person).await?.is_none() {
            return Err(StoreError::not_found("parent access decision", decision));
        }
        let done = sqlx::query(
            "UPDATE parent_access_decisions SET withdrawn_at = $1, withdrawn_by = $2 \
             WHERE id = $3 AND person_id = $4 AND withdrawn_at IS NULL",
        )
        .bind(ms(now))
        .bind(by)
        .bind(decision)
        .bind(person)
        .execute(&mut *w.tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("parent access decision", decision));
        }
        audit.set_record("parent_access_decision", decision);
        w.commit_audited(now, audit).await?;
        Ok(())
    }

    /// Whether `user_id` (a parent or carer) may see `person`'s record now, and why.
    pub async fn parent_access(
        &self,
        user_id: &str,
        person: &str,
    ) -> Result<Result<ParentAccessGrant, ParentAccessRefusal>, StoreError> {
        let link = sqlx::query(
            "SELECT id FROM carer_links WHERE user_id = $1 AND person_id = $2 AND ended_at IS NULL",
        )
        .bind(user_id)
        .bind(person)
        .fetch_optional(&self.pool)
        .await?;
        let Some(link) = link else {
            return Ok(Err(ParentAccessRefusal::NotLinked));
        };
        let link_id: String = link.try_get("id")?;
        let rows = sqlx::query(
            "SELECT id, basis, rationale, recorded_by, recorded_at, withdrawn_at \
             FROM parent_access_decisions WHERE carer_link_id = $1",
        )
        .bind(&link_id)
        .fetch_all(&self.pool)
        .await?;
        let mut decisions = Vec::with_capacity(rows.len());
        for row in &rows {
            decisions.push(ParentAccessDecision {
                id: row.try_get("id")?,
                carer_link_id: link_id.clone(),
                basis: ParentAccessBasis::parse(&row.try_get::<String, _>("basis")?)
                    .map_err(StoreError::Corrupt)?,
                rationale: row.try_get("rationale")?,
                recorded_by: row.try_get("recorded_by")?,
                recorded_at: ts(row.try_get("recorded_at")?)?,
                withdrawn_at: row
                    .try_get::<Option<i64>, _>("withdrawn_at")?
                    .map(ts)
                    .transpose()?,
            });
        }
        let age = age_in_years(self.date_of_birth(person).await?, self.today());
        let assessments = self.competence_assessments(person).await?;
        let overrides = self.safeguarding_overrides(person).await?;
        Ok(consent::parent_access(
            ParentAccessFacts {
                linked: true,
                age,
                assessments: &assessments,
                decisions: &decisions,
                overrides: &overrides,
            },
            &self.access.consent,
        ))
    }
}
