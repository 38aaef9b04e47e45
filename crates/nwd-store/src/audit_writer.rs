//! The audit writer: appends the entries written on their own — reads', denials', sign-ins'
//! — through one task and one connection of its own, committing every entry that is waiting
//! in one transaction (group commit).
//!
//! Why: an entry written on its own was a transaction of its own on a pooled connection —
//! take a connection, `BEGIN`, lock the chain head, store its new hash, insert, `COMMIT` (and,
//! for [`AuditCommit::Deferred`] on SQLite, set `synchronous` and set it back) — which cost as
//! much as the reads it describes (docs/benchmarks.md, "What access control costs per read").
//! The writer instead:
//! - keeps its connection, set once to the [`AuditCommit`] mode's durability (SQLite
//!   `synchronous`, PostgreSQL `synchronous_commit`); the pool's connections keep FULL
//!   durability, so a change and its audit row still always commit flushed;
//! - remembers the chain head it last wrote and chains the new entries after it, so that an
//!   append is one autocommit `INSERT`: the head trigger ([`crate::audit::HEAD_TRIGGER`])
//!   moves the head as each row is inserted and refuses the statement if the head is not the
//!   remembered one; when another writer (a change's transaction, another process) moved it
//!   meanwhile, the head is locked and read again in a transaction and the entries chained
//!   after it — so entries still chain in commit order across transactions and processes;
//! - commits every entry waiting when a transaction starts together, up to [`MAX_BATCH`]: under
//!   load one flush serves many requests (`Durable`), one at a time nothing waits.
//!
//! Every caller still waits for its own entry's commit ([`AuditWriter::append`]): a failed
//! write fails every entry of that transaction and the edge withholds their responses (503).

use jiff::Timestamp;
use sqlx::Connection as _;
use tokio::sync::{mpsc, oneshot, Mutex};

use crate::audit::{chain_hash, AuditCommit, AuditEntry};
use crate::codec::ms;
use crate::{Backend, StoreError};

/// The most entries committed in one transaction.
pub const MAX_BATCH: usize = 256;

enum Message {
    /// An entry already stamped with its time.
    Append {
        entry: Box<AuditEntry>,
        reply: oneshot::Sender<Result<u64, String>>,
    },
    Close {
        done: oneshot::Sender<()>,
    },
}

/// A handle to the writer task (cheap to clone).
#[derive(Clone)]
pub(crate) struct AuditWriter {
    sender: mpsc::UnboundedSender<Message>,
}

/// What the task needs from the store.
pub(crate) struct WriterParts {
    pub pool: sqlx::AnyPool,
    pub backend: Backend,
    pub mode: AuditCommit,
    pub write_lock: Option<std::sync::Arc<Mutex<()>>>,
    pub unflushed: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// The key that MACs each entry (`audit_log.mac`), when the server has one.
    pub key: Option<std::sync::Arc<crate::secrets::SecretKey>>,
}

impl AuditWriter {
    /// Starts the task on the current Tokio runtime.
    pub(crate) fn spawn(parts: WriterParts) -> AuditWriter {
        let (sender, receiver) = mpsc::unbounded_channel();
        tokio::spawn(run(parts, receiver));
        AuditWriter { sender }
    }

    /// Appends `entry` stamped `at`; returns its position once committed.
    pub(crate) async fn append(
        &self,
        mut entry: AuditEntry,
        at: Timestamp,
    ) -> Result<u64, StoreError> {
        entry.at = at;
        let (reply, answer) = oneshot::channel();
        self.sender
            .send(Message::Append {
                entry: Box::new(entry),
                reply,
            })
            .map_err(|_| StoreError::AuditWriter("the audit writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::AuditWriter("the audit writer stopped mid-write".into()))?
            .map_err(StoreError::AuditWriter)
    }

    /// Stops the task after the entries already sent, closing its connection.
    pub(crate) async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.sender.send(Message::Close { done }).is_ok() {
            let _ = closed.await;
        }
    }
}

/// The writer's connection and what it remembers of the chain head.
struct Writer {
    parts: WriterParts,
    conn: Option<sqlx::AnyConnection>,
    /// `(seq, hash)` of the last entry this writer committed, while nobody is known to have
    /// moved the head since.
    head: Option<(i64, String)>,
}

async fn run(parts: WriterParts, mut receiver: mpsc::UnboundedReceiver<Message>) {
    let mut writer = Writer {
        parts,
        conn: None,
        head: None,
    };
    while let Some(first) = receiver.recv().await {
        let mut entries = Vec::new();
        let mut replies = Vec::new();
        let mut close = None;
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Append { entry, reply } => {
                    entries.push(*entry);
                    replies.push(reply);
                }
                Message::Close { done } => close = Some(done),
            }
            if close.is_none() && entries.len() < MAX_BATCH {
                next = receiver.try_recv().ok();
            }
        }
        if !entries.is_empty() {
            match writer.write(entries).await {
                Ok(first_seq) => {
                    for (i, reply) in replies.into_iter().enumerate() {
                        let _ = reply.send(Ok(first_seq + i as u64));
                    }
                }
                Err(error) => {
                    tracing::error!(error = %error, entries = replies.len(), "audit write failed");
                    // Start again from a fresh connection and a re-read head.
                    writer.conn = None;
                    writer.head = None;
                    let message = error.to_string();
                    for reply in replies {
                        let _ = reply.send(Err(message.clone()));
                    }
                }
            }
        }
        if let Some(done) = close {
            if let Some(conn) = writer.conn.take() {
                let _ = conn.close().await;
            }
            let _ = done.send(());
            break;
        }
    }
}

impl Writer {
    /// The writer's own connection, taken out of the pool and set to the mode's durability.
    async fn connection(&mut self) -> Result<&mut sqlx::AnyConnection, StoreError> {
        let conn = match self.conn.take() {
            Some(conn) => conn,
            None => {
                let mut conn = self.parts.pool.acquire().await?.detach();
                match (self.parts.mode, self.parts.backend) {
                    (AuditCommit::Durable, _) => {}
                    (AuditCommit::Deferred, Backend::Sqlite) => {
                        sqlx::query("PRAGMA synchronous = NORMAL")
                            .execute(&mut conn)
                            .await?;
                    }
                    (AuditCommit::Deferred, Backend::Postgres) => {
                        sqlx::query("SET synchronous_commit = off")
                            .execute(&mut conn)
                            .await?;
                    }
                }
                conn
            }
        };
        Ok(self.conn.insert(conn))
    }

    /// Commits `entries` together; returns the first one's position.
    ///
    /// With a remembered head this is one autocommit multi-row `INSERT`: the rows are chained
    /// after the remembered head before the statement is sent, and the head trigger
    /// ([`crate::audit::HEAD_TRIGGER`]) moves the head row by row, refusing the whole
    /// statement if the head is no longer the remembered one (another transaction or process
    /// appended meanwhile). Then, as when nothing is remembered, the head is locked and read in
    /// a transaction and the rows chained after it.
    async fn write(&mut self, entries: Vec<AuditEntry>) -> Result<u64, StoreError> {
        let write_lock = self.parts.write_lock.clone();
        let _guard = match &write_lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        let remembered = self.head.take();
        let backend = self.parts.backend;
        let key = self.parts.key.clone();
        let n = entries.len() as i64;
        let conn = self.connection().await?;
        let mut written = None;
        if let Some((seq, hash)) = remembered {
            let (rows, last_hash) = chain(seq, hash, &entries);
            match insert_rows(&mut *conn, &rows, key.as_deref()).await {
                Ok(()) => written = Some((seq, last_hash)),
                Err(error) => {
                    tracing::debug!(error = %error, "audit head moved; appending under its lock")
                }
            }
        }
        let (last_seq, last_hash) = match written {
            Some(written) => written,
            None => {
                let mut tx = conn.begin().await?;
                let (seq, hash) = crate::audit::lock_head(&mut tx).await?;
                let (rows, last_hash) = chain(seq, hash, &entries);
                insert_rows(&mut tx, &rows, key.as_deref()).await?;
                tx.commit().await?;
                (seq, last_hash)
            }
        };
        if self.parts.mode == AuditCommit::Deferred && backend == Backend::Sqlite {
            self.parts
                .unflushed
                .store(true, std::sync::atomic::Ordering::Release);
        }
        self.head = Some((last_seq + n, last_hash));
        Ok((last_seq + 1) as u64)
    }
}

/// One chained row: position, entry, previous hash, own hash.
type Chained<'a> = (u64, &'a AuditEntry, String, String);

/// Chains `entries` after the entry at `seq` whose hash is `hash`; returns the rows and the
/// last hash.
fn chain(seq: i64, mut hash: String, entries: &[AuditEntry]) -> (Vec<Chained<'_>>, String) {
    let mut rows = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let position = (seq + 1) as u64 + i as u64;
        let own = chain_hash(position, &hash, entry);
        rows.push((
            position,
            entry,
            std::mem::replace(&mut hash, own.clone()),
            own,
        ));
    }
    (rows, hash)
}

const COLUMNS: usize = 20;

/// Inserts the chained rows in one statement (so that, in autocommit, they commit together
/// or not at all): at most [`MAX_BATCH`] × 20 = 5,120 parameters, within SQLite's 32,766 and
/// PostgreSQL's 65,535. Each row carries its MAC when the server has a key.
async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    rows: &[Chained<'_>],
    key: Option<&crate::secrets::SecretKey>,
) -> Result<(), StoreError> {
    let mut sql = String::from(
        "INSERT INTO audit_log (seq, at, user_id, username, roles, organisation_id, \
         session_id, address, action, route, record_type, record_id, person_id, why, \
         outcome, status, detail, prev_hash, hash, mac) VALUES ",
    );
    for r in 0..rows.len() {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..COLUMNS {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * COLUMNS + c + 1));
        }
        sql.push(')');
    }
    let mut query = sqlx::query(&sql);
    for (seq, entry, prev_hash, hash) in rows {
        query = query
            .bind(*seq as i64)
            .bind(ms(entry.at))
            .bind(entry.user_id.clone())
            .bind(entry.username.clone())
            .bind(entry.roles.clone())
            .bind(entry.organisation_id.clone())
            .bind(entry.session_id.clone())
            .bind(entry.address.clone())
            .bind(entry.action.clone())
            .bind(entry.route.clone())
            .bind(entry.record_type.clone())
            .bind(entry.record_id.clone())
            .bind(entry.person_id.clone())
            .bind(entry.why.clone())
            .bind(entry.outcome.clone())
            .bind(i64::from(entry.status))
            .bind(entry.detail.clone())
            .bind(prev_hash.clone())
            .bind(hash.clone())
            .bind(key.map(|k| k.audit_mac(*seq, hash)));
    }
    query.execute(&mut *conn).await?;
    Ok(())
}
