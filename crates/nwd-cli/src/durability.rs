//! The durability check `serve` makes before it accepts a single request: a referral the
//! server has acknowledged must survive a crash or a power loss, so the server refuses to
//! start on database settings that would let the database forget committed writes, unless
//! the operator says explicitly that this database is disposable
//! (`--allow-unsafe-durability`).
//!
//! The store reports the settings (`Store::durability`); this module decides. It does not
//! change any setting: fixing the database is the operator's decision.

use anyhow::bail;
use nwd_store::durability::{DurabilityReport, SqliteSynchronous};
use nwd_store::Store;

/// One setting that puts acknowledged writes at risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafeSetting {
    /// The setting's name as the database knows it, e.g. `fsync`.
    pub setting: &'static str,
    /// What the database reported.
    pub found: String,
    /// What is required.
    pub required: &'static str,
    /// What can be lost, and how to fix it.
    pub why_and_fix: &'static str,
}

impl std::fmt::Display for UnsafeSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is {} (required: {}): {}",
            self.setting, self.found, self.required, self.why_and_fix
        )
    }
}

/// Every setting in `report` that is unsafe; empty when the database is safe to serve on.
pub fn unsafe_settings(report: &DurabilityReport) -> Vec<UnsafeSetting> {
    let mut found = Vec::new();
    match report {
        DurabilityReport::Sqlite {
            journal_mode,
            synchronous,
        } => {
            if journal_mode != "wal" {
                found.push(UnsafeSetting {
                    setting: "journal_mode",
                    found: journal_mode.clone(),
                    required: "wal",
                    why_and_fix: "the store opens SQLite files in WAL mode; another mode means \
                        the file was opened by something else or is on a file system without \
                        shared memory (e.g. a network share): keep the database on a local disk",
                });
            }
            if !matches!(
                synchronous,
                SqliteSynchronous::Full | SqliteSynchronous::Extra
            ) {
                found.push(UnsafeSetting {
                    setting: "synchronous",
                    found: synchronous.to_string(),
                    required: "FULL or EXTRA",
                    why_and_fix: "below FULL, a power loss can lose referrals that were already \
                        acknowledged; the store sets PRAGMA synchronous = FULL on every \
                        connection, so check for a build or wrapper that overrides it",
                });
            }
        }
        DurabilityReport::Postgres {
            fsync,
            synchronous_commit,
            full_page_writes,
        } => {
            if fsync != "on" {
                found.push(UnsafeSetting {
                    setting: "fsync",
                    found: fsync.clone(),
                    required: "on",
                    why_and_fix: "without fsync a power loss or operating-system crash can lose \
                        acknowledged writes or corrupt the whole cluster: set fsync = on in \
                        postgresql.conf and reload PostgreSQL",
                });
            }
            // `local`, `remote_write` and `remote_apply` all wait for the local WAL flush;
            // only `off` acknowledges before it.
            if synchronous_commit == "off" {
                found.push(UnsafeSetting {
                    setting: "synchronous_commit",
                    found: synchronous_commit.clone(),
                    required: "on, local, remote_write or remote_apply",
                    why_and_fix: "with synchronous_commit off PostgreSQL acknowledges a commit \
                        before it is on disk, so a crash loses the last acknowledged referrals: \
                        set synchronous_commit = on in postgresql.conf, and remove any \
                        ALTER DATABASE/ALTER ROLE … SET synchronous_commit or connection \
                        `options` that turn it off",
                });
            }
            if full_page_writes != "on" {
                found.push(UnsafeSetting {
                    setting: "full_page_writes",
                    found: full_page_writes.clone(),
                    required: "on",
                    why_and_fix: "without full-page writes a torn page after a power loss can \
                        corrupt data beyond repair: set full_page_writes = on in \
                        postgresql.conf and reload PostgreSQL",
                });
            }
        }
    }
    found
}

/// Refuses (an error naming each unsafe setting and its fix) unless the settings are safe
/// or `allow_unsafe` is set, in which case each unsafe setting is logged as a warning.
pub fn decide(report: &DurabilityReport, allow_unsafe: bool) -> anyhow::Result<()> {
    let found = unsafe_settings(report);
    if found.is_empty() {
        return Ok(());
    }
    if allow_unsafe {
        for setting in &found {
            tracing::warn!(
                setting = setting.setting,
                found = %setting.found,
                required = setting.required,
                "serving on an unsafe durability setting because --allow-unsafe-durability \
                 is set: acknowledged referrals can be lost"
            );
        }
        return Ok(());
    }
    let lines: Vec<String> = found.iter().map(|s| format!("  - {s}")).collect();
    bail!(
        "refusing to start: the database's durability settings could lose referrals that \
         were already acknowledged:\n{}\nFix the settings, or, only for a disposable database \
         (a demo or a test), start with --allow-unsafe-durability \
         (NWD_ALLOW_UNSAFE_DURABILITY=true).",
        lines.join("\n")
    )
}

/// Reads the store's settings and decides (see [`decide`]).
pub async fn check(store: &Store, allow_unsafe: bool) -> anyhow::Result<()> {
    let report = store.durability().await?;
    decide(&report, allow_unsafe)
}

#[cfg(test)]
mod tests;
