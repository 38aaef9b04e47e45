//! Abuse limits on the anonymous endpoints that accept data (self-referral, sign-in): a
//! small body limit, and rate limits per client address and overall, answered with 429 and
//! `Retry-After`. Public *reading* (the directory, crisis information) is never rate limited:
//! someone in crisis must always get the urgent-help page.
//!
//! The figures are local policy, not national standards (OWASP API Security Top 10 2023,
//! API4 "Unrestricted Resource Consumption", asks for limits without fixing them): a person
//! refers themselves once, so 20 submissions per address per 10 minutes leaves room for a
//! shared connection (a family, a youth centre) while stopping a script; the global limit
//! protects the single point of access's queue from a flood. Configurable in code only for
//! now.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::problem::ApiError;

/// Largest body an anonymous endpoint accepts: 16 KiB (a self-referral is well under 4 KiB).
pub const ANONYMOUS_BODY_LIMIT: usize = 16 * 1024;

/// Anonymous endpoints that accept data. The web self-referral journey (`POST /get-help`)
/// posts once per question, so it is not counted here; its final submission is idempotent by
/// journey id (a per-journey limit is still to do).
pub const LIMITED: [(&str, &str); 3] = [
    ("POST", "/api/self-referrals"),
    ("POST", "/api/session"),
    ("POST", "/staff/sign-in"),
];

/// Per-address and global limiters, one set per application instance.
#[derive(Clone)]
pub struct Limits {
    per_client: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    global: Arc<DefaultDirectRateLimiter>,
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl Default for Limits {
    fn default() -> Self {
        Limits::per_ten_minutes(20)
    }
}

impl Limits {
    /// Limits from `NWD_ANONYMOUS_PER_10_MINUTES` (submissions per client address per ten
    /// minutes; default 20). Load tests and the crash harness raise it.
    pub fn from_env() -> Limits {
        let n = std::env::var("NWD_ANONYMOUS_PER_10_MINUTES")
            .ok()
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(20);
        Limits::per_ten_minutes(n)
    }

    /// `n` submissions per client address per ten minutes, in bursts of up to `n`.
    pub fn per_ten_minutes(n: u32) -> Limits {
        let n = n.max(1);
        let per_client = Quota::with_period(Duration::from_millis(600_000 / u64::from(n)))
            .map(|q| q.allow_burst(nz(n)))
            .unwrap_or_else(|| Quota::per_minute(nz(2)));
        // 50 per second overall, bursts of 200.
        let global = Quota::per_second(nz(50)).allow_burst(nz(200));
        Limits {
            per_client: Arc::new(RateLimiter::keyed(per_client)),
            global: Arc::new(RateLimiter::direct(global)),
        }
    }
}

fn too_many(retry_after_secs: u64, detail: &str) -> Response {
    let mut response = ApiError::TooManyRequests(detail.to_owned()).into_response();
    if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The middleware: applies to [`LIMITED`] only.
pub async fn limit(limits: Limits, request: Request, next: Next) -> Response {
    let limited = LIMITED.iter().any(|(m, p)| {
        request.method() == Method::from_bytes(m.as_bytes()).unwrap_or(Method::POST)
            && request.uri().path() == *p
    });
    if !limited {
        return next.run(request).await;
    }
    let too_large = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n > ANONYMOUS_BODY_LIMIT);
    if too_large {
        return ApiError::PayloadTooLarge(format!(
            "the request is larger than {} KiB; shorten the free text",
            ANONYMOUS_BODY_LIMIT / 1024
        ))
        .into_response();
    }
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    if limits.per_client.check_key(&address).is_err() {
        return too_many(
            60,
            "too many submissions from your connection; wait a minute and try again. If you need help now, see the urgent help page or call NHS 111 (option 2 for mental health)",
        );
    }
    if limits.global.check().is_err() {
        return too_many(
            5,
            "the service is very busy; wait a few seconds and try again. If you need help now, call NHS 111 (option 2 for mental health)",
        );
    }
    // Bodies without a length are cut off at the limit as they are read.
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, ANONYMOUS_BODY_LIMIT));
    next.run(Request::from_parts(parts, body)).await
}
