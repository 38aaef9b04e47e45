//! The streamed import: a producer on a blocking thread (the demo generator: synchronous and
//! CPU-bound) hands the directory and then batches of referrals over a bounded channel to the
//! [`Importer`](super::Importer) on the async side, so generating and inserting overlap and
//! only a few batches are in memory between them. Nothing is committed unless the producer
//! finished without error and every row went in.

use nwd_domain::about::AboutYoungPerson;
use nwd_domain::directory::{Organisation, Service};
use nwd_domain::person::Person;
use nwd_domain::referral::{RecordedEvent, Referral};
use nwd_domain::PersonId;
use tokio::sync::mpsc;

use super::DirectoryImport;
use crate::{Store, StoreError};

/// The directory and the people of a streamed import, owned (they cross to the async side).
#[derive(Debug, Clone, Default)]
pub struct ImportDirectory {
    /// Organisations.
    pub organisations: Vec<Organisation>,
    /// Services.
    pub services: Vec<Service>,
    /// People.
    pub persons: Vec<Person>,
    /// "About the young person" records, at most one per person.
    pub abouts: Vec<(PersonId, AboutYoungPerson)>,
}

/// What the producer sends.
enum Part {
    Directory(ImportDirectory),
    Referrals(Vec<(Vec<RecordedEvent>, Referral)>),
}

/// The import stopped taking data (a row failed, or the importer was dropped): the producer
/// should stop and return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the import stopped taking data")]
pub struct ImportStopped;

/// The producer's end of a streamed import: the directory once, first; then the referrals.
/// Each call blocks while the channel is full (call it from a blocking thread).
pub struct ImportFeed {
    sender: mpsc::Sender<Part>,
}

impl ImportFeed {
    /// Hands over the directory and the people (once, before any referral).
    pub fn directory(&self, directory: ImportDirectory) -> Result<(), ImportStopped> {
        self.sender
            .blocking_send(Part::Directory(directory))
            .map_err(|_| ImportStopped)
    }

    /// Hands over a batch of referrals: each one's history and the state it produces.
    pub fn referrals(
        &self,
        batch: Vec<(Vec<RecordedEvent>, Referral)>,
    ) -> Result<(), ImportStopped> {
        self.sender
            .blocking_send(Part::Referrals(batch))
            .map_err(|_| ImportStopped)
    }
}

/// Why a streamed import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError<E> {
    /// A row failed, or the transaction could not commit.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The producer returned this error.
    #[error("the data could not be produced: {0}")]
    Producer(E),
    /// The producer panicked, sent referrals before the directory, or sent no directory.
    #[error("the data's producer failed: {0}")]
    Feed(&'static str),
}

impl Store {
    /// Imports what `produce` hands to its [`ImportFeed`] in one transaction, as
    /// [`Store::import`] does (the same rows, audit entry and upkeep), while `produce` runs on
    /// a blocking thread: at most `capacity` batches wait between the two. `progress` is told
    /// the referrals stored so far after each batch. Commits only once `produce` has returned
    /// `Ok` and every row is in; answers what `produce` returned.
    pub async fn import_streamed<T, E>(
        &self,
        audit: &crate::audit::AuditContext,
        capacity: usize,
        progress: &mut (dyn FnMut(u64) + Send),
        produce: impl FnOnce(&ImportFeed) -> Result<T, E> + Send + 'static,
    ) -> Result<T, ImportError<E>>
    where
        T: Send + 'static,
        E: Send + 'static,
    {
        let (sender, mut receiver) = mpsc::channel(capacity.max(1));
        let producer = tokio::task::spawn_blocking(move || produce(&ImportFeed { sender }));
        let stored = async {
            let Some(Part::Directory(directory)) = receiver.recv().await else {
                return Err(ImportError::Feed("no directory before the referrals"));
            };
            let mut importer = self
                .begin_import(
                    audit,
                    DirectoryImport {
                        organisations: &directory.organisations,
                        services: &directory.services,
                        persons: &directory.persons,
                        abouts: &directory.abouts,
                    },
                )
                .await?;
            drop(directory);
            while let Some(part) = receiver.recv().await {
                let Part::Referrals(batch) = part else {
                    return Err(ImportError::Feed("a second directory"));
                };
                let pairs: Vec<(&[RecordedEvent], &Referral)> = batch
                    .iter()
                    .map(|(events, state)| (events.as_slice(), state))
                    .collect();
                importer.add(&pairs).await?;
                progress(importer.referrals_added());
            }
            Ok(importer)
        }
        .await;
        // On a failure the receiver goes here, so the producer's next send stops it.
        drop(receiver);
        let produced = producer.await;
        let importer = stored?;
        match produced {
            Ok(Ok(answer)) => {
                importer.finish().await?;
                Ok(answer)
            }
            Ok(Err(error)) => Err(ImportError::Producer(error)),
            Err(_) => Err(ImportError::Feed("the producer panicked")),
        }
    }
}
