//! Entries written on their own (reads, denials, sign-ins): how they reach the disk
//! ([`AuditCommit`]), the SQLite flusher for deferred entries, and the store's append.

use super::*;

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

impl Store {
    /// Appends one entry written on its own (reads, denials, sign-ins), flushed as the
    /// store's [`AuditCommit`] says, through the audit writer (`audit_writer.rs`: its own
    /// connection, entries waiting at the same time committed together). Returns its
    /// position in the chain once committed.
    pub async fn append_audit(&self, entry: AuditEntry) -> Result<u64, StoreError> {
        let at = self.now();
        self.audit_writer().append(entry, at).await
    }
}
