//! # nwd-store — the only crate with SQL
//!
//! Owns the schema (`migrations/`), the connection pool, transactions, and repository
//! functions named by use case (`receive_referral`, `execute`, `waiting_list`, …). It runs
//! the same queries on SQLite (the embedded default: one file, WAL, foreign keys on,
//! `synchronous=FULL`) and PostgreSQL (production), through sqlx's `Any` driver with `$n`
//! placeholders that both accept.
//!
//! It does **not** own rules: every change is decided by `nwd-domain` and stored as events
//! plus a projection, in one transaction. It does not know HTTP.
//!
//! Concurrency: every referral change names the version it was decided against; a change
//! decided against an older version is refused with [`StoreError::Conflict`], listing what
//! changed meanwhile. On SQLite, writers are serialised in-process (SQLite allows one writer
//! at a time; waiting on a mutex is kinder than `SQLITE_BUSY`).

pub mod about;
pub mod admin;
mod append_only;
pub mod audit;
mod audit_context;
mod audit_writer;
pub mod auth;
mod bulk;
pub mod calibrate;
mod codec;
pub mod commissioning;
pub mod consent;
pub mod consultation;
pub mod dashboard;
pub mod demo;
mod directory;
pub mod drafts;
pub mod durability;
mod error;
mod intake;
mod intake_group;
mod lists;
pub mod measure_links;
pub mod measure_texts;
mod measurement;
pub mod oidc;
pub mod population;
pub mod privacy;
pub mod provision;
mod referrals;
mod register;
pub mod retention;
pub mod role_grants;
pub mod safeguarding;
mod search;
pub mod secrets;
mod shutdown;
pub mod status;
#[cfg(feature = "testing")]
pub mod testing;
mod urgency;
mod versioned;
pub use append_only::APPEND_ONLY_TABLES;

use std::sync::Arc;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use nwd_domain::linking::{NhsNumberOnly, PersonMatcher};
use nwd_domain::standards::DefaultStandards;
use sqlx::any::{AnyPoolOptions, AnyQueryResult};
use sqlx::{AnyPool, Executor};
use tokio::sync::Mutex;

pub use about::{AboutDoor, StoredAbout};
pub use bulk::{
    DemoImport, DirectoryImport, ImportDirectory, ImportError, ImportFeed, ImportProgress,
    ImportStopped, Importer,
};
pub use directory::ServiceFilter;
pub use error::{Change, StoreError};
pub use intake::{IdempotencyRequest, Intake, IntakeOutcome};
pub use lists::{Caseload, CaseloadEntry, TransitionListEntry, WaitingList};
pub use referrals::{ReferralPage, ReferralSearch, ReferralSort, ReferralSummary};
pub use register::{MatchReview, PersonHistory, PersonMerge, ReviewDecision};
pub use search::{ListedPerson, ListedReferral, ReferralList, COUNT_CAP};
pub use urgency::{CrisisEntry, CrisisFilter, CrisisList, OverdueReviews};

/// Which database is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// Source of "now". Production uses the system clock; tests pin it.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The system clock, truncated to whole milliseconds (the precision instants are stored at,
/// so a state rebuilt from stored events equals the state computed in memory).
pub fn system_clock() -> Clock {
    Arc::new(|| truncate_to_millis(Timestamp::now()))
}

/// Truncates an instant to whole milliseconds.
pub fn truncate_to_millis(ts: Timestamp) -> Timestamp {
    Timestamp::from_millisecond(ts.as_millisecond()).unwrap_or(ts)
}

/// How to open the store.
#[derive(Clone)]
pub struct StoreOptions {
    /// `sqlite://path.db`, a plain file path, or `postgres://…`.
    pub database_url: String,
    /// Maximum pool connections.
    pub max_connections: u32,
    /// The area's time zone (dates, days waited, breach dates).
    pub tz: TimeZone,
    /// Default standards and the transition notice period.
    pub standards: DefaultStandards,
    /// Clock.
    pub clock: Clock,
    /// The demographic matcher (default: none, only the NHS-number rule links).
    pub matcher: Arc<dyn PersonMatcher>,
    /// Roles, session timeouts, the grace period and the breached-password list.
    pub access: auth::AccessSettings,
    /// How audit entries written on their own (reads, denials, sign-ins) reach the disk.
    pub audit_commit: audit::AuditCommit,
    /// The server's secret key (audit MACs, sealed TOTP secrets; `secrets.rs`). `None`: for
    /// an SQLite file, the key file beside it (`<database>.key`, created on first start);
    /// for PostgreSQL, none — audit entries are then not MACed and TOTP secrets not sealed,
    /// which `serve` refuses (`NWD_SECRET_KEY_FILE`).
    pub secret_key: Option<secrets::SecretKey>,
}

impl StoreOptions {
    /// Options with defaults: 16 connections, Europe/London, system clock.
    pub fn new(database_url: impl Into<String>, standards: DefaultStandards) -> Self {
        StoreOptions {
            database_url: database_url.into(),
            max_connections: 16,
            tz: TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC),
            standards,
            clock: system_clock(),
            matcher: Arc::new(NhsNumberOnly),
            access: auth::AccessSettings::default(),
            audit_commit: audit::AuditCommit::Durable,
            secret_key: None,
        }
    }
}

/// The store: a pool plus what every use case needs.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    write_lock: Option<Arc<Mutex<()>>>,
    tz: TimeZone,
    standards: Arc<DefaultStandards>,
    clock: Clock,
    matcher: Arc<dyn PersonMatcher>,
    access: auth::AccessSettings,
    audit_commit: audit::AuditCommit,
    /// Deferred audit entries committed but not yet known to be on disk (SQLite).
    audit_unflushed: Arc<std::sync::atomic::AtomicBool>,
    /// The task appending entries written on their own, started on first use.
    audit_writer: Arc<std::sync::OnceLock<audit_writer::AuditWriter>>,
    /// The last audit entry this process found the chain intact up to.
    audit_verified: Arc<std::sync::Mutex<Option<audit::AuditCheckpoint>>>,
    /// Whole-record figures kept under the data version they were computed at.
    cached: Arc<versioned::Cached>,
    /// The server's secret key, when there is one.
    secret: Option<Arc<secrets::SecretKey>>,
    /// Where a test can stop a consent decision between its checks and its write.
    #[cfg(feature = "testing")]
    consent_gate: Arc<testing::Gate>,
    /// The tasks committing intakes in groups (`intake_group.rs`), started on first use.
    intake_committer: Arc<std::sync::OnceLock<intake_group::Committer>>,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Store {
    /// Connects, applying SQLite's durability settings, and runs pending migrations.
    pub async fn connect(options: StoreOptions) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalise_url(&options.database_url)?;
        let mut pool_options = AnyPoolOptions::new().max_connections(options.max_connections);
        if backend == Backend::Sqlite {
            pool_options = pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL for concurrent readers; FULL so a commit survives power loss;
                    // foreign keys checked; wait rather than fail if another process writes.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    // 64 MiB page cache per connection: large imports and list queries
                    // stay in memory instead of re-reading the WAL.
                    conn.execute("PRAGMA cache_size = -65536").await?;
                    conn.execute("PRAGMA temp_store = MEMORY").await?;
                    Ok(())
                })
            });
        }
        let pool = pool_options
            .connect(&url)
            .await
            .map_err(StoreError::Connect)?;
        let key_path = (backend == Backend::Sqlite)
            .then(|| sqlite_path(&url))
            .flatten()
            .map(|p| std::path::PathBuf::from(format!("{p}.key")));
        let mut store = Store {
            pool,
            backend,
            write_lock: (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(()))),
            tz: options.tz,
            standards: Arc::new(options.standards),
            clock: options.clock,
            matcher: options.matcher,
            access: options.access,
            audit_commit: options.audit_commit,
            audit_unflushed: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            audit_writer: Arc::new(std::sync::OnceLock::new()),
            audit_verified: Arc::new(std::sync::Mutex::new(None)),
            cached: Arc::new(versioned::Cached::default()),
            secret: None,
            #[cfg(feature = "testing")]
            consent_gate: Arc::default(),
            intake_committer: Arc::new(std::sync::OnceLock::new()),
        };
        store.migrate().await?;
        store.secret = match (options.secret_key, key_path) {
            (Some(key), _) => Some(Arc::new(key)),
            (None, Some(path)) => {
                let next = audit::head(&store.pool).await?.0 as u64 + 1;
                Some(Arc::new(secrets::SecretKey::load_or_create(&path, next)?))
            }
            (None, None) => None,
        };
        store.seal_plain_totp_secrets().await?;
        append_only::protect(&store.pool, backend).await?;
        audit::install_head_trigger(&store.pool, backend).await?;
        versioned::install_change_log(&store.pool, backend).await?;
        search::fill_search_keys(&store.pool).await?;
        urgency::fill_crisis_positions(&store).await?;
        store.load_register_into_matcher().await?;
        if store.audit_commit == audit::AuditCommit::Deferred && backend == Backend::Sqlite {
            audit::spawn_flusher(&store);
        }
        Ok(store)
    }

    /// Applies pending migrations (idempotent), then fills what a migration could not compute
    /// in SQL (the follow-up counts of open allocations, [`Store::fill_measure_counts`]).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(StoreError::Migrate)?;
        self.fill_measure_counts().await?;
        Ok(())
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The area's time zone.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// Default standards in force.
    pub fn standards(&self) -> &DefaultStandards {
        &self.standards
    }

    /// Replaces the demographic matcher (e.g. once parameters are estimated) and loads the
    /// register into it.
    pub async fn set_matcher(&mut self, matcher: Arc<dyn PersonMatcher>) -> Result<(), StoreError> {
        self.matcher = matcher;
        self.load_register_into_matcher().await
    }

    /// Now, by the store's clock.
    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// Liveness of the database: a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_: AnyQueryResult| ())
            .map_err(StoreError::from)
    }

    /// Rows in one of the store's tables (diagnostics, the demo summary and tests).
    pub async fn count_rows(&self, table: &str) -> Result<i64, StoreError> {
        const TABLES: &[&str] = &[
            "organisations",
            "services",
            "persons",
            "referrals",
            "referral_events",
            "allocations",
            "contacts",
            "idempotency_keys",
            "users",
            "teams",
            "sessions",
            "api_tokens",
            "break_glass",
            "audit_log",
            "status_links",
            "measure_links",
            "measure_texts",
            "commissioning_versions",
            "population",
            "population_loads",
            "consultations",
            "journey_drafts",
            "match_decisions",
        ];
        let table = TABLES
            .iter()
            .find(|t| **t == table)
            .ok_or_else(|| StoreError::not_found("table", table))?;
        let row = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(&self.pool)
            .await?;
        Ok(sqlx::Row::try_get::<i64, _>(&row, "n")?)
    }

    /// Stops the audit writer (after the entries already sent) and closes the pool.
    pub async fn close(&self) {
        if let Some(committer) = self.intake_committer.get() {
            committer.close();
        }
        if let Some(writer) = self.audit_writer.get() {
            writer.close().await;
        }
        self.pool.close().await;
    }

    /// The audit writer, started on the current runtime on first use.
    pub(crate) fn audit_writer(&self) -> &audit_writer::AuditWriter {
        self.audit_writer.get_or_init(|| {
            audit_writer::AuditWriter::spawn(audit_writer::WriterParts {
                pool: self.pool.clone(),
                backend: self.backend,
                mode: self.audit_commit,
                write_lock: self.write_lock.clone(),
                unflushed: self.audit_unflushed.clone(),
                key: self.secret.clone(),
            })
        })
    }

    /// Starts a write transaction, holding the in-process writer lock on SQLite.
    async fn begin_write(&self) -> Result<WriteTx<'_>, StoreError> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx {
            tx,
            _guard: guard,
            key: self.secret.clone(),
        })
    }
}

/// A write transaction plus the SQLite writer guard, released together.
pub(crate) struct WriteTx<'a> {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<tokio::sync::MutexGuard<'a, ()>>,
    /// The key that MACs the audit entries appended in it.
    key: Option<Arc<secrets::SecretKey>>,
}

impl WriteTx<'_> {
    /// Moves the data version and commits without an audit entry: only for the fixtures of
    /// tests and benchmarks (`create_user`, `create_team`, `create_api_token`), never a door's.
    #[cfg(any(test, feature = "testing"))]
    pub(crate) async fn commit_fixture(mut self) -> Result<(), StoreError> {
        versioned::bump(&mut self.tx).await?;
        self.tx.commit().await?;
        Ok(())
    }

    /// Moves the data version, appends `audit`'s entry (once per context: a request's one
    /// entry, written by its first change) and commits: the change, the new version and the
    /// audit row commit together or not at all.
    pub(crate) async fn commit_audited(
        mut self,
        at: Timestamp,
        audit: &audit::AuditContext,
    ) -> Result<(), StoreError> {
        versioned::bump(&mut self.tx).await?;
        audit::append_scope(&mut self.tx, audit.scope(), at, self.key.as_deref()).await?;
        self.tx.commit().await?;
        Ok(())
    }
}

/// The file of an SQLite URL as `normalise_url` writes it (`sqlite://path?…`), if it is one.
fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://")?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

fn normalise_url(url: &str) -> Result<(String, Backend), StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((url.to_string(), Backend::Postgres))
    } else if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        if path.contains('?') || path == ":memory:" {
            Ok((url.to_string(), Backend::Sqlite))
        } else {
            Ok((format!("sqlite://{path}?mode=rwc"), Backend::Sqlite))
        }
    } else if !url.contains("://") && !url.is_empty() {
        Ok((format!("sqlite://{url}?mode=rwc"), Backend::Sqlite))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_normalised() {
        assert_eq!(
            normalise_url("nwd.db").unwrap(),
            ("sqlite://nwd.db?mode=rwc".into(), Backend::Sqlite)
        );
        assert_eq!(
            normalise_url("sqlite://a/b.db").unwrap(),
            ("sqlite://a/b.db?mode=rwc".into(), Backend::Sqlite)
        );
        assert_eq!(
            normalise_url("postgres://x@h/db").unwrap().1,
            Backend::Postgres
        );
        assert!(normalise_url("mysql://x").is_err());
    }
}
