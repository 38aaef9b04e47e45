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
//! handed to `nwd_store::Store::sign_in_federated`, which signs in only an account an
//! administrator has linked.
//!
//! A crate of its own: it knows the provider and the tokens, not No Wrong Door's pages, store
//! or routes (the sign-in pages are `nwd_pages::staff::oidc`). Its heavy dependencies (an HTTPS
//! client, JOSE) build once, beside the web crate rather than inside it.
//!
//! Modules: `config` (the providers file and its checks), `provider` (discovery, keys, the
//! authorization request, the code exchange and the ID token's checks).

mod config;
mod provider;

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub use config::{ConfigError, Federation, ProviderConfig, TokenAuth};
pub use provider::{Authorization, Discovery, Identity, Provider, Refusal};

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
