//! The providers file (`serve --oidc FILE`): each provider's configuration and its checks,
//! and the [`Federation`] of configured providers. Client secrets come from the environment
//! variables the file names, never from the file.

use std::collections::BTreeSet;
use std::sync::Arc;

use reqwest::Url;
use serde::Deserialize;

use crate::provider::Provider;
use crate::MAX_CLOCK_SKEW_SECONDS;

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
pub(crate) fn secure_url(url: &str) -> Option<Url> {
    let parsed = Url::parse(url).ok()?;
    let loopback = matches!(
        parsed.host_str(),
        Some("localhost") | Some("127.0.0.1") | Some("[::1]")
    );
    (parsed.scheme() == "https" || (parsed.scheme() == "http" && loopback)).then_some(parsed)
}

pub(crate) fn check(config: &ProviderConfig) -> Result<(), ConfigError> {
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
