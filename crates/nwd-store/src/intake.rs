//! Intake through the single point of access: one transaction decides the person (the
//! deterministic NHS-number rule against the database, then the demographic matcher),
//! records the referral's first event and its projection, stores the match decision with its
//! explanation (and a review item when a person must decide), and remembers the idempotency
//! key. Matching never blocks intake: a referral needing review is received against a
//! provisional new record.

use nwd_domain::codes::TeamType;
use nwd_domain::linking::{
    nhs_number_rule, MatchBand, MatchCandidate, MatchProposal, NhsNumberRule,
};
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
    /// The answers about who the young person is (added to their person-level record,
    /// `about.rs`; empty when nothing was asked).
    pub about: nwd_domain::about::AboutYoungPerson,
}

/// Who sent a referral: the audit context (whose actor is recorded on its first event) and
/// the organisation it was sent for.
struct Sent<'a> {
    audit: &'a crate::audit::AuditContext,
    submitted_by_org: Option<&'a str>,
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

/// What one intake inside a group's transaction came to.
pub(crate) enum Received {
    /// A new referral (answered once the group has committed).
    Created(Box<IntakeOutcome>),
    /// An earlier request with the same idempotency key made this referral.
    Repeated(ReferralId),
}

/// What intake did.
#[derive(Debug, Clone)]
pub struct IntakeOutcome {
    /// The referral as stored.
    pub referral: Referral,
    /// True when this call created it; false when an earlier call with the same key did.
    pub created: bool,
    /// True when the person was already in the register (auto-linked).
    pub existing_person: bool,
    /// How the person was decided: band, candidates and explanation.
    pub matching: MatchProposal,
    /// A private status link's token for whoever made the referral (only its hash is kept),
    /// issued once: `None` when an earlier request with the same idempotency key made the
    /// referral — its answer carried the link, and a replay must not mint more live links
    /// to one referral (docs/security.md). See [`crate::status`].
    pub status_token: Option<String>,
}

impl Store {
    /// Receives a referral from `audit`'s actor (recorded on its first event), sent on behalf
    /// of `submitted_by_org` when a signed-in referrer's organisation sends it (external
    /// referrers see only their organisation's referrals). Bad input is refused before
    /// anything is written; an idempotency key already used for the same request returns the
    /// referral it created. The audit entry names the referral and the young person.
    pub async fn receive_referral(
        &self,
        audit: &crate::audit::AuditContext,
        intake: Intake,
        submitted_by_org: Option<&str>,
        idempotency: Option<IdempotencyRequest>,
    ) -> Result<IntakeOutcome, StoreError> {
        let sent = Sent {
            audit,
            submitted_by_org,
        };
        let now = self.now();
        let mut errors = ValidationErrors::new();
        intake
            .person
            .validate(now.to_zoned(self.tz.clone()).date(), "person.", &mut errors);
        intake.referral.validate(now, &mut errors);
        let intake = Intake {
            about: intake.about.normalise("person.about.", &mut errors),
            ..intake
        };
        errors.into_result()?;

        match self.try_receive(&intake, &sent, idempotency.as_ref()).await {
            // Two requests with one key at once: the loser's insert collides; the winner's
            // referral is the answer.
            Err(error) if error.is_unique_violation() => {
                if let Some(request) = &idempotency {
                    if let Some(outcome) = self.replay_idempotent(request).await? {
                        return Ok(outcome);
                    }
                }
                // A new person racing on the same NHS number: retry once, now linking.
                self.try_receive(&intake, &sent, idempotency.as_ref()).await
            }
            other => other,
        }
    }

    /// Scores the person outside any transaction, then hands the intake to the group
    /// committer (`intake_group.rs`) and waits until the transaction it joined has committed.
    async fn try_receive(
        &self,
        intake: &Intake,
        sent: &Sent<'_>,
        idempotency: Option<&IdempotencyRequest>,
    ) -> Result<IntakeOutcome, StoreError> {
        // Score before queueing (the matcher's work is CPU, bounded per comparison but not
        // free); the committer scores again only if the matcher learnt of new people since.
        let generation = self.matcher.generation();
        let scored = self.score(&intake.person).await?;
        let job = crate::intake_group::Job {
            intake: intake.clone(),
            audit: sent.audit.clone(),
            submitted_by_org: sent.submitted_by_org.map(str::to_owned),
            idempotency: idempotency.cloned(),
            scored,
            generation,
        };
        match self.intake_committer().submit(job).await? {
            Received::Created(outcome) => Ok(*outcome),
            Received::Repeated(referral_id) => self.repeated(referral_id).await,
        }
    }

    /// One intake inside the group committer's transaction (in a savepoint of its own): the
    /// person decided against the database as this transaction sees it — earlier intakes of
    /// the same group included — the referral, its event, the match decision, the status link
    /// and the idempotency key. Sets the audit context's record and person; the committer
    /// appends the entry. A person registered here is put in `registered` (and told to the
    /// matcher at once, so that a later intake of the group can be matched to them).
    pub(crate) async fn receive_in(
        &self,
        conn: &mut sqlx::AnyConnection,
        job: &crate::intake_group::Job,
        registered: &mut Vec<PersonId>,
    ) -> Result<Received, StoreError> {
        let intake = &job.intake;
        let actor = job.audit.actor().to_string();
        let actor = actor.as_str();
        let now = self.now();
        if let Some(request) = &job.idempotency {
            if let Some(referral_id) = find_idempotent(conn, request).await? {
                return Ok(Received::Repeated(referral_id));
            }
        }
        let scored = if self.matcher.generation() == job.generation {
            job.scored.clone()
        } else {
            self.matcher.propose(&intake.person)
        };
        let mut proposal = self.propose(conn, &intake.person, scored).await?;
        if nwd_domain::linking::is_unverified_actor(actor) {
            proposal = proposal.for_unverified_source();
        }
        let (person_id, created_person) =
            settle_person(conn, &intake.person, &proposal, now).await?;
        if let Some(person) = &created_person {
            self.matcher.register(person);
            registered.push(person.id);
        }
        let referral_id = ReferralId(Uuid::new_v4());
        let first = Referral::receive(referral_id, person_id, intake.referral.clone(), now, actor)?;
        let referral = Referral::replay(std::slice::from_ref(&first))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        write_projection(conn, &referral, None, Some(&intake.person), now).await?;
        if crate::urgency::touches_urgency(std::slice::from_ref(&first)) {
            crate::urgency::write_urgency(conn, &referral, &self.tz).await?;
        }
        crate::safeguarding::record_not_sought(conn, &referral).await?;
        // A new referral has no allocations: whether it is on the crisis list at all is known
        // without reading any service (its row was inserted off the list).
        let triage = self.standards.for_team_type(TeamType::SinglePointOfAccess);
        if referral
            .crisis_position(&triage, &|_| None, &self.tz)
            .is_some()
        {
            crate::urgency::write_crisis(conn, self, &referral).await?;
        }
        insert_events(conn, referral_id, std::slice::from_ref(&first)).await?;
        crate::register::record_match(conn, referral_id, person_id, &proposal, now).await?;
        crate::about::add_at_intake(conn, person_id, &intake.about, actor, now).await?;
        let status_token = crate::status::new_status_token();
        crate::status::insert_status_link(conn, referral_id, &status_token, now).await?;
        // Who sent it (external referrers see only their organisation's referrals), and whom
        // the audit entry concerns.
        if let Some(org) = &job.submitted_by_org {
            sqlx::query("UPDATE referrals SET submitted_by_org = $1 WHERE id = $2")
                .bind(org.clone())
                .bind(referral_id.to_string())
                .execute(&mut *conn)
                .await?;
        }
        job.audit.set_person(person_id);
        job.audit.set_record("referral", referral_id.to_string());
        if let Some(request) = &job.idempotency {
            sqlx::query(
                "INSERT INTO idempotency_keys (scope, key, request_hash, referral_id, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(request.scope.clone())
            .bind(request.key.clone())
            .bind(request.request_hash.clone())
            .bind(referral_id.to_string())
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
        }
        Ok(Received::Created(Box::new(IntakeOutcome {
            referral,
            created: true,
            existing_person: proposal.band == MatchBand::Auto,
            matching: proposal,
            status_token: Some(status_token),
        })))
    }

    async fn repeated(&self, referral_id: ReferralId) -> Result<IntakeOutcome, StoreError> {
        let referral = self.referral(referral_id).await?;
        let matching = self.match_decision(referral_id).await?;
        Ok(IntakeOutcome {
            referral,
            created: false,
            existing_person: matching.band == MatchBand::Auto,
            matching,
            status_token: None,
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
                Ok(Some(self.repeated(referral_id).await?))
            }
            None => Ok(None),
        }
    }

    /// The referral a quoted reference names (`NWD-XXXX-XXXX`: the first eight hexadecimal
    /// digits of its id, as intake answers it), when exactly one does. For staff who are read
    /// a reference on the telephone; the public's answers carry nothing else.
    pub async fn referral_by_reference(
        &self,
        reference: &str,
    ) -> Result<Option<Referral>, StoreError> {
        let prefix: String = reference
            .trim()
            .trim_start_matches("NWD-")
            .chars()
            .filter(|c| *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        if prefix.len() != 8 || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let rows = sqlx::query("SELECT id FROM referrals WHERE id LIKE $1 LIMIT 2")
            .bind(format!("{prefix}%"))
            .fetch_all(&self.pool)
            .await?;
        let [row] = rows.as_slice() else {
            return Ok(None);
        };
        let id = ReferralId(uuid(&row.try_get::<String, _>("id")?)?);
        Ok(Some(self.referral(id).await?))
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

    /// The demographic matcher's proposal, computed on a blocking thread so that scoring
    /// never holds an async worker (nor, called before `begin_write`, the write lock).
    async fn score(&self, details: &PersonDetails) -> Result<MatchProposal, StoreError> {
        let matcher = self.matcher.clone();
        let details = details.clone();
        tokio::task::spawn_blocking(move || matcher.propose(&details))
            .await
            .map_err(|e| StoreError::Corrupt(format!("matcher task failed: {e}")))
    }

    /// Proposes who the incoming person is: the deterministic NHS-number rule against the
    /// database (the authority for numbers), then the demographic matcher's proposal
    /// `scored` (made before the transaction), keeping only records still live.
    async fn propose(
        &self,
        conn: &mut sqlx::AnyConnection,
        details: &PersonDetails,
        scored: MatchProposal,
    ) -> Result<MatchProposal, StoreError> {
        if let Some(number) = details.nhs_number {
            let registered = holder_of_number(conn, &number.as_digits()).await?;
            if let Some(registered) = registered {
                return Ok(number_proposal(details, &registered));
            }
        }
        let mut proposal = scored;
        // The register may have changed since the matcher last saw it: keep only live records.
        let mut live = Vec::new();
        for candidate in proposal.candidates {
            let row = sqlx::query("SELECT 1 FROM persons WHERE id = $1 AND merged_into IS NULL")
                .bind(candidate.person_id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            if row.is_some() {
                live.push(candidate);
            }
        }
        if live.is_empty() && proposal.band != MatchBand::New {
            proposal.band = MatchBand::New;
            proposal
                .rules
                .push("proposed records are no longer in the register".into());
        }
        proposal.candidates = live;
        Ok(proposal)
    }

    /// Loads every live person into the matcher (at start).
    pub(crate) async fn load_register_into_matcher(&self) -> Result<(), StoreError> {
        let rows = sqlx::query("SELECT id, details FROM persons WHERE merged_into IS NULL")
            .fetch_all(&self.pool)
            .await?;
        for row in &rows {
            self.matcher.register(&person_from_row(row)?);
        }
        Ok(())
    }
}

/// The deterministic NHS-number rule's proposal for incoming `details` whose valid number
/// `registered` holds.
pub(crate) fn number_proposal(details: &PersonDetails, registered: &Person) -> MatchProposal {
    let candidate = MatchCandidate {
        person_id: registered.id,
        match_weight: 0.0,
        match_probability: 1.0,
        explanation: serde_json::json!({"rule": "NHS number"}),
    };
    match nhs_number_rule(details, registered) {
        NhsNumberRule::Link => MatchProposal {
            band: MatchBand::Auto,
            candidates: vec![candidate],
            rules: vec!["valid NHS number equal to a registered person's, with date of birth or family name agreeing".into()],
        },
        NhsNumberRule::Review => MatchProposal {
            band: MatchBand::Review,
            candidates: vec![MatchCandidate { match_probability: 0.5, ..candidate }],
            rules: vec!["same NHS number but date of birth and family name both differ: a person must decide".into()],
        },
    }
}

/// Links to the proposed person (auto) or registers a new one (review: provisional; new).
/// A number already held by a registered person is not copied to a provisional record: one
/// register entry per NHS number; the number stays on the referral's intake details.
async fn settle_person(
    conn: &mut sqlx::AnyConnection,
    details: &PersonDetails,
    proposal: &MatchProposal,
    now: jiff::Timestamp,
) -> Result<(PersonId, Option<Person>), StoreError> {
    if proposal.band == MatchBand::Auto {
        if let Some(best) = proposal.candidates.first() {
            return Ok((best.person_id, None));
        }
    }
    let mut details = details.clone();
    if let (MatchBand::Review, Some(number)) = (proposal.band, details.nhs_number) {
        // When the number belongs to the candidate under review, the provisional record does
        // not take it (one record per number; it stays on the referral's intake details). A
        // new person registered at the same moment instead collides on the unique number and
        // intake retries, linking.
        if holder_of_number(conn, &number.as_digits()).await?.is_some() {
            details.nhs_number = None;
        }
    }
    let person = Person {
        id: PersonId(Uuid::new_v4()),
        details,
    };
    insert_person(conn, &person, now).await?;
    Ok((person.id, Some(person)))
}

/// The live person holding an NHS number: the holder itself, or the record it was merged into.
pub(crate) async fn holder_of_number(
    conn: &mut sqlx::AnyConnection,
    digits: &str,
) -> Result<Option<Person>, StoreError> {
    let row = sqlx::query("SELECT id, details, merged_into FROM persons WHERE nhs_number = $1")
        .bind(digits.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(mut row) = row else { return Ok(None) };
    // Follow merges to the survivor (chains are short; bounded to be safe).
    for _ in 0..16 {
        let merged_into: Option<String> = row.try_get("merged_into")?;
        let Some(survivor) = merged_into else {
            return Ok(Some(person_from_row(&row)?));
        };
        row = sqlx::query("SELECT id, details, merged_into FROM persons WHERE id = $1")
            .bind(survivor)
            .fetch_one(&mut *conn)
            .await?;
    }
    Err(StoreError::Corrupt(
        "a merge chain is longer than 16 records".into(),
    ))
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

pub(crate) async fn insert_person(
    conn: &mut sqlx::AnyConnection,
    person: &Person,
    now: jiff::Timestamp,
) -> Result<(), StoreError> {
    let d = &person.details;
    sqlx::query(
        "INSERT INTO persons (id, nhs_number, given_name, family_name, date_of_birth, postcode, details, created_at, family_key, given_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(person.id.to_string())
    .bind(d.nhs_number.map(|n| n.as_digits()))
    .bind(d.given_name.clone())
    .bind(d.family_name.clone())
    .bind(d.date_of_birth.to_string())
    .bind(d.postcode.as_ref().map(|p| p.as_str().to_string()))
    .bind(serde_json::to_string(d)?)
    .bind(ms(now))
    .bind(nwd_domain::search::name_key(&d.family_name))
    .bind(nwd_domain::search::name_key(&d.given_name))
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
