//! What the matcher is estimated from and reads: stored matching parameters, the live
//! persons of the register, and the pairs recorded as not the same person.

use super::*;

impl Store {
    /// Stores newly estimated matching parameters (JSON), estimated by `audit`'s actor, with
    /// its audit entry; returns their id.
    pub async fn save_match_parameters(
        &self,
        audit: &crate::audit::AuditContext,
        parameters_json: &str,
        persons: u64,
    ) -> Result<Uuid, StoreError> {
        let actor = audit.by();
        let id = Uuid::new_v4();
        let mut w = self.begin_write().await?;
        sqlx::query("INSERT INTO match_parameters (id, estimated_at, estimated_by, persons, parameters) VALUES ($1, $2, $3, $4, $5)")
            .bind(id.to_string())
            .bind(ms(self.now()))
            .bind(actor.to_string())
            .bind(persons as i64)
            .bind(parameters_json.to_string())
            .execute(&mut *w.tx)
            .await?;
        audit.set_record("match_parameters", id.to_string());
        audit.set_detail(format!(
            "matching parameters estimated from {persons} people"
        ));
        w.commit_audited(self.now(), audit).await?;
        Ok(id)
    }

    /// The newest stored matching parameters (JSON), if any were estimated.
    pub async fn latest_match_parameters(&self) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT parameters FROM match_parameters ORDER BY estimated_at DESC, id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|r| r.try_get::<String, _>("parameters"))
            .transpose()?)
    }

    /// Every live person in the register (for estimation, de-duplication and the matcher).
    pub async fn live_persons(&self) -> Result<Vec<Person>, StoreError> {
        let rows =
            sqlx::query("SELECT id, details FROM persons WHERE merged_into IS NULL ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(person_from_row).collect()
    }

    /// Pairs recorded as not the same person.
    pub async fn not_same_pairs(&self) -> Result<Vec<(PersonId, PersonId)>, StoreError> {
        let rows = sqlx::query("SELECT person_a, person_b FROM person_not_same")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    PersonId(uuid(&r.try_get::<String, _>("person_a")?)?),
                    PersonId(uuid(&r.try_get::<String, _>("person_b")?)?),
                ))
            })
            .collect()
    }
}
