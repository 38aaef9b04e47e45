//! OpenID Connect federation for staff sign-in (issue 5): an area plugs in NHS CIS2 or its own
//! identity provider instead of (or beside) local passwords and TOTP.
//!
//! The authorization-code flow with PKCE (RFC 7636, `S256`), `state` and `nonce` (OpenID
//! Connect Core 1.0 §3.1). Providers come from a TOML file (`serve --oidc FILE`, see
//! `config/oidc.example.toml`); the client secret comes from the environment variable the
//! file names, never from the file. Discovery (`{issuer}/.well-known/openid-configuration`,
//! OpenID Connect Discovery 1.0 §4) and the provider's keys (JWKS) are fetched when first
//! needed and cached for [`CACHE_FOR`]; an ID token signed with a key id not in the cache makes
//! one fresh fetch of the keys (key rotation), at most once per [`FORCED_REFETCH_EVERY`].
//!
//! An ID token is accepted only when ([`Provider::verify_id_token`], Core §3.1.3.7):
//! - its `alg` is RS256 or ES256 (and offered by the provider): `none`, HS* (which would
//!   verify with the provider's *public* key as an HMAC secret) and anything else are refused
//!   before any key is looked at;
//! - the signature verifies with the provider's key of that `kid` (`jsonwebtoken`);
//! - `iss` is the configured issuer exactly; `aud` contains our client id, and when it has
//!   several audiences `azp` is our client id (an `azp` is always checked when present);
//! - `exp` is in the future, `iat` and `nbf` are not, each with the configured clock skew, and
//!   `iat` is no older than a sign-in may take;
//! - `nonce` is the one this sign-in sent;
//! - `acr` (authentication strength) is one of the configured values — this is what lets a
//!   federated sign-in skip the local TOTP: the provider has proved multi-factor
//!   authentication (for CIS2, authentication assurance level 3) — and, when `max_age` is
//!   configured, `auth_time` is recent enough.
//!
//! Nothing here decides who the person is in No Wrong Door: the verified (issuer, subject) is
//! handed to [`nwd_store::Store::sign_in_federated`], which signs in only an account an
//! administrator has linked.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jiff::Timestamp;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rand::RngCore;
use reqwest::Url;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// How long discovery documents and keys are cached.
pub const CACHE_FOR: Duration = Duration::from_secs(60 * 60);

/// The least time between two fetches of the keys forced by an unknown key id.
pub const FORCED_REFETCH_EVERY: Duration = Duration::from_secs(10);

/// Time-out of every request to a provider.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest clock skew a provider may be configured with (5 minutes: RFC 7519 §4.1.4
/// leaves it to the implementer; "a few minutes" is the usual allowance).
pub const MAX_CLOCK_SKEW_SECONDS: u64 = 300;

/// The signature algorithms accepted for ID tokens. RS256 is the one OpenID Connect requires
/// providers to support (Core §15.1) and the one NHS CIS2 uses; ES256 for local providers.
pub const ACCEPTED_ALGORITHMS: [&str; 2] = ["RS256", "ES256"];

/// An error in the providers file, naming the provider and field.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("could not read the OpenID Connect providers file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not valid TOML, or a field missing or unknown (toml's message names the line).
    #[error("OpenID Connect providers file: {0}")]
    Parse(String),
    /// A value breaks a rule.
    #[error("OpenID Connect provider {provider:?}, field `{field}`: {message}")]
    Invalid {
        /// The provider's id (or its position when the id itself is wrong).
        provider: String,
        /// The field.
        field: &'static str,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The HTTP client could not be built.
    #[error("OpenID Connect HTTP client: {0}")]
    Client(String),
}

/// How the client authenticates at the token endpoint (OpenID Connect Core §9).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenAuth {
    /// HTTP Basic with the form-encoded client id and secret (RFC 6749 §2.3.1).
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
}

/// One provider as written in the file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Short id used in our URLs (`/staff/oidc/{id}`): lower-case letters, digits, hyphens.
    pub id: String,
    /// Shown on the button: "Sign in with {name}".
    pub name: String,
    /// The issuer identifier, exactly as the provider's discovery document gives it.
    pub issuer: String,
    /// Our client id at the provider.
    pub client_id: String,
    /// The name of the environment variable holding the client secret.
    pub client_secret_env: String,
    /// Our callback URL as registered with the provider:
    /// `https://<host>/staff/oidc/{id}/callback`.
    pub redirect_url: String,
    /// Scopes to ask for; must include `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The `acr` values that prove multi-factor authentication (e.g. CIS2's AAL3 values);
    /// an ID token with any other `acr`, or none, is refused.
    pub acr_values: Vec<String>,
    /// Allowed clock difference with the provider, in seconds (0–300; default 60).
    #[serde(default = "default_skew")]
    pub clock_skew_seconds: u64,
    /// When set, the authentication at the provider must be at most this old (`max_age` is
    /// sent, and `auth_time` checked).
    #[serde(default)]
    pub max_age_seconds: Option<u64>,
    /// `client_secret_basic` (default) or `client_secret_post`.
    #[serde(default)]
    pub token_endpoint_auth: TokenAuth,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into()]
}

fn default_skew() -> u64 {
    60
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvidersFile {
    #[serde(default)]
    provider: Vec<ProviderConfig>,
}

/// The configured providers (none by default: local sign-in only).
#[derive(Default)]
pub struct Federation {
    providers: Vec<Arc<Provider>>,
}

impl std::fmt::Debug for Federation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.providers.iter().map(|p| &p.config.id))
            .finish()
    }
}

impl Federation {
    /// Reads the providers file; secrets from the process environment.
    pub fn load(path: &std::path::Path) -> Result<Federation, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Federation::from_toml(&text, |name| std::env::var(name).ok())
    }

    /// Parses and checks the providers file; `secret` looks up environment variables.
    pub fn from_toml(
        text: &str,
        secret: impl Fn(&str) -> Option<String>,
    ) -> Result<Federation, ConfigError> {
        let file: ProvidersFile =
            toml::from_str(text).map_err(|e| ConfigError::Parse(e.to_string()))?;
        let mut seen = BTreeSet::new();
        let mut providers = Vec::new();
        for config in file.provider {
            check(&config)?;
            if !seen.insert(config.id.clone()) {
                return Err(invalid(&config, "id", "two providers have this id"));
            }
            let secret = secret(&config.client_secret_env)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| {
                    invalid(
                        &config,
                        "client_secret_env",
                        &format!(
                            "set the environment variable {} to the client secret (it is never read from the file)",
                            config.client_secret_env
                        ),
                    )
                })?;
            providers.push(Arc::new(Provider::new(config, secret)?));
        }
        Ok(Federation { providers })
    }

    /// Federation with these providers (tests and embedding).
    pub fn with(providers: Vec<Provider>) -> Federation {
        Federation {
            providers: providers.into_iter().map(Arc::new).collect(),
        }
    }

    /// The providers, in file order.
    pub fn providers(&self) -> impl Iterator<Item = &Arc<Provider>> {
        self.providers.iter()
    }

    /// The provider with this id.
    pub fn get(&self, id: &str) -> Option<Arc<Provider>> {
        self.providers.iter().find(|p| p.config.id == id).cloned()
    }
}

fn invalid(config: &ProviderConfig, field: &'static str, message: &str) -> ConfigError {
    ConfigError::Invalid {
        provider: config.id.clone(),
        field,
        message: message.to_owned(),
    }
}

/// `https`, or `http` to this machine only (a provider under test or development).
fn secure_url(url: &str) -> Option<Url> {
    let parsed = Url::parse(url).ok()?;
    let loopback = matches!(
        parsed.host_str(),
        Some("localhost") | Some("127.0.0.1") | Some("[::1]")
    );
    (parsed.scheme() == "https" || (parsed.scheme() == "http" && loopback)).then_some(parsed)
}

fn check(config: &ProviderConfig) -> Result<(), ConfigError> {
    let id_ok = !config.id.is_empty()
        && config.id.len() <= 40
        && config
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !id_ok {
        return Err(invalid(
            config,
            "id",
            "use 1–40 lower-case letters, digits or hyphens",
        ));
    }
    if config.name.trim().is_empty() || config.name.len() > 100 {
        return Err(invalid(config, "name", "give the name shown on the button"));
    }
    match secure_url(&config.issuer) {
        Some(url) if url.query().is_none() && url.fragment().is_none() => {}
        _ => {
            return Err(invalid(
                config,
                "issuer",
                "give an https URL without query or fragment (http only for localhost)",
            ))
        }
    }
    if config.client_id.trim().is_empty() {
        return Err(invalid(config, "client_id", "give the client id"));
    }
    let callback = format!("/staff/oidc/{}/callback", config.id);
    match secure_url(&config.redirect_url) {
        Some(url) if url.path() == callback && url.query().is_none() => {}
        _ => {
            return Err(invalid(
                config,
                "redirect_url",
                &format!("give this server's https URL ending {callback}"),
            ))
        }
    }
    if !config.scopes.iter().any(|s| s == "openid") {
        return Err(invalid(config, "scopes", "include \"openid\""));
    }
    if config
        .scopes
        .iter()
        .any(|s| s.is_empty() || s.contains(' '))
    {
        return Err(invalid(config, "scopes", "one scope per string, no spaces"));
    }
    if config.acr_values.is_empty() || config.acr_values.iter().any(|a| a.trim().is_empty()) {
        return Err(invalid(
            config,
            "acr_values",
            "list the authentication strengths (acr) that prove multi-factor sign-in, e.g. CIS2's AAL3 values: the local second factor is skipped only because of them",
        ));
    }
    if config.clock_skew_seconds > MAX_CLOCK_SKEW_SECONDS {
        return Err(invalid(
            config,
            "clock_skew_seconds",
            &format!("use 0–{MAX_CLOCK_SKEW_SECONDS} seconds"),
        ));
    }
    if config.max_age_seconds == Some(0) {
        return Err(invalid(
            config,
            "max_age_seconds",
            "use a positive number of seconds, or leave it out",
        ));
    }
    Ok(())
}

/// The parts of a discovery document used here (Discovery §3).
#[derive(Debug, Clone, Deserialize)]
pub struct Discovery {
    /// Must equal the configured issuer.
    pub issuer: String,
    /// Where the browser is sent.
    pub authorization_endpoint: String,
    /// Where the code is exchanged.
    pub token_endpoint: String,
    /// The provider's signing keys.
    pub jwks_uri: String,
    /// The algorithms the provider signs ID tokens with.
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
}

#[derive(Default)]
struct Cache {
    discovery: Option<(Discovery, Instant)>,
    keys: Option<(JwkSet, Instant)>,
    forced_refetch: Option<Instant>,
}

/// One configured provider with its cached discovery document and keys.
pub struct Provider {
    /// The configuration (the secret is kept apart).
    pub config: ProviderConfig,
    secret: String,
    http: reqwest::Client,
    cache: tokio::sync::Mutex<Cache>,
}

/// Why a federated sign-in was refused. The text goes to the audit trail; the person signing
/// in only ever sees one generic page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No such provider is configured.
    #[error("no provider with this id is configured")]
    UnknownProvider,
    /// Discovery or keys could not be fetched or were unusable.
    #[error("provider unavailable: {0}")]
    Unavailable(String),
    /// The answer did not match a sign-in this browser started (unknown, used or expired
    /// `state`, or another browser's).
    #[error("state did not match a sign-in started by this browser")]
    State,
    /// The provider answered with an error (e.g. the person cancelled).
    #[error("the provider answered with error {0:?}")]
    ProviderError(String),
    /// The token endpoint refused the code or answered nonsense.
    #[error("token exchange failed: {0}")]
    TokenExchange(String),
    /// Not a well-formed ID token.
    #[error("malformed ID token: {0}")]
    Malformed(String),
    /// An algorithm that is not accepted (`none`, HS*, …).
    #[error("ID token algorithm {0:?} is not accepted")]
    Algorithm(String),
    /// No key with the token's `kid`, even after fetching the keys again.
    #[error("ID token signed with an unknown key")]
    UnknownKey,
    /// The signature does not verify.
    #[error("ID token signature did not verify")]
    Signature,
    /// `iss` is not the provider's.
    #[error("ID token issuer {0:?} is not the configured issuer")]
    Issuer(String),
    /// `aud` does not contain our client id, or `azp` is not ours.
    #[error("ID token audience is not this client: {0}")]
    Audience(String),
    /// `exp` has passed.
    #[error("ID token expired")]
    Expired,
    /// `iat` or `nbf` in the future, or `iat` too old.
    #[error("ID token time claims out of range: {0}")]
    Time(String),
    /// `nonce` missing or not this sign-in's.
    #[error("ID token nonce did not match this sign-in")]
    Nonce,
    /// `acr` missing or not one of the configured values.
    #[error("authentication strength not enough: acr {0:?}")]
    Acr(Option<String>),
    /// `auth_time` missing or older than `max_age`.
    #[error("authentication too old or auth_time missing")]
    AuthTime,
    /// No account is linked to this identity.
    #[error("no staff account is linked to this identity")]
    Unlinked,
    /// The linked account is disabled.
    #[error("the linked account is disabled")]
    Disabled,
    /// The linked account is locked after failed local sign-ins, until the given time.
    #[error("the linked account is locked until {0} (too many failed sign-ins)")]
    Locked(jiff::Timestamp),
}

/// A verified identity from an ID token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// `iss`.
    pub issuer: String,
    /// `sub`.
    pub subject: String,
    /// `acr`, one of the configured values.
    pub acr: String,
}

/// What a new sign-in needs to remember until the provider answers.
#[derive(Debug, Clone)]
pub struct Authorization {
    /// Where to send the browser.
    pub url: String,
    /// The `state` sent.
    pub state: String,
    /// The `nonce` sent.
    pub nonce: String,
    /// The PKCE verifier whose S256 challenge was sent.
    pub code_verifier: String,
}

/// 256 random bits, base64url (43 characters: a valid PKCE verifier, RFC 7636 §4.1).
pub fn random_value() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)) (RFC 7636 §4.2).
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize)]
struct IdClaims {
    iss: String,
    sub: String,
    aud: Audience,
    exp: i64,
    iat: i64,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    acr: Option<String>,
    #[serde(default)]
    auth_time: Option<i64>,
    #[serde(default)]
    azp: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    id_token: Option<String>,
}

#[derive(Deserialize)]
struct TokenError {
    error: Option<String>,
}

/// The `alg` of a JWS, read before anything else (so that `none` is refused by name).
fn header_alg(token: &str) -> Result<(String, Option<String>), Refusal> {
    let header = token
        .split('.')
        .next()
        .ok_or_else(|| Refusal::Malformed("no header".into()))?;
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| Refusal::Malformed("header is not base64url".into()))?;
    #[derive(Deserialize)]
    struct Header {
        alg: String,
        #[serde(default)]
        kid: Option<String>,
    }
    let header: Header =
        serde_json::from_slice(&bytes).map_err(|e| Refusal::Malformed(format!("header: {e}")))?;
    Ok((header.alg, header.kid))
}

/// Whether `jwk` can verify `alg`: RSA keys for RS256, P-256 keys for ES256, only signing keys.
fn key_fits(jwk: &Jwk, alg: Algorithm) -> bool {
    let use_ok = jwk
        .common
        .public_key_use
        .as_ref()
        .is_none_or(|u| *u == jsonwebtoken::jwk::PublicKeyUse::Signature);
    let alg_ok = jwk.common.key_algorithm.is_none_or(|a| match alg {
        Algorithm::RS256 => a == KeyAlgorithm::RS256,
        Algorithm::ES256 => a == KeyAlgorithm::ES256,
        _ => false,
    });
    let kind_ok = match (&jwk.algorithm, alg) {
        (AlgorithmParameters::RSA(_), Algorithm::RS256) => true,
        (AlgorithmParameters::EllipticCurve(ec), Algorithm::ES256) => {
            ec.curve == EllipticCurve::P256
        }
        _ => false,
    };
    use_ok && alg_ok && kind_ok
}

fn find_key<'a>(keys: &'a JwkSet, kid: Option<&str>, alg: Algorithm) -> Option<&'a Jwk> {
    let mut fitting = keys.keys.iter().filter(|k| key_fits(k, alg));
    match kid {
        Some(kid) => fitting.find(|k| k.common.key_id.as_deref() == Some(kid)),
        // No `kid`: acceptable only when exactly one key fits (Core §10.1).
        None => {
            let first = fitting.next();
            if fitting.next().is_some() {
                None
            } else {
                first
            }
        }
    }
}

impl Provider {
    /// A provider from checked configuration and its secret.
    pub fn new(config: ProviderConfig, secret: String) -> Result<Provider, ConfigError> {
        check(&config)?;
        let http = reqwest::Client::builder()
            .timeout(PROVIDER_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ConfigError::Client(e.to_string()))?;
        Ok(Provider {
            config,
            secret,
            http,
            cache: tokio::sync::Mutex::new(Cache::default()),
        })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, Refusal> {
        let url = secure_url(url)
            .ok_or_else(|| Refusal::Unavailable(format!("{url} is not an https URL")))?;
        let response = self
            .http
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| Refusal::Unavailable(format!("{url}: {e}")))?;
        if !response.status().is_success() {
            return Err(Refusal::Unavailable(format!(
                "{url} answered {}",
                response.status()
            )));
        }
        response
            .json()
            .await
            .map_err(|e| Refusal::Unavailable(format!("{url}: {e}")))
    }

    /// The discovery document (cached for [`CACHE_FOR`]); its `issuer` must be ours.
    pub async fn discovery(&self) -> Result<Discovery, Refusal> {
        let mut cache = self.cache.lock().await;
        if let Some((d, at)) = &cache.discovery {
            if at.elapsed() < CACHE_FOR {
                return Ok(d.clone());
            }
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.config.issuer.trim_end_matches('/')
        );
        let discovery: Discovery = self.get_json(&url).await?;
        if discovery.issuer != self.config.issuer {
            return Err(Refusal::Unavailable(format!(
                "the discovery document's issuer {:?} is not the configured one",
                discovery.issuer
            )));
        }
        for endpoint in [
            &discovery.authorization_endpoint,
            &discovery.token_endpoint,
            &discovery.jwks_uri,
        ] {
            if secure_url(endpoint).is_none() {
                return Err(Refusal::Unavailable(format!(
                    "endpoint {endpoint} is not an https URL"
                )));
            }
        }
        cache.discovery = Some((discovery.clone(), Instant::now()));
        Ok(discovery)
    }

    /// Starts a sign-in: fresh `state`, `nonce` and PKCE verifier, and the URL to send the
    /// browser to.
    pub async fn authorize(&self) -> Result<Authorization, Refusal> {
        let discovery = self.discovery().await?;
        let state = random_value();
        let nonce = random_value();
        let code_verifier = random_value();
        let mut url = Url::parse(&discovery.authorization_endpoint)
            .map_err(|e| Refusal::Unavailable(e.to_string()))?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &self.config.client_id)
                .append_pair("redirect_uri", &self.config.redirect_url)
                .append_pair("scope", &self.config.scopes.join(" "))
                .append_pair("state", &state)
                .append_pair("nonce", &nonce)
                .append_pair("code_challenge", &s256_challenge(&code_verifier))
                .append_pair("code_challenge_method", "S256")
                .append_pair("acr_values", &self.config.acr_values.join(" "));
            if let Some(max_age) = self.config.max_age_seconds {
                query.append_pair("max_age", &max_age.to_string());
            }
        }
        Ok(Authorization {
            url: url.to_string(),
            state,
            nonce,
            code_verifier,
        })
    }

    /// Exchanges the code for an ID token (with the PKCE verifier) and verifies it.
    pub async fn finish(
        &self,
        code: &str,
        code_verifier: &str,
        nonce: &str,
        now: Timestamp,
    ) -> Result<Identity, Refusal> {
        let discovery = self.discovery().await?;
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.config.redirect_url.as_str()),
            ("code_verifier", code_verifier),
            ("client_id", self.config.client_id.as_str()),
        ];
        let mut request = self
            .http
            .post(&discovery.token_endpoint)
            .header(reqwest::header::ACCEPT, "application/json");
        match self.config.token_endpoint_auth {
            TokenAuth::ClientSecretBasic => {
                // RFC 6749 §2.3.1: each part form-encoded before Basic encoding.
                let id: String =
                    form_urlencoded::byte_serialize(self.config.client_id.as_bytes()).collect();
                let secret: String =
                    form_urlencoded::byte_serialize(self.secret.as_bytes()).collect();
                request = request.basic_auth(id, Some(secret));
            }
            TokenAuth::ClientSecretPost => form.push(("client_secret", self.secret.as_str())),
        }
        let response = request
            .form(&form)
            .send()
            .await
            .map_err(|e| Refusal::TokenExchange(e.to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| Refusal::TokenExchange(e.to_string()))?;
        if !status.is_success() {
            let error = serde_json::from_slice::<TokenError>(&body)
                .ok()
                .and_then(|e| e.error)
                .unwrap_or_default();
            return Err(Refusal::TokenExchange(format!(
                "the token endpoint answered {status} {}",
                sanitise(&error)
            )));
        }
        let token = serde_json::from_slice::<TokenResponse>(&body)
            .ok()
            .and_then(|t| t.id_token)
            .ok_or_else(|| Refusal::TokenExchange("no id_token in the answer".into()))?;
        self.verify_id_token(&token, nonce, now).await
    }

    async fn keys(&self, jwks_uri: &str, force: bool) -> Result<Option<JwkSet>, Refusal> {
        let cache = self.cache.lock().await;
        if !force {
            if let Some((keys, at)) = &cache.keys {
                if at.elapsed() < CACHE_FOR {
                    return Ok(Some(keys.clone()));
                }
            }
        } else if cache
            .forced_refetch
            .is_some_and(|at| at.elapsed() < FORCED_REFETCH_EVERY)
        {
            return Ok(None);
        }
        drop(cache);
        let keys: JwkSet = self.get_json(jwks_uri).await?;
        let mut cache = self.cache.lock().await;
        if force {
            cache.forced_refetch = Some(Instant::now());
        }
        cache.keys = Some((keys.clone(), Instant::now()));
        Ok(Some(keys))
    }

    /// Verifies an ID token (see the module documentation for every check) at `now`.
    pub async fn verify_id_token(
        &self,
        token: &str,
        nonce: &str,
        now: Timestamp,
    ) -> Result<Identity, Refusal> {
        let discovery = self.discovery().await?;
        let (alg_name, kid) = header_alg(token)?;
        let offered = discovery.id_token_signing_alg_values_supported.is_empty()
            || discovery
                .id_token_signing_alg_values_supported
                .contains(&alg_name);
        let alg = match alg_name.as_str() {
            "RS256" if offered => Algorithm::RS256,
            "ES256" if offered => Algorithm::ES256,
            _ => return Err(Refusal::Algorithm(sanitise(&alg_name))),
        };
        let mut key = None;
        if let Some(keys) = self.keys(&discovery.jwks_uri, false).await? {
            key = find_key(&keys, kid.as_deref(), alg).cloned();
        }
        if key.is_none() {
            // Perhaps the provider has rotated its keys since they were cached.
            if let Some(keys) = self.keys(&discovery.jwks_uri, true).await? {
                key = find_key(&keys, kid.as_deref(), alg).cloned();
            }
        }
        let key = key.ok_or(Refusal::UnknownKey)?;
        let key = DecodingKey::from_jwk(&key).map_err(|_| Refusal::UnknownKey)?;
        // jsonwebtoken checks the signature (and that the key's family fits `alg`); the claims
        // are checked below against the application's clock, with the configured skew.
        let mut validation = Validation::new(alg);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        let claims = match jsonwebtoken::decode::<IdClaims>(token, &key, &validation) {
            Ok(data) => data.claims,
            Err(e) => {
                use jsonwebtoken::errors::ErrorKind;
                return Err(match e.kind() {
                    ErrorKind::InvalidSignature => Refusal::Signature,
                    ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
                        Refusal::Algorithm(alg_name)
                    }
                    ErrorKind::Json(e) => Refusal::Malformed(format!("claims: {e}")),
                    other => Refusal::Malformed(format!("{other:?}")),
                });
            }
        };
        self.check_claims(claims, nonce, now)
    }

    fn check_claims(
        &self,
        claims: IdClaims,
        nonce: &str,
        now: Timestamp,
    ) -> Result<Identity, Refusal> {
        let config = &self.config;
        if claims.iss != config.issuer {
            return Err(Refusal::Issuer(sanitise(&claims.iss)));
        }
        let audiences = match &claims.aud {
            Audience::One(a) => vec![a.as_str()],
            Audience::Many(list) => list.iter().map(String::as_str).collect(),
        };
        if !audiences.contains(&config.client_id.as_str()) {
            return Err(Refusal::Audience(format!(
                "aud {:?}",
                audiences.iter().map(|a| sanitise(a)).collect::<Vec<_>>()
            )));
        }
        match &claims.azp {
            Some(azp) if *azp != config.client_id => {
                return Err(Refusal::Audience(format!("azp {:?}", sanitise(azp))))
            }
            None if audiences.len() > 1 => {
                return Err(Refusal::Audience("several audiences and no azp".to_owned()))
            }
            _ => {}
        }
        let now_s = now.as_second();
        let skew = config.clock_skew_seconds as i64;
        if now_s > claims.exp + skew {
            return Err(Refusal::Expired);
        }
        if claims.iat > now_s + skew {
            return Err(Refusal::Time("iat is in the future".into()));
        }
        if claims.iat < now_s - nwd_store::oidc::FLOW_LIFETIME.as_secs() - skew {
            return Err(Refusal::Time("iat is older than a sign-in may take".into()));
        }
        if claims.nbf.is_some_and(|nbf| nbf > now_s + skew) {
            return Err(Refusal::Time("nbf is in the future".into()));
        }
        if claims.nonce.as_deref() != Some(nonce) {
            return Err(Refusal::Nonce);
        }
        if claims.sub.is_empty() || claims.sub.len() > 255 {
            return Err(Refusal::Malformed("sub is empty or longer than 255".into()));
        }
        let acr = match &claims.acr {
            Some(acr) if config.acr_values.contains(acr) => acr.clone(),
            other => return Err(Refusal::Acr(other.as_deref().map(sanitise))),
        };
        if let Some(max_age) = config.max_age_seconds {
            match claims.auth_time {
                Some(at) if now_s - at <= max_age as i64 + skew && at <= now_s + skew => {}
                _ => return Err(Refusal::AuthTime),
            }
        }
        Ok(Identity {
            issuer: claims.iss,
            subject: claims.sub,
            acr,
        })
    }
}

/// Provider-supplied text made safe for the audit trail: printable ASCII, at most 100
/// characters.
pub fn sanitise(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(100)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"
[[provider]]
id = "cis2"
name = "NHS Care Identity Service 2"
issuer = "https://am.nhsint.auth-ptl.cis2.spineservices.nhs.uk:443/openam/oauth2/realms/root/realms/NHSIdentity/realms/Healthcare"
client_id = "nwd-test"
client_secret_env = "NWD_TEST_CIS2_SECRET"
redirect_url = "https://nwd.example/staff/oidc/cis2/callback"
scopes = ["openid", "profile"]
acr_values = ["AAL3_ANY"]
"#;

    #[test]
    fn a_provider_file_needs_its_secret_from_the_environment() {
        let err = Federation::from_toml(FILE, |_| None).err();
        assert!(
            matches!(
                err,
                Some(ConfigError::Invalid {
                    field: "client_secret_env",
                    ..
                })
            ),
            "{err:?}"
        );
        let ok = Federation::from_toml(FILE, |name| {
            (name == "NWD_TEST_CIS2_SECRET").then(|| "s3cret".to_owned())
        });
        let federation = ok.map_err(|e| e.to_string());
        assert_eq!(
            federation.map(|f| f
                .providers()
                .map(|p| p.config.id.clone())
                .collect::<Vec<_>>()),
            Ok(vec!["cis2".to_owned()])
        );
    }

    #[test]
    fn bad_provider_fields_are_named() {
        for (from, to, field) in [
            ("id = \"cis2\"", "id = \"CIS 2\"", "id"),
            (
                "acr_values = [\"AAL3_ANY\"]",
                "acr_values = []",
                "acr_values",
            ),
            (
                "https://nwd.example/staff/oidc/cis2/callback",
                "https://nwd.example/elsewhere",
                "redirect_url",
            ),
            ("https://am.nhsint", "http://am.nhsint", "issuer"),
            (
                "scopes = [\"openid\", \"profile\"]",
                "scopes = [\"profile\"]",
                "scopes",
            ),
        ] {
            let text = FILE.replace(from, to);
            let err = Federation::from_toml(&text, |_| Some("s".into())).err();
            assert!(
                matches!(&err, Some(ConfigError::Invalid { field: f, .. }) if *f == field),
                "{field}: {err:?}"
            );
        }
        let unknown = FILE.replace("scopes =", "client_secret = \"no\"\nscopes =");
        assert!(matches!(
            Federation::from_toml(&unknown, |_| Some("s".into())),
            Err(ConfigError::Parse(_))
        ));
    }

    #[test]
    fn the_example_file_is_valid() {
        let text = include_str!("../../../config/oidc.example.toml");
        let federation = Federation::from_toml(text, |name| {
            (name == "NWD_CIS2_CLIENT_SECRET").then(|| "example".to_owned())
        })
        .map_err(|e| e.to_string());
        assert_eq!(
            federation.map(|f| f
                .providers()
                .map(|p| p.config.acr_values.clone())
                .collect::<Vec<_>>()),
            Ok(vec![vec!["AAL3_ANY".to_owned()]])
        );
    }

    #[test]
    fn pkce_challenge_is_rfc_7636_s256() {
        // RFC 7636 Appendix B's example.
        assert_eq!(
            s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(random_value().len(), 43);
    }
}
