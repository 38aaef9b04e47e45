//! A fresh store per backend, with a pinned clock and a raw connection for counting rows.
//!
//! * SQLite: a new file in a new temporary directory.
//! * PostgreSQL: `CREATE DATABASE "nwd_test_<uuid>"` on the server named by `DATABASE_URL`,
//!   dropped afterwards (best effort). Without `DATABASE_URL`, PostgreSQL is skipped with a
//!   warning — unless `NWD_REQUIRE_POSTGRES=1`, when the test fails instead.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use nwd_domain::standards::DefaultStandards;
use nwd_store::{Backend, Store, StoreOptions};
use sqlx::{AnyPool, Connection, Row};
use uuid::Uuid;

/// Where the pinned clock starts unless a test sets it: a Monday morning in GMT, four weeks
/// before the clocks go forward (30 March 2025).
pub const START: &str = "2025-03-03T09:00:00Z";

/// A clock that moves only when a test moves it.
#[derive(Clone)]
pub struct PinnedClock(Arc<Mutex<Timestamp>>);

impl PinnedClock {
    fn new(at: Timestamp) -> Self {
        PinnedClock(Arc::new(Mutex::new(at)))
    }

    /// Now, as the store sees it.
    pub fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }

    /// Sets the time.
    pub fn set(&self, at: &str) {
        *self.0.lock().unwrap() = at.parse().unwrap();
    }

    /// Moves the time forward.
    pub fn advance(&self, by: SignedDuration) {
        let mut now = self.0.lock().unwrap();
        *now = now.checked_add(by).unwrap();
    }
}

/// One store under test, on one backend.
pub struct TestStore {
    /// The store.
    pub store: Store,
    /// Its clock.
    pub clock: PinnedClock,
    /// A separate pool on the same database, for looking at rows directly.
    raw: AnyPool,
    /// The database's URL.
    url: String,
}

impl TestStore {
    /// A second store on the same database with the same clock, as another server process
    /// would open it (its own pool and its own kept figures).
    pub async fn second_store(&self) -> Store {
        let mut options = StoreOptions::new(self.url.clone(), default_standards());
        options.max_connections = 4;
        let pinned = self.clock.clone();
        options.clock = Arc::new(move || pinned.now());
        Store::connect(options).await.unwrap()
    }

    /// Rows in a table.
    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(&self.raw)
            .await
            .unwrap()
            .try_get::<i64, _>("n")
            .unwrap()
    }

    /// Runs a statement past the store (e.g. to check the database refuses it).
    pub async fn raw_execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        sqlx::query(sql).execute(&self.raw).await.map(|_| ())
    }

    /// Row counts of every table a referral change writes, for "nothing was written" checks.
    pub async fn counts(&self) -> Vec<(&'static str, i64)> {
        let mut counts = Vec::new();
        for table in [
            "organisations",
            "services",
            "persons",
            "referrals",
            "referral_events",
            "allocations",
            "contacts",
            "idempotency_keys",
        ] {
            counts.push((table, self.count(table).await));
        }
        counts
    }
}

/// The default standards, read from the repository's `config/standards.toml`.
pub fn default_standards() -> DefaultStandards {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../config/standards.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let standards: DefaultStandards =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
    assert!(
        standards.validate().is_empty(),
        "config/standards.toml is invalid"
    );
    standards
}

/// The backends to run on: SQLite always, PostgreSQL when `DATABASE_URL` is set.
fn backends() -> Vec<Backend> {
    let database_url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
    let required = std::env::var("NWD_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    match database_url {
        Some(_) => vec![Backend::Sqlite, Backend::Postgres],
        None if required => panic!(
            "NWD_REQUIRE_POSTGRES=1 but DATABASE_URL is not set: run the tests with scripts/test, \
             which starts a throw-away PostgreSQL, or set DATABASE_URL=postgres://user@host:port/db"
        ),
        None => {
            static WARN: Once = Once::new();
            WARN.call_once(|| {
                eprintln!(
                    "warning: DATABASE_URL is not set, so nwd-store tests run on SQLite only; \
                     run scripts/test to include PostgreSQL"
                );
            });
            vec![Backend::Sqlite]
        }
    }
}

/// Runs `test` once per backend, each time on a fresh, empty, migrated store. A panic in
/// `test` fails the test after the database is cleaned up, naming the backend.
pub async fn for_each_backend<F, Fut>(test: F)
where
    F: Fn(TestStore) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    for backend in backends() {
        let (test_store, cleanup) = open(backend).await;
        let store = test_store.store.clone();
        let raw = test_store.raw.clone();
        eprintln!("running on {backend:?}");
        // Spawned so that a panic comes back as a value and the database is still dropped.
        let outcome = tokio::spawn(test(test_store)).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), store.close()).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), raw.close()).await;
        cleanup.run().await;
        if let Err(error) = outcome {
            eprintln!("the test failed on {backend:?}");
            match error.try_into_panic() {
                Ok(payload) => std::panic::resume_unwind(payload),
                Err(error) => panic!("the test on {backend:?} did not finish: {error}"),
            }
        }
    }
}

/// What to remove after a test.
enum Cleanup {
    Directory(PathBuf),
    Database { admin_url: String, name: String },
}

impl Cleanup {
    async fn run(self) {
        match self {
            Cleanup::Directory(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin_url, name } => {
                if let Ok(mut admin) = sqlx::AnyConnection::connect(&admin_url).await {
                    let force = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    if sqlx::raw_sql(&force).execute(&mut admin).await.is_err() {
                        // PostgreSQL before 13 has no FORCE.
                        let plain = format!("DROP DATABASE IF EXISTS \"{name}\"");
                        let _ = sqlx::raw_sql(&plain).execute(&mut admin).await;
                    }
                    let _ = admin.close().await;
                }
            }
        }
    }
}

async fn open(backend: Backend) -> (TestStore, Cleanup) {
    sqlx::any::install_default_drivers();
    let (url, cleanup) = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("nwd-store-test-{}", Uuid::new_v4()));
            std::fs::create_dir_all(&dir).unwrap();
            let url = format!("sqlite://{}?mode=rwc", dir.join("nwd.db").display());
            (url, Cleanup::Directory(dir))
        }
        Backend::Postgres => {
            let admin_url = std::env::var("DATABASE_URL").unwrap();
            let name = format!("nwd_test_{}", Uuid::new_v4().simple());
            let mut admin = sqlx::AnyConnection::connect(&admin_url)
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "cannot connect to PostgreSQL at {}: {e}",
                        redact(&admin_url)
                    )
                });
            sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\""))
                .execute(&mut admin)
                .await
                .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
            admin.close().await.unwrap();
            let url = with_database(&admin_url, &name);
            (url, Cleanup::Database { admin_url, name })
        }
    };
    let clock = PinnedClock::new(START.parse().unwrap());
    let mut options = StoreOptions::new(url.clone(), default_standards());
    // Several tests run at once against one server: keep each pool small.
    options.max_connections = 8;
    let pinned = clock.clone();
    options.clock = Arc::new(move || pinned.now());
    let store = Store::connect(options).await.unwrap();
    assert_eq!(store.backend(), backend);
    let raw = sqlx::any::AnyPoolOptions::new()
        .max_connections(2)
        .connect(&url)
        .await
        .unwrap();
    (
        TestStore {
            store,
            clock,
            raw,
            url,
        },
        cleanup,
    )
}

/// `postgres://user@host:port/anything?params` with the database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let (scheme, rest) = base.split_once("://").unwrap();
    let authority = rest.split('/').next().unwrap();
    match query {
        Some(query) => format!("{scheme}://{authority}/{name}?{query}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

/// A URL with any password hidden, for messages.
fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, rest)), Some(_)) => match rest.split_once('@') {
            Some((user_info, host)) => {
                let user = user_info.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}
