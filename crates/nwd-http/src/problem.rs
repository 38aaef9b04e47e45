//! RFC 9457 problem details: the one error type at the HTTP edge. Every variant has a fixed
//! status; bodies carry a message per invalid field and never leak internals (a server error
//! carries an id that is also in the log).

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use nwd_domain::{DomainError, FieldError};
use nwd_store::{Change, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

/// A problem+json body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the type.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What happened and how to fix it.
    pub detail: String,
    /// One message per invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For conflicts: what changed since the version you acted on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
    /// For conflicts: the current version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<u32>,
    /// For server errors: an id to quote; the same id is in the server log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
}

/// Everything that can go wrong at the edge.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Fields failed validation.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// The request could not be read (bad JSON, bad header).
    #[error("{0}")]
    BadRequest(String),
    /// The acting person is not identified.
    #[error("{0}")]
    Unauthenticated(String),
    /// Signed in, but the role does not allow this route.
    #[error("{0}")]
    Forbidden(String),
    /// A change made with the session cookie did not echo the session's CSRF token.
    #[error("{0}")]
    CsrfRefused(String),
    /// The body is larger than the route accepts.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Too many requests from this client, or overall.
    #[error("{0}")]
    TooManyRequests(String),
    /// The audit trail could not be written, so the data is not returned.
    #[error("{0}")]
    AuditUnavailable(String),
    /// The resource does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The route exists but not with this method.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// The action is not allowed in the current state.
    #[error("{0}")]
    IllegalTransition(String),
    /// `If-Match` is required and missing.
    #[error("precondition required")]
    PreconditionRequired,
    /// The record changed since the version acted on.
    #[error("conflict")]
    Conflict {
        /// Version acted on.
        expected: u32,
        /// Version now.
        current: u32,
        /// What changed.
        changes: Vec<Change>,
    },
    /// The idempotency key was reused for a different request.
    #[error("idempotency key reused")]
    IdempotencyMismatch,
    /// Anything else: logged with an id.
    #[error("internal error")]
    Internal(String),
}

impl From<nwd_usecase::UseCaseError> for ApiError {
    fn from(error: nwd_usecase::UseCaseError) -> ApiError {
        use nwd_usecase::UseCaseError;
        match error {
            UseCaseError::Invalid(errors) => ApiError::Invalid(errors),
            UseCaseError::NotFound(message) => ApiError::NotFound(message),
            UseCaseError::Store(error) => ApiError::from(error),
            UseCaseError::Auth(error) => ApiError::from(error),
            UseCaseError::Internal(message) => ApiError::Internal(message),
        }
    }
}

impl ApiError {
    /// One invalid field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::Invalid(_) | ApiError::IdempotencyMismatch => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Forbidden(_) | ApiError::CsrfRefused(_) => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::AuditUnavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::IllegalTransition(_) => StatusCode::CONFLICT,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::Conflict { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem body for this error.
    pub fn problem(&self) -> Problem {
        let status = self.status();
        let (kind, title, detail) = match self {
            ApiError::Invalid(errors) => (
                "invalid-fields",
                "Some fields are invalid",
                format!("{} field(s) need correcting; nothing was saved", errors.len()),
            ),
            ApiError::BadRequest(detail) => ("bad-request", "The request could not be read", detail.clone()),
            ApiError::Unauthenticated(detail) => ("unauthenticated", "Who is acting is not known", detail.clone()),
            ApiError::NotFound(detail) => ("not-found", "Not found", detail.clone()),
            ApiError::MethodNotAllowed(detail) => ("method-not-allowed", "Method not allowed", detail.clone()),
            ApiError::Forbidden(detail) => ("forbidden", "Not allowed for your role", detail.clone()),
            ApiError::CsrfRefused(detail) => ("csrf-token", "The change was refused: its CSRF token is missing or wrong", detail.clone()),
            ApiError::TooManyRequests(detail) => ("too-many-requests", "Too many requests", detail.clone()),
            ApiError::PayloadTooLarge(detail) => ("payload-too-large", "Too large", detail.clone()),
            ApiError::AuditUnavailable(id) => (
                "audit-unavailable",
                "Temporarily unavailable",
                format!("the access could not be recorded in the audit trail, so nothing is shown; try again shortly and quote error id {id} if it persists"),
            ),
            ApiError::IllegalTransition(detail) => ("illegal-transition", "Not allowed in the current state", detail.clone()),
            ApiError::PreconditionRequired => (
                "precondition-required",
                "If-Match is required",
                "send the version you read in an If-Match header (the ETag of the record you read), so a change made meanwhile by someone else is not overwritten".into(),
            ),
            ApiError::Conflict { expected, current, .. } => (
                "edit-conflict",
                "Changed by someone else",
                format!("this referral changed since you read it (you had version {expected}, it is now at version {current}); reload it, check the changes listed, and try again — nothing was saved"),
            ),
            ApiError::IdempotencyMismatch => (
                "idempotency-key-reused",
                "Idempotency key already used",
                "this Idempotency-Key was already used for a different request; use a new key for a new request".into(),
            ),
            ApiError::Internal(id) => (
                "internal",
                "Something went wrong on our side",
                format!("the request could not be completed; quote error id {id} when reporting it"),
            ),
        };
        Problem {
            problem_type: format!("https://nowrongdoor.invalid/problems/{kind}"),
            title: title.to_string(),
            status: status.as_u16(),
            detail,
            errors: match self {
                ApiError::Invalid(errors) => errors.clone(),
                _ => Vec::new(),
            },
            changes: match self {
                ApiError::Conflict { changes, .. } => changes.clone(),
                _ => Vec::new(),
            },
            current_version: match self {
                ApiError::Conflict { current, .. } => Some(*current),
                _ => None,
            },
            error_id: match self {
                ApiError::Internal(id) | ApiError::AuditUnavailable(id) => Some(id.clone()),
                _ => None,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let status = self.status();
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let ApiError::Conflict { current, .. } = self {
            if let Ok(etag) = HeaderValue::from_str(&format!("\"{current}\"")) {
                response.headers_mut().insert(header::ETAG, etag);
            }
        }
        response
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid(errors) => ApiError::Invalid(errors.0),
            DomainError::IllegalTransition(message) => ApiError::IllegalTransition(message),
            DomainError::NotFound(message) => ApiError::NotFound(message),
            DomainError::Forbidden(message) => ApiError::Forbidden(message),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Domain(e) => e.into(),
            StoreError::NotFound { what, id } => {
                ApiError::NotFound(format!("{what} {id} was not found"))
            }
            StoreError::Conflict {
                expected,
                current,
                changes,
            } => ApiError::Conflict {
                expected,
                current,
                changes,
            },
            StoreError::IdempotencyMismatch => ApiError::IdempotencyMismatch,
            other => {
                let id = uuid::Uuid::new_v4().simple().to_string();
                tracing::error!(error_id = %id, error = %other, "request failed");
                ApiError::Internal(id)
            }
        }
    }
}

/// The fallback for unknown routes: a problem, not an empty 404.
pub async fn no_route(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!(
        "there is no route {}; see /api/openapi.json for the API",
        uri.path()
    ))
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;

/// A sign-in's refusal at the edge: a failed sign-in is 401 with one generic message, an
/// invalid field 422 naming it, a forbidden action 403.
impl From<nwd_store::auth::AuthError> for ApiError {
    fn from(error: nwd_store::auth::AuthError) -> Self {
        match error {
            nwd_store::auth::AuthError::SignInFailed => {
                ApiError::Unauthenticated(error.to_string())
            }
            nwd_store::auth::AuthError::Invalid { field, message } => {
                ApiError::field(field, message)
            }
            nwd_store::auth::AuthError::Forbidden(message) => ApiError::Forbidden(message),
            nwd_store::auth::AuthError::Store(e) => e.into(),
        }
    }
}
