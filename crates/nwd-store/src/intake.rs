//! Intake through the single point of access: one transaction resolves the person (through
//! the one linking decision, `nwd_domain::linking::decide_link`), records the referral's
//! first event and its projection, and remembers the idempotency key.

use nwd_domain::linking::{decide_link, PersonLink};
use nwd_domain::person::{Person, PersonDetails};
use nwd_domain::referral::{NewReferral, Referral};
use nwd_domain::{PersonId, ReferralId, ValidationErrors};
use sqlx::Row;
use uuid::Uuid;

use crate::codec::{ms, uuid};
use crate::referrals::{insert_events, write_projection};
use crate::{Store, StoreError};

/// A referral as it arrives: who it is about and what is asked.
#[derive(Debug, Clone)]
pub struct Intake {
    /// The young person, as the referrer describes them.
    pub person: PersonDetails,
    /// The referral.
    pub referral: NewReferral,
}

/// Names one creation request so that a repeat creates nothing new.
#[derive(Debug, Clone)]
pub struct IdempotencyRequest {
    /// The route or purpose, e.g. `referrals` or `self-referrals`.
    pub scope: String,
    /// The client's key (the `Idempotency-Key` header).
    pub key: String,
    /// A hash of the request body, to refuse the same key with a different body.
    pub request_hash: String,
}

/// What intake did.
#[derive(Debug, Clone)]
pub struct IntakeOutcome {
    /// The referral as stored.
    pub referral: Referral,
    /// True when this call created it; false when an earlier call with the same key did.
    pub created: bool,
    /// True when the person was already in the register.
    pub existing_person: bool,
}

impl Store {
    /// Receives a referral. Bad input is refused before anything is written; an idempotency
    /// key already used for the same request returns the referral it created.
    pub async fn receive_referral(
        &self,
        intake: Intake,
        actor: &str,
        idempotency: Option<IdempotencyRequest>,
    ) -> Result<IntakeOutcome, StoreError> {
        let now = self.now();
        let mut errors = ValidationErrors::new();
        intake
            .person
            .validate(now.to_zoned(self.tz.clone()).date(), "person.", &mut errors);
        intake.referral.validate(now, &mut errors);
        errors.into_result()?;

        match self.try_receive(&intake, actor, idempotency.as_ref()).await {
            // Two requests with one key at once: the loser's insert collides; the winner's
            // referral is the answer.
            Err(error) if error.is_unique_violation() => {
                if let Some(request) = &idempotency {
                    if let Some(outcome) = self.replay_idempotent(request).await? {
                        return Ok(outcome);
                    }
                }
                // A new person racing on the same NHS number: retry once, now linking.
                self.try_receive(&intake, actor, idempotency.as_ref()).await
            }
            other => other,
        }
    }

    async fn try_receive(
        &self,
        intake: &Intake,
        actor: &str,
        idempotency: Option<&IdempotencyRequest>,
    ) -> Result<IntakeOutcome, StoreError> {
        let now = self.now();
        let mut w = self.begin_write().await?;
        if let Some(request) = idempotency {
            if let Some(referral_id) = find_idempotent(&mut w.tx, request).await? {
                drop(w);
                let referral = self.referral(referral_id).await?;
                return Ok(IntakeOutcome {
                    referral,
                    created: false,
                    existing_person: true,
                });
            }
        }
        let (person_id, existing_person) = resolve_person(&mut w.tx, &intake.person, now).await?;
        let referral_id = ReferralId(Uuid::new_v4());
        let first = Referral::receive(referral_id, person_id, intake.referral.clone(), now, actor)?;
        let referral = Referral::replay(std::slice::from_ref(&first))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        write_projection(&mut w.tx, &referral, None, Some(&intake.person), now).await?;
        insert_events(&mut w.tx, referral_id, std::slice::from_ref(&first)).await?;
        if let Some(request) = idempotency {
            sqlx::query("INSERT INTO idempotency_keys (scope, key, request_hash, referral_id, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(request.scope.clone())
                .bind(request.key.clone())
                .bind(request.request_hash.clone())
                .bind(referral_id.to_string())
                .bind(ms(now))
                .execute(&mut *w.tx)
                .await?;
        }
        w.tx.commit().await?;
        Ok(IntakeOutcome {
            referral,
            created: true,
            existing_person,
        })
    }

    async fn replay_idempotent(
        &self,
        request: &IdempotencyRequest,
    ) -> Result<Option<IntakeOutcome>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        match find_idempotent(&mut conn, request).await? {
            Some(referral_id) => {
                drop(conn);
                let referral = self.referral(referral_id).await?;
                Ok(Some(IntakeOutcome {
                    referral,
                    created: false,
                    existing_person: true,
                }))
            }
            None => Ok(None),
        }
    }

    /// A person in the register.
    pub async fn person(&self, id: PersonId) -> Result<Person, StoreError> {
        let row = sqlx::query("SELECT id, details FROM persons WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("person", id))?;
        person_from_row(&row)
    }
}

async fn find_idempotent(
    conn: &mut sqlx::AnyConnection,
    request: &IdempotencyRequest,
) -> Result<Option<ReferralId>, StoreError> {
    let row = sqlx::query(
        "SELECT request_hash, referral_id FROM idempotency_keys WHERE scope = $1 AND key = $2",
    )
    .bind(request.scope.clone())
    .bind(request.key.clone())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let hash: String = row.try_get("request_hash")?;
    if hash != request.request_hash {
        return Err(StoreError::IdempotencyMismatch);
    }
    let id: String = row.try_get("referral_id")?;
    Ok(Some(ReferralId(uuid(&id)?)))
}

/// Finds or registers the person a referral is about. The decision itself is the domain's
/// (`decide_link`); this function only fetches candidates and writes the outcome.
async fn resolve_person(
    conn: &mut sqlx::AnyConnection,
    details: &PersonDetails,
    now: jiff::Timestamp,
) -> Result<(PersonId, bool), StoreError> {
    let candidate = match details.nhs_number {
        Some(number) => sqlx::query("SELECT id, details FROM persons WHERE nhs_number = $1")
            .bind(number.as_digits())
            .fetch_optional(&mut *conn)
            .await?
            .map(|row| person_from_row(&row))
            .transpose()?,
        None => None,
    };
    match decide_link(details, candidate.as_ref()) {
        PersonLink::Existing(id) => Ok((id, true)),
        PersonLink::New => {
            let person = Person {
                id: PersonId(Uuid::new_v4()),
                details: details.clone(),
            };
            insert_person(conn, &person, now).await?;
            Ok((person.id, false))
        }
    }
}

pub(crate) async fn insert_person(
    conn: &mut sqlx::AnyConnection,
    person: &Person,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    let d = &person.details;
    sqlx::query(
        "INSERT INTO persons (id, nhs_number, given_name, family_name, date_of_birth, postcode, details, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(person.id.to_string())
    .bind(d.nhs_number.map(|n| n.as_digits()))
    .bind(d.given_name.clone())
    .bind(d.family_name.clone())
    .bind(d.date_of_birth.to_string())
    .bind(d.postcode.as_ref().map(|p| p.as_str().to_string()))
    .bind(serde_json::to_string(d)?)
    .bind(ms(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) fn person_from_row(row: &sqlx::any::AnyRow) -> Result<Person, StoreError> {
    let id: String = row.try_get("id")?;
    let details: String = row.try_get("details")?;
    Ok(Person {
        id: PersonId(uuid(&id)?),
        details: serde_json::from_str(&details)?,
    })
}
