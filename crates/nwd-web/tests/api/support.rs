//! Test support: a fresh database per test on each backend, a running server, and a client.

use std::sync::Arc;

use jiff::Timestamp;
use nwd_domain::standards::DefaultStandards;
use nwd_store::testing::TestDatabase;
use nwd_store::{Backend, Store, StoreOptions};
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::{json, Value};

#[path = "support/demo.rs"]
pub mod demo;

use demo::coordinator;
pub use demo::load_demo;

/// Runs a test body once per backend: SQLite always, PostgreSQL when `DATABASE_URL` is set
/// (and required when `NWD_REQUIRE_POSTGRES=1`). Makes the tests `name::sqlite` and
/// `name::postgres`, each on a fresh database from the test kit (`nwd_store::testing`).
///
/// * `on_both_backends!(name)`: `async fn name(app: &TestApp)`, lenient access settings
///   (a day's grace after discharge, [`lenient_access`]);
/// * `on_both_backends!(name, strict)`: the default access settings (no grace);
/// * `on_both_backends!(name, matching)`: with the probabilistic person matcher at intake;
/// * `on_both_backends!(name, oidc)`: `async fn name(app: &TestApp, idp: &TestIdp)`, a
///   server federated with a test identity provider (`oidc.rs`).
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        $crate::on_both_backends!($name, lenient);
    };
    ($name:ident, oidc) => {
        nwd_store::on_both_backends!($name, |backend| {
            let (app, idp) = $crate::oidc::spawn(backend).await;
            super::$name(&app, &idp).await;
            app.finish().await;
        });
    };
    ($name:ident, $setup:ident) => {
        nwd_store::on_both_backends!($name, |backend| {
            let app =
                $crate::support::TestApp::spawn(backend, $crate::support::Setup::$setup()).await;
            super::$name(&app).await;
            app.finish().await;
        });
    };
}

/// How a test's server is set up (see [`on_both_backends!`]).
pub struct Setup {
    /// The probabilistic person matcher at intake (else NHS numbers only).
    pub matching: bool,
    /// Access settings.
    pub access: nwd_store::auth::AccessSettings,
    /// A demonstration database: a small demo county with its staff ([`load_demo`]),
    /// loaded before the coordinator's account exists, as `serve --demo` does.
    pub demo: bool,
}

impl Setup {
    /// Lenient access settings ([`lenient_access`]), no demographic matcher.
    pub fn lenient() -> Setup {
        Setup {
            matching: false,
            access: lenient_access(),
            demo: false,
        }
    }

    /// The default access settings (no grace period after discharge).
    pub fn strict() -> Setup {
        Setup {
            matching: false,
            access: Default::default(),
            demo: false,
        }
    }

    /// Lenient access settings and the probabilistic person matcher.
    pub fn matching() -> Setup {
        Setup {
            matching: true,
            access: lenient_access(),
            demo: false,
        }
    }

    /// A demonstration database (default access settings): see [`load_demo`].
    pub fn demo() -> Setup {
        Setup {
            demo: true,
            ..Setup::strict()
        }
    }
}

/// A running server and what it runs on.
pub struct TestApp {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub base: String,
    /// HTTP client.
    pub client: Client,
    /// The store behind the server (for asserting what was written).
    pub store: Store,
    /// A single-point-of-access coordinator (triage + administrator)'s API token.
    pub coordinator_token: String,
    /// The database the server uses (for tests that must reach past the application).
    pub database_url: String,
    /// Milliseconds added to the server's clock.
    pub clock_offset: Arc<std::sync::atomic::AtomicI64>,
    /// The server's secret key (audit MACs, sealed TOTP secrets), held outside the database.
    pub secret_key: nwd_store::secrets::SecretKey,
    /// The database (removed when the app is dropped, also after a panic).
    database: TestDatabase,
}

/// Makes the OpenID Connect providers from the server's base URL (for their redirect URLs).
type OidcMaker = Box<dyn FnOnce(&str) -> nwd_oidc::Federation + Send>;

/// Access settings for the lifecycle tests: a one-day grace period after discharge, so that
/// the coordinator can still read a referral it has just closed (the access-control tests use
/// the default, no grace).
pub fn lenient_access() -> nwd_store::auth::AccessSettings {
    nwd_store::auth::AccessSettings {
        grace: jiff::SignedDuration::from_hours(24),
        ..Default::default()
    }
}

pub fn standards() -> DefaultStandards {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/standards.toml"
    ))
    .unwrap();
    toml::from_str(&text).unwrap()
}

/// The organisation's text every test server is configured with (`statements.rs`).
pub fn public_info() -> nwd_web::public_info::PublicInfo {
    nwd_web::public_info::PublicInfo {
        organisation: "Testshire Young Minds Partnership".into(),
        email: Some("spa@testshire.example".into()),
        phone: Some("01632 960 123".into()),
        opening_hours: Some("Monday to Friday, 9am to 5pm".into()),
        address: Some("1 Test Street, Testtown".into()),
        dpo_name: "Testshire Data Protection Officer".into(),
        dpo_email: Some("dpo@testshire.example".into()),
        accessibility_reviewed: Some("1 December 2026".into()),
    }
}

/// The real clock plus an offset a test can move forward (break-glass expiry, timeouts).
fn clock(offset: Arc<std::sync::atomic::AtomicI64>) -> nwd_store::Clock {
    Arc::new(move || {
        let shift =
            jiff::SignedDuration::from_millis(offset.load(std::sync::atomic::Ordering::SeqCst));
        nwd_store::truncate_to_millis(Timestamp::now() + shift)
    })
}

impl TestApp {
    /// Starts a server on a fresh database on `backend` (which the run must cover: see
    /// `nwd_store::testing::covers`).
    pub async fn spawn(backend: Backend, setup: Setup) -> TestApp {
        let database = TestDatabase::new(backend)
            .await
            .expect("the run covers this backend");
        TestApp::start(database, setup.matching, setup.access, None, setup.demo).await
    }

    /// Starts a server on a fresh SQLite database.
    pub async fn spawn_sqlite(matching: bool) -> TestApp {
        let setup = if matching {
            Setup::matching()
        } else {
            Setup::lenient()
        };
        TestApp::spawn(Backend::Sqlite, setup).await
    }

    /// Starts a server on `backend` with the OpenID Connect providers `oidc` makes from the
    /// server's base URL.
    pub async fn spawn_with_oidc(
        backend: Backend,
        oidc: impl FnOnce(&str) -> nwd_oidc::Federation + Send + 'static,
    ) -> TestApp {
        let oidc: Option<OidcMaker> = Some(Box::new(oidc));
        let database = TestDatabase::new(backend)
            .await
            .expect("the run covers this backend");
        TestApp::start(database, false, lenient_access(), oidc, false).await
    }

    async fn start(
        database: TestDatabase,
        matching: bool,
        access: nwd_store::auth::AccessSettings,
        oidc: Option<OidcMaker>,
        demo: bool,
    ) -> TestApp {
        let mut options = StoreOptions::new(database.url(), standards());
        options.access = access;
        if matching {
            // The starting parameters (no estimation: a fresh register has no data yet).
            let matcher = nwd_match::person_matcher::RegisterMatcher::new(
                &nwd_match::Params::default(),
                nwd_match::Thresholds::default(),
            )
            .unwrap();
            options.matcher = Arc::new(matcher);
        }
        let clock_offset = Arc::new(std::sync::atomic::AtomicI64::new(0));
        options.clock = clock(clock_offset.clone());
        let database_url = options.database_url.clone();
        options.max_connections = 8;
        let secret_key = nwd_store::secrets::SecretKey::generate();
        options.secret_key = Some(secret_key.clone());
        let store = Store::connect(options).await.expect("open store");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut state = nwd_web::AppState::new(store.clone()).with_public(public_info());
        if let Some(make) = oidc {
            state = state.with_oidc(make(&base));
        }
        let app = nwd_web::app(state);
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        if demo {
            load_demo(&store).await;
        }
        let coordinator_token = coordinator(&store).await;
        TestApp {
            base,
            client: Client::new(),
            store,
            coordinator_token,
            database_url,
            clock_offset,
            secret_key,
            database,
        }
    }

    /// Closes the pool and removes the database.
    pub async fn finish(self) {
        self.store.close().await;
        drop(self.database);
    }

    /// A request as the single point of access coordinator (triage and administration).
    pub fn staff(&self, method: Method, path: &str) -> RequestBuilder {
        self.as_token(&self.coordinator_token, method, path)
    }

    /// A request with a bearer token.
    pub fn as_token(&self, token: &str, method: Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token)
    }

    /// A request with no identity (public routes).
    pub fn public(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    /// Creates an organisation and a service; returns the service id.
    pub async fn service(
        &self,
        name: &str,
        need_groups: &[&str],
        age_from: i64,
        age_to: i64,
        team_type: &str,
    ) -> String {
        let org = self
            .staff(Method::POST, "/api/organisations")
            .json(&json!({"name": format!("{name} provider"), "kind": "nhs_trust"}))
            .send()
            .await
            .unwrap();
        assert_eq!(org.status(), 201);
        let org: Value = org.json().await.unwrap();
        let response = self
            .staff(Method::POST, "/api/services")
            .json(&service_body(
                org["id"].as_str().unwrap(),
                name,
                need_groups,
                age_from,
                age_to,
                team_type,
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_string()
    }

    /// Posts a school referral; returns the response body.
    pub async fn school_referral(&self, nhs_number: Option<&str>, priority: &str) -> Value {
        let response = self
            .staff(Method::POST, "/api/referrals")
            .json(&referral_body(nhs_number, priority))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
        response.json().await.unwrap()
    }

    /// Moves the server's clock forward.
    pub fn advance_clock(&self, by: jiff::SignedDuration) {
        self.clock_offset
            .fetch_add(by.as_millis() as i64, std::sync::atomic::Ordering::SeqCst);
    }

    /// Runs SQL directly against the database, past the application (tamper tests).
    pub async fn raw_sql(&self, sql: &str) -> Result<(), sqlx::Error> {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&self.database_url).await?;
        sqlx::query(sql).execute(&mut conn).await?;
        conn.close().await
    }

    /// The referral a public intake answer names by its reference, as staff would find it
    /// (the answer itself says nothing about the person): `(referral id, person id)`.
    pub async fn received(&self, receipt: &Value) -> (String, String) {
        let reference = receipt["reference"].as_str().expect("a reference");
        let referral = self
            .store
            .referral_by_reference(reference)
            .await
            .unwrap()
            .expect("the reference names one referral");
        (referral.id.to_string(), referral.person_id.to_string())
    }

    /// Counts rows in a table (to prove bad input wrote nothing).
    pub async fn count(&self, table: &str) -> i64 {
        self.store.count_rows(table).await.unwrap()
    }
}

pub fn service_body(
    org: &str,
    name: &str,
    need_groups: &[&str],
    age_from: i64,
    age_to: i64,
    team_type: &str,
) -> Value {
    json!({
        "organisation_id": org,
        "name": name,
        "description": "Synthetic test service",
        "need_groups": need_groups,
        "age_from": age_from,
        "age_to": age_to,
        "team_type": team_type,
        "delivery_modes": ["face_to_face", "online"],
        "areas": ["ME", "CT1"],
        "self_referral": true,
        "capacity": {"clinician_wte": 3.5, "slots_per_week": 40}
    })
}

pub fn referral_body(nhs_number: Option<&str>, priority: &str) -> Value {
    json!({
        "person": {
            "nhs_number": nhs_number,
            "given_name": "Amelia",
            "family_name": "Testperson",
            "date_of_birth": "2012-05-17",
            "sex": "female",
            "ethnic_category": "white_british",
            "postcode": "ME14 1XX",
            "school": "Synthetic Academy",
            "flags": {"send_ehcp": true}
        },
        "source": "school",
        "priority": priority,
        "reasons": ["anxiety", "self_harm"],
        "presenting_needs": "Low mood and panic attacks at school for two months.",
        "referrer": {"name": "R. Teacher", "role": "Designated safeguarding lead", "organisation": "Synthetic Academy"},
        "consent_to_share": ["Synthetic Academy", "GP"]
    })
}

/// Asserts a problem+json response with `status`, returning its body.
pub async fn problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().unwrap().starts_with("https://"));
    assert!(!body["detail"].as_str().unwrap().is_empty());
    body
}

/// The field names a problem lists.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Every permission, for tokens that should be limited only by their user's roles.
pub fn all_scopes() -> std::collections::BTreeSet<nwd_domain::authz::Permission> {
    nwd_domain::authz::Permission::ALL.into_iter().collect()
}

/// A client that does not follow redirects (to look at a `303 See Other` itself).
pub fn no_redirects() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A page request with a bearer token, redirects not followed.
pub fn page(app: &TestApp, token: &str, method: Method, path: &str) -> RequestBuilder {
    no_redirects()
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token)
}

/// Asserts a response's status; returns its text.
pub async fn html(response: Response, status: u16) -> String {
    let got = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    text
}

/// Asserts a staff page's status and that it must not be stored; returns its text.
pub async fn staff_html(response: Response, status: u16) -> String {
    let got = response.status().as_u16();
    let store = response
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    assert_eq!(
        store.as_deref(),
        Some("no-store"),
        "staff pages are never stored"
    );
    text
}

/// A user with one role in `team` of `org`; returns (user id, API token with every scope).
pub async fn member(
    app: &TestApp,
    org: &str,
    team: &str,
    role: nwd_domain::authz::Role,
    name: &str,
) -> (String, String) {
    let user = app
        .store
        .create_user(
            nwd_store::auth::NewUser {
                username: name.to_owned(),
                display_name: name.to_owned(),
                organisation_id: org.to_owned(),
                password: None,
                memberships: vec![(team.to_owned(), role)],
            },
            "test",
        )
        .await
        .unwrap();
    let token = app
        .store
        .create_api_token(&user.id, "test", &all_scopes())
        .await
        .unwrap()
        .1;
    (user.id, token)
}

/// [`member`]'s API token only.
pub async fn member_token(
    app: &TestApp,
    org: &str,
    team: &str,
    role: nwd_domain::authz::Role,
    name: &str,
) -> String {
    member(app, org, team, role, name).await.1
}

/// Signs in with a password and the authenticator code by the server's clock; returns
/// (session cookie, CSRF token).
pub async fn signed_in(
    app: &TestApp,
    username: &str,
    password: &str,
    totp_secret: &str,
) -> (String, String) {
    let code = nwd_store::auth::totp_code(totp_secret, app.store.now()).unwrap();
    let response = app
        .public(Method::POST, "/api/session")
        .json(&json!({"username": username, "password": password, "code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    (
        cookie,
        body["csrf_token"].as_str().unwrap_or_default().to_owned(),
    )
}
