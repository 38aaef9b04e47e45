//! Abuse limits: a small body limit and rate limits on what anyone may send without signing
//! in, answered with 429 and `Retry-After`, each on its **own allowance** so that one kind of
//! traffic cannot use up another's:
//!
//! - anonymous submissions (`POST /api/self-referrals`, `POST /refer`): per client address and
//!   a global ceiling;
//! - the public journeys' question pages (`POST /get-help`, `/get-help/parent-carer`,
//!   `/refer/questions`): per client address, a larger allowance (a journey posts once per
//!   question), and the 16 KiB body limit ×4;
//! - staff sign-in (`POST /api/session`, `POST /staff/sign-in`): per client address **and**
//!   per account named, never the anonymous global ceiling — a flood of self-referrals from
//!   many addresses cannot lock staff out;
//! - private status look-ups and OpenID Connect starts: per address;
//! - referrals sent by external referrers: per account (`check_referrer`).
//!
//! Public *reading* (the directory, crisis information) is never rate limited: someone in
//! crisis must always get the urgent-help page. The client address is `crate::proxy`'s
//! (X-Forwarded-For only from configured trusted proxies).
//!
//! Also the accessible anti-automation measure on anonymous HTML forms ([`FormGuard`]): no
//! CAPTCHA (which shuts out many disabled people), but a honeypot field hidden from people and
//! screen readers, and a signed time stamp issued with the form, bound to the journey it was
//! issued for, that refuses submissions faster than a person could make them.
//!
//! The figures are local policy, not national standards (OWASP API Security Top 10 2023,
//! API4 "Unrestricted Resource Consumption", asks for limits without fixing them); each is
//! configurable (`NWD_…`, below) and explained in docs/security.md.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::problem::ApiError;
use crate::proxy::{Cidr, ClientAddress};

/// Largest body an anonymous endpoint accepts: 16 KiB (a self-referral is well under 4 KiB).
pub const ANONYMOUS_BODY_LIMIT: usize = 16 * 1024;

/// Largest body a public journey's question page accepts: 64 KiB. A page posts its own
/// answers, percent-encoded (up to 9 bytes a character for non-Latin scripts); the longest
/// answer is 4,000 characters.
pub const JOURNEY_BODY_LIMIT: usize = 64 * 1024;

/// Anonymous endpoints that accept data: a small body, and 429 when over their allowance.
/// The sign-in routes are on their own allowance ([`SIGN_IN`]).
pub const LIMITED: [(&str, &str); 4] = [
    ("POST", "/api/self-referrals"),
    ("POST", "/api/session"),
    ("POST", "/staff/sign-in"),
    ("POST", "/refer"),
];

/// Staff sign-in: limited per address and per account, not by the anonymous ceiling.
pub const SIGN_IN: [&str; 2] = ["/api/session", "/staff/sign-in"];

/// The public journeys' starts (GET): each makes a draft (`nwd_store::drafts`), so each is
/// counted on the journey allowance like an answer.
pub const JOURNEYS: [&str; 3] = ["/get-help", "/get-help/parent-carer", "/refer/questions"];

/// The public journeys' question pages under a path (POST `/get-help/q/{step}`, the send
/// too, and `/refer/q/{question}`): each answer is one request, saved in the journey's draft.
/// (The professional referral's send, `POST /refer`, is on the anonymous allowance,
/// [`LIMITED`].)
/// A completion link's answers (`POST /measure/{token}`) are on the same allowance.
pub const JOURNEY_PREFIXES: [&str; 3] = ["/get-help/q/", "/refer/q/", "/measure/"];

/// Anonymous look-ups of a private status link (path prefixes, GET): limited per address like
/// submissions, on their own allowance, so that guessing tokens is slow as well as hopeless.
/// OpenID Connect sign-in (`/staff/oidc/…`: each start writes a row and calls the provider)
/// shares that allowance.
/// A completion link's questionnaire (`/measure/{token}`, issue 19) is looked up the same way.
pub const LIMITED_LOOKUPS: [&str; 4] = ["/status/", "/api/status/", "/staff/oidc/", "/measure/"];

/// A request path fit for a log line: a status token is a secret (LOGGING.md), so the path of
/// a status link is logged without it.
pub fn loggable_path(path: &str) -> &str {
    for prefix in LIMITED_LOOKUPS {
        if path.starts_with(prefix) {
            return prefix;
        }
    }
    path
}

/// The allowances, per ten minutes unless said otherwise. Defaults in [`Default`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitSettings {
    /// Anonymous submissions per client address (`NWD_ANONYMOUS_PER_10_MINUTES`, 20).
    pub anonymous_per_address: u32,
    /// Journey question pages per client address (`NWD_JOURNEY_STEPS_PER_10_MINUTES`, 300:
    /// a journey is about 12 pages with going back and changing answers, so 25 journeys).
    pub journey_steps_per_address: u32,
    /// Sign-in attempts per client address (`NWD_SIGN_IN_PER_10_MINUTES`, 30).
    pub sign_in_per_address: u32,
    /// Sign-in attempts per account named (`NWD_SIGN_IN_PER_ACCOUNT_PER_10_MINUTES`, 20;
    /// the account locks after five failures in a row anyway: this bounds guessing spread
    /// over many addresses while leaving room for a person's retries after a lock ends).
    pub sign_in_per_account: u32,
    /// Referrals an external referrer's account may send per hour
    /// (`NWD_REFERRALS_PER_ACCOUNT_PER_HOUR`, 30: a busy school sends a few a week).
    pub referrals_per_referrer_per_hour: u32,
    /// Proxies whose `X-Forwarded-For` is believed (`NWD_TRUSTED_PROXIES`; none).
    pub trusted_proxies: Vec<Cidr>,
}

impl Default for LimitSettings {
    fn default() -> Self {
        LimitSettings {
            anonymous_per_address: 20,
            journey_steps_per_address: 300,
            sign_in_per_address: 30,
            sign_in_per_account: 20,
            referrals_per_referrer_per_hour: 30,
            trusted_proxies: Vec::new(),
        }
    }
}

impl LimitSettings {
    /// Defaults overridden by the `NWD_…` variables named on each field. A malformed
    /// `NWD_TRUSTED_PROXIES` is an error (trusting the wrong peer would be silent).
    pub fn from_env() -> Result<LimitSettings, String> {
        let number = |name: &str, default: u32| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(default)
        };
        let d = LimitSettings::default();
        Ok(LimitSettings {
            anonymous_per_address: number("NWD_ANONYMOUS_PER_10_MINUTES", d.anonymous_per_address),
            journey_steps_per_address: number(
                "NWD_JOURNEY_STEPS_PER_10_MINUTES",
                d.journey_steps_per_address,
            ),
            sign_in_per_address: number("NWD_SIGN_IN_PER_10_MINUTES", d.sign_in_per_address),
            sign_in_per_account: number(
                "NWD_SIGN_IN_PER_ACCOUNT_PER_10_MINUTES",
                d.sign_in_per_account,
            ),
            referrals_per_referrer_per_hour: number(
                "NWD_REFERRALS_PER_ACCOUNT_PER_HOUR",
                d.referrals_per_referrer_per_hour,
            ),
            trusted_proxies: crate::proxy::parse_list(
                &std::env::var("NWD_TRUSTED_PROXIES").unwrap_or_default(),
            )
            .map_err(|e| format!("NWD_TRUSTED_PROXIES: {e}"))?,
        })
    }
}

type Keyed<K> = Arc<DefaultKeyedRateLimiter<K>>;

/// The limiters, one set per application instance.
#[derive(Clone)]
pub struct Limits {
    per_client: Keyed<IpAddr>,
    journey_per_client: Keyed<IpAddr>,
    lookups_per_client: Keyed<IpAddr>,
    sign_in_per_client: Keyed<IpAddr>,
    sign_in_per_account: Keyed<String>,
    referrals_per_account: Keyed<String>,
    global: Arc<DefaultDirectRateLimiter>,
    trusted_proxies: Arc<Vec<Cidr>>,
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// `n` per `period`, in bursts of up to `n`.
fn quota(n: u32, period: Duration) -> Quota {
    let n = n.max(1);
    Quota::with_period(period / n)
        .map(|q| q.allow_burst(nz(n)))
        .unwrap_or_else(|| Quota::per_minute(nz(2)))
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(&LimitSettings::default())
    }
}

impl Limits {
    /// Limits from the environment ([`LimitSettings::from_env`]); a malformed proxy list is
    /// reported and no proxy trusted.
    pub fn from_env() -> Limits {
        match LimitSettings::from_env() {
            Ok(settings) => Limits::new(&settings),
            Err(error) => {
                tracing::error!(%error, "no proxy trusted");
                Limits::default()
            }
        }
    }

    /// `n` anonymous submissions per client address per ten minutes, the rest default.
    pub fn per_ten_minutes(n: u32) -> Limits {
        Limits::new(&LimitSettings {
            anonymous_per_address: n,
            ..LimitSettings::default()
        })
    }

    /// The limiters for `settings`.
    pub fn new(settings: &LimitSettings) -> Limits {
        let ten_minutes = Duration::from_secs(600);
        let per_client = quota(settings.anonymous_per_address, ten_minutes);
        // 50 per second overall, bursts of 200.
        let global = Quota::per_second(nz(50)).allow_burst(nz(200));
        Limits {
            per_client: Arc::new(RateLimiter::keyed(per_client)),
            journey_per_client: Arc::new(RateLimiter::keyed(quota(
                settings.journey_steps_per_address,
                ten_minutes,
            ))),
            lookups_per_client: Arc::new(RateLimiter::keyed(per_client)),
            sign_in_per_client: Arc::new(RateLimiter::keyed(quota(
                settings.sign_in_per_address,
                ten_minutes,
            ))),
            sign_in_per_account: Arc::new(RateLimiter::keyed(quota(
                settings.sign_in_per_account,
                ten_minutes,
            ))),
            referrals_per_account: Arc::new(RateLimiter::keyed(quota(
                settings.referrals_per_referrer_per_hour,
                Duration::from_secs(3600),
            ))),
            global: Arc::new(RateLimiter::direct(global)),
            trusted_proxies: Arc::new(settings.trusted_proxies.clone()),
        }
    }

    /// Refuses (429) an external referrer's account over its hourly allowance of referrals.
    pub fn check_referrer(&self, user_id: &str) -> Result<(), Box<Response>> {
        if self
            .referrals_per_account
            .check_key(&user_id.to_owned())
            .is_err()
        {
            return Err(Box::new(too_many(
                300,
                "your account has sent many referrals in the last hour; wait a few minutes and send again. If a young person needs help now, call NHS 111 (option 2 for mental health) or 999",
            )));
        }
        Ok(())
    }
}

fn too_many(retry_after_secs: u64, detail: &str) -> Response {
    let mut response = ApiError::TooManyRequests(detail.to_owned()).into_response();
    if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

const BUSY: &str = "too many submissions from your connection; wait a minute and try again. If you need help now, see the urgent help page or call NHS 111 (option 2 for mental health)";

/// The middleware: resolves the client address (for every request: the audit trail reads
/// it), then applies the allowance the route belongs to.
pub async fn limit(limits: Limits, mut request: Request, next: Next) -> Response {
    let address = crate::proxy::resolve(&request, &limits.trusted_proxies);
    request.extensions_mut().insert(ClientAddress(address));
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    if method == Method::GET && LIMITED_LOOKUPS.iter().any(|p| path.starts_with(p)) {
        if limits.lookups_per_client.check_key(&address).is_err() {
            return too_many(
                60,
                "too many look-ups from your connection; wait a minute and try again. If you need help now, see the urgent help page or call NHS 111 (option 2 for mental health)",
            );
        }
        return next.run(request).await;
    }
    if method == Method::GET && JOURNEYS.contains(&path.as_str()) {
        if limits.journey_per_client.check_key(&address).is_err() {
            return too_many(60, BUSY);
        }
        return next.run(request).await;
    }
    if method != Method::POST {
        return next.run(request).await;
    }
    if SIGN_IN.contains(&path.as_str()) {
        return sign_in(limits, address, request, next).await;
    }
    let journey = JOURNEY_PREFIXES.iter().any(|p| path.starts_with(p));
    let submission = LIMITED.iter().any(|(_, p)| *p == path);
    if !journey && !submission {
        return next.run(request).await;
    }
    let body_limit = if journey {
        JOURNEY_BODY_LIMIT
    } else {
        ANONYMOUS_BODY_LIMIT
    };
    if declared_length(&request).is_some_and(|n| n > body_limit) {
        return ApiError::PayloadTooLarge(format!(
            "the request is larger than {} KiB; shorten the free text",
            body_limit / 1024
        ))
        .into_response();
    }
    let allowance = if journey {
        &limits.journey_per_client
    } else {
        &limits.per_client
    };
    if allowance.check_key(&address).is_err() {
        return too_many(60, BUSY);
    }
    // The overall ceiling guards the writes; a question page writes only its draft (its
    // final send is one idempotent referral per form stamp), so it has the per-address
    // allowance only.
    if !journey && limits.global.check().is_err() {
        return too_many(
            5,
            "the service is very busy; wait a few seconds and try again. If you need help now, call NHS 111 (option 2 for mental health)",
        );
    }
    // Bodies without a length are cut off at the limit as they are read.
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, body_limit));
    next.run(Request::from_parts(parts, body)).await
}

fn declared_length(request: &Request) -> Option<usize> {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
}

/// Sign-in: the body is read (at most 16 KiB) to find the account named, then the address's
/// and the account's allowances are checked — both must have room.
async fn sign_in(limits: Limits, address: IpAddr, request: Request, next: Next) -> Response {
    if declared_length(&request).is_some_and(|n| n > ANONYMOUS_BODY_LIMIT) {
        return ApiError::PayloadTooLarge("a sign-in is never this large".to_owned())
            .into_response();
    }
    if limits.sign_in_per_client.check_key(&address).is_err() {
        return too_many(
            60,
            "too many sign-in attempts from your connection; wait a minute and try again",
        );
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, ANONYMOUS_BODY_LIMIT).await else {
        return ApiError::PayloadTooLarge("a sign-in is never this large".to_owned())
            .into_response();
    };
    if let Some(account) = account_named(&bytes) {
        if limits.sign_in_per_account.check_key(&account).is_err() {
            return too_many(
                60,
                "too many sign-in attempts for this account; wait a minute and try again",
            );
        }
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// The username a sign-in body names (JSON or an HTML form), folded to lower case.
fn account_named(body: &[u8]) -> Option<String> {
    let from_json = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            v.get("username")
                .and_then(|u| u.as_str())
                .map(str::to_owned)
        });
    let name = from_json.or_else(|| {
        form_urlencoded::parse(body)
            .find(|(k, _)| k == "username")
            .map(|(_, v)| v.into_owned())
    })?;
    let name = name.trim().to_lowercase();
    (!name.is_empty()).then_some(name)
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

/// Oldest form stamp accepted, in hours (local default): a person may leave a journey open
/// over a night; a stamp harvested days ago is not a person filling a form.
pub const FORM_MAX_AGE_HOURS: i64 = 24;

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

    fn mac(&self, millis: i64, journey: &str) -> Option<hmac::Hmac<sha2::Sha256>> {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.key).ok()?;
        mac.update(b"nwd-form-issued:");
        mac.update(millis.to_string().as_bytes());
        mac.update(b":journey:");
        mac.update(journey.as_bytes());
        Some(mac)
    }

    /// A signed stamp for the form of `journey` (its id, which is also the idempotency key of
    /// the one referral it can make) issued at `now`: `<milliseconds>.<hex HMAC>`. Bound to
    /// the journey, a stamp makes at most one referral: sent again, the same journey is a
    /// repeat of the first (nothing new is written); with another journey id it does not
    /// verify. So each referral costs a script a fresh form and the minimum wait.
    pub fn issue(&self, now: jiff::Timestamp, journey: &str) -> String {
        use hmac::Mac;
        let millis = now.as_millisecond();
        let tag = self
            .mac(millis, journey)
            .map(|m| hex::encode(m.finalize().into_bytes()))
            .unwrap_or_default();
        format!("{millis}.{tag}")
    }

    /// Checks a submission's honeypot value and the stamp of `journey` at `now`. A stamp
    /// older than [`FORM_MAX_AGE_HOURS`] is treated as unsigned (a fresh one is issued).
    pub fn check(
        &self,
        honeypot: &str,
        stamp: &str,
        journey: &str,
        now: jiff::Timestamp,
    ) -> FormCheck {
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
        let Some(mac) = self.mac(millis, journey) else {
            return FormCheck::Unsigned;
        };
        if journey.is_empty() || mac.verify_slice(&tag).is_err() {
            return FormCheck::Unsigned;
        }
        let elapsed = now.as_millisecond() - millis;
        if elapsed > FORM_MAX_AGE_HOURS * 3_600_000 {
            FormCheck::Unsigned
        } else if elapsed < self.min.as_millis() as i64 {
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
        check_for("j1", honeypot, stamp, after_secs, expected);
    }

    fn check_for(journey: &str, honeypot: &str, stamp: &str, after_secs: i64, expected: FormCheck) {
        let guard = FormGuard::new(b"a key for the tests, 32 bytes long".to_vec(), 3);
        let issued =
            Timestamp::from_millisecond(1_800_000_000_000).unwrap_or(Timestamp::UNIX_EPOCH);
        let stamp = if stamp == "good" {
            guard.issue(issued, "j1")
        } else {
            stamp.to_owned()
        };
        let now = issued + SignedDuration::from_secs(after_secs);
        assert_eq!(
            guard.check(honeypot, &stamp, journey, now),
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
            .issue(Timestamp::UNIX_EPOCH, "j1");
        check("", &other, 60, FormCheck::Unsigned);
        // A stamp is bound to its journey: reused for another, it does not verify.
        check_for("j2", "", "good", 60, FormCheck::Unsigned);
        check_for("", "", "good", 60, FormCheck::Unsigned);
        // Too old.
        check("", "good", 25 * 3600, FormCheck::Unsigned);
    }
}
