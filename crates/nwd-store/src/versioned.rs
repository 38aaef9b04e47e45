//! The data version and the figures kept under it.
//!
//! `data_version` (migration 0007) holds one number that every data-changing write
//! transaction increases just before it commits ([`bump`], called by `WriteTx::commit_audited`, by
//! retention and by the out-of-request safeguarding override; intake's group commit moves it
//! once per group, on PostgreSQL in one statement with locking the audit head,
//! `intake_group.rs`), inside the same transaction.
//! Figures computed from the whole record — the commissioner dashboard, the transition list —
//! are kept in memory under the version read **before** they were computed, and served only
//! while the version read for the next request is the same. A change committed meanwhile
//! (by this process or another on the same database) moves the version, so a kept figure is
//! never older than the last committed change; a change committed *during* a computation can
//! only make the kept figure newer than its version, and the next read recomputes it anyway.
//!
//! Two writes do not move the version, because they change no table these figures read: a
//! read's own audit entry (`Store::append_audit`) and a session's idle-clock refresh.
//!
//! The dashboard also needs to know **what** changed, so that its first request after a
//! change does not read the whole record again (`dashboard::mirror`). The figure change log
//! (migration 0010, `figure_changes`) holds one row per referral with the version at which
//! its referral, allocation or contact rows last changed. [`install_change_log`] puts the
//! triggers in place at connect (their syntax differs between the databases): any insert,
//! update or delete of those rows — whichever code path makes it, the bulk import, a merge
//! and retention included — sets the referral's row to NULL, and moving the data version
//! stamps every NULL row with the new version in the same statement. Writers move the
//! version one at a time and commit before the next can (the row lock on PostgreSQL, one
//! writer on SQLite), so once a reader has seen version V, every change made by a
//! transaction with version V or lower is visible to it, stamped V or lower.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use jiff::civil::Date;
use sqlx::Row;

use crate::dashboard::{Dashboard, DashboardQuery};
use crate::lists::TransitionListEntry;
use crate::{Backend, Store, StoreError};

/// The most entries one kind of figure keeps (different filters of the dashboard); when
/// full, it starts again empty.
const CAPACITY: usize = 64;

/// Increases the data version inside a write transaction.
pub(crate) async fn bump(tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> Result<(), StoreError> {
    sqlx::query("UPDATE data_version SET version = version + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The tables whose rows make up a referral's part of the dashboard's inputs, each with the
/// column naming the referral.
const LOGGED: [(&str, &str); 3] = [
    ("referrals", "id"),
    ("allocations", "referral_id"),
    ("contacts", "referral_id"),
];

/// SQLite's triggers that mark a referral in the figure change log when a row of one of the
/// [`LOGGED`] tables is inserted, updated or deleted: (name, `CREATE TRIGGER IF NOT EXISTS`
/// statement). A referral already marked in this transaction is not written again (one row
/// per referral however many of its rows change).
pub(crate) fn sqlite_change_log_triggers() -> Vec<(String, String)> {
    let mark = |id: &str| {
        format!(
            "INSERT INTO figure_changes (referral_id, version) SELECT {id}, NULL \
             WHERE NOT EXISTS (SELECT 1 FROM figure_changes WHERE referral_id = {id} AND version IS NULL) \
             ON CONFLICT (referral_id) DO UPDATE SET version = NULL;"
        )
    };
    let mut triggers = Vec::new();
    for (table, column) in LOGGED {
        for (op, rows) in [
            ("INSERT", vec!["NEW"]),
            ("UPDATE", vec!["NEW", "OLD"]),
            ("DELETE", vec!["OLD"]),
        ] {
            let body: String = rows
                .iter()
                .map(|row| mark(&format!("{row}.{column}")))
                .collect();
            let name = format!("{table}_figure_changes_{}", op.to_lowercase());
            let create = format!(
                "CREATE TRIGGER IF NOT EXISTS {name} AFTER {op} ON {table} BEGIN {body} END"
            );
            triggers.push((name, create));
        }
    }
    triggers
}

/// Installs (idempotently) the triggers that keep the figure change log (see the module
/// documentation).
pub(crate) async fn install_change_log(
    pool: &sqlx::AnyPool,
    backend: Backend,
) -> Result<(), StoreError> {
    use sqlx::Executor;
    match backend {
        Backend::Sqlite => {
            for (_, create) in sqlite_change_log_triggers() {
                pool.execute(create.as_str()).await?;
            }
            pool.execute(
                "CREATE TRIGGER IF NOT EXISTS data_version_stamps_figure_changes AFTER UPDATE ON data_version \
                 BEGIN UPDATE figure_changes SET version = NEW.version WHERE version IS NULL; END",
            )
            .await?;
        }
        Backend::Postgres => {
            for (table, column) in LOGGED {
                let mark = |row: &str| {
                    format!(
                        "INSERT INTO figure_changes (referral_id, version) VALUES ({row}.{column}, NULL) \
                         ON CONFLICT (referral_id) DO UPDATE SET version = NULL \
                         WHERE figure_changes.version IS NOT NULL;"
                    )
                };
                pool.execute(
                    format!(
                        "CREATE OR REPLACE FUNCTION nwd_{table}_figure_changes() RETURNS trigger LANGUAGE plpgsql AS \
                         $$ BEGIN \
                         IF TG_OP <> 'DELETE' THEN {new} END IF; \
                         IF TG_OP = 'DELETE' THEN {old} \
                         ELSIF TG_OP = 'UPDATE' THEN \
                           IF OLD.{column} IS DISTINCT FROM NEW.{column} THEN {old} END IF; \
                         END IF; \
                         RETURN NULL; END $$",
                        new = mark("NEW"),
                        old = mark("OLD"),
                    )
                    .as_str(),
                )
                .await?;
                pool.execute(
                    format!(
                        "CREATE OR REPLACE TRIGGER {table}_figure_changes AFTER INSERT OR UPDATE OR DELETE \
                         ON {table} FOR EACH ROW EXECUTE FUNCTION nwd_{table}_figure_changes()"
                    )
                    .as_str(),
                )
                .await?;
            }
            pool.execute(
                "CREATE OR REPLACE FUNCTION nwd_stamp_figure_changes() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN UPDATE figure_changes SET version = NEW.version WHERE version IS NULL; \
                 RETURN NULL; END $$",
            )
            .await?;
            pool.execute(
                "CREATE OR REPLACE TRIGGER data_version_stamps_figure_changes AFTER UPDATE ON data_version \
                 FOR EACH ROW EXECUTE FUNCTION nwd_stamp_figure_changes()",
            )
            .await?;
        }
    }
    Ok(())
}

/// Figures of one kind, by key, each with the version it was computed at.
pub(crate) struct Kept<K, V> {
    entries: Mutex<HashMap<K, (i64, Arc<V>)>>,
}

impl<K, V> Default for Kept<K, V> {
    fn default() -> Self {
        Kept {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V> Kept<K, V> {
    /// The figure for `key` if it was computed at `version`.
    pub(crate) fn get(&self, key: &K, version: i64) -> Option<Arc<V>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(at, _)| *at == version)
            .map(|(_, value)| Arc::clone(value))
    }

    /// Keeps `value` for `key` at `version`, dropping every figure of an older version.
    pub(crate) fn put(&self, key: K, version: i64, value: Arc<V>) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (at, _)| *at >= version);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
            entries.insert(key, (version, value));
        }
    }
}

/// Everything kept under the data version.
#[derive(Default)]
pub(crate) struct Cached {
    /// The dashboard, by query.
    pub(crate) dashboard: Kept<DashboardQuery, Dashboard>,
    /// The dashboard's inputs, brought up to date from the figure change log on each new
    /// version (`None` until first used, or after a failed update).
    pub(crate) mirror: tokio::sync::Mutex<Option<crate::dashboard::mirror::Mirror>>,
    /// Set once `mirror` has been read whole for the first time (it is only emptied again by
    /// an error, and then read again by the next caller).
    pub(crate) mirror_read: std::sync::atomic::AtomicBool,
    /// Count the statements' activity by one scan of the kept inputs, as before they were
    /// filed by service and time (`Store::count_activity_by_scan`, for the benchmark).
    #[cfg(feature = "testing")]
    pub(crate) activity_by_scan: std::sync::atomic::AtomicBool,
    /// The transition list, by the day it was computed for.
    pub(crate) transitions: Kept<Date, Vec<TransitionListEntry>>,
    /// Every service's waits to a first contact over the last 12 months, by day.
    pub(crate) first_waits:
        Kept<Date, HashMap<nwd_domain::ServiceId, nwd_domain::waits::WaitDistribution>>,
}

impl Store {
    /// The current data version (see the module documentation).
    pub async fn data_version(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT version FROM data_version WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("version")?)
    }
}
