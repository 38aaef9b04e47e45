//! The store's typed errors. Callers (the HTTP edge, the CLI) map each to a response.

use jiff::Timestamp;
use nwd_domain::DomainError;
use serde::Serialize;

/// One change made by someone else since the version a caller acted on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// Version after the change.
    pub version: u32,
    /// Event type, e.g. `triaged`.
    pub event_type: String,
    /// Who.
    pub actor: String,
    /// When.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// Why a store operation failed. Nothing is written when any of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The domain refused the change.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The thing does not exist.
    #[error("{what} {id} was not found")]
    NotFound {
        /// Kind of thing.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// Someone else changed the record since the caller read it.
    #[error("this record was changed by someone else (now at version {current}, you acted on version {expected})")]
    Conflict {
        /// Version the caller acted on.
        expected: u32,
        /// Version now.
        current: u32,
        /// What changed meanwhile.
        changes: Vec<Change>,
    },
    /// An idempotency key was reused with a different request.
    #[error("this Idempotency-Key was already used for a different request; use a new key for a new request")]
    IdempotencyMismatch,
    /// The database URL is not one we support.
    #[error(
        "unsupported database URL {0:?}: use a SQLite file path, sqlite://path, or postgres://…"
    )]
    UnsupportedUrl(String),
    /// Could not connect.
    #[error("could not connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    /// Migrations failed.
    #[error("database migration failed: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// A stored value could not be read back (a bug or a hand-edited database).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The audit writer could not commit an entry (nothing it held was written).
    #[error("the audit trail could not be written: {0}")]
    AuditWriter(String),
    /// The server's secret key (`NWD_SECRET_KEY_FILE`) could not be read or used.
    #[error("secret key: {0}")]
    SecretKey(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    pub(crate) fn not_found(what: &'static str, id: impl ToString) -> Self {
        StoreError::NotFound {
            what,
            id: id.to_string(),
        }
    }

    /// True when the database reported a unique-constraint violation.
    pub(crate) fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => {
                db.is_unique_violation()
                    || db
                        .code()
                        .is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
            }
            _ => false,
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(error: serde_json::Error) -> Self {
        StoreError::Corrupt(error.to_string())
    }
}
