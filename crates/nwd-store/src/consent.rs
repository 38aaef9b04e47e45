// Over 600 lines, not yet split: the seams are competence findings, parent/carer links and
// access decisions, entries kept from parents, parent contact, and safeguarding overrides with
// their review queue; left for the next session of issue 16 item 7 (time ran out; a pure move).
//! Confidentiality for young people, stored: competence assessments per decision, parent and
//! carer links and the decisions that let them see a record, entries kept from them, parent
//! contact decisions, and safeguarding overrides (with their review queue).
//!
//! The rules are `nwd_domain::consent`; this module gathers the facts, asks the rule, and
//! writes each change in one transaction with its audit entry (`WriteTx::commit_audited`,
//! under the caller's `AuditContext`). Every check a change depends on — the person, the
//! referral, the carer link, the role, the competence findings the basis rests on — is read
//! inside the transaction that writes, after the young person's row is locked
//! ([`lock_person`]): every consent change for a person takes that lock first, so a
//! concurrent change (a new finding of competence, a withdrawal) either commits before the
//! check reads it or waits until the change has committed; none slips between them.

use jiff::civil::Date;
use nwd_domain::codes::ReferralSource;
use nwd_domain::consent::{
    self, check_override_reason, check_text, CompetenceAssessment, ConsentDecision,
    NotForParentMark, OverrideScope, ParentAccessBasis, ParentAccessDecision, ParentAccessFacts,
    ParentAccessGrant, ParentAccessRefusal, ParentContactBasis, ParentContactDecision,
    ParentContactFacts, ParentContactRefusal, SafeguardingOverride,
};
use nwd_domain::person::age_in_years;
use nwd_domain::referral::RecordedEvent;
use nwd_domain::{ReferralId, ValidationErrors};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use crate::codec::{date, ms, ts};
use crate::{Store, StoreError};

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

/// A safeguarding override in the privacy officer's queue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueuedOverride {
    /// The override.
    #[serde(flatten)]
    pub item: SafeguardingOverride,
    /// The young person (opaque id).
    pub person_id: String,
}

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

fn invalid(field: &str, message: impl Into<String>) -> StoreError {
    StoreError::Domain(nwd_domain::DomainError::invalid(field, message))
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

fn override_from_row(row: &sqlx::any::AnyRow) -> Result<SafeguardingOverride, StoreError> {
    Ok(SafeguardingOverride {
        id: row.try_get("id")?,
        scope: OverrideScope::parse(&row.try_get::<String, _>("scope")?)
            .map_err(StoreError::Corrupt)?,
        referral_id: row.try_get("referral_id")?,
        reason: row.try_get("reason")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: ts(row.try_get("recorded_at")?)?,
    })
}

/// Locks the young person's row until the transaction ends (PostgreSQL: the row lock;
/// SQLite: writers already run one at a time) and returns their date of birth; `None` when
/// there is no such person. Every consent change takes it before its checks.
async fn lock_person(
    conn: &mut sqlx::AnyConnection,
    person: &str,
) -> Result<Option<Date>, StoreError> {
    let row = sqlx::query(
        "UPDATE persons SET date_of_birth = date_of_birth WHERE id = $1 RETURNING date_of_birth",
    )
    .bind(person)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| date(&r.try_get::<String, _>("date_of_birth")?))
        .transpose()
}

/// [`lock_person`], refusing an unknown person as not found.
async fn lock_known_person(
    conn: &mut sqlx::AnyConnection,
    person: &str,
) -> Result<Date, StoreError> {
    lock_person(conn, person)
        .await?
        .ok_or_else(|| StoreError::not_found("person", person))
}

/// The person a referral is about, read in the caller's transaction.
async fn person_of_referral(
    conn: &mut sqlx::AnyConnection,
    referral: ReferralId,
) -> Result<String, StoreError> {
    sqlx::query("SELECT person_id FROM referrals WHERE id = $1")
        .bind(referral.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get::<String, _>("person_id"))
        .transpose()?
        .ok_or_else(|| StoreError::not_found("referral", referral))
}

/// Refuses a referral that is not `person`'s, read in the caller's transaction.
async fn check_referral_of(
    conn: &mut sqlx::AnyConnection,
    referral: &str,
    person: &str,
) -> Result<(), StoreError> {
    let found = sqlx::query("SELECT person_id FROM referrals WHERE id = $1")
        .bind(referral)
        .fetch_optional(&mut *conn)
        .await?;
    match found {
        Some(row) if row.try_get::<String, _>("person_id")? == person => Ok(()),
        _ => Err(invalid(
            "referral_id",
            "name one of this young person's referrals",
        )),
    }
}

/// A young person's competence assessments, oldest first, read on `conn`.
async fn assessments_of(
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
    fn today(&self) -> Date {
        self.now().to_zoned(self.tz.clone()).date()
    }

    async fn date_of_birth(&self, person: &str) -> Result<Date, StoreError> {
        let row = sqlx::query("SELECT date_of_birth FROM persons WHERE id = $1")
            .bind(person)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("person", person))?;
        date(&row.try_get::<String, _>("date_of_birth")?)
    }

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

    /// Safeguarding overrides recorded for a young person, oldest first.
    pub async fn safeguarding_overrides(
        &self,
        person: &str,
    ) -> Result<Vec<SafeguardingOverride>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, scope, referral_id, reason, recorded_by, recorded_at \
             FROM safeguarding_overrides WHERE person_id = $1 ORDER BY recorded_at, id",
        )
        .bind(person)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(override_from_row).collect()
    }

    /// Records an explicit safeguarding override. Its audit entry (same transaction) carries
    /// the purpose `safeguarding override:<id>`; it waits in the privacy officer's queue.
    pub async fn record_safeguarding_override(
        &self,
        audit: &crate::audit::AuditContext,
        person: &str,
        scope: OverrideScope,
        referral_id: Option<String>,
        reason: &str,
    ) -> Result<SafeguardingOverride, StoreError> {
        let by = recorded_by(audit);
        let by = by.as_str();
        let mut errors = ValidationErrors::new();
        check_override_reason(reason, &mut errors);
        errors.into_result()?;
        let mut w = self.begin_write().await?;
        lock_known_person(&mut w.tx, person).await?;
        if let Some(referral) = &referral_id {
            check_referral_of(&mut w.tx, referral, person).await?;
        }
        let now = self.now();
        let item = SafeguardingOverride {
            id: Uuid::new_v4().to_string(),
            scope,
            referral_id,
            reason: reason.trim().to_owned(),
            recorded_by: by.to_owned(),
            recorded_at: now,
        };
        sqlx::query(
            "INSERT INTO safeguarding_overrides (id, person_id, referral_id, scope, reason, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&item.id)
        .bind(person)
        .bind(&item.referral_id)
        .bind(scope.as_str())
        .bind(&item.reason)
        .bind(by)
        .bind(ms(now))
        .execute(&mut *w.tx)
        .await?;
        audit.set_record("safeguarding_override", item.id.clone());
        audit.set_person(nwd_domain::PersonId(crate::codec::uuid(person)?));
        audit.set_why(format!("safeguarding override:{}", item.id));
        audit.set_detail(format!("scope={}", scope.as_str()));
        w.commit_audited(now, audit).await?;
        Ok(item)
    }

    /// Safeguarding overrides not yet reviewed, oldest first (the privacy officer's queue).
    pub async fn safeguarding_queue(&self) -> Result<Vec<QueuedOverride>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, person_id, scope, referral_id, reason, recorded_by, recorded_at \
             FROM safeguarding_overrides WHERE reviewed_at IS NULL ORDER BY recorded_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(QueuedOverride {
                    item: override_from_row(row)?,
                    person_id: row.try_get("person_id")?,
                })
            })
            .collect()
    }

    /// Records a young person's death (retention keeps the record a set time after it).
    pub async fn record_death(
        &self,
        audit: &crate::audit::AuditContext,
        person: &str,
        died: Date,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let mut w = self.begin_write().await?;
        let done = sqlx::query("UPDATE persons SET date_of_death = $1 WHERE id = $2")
            .bind(died.to_string())
            .bind(person)
            .execute(&mut *w.tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("person", person));
        }
        audit.set_record("person", person);
        w.commit_audited(now, audit).await?;
        Ok(())
    }
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

/// Who made a consent record, as these records name them: the acting account's id (the
/// operator's `cli:<name>` when no account acts).
fn recorded_by(audit: &crate::audit::AuditContext) -> String {
    audit
        .account()
        .map(str::to_owned)
        .unwrap_or_else(|| audit.by())
}
