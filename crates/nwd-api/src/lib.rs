//! # nwd-api — the JSON API
//!
//! One module per area (intake, referrals, urgency, directory, lists, register, privacy,
//! admin, consent, session, health). Each exposes `router()`: its handlers with their OpenAPI
//! description and their policy, registered through the kernel's `SecureRouter`
//! (`nwd_http::secure`); `nwd_web::routes` merges them into one table and one OpenAPI
//! document. Handlers are thin: extract, parse into domain types, call a use case
//! (`nwd_usecase`) or the store, answer JSON or RFC 9457 problem+json
//! (`nwd_http::problem::ApiError`). Never depends on the pages (`nwd-pages`; Cargo enforces it).

pub mod admin;
pub mod commissioning;
pub mod consent;
pub mod directory;
pub mod health;
pub mod intake;
pub mod lists;
pub mod measures;
pub mod need;
pub mod outcome_figures;
pub mod privacy;
pub mod referrals;
pub mod register;
pub mod session;
pub mod urgency;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// A JSON response with an `ETag` carrying a version.
pub(crate) fn with_etag(
    status: axum::http::StatusCode,
    version: u32,
    body: impl serde::Serialize,
) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("\"{version}\"")) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
}
