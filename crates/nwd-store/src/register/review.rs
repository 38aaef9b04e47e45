//! Match decisions and the review queue: how each referral's person was decided (and the
//! doubtful ones queued for review), the queue with the candidates side by side, and a
//! reviewer's decision (link, a new person, or not the same as any candidate).

use super::*;

/// A referral whose person a member of staff must decide, with the candidates side by side.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchReview {
    /// Review id.
    pub id: Uuid,
    /// The referral.
    pub referral_id: ReferralId,
    /// The provisional record the referral was received against.
    pub person: Person,
    /// Registered people it may be, best first, each with the matcher's explanation.
    pub candidates: Vec<(MatchCandidate, Option<Person>)>,
    /// `open`, `linked`, `new_person` or `not_same`.
    pub status: String,
    /// When the item was created.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: jiff::Timestamp,
    /// Version (send in `If-Match` to decide).
    pub version: u32,
}

/// What the reviewer decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum ReviewDecision {
    /// The same person as this registered record: merge the provisional record into it.
    Link {
        /// The registered person.
        person_id: PersonId,
    },
    /// A new person: keep the provisional record.
    NewPerson,
    /// Not the same person as any candidate; remembered so they are not proposed again.
    NotSame,
}

pub(crate) async fn record_match(
    conn: &mut sqlx::AnyConnection,
    referral_id: ReferralId,
    person_id: PersonId,
    proposal: &MatchProposal,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO match_decisions (referral_id, person_id, band, proposal, decided_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(referral_id.to_string())
        .bind(person_id.to_string())
        .bind(proposal.band.as_str())
        .bind(serde_json::to_string(proposal)?)
        .bind(ms(now))
        .execute(&mut *conn)
        .await?;
    if proposal.band == MatchBand::Review {
        sqlx::query(
            "INSERT INTO match_reviews (id, referral_id, person_id, candidates, status, created_at, version) \
             VALUES ($1, $2, $3, $4, 'open', $5, 1)",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(referral_id.to_string())
        .bind(person_id.to_string())
        .bind(serde_json::to_string(&proposal.candidates)?)
        .bind(ms(now))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// How a referral's person was decided.
    pub async fn match_decision(
        &self,
        referral_id: ReferralId,
    ) -> Result<MatchProposal, StoreError> {
        let row = sqlx::query("SELECT proposal FROM match_decisions WHERE referral_id = $1")
            .bind(referral_id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(row) => Ok(serde_json::from_str(
                &row.try_get::<String, _>("proposal")?,
            )?),
            None => Ok(MatchProposal::new_person("no match decision recorded")),
        }
    }

    /// The review queue (oldest first) for a status (`open` by default).
    pub async fn match_reviews(
        &self,
        status: &str,
        limit: u32,
    ) -> Result<Vec<MatchReview>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, referral_id, person_id, candidates, status, created_at, version FROM match_reviews \
             WHERE status = $1 ORDER BY created_at, id LIMIT $2",
        )
        .bind(status.to_string())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut reviews = Vec::with_capacity(rows.len());
        for row in &rows {
            reviews.push(self.review_from_row(row).await?);
        }
        Ok(reviews)
    }

    /// One review item.
    pub async fn match_review(&self, id: Uuid) -> Result<MatchReview, StoreError> {
        let row = sqlx::query(
            "SELECT id, referral_id, person_id, candidates, status, created_at, version FROM match_reviews WHERE id = $1",
        )
        .bind(id.to_string())
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("match review", id))?;
        self.review_from_row(&row).await
    }

    async fn review_from_row(&self, row: &sqlx::any::AnyRow) -> Result<MatchReview, StoreError> {
        let candidates: Vec<MatchCandidate> =
            serde_json::from_str(&row.try_get::<String, _>("candidates")?)?;
        let mut side_by_side = Vec::with_capacity(candidates.len());
        for candidate in candidates {
            let person = self.person(candidate.person_id).await.ok();
            side_by_side.push((candidate, person));
        }
        let version: i64 = row.try_get("version")?;
        Ok(MatchReview {
            id: uuid(&row.try_get::<String, _>("id")?)?,
            referral_id: ReferralId(uuid(&row.try_get::<String, _>("referral_id")?)?),
            person: self
                .person(PersonId(uuid(&row.try_get::<String, _>("person_id")?)?))
                .await?,
            candidates: side_by_side,
            status: row.try_get("status")?,
            created_at: ts(row.try_get("created_at")?)?,
            version: version as u32,
        })
    }

    /// Decides a review item. `Link` merges the provisional record into the chosen person.
    pub async fn decide_review(
        &self,
        audit: &crate::audit::AuditContext,
        id: Uuid,
        expected_version: u32,
        decision: ReviewDecision,
        reason: &str,
        actor: &str,
    ) -> Result<MatchReview, StoreError> {
        require_reason(reason)?;
        let review = self.match_review(id).await?;
        if review.status != "open" {
            return Err(DomainError::illegal(format!(
                "this review was already decided ({})",
                review.status
            ))
            .into());
        }
        if review.version != expected_version {
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: review.version,
                changes: Vec::new(),
            });
        }
        let now = self.now();
        let provisional = review.person.id;
        let mut w = self.begin_write().await?;
        let (status, linked_to, forget) = match &decision {
            ReviewDecision::Link { person_id } => {
                if !review
                    .candidates
                    .iter()
                    .any(|(c, _)| c.person_id == *person_id)
                {
                    return Err(DomainError::invalid(
                        "person_id",
                        "choose one of the candidates shown",
                    )
                    .into());
                }
                merge_in(&mut w.tx, *person_id, provisional, reason, actor, now).await?;
                ("linked", Some(*person_id), Some(provisional))
            }
            ReviewDecision::NewPerson => ("new_person", None, None),
            ReviewDecision::NotSame => {
                for (candidate, _) in &review.candidates {
                    record_not_same(
                        &mut w.tx,
                        provisional,
                        candidate.person_id,
                        reason,
                        actor,
                        now,
                    )
                    .await?;
                }
                ("not_same", None, None)
            }
        };
        let updated = sqlx::query(
            "UPDATE match_reviews SET status = $1, decided_at = $2, decided_by = $3, decision_reason = $4, linked_to = $5, \
             version = version + 1 WHERE id = $6 AND version = $7 AND status = 'open'",
        )
        .bind(status)
        .bind(ms(now))
        .bind(actor.to_string())
        .bind(reason.to_string())
        .bind(linked_to.map(|p| p.to_string()))
        .bind(id.to_string())
        .bind(i64::from(expected_version))
        .execute(&mut *w.tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict {
                expected: expected_version,
                current: expected_version + 1,
                changes: Vec::new(),
            });
        }
        w.commit_audited(self.now(), audit).await?;
        if let Some(merged) = forget {
            self.matcher.forget(merged);
        }
        self.match_review(id).await
    }
}
