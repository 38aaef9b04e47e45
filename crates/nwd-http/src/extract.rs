//! Request extractors that turn headers and bodies into typed values, answering with a
//! problem when they cannot.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::problem::ApiError;

/// Who is acting: the signed-in principal the guard put on the request (`crate::secure`),
/// as the actor recorded on events (`user:<username>`).
#[derive(Debug, Clone)]
pub struct Actor(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<nwd_store::auth::Principal>()
            .map(|p| Actor(format!("user:{}", p.username)))
            .ok_or_else(|| ApiError::Unauthenticated("sign in first (POST /api/session)".into()))
    }
}

/// The signed-in principal (routes behind a non-public policy always have one).
#[derive(Debug, Clone)]
pub struct Caller(pub nwd_store::auth::Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<nwd_store::auth::Principal>()
            .cloned()
            .map(Caller)
            .ok_or_else(|| ApiError::Unauthenticated("sign in first (POST /api/session)".into()))
    }
}

/// The version a change was decided against, from `If-Match: "N"`.
#[derive(Debug, Clone, Copy)]
pub struct IfMatch(pub u32);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts
            .headers
            .get(axum::http::header::IF_MATCH)
            .ok_or(ApiError::PreconditionRequired)?
            .to_str()
            .map_err(|_| ApiError::BadRequest("If-Match must be text, e.g. \"3\"".into()))?;
        let trimmed = raw.trim().trim_start_matches("W/").trim_matches('"');
        trimmed.parse::<u32>().map(IfMatch).map_err(|_| {
            ApiError::BadRequest(format!(
                "If-Match must be the ETag you read, e.g. \"3\"; got {raw:?}"
            ))
        })
    }
}

/// An optional `Idempotency-Key` header.
#[derive(Debug, Clone)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.headers.get("idempotency-key") {
            None => Ok(IdempotencyKey(None)),
            Some(value) => {
                let key = value
                    .to_str()
                    .ok()
                    .map(str::trim)
                    .filter(|k| !k.is_empty() && k.len() <= 255)
                    .ok_or_else(|| {
                        ApiError::BadRequest(
                            "Idempotency-Key must be 1 to 255 printable characters".into(),
                        )
                    })?;
                Ok(IdempotencyKey(Some(key.to_string())))
            }
        }
    }
}

/// A JSON body, plus the SHA-256 of its bytes (for idempotency). Malformed JSON is a
/// problem naming where it failed.
pub struct JsonBody<T> {
    /// The parsed value.
    pub value: T,
    /// Hex SHA-256 of the raw body.
    pub hash: String,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !content_type.starts_with("application/json") {
            return Err(ApiError::BadRequest(
                "send the body as JSON with Content-Type: application/json".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest(format!("the body could not be read: {e}")))?;
        let value = parse_json(&bytes)?;
        Ok(JsonBody {
            value,
            hash: hex::encode(Sha256::digest(&bytes)),
        })
    }
}

/// Parses JSON. A syntax error is a 400; a value of the wrong type or an unknown code is a
/// 422 naming the field (e.g. `destinations[0].type`), so clients can show it beside the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() && path != "." {
            ApiError::field(&path, strip_position(&inner.to_string()))
        } else {
            ApiError::BadRequest(format!(
                "the JSON body is not valid for this request: {inner}"
            ))
        }
    })?;
    deserializer.end().map_err(|e| {
        ApiError::BadRequest(format!("unexpected content after the JSON body: {e}"))
    })?;
    Ok(value)
}

/// serde_json appends " at line 1 column 40"; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Query parameters, with a problem when they do not parse.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| QueryParams(q.0))
            .map_err(|e| {
                ApiError::BadRequest(format!("invalid query parameters: {}", e.body_text()))
            })
    }
}

/// A path id, with a problem when it is not a UUID.
pub fn parse_id<T: std::str::FromStr>(raw: &str, what: &str) -> Result<T, ApiError> {
    raw.parse::<T>()
        .map_err(|_| ApiError::NotFound(format!("{what} {raw} was not found (ids are UUIDs)")))
}

/// The client's address, when the server records it (for the audit trail).
pub struct ClientAddress(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Resolved by `limits::limit` (X-Forwarded-For only from a trusted proxy).
        let resolved = parts
            .extensions
            .get::<crate::proxy::ClientAddress>()
            .map(|a| a.0.to_string());
        Ok(ClientAddress(resolved.or_else(|| {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        })))
    }
}
