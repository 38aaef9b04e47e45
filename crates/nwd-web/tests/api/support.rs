//! Test support: a fresh database per test on each backend, a running server, and a client.

use std::sync::Arc;

use jiff::Timestamp;
use nwd_domain::standards::DefaultStandards;
use nwd_store::{Store, StoreOptions};
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::{json, Value};

/// Runs a test body once per backend: SQLite always, PostgreSQL when `DATABASE_URL` is set
/// (and required when `NWD_REQUIRE_POSTGRES=1`).
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::spawn_sqlite(false).await;
                super::$name(&app).await;
                app.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::support::TestApp::spawn_postgres(false).await {
                    super::$name(&app).await;
                    app.finish().await;
                }
            }
        }
    };
}

/// Like `on_both_backends!`, with the default access settings (no grace period after discharge).
#[macro_export]
macro_rules! on_both_backends_strict {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app =
                    $crate::support::TestApp::spawn_sqlite_with(false, Default::default()).await;
                super::$name(&app).await;
                app.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::support::TestApp::spawn_postgres_with(false, Default::default()).await
                {
                    super::$name(&app).await;
                    app.finish().await;
                }
            }
        }
    };
}

/// Like `on_both_backends!`, with the probabilistic person matcher at intake.
#[macro_export]
macro_rules! on_both_backends_matching {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::spawn_sqlite(true).await;
                super::$name(&app).await;
                app.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::support::TestApp::spawn_postgres(true).await {
                    super::$name(&app).await;
                    app.finish().await;
                }
            }
        }
    };
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
    cleanup: Cleanup,
}

/// Makes the OpenID Connect providers from the server's base URL (for their redirect URLs).
type OidcMaker = Box<dyn FnOnce(&str) -> nwd_web::oidc::Federation + Send>;

enum Cleanup {
    File(std::path::PathBuf),
    Database { admin_url: String, name: String },
}

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

/// The real clock plus an offset a test can move forward (break-glass expiry, timeouts).
fn clock(offset: Arc<std::sync::atomic::AtomicI64>) -> nwd_store::Clock {
    Arc::new(move || {
        let shift =
            jiff::SignedDuration::from_millis(offset.load(std::sync::atomic::Ordering::SeqCst));
        nwd_store::truncate_to_millis(Timestamp::now() + shift)
    })
}

impl TestApp {
    /// Starts a server on a fresh SQLite file in the temp folder.
    pub async fn spawn_sqlite(matching: bool) -> TestApp {
        TestApp::spawn_sqlite_with(matching, lenient_access()).await
    }

    /// Starts a server on a fresh PostgreSQL database, or `None` when none is configured.
    pub async fn spawn_postgres(matching: bool) -> Option<TestApp> {
        TestApp::spawn_postgres_with(matching, lenient_access()).await
    }

    /// Starts a server on SQLite with the given access settings.
    pub async fn spawn_sqlite_with(
        matching: bool,
        access: nwd_store::auth::AccessSettings,
    ) -> TestApp {
        let path =
            std::env::temp_dir().join(format!("nwd-test-{}.sqlite", uuid::Uuid::new_v4().simple()));
        let url = format!("sqlite://{}", path.display());
        TestApp::start(url, Cleanup::File(path), matching, access, None).await
    }

    /// Starts a server on PostgreSQL with the given access settings.
    pub async fn spawn_postgres_with(
        matching: bool,
        access: nwd_store::auth::AccessSettings,
    ) -> Option<TestApp> {
        let Ok(admin_url) = std::env::var("DATABASE_URL") else {
            if std::env::var("NWD_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("NWD_REQUIRE_POSTGRES=1 but DATABASE_URL is not set: run the tests with scripts/test");
            }
            eprintln!(
                "warning: DATABASE_URL is not set; PostgreSQL tests did not run (use scripts/test)"
            );
            return None;
        };
        let name = format!("nwd_web_{}", uuid::Uuid::new_v4().simple());
        let url = nwd_store::provision::create_database(&admin_url, &name)
            .await
            .expect("create test database");
        Some(
            TestApp::start(
                url,
                Cleanup::Database { admin_url, name },
                matching,
                access,
                None,
            )
            .await,
        )
    }

    /// Starts a server on SQLite (`postgres` false) or PostgreSQL (`None` when none is
    /// configured) with the OpenID Connect providers `oidc` makes from the server's base URL.
    pub async fn spawn_with_oidc(
        postgres: bool,
        oidc: impl FnOnce(&str) -> nwd_web::oidc::Federation + Send + 'static,
    ) -> Option<TestApp> {
        let oidc: Option<OidcMaker> = Some(Box::new(oidc));
        if !postgres {
            let path = std::env::temp_dir()
                .join(format!("nwd-test-{}.sqlite", uuid::Uuid::new_v4().simple()));
            let url = format!("sqlite://{}", path.display());
            return Some(
                TestApp::start(url, Cleanup::File(path), false, lenient_access(), oidc).await,
            );
        }
        let Ok(admin_url) = std::env::var("DATABASE_URL") else {
            if std::env::var("NWD_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("NWD_REQUIRE_POSTGRES=1 but DATABASE_URL is not set: run the tests with scripts/test");
            }
            eprintln!(
                "warning: DATABASE_URL is not set; PostgreSQL tests did not run (use scripts/test)"
            );
            return None;
        };
        let name = format!("nwd_web_{}", uuid::Uuid::new_v4().simple());
        let url = nwd_store::provision::create_database(&admin_url, &name)
            .await
            .expect("create test database");
        Some(
            TestApp::start(
                url,
                Cleanup::Database { admin_url, name },
                false,
                lenient_access(),
                oidc,
            )
            .await,
        )
    }

    async fn start(
        url: String,
        cleanup: Cleanup,
        matching: bool,
        access: nwd_store::auth::AccessSettings,
        oidc: Option<OidcMaker>,
    ) -> TestApp {
        let mut options = StoreOptions::new(url, standards());
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
        let mut state = nwd_web::AppState::new(store.clone());
        if let Some(make) = oidc {
            state = state.with_oidc(make(&base));
        }
        let app = nwd_web::app(state);
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        let coordinator_token = coordinator(&store).await;
        TestApp {
            base,
            client: Client::new(),
            store,
            coordinator_token,
            database_url,
            clock_offset,
            secret_key,
            cleanup,
        }
    }

    /// Closes the pool and removes the database.
    pub async fn finish(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Database { admin_url, name } => {
                let _ = nwd_store::provision::drop_database(&admin_url, &name).await;
            }
        }
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

/// A synthetic single point of access coordinator with triage and administrator roles;
/// returns an API token.
async fn coordinator(store: &Store) -> String {
    let (org, team) = store
        .bootstrap_team(&nwd_store::auth::Bootstrap {
            organisation: "Synthetic Children's Trust".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: "Single point of access".into(),
            team_kind: nwd_store::auth::TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap();
    let user = store
        .create_user(
            nwd_store::auth::NewUser {
                username: "test.coordinator".into(),
                display_name: "Test Coordinator".into(),
                organisation_id: org,
                password: None,
                memberships: vec![
                    (team.clone(), nwd_domain::authz::Role::Triage),
                    (team, nwd_domain::authz::Role::Administrator),
                ],
            },
            "test",
        )
        .await
        .unwrap();
    store
        .create_api_token(&user.id, "tests", &all_scopes())
        .await
        .unwrap()
        .1
}
