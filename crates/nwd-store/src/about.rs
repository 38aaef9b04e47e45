//! About the young person (migration 0013): the person-level record of equality-monitoring
//! answers and named groups (`nwd_domain::about::AboutYoungPerson`), written at intake and
//! changed by staff, versioned, with every version kept in `person_about_changes`.
//!
//! Owns only the storage: the rules (what an answer may be, how a later referral's answers
//! add to the record, what a parent may see, which uptake groups a record counts in) are in
//! the domain. A change marks the person's referrals in the figure change log
//! (`versioned.rs`), so the dashboard's kept inputs read the new groups.

use jiff::Timestamp;
use nwd_domain::about::AboutYoungPerson;
use nwd_domain::PersonId;
use sqlx::Row;

use crate::codec::{ms, ts};
use crate::{Change, Store, StoreError};

/// Which door a change came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AboutDoor {
    /// With a referral (the API, the public and professional journeys).
    Intake,
    /// A member of staff on the referral page.
    Staff,
}

impl AboutDoor {
    fn as_str(self) -> &'static str {
        match self {
            AboutDoor::Intake => "intake",
            AboutDoor::Staff => "staff",
        }
    }
}

/// The record as stored, with its version (0 when nothing was ever recorded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredAbout {
    /// The answers.
    pub about: AboutYoungPerson,
    /// Version for optimistic concurrency (0 = none yet).
    pub version: u32,
    /// When last changed.
    pub updated_at: Option<Timestamp>,
    /// Who last changed it.
    pub updated_by: Option<String>,
}

fn parse_record(text: &str) -> Result<AboutYoungPerson, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("person_about: {e}")))
}

fn to_json(about: &AboutYoungPerson) -> Result<String, StoreError> {
    serde_json::to_string(about).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Reads the record inside a transaction.
async fn read(conn: &mut sqlx::AnyConnection, person: &str) -> Result<StoredAbout, StoreError> {
    let row = sqlx::query(
        "SELECT version, record, updated_at, updated_by FROM person_about WHERE person_id = $1",
    )
    .bind(person)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Ok(StoredAbout::default()),
        Some(row) => Ok(StoredAbout {
            about: parse_record(&row.try_get::<String, _>("record")?)?,
            version: u32::try_from(row.try_get::<i64, _>("version")?).unwrap_or(u32::MAX),
            updated_at: Some(ts(row.try_get("updated_at")?)?),
            updated_by: Some(row.try_get("updated_by")?),
        }),
    }
}

/// Reads the record of `person` (an id as text) outside a transaction.
pub(crate) async fn stored(pool: &sqlx::AnyPool, person: &str) -> Result<StoredAbout, StoreError> {
    let mut conn = pool.acquire().await?;
    read(&mut conn, person).await
}

/// Writes `about` as the next version after `current`, keeps the version in the change log,
/// and marks the person's referrals for the dashboard.
async fn write(
    conn: &mut sqlx::AnyConnection,
    person: &str,
    current: u32,
    about: &AboutYoungPerson,
    by: &str,
    door: AboutDoor,
    now: Timestamp,
) -> Result<u32, StoreError> {
    let next = current + 1;
    let record = to_json(about)?;
    if current == 0 {
        sqlx::query(
            "INSERT INTO person_about (person_id, version, record, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(person)
        .bind(i64::from(next))
        .bind(record.clone())
        .bind(ms(now))
        .bind(by)
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query(
            "UPDATE person_about SET version = $1, record = $2, updated_at = $3, updated_by = $4 WHERE person_id = $5 AND version = $6",
        )
        .bind(i64::from(next))
        .bind(record.clone())
        .bind(ms(now))
        .bind(by)
        .bind(person)
        .bind(i64::from(current))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "INSERT INTO person_about_changes (person_id, version, record, changed_at, changed_by, door) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(person)
    .bind(i64::from(next))
    .bind(record)
    .bind(ms(now))
    .bind(by)
    .bind(door.as_str())
    .execute(&mut *conn)
    .await?;
    // The dashboard counts referrals by their young person's groups: mark them changed, as
    // the triggers of `versioned.rs` do for the referral's own rows.
    sqlx::query(
        "INSERT INTO figure_changes (referral_id, version) SELECT id, NULL FROM referrals WHERE person_id = $1 \
         ON CONFLICT (referral_id) DO UPDATE SET version = NULL",
    )
    .bind(person)
    .execute(&mut *conn)
    .await?;
    Ok(next)
}

/// At intake: adds the referral's answers to the person's record (answers given win; the
/// rest is kept). Nothing is written when nothing was asked.
pub(crate) async fn add_at_intake(
    conn: &mut sqlx::AnyConnection,
    person: PersonId,
    answers: &AboutYoungPerson,
    by: &str,
    now: Timestamp,
) -> Result<(), StoreError> {
    if answers.is_empty() {
        return Ok(());
    }
    let person = person.to_string();
    let stored = read(conn, &person).await?;
    let merged = stored.about.merged_with(answers);
    if merged != stored.about || stored.version == 0 {
        write(
            conn,
            &person,
            stored.version,
            &merged,
            by,
            AboutDoor::Intake,
            now,
        )
        .await?;
    }
    Ok(())
}

/// One intake's answers about its young person, for [`add_at_intake_group`].
pub(crate) struct IntakeAnswers<'a> {
    /// The young person.
    pub person: PersonId,
    /// True when the person was registered in this transaction (so has no record yet, and
    /// every referral of theirs was inserted in it — already marked in the change log).
    pub registered_now: bool,
    /// The answers given.
    pub answers: &'a AboutYoungPerson,
    /// Who gave them (the referral's actor).
    pub by: String,
}

/// [`add_at_intake`] for a group of intakes in one transaction (`intake_group`), in order,
/// with one statement per table: the records of people already registered are read
/// together; each intake's answers are added to the record as it stands after the intakes
/// before it; every version is kept in `person_about_changes`; the referrals of people
/// registered earlier are marked in the change log.
pub(crate) async fn add_at_intake_group(
    conn: &mut sqlx::AnyConnection,
    intakes: &[IntakeAnswers<'_>],
    now: Timestamp,
) -> Result<(), StoreError> {
    use std::collections::HashMap;
    let asked: Vec<&IntakeAnswers<'_>> = intakes.iter().filter(|i| !i.answers.is_empty()).collect();
    if asked.is_empty() {
        return Ok(());
    }
    let mut known: Vec<String> = asked
        .iter()
        .filter(|i| !i.registered_now)
        .map(|i| i.person.to_string())
        .collect();
    known.sort();
    known.dedup();
    // Per person: the version stored before this transaction and the record as it goes.
    let mut records: HashMap<String, (u32, StoredAbout)> = HashMap::new();
    if !known.is_empty() {
        let placeholders = (1..=known.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT person_id, version, record FROM person_about WHERE person_id IN ({placeholders})"
        );
        let mut query = sqlx::query(&sql);
        for person in &known {
            query = query.bind(person.clone());
        }
        for row in query.fetch_all(&mut *conn).await? {
            let version = u32::try_from(row.try_get::<i64, _>("version")?).unwrap_or(u32::MAX);
            let stored = StoredAbout {
                about: parse_record(&row.try_get::<String, _>("record")?)?,
                version,
                updated_at: None,
                updated_by: None,
            };
            records.insert(row.try_get("person_id")?, (version, stored));
        }
    }
    let mut order: Vec<String> = Vec::new();
    let mut changes: Vec<(String, u32, String, String)> = Vec::new();
    for intake in &asked {
        let person = intake.person.to_string();
        let (_, record) = records.entry(person.clone()).or_insert_with(|| {
            order.push(person.clone());
            (0, StoredAbout::default())
        });
        if !order.contains(&person) {
            order.push(person.clone());
        }
        let merged = record.about.merged_with(intake.answers);
        if merged != record.about || record.version == 0 {
            record.version += 1;
            record.about = merged;
            record.updated_by = Some(intake.by.clone());
            changes.push((
                person,
                record.version,
                to_json(&record.about)?,
                intake.by.clone(),
            ));
        }
    }
    if changes.is_empty() {
        return Ok(());
    }
    let at = ms(now);
    let changed: Vec<(&String, u32, &StoredAbout)> = order
        .iter()
        .filter_map(|p| records.get(p).map(|(before, r)| (p, *before, r)))
        .filter(|(_, before, r)| r.version > *before)
        .collect();
    let new: Vec<&(&String, u32, &StoredAbout)> = changed.iter().filter(|c| c.1 == 0).collect();
    if !new.is_empty() {
        let values = (0..new.len())
            .map(|i| {
                let b = i * 5;
                format!(
                    "(${}, ${}, ${}, ${}, ${})",
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO person_about (person_id, version, record, updated_at, updated_by) VALUES {values}"
        );
        let mut query = sqlx::query(&sql);
        for (person, _, record) in &new {
            query = query
                .bind((*person).clone())
                .bind(i64::from(record.version))
                .bind(to_json(&record.about)?)
                .bind(at)
                .bind(record.updated_by.clone().unwrap_or_default());
        }
        query.execute(&mut *conn).await?;
    }
    for (person, before, record) in changed.iter().filter(|c| c.1 > 0) {
        sqlx::query(
            "UPDATE person_about SET version = $1, record = $2, updated_at = $3, updated_by = $4 WHERE person_id = $5 AND version = $6",
        )
        .bind(i64::from(record.version))
        .bind(to_json(&record.about)?)
        .bind(at)
        .bind(record.updated_by.clone().unwrap_or_default())
        .bind((*person).clone())
        .bind(i64::from(*before))
        .execute(&mut *conn)
        .await?;
    }
    let values = (0..changes.len())
        .map(|i| {
            let b = i * 6;
            format!(
                "(${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO person_about_changes (person_id, version, record, changed_at, changed_by, door) VALUES {values}"
    );
    let mut query = sqlx::query(&sql);
    for (person, version, record, by) in changes {
        query = query
            .bind(person)
            .bind(i64::from(version))
            .bind(record)
            .bind(at)
            .bind(by)
            .bind(AboutDoor::Intake.as_str());
    }
    query.execute(&mut *conn).await?;
    // The dashboard counts referrals by their young person's groups: mark the referrals of
    // people registered before this transaction (the others' were all inserted in it, and
    // the change log's triggers marked them).
    let earlier: Vec<&String> = changed
        .iter()
        .filter(|(p, _, _)| known.contains(p))
        .map(|(p, _, _)| *p)
        .collect();
    if !earlier.is_empty() {
        let placeholders = (1..=earlier.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO figure_changes (referral_id, version) SELECT id, NULL FROM referrals WHERE person_id IN ({placeholders}) \
             ON CONFLICT (referral_id) DO UPDATE SET version = NULL"
        );
        let mut query = sqlx::query(&sql);
        for person in earlier {
            query = query.bind(person.clone());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Store {
    /// The young person's "about" record. The caller has checked access; its request's
    /// audit entry records the read (the caller names the person on it).
    pub async fn person_about(&self, person: PersonId) -> Result<StoredAbout, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read(&mut conn, &person.to_string()).await
    }

    /// Replaces the record as a member of staff, if it is still at `expected` (else a
    /// conflict naming what changed). The change and its audit entry commit together.
    pub async fn update_person_about(
        &self,
        audit: &crate::audit::AuditContext,
        person: PersonId,
        expected: u32,
        about: AboutYoungPerson,
    ) -> Result<u32, StoreError> {
        let by = audit.actor().to_string();
        let by = by.as_str();
        let now = self.now();
        let mut errors = nwd_domain::ValidationErrors::new();
        let about = about.normalise("", &mut errors);
        errors.into_result()?;
        let mut w = self.begin_write().await?;
        let id = person.to_string();
        let exists = sqlx::query("SELECT 1 FROM persons WHERE id = $1")
            .bind(id.clone())
            .fetch_optional(&mut *w.tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::not_found("person", person));
        }
        let stored = read(&mut w.tx, &id).await?;
        if stored.version != expected {
            return Err(StoreError::Conflict {
                expected,
                current: stored.version,
                changes: vec![Change {
                    version: stored.version,
                    event_type: "about_changed".to_owned(),
                    actor: stored.updated_by.unwrap_or_default(),
                    at: stored.updated_at.unwrap_or(now),
                }],
            });
        }
        let version = write(
            &mut w.tx,
            &id,
            stored.version,
            &about,
            by,
            AboutDoor::Staff,
            now,
        )
        .await?;
        audit.set_person(person);
        audit.set_record("person_about", id);
        w.commit_audited(now, audit).await?;
        Ok(version)
    }

    /// Every version of the record, oldest first: `(version, door, by, at)`.
    pub async fn person_about_changes(
        &self,
        person: PersonId,
    ) -> Result<Vec<(u32, String, String, Timestamp)>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, door, changed_by, changed_at FROM person_about_changes WHERE person_id = $1 ORDER BY version",
        )
        .bind(person.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    u32::try_from(row.try_get::<i64, _>("version")?).unwrap_or(u32::MAX),
                    row.try_get("door")?,
                    row.try_get("changed_by")?,
                    ts(row.try_get("changed_at")?)?,
                ))
            })
            .collect()
    }
}
