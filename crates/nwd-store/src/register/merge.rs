//! Merge and unmerge: moving a record's referrals to the survivor (each gets a
//! `person_relinked` event), recording exactly which moved, and undoing it exactly.

use super::*;

/// A merge of two person records.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonMerge {
    /// Merge id.
    pub id: Uuid,
    /// The record that remains.
    pub survivor_id: PersonId,
    /// The record merged into it.
    pub merged_id: PersonId,
    /// Referrals moved to the survivor.
    pub referral_ids: Vec<ReferralId>,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub merged_at: jiff::Timestamp,
    /// Who.
    pub merged_by: String,
    /// Why.
    pub reason: String,
    /// When it was undone, if it was.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub unmerged_at: Option<jiff::Timestamp>,
    /// Who undid it.
    pub unmerged_by: Option<String>,
    /// Why it was undone.
    pub unmerge_reason: Option<String>,
}

impl Store {
    /// Merges `merged` into `survivor`: moves its referrals (each gets a `person_relinked`
    /// event) and marks it merged. Refused for a pair recorded as not the same person.
    pub async fn merge_persons(
        &self,
        audit: &crate::audit::AuditContext,
        survivor: PersonId,
        merged: PersonId,
        reason: &str,
        actor: &str,
    ) -> Result<PersonMerge, StoreError> {
        require_reason(reason)?;
        let now = self.now();
        let mut w = self.begin_write().await?;
        let merge = merge_in(&mut w.tx, survivor, merged, reason, actor, now).await?;
        w.commit_audited(self.now(), audit).await?;
        self.matcher.forget(merged);
        Ok(merge)
    }

    /// Undoes a merge exactly: the referrals it moved go back, the merged record is live again.
    pub async fn unmerge(
        &self,
        audit: &crate::audit::AuditContext,
        merge_id: Uuid,
        reason: &str,
        actor: &str,
    ) -> Result<PersonMerge, StoreError> {
        require_reason(reason)?;
        let now = self.now();
        let mut w = self.begin_write().await?;
        let merge = load_merge(&mut w.tx, merge_id).await?;
        if merge.unmerged_at.is_some() {
            return Err(DomainError::illegal("this merge was already undone").into());
        }
        let later = sqlx::query("SELECT 1 FROM persons WHERE id = $1 AND merged_into IS NOT NULL")
            .bind(merge.survivor_id.to_string())
            .fetch_optional(&mut *w.tx)
            .await?;
        if later.is_some() {
            return Err(DomainError::illegal(
                "the surviving record has since been merged into another: undo that merge first",
            )
            .into());
        }
        for referral_id in &merge.referral_ids {
            relink(
                &mut w.tx,
                *referral_id,
                merge.survivor_id,
                merge.merged_id,
                merge_id,
                reason,
                actor,
                now,
            )
            .await?;
        }
        sqlx::query("UPDATE persons SET merged_into = NULL WHERE id = $1")
            .bind(merge.merged_id.to_string())
            .execute(&mut *w.tx)
            .await?;
        sqlx::query("UPDATE person_merges SET unmerged_at = $1, unmerged_by = $2, unmerge_reason = $3 WHERE id = $4")
            .bind(ms(now))
            .bind(actor.to_string())
            .bind(reason.to_string())
            .bind(merge_id.to_string())
            .execute(&mut *w.tx)
            .await?;
        let merge = load_merge(&mut w.tx, merge_id).await?;
        w.commit_audited(self.now(), audit).await?;
        self.matcher.register(&self.person(merge.merged_id).await?);
        Ok(merge)
    }
}

async fn live_person(
    conn: &mut sqlx::AnyConnection,
    id: PersonId,
    field: &str,
) -> Result<Person, StoreError> {
    let row = sqlx::query("SELECT id, details, merged_into FROM persons WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("person", id))?;
    let merged_into: Option<String> = row.try_get("merged_into")?;
    if let Some(survivor) = merged_into {
        return Err(DomainError::invalid(
            field,
            format!("this record was merged into {survivor}; use that record"),
        )
        .into());
    }
    person_from_row(&row)
}

pub(super) async fn merge_in(
    conn: &mut sqlx::AnyConnection,
    survivor: PersonId,
    merged: PersonId,
    reason: &str,
    actor: &str,
    now: jiff::Timestamp,
) -> Result<PersonMerge, StoreError> {
    if survivor == merged {
        return Err(
            DomainError::invalid("merged_id", "a record cannot be merged into itself").into(),
        );
    }
    live_person(conn, survivor, "survivor_id").await?;
    live_person(conn, merged, "merged_id").await?;
    let (a, b) = ordered(survivor, merged);
    let not_same = sqlx::query(
        "SELECT recorded_by, reason FROM person_not_same WHERE person_a = $1 AND person_b = $2",
    )
    .bind(a.to_string())
    .bind(b.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = not_same {
        let by: String = row.try_get("recorded_by")?;
        let why: String = row.try_get("reason")?;
        return Err(DomainError::illegal(format!(
            "these records were recorded as not the same person by {by} ({why}); they cannot be merged"
        ))
        .into());
    }
    let rows =
        sqlx::query("SELECT id FROM referrals WHERE person_id = $1 ORDER BY received_at, id")
            .bind(merged.to_string())
            .fetch_all(&mut *conn)
            .await?;
    let referral_ids = rows
        .iter()
        .map(|r| Ok(ReferralId(uuid(&r.try_get::<String, _>("id")?)?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let merge_id = Uuid::new_v4();
    for referral_id in &referral_ids {
        relink(
            conn,
            *referral_id,
            merged,
            survivor,
            merge_id,
            reason,
            actor,
            now,
        )
        .await?;
    }
    sqlx::query("UPDATE persons SET merged_into = $1 WHERE id = $2")
        .bind(survivor.to_string())
        .bind(merged.to_string())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO person_merges (id, survivor_id, merged_id, referral_ids, merged_at, merged_by, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(merge_id.to_string())
    .bind(survivor.to_string())
    .bind(merged.to_string())
    .bind(serde_json::to_string(&referral_ids)?)
    .bind(ms(now))
    .bind(actor.to_string())
    .bind(reason.to_string())
    .execute(&mut *conn)
    .await?;
    load_merge(conn, merge_id).await
}

#[allow(clippy::too_many_arguments)]
async fn relink(
    conn: &mut sqlx::AnyConnection,
    referral_id: ReferralId,
    from: PersonId,
    to: PersonId,
    merge_id: Uuid,
    reason: &str,
    actor: &str,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    let events = load_events(conn, referral_id).await?;
    let mut referral = Referral::replay(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if referral.person_id != from {
        return Err(DomainError::illegal(format!(
            "referral {referral_id} has since moved to another record; undo the later change first"
        ))
        .into());
    }
    let expected = referral.version;
    let event = referral.relink(to, merge_id, reason, now, actor)?;
    insert_events(conn, referral_id, std::slice::from_ref(&event)).await?;
    write_projection(conn, &referral, Some(expected), None, now).await?;
    for table in ["referrals", "allocations", "contacts"] {
        let (column, keys) = match table {
            // Referrals and allocations carry the person's name search keys (migrations
            // 0021 and 0019).
            "referrals" => ("id", NAME_KEYS),
            "allocations" => ("referral_id", NAME_KEYS),
            _ => ("referral_id", ""),
        };
        sqlx::query(&format!(
            "UPDATE {table} SET person_id = $1{keys} WHERE {column} = $2"
        ))
        .bind(to.to_string())
        .bind(referral_id.to_string())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(super) async fn load_merge(
    conn: &mut sqlx::AnyConnection,
    id: Uuid,
) -> Result<PersonMerge, StoreError> {
    let row = sqlx::query(
        "SELECT id, survivor_id, merged_id, referral_ids, merged_at, merged_by, reason, unmerged_at, unmerged_by, unmerge_reason \
         FROM person_merges WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::not_found("merge", id))?;
    let unmerged_at: Option<i64> = row.try_get("unmerged_at")?;
    Ok(PersonMerge {
        id,
        survivor_id: PersonId(uuid(&row.try_get::<String, _>("survivor_id")?)?),
        merged_id: PersonId(uuid(&row.try_get::<String, _>("merged_id")?)?),
        referral_ids: serde_json::from_str(&row.try_get::<String, _>("referral_ids")?)?,
        merged_at: ts(row.try_get("merged_at")?)?,
        merged_by: row.try_get("merged_by")?,
        reason: row.try_get("reason")?,
        unmerged_at: unmerged_at.map(ts).transpose()?,
        unmerged_by: row.try_get("unmerged_by")?,
        unmerge_reason: row.try_get("unmerge_reason")?,
    })
}

/// The `SET` clause that copies the person `$1`'s name search keys onto a relinked row.
const NAME_KEYS: &str = ", family_key = (SELECT p.family_key FROM persons p WHERE p.id = $1), \
     given_key = (SELECT p.given_key FROM persons p WHERE p.id = $1)";
