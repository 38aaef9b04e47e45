//! Stopping cleanly: what the server does after its last request (Ctrl-C or SIGTERM). The
//! audit writer finishes and flushes the entries it was given, SQLite's write-ahead log is
//! checkpointed into the database file and truncated (so the file alone is the whole record,
//! for a backup or a copy taken after the stop), and the pool closes. A crash instead loses
//! nothing acknowledged either — the WAL is replayed on the next open — but leaves it to do.

use crate::{Backend, Store, StoreError};

impl Store {
    /// Flushes the audit writer, checkpoints SQLite's WAL (`PRAGMA wal_checkpoint(TRUNCATE)`)
    /// and closes the pool. Call once, after the server stopped taking requests.
    pub async fn shut_down(&self) -> Result<(), StoreError> {
        if let Some(writer) = self.audit_writer.get() {
            writer.close().await;
        }
        let result = if self.backend == Backend::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await
                .map(|_| ())
                .map_err(StoreError::from)
        } else {
            Ok(())
        };
        self.pool.close().await;
        result
    }
}
