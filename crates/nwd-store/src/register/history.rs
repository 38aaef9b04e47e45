//! A person record's whole register history: the merges it took part in, the records it is
//! not the same as, and its referrals now.

use super::*;

/// A person record's whole register history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonHistory {
    /// The record.
    pub person: Person,
    /// The survivor it is merged into, if it is.
    pub merged_into: Option<PersonId>,
    /// Merges it took part in, oldest first.
    pub merges: Vec<PersonMerge>,
    /// Records recorded as not the same person.
    pub not_same_as: Vec<PersonId>,
    /// Its referrals now.
    pub referral_ids: Vec<ReferralId>,
}

impl Store {
    /// A person record's register history: merges, "not the same" records, referrals.
    pub async fn person_history(&self, id: PersonId) -> Result<PersonHistory, StoreError> {
        let person = self.person(id).await?;
        let mut conn = self.pool.acquire().await?;
        let merged_into: Option<String> =
            sqlx::query("SELECT merged_into FROM persons WHERE id = $1")
                .bind(id.to_string())
                .fetch_one(&mut *conn)
                .await?
                .try_get("merged_into")?;
        let merge_rows = sqlx::query(
            "SELECT id FROM person_merges WHERE survivor_id = $1 OR merged_id = $1 ORDER BY merged_at, id",
        )
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let mut merges = Vec::new();
        for row in &merge_rows {
            merges.push(load_merge(&mut conn, uuid(&row.try_get::<String, _>("id")?)?).await?);
        }
        let not_same = sqlx::query(
            "SELECT person_a, person_b FROM person_not_same WHERE person_a = $1 OR person_b = $1",
        )
        .bind(id.to_string())
        .fetch_all(&mut *conn)
        .await?;
        let mut not_same_as = Vec::new();
        for row in &not_same {
            let a: String = row.try_get("person_a")?;
            let b: String = row.try_get("person_b")?;
            let other = if a == id.to_string() { b } else { a };
            not_same_as.push(PersonId(uuid(&other)?));
        }
        let referrals =
            sqlx::query("SELECT id FROM referrals WHERE person_id = $1 ORDER BY received_at, id")
                .bind(id.to_string())
                .fetch_all(&mut *conn)
                .await?;
        let referral_ids = referrals
            .iter()
            .map(|r| Ok(ReferralId(uuid(&r.try_get::<String, _>("id")?)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(PersonHistory {
            person,
            merged_into: merged_into.map(|m| uuid(&m).map(PersonId)).transpose()?,
            merges,
            not_same_as,
            referral_ids,
        })
    }
}
