//! Confidentiality for young people, stored: competence assessments per decision, parent and
//! carer links and the decisions that let them see a record, entries kept from them, parent
//! contact decisions, and safeguarding overrides (with their review queue), one submodule
//! each (`competence`, `parent_access`, `not_for_parent`, `parent_contact`, `safeguarding`);
//! here, what they share: the young person's lock, the checks a change reads in its
//! transaction, who recorded it, the person's dates of birth and death.
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

mod competence;
mod not_for_parent;
mod parent_access;
mod parent_contact;
mod safeguarding;

pub use competence::NewAssessment;
pub use not_for_parent::{NotForParentEntry, ParentView, ParentViewReferral};
pub use safeguarding::QueuedOverride;

use competence::assessments_of;

fn invalid(field: &str, message: impl Into<String>) -> StoreError {
    StoreError::Domain(nwd_domain::DomainError::invalid(field, message))
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

/// Who made a consent record, as these records name them: the acting account's id (the
/// operator's `cli:<name>` when no account acts).
fn recorded_by(audit: &crate::audit::AuditContext) -> String {
    audit
        .account()
        .map(str::to_owned)
        .unwrap_or_else(|| audit.by())
}
