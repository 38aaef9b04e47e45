//! One provider: discovery and keys (cached), the authorization request with PKCE, `state`
//! and `nonce`, the code exchange, and every check of the ID token (see the crate's
//! documentation for the list).

use std::time::Instant;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jiff::{SignedDuration, Timestamp};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::Url;
use serde::Deserialize;

use crate::config::{check, secure_url};
use crate::{
    random_value, s256_challenge, sanitise, ConfigError, ProviderConfig, TokenAuth, CACHE_FOR,
    FORCED_REFETCH_EVERY, PROVIDER_TIMEOUT,
};

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

    /// Exchanges the code for an ID token (with the PKCE verifier) and verifies it
    /// ([`Provider::verify_id_token`]).
    pub async fn finish(
        &self,
        code: &str,
        code_verifier: &str,
        nonce: &str,
        now: Timestamp,
        sign_in_lifetime: SignedDuration,
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
        self.verify_id_token(&token, nonce, now, sign_in_lifetime)
            .await
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

    /// Verifies an ID token (see the crate's documentation for every check) at `now`, for a
    /// sign-in that may take at most `sign_in_lifetime` (the caller's, who keeps the flow:
    /// `nwd_store::oidc::FLOW_LIFETIME`) — an older `iat` is refused.
    pub async fn verify_id_token(
        &self,
        token: &str,
        nonce: &str,
        now: Timestamp,
        sign_in_lifetime: SignedDuration,
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
        self.check_claims(claims, nonce, now, sign_in_lifetime)
    }

    fn check_claims(
        &self,
        claims: IdClaims,
        nonce: &str,
        now: Timestamp,
        sign_in_lifetime: SignedDuration,
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
        if claims.iat < now_s - sign_in_lifetime.as_secs() - skew {
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
