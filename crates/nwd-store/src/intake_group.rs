//! Intake's group commit (issue 16 item 8; docs/design/0007-intake-group-commit.md).
//!
//! Every write transaction ends by moving the single `data_version` row and the single
//! `audit_head` row, and both stay locked through the commit's flush, so intakes committed
//! one at a time, one flush each (docs/benchmarks.md, "where intake's time goes"). Instead,
//! [`Store::receive_referral`] scores the person, then hands the intake to a committer task
//! and waits. A committer takes every intake waiting (up to [`MAX_GROUP`]) and, in **one**
//! transaction:
//! - runs each intake in a savepoint of its own (`Store::receive_in`): one that fails rolls
//!   back only its savepoint and is answered with its own error; later intakes see earlier
//!   ones' people and idempotency keys, so the same child sent by two doors in one group is
//!   one person, and a repeated key answers the referral the first made;
//! - moves the data version **once** (the figure change log stamps every referral of the
//!   group with it: writers still move the version one at a time and commit before the next
//!   can, `versioned.rs`), appends each intake's own audit entry in order after locking the
//!   chain head once (`audit::append_scopes_after`), and commits: one flush for the group;
//! - answers each caller only after that commit succeeded; if the commit fails, every intake
//!   of the group gets an error and nothing of it was stored — nothing reported accepted is
//!   ever lost.
//!
//! On PostgreSQL [`committers`] tasks share the queue: while one holds the version row through
//! its commit's flush, another runs its group's statements. On SQLite there is one (the store
//! serialises writers in-process anyway).

use std::sync::Arc;

use nwd_domain::PersonId;
use tokio::sync::{mpsc, oneshot, Mutex};

use crate::audit::AuditContext;
use crate::intake::{IdempotencyRequest, Intake, Received};
use crate::{Backend, Store, StoreError};

mod batch;

/// The most intakes committed in one transaction (each adds 20 parameters to the audit
/// insert; 64 keeps it far below either database's limit).
pub(crate) const MAX_GROUP: usize = 64;

/// Committer tasks on PostgreSQL unless `NWD_INTAKE_COMMITTERS` says otherwise (1–8).
pub(crate) const POSTGRES_COMMITTERS: usize = 3;

/// One intake waiting to be committed: everything it needs, owned.
pub(crate) struct Job {
    pub(crate) intake: Intake,
    /// The explicit audit context of the request (its entry commits with the intake).
    pub(crate) audit: AuditContext,
    pub(crate) submitted_by_org: Option<String>,
    pub(crate) idempotency: Option<IdempotencyRequest>,
    /// The matcher's proposal made before queueing, and the matcher's generation then.
    pub(crate) scored: nwd_domain::linking::MatchProposal,
    pub(crate) generation: u64,
}

struct Queued {
    job: Job,
    reply: oneshot::Sender<Result<Received, StoreError>>,
}

/// A handle to the committer tasks.
pub(crate) struct Committer {
    sender: std::sync::Mutex<Option<mpsc::UnboundedSender<Queued>>>,
    /// Taken (shared) by a committer between its first intake and taking the rest of its
    /// group; a test holds it exclusively to gather intakes into one group.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    hold: Arc<tokio::sync::RwLock<()>>,
    /// Intakes queued and not yet answered.
    waiting: Arc<std::sync::atomic::AtomicUsize>,
}

/// How many committer tasks the store runs on `backend`.
pub(crate) fn committers(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => std::env::var("NWD_INTAKE_COMMITTERS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| (1..=8).contains(n))
            .unwrap_or(POSTGRES_COMMITTERS),
    }
}

impl Committer {
    /// Starts the committer tasks on the current Tokio runtime.
    pub(crate) fn spawn(store: &Store) -> Committer {
        let (sender, receiver) = mpsc::unbounded_channel();
        let receiver = Arc::new(Mutex::new(receiver));
        let hold = Arc::new(tokio::sync::RwLock::new(()));
        for _ in 0..committers(store.backend) {
            tokio::spawn(run(store.clone(), receiver.clone(), hold.clone()));
        }
        Committer {
            sender: std::sync::Mutex::new(Some(sender)),
            hold,
            waiting: Arc::default(),
        }
    }

    /// Queues `job` and waits for its group's commit.
    pub(crate) async fn submit(&self, job: Job) -> Result<Received, StoreError> {
        use std::sync::atomic::Ordering;
        let (reply, answer) = oneshot::channel();
        // Counted once it is in the channel (not before): a test that waits for n queued
        // intakes then finds all n there for the committer to take as one group.
        let sent = match self.sender.lock() {
            Ok(sender) => {
                let sent = sender
                    .as_ref()
                    .is_some_and(|s| s.send(Queued { job, reply }).is_ok());
                if sent {
                    self.waiting.fetch_add(1, Ordering::SeqCst);
                }
                sent
            }
            Err(_) => false,
        };
        let answer = if sent {
            let answer = answer.await.ok();
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            answer
        } else {
            None
        };
        answer.ok_or_else(stopped)?
    }

    /// Stops the tasks once the intakes already queued are committed.
    pub(crate) fn close(&self) {
        if let Ok(mut sender) = self.sender.lock() {
            sender.take();
        }
    }
}

fn stopped() -> StoreError {
    StoreError::Database(sqlx::Error::PoolClosed)
}

async fn run(
    store: Store,
    receiver: Arc<Mutex<mpsc::UnboundedReceiver<Queued>>>,
    hold: Arc<tokio::sync::RwLock<()>>,
) {
    loop {
        let mut group = Vec::new();
        {
            let mut receiver = receiver.lock().await;
            match receiver.recv().await {
                Some(first) => group.push(first),
                None => return,
            }
            let _hold = hold.read().await;
            while group.len() < MAX_GROUP {
                match receiver.try_recv() {
                    Ok(next) => group.push(next),
                    Err(_) => break,
                }
            }
        }
        store.commit_group(group).await;
    }
}

impl Store {
    /// The intake committer, started on the current runtime on first use.
    pub(crate) fn intake_committer(&self) -> &Committer {
        self.intake_committer.get_or_init(|| Committer::spawn(self))
    }

    /// Holds the intake committers before they take a group, until the returned guard is
    /// dropped: the intakes queued meanwhile then commit in one group (for tests).
    #[cfg(feature = "testing")]
    pub async fn hold_intake_commits(&self) -> Box<dyn Send> {
        Box::new(self.intake_committer().hold.clone().write_owned().await)
    }

    /// Intakes handed to the committers and not yet answered (for tests).
    #[cfg(feature = "testing")]
    pub fn intakes_waiting(&self) -> usize {
        self.intake_committer()
            .waiting
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Commits `group` in one transaction and answers every caller.
    async fn commit_group(&self, group: Vec<Queued>) {
        let (jobs, replies): (Vec<Job>, Vec<_>) =
            group.into_iter().map(|q| (q.job, q.reply)).unzip();
        let mut registered = Vec::new();
        let outcome = self.run_group(&jobs, &mut registered).await;
        match outcome {
            Ok(results) => {
                for (reply, result) in replies.into_iter().zip(results) {
                    let _ = reply.send(result);
                }
            }
            Err(error) => {
                // Nothing of the group was stored: the matcher forgets its people again.
                for id in registered {
                    self.matcher.forget(id);
                }
                let message = error.to_string();
                tracing::error!(error = %message, intakes = replies.len(), "an intake group failed to commit");
                for reply in replies {
                    let _ = reply.send(Err(StoreError::Database(sqlx::Error::Protocol(format!(
                        "the intake's transaction failed: {message}"
                    )))));
                }
            }
        }
    }

    /// The group's transaction: first the fast path (`batch.rs`: every intake decided in
    /// memory, one statement per table); if any statement of it fails, the group again intake
    /// by intake, each in a savepoint. `Err` when the transaction as a whole failed (nothing
    /// stored); otherwise each intake's own result, in order.
    async fn run_group(
        &self,
        jobs: &[Job],
        registered: &mut Vec<PersonId>,
    ) -> Result<Vec<Result<Received, StoreError>>, StoreError> {
        let mut w = self.begin_write().await?;
        let results = match self.receive_batch(&mut w.tx, jobs, registered).await {
            Ok(results) => results,
            Err(error) => {
                tracing::debug!(%error, intakes = jobs.len(), "an intake group's fast path failed; committing intake by intake");
                w.tx.rollback().await?;
                for id in registered.drain(..) {
                    self.matcher.forget(id);
                }
                // A new transaction under the same writer guard (SQLite).
                let tx = self.pool.begin().await?;
                w = crate::WriteTx {
                    tx,
                    _guard: w._guard,
                    key: w.key,
                };
                self.receive_each(&mut w.tx, jobs, registered).await?
            }
        };
        let audited: Vec<&crate::audit::AuditScope> = jobs
            .iter()
            .zip(&results)
            .filter(|(_, r)| matches!(r, Ok(Received::Created(_))))
            .map(|(job, _)| job.audit.scope())
            .collect();
        if audited.is_empty() {
            // Only repeats and refusals: nothing was written.
            w.tx.rollback().await?;
            return Ok(results);
        }
        let head = self.bump_and_lock_head(&mut w.tx).await?;
        crate::audit::append_scopes_after(&mut w.tx, head, &audited, self.now(), w.key.as_deref())
            .await?;
        w.tx.commit().await?;
        Ok(results)
    }

    /// Moves the data version (`versioned::bump`) and locks the audit chain's head
    /// (`audit::lock_head`), returning the head. From here to the commit's flush the group
    /// holds both rows, so on PostgreSQL the two are one statement (one round trip less while
    /// every other writer waits); the figure change log's trigger on `data_version` runs as it
    /// does for `bump`.
    async fn bump_and_lock_head(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ) -> Result<(i64, String), StoreError> {
        use sqlx::Row as _;
        match self.backend {
            Backend::Sqlite => {
                crate::versioned::bump(tx).await?;
                crate::audit::lock_head(tx).await
            }
            Backend::Postgres => {
                let row = sqlx::query(
                    "WITH bumped AS (UPDATE data_version SET version = version + 1 WHERE id = 1 RETURNING version) \
                     UPDATE audit_head SET seq = seq WHERE id = 1 AND EXISTS (SELECT 1 FROM bumped) RETURNING seq, hash",
                )
                .fetch_one(&mut **tx)
                .await?;
                Ok((row.try_get("seq")?, row.try_get("hash")?))
            }
        }
    }

    /// The group intake by intake, each in a savepoint of its own (a failing one rolls back
    /// alone). `Err` when the transaction itself failed.
    async fn receive_each(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        jobs: &[Job],
        registered: &mut Vec<PersonId>,
    ) -> Result<Vec<Result<Received, StoreError>>, StoreError> {
        use sqlx::Executor as _;
        let mut results = Vec::with_capacity(jobs.len());
        for job in jobs {
            (&mut **tx).execute("SAVEPOINT nwd_intake").await?;
            let mut mine = Vec::new();
            match self.receive_in(tx, job, &mut mine).await {
                Ok(received) => {
                    (&mut **tx).execute("RELEASE SAVEPOINT nwd_intake").await?;
                    registered.append(&mut mine);
                    results.push(Ok(received));
                }
                Err(error) => {
                    (&mut **tx)
                        .execute("ROLLBACK TO SAVEPOINT nwd_intake")
                        .await?;
                    (&mut **tx).execute("RELEASE SAVEPOINT nwd_intake").await?;
                    for id in mine {
                        self.matcher.forget(id);
                    }
                    results.push(Err(error));
                }
            }
        }
        Ok(results)
    }
}
