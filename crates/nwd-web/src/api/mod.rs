//! The JSON API, one module per area. Each exposes `router()`; `crate::routes` merges them.

pub mod admin;
pub mod consent;
pub mod directory;
pub mod health;
pub mod intake;
pub mod lists;
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
