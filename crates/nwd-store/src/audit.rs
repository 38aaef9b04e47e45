// Over 600 lines, not yet split: the seams are the entry and its scope, the keyed hash chain
// (append, head trigger, MAC), verification, and reading pages of the trail; left for the
// next session of issue 16 item 7 because this session's time ran out (a pure move).
//! The audit trail: who read, searched, exported or changed identifiable data, when, from
//! where, why, and with what outcome (including denials).
//!
//! - **Same transaction as the data.** Every store function that changes data takes an
//!   [`AuditContext`] argument (`audit_context.rs`): the HTTP edge builds it from the
//!   [`AuditScope`] the route guard opened for the request and put in its extensions, the
//!   command line for its operator, a background job for itself. The write transaction appends
//!   the context's entry before it commits ([`crate::WriteTx::commit_audited`], once per
//!   context), so a change and its audit row commit together or not at all. Nothing is
//!   ambient: there is no task-local or global scope, and no other way to commit a write.
//!   A read writes its entry after the data is read and before the response leaves (the
//!   guard, from the scope the handler annotated); if that append fails the data is not
//!   returned (the edge answers 503).
//! - **Tamper-evident.** Each entry stores the SHA-256 of the previous entry and of itself over
//!   a canonical serialisation; [`Store::verify_audit`] recomputes the chain and names the first
//!   broken entry. The chain head is a single row that the insert itself moves (a trigger,
//!   [`HEAD_TRIGGER`], which refuses a row that does not follow the head), so entries chain in
//!   commit order on PostgreSQL as on SQLite.
//! - **Append-only.** Triggers refuse UPDATE and DELETE on both databases, and on PostgreSQL
//!   the table's UPDATE/DELETE/TRUNCATE privileges are revoked from PUBLIC
//!   (`append_only.rs`).

use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use nwd_domain::PersonId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::codec::{ms, ts};
use crate::{Store, StoreError};

pub use crate::audit_context::AuditContext;

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit record, before it is chained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// When (set at append).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
    /// The user, when signed in.
    pub user_id: Option<String>,
    /// The username, when signed in.
    pub username: Option<String>,
    /// The user's roles, comma-separated (empty when anonymous).
    pub roles: String,
    /// The user's organisation.
    pub organisation_id: Option<String>,
    /// An opaque session reference (never the session id itself).
    pub session_id: Option<String>,
    /// The client address.
    pub address: Option<String>,
    /// `read`, `search`, `export`, `change`, `sign_in`, `break_glass`, …
    pub action: String,
    /// The route pattern, e.g. `GET /api/referrals/{id}`.
    pub route: String,
    /// What kind of record: `referral`, `person`, `waiting_list`, `audit`, …
    pub record_type: String,
    /// The record's id.
    pub record_id: Option<String>,
    /// The young person the record is about.
    pub person_id: Option<String>,
    /// Why access was allowed: `relationship:<team>`, `break_glass:<grant>`, `role:<role>`,
    /// `public`, or the reason for a denial.
    pub why: String,
    /// `allowed`, `denied`, `failed`.
    pub outcome: String,
    /// HTTP status (0 when recorded inside a committing transaction).
    pub status: u16,
    /// Extra detail (search filters, the sections returned).
    pub detail: Option<String>,
}

impl AuditEntry {
    /// An entry with the given route and action, everything else empty.
    pub fn new(route: impl Into<String>, action: impl Into<String>) -> AuditEntry {
        AuditEntry {
            at: Timestamp::UNIX_EPOCH,
            user_id: None,
            username: None,
            roles: String::new(),
            organisation_id: None,
            session_id: None,
            address: None,
            action: action.into(),
            route: route.into(),
            record_type: "none".into(),
            record_id: None,
            person_id: None,
            why: "public".into(),
            outcome: "allowed".into(),
            status: 0,
            detail: None,
        }
    }
}

/// An entry as stored, with its place in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// The entry.
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
    /// HMAC-SHA-256 of (position, hash) under the server's key (`secrets.rs`); `None` for
    /// entries written without a key.
    #[serde(skip)]
    pub mac: Option<String>,
}

/// What a request's audit scope holds: the entry so far, and whether a write transaction
/// already appended it.
#[derive(Debug)]
struct ScopeState {
    entry: AuditEntry,
    written: bool,
}

/// The audit entry of one action (a request, a command), shared by the door that opened it
/// and the store's write transactions that commit it (through an [`AuditContext`]). Cloning
/// shares it: every clone sees the same entry and whether it was written.
#[derive(Debug, Clone)]
pub struct AuditScope(Arc<Mutex<ScopeState>>);

impl AuditScope {
    /// A scope for one request.
    pub fn new(entry: AuditEntry) -> AuditScope {
        AuditScope(Arc::new(Mutex::new(ScopeState {
            entry,
            written: false,
        })))
    }

    fn with<T>(&self, f: impl FnOnce(&mut ScopeState) -> T) -> T {
        // A poisoned lock only means another thread panicked mid-update: the state is still
        // a plain value, so carry on with it.
        let mut guard = match self.0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    /// Records which young person the request concerns (known to the store only, e.g. at
    /// intake when the person is matched or registered).
    pub fn set_person(&self, person: PersonId) {
        self.with(|s| s.entry.person_id = Some(person.to_string()));
    }

    /// Records the record the request created or changed.
    pub fn set_record(&self, record_type: &str, id: String) {
        self.with(|s| {
            s.entry.record_type = record_type.to_owned();
            s.entry.record_id = Some(id);
        });
    }

    /// Records why access or a change was allowed (e.g. `safeguarding override:<id>`).
    pub fn set_why(&self, why: String) {
        self.with(|s| s.entry.why = why);
    }

    /// Adds detail.
    pub fn set_detail(&self, detail: String) {
        self.with(|s| s.entry.detail = Some(detail));
    }

    /// The entry so far.
    pub fn entry(&self) -> AuditEntry {
        self.with(|s| s.entry.clone())
    }

    /// Whether a write transaction already appended this request's entry.
    pub fn written(&self) -> bool {
        self.with(|s| s.written)
    }

    fn mark_written(&self) {
        self.with(|s| s.written = true);
    }
}

/// SHA-256 over the previous hash and a canonical serialisation of the entry.
pub fn chain_hash(seq: u64, prev_hash: &str, entry: &AuditEntry) -> String {
    let canonical = serde_json::json!([
        seq,
        prev_hash,
        entry.at.as_millisecond(),
        entry.user_id,
        entry.username,
        entry.roles,
        entry.organisation_id,
        entry.session_id,
        entry.address,
        entry.action,
        entry.route,
        entry.record_type,
        entry.record_id,
        entry.person_id,
        entry.why,
        entry.outcome,
        entry.status,
        entry.detail,
    ]);
    let mut hasher = Sha256::new();
    hasher.update(canonical.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

/// The trigger that moves the chain head as an entry is inserted (installed at start-up on
/// both databases, [`install_head_trigger`]): an `INSERT` into `audit_log` succeeds only if
/// the row follows the head exactly — its `seq` is the head's plus one and its `prev_hash` is
/// the head's hash — and moves the head to it in the same statement. So an entry is one
/// statement (an autocommit `INSERT` for the audit writer), nobody can insert an entry that
/// does not chain onto the head, and two writers that both think they hold the head cannot
/// both succeed: the second is refused and re-reads the head.
pub const HEAD_TRIGGER: &str = "audit_log_moves_head";

/// The message (SQLite) or text (PostgreSQL) of the trigger's refusal.
pub const HEAD_MOVED: &str = "audit chain head moved";

/// Installs (idempotently) [`HEAD_TRIGGER`].
pub(crate) async fn install_head_trigger(
    pool: &sqlx::AnyPool,
    backend: crate::Backend,
) -> Result<(), StoreError> {
    use sqlx::Executor;
    match backend {
        crate::Backend::Sqlite => {
            pool.execute(
                format!(
                    "CREATE TRIGGER IF NOT EXISTS {HEAD_TRIGGER} BEFORE INSERT ON audit_log BEGIN \
                     SELECT RAISE(ABORT, '{HEAD_MOVED}') WHERE NOT EXISTS (SELECT 1 FROM \
                     audit_head WHERE id = 1 AND seq = NEW.seq - 1 AND hash = NEW.prev_hash); \
                     UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1; END"
                )
                .as_str(),
            )
            .await?;
        }
        crate::Backend::Postgres => {
            // Under READ COMMITTED a second writer's UPDATE waits for the first to commit,
            // then re-checks its condition against the moved head, finds nothing and raises.
            pool.execute(
                format!(
                    "CREATE OR REPLACE FUNCTION nwd_audit_move_head() RETURNS trigger \
                     LANGUAGE plpgsql AS $$ BEGIN \
                     UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash \
                     WHERE id = 1 AND seq = NEW.seq - 1 AND hash = NEW.prev_hash; \
                     IF NOT FOUND THEN RAISE EXCEPTION '{HEAD_MOVED}: entry % does not follow \
                     the head', NEW.seq; END IF; RETURN NEW; END $$"
                )
                .as_str(),
            )
            .await?;
            pool.execute(
                format!(
                    "CREATE OR REPLACE TRIGGER {HEAD_TRIGGER} BEFORE INSERT ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION nwd_audit_move_head()"
                )
                .as_str(),
            )
            .await?;
        }
    }
    Ok(())
}

/// The chain head (`seq`, `hash`), unlocked.
pub(crate) async fn head(pool: &sqlx::AnyPool) -> Result<(i64, String), StoreError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(pool)
        .await?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}

/// Locks the chain head until the transaction ends and returns it (`seq`, `hash`). The update
/// changes nothing; it takes the row lock (PostgreSQL) or the write lock (SQLite).
pub(crate) async fn lock_head(conn: &mut sqlx::AnyConnection) -> Result<(i64, String), StoreError> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    Ok((head.try_get("seq")?, head.try_get("hash")?))
}

/// Appends `entry` (stamped `at`) inside the caller's transaction. Locks the chain head until
/// the transaction ends; the insert moves it ([`HEAD_TRIGGER`]).
pub(crate) async fn append(
    conn: &mut sqlx::AnyConnection,
    mut entry: AuditEntry,
    at: Timestamp,
    key: Option<&crate::secrets::SecretKey>,
) -> Result<u64, StoreError> {
    entry.at = at;
    let (head_seq, prev_hash) = lock_head(conn).await?;
    let seq = (head_seq + 1) as u64;
    let hash = chain_hash(seq, &prev_hash, &entry);
    let mac = key.map(|k| k.audit_mac(seq, &hash));
    sqlx::query(
        "INSERT INTO audit_log (seq, at, user_id, username, roles, organisation_id, session_id, \
         address, action, route, record_type, record_id, person_id, why, outcome, status, detail, \
         prev_hash, hash, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
         $14, $15, $16, $17, $18, $19, $20)",
    )
    .bind(seq as i64)
    .bind(ms(entry.at))
    .bind(entry.user_id)
    .bind(entry.username)
    .bind(entry.roles)
    .bind(entry.organisation_id)
    .bind(entry.session_id)
    .bind(entry.address)
    .bind(entry.action)
    .bind(entry.route)
    .bind(entry.record_type)
    .bind(entry.record_id)
    .bind(entry.person_id)
    .bind(entry.why)
    .bind(entry.outcome)
    .bind(i64::from(entry.status))
    .bind(entry.detail)
    .bind(prev_hash)
    .bind(hash)
    .bind(mac)
    .execute(&mut *conn)
    .await?;
    Ok(seq)
}

/// Appends `scope`'s entry (once per scope) inside a committing write transaction.
pub(crate) async fn append_scope(
    conn: &mut sqlx::AnyConnection,
    scope: &AuditScope,
    at: Timestamp,
    key: Option<&crate::secrets::SecretKey>,
) -> Result<(), StoreError> {
    if scope.written() {
        return Ok(());
    }
    let mut entry = scope.entry();
    entry.action = if entry.action == "read" {
        "change".into()
    } else {
        entry.action
    };
    entry.outcome = "allowed".into();
    append(conn, entry, at, key).await?;
    scope.mark_written();
    Ok(())
}

/// Appends the entries of `scopes` not yet appended, in order, inside a committing write
/// transaction (intake's group commit, `intake_group.rs`), after the chain head `head`
/// (`seq`, `hash`) that the caller locked in this transaction ([`lock_head`], or the
/// statement that also moved the data version): the entries are chained in memory and
/// inserted by one statement (the head trigger still checks and moves the head row by row).
pub(crate) async fn append_scopes_after(
    conn: &mut sqlx::AnyConnection,
    head: (i64, String),
    scopes: &[&AuditScope],
    at: Timestamp,
    key: Option<&crate::secrets::SecretKey>,
) -> Result<(), StoreError> {
    let scopes: Vec<&AuditScope> = scopes.iter().copied().filter(|s| !s.written()).collect();
    if scopes.is_empty() {
        return Ok(());
    }
    let (head_seq, mut prev_hash) = head;
    let mut rows = Vec::with_capacity(scopes.len());
    for (i, scope) in scopes.iter().enumerate() {
        let mut entry = scope.entry();
        entry.action = if entry.action == "read" {
            "change".into()
        } else {
            entry.action
        };
        entry.outcome = "allowed".into();
        entry.at = at;
        let seq = (head_seq + 1) as u64 + i as u64;
        let hash = chain_hash(seq, &prev_hash, &entry);
        let mac = key.map(|k| k.audit_mac(seq, &hash));
        rows.push((
            seq,
            entry,
            std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
            mac,
        ));
    }
    let mut sql = String::from(
        "INSERT INTO audit_log (seq, at, user_id, username, roles, organisation_id, session_id, \
         address, action, route, record_type, record_id, person_id, why, outcome, status, detail, \
         prev_hash, hash, mac) VALUES ",
    );
    for i in 0..rows.len() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 1..=20 {
            if c > 1 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", i * 20 + c));
        }
        sql.push(')');
    }
    let mut query = sqlx::query(&sql);
    for (seq, entry, prev, hash, mac) in rows {
        query = query
            .bind(seq as i64)
            .bind(ms(entry.at))
            .bind(entry.user_id)
            .bind(entry.username)
            .bind(entry.roles)
            .bind(entry.organisation_id)
            .bind(entry.session_id)
            .bind(entry.address)
            .bind(entry.action)
            .bind(entry.route)
            .bind(entry.record_type)
            .bind(entry.record_id)
            .bind(entry.person_id)
            .bind(entry.why)
            .bind(entry.outcome)
            .bind(i64::from(entry.status))
            .bind(entry.detail)
            .bind(prev)
            .bind(hash)
            .bind(mac);
    }
    query.execute(&mut *conn).await?;
    for scope in scopes {
        scope.mark_written();
    }
    Ok(())
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditVerification {
    /// Entries checked.
    pub entries: u64,
    /// The first entry whose hash or link does not verify, with what is wrong.
    pub first_broken: Option<BrokenEntry>,
}

/// A broken link in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrokenEntry {
    /// Its position.
    pub seq: u64,
    /// What is wrong.
    pub problem: String,
}

pub(crate) fn record_from_row(row: &sqlx::any::AnyRow) -> Result<AuditRecord, StoreError> {
    let status: i64 = row.try_get("status")?;
    Ok(AuditRecord {
        seq: row.try_get::<i64, _>("seq")? as u64,
        entry: AuditEntry {
            at: ts(row.try_get("at")?)?,
            user_id: row.try_get("user_id")?,
            username: row.try_get("username")?,
            roles: row.try_get("roles")?,
            organisation_id: row.try_get("organisation_id")?,
            session_id: row.try_get("session_id")?,
            address: row.try_get("address")?,
            action: row.try_get("action")?,
            route: row.try_get("route")?,
            record_type: row.try_get("record_type")?,
            record_id: row.try_get("record_id")?,
            person_id: row.try_get("person_id")?,
            why: row.try_get("why")?,
            outcome: row.try_get("outcome")?,
            status: u16::try_from(status).unwrap_or(u16::MAX),
            detail: row.try_get("detail")?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
        mac: row.try_get("mac")?,
    })
}

pub(crate) const SELECT: &str =
    "SELECT seq, at, user_id, username, roles, organisation_id, session_id, \
    address, action, route, record_type, record_id, person_id, why, outcome, status, detail, \
    prev_hash, hash, mac FROM audit_log";

/// How an audit entry written on its own — a read's, a denial's, a sign-in's — reaches the
/// disk. A change's entry is always committed and flushed in the change's own transaction,
/// whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuditCommit {
    /// Committed and flushed to disk before the response leaves (the default): a power
    /// failure loses no entry. Costs one disk flush per read.
    #[default]
    Durable,
    /// Committed before the response leaves — so a failed write still withholds the data —
    /// but flushed by the database shortly after: the audit writer's own connection runs with
    /// PostgreSQL's `synchronous_commit = off` (the WAL writer flushes within 3 ×
    /// `wal_writer_delay`, 0.6 s by default) or SQLite's `synchronous = NORMAL` plus a flush
    /// of the WAL within [`DEFERRED_FLUSH_EVERY`]; pooled connections, which commit changes,
    /// keep full durability. A crash of the application loses nothing; a power
    /// failure or operating-system crash can lose the entries of that last fraction of a
    /// second, always a suffix of the chain, so `audit verify` still passes.
    Deferred,
}

impl std::str::FromStr for AuditCommit {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "durable" => Ok(AuditCommit::Durable),
            "deferred" => Ok(AuditCommit::Deferred),
            other => Err(format!(
                "unknown audit commit mode {other:?}: use `durable` (flush every entry) or `deferred` (flush within a second)"
            )),
        }
    }
}

/// How often, at most, deferred SQLite audit entries wait for their flush.
pub const DEFERRED_FLUSH_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// On SQLite with [`AuditCommit::Deferred`]: a task that flushes the WAL (a passive
/// checkpoint, which syncs the WAL first) whenever deferred entries are waiting. It stops
/// when the pool closes.
pub(crate) fn spawn_flusher(store: &Store) {
    let pool = store.pool.clone();
    let unflushed = store.audit_unflushed.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(DEFERRED_FLUSH_EVERY);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                break;
            }
            if unflushed.swap(false, std::sync::atomic::Ordering::AcqRel) {
                if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    unflushed.store(true, std::sync::atomic::Ordering::Release);
                    tracing::warn!(error = %error, "could not flush deferred audit entries; will retry");
                }
            }
        }
    });
}

/// The last entry this process found the chain intact up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheckpoint {
    /// Its position.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
    /// When the whole chain was last verified from the first entry.
    pub full_at: Option<Timestamp>,
}

/// What one check of the chain did and found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    /// The result: entries verified (in total, the remembered prefix included) and the first
    /// broken one.
    pub verification: AuditVerification,
    /// Whether the whole chain was recomputed (otherwise only the entries from `from_seq`).
    pub full: bool,
    /// The first entry recomputed by this check.
    pub from_seq: u64,
    /// When this check ran.
    pub at: Timestamp,
    /// When the whole chain was last recomputed by this process, if ever.
    pub full_at: Option<Timestamp>,
}

fn lock_ignoring_poison<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// A verification and the hash of its last verified entry.
struct VerifiedTo {
    verification: AuditVerification,
    last_hash: String,
}

/// Recomputes the entries after `after` (whose hash is `prev`), then checks the head.
async fn verify_after(
    conn: &mut sqlx::AnyConnection,
    after: u64,
    prev: String,
    key: Option<&crate::secrets::SecretKey>,
) -> Result<VerifiedTo, StoreError> {
    let mut expected_prev = prev;
    let mut expected_seq = after + 1;
    let mut after = after as i64;
    loop {
        let rows = sqlx::query(&format!("{SELECT} WHERE seq > $1 ORDER BY seq LIMIT 5000"))
            .bind(after)
            .fetch_all(&mut *conn)
            .await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let record = record_from_row(row)?;
            let broken = |problem: &str| {
                Ok(VerifiedTo {
                    verification: AuditVerification {
                        entries: expected_seq - 1,
                        first_broken: Some(BrokenEntry {
                            seq: record.seq,
                            problem: problem.to_owned(),
                        }),
                    },
                    last_hash: String::new(),
                })
            };
            if record.seq != expected_seq {
                return broken(&format!(
                    "entry {expected_seq} is missing (next present is {})",
                    record.seq
                ));
            }
            if record.prev_hash != expected_prev {
                return broken("its previous-hash link does not match the entry before it");
            }
            if chain_hash(record.seq, &record.prev_hash, &record.entry) != record.hash {
                return broken("its content does not match its hash: it was altered");
            }
            // The chain alone can be recomputed by anyone who can write to the database; the
            // MAC needs the server's key, which the database never holds.
            if let Some(key) = key {
                match &record.mac {
                    Some(mac) if key.audit_mac_matches(record.seq, &record.hash, mac) => {}
                    Some(_) => {
                        return broken(
                            "its MAC does not verify with the server's key: the entry (or one \
                             before it) was altered and the chain recomputed without the key",
                        )
                    }
                    None if record.seq >= key.audit_keyed_from() => {
                        return broken(
                            "it carries no MAC although it was written after the key was \
                             configured: it was added or rewritten without the key",
                        )
                    }
                    None => {}
                }
            }
            expected_prev = record.hash;
            expected_seq += 1;
            after = record.seq as i64;
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    let head_seq = head.try_get::<i64, _>("seq")? as u64;
    let head_hash: String = head.try_get("hash")?;
    if head_seq != expected_seq - 1 || head_hash != expected_prev {
        return Ok(VerifiedTo {
            verification: AuditVerification {
                entries: expected_seq - 1,
                first_broken: Some(BrokenEntry {
                    seq: expected_seq,
                    problem: format!(
                        "the chain ends at entry {} but its head records entry {head_seq}: \
                         entries were removed from the end",
                        expected_seq - 1
                    ),
                }),
            },
            last_hash: String::new(),
        });
    }
    Ok(VerifiedTo {
        verification: AuditVerification {
            entries: expected_seq - 1,
            first_broken: None,
        },
        last_hash: expected_prev,
    })
}

impl Store {
    /// Appends one entry written on its own (reads, denials, sign-ins), flushed as the
    /// store's [`AuditCommit`] says, through the audit writer (`audit_writer.rs`: its own
    /// connection, entries waiting at the same time committed together). Returns its
    /// position in the chain once committed.
    pub async fn append_audit(&self, entry: AuditEntry) -> Result<u64, StoreError> {
        let at = self.now();
        self.audit_writer().append(entry, at).await
    }

    /// Recomputes the chain from the first entry; names the first broken one. When the chain
    /// verifies, this process remembers its last entry ([`Store::verify_audit_since_last`]
    /// starts after it).
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        Ok(self.check_audit(true).await?.verification)
    }

    /// Verifies only the entries added since this process last verified the chain (fully or
    /// so), and that the last entry then verified is still there with the same hash; the whole
    /// chain when nothing is remembered yet. Tampering with an entry before the remembered one
    /// is found only by the full check ([`Store::verify_audit`]); the privacy officer's page
    /// offers both and says which it did.
    pub async fn verify_audit_since_last(&self) -> Result<AuditCheck, StoreError> {
        self.check_audit(false).await
    }

    /// Verifies the whole chain (`full`) or only what was added since this process last
    /// verified it ([`Store::verify_audit_since_last`]), saying which was done and when.
    pub async fn check_audit(&self, full: bool) -> Result<AuditCheck, StoreError> {
        let remembered = lock_ignoring_poison(&self.audit_verified).clone();
        let start = if full { None } else { remembered.clone() };
        let key = self.secret.as_deref();
        let mut conn = self.pool.acquire().await?;
        let at = self.now();
        let verification = match &start {
            None => verify_after(&mut conn, 0, GENESIS.to_owned(), key).await?,
            Some(checkpoint) if checkpoint.seq == 0 => {
                verify_after(&mut conn, 0, GENESIS.to_owned(), key).await?
            }
            Some(checkpoint) => {
                let row = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1")
                    .bind(checkpoint.seq as i64)
                    .fetch_optional(&mut *conn)
                    .await?;
                let still: Option<String> = row.map(|r| r.try_get("hash")).transpose()?;
                if still.as_deref() != Some(checkpoint.hash.as_str()) {
                    VerifiedTo {
                        verification: AuditVerification {
                            entries: checkpoint.seq.saturating_sub(1),
                            first_broken: Some(BrokenEntry {
                                seq: checkpoint.seq,
                                problem: "this entry was verified earlier but has since been \
                                          removed or its hash changed"
                                    .into(),
                            }),
                        },
                        last_hash: String::new(),
                    }
                } else {
                    verify_after(&mut conn, checkpoint.seq, checkpoint.hash.clone(), key).await?
                }
            }
        };
        let from_seq = start.as_ref().map_or(1, |c| c.seq + 1);
        let full_at = if start.is_none() {
            Some(at)
        } else {
            remembered.as_ref().and_then(|c| c.full_at)
        };
        let check = AuditCheck {
            full: start.is_none(),
            from_seq,
            at,
            full_at,
            verification: verification.verification,
        };
        // A broken chain is forgotten, so that every later check starts from the first entry
        // again and keeps reporting it.
        *lock_ignoring_poison(&self.audit_verified) = check
            .verification
            .first_broken
            .is_none()
            .then_some(AuditCheckpoint {
                seq: check.verification.entries,
                hash: verification.last_hash,
                full_at,
            });
        Ok(check)
    }

    /// Everything recorded about one young person (privacy officer; subject access request),
    /// oldest first, break-glass included.
    pub async fn audit_for_person(&self, person: &str) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(&format!("{SELECT} WHERE person_id = $1 ORDER BY seq"))
            .bind(person)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(record_from_row).collect()
    }

    /// Everything one user did, oldest first.
    pub async fn audit_for_user(&self, user: &str) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(&format!("{SELECT} WHERE user_id = $1 ORDER BY seq"))
            .bind(user)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(record_from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_every_field_and_the_link() {
        let entry = AuditEntry::new("GET /api/referrals/{id}", "read");
        let base = chain_hash(1, GENESIS, &entry);
        assert_eq!(base, chain_hash(1, GENESIS, &entry));
        assert_ne!(base, chain_hash(2, GENESIS, &entry));
        assert_ne!(base, chain_hash(1, &"1".repeat(64), &entry));
        let changed = AuditEntry {
            outcome: "denied".into(),
            ..entry.clone()
        };
        assert_ne!(base, chain_hash(1, GENESIS, &changed));
        let changed = AuditEntry {
            person_id: Some("p".into()),
            ..entry
        };
        assert_ne!(base, chain_hash(1, GENESIS, &changed));
    }
}
