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
        let now = self.now();
        let mut w = self.begin_write().await?;
        let events = load_events(&mut w.tx, referral_id).await?;
        if events.is_empty() {
            return Err(StoreError::not_found("referral", referral_id));
        }
        let mut referral =
            Referral::replay(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?;
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
            // read version N before either committed). Roll back, then name what they did.
            drop(w);
            let mut conn = self.pool.acquire().await?;
            let events = load_events(&mut conn, referral_id).await?;
            let current =
                Referral::replay(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            return Err(conflict(expected_version, &current, &events));
        }
        write_projection(&mut w.tx, &referral, Some(expected_version), None, now).await?;
        write_allocations_and_contacts(&mut w.tx, &referral, &recorded).await?;
        if crate::urgency::touches_urgency(&recorded) {
            crate::urgency::write_urgency(&mut w.tx, &referral, &self.tz).await?;
        }
        crate::urgency::write_crisis(&mut w.tx, self, &referral).await?;
        w.commit_audited(self.now(), audit).await?;
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

    /// Searches referrals with keyset pagination.
    pub async fn search_referrals(
        &self,
        search: &ReferralSearch,
    ) -> Result<ReferralPage, StoreError> {
        let mut sql = format!("SELECT {SUMMARY_COLUMNS} FROM referrals r");
        let mut binds: Vec<Bind> = Vec::new();
        let people = self.people_named(&search.terms).await?;
        let mut clauses = conditions(search, people.as_deref(), &mut binds);
        let mut add = |clause: &str, value: Bind| {
            binds.push(value);
            clauses.push(clause.replace("$?", &format!("${}", binds.len())));
        };
        if let Some(cursor) = &search.after {
            let cursor = Cursor::parse(cursor)?;
            match search.sort {
                ReferralSort::Newest => {
                    add(
                        "(r.received_at < $? OR (r.received_at = ",
                        Bind::Int(cursor.received_at),
                    );
                    let last = clauses.len() - 1;
                    binds.push(Bind::Int(cursor.received_at));
                    binds.push(Bind::Text(cursor.id.clone()));
                    clauses[last].push_str(&format!(
                        "${} AND r.id < ${}))",
                        binds.len() - 1,
                        binds.len()
                    ));
                }
                ReferralSort::Priority => {
                    binds.push(Bind::Int(cursor.rank));
                    let a = binds.len();
                    binds.push(Bind::Int(cursor.received_at));
                    let b = binds.len();
                    binds.push(Bind::Text(cursor.id.clone()));
                    let c = binds.len();
                    clauses.push(format!(
                        "(r.priority_rank > ${a} OR (r.priority_rank = ${a} AND (r.received_at > ${b} OR (r.received_at = ${b} AND r.id > ${c}))))"
                    ));
                }
            }
        }
        if let Some(v) = &search.visible_to {
            clauses.push(visibility_clause(v, &mut binds));
        }
        if !clauses.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&clauses.join(" AND "));
        }
        sql.push_str(match search.sort {
            ReferralSort::Newest => " ORDER BY r.received_at DESC, r.id DESC",
            ReferralSort::Priority => " ORDER BY r.priority_rank ASC, r.received_at ASC, r.id ASC",
        });
        let limit = search.limit.clamp(1, 500);
        sql.push_str(&format!(" LIMIT {}", limit + 1));
        let mut query = sqlx::query(&sql);
        for bind in binds {
            query = match bind {
                Bind::Text(t) => query.bind(t),
                Bind::Int(i) => query.bind(i),
            };
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut items = rows
            .iter()
            .map(summary_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|last| {
                Cursor {
                    rank: last.priority.rank(),
                    received_at: ms(last.received_at),
                    id: last.id.to_string(),
                }
                .encode()
            })
        } else {
            None
        };
        Ok(ReferralPage { items, next })
    }
}

/// The `WHERE` conditions of a search's filters and terms (`r` is the referrals table; not
/// the cursor nor the visibility; the people the terms name as `people`, when read first by
/// `Store::people_named`), their values appended to `binds`. One definition for the
/// API's keyset pages and the pages' numbered lists (`Store::referral_list`).
pub(crate) fn conditions(
    search: &ReferralSearch,
    people: Option<&[String]>,
    binds: &mut Vec<Bind>,
) -> Vec<String> {
    let mut clauses: Vec<String> = Vec::new();
    let mut add = |clause: &str, value: Bind| {
        binds.push(value);
        clauses.push(clause.replace("$?", &format!("${}", binds.len())));
    };
    if let Some(nhs) = &search.nhs_number {
        add(
            "r.person_id IN (SELECT pn.id FROM persons pn WHERE pn.nhs_number = $?)",
            Bind::Text(nhs.as_digits()),
        );
    }
    if let Some(status) = search.status {
        add("r.status = $?", Bind::Text(status.as_str().into()));
    }
    if let Some(kind) = search.kind {
        add("r.kind = $?", Bind::Text(kind.as_str().into()));
    }
    if let Some(source) = search.source {
        add("r.source = $?", Bind::Text(source.as_str().into()));
    }
    if let Some(priority) = search.priority {
        add("r.priority = $?", Bind::Text(priority.as_str().into()));
    }
    if let Some(group) = search.need_group {
        add("r.need_group = $?", Bind::Text(group.as_str().into()));
    }
    if let Some(reason) = search.reason {
        add("r.primary_reason = $?", Bind::Text(reason.as_str().into()));
    }
    if let Some(person) = search.person_id {
        add("r.person_id = $?", Bind::Text(person.to_string()));
    }
    if let Some(from) = search.received_from {
        add("r.received_at >= $?", Bind::Int(ms(from)));
    }
    if let Some(to) = search.received_to {
        add("r.received_at < $?", Bind::Int(ms(to)));
    }
    if let Some(area) = &search.area {
        // A district (`ME14`) is the outward code before the space; an area (`ME`) is the
        // letters before the first digit, so `ME` never matches `M1` or `MEX…`.
        if area.chars().any(|c| c.is_ascii_digit()) {
            add(
                "EXISTS (SELECT 1 FROM persons pa WHERE pa.id = r.person_id AND pa.postcode LIKE $?)",
                Bind::Text(format!("{area} %")),
            );
        } else {
            let next = area.len() + 1;
            add(
                &format!(
                    "EXISTS (SELECT 1 FROM persons pa WHERE pa.id = r.person_id AND pa.postcode LIKE $? \
                     AND SUBSTR(pa.postcode, {next}, 1) IN ('0','1','2','3','4','5','6','7','8','9'))"
                ),
                Bind::Text(format!("{area}%")),
            );
        }
    }
    if !search.sources.is_empty() {
        let mut placeholders = Vec::new();
        for source in &search.sources {
            binds.push(Bind::Text(source.as_str().into()));
            placeholders.push(format!("${}", binds.len()));
        }
        clauses.push(format!("r.source IN ({})", placeholders.join(", ")));
    }
    clauses.extend(crate::search::term_conditions(&search.terms, people, binds));
    clauses
}

/// The `WHERE` condition that keeps the referrals a principal may open (`r` is the referrals
/// table), its values appended to `binds`.
pub(crate) fn visibility_clause(v: &crate::auth::Visibility, binds: &mut Vec<Bind>) -> String {
    let mut any: Vec<String> = Vec::new();
    if v.single_point_of_access {
        binds.push(Bind::Int(v.cutoff_ms));
        any.push(format!(
            "(r.status <> 'closed' OR r.closed_at > ${})",
            binds.len()
        ));
    }
    if !v.service_ids.is_empty() {
        binds.push(Bind::Int(v.cutoff_ms));
        let cutoff = binds.len();
        let mut placeholders = Vec::new();
        for service in &v.service_ids {
            binds.push(Bind::Text(service.clone()));
            placeholders.push(format!("${}", binds.len()));
        }
        any.push(format!(
            "EXISTS (SELECT 1 FROM allocations a WHERE a.person_id = r.person_id AND \
             a.service_id IN ({}) AND (a.ended_at IS NULL OR a.ended_at > ${cutoff}))",
            placeholders.join(", ")
        ));
    }
    if let Some(org) = &v.submitted_by_org {
        binds.push(Bind::Text(org.clone()));
        any.push(format!("r.submitted_by_org = ${}", binds.len()));
    }
    if let Some(user) = &v.user_id {
        binds.push(Bind::Text(user.clone()));
        let u = binds.len();
        binds.push(Bind::Int(v.now_ms));
        let n = binds.len();
        any.push(format!(
            "EXISTS (SELECT 1 FROM break_glass b WHERE b.person_id = r.person_id AND \
             b.user_id = ${u} AND b.starts_at <= ${n} AND b.expires_at > ${n})"
        ));
    }
    if any.is_empty() {
        "1 = 0".to_owned()
    } else {
        format!("({})", any.join(" OR "))
    }
}

/// The columns [`summary_from_row`] reads (`r` is the referrals table).
pub(crate) const SUMMARY_COLUMNS: &str = "r.id, r.person_id, r.kind, r.source, r.priority, r.priority_rank, r.primary_reason, r.status, r.need_group, \
     r.received_at, r.triaged_at, r.closed_at, r.destination_kind, r.destination_name, r.version, \
     r.requested_priority, r.risk_level, r.risk_review_due";

/// A query with its values bound in order.
pub(crate) fn bind_all<'q>(
    sql: &'q str,
    binds: &[Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = match bind {
            Bind::Text(t) => query.bind(t.clone()),
            Bind::Int(i) => query.bind(*i),
        };
    }
    query
}

pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

/// Search parameters for referrals.
#[derive(Debug, Clone)]
pub struct ReferralSearch {
    /// Status.
    pub status: Option<ReferralStatus>,
    /// Source.
    pub source: Option<nwd_domain::codes::ReferralSource>,
    /// Priority.
    pub priority: Option<nwd_domain::codes::Priority>,
    /// Current need group.
    pub need_group: Option<nwd_domain::need::NeedGroup>,
    /// Primary reason.
    pub reason: Option<nwd_domain::codes::ReasonCode>,
    /// The young person.
    pub person_id: Option<PersonId>,
    /// The young person's NHS number.
    pub nhs_number: Option<nwd_domain::NhsNumber>,
    /// Received at or after.
    pub received_from: Option<Timestamp>,
    /// Received before.
    pub received_to: Option<Timestamp>,
    /// The young person's postcode area (`ME`) or district (`ME14`), upper case.
    pub area: Option<String>,
    /// Referral or advice request.
    pub kind: Option<nwd_domain::referral::ReferralKind>,
    /// Any of these sources (a source group); empty: any source.
    pub sources: Vec<nwd_domain::codes::ReferralSource>,
    /// Reference, name, NHS number, date of birth.
    pub terms: nwd_domain::search::SearchTerms,
    /// Sort order.
    pub sort: ReferralSort,
    /// Page size (1–500).
    pub limit: u32,
    /// Cursor from the previous page.
    pub after: Option<String>,
    /// Only referrals the caller may open (None: no limit — for internal callers only).
    pub visible_to: Option<crate::auth::Visibility>,
}

impl Default for ReferralSearch {
    fn default() -> Self {
        ReferralSearch {
            status: None,
            source: None,
            priority: None,
            need_group: None,
            reason: None,
            person_id: None,
            nhs_number: None,
            received_from: None,
            received_to: None,
            area: None,
            kind: None,
            sources: Vec::new(),
            terms: nwd_domain::search::SearchTerms::default(),
            sort: ReferralSort::Newest,
            limit: 50,
            after: None,
            visible_to: None,
        }
    }
}

/// Orders for referral search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralSort {
    /// Most recently received first.
    Newest,
    /// Emergency first, then longest waiting (the triage queue's order).
    Priority,
}

/// One line of a referral search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralSummary {
    /// Id.
    pub id: ReferralId,
    /// The young person.
    pub person_id: PersonId,
    /// Kind.
    pub kind: String,
    /// Source.
    pub source: nwd_domain::codes::ReferralSource,
    /// Priority.
    pub priority: nwd_domain::codes::Priority,
    /// Primary reason.
    pub primary_reason: nwd_domain::codes::ReasonCode,
    /// Status.
    pub status: ReferralStatus,
    /// Need group.
    pub need_group: Option<nwd_domain::need::NeedGroup>,
    /// Received.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: Timestamp,
    /// Triaged.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub triaged_at: Option<Timestamp>,
    /// Closed.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub closed_at: Option<Timestamp>,
    /// Destination kind, when closed.
    pub destination_kind: Option<String>,
    /// Destination name, when closed.
    pub destination_name: Option<String>,
    /// Version.
    pub version: u32,
    /// An unverified sender's request for more urgency, pending triage.
    pub requested_priority: Option<nwd_domain::codes::Priority>,
    /// Current risk level (none: not assessed).
    pub risk: Option<nwd_domain::need::RiskLevel>,
    /// When the risk review becomes overdue.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub risk_review_due: Option<Timestamp>,
}

/// A page of search results.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralPage {
    /// Results.
    pub items: Vec<ReferralSummary>,
    /// Cursor for the next page, when there is one.
    pub next: Option<String>,
}

struct Cursor {
    rank: i64,
    received_at: i64,
    id: String,
}

impl Cursor {
    fn encode(&self) -> String {
        format!("{}.{}.{}", self.rank, self.received_at, self.id)
    }
    fn parse(text: &str) -> Result<Cursor, StoreError> {
        let bad = || {
            nwd_domain::DomainError::invalid(
                "after",
                "this cursor is not one this server issued; start from the first page",
            )
        };
        let mut parts = text.splitn(3, '.');
        let rank = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let received_at = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
        let id = parts
            .next()
            .filter(|p| Uuid::parse_str(p).is_ok())
            .ok_or_else(bad)?
            .to_string();
        Ok(Cursor {
            rank,
            received_at,
            id,
        })
    }
}

pub(crate) fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<ReferralSummary, StoreError> {
    let parse =
        |column: &str| -> Result<String, StoreError> { Ok(row.try_get::<String, _>(column)?) };
    let corrupt = StoreError::Corrupt;
    let need_group: Option<String> = row.try_get("need_group")?;
    let triaged: Option<i64> = row.try_get("triaged_at")?;
    let closed: Option<i64> = row.try_get("closed_at")?;
    let version: i64 = row.try_get("version")?;
    let requested: Option<String> = row.try_get("requested_priority")?;
    let risk: Option<String> = row.try_get("risk_level")?;
    let review: Option<i64> = row.try_get("risk_review_due")?;
    Ok(ReferralSummary {
        id: ReferralId(uuid(&parse("id")?)?),
        person_id: PersonId(uuid(&parse("person_id")?)?),
        kind: parse("kind")?,
        source: nwd_domain::codes::ReferralSource::parse(&parse("source")?).map_err(corrupt)?,
        priority: nwd_domain::codes::Priority::parse(&parse("priority")?)
            .map_err(StoreError::Corrupt)?,
        primary_reason: nwd_domain::codes::ReasonCode::parse(&parse("primary_reason")?)
            .map_err(StoreError::Corrupt)?,
        status: match parse("status")?.as_str() {
            "awaiting_triage" => ReferralStatus::AwaitingTriage,
            "open" => ReferralStatus::Open,
            "closed" => ReferralStatus::Closed,
            other => return Err(StoreError::Corrupt(format!("status {other}"))),
        },
        need_group: need_group
            .map(|g| nwd_domain::need::NeedGroup::parse(&g))
            .transpose()
            .map_err(StoreError::Corrupt)?,
        received_at: ts(row.try_get("received_at")?)?,
        triaged_at: triaged.map(ts).transpose()?,
        closed_at: closed.map(ts).transpose()?,
        destination_kind: row.try_get("destination_kind")?,
        destination_name: row.try_get("destination_name")?,
        version: version as u32,
        requested_priority: requested
            .map(|p| nwd_domain::codes::Priority::parse(&p))
            .transpose()
            .map_err(StoreError::Corrupt)?,
        risk: risk
            .map(|r| nwd_domain::need::RiskLevel::parse(&r))
            .transpose()
            .map_err(StoreError::Corrupt)?,
        risk_review_due: review.map(ts).transpose()?,
    })
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

pub(crate) async fn load_events(
    conn: &mut sqlx::AnyConnection,
    id: ReferralId,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, payload FROM referral_events WHERE referral_id = $1 ORDER BY seq",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let seq: i64 = row.try_get("seq")?;
            let payload: String = row.try_get("payload")?;
            Ok(RecordedEvent {
                seq: seq as u32,
                at: ts(row.try_get("at")?)?,
                actor: row.try_get("actor")?,
                event: serde_json::from_str::<ReferralEvent>(&payload)?,
            })
        })
        .collect()
}

pub(crate) async fn insert_events(
    conn: &mut sqlx::AnyConnection,
    id: ReferralId,
    events: &[RecordedEvent],
) -> Result<(), StoreError> {
    for event in events {
        sqlx::query("INSERT INTO referral_events (referral_id, seq, event_type, at, actor, payload) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id.to_string())
            .bind(i64::from(event.seq))
            .bind(event.event.type_name())
            .bind(ms(event.at))
            .bind(event.actor.clone())
            .bind(serde_json::to_string(&event.event)?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Writes the referral's projection row. With `expected_version`, updates only if the row
/// is still at that version (a second guard against lost updates); without, inserts.
pub(crate) async fn write_projection(
    conn: &mut sqlx::AnyConnection,
    referral: &Referral,
    expected_version: Option<u32>,
    intake_person: Option<&PersonDetails>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let closure = referral.closure.as_ref();
    let primary_reason = referral
        .reasons
        .first()
        .map(|r| r.as_str())
        .unwrap_or("other");
    match expected_version {
        None => {
            sqlx::query(
                "INSERT INTO referrals (id, person_id, version, kind, source, priority, priority_rank, primary_reason, status, need_group, \
                 received_at, triaged_at, closed_at, destination_kind, destination_name, intake_person, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
            )
            .bind(referral.id.to_string())
            .bind(referral.person_id.to_string())
            .bind(i64::from(referral.version))
            .bind(referral.kind.as_str())
            .bind(referral.source.as_str())
            .bind(referral.priority.as_str())
            .bind(referral.priority.rank())
            .bind(primary_reason)
            .bind(referral.status.as_str())
            .bind(referral.need_group.map(|g| g.as_str()))
            .bind(ms(referral.received_at))
            .bind(referral.triage.as_ref().map(|t| ms(t.at)))
            .bind(closure.map(|c| ms(c.at)))
            .bind(closure.map(|c| c.destination.kind()))
            .bind(closure.map(|c| c.destination.name()))
            .bind(serde_json::to_string(&intake_person)?)
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
        }
        Some(expected) => {
            let result = sqlx::query(
                "UPDATE referrals SET version = $1, status = $2, need_group = $3, triaged_at = $4, closed_at = $5, \
                 destination_kind = $6, destination_name = $7, updated_at = $8 WHERE id = $9 AND version = $10",
            )
            .bind(i64::from(referral.version))
            .bind(referral.status.as_str())
            .bind(referral.need_group.map(|g| g.as_str()))
            .bind(referral.triage.as_ref().map(|t| ms(t.at)))
            .bind(closure.map(|c| ms(c.at)))
            .bind(closure.map(|c| c.destination.kind()))
            .bind(closure.map(|c| c.destination.name()))
            .bind(ms(now))
            .bind(referral.id.to_string())
            .bind(i64::from(expected))
            .execute(&mut *conn)
            .await?;
            if result.rows_affected() != 1 {
                return Err(StoreError::Conflict {
                    expected,
                    current: expected + 1,
                    changes: Vec::new(),
                });
            }
        }
    }
    Ok(())
}

/// Upserts the allocations and contacts touched by `events`.
pub(crate) async fn write_allocations_and_contacts(
    conn: &mut sqlx::AnyConnection,
    referral: &Referral,
    events: &[RecordedEvent],
) -> Result<(), StoreError> {
    let mut touched_allocations = Vec::new();
    let mut touched_contacts = Vec::new();
    for recorded in events {
        match &recorded.event {
            ReferralEvent::Allocated { allocation_id, .. }
            | ReferralEvent::TransitionPlanned { allocation_id, .. }
            | ReferralEvent::AllocationEnded { allocation_id, .. } => {
                touched_allocations.push(*allocation_id)
            }
            ReferralEvent::ContactRecorded { contact } => {
                touched_allocations.push(contact.allocation_id);
                touched_contacts.push(contact.id);
            }
            ReferralEvent::ContactOutcomeRecorded { contact_id, .. } => {
                touched_contacts.push(*contact_id);
                if let Some(c) = referral.contact(*contact_id) {
                    touched_allocations.push(c.allocation_id);
                }
            }
            _ => {}
        }
    }
    touched_allocations.sort();
    touched_allocations.dedup();
    for allocation in referral
        .allocations
        .iter()
        .filter(|a| touched_allocations.contains(&a.id))
    {
        upsert_allocation(conn, referral, allocation).await?;
    }
    for contact in referral
        .contacts
        .iter()
        .filter(|c| touched_contacts.contains(&c.id))
    {
        upsert_contact(conn, referral, contact).await?;
    }
    Ok(())
}

pub(crate) async fn upsert_allocation(
    conn: &mut sqlx::AnyConnection,
    referral: &Referral,
    a: &nwd_domain::referral::Allocation,
) -> Result<(), StoreError> {
    let plan = referral.transition_plan(a.id);
    sqlx::query(
        "INSERT INTO allocations (id, referral_id, person_id, service_id, need_group, origin, priority_rank, clock_start, allocated_at, \
         first_attended_at, second_attended_at, ended_at, end_reason, waiting, transition_planned_on, transition_to, source, \
         family_key, given_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         (SELECT p.family_key FROM persons p WHERE p.id = $3), (SELECT p.given_key FROM persons p WHERE p.id = $3)) \
         ON CONFLICT (id) DO UPDATE SET first_attended_at = excluded.first_attended_at, second_attended_at = excluded.second_attended_at, \
         ended_at = excluded.ended_at, end_reason = excluded.end_reason, waiting = excluded.waiting, \
         transition_planned_on = excluded.transition_planned_on, transition_to = excluded.transition_to",
    )
    .bind(a.id.to_string())
    .bind(referral.id.to_string())
    .bind(referral.person_id.to_string())
    .bind(a.service_id.to_string())
    .bind(a.need_group.as_str())
    .bind(origin_name(a.origin))
    .bind(referral.priority.rank())
    .bind(ms(a.clock_start))
    .bind(ms(a.allocated_at))
    .bind(a.first_attended_at.map(ms))
    .bind(a.second_attended_at.map(ms))
    .bind(a.ended.as_ref().map(|e| ms(e.at)))
    .bind(a.ended.as_ref().map(|e| e.reason.as_str()))
    .bind(flag(a.is_waiting()))
    .bind(plan.map(|p| p.planned_on.to_string()))
    .bind(plan.map(|p| {
        p.receiving_service
            .clone()
            .unwrap_or_else(|| p.outcome.label().to_owned())
    }))
    .bind(referral.source.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn upsert_contact(
    conn: &mut sqlx::AnyConnection,
    referral: &Referral,
    c: &nwd_domain::referral::Contact,
) -> Result<(), StoreError> {
    let service_id = referral
        .allocation(c.allocation_id)
        .map(|a| a.service_id.to_string())
        .unwrap_or_default();
    sqlx::query(
        "INSERT INTO contacts (id, referral_id, allocation_id, person_id, service_id, at, status, mechanism, kind, clinician, \
         duration_minutes, counts_for_access) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, counts_for_access = excluded.counts_for_access",
    )
    .bind(c.id.to_string())
    .bind(referral.id.to_string())
    .bind(c.allocation_id.to_string())
    .bind(referral.person_id.to_string())
    .bind(service_id)
    .bind(ms(c.at))
    .bind(c.status.as_str())
    .bind(c.mechanism.as_str())
    .bind(match c.kind {
        ContactKind::Direct => "direct",
        ContactKind::Indirect { .. } => "indirect",
    })
    .bind(c.clinician.clone())
    .bind(i64::from(c.duration_minutes))
    .bind(flag(counts_for_access(c)))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) fn origin_name(origin: nwd_domain::referral::AllocationOrigin) -> &'static str {
    use nwd_domain::need::StepDirection;
    use nwd_domain::referral::AllocationOrigin;
    match origin {
        AllocationOrigin::Triage => "triage",
        AllocationOrigin::Step(StepDirection::Up) => "step_up",
        AllocationOrigin::Step(StepDirection::Down) => "step_down",
        AllocationOrigin::Additional => "additional",
    }
}
