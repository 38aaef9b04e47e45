//! A real, small OpenID Connect provider for the federation tests: an axum server on port 0
//! serving discovery, JWKS, an authorization endpoint (which "signs in" whoever the test
//! says, at once) and a token endpoint that checks the client secret, the redirect URI and the
//! PKCE S256 verifier, and issues ID tokens signed with freshly generated keys (RSA 2048 and
//! P-256). What the ID token says — and how it is signed — is set per test ([`Behaviour`]), so
//! each check the application makes can be made to fail on its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "nwd-test-client";
pub const CLIENT_SECRET: &str = "test-client-secret-not-a-real-one";
pub const SUBJECT: &str = "5b2a1f0e-synthetic-subject-0001";
pub const AAL3: &str = "AAL3_ANY";

/// How the next ID token is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signing {
    /// RS256 with the published RSA key.
    Rsa,
    /// ES256 with the published P-256 key.
    Ec,
    /// RS256 with another RSA key, under the published key's `kid`.
    WrongKey,
    /// `alg: none`, no signature.
    None,
    /// HS256 keyed with the published RSA public key (the key-confusion attack).
    HmacWithPublicKey,
    /// RS256 with a second RSA key that is published only after the first JWKS fetch.
    Rotated,
}

/// What the next ID token says.
#[derive(Debug, Clone)]
pub struct Behaviour {
    pub subject: String,
    pub acr: Option<String>,
    pub aud: Value,
    pub azp: Option<String>,
    /// Seconds from now.
    pub exp_in: i64,
    /// Seconds from now (negative: in the past).
    pub iat_in: i64,
    /// Replaces the nonce the client sent.
    pub nonce: Option<String>,
    pub issuer: Option<String>,
    pub signing: Signing,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            subject: SUBJECT.into(),
            acr: Some(AAL3.into()),
            aud: json!(CLIENT_ID),
            azp: None,
            exp_in: 300,
            iat_in: 0,
            nonce: None,
            issuer: None,
            signing: Signing::Rsa,
        }
    }
}

struct Grant {
    redirect_uri: String,
    nonce: String,
    challenge: String,
}

#[derive(Default)]
struct IdpState {
    behaviour: Behaviour,
    grants: HashMap<String, Grant>,
    /// The last authorization request's query.
    pub last_authorize: HashMap<String, String>,
    jwks_fetches: u32,
    rotated_published: bool,
}

struct Keys {
    rsa: EncodingKey,
    rsa_jwk: Value,
    rsa_public_pem: String,
    other_rsa: EncodingKey,
    rotated: EncodingKey,
    rotated_jwk: Value,
    ec: EncodingKey,
    ec_jwk: Value,
}

fn rsa_key(kid: &str) -> (EncodingKey, Value, String) {
    use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
    use rsa::traits::PublicKeyParts;
    let key = rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap();
    let der = key.to_pkcs1_der().unwrap();
    let jwk = json!({
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
        "n": URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()),
        "e": URL_SAFE_NO_PAD.encode(key.e().to_bytes_be()),
    });
    let pem = key
        .to_public_key()
        .to_pkcs1_pem(rsa::pkcs8::LineEnding::LF)
        .unwrap();
    (EncodingKey::from_rsa_der(der.as_bytes()), jwk, pem)
}

/// Keys generated once per test run (RSA generation is slow in a debug build).
fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        use p256::pkcs8::EncodePrivateKey;
        let (rsa, rsa_jwk, rsa_public_pem) = rsa_key("rsa-1");
        let (other_rsa, _, _) = rsa_key("rsa-1");
        let (rotated, rotated_jwk, _) = rsa_key("rsa-2");
        let ec = p256::SecretKey::random(&mut rand::rngs::OsRng);
        let point = ec.public_key().to_encoded_point(false);
        let ec_jwk = json!({
            "kty": "EC", "use": "sig", "alg": "ES256", "kid": "ec-1", "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(point.x().unwrap()),
            "y": URL_SAFE_NO_PAD.encode(point.y().unwrap()),
        });
        let ec = EncodingKey::from_ec_der(ec.to_pkcs8_der().unwrap().as_bytes());
        Keys {
            rsa,
            rsa_jwk,
            rsa_public_pem,
            other_rsa,
            rotated,
            rotated_jwk,
            ec,
            ec_jwk,
        }
    })
}

/// A running test provider.
pub struct TestIdp {
    pub issuer: String,
    state: Arc<Mutex<IdpState>>,
}

type Shared = (String, Arc<Mutex<IdpState>>);

impl TestIdp {
    pub async fn start() -> TestIdp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(IdpState::default()));
        let shared: Shared = (issuer.clone(), state.clone());
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .with_state(shared);
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        // Generate the keys before the first request needs them.
        tokio::task::spawn_blocking(keys).await.unwrap();
        TestIdp { issuer, state }
    }

    /// Sets what the next ID tokens say.
    pub fn behave(&self, behaviour: Behaviour) {
        self.state.lock().unwrap().behaviour = behaviour;
    }

    /// The last authorization request's query parameters.
    pub fn last_authorize(&self) -> HashMap<String, String> {
        self.state.lock().unwrap().last_authorize.clone()
    }

    /// How many times the keys were fetched.
    pub fn jwks_fetches(&self) -> u32 {
        self.state.lock().unwrap().jwks_fetches
    }

    /// Publishes the second RSA key (a key rotation).
    pub fn rotate(&self) {
        self.state.lock().unwrap().rotated_published = true;
    }
}

async fn discovery(State((issuer, _)): State<Shared>) -> Json<Value> {
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
    }))
}

async fn jwks(State((_, state)): State<Shared>) -> Json<Value> {
    let mut state = state.lock().unwrap();
    state.jwks_fetches += 1;
    let keys = keys();
    let mut list = vec![keys.rsa_jwk.clone(), keys.ec_jwk.clone()];
    if state.rotated_published {
        list.push(keys.rotated_jwk.clone());
    }
    Json(json!({ "keys": list }))
}

async fn authorize(
    State((_, state)): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut state = state.lock().unwrap();
    state.last_authorize = query.clone();
    let ok = query.get("response_type").map(String::as_str) == Some("code")
        && query.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && query.get("code_challenge_method").map(String::as_str) == Some("S256")
        && query
            .get("scope")
            .is_some_and(|s| s.split(' ').any(|s| s == "openid"));
    let (Some(redirect_uri), Some(state_param), Some(nonce), Some(challenge)) = (
        query.get("redirect_uri"),
        query.get("state"),
        query.get("nonce"),
        query.get("code_challenge"),
    ) else {
        return (StatusCode::BAD_REQUEST, "missing parameter").into_response();
    };
    if !ok {
        return (StatusCode::BAD_REQUEST, "bad request").into_response();
    }
    let code = nwd_oidc::random_value();
    state.grants.insert(
        code.clone(),
        Grant {
            redirect_uri: redirect_uri.clone(),
            nonce: nonce.clone(),
            challenge: challenge.clone(),
        },
    );
    let mut target = reqwest::Url::parse(redirect_uri).unwrap();
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", state_param);
    Redirect::to(target.as_str()).into_response()
}

fn token_error(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
}

async fn token(
    State((issuer, state)): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    // client_secret_basic.
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|v| STANDARD.decode(v).ok())
        .and_then(|v| String::from_utf8(v).ok());
    if basic.as_deref() != Some(&format!("{CLIENT_ID}:{CLIENT_SECRET}")) {
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client" })),
        )
            .into_response();
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return token_error("unsupported_grant_type");
    }
    let mut state = state.lock().unwrap();
    let Some(grant) = form.get("code").and_then(|c| state.grants.remove(c)) else {
        return token_error("invalid_grant");
    };
    if form.get("redirect_uri") != Some(&grant.redirect_uri) {
        return token_error("invalid_grant");
    }
    // PKCE S256 (RFC 7636 §4.6).
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != grant.challenge {
        return token_error("invalid_grant");
    }
    let b = state.behaviour.clone();
    let now = jiff::Timestamp::now().as_second();
    let mut claims = json!({
        "iss": b.issuer.clone().unwrap_or(issuer),
        "sub": b.subject,
        "aud": b.aud,
        "exp": now + b.exp_in,
        "iat": now + b.iat_in,
        "auth_time": now - 5,
        "nonce": b.nonce.clone().unwrap_or(grant.nonce),
    });
    if let Some(acr) = b.acr {
        claims["acr"] = json!(acr);
    }
    if let Some(azp) = b.azp {
        claims["azp"] = json!(azp);
    }
    let keys = keys();
    let signed = |alg, kid: &str, key: &EncodingKey| {
        let mut header = Header::new(alg);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, &claims, key).unwrap()
    };
    let id_token = match b.signing {
        Signing::Rsa => signed(jsonwebtoken::Algorithm::RS256, "rsa-1", &keys.rsa),
        Signing::Ec => signed(jsonwebtoken::Algorithm::ES256, "ec-1", &keys.ec),
        Signing::WrongKey => signed(jsonwebtoken::Algorithm::RS256, "rsa-1", &keys.other_rsa),
        Signing::Rotated => signed(jsonwebtoken::Algorithm::RS256, "rsa-2", &keys.rotated),
        Signing::HmacWithPublicKey => signed(
            jsonwebtoken::Algorithm::HS256,
            "rsa-1",
            &EncodingKey::from_secret(keys.rsa_public_pem.as_bytes()),
        ),
        Signing::None => format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","kid":"rsa-1"}"#),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        ),
    };
    Json(json!({
        "access_token": "opaque-access-token",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
    .into_response()
}
