//! The audit trail: who read, searched, exported or changed identifiable data, when, from
//! where, why, and with what outcome (including denials).
//!
//! One submodule per area: the entry and its scope (`entry`), the keyed hash chain (`chain`:
//! append, head trigger, MAC), verification (`verify`), reading the trail (`read`), and how
//! an entry written on its own reaches the disk (`commit`).
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

mod chain;
mod commit;
mod entry;
mod read;
mod verify;

pub(crate) use chain::{
    append, append_scope, append_scopes_after, head, install_head_trigger, lock_head,
};
pub use chain::{chain_hash, HEAD_MOVED, HEAD_TRIGGER};
pub(crate) use commit::spawn_flusher;
pub use commit::{AuditCommit, DEFERRED_FLUSH_EVERY};
pub use entry::{AuditEntry, AuditRecord, AuditScope};
pub(crate) use read::{record_from_row, SELECT};
pub use verify::{AuditCheck, AuditCheckpoint, AuditVerification, BrokenEntry};

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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
