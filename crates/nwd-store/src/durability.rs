//! Durability settings as the database reports them, and SQLite's own integrity check.
//!
//! Read-only. The store reports what the database says; it does not judge: whether a
//! setting is safe enough to serve on is decided by the caller (`nowrongdoor serve` refuses
//! unsafe ones unless told otherwise).

use sqlx::Row;

use crate::{Backend, Store, StoreError};

/// The settings that decide whether a committed write survives a crash or power loss, as
/// read through one of the store's own pool connections (so per-connection settings are the
/// ones the store actually runs with).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurabilityReport {
    /// SQLite: `PRAGMA journal_mode` and `PRAGMA synchronous`.
    Sqlite {
        /// Journal mode, lower case as SQLite reports it (`wal`, `delete`, `memory`, …).
        journal_mode: String,
        /// Synchronous level.
        synchronous: SqliteSynchronous,
    },
    /// PostgreSQL: `current_setting(…)` for each, as the server reports it (`on`, `off`, …).
    Postgres {
        /// `fsync`.
        fsync: String,
        /// `synchronous_commit` (`on`, `remote_apply`, `remote_write`, `local` or `off`).
        synchronous_commit: String,
        /// `full_page_writes`.
        full_page_writes: String,
    },
}

/// SQLite's `PRAGMA synchronous` levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSynchronous {
    /// 0: no syncs at all.
    Off,
    /// 1: in WAL mode, commits are not synced (a power loss can lose the last ones).
    Normal,
    /// 2: every commit is synced.
    Full,
    /// 3: FULL, and the directory is synced after a journal is deleted.
    Extra,
    /// A value this code does not know.
    Unknown(i64),
}

impl SqliteSynchronous {
    fn from_level(level: i64) -> Self {
        match level {
            0 => SqliteSynchronous::Off,
            1 => SqliteSynchronous::Normal,
            2 => SqliteSynchronous::Full,
            3 => SqliteSynchronous::Extra,
            other => SqliteSynchronous::Unknown(other),
        }
    }
}

impl std::fmt::Display for SqliteSynchronous {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SqliteSynchronous::Off => f.write_str("OFF"),
            SqliteSynchronous::Normal => f.write_str("NORMAL"),
            SqliteSynchronous::Full => f.write_str("FULL"),
            SqliteSynchronous::Extra => f.write_str("EXTRA"),
            SqliteSynchronous::Unknown(level) => write!(f, "unknown level {level}"),
        }
    }
}

impl Store {
    /// Reads the database's durability settings.
    pub async fn durability(&self) -> Result<DurabilityReport, StoreError> {
        let mut conn = self.pool.acquire().await?;
        match self.backend {
            Backend::Sqlite => {
                let row = sqlx::query("PRAGMA journal_mode")
                    .fetch_one(&mut *conn)
                    .await?;
                let journal_mode: String = row.try_get(0)?;
                let row = sqlx::query("PRAGMA synchronous")
                    .fetch_one(&mut *conn)
                    .await?;
                let synchronous: i64 = row.try_get(0)?;
                Ok(DurabilityReport::Sqlite {
                    journal_mode: journal_mode.to_ascii_lowercase(),
                    synchronous: SqliteSynchronous::from_level(synchronous),
                })
            }
            Backend::Postgres => {
                let row = sqlx::query(
                    "SELECT current_setting('fsync') AS fsync, \
                     current_setting('synchronous_commit') AS synchronous_commit, \
                     current_setting('full_page_writes') AS full_page_writes",
                )
                .fetch_one(&mut *conn)
                .await?;
                Ok(DurabilityReport::Postgres {
                    fsync: row.try_get("fsync")?,
                    synchronous_commit: row.try_get("synchronous_commit")?,
                    full_page_writes: row.try_get("full_page_writes")?,
                })
            }
        }
    }

    /// SQLite's `PRAGMA integrity_check`: `Some(problems)` (empty when the file is sound) on
    /// SQLite, `None` on PostgreSQL, which has no equivalent built in.
    pub async fn integrity_check(&self) -> Result<Option<Vec<String>>, StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let rows = sqlx::query("PRAGMA integrity_check")
            .fetch_all(&self.pool)
            .await?;
        let mut problems = Vec::new();
        for row in rows {
            let line: String = row.try_get(0)?;
            if line != "ok" {
                problems.push(line);
            }
        }
        Ok(Some(problems))
    }
}
