//! Typed errors of the domain: validation failures (one message per field, saying what is
//! allowed) and refused transitions (saying why, in the state the referral is in).

use serde::Serialize;

/// One invalid input field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// Path of the field in the request, e.g. `person.nhs_number`.
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// A collection of field errors; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// A new, empty collection.
    pub fn new() -> Self {
        Self::default()
    }
    /// Records an error for `field`.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }
    /// Runs a parse and records its error under `field`, returning the value when it parsed.
    pub fn check<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.add(field, error.to_string());
                None
            }
        }
    }
    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(())` when empty, else the errors as a [`DomainError::Invalid`].
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self))
        }
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

/// Why the domain refused a command. Nothing changes when one of these is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// One or more fields are invalid.
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    /// The command is not allowed in the referral's current state.
    #[error("{0}")]
    IllegalTransition(String),
    /// A referenced thing (allocation, contact, service) does not exist on this referral.
    #[error("{0}")]
    NotFound(String),
    /// The caller may not make this change (e.g. to another service's allocation).
    #[error("{0}")]
    Forbidden(String),
}

impl DomainError {
    /// Shorthand for an illegal transition with a message.
    pub fn illegal(message: impl Into<String>) -> Self {
        DomainError::IllegalTransition(message.into())
    }
    /// Shorthand for a single invalid field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut errors = ValidationErrors::new();
        errors.add(field, message);
        DomainError::Invalid(errors)
    }
}
