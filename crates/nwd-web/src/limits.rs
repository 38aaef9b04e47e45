//! Abuse limits on the anonymous endpoints that accept data (self-referral, sign-in) or look
//! up a private status link: a small body limit, and rate limits per client address and
//! overall, answered with 429 and `Retry-After`. Public *reading* (the directory, crisis
//! information) is never rate limited: someone in crisis must always get the urgent-help page.
//!
//! Also the accessible anti-automation measure on anonymous HTML forms ([`FormGuard`]): no
//! CAPTCHA (which shuts out many disabled people), but a honeypot field hidden from people and
//! screen readers, and a signed time stamp issued with the form that refuses submissions faster
//! than a person could make them.
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
/// journey id (a per-journey limit is still to do). The professional referral's questions
/// (`POST /refer/questions`) are not counted either; its send (`POST /refer`) is.
pub const LIMITED: [(&str, &str); 4] = [
    ("POST", "/api/self-referrals"),
    ("POST", "/api/session"),
    ("POST", "/staff/sign-in"),
    ("POST", "/refer"),
];

/// Anonymous look-ups of a private status link (path prefixes, GET): limited per address like
/// submissions, on their own allowance, so that guessing tokens is slow as well as hopeless.
/// OpenID Connect sign-in (`/staff/oidc/…`: each start writes a row and calls the provider)
/// shares that allowance.
pub const LIMITED_LOOKUPS: [&str; 3] = ["/status/", "/api/status/", "/staff/oidc/"];

/// Per-address and global limiters, one set per application instance.
#[derive(Clone)]
pub struct Limits {
    per_client: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    lookups_per_client: Arc<DefaultKeyedRateLimiter<IpAddr>>,
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
            lookups_per_client: Arc::new(RateLimiter::keyed(per_client)),
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

fn client_address(request: &Request) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// The middleware: applies to [`LIMITED`] and [`LIMITED_LOOKUPS`] only.
pub async fn limit(limits: Limits, request: Request, next: Next) -> Response {
    let lookup = request.method() == Method::GET
        && LIMITED_LOOKUPS
            .iter()
            .any(|prefix| request.uri().path().starts_with(prefix));
    if lookup {
        if limits
            .lookups_per_client
            .check_key(&client_address(&request))
            .is_err()
            || limits.global.check().is_err()
        {
            return too_many(
                60,
                "too many look-ups from your connection; wait a minute and try again. If you need help now, see the urgent help page or call NHS 111 (option 2 for mental health)",
            );
        }
        return next.run(request).await;
    }
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
    let address = client_address(&request);
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

/// Name of the honeypot field on anonymous forms. People never see it (visually hidden,
/// `aria-hidden`, `tabindex="-1"`, `autocomplete="off"`, labelled "leave this blank"); form-
/// filling scripts tend to fill a field called "website".
pub const HONEYPOT_FIELD: &str = "website";

/// Name of the hidden field carrying the signed time the form was first issued.
pub const ISSUED_FIELD: &str = "issued";

/// Default minimum seconds between issuing an anonymous form and accepting its submission.
/// Local policy, not a national standard: the shortest journey (the professional referral
/// form) has a dozen fields, which no person completes in 3 seconds, while a script posts at
/// once. Configurable with `NWD_FORM_MIN_SECONDS`.
pub const DEFAULT_FORM_MIN_SECONDS: i64 = 3;

/// What the anti-automation check made of a submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormCheck {
    /// Looks like a person: go ahead.
    Person,
    /// The honeypot was filled in: a script. Answer neutrally, write nothing.
    Honeypot,
    /// Sent sooner after the form was issued than a person could: a script. Answer
    /// neutrally, write nothing.
    TooFast,
    /// The time stamp is missing or its signature is wrong (forged, or signed with a key from
    /// before a restart): issue a fresh one and ask the person to send again.
    Unsigned,
}

/// Signs and checks form-issue time stamps (HMAC-SHA-256) and looks at the honeypot.
#[derive(Clone)]
pub struct FormGuard {
    key: Vec<u8>,
    min: jiff::SignedDuration,
}

impl std::fmt::Debug for FormGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormGuard")
            .field("key", &"[redacted]")
            .field("min", &self.min)
            .finish()
    }
}

static FORM_GUARD: std::sync::OnceLock<FormGuard> = std::sync::OnceLock::new();

impl FormGuard {
    /// A guard with `key` and a minimum of `min_seconds`.
    pub fn new(key: Vec<u8>, min_seconds: i64) -> FormGuard {
        FormGuard {
            key,
            min: jiff::SignedDuration::from_secs(min_seconds.max(0)),
        }
    }

    /// The process's guard: key from `NWD_FORM_KEY` (so that several servers, or a restart,
    /// accept each other's forms), else 244 random bits made at start; minimum from
    /// `NWD_FORM_MIN_SECONDS` (default [`DEFAULT_FORM_MIN_SECONDS`]).
    pub fn get() -> &'static FormGuard {
        FORM_GUARD.get_or_init(|| {
            let key = std::env::var("NWD_FORM_KEY")
                .ok()
                .filter(|k| k.len() >= 32)
                .map(String::into_bytes)
                .unwrap_or_else(|| {
                    let mut key = uuid::Uuid::new_v4().as_bytes().to_vec();
                    key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
                    key
                });
            let min = std::env::var("NWD_FORM_MIN_SECONDS")
                .ok()
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(DEFAULT_FORM_MIN_SECONDS);
            FormGuard::new(key, min)
        })
    }

    fn mac(&self, millis: i64) -> Option<hmac::Hmac<sha2::Sha256>> {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.key).ok()?;
        mac.update(b"nwd-form-issued:");
        mac.update(millis.to_string().as_bytes());
        Some(mac)
    }

    /// A signed stamp for a form issued at `now`: `<milliseconds>.<hex HMAC>`.
    pub fn issue(&self, now: jiff::Timestamp) -> String {
        use hmac::Mac;
        let millis = now.as_millisecond();
        let tag = self
            .mac(millis)
            .map(|m| hex::encode(m.finalize().into_bytes()))
            .unwrap_or_default();
        format!("{millis}.{tag}")
    }

    /// Checks a submission's honeypot value and stamp at `now`.
    pub fn check(&self, honeypot: &str, stamp: &str, now: jiff::Timestamp) -> FormCheck {
        use hmac::Mac;
        if !honeypot.trim().is_empty() {
            return FormCheck::Honeypot;
        }
        let Some((millis, tag)) = stamp.split_once('.') else {
            return FormCheck::Unsigned;
        };
        let (Ok(millis), Ok(tag)) = (millis.parse::<i64>(), hex::decode(tag)) else {
            return FormCheck::Unsigned;
        };
        let Some(mac) = self.mac(millis) else {
            return FormCheck::Unsigned;
        };
        if mac.verify_slice(&tag).is_err() {
            return FormCheck::Unsigned;
        }
        let elapsed = now.as_millisecond() - millis;
        if elapsed < self.min.as_millis() as i64 {
            FormCheck::TooFast
        } else {
            FormCheck::Person
        }
    }
}

#[cfg(test)]
mod form_guard_tests {
    use super::{FormCheck, FormGuard};
    use jiff::{SignedDuration, Timestamp};

    fn check(honeypot: &str, stamp: &str, after_secs: i64, expected: FormCheck) {
        let guard = FormGuard::new(b"a key for the tests, 32 bytes long".to_vec(), 3);
        let issued =
            Timestamp::from_millisecond(1_800_000_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
        let stamp = if stamp == "good" {
            guard.issue(issued)
        } else {
            stamp.to_owned()
        };
        let now = issued + SignedDuration::from_secs(after_secs);
        assert_eq!(
            guard.check(honeypot, &stamp, now),
            expected,
            "{honeypot:?} {stamp:?} +{after_secs}s"
        );
    }

    #[test]
    fn people_pass_and_scripts_do_not() {
        check("", "good", 3, FormCheck::Person);
        check("", "good", 600, FormCheck::Person);
        check("", "good", 2, FormCheck::TooFast);
        check("", "good", 0, FormCheck::TooFast);
        check("http://spam.example", "good", 60, FormCheck::Honeypot);
        check("", "", 60, FormCheck::Unsigned);
        check("", "1800000000000.00", 60, FormCheck::Unsigned);
        // An old time with a made-up signature does not get round the minimum.
        check("", "1700000000000.deadbeef", 60, FormCheck::Unsigned);
        // Another key's stamp (a restart without NWD_FORM_KEY) is not trusted.
        let other = FormGuard::new(b"another key, also 32 bytes long!".to_vec(), 3)
            .issue(Timestamp::UNIX_EPOCH);
        check("", &other, 60, FormCheck::Unsigned);
    }
}
