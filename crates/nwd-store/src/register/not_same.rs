//! "Not the same person": recording that two records are different people, so that they are
//! never proposed or merged together.

use super::*;

impl Store {
    /// Records that two records are not the same person.
    pub async fn record_not_same(
        &self,
        audit: &crate::audit::AuditContext,
        a: PersonId,
        b: PersonId,
        reason: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        require_reason(reason)?;
        if a == b {
            return Err(DomainError::invalid(
                "person_id",
                "a record is always the same person as itself",
            )
            .into());
        }
        let mut w = self.begin_write().await?;
        // Both records must exist (an unknown id is the caller's mistake, not a 500 from the
        // foreign key). The path's record was found by the guard; the other is checked here.
        for (field, id) in [("person_id", a), ("other_id", b)] {
            let found = sqlx::query("SELECT 1 FROM persons WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *w.tx)
                .await?;
            if found.is_none() {
                return Err(DomainError::invalid(field, "no person record has this id").into());
            }
        }
        record_not_same(&mut w.tx, a, b, reason, actor, self.now()).await?;
        w.commit_audited(self.now(), audit).await?;
        Ok(())
    }
}

pub(super) fn ordered(a: PersonId, b: PersonId) -> (PersonId, PersonId) {
    if a.to_string() < b.to_string() {
        (a, b)
    } else {
        (b, a)
    }
}

pub(super) async fn record_not_same(
    conn: &mut sqlx::AnyConnection,
    a: PersonId,
    b: PersonId,
    reason: &str,
    actor: &str,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    let (a, b) = ordered(a, b);
    sqlx::query(
        "INSERT INTO person_not_same (person_a, person_b, recorded_at, recorded_by, reason) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (person_a, person_b) DO NOTHING",
    )
    .bind(a.to_string())
    .bind(b.to_string())
    .bind(ms(now))
    .bind(actor.to_string())
    .bind(reason.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
