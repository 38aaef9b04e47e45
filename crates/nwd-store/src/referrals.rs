//! Referral changes and reads. A change replays the referral's events, checks the version
//! the caller acted on, lets the domain decide, then appends the new events and rewrites
//! the projection — all in one transaction.

use jiff::Timestamp;
use nwd_domain::access::counts_for_access;
use nwd_domain::person::PersonDetails;
use nwd_domain::referral::authority::{check_allocation_change, WriteAuthority};
use nwd_domain::referral::{
    Command, ContactKind, Context, DestinationRequest, RecordedEvent, Referral, ReferralEvent,
    ReferralStatus,
};
use nwd_domain::{PersonId, ReferralId, ServiceId};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use crate::codec::{date, flag, ms, ts, uuid};
use crate::error::Change;
use crate::{Store, StoreError};

mod projection;
mod search;

pub(crate) use projection::*;
pub use search::*;

impl Store {
    /// Executes a command on a referral decided against `expected_version`, under `audit`
    /// (its entry commits with the events). Returns the new state and the events recorded. A
    /// stale version is refused with the changes since.
    ///
    /// For the system's own writers (the demo, imports, tests); a member of staff's change goes
    /// through [`Store::execute_as`], which also checks whose allocations they may change.
    pub async fn execute(
        &self,
        audit: &crate::audit::AuditContext,
        referral_id: ReferralId,
        expected_version: u32,
        command: Command,
        actor: &str,
    ) -> Result<(Referral, Vec<RecordedEvent>), StoreError> {
        self.execute_with(audit, referral_id, expected_version, command, actor, None)
            .await
    }

    /// [`Store::execute`] for a member of staff whose teams give them `authority`: a change to
    /// an allocation of a service they do not cover is refused (`nwd_domain::referral::
    /// authority::check_allocation_change`) before anything is written.
    pub async fn execute_as(
        &self,
        audit: &crate::audit::AuditContext,
        referral_id: ReferralId,
        expected_version: u32,
        command: Command,
        actor: &str,
        authority: &WriteAuthority,
    ) -> Result<(Referral, Vec<RecordedEvent>), StoreError> {
        self.execute_with(
            audit,
            referral_id,
            expected_version,
            command,
            actor,
            Some(authority),
        )
        .await
    }

    async fn execute_with(
        &self,
        audit: &crate::audit::AuditContext,
        referral_id: ReferralId,
        expected_version: u32,
        command: Command,
        actor: &str,
        authority: Option<&WriteAuthority>,
    ) -> Result<(Referral, Vec<RecordedEvent>), StoreError> {
        let mut w = self.begin_write().await?;
        let done = self
            .decide_in(
                &mut w,
                referral_id,
                Some(expected_version),
                command,
                actor,
                authority,
            )
            .await?;
        w.commit_audited(self.now(), audit).await?;
        Ok(done)
    }

    /// Decides `command` and writes its events and projection inside `w` (the caller commits
    /// it with its audit entry, or drops it to roll back). `expected_version`, when given, is
    /// the version the caller read: a stale one is refused with the changes since; `None`
    /// decides against the current version (a change that cannot contradict another, such as
    /// a measure completed through a link).
    pub(crate) async fn decide_in(
        &self,
        w: &mut crate::WriteTx<'_>,
        referral_id: ReferralId,
        expected_version: Option<u32>,
        command: Command,
        actor: &str,
        authority: Option<&WriteAuthority>,
    ) -> Result<(Referral, Vec<RecordedEvent>), StoreError> {
        let now = self.now();
        let events = load_events(&mut w.tx, referral_id).await?;
        if events.is_empty() {
            return Err(StoreError::not_found("referral", referral_id));
        }
        let mut referral =
            Referral::replay(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let expected_version = expected_version.unwrap_or(referral.version);
        if referral.version != expected_version {
            return Err(conflict(expected_version, &referral, &events));
        }
        if let Some(authority) = authority {
            check_allocation_change(authority, &referral, &command)?;
        }
        let services = self
            .services_by_id(&mut w.tx, &referenced_services(&command, &referral))
            .await?;
        let date_of_birth = person_date_of_birth(&mut w.tx, referral.person_id).await?;
        // The context borrows trait objects; keep it out of scope across awaits.
        let recorded = {
            let mut new_id = Uuid::new_v4;
            let mut ctx = Context {
                now,
                actor,
                tz: &self.tz,
                date_of_birth,
                services: &services,
                new_id: &mut new_id,
            };
            referral.execute(command, &mut ctx)?
        };
        if let Err(error) = insert_events(&mut w.tx, referral_id, &recorded).await {
            if !error.is_unique_violation() {
                return Err(error);
            }
            // Another writer appended the same sequence number first (on PostgreSQL both
            // read version N before either committed). The caller rolls back; name what they
            // did.
            let mut conn = self.pool.acquire().await?;
            let events = load_events(&mut conn, referral_id).await?;
            let current =
                Referral::replay(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            return Err(conflict(expected_version, &current, &events));
        }
        write_projection(&mut w.tx, &referral, Some(expected_version), None, now).await?;
        write_allocations_and_contacts(&mut w.tx, &referral, &recorded, &self.tz).await?;
        if crate::urgency::touches_urgency(&recorded) {
            crate::urgency::write_urgency(&mut w.tx, &referral, &self.tz).await?;
        }
        crate::urgency::write_crisis(&mut w.tx, self, &referral).await?;
        Ok((referral, recorded))
    }

    /// A referral's current state, rebuilt from its events.
    pub async fn referral(&self, id: ReferralId) -> Result<Referral, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let events = load_events(&mut conn, id).await?;
        if events.is_empty() {
            return Err(StoreError::not_found("referral", id));
        }
        Referral::replay(&events).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// A referral's whole history, oldest first.
    pub async fn referral_events(&self, id: ReferralId) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let events = load_events(&mut conn, id).await?;
        if events.is_empty() {
            return Err(StoreError::not_found("referral", id));
        }
        Ok(events)
    }
}

fn conflict(expected: u32, referral: &Referral, events: &[RecordedEvent]) -> StoreError {
    let changes = events
        .iter()
        .filter(|e| e.seq > expected)
        .map(|e| Change {
            version: e.seq,
            event_type: e.event.type_name().to_string(),
            actor: e.actor.clone(),
            at: e.at,
        })
        .collect();
    StoreError::Conflict {
        expected,
        current: referral.version,
        changes,
    }
}

/// Services a command refers to (loaded so the domain can check them).
/// The directory entries `command` needs: the services it names, and for a discharge (which
/// may close the referral naming every service it was allocated to) the referral's own.
fn referenced_services(command: &Command, referral: &Referral) -> Vec<ServiceId> {
    match command {
        Command::Discharge(_) => referral.allocations.iter().map(|a| a.service_id).collect(),
        Command::Triage(t) => t
            .destinations
            .iter()
            .filter_map(|d| match d {
                DestinationRequest::Allocate { service_id } => Some(*service_id),
                DestinationRequest::Signpost { service_id, .. } => *service_id,
                _ => None,
            })
            .collect(),
        Command::Allocate(a) => vec![a.service_id],
        Command::Step(s) => s.allocate.clone(),
        Command::PlanTransition(p) => p.receiving_service_id.into_iter().collect(),
        _ => Vec::new(),
    }
}

async fn person_date_of_birth(
    conn: &mut sqlx::AnyConnection,
    person_id: PersonId,
) -> Result<jiff::civil::Date, StoreError> {
    let row = sqlx::query("SELECT date_of_birth FROM persons WHERE id = $1")
        .bind(person_id.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("person", person_id))?;
    date(&row.try_get::<String, _>("date_of_birth")?)
}
