//! The one refusal type of the shared use cases. It says what went wrong in the terms of the
//! use case (a field, a missing record, the store), never in HTTP: each door renders it its
//! own way — the JSON API as RFC 9457 problem+json (`nwd_http::problem`'s `From` impl), the
//! pages as a form with its errors or an NHS-styled error page.

use nwd_domain::FieldError;
use nwd_store::auth::AuthError;
use nwd_store::StoreError;

/// What a use case refuses with.
#[derive(Debug, thiserror::Error)]
pub enum UseCaseError {
    /// The answers failed validation: one message per field.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// The record does not exist (or the actor may not know that it does).
    #[error("{0}")]
    NotFound(String),
    /// The store refused or failed (its own variants say which).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An account, team or token action was refused or failed (the store's own reasons: a
    /// rule about a field, an action the actor may not take).
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// Anything else (an export that could not be written): logged with an id by the door.
    #[error("{0}")]
    Internal(String),
}

impl UseCaseError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> UseCaseError {
        UseCaseError::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }
}

/// A use case's result.
pub type UseCaseResult<T> = Result<T, UseCaseError>;
