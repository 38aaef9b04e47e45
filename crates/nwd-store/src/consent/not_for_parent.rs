//! Entries kept from parents and carers: marking an entry (or a whole referral) "not for
//! parent or carer", the view a parent or carer sees without them, and the marks as staff see
//! them on the referral page.

use super::*;

/// What a parent or carer sees: the young person's referrals, each with the events not kept
/// from them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParentView {
    /// Referrals, oldest first.
    pub referrals: Vec<ParentViewReferral>,
    /// What is recorded about the young person, without their sex registered at birth and
    /// gender identity (`AboutYoungPerson::for_parent_carer`).
    pub about: nwd_domain::about::AboutYoungPerson,
}

/// One referral in a parent's view.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParentViewReferral {
    /// Id.
    pub id: String,
    /// Events a parent or carer may see.
    pub events: Vec<RecordedEvent>,
    /// How many entries are kept from parents and carers (shown so nobody is misled that the
    /// view is the whole record).
    pub withheld: usize,
}

/// An entry kept from parents and carers, as the referral page lists it to staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotForParentEntry {
    /// The event's position; `None` marks the whole referral.
    pub seq: Option<u32>,
    /// Why it is kept from them.
    pub reason: String,
    /// Who marked it.
    pub marked_by: String,
}

impl Store {
    /// Marks an entry (one event, or with `seq` None the whole referral) "not for parent or
    /// carer".
    pub async fn mark_not_for_parent(
        &self,
        audit: &crate::audit::AuditContext,
        referral: ReferralId,
        seq: Option<u32>,
        reason: &str,
    ) -> Result<String, StoreError> {
        let by = recorded_by(audit);
        let by = by.as_str();
        let mut errors = ValidationErrors::new();
        check_text(
            &mut errors,
            "reason",
            reason,
            "say why this is kept from parents and carers",
        );
        errors.into_result()?;
        let mut w = self.begin_write().await?;
        let person = person_of_referral(&mut w.tx, referral).await?;
        lock_known_person(&mut w.tx, &person).await?;
        if let Some(seq) = seq {
            let found = sqlx::query(
                "SELECT 1 AS x FROM referral_events WHERE referral_id = $1 AND seq = $2",
            )
            .bind(referral.to_string())
            .bind(i64::from(seq))
            .fetch_optional(&mut *w.tx)
            .await?;
            if found.is_none() {
                return Err(invalid("seq", format!("the referral has no entry {seq}")));
            }
        }
        let id = Uuid::new_v4().to_string();
        let now = self.now();
        sqlx::query(
            "INSERT INTO not_for_parent (id, person_id, referral_id, seq, reason, marked_by, \
             marked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(&person)
        .bind(referral.to_string())
        .bind(seq.map(i64::from))
        .bind(reason.trim())
        .bind(by)
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        audit.set_record("not_for_parent", &id);
        w.commit_audited(now, audit).await?;
        Ok(id)
    }

    /// What a parent or carer sees of `person`'s record: every referral, minus entries marked
    /// not for them. The caller checks access first ([`Store::parent_access`]).
    pub async fn parent_view(&self, person: &str) -> Result<ParentView, StoreError> {
        let marks: Vec<NotForParentMark> =
            sqlx::query("SELECT referral_id, seq FROM not_for_parent WHERE person_id = $1")
                .bind(person)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|row| {
                    Ok(NotForParentMark {
                        referral_id: row.try_get("referral_id")?,
                        seq: row
                            .try_get::<Option<i64>, _>("seq")?
                            .and_then(|s| u32::try_from(s).ok()),
                    })
                })
                .collect::<Result<_, StoreError>>()?;
        let ids =
            sqlx::query("SELECT id FROM referrals WHERE person_id = $1 ORDER BY received_at, id")
                .bind(person)
                .fetch_all(&self.pool)
                .await?;
        let mut referrals = Vec::with_capacity(ids.len());
        for row in &ids {
            let id: String = row.try_get("id")?;
            let events = self
                .referral_events(ReferralId(crate::codec::uuid(&id)?))
                .await?;
            let total = events.len();
            let events: Vec<RecordedEvent> = events
                .into_iter()
                .filter(|e| consent::visible_to_parent(&id, e.seq, &marks))
                .collect();
            referrals.push(ParentViewReferral {
                withheld: total - events.len(),
                id,
                events,
            });
        }
        let about = crate::about::stored(&self.pool, person)
            .await?
            .about
            .for_parent_carer();
        Ok(ParentView { referrals, about })
    }

    /// The entries of one referral marked "not for parent/carer", oldest first: what every
    /// team with a relationship is shown on the referral page. By the person's index (a
    /// person has few marks), filtered to the referral.
    pub async fn not_for_parent_entries(
        &self,
        referral: ReferralId,
    ) -> Result<Vec<NotForParentEntry>, StoreError> {
        let Some(person) = self.referral_person(referral).await? else {
            return Ok(Vec::new());
        };
        sqlx::query(
            "SELECT seq, reason, marked_by FROM not_for_parent WHERE person_id = $1 \
             AND referral_id = $2 ORDER BY marked_at, id",
        )
        .bind(person)
        .bind(referral.to_string())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(NotForParentEntry {
                seq: row
                    .try_get::<Option<i64>, _>("seq")?
                    .and_then(|s| u32::try_from(s).ok()),
                reason: row.try_get("reason")?,
                marked_by: row.try_get("marked_by")?,
            })
        })
        .collect()
    }
}
