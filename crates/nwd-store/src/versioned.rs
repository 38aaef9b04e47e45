//! The data version and the figures kept under it.
//!
//! `data_version` (migration 0007) holds one number that every data-changing write
//! transaction increases just before it commits ([`bump`], called by `WriteTx::commit`, by
//! retention and by the out-of-request safeguarding override), inside the same transaction.
//! Figures computed from the whole record — the commissioner dashboard, the transition list —
//! are kept in memory under the version read **before** they were computed, and served only
//! while the version read for the next request is the same. A change committed meanwhile
//! (by this process or another on the same database) moves the version, so a kept figure is
//! never older than the last committed change; a change committed *during* a computation can
//! only make the kept figure newer than its version, and the next read recomputes it anyway.
//!
//! Two writes do not move the version, because they change no table these figures read: a
//! read's own audit entry (`Store::append_audit`) and a session's idle-clock refresh.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use jiff::civil::Date;
use sqlx::Row;

use crate::dashboard::{Dashboard, DashboardQuery};
use crate::lists::TransitionListEntry;
use crate::{Store, StoreError};

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
    /// The transition list, by the day it was computed for.
    pub(crate) transitions: Kept<Date, Vec<TransitionListEntry>>,
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
