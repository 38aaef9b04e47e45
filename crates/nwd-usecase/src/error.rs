//! The one refusal type of the shared use cases. It says what went wrong in the terms of the
//! use case (a field, a missing record, the store), never in HTTP: each door renders it its
//! own way — the JSON API as RFC 9457 problem+json (`nwd_http::problem`'s `From` impl), the
//! pages as a form with its errors or an NHS-styled error page.

use nwd_domain::{DomainError, FieldError};
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
    /// The store refused or failed for a reason other than a field (its own variants say
    /// which); a field's rule becomes [`UseCaseError::Invalid`].
    #[error(transparent)]
    Store(StoreError),
    /// An account, team or token action was refused or failed for a reason other than a
    /// field (an action the actor may not take, a failed sign-in, storage); a field's rule
    /// becomes [`UseCaseError::Invalid`], so every door shows it beside the field.
    #[error(transparent)]
    Auth(AuthError),
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

impl From<StoreError> for UseCaseError {
    fn from(error: StoreError) -> UseCaseError {
        match error {
            StoreError::Domain(DomainError::Invalid(errors)) => UseCaseError::Invalid(errors.0),
            other => UseCaseError::Store(other),
        }
    }
}

impl From<AuthError> for UseCaseError {
    fn from(error: AuthError) -> UseCaseError {
        match error {
            AuthError::Invalid { field, message } => UseCaseError::field(field, message),
            AuthError::Store(error) => error.into(),
            other => UseCaseError::Auth(other),
        }
    }
}

/// A use case's result.
pub type UseCaseResult<T> = Result<T, UseCaseError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_rule_from_the_store_is_shown_beside_its_field() {
        let error = UseCaseError::from(AuthError::Invalid {
            field: "password",
            message: "at least 12 characters".into(),
        });
        match error {
            UseCaseError::Invalid(fields) => {
                assert_eq!(fields.len(), 1);
                assert_eq!(fields[0].field, "password");
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
        let store = StoreError::Domain(DomainError::invalid("name", "give the team a name"));
        assert!(
            matches!(UseCaseError::from(store), UseCaseError::Invalid(f) if f[0].field == "name")
        );
        assert!(matches!(
            UseCaseError::from(AuthError::Forbidden("not yours".into())),
            UseCaseError::Auth(AuthError::Forbidden(_))
        ));
    }
}
