//! A fresh store per backend, with a pinned clock and a raw connection for counting rows.
//!
//! The databases come from the test kit ([`nwd_store::testing`]): a copy of a migrated
//! template, removed afterwards. Without `DATABASE_URL`, PostgreSQL is skipped with a
//! warning — unless `NWD_REQUIRE_POSTGRES=1`, when the test fails instead.

use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use nwd_domain::standards::DefaultStandards;
use nwd_store::testing::TestDatabase;
use nwd_store::{Backend, Store, StoreOptions};
use sqlx::{AnyPool, Row};

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
    pub raw: AnyPool,
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

    /// Allocations and referrals whose copy of their young person's name search keys
    /// (migrations 0019 and 0021) differs from the person's own.
    pub async fn rows_with_stale_name_keys(&self) -> i64 {
        let mut stale = 0;
        for table in ["allocations", "referrals"] {
            stale += sqlx::query(&format!(
                "SELECT COUNT(*) AS n FROM {table} a JOIN persons p ON p.id = a.person_id \
                 WHERE COALESCE(a.family_key, '-') <> COALESCE(p.family_key, '') \
                 OR COALESCE(a.given_key, '-') <> COALESCE(p.given_key, '')"
            ))
            .fetch_one(&self.raw)
            .await
            .unwrap()
            .try_get::<i64, _>("n")
            .unwrap();
        }
        stale
    }

    /// The `n` column of a counting query, run past the store.
    pub async fn raw_count(&self, sql: &str) -> i64 {
        sqlx::query(sql)
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

/// Runs `test` once per backend, each time on a fresh, empty, migrated store; the backends
/// run at the same time, each on its own database. A panic in `test` fails the test after
/// the databases are cleaned up, naming the backend.
pub async fn for_each_backend<F, Fut>(test: F)
where
    F: Fn(TestStore) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut runs = Vec::new();
    for backend in nwd_store::testing::backends() {
        let (test_store, database) = open(backend).await;
        let store = test_store.store.clone();
        let raw = test_store.raw.clone();
        eprintln!("running on {backend:?}");
        // Spawned so that a panic comes back as a value and the database is still dropped.
        let run = tokio::spawn(test(test_store));
        runs.push((backend, store, raw, database, run));
    }
    let mut failure = None;
    for (backend, store, raw, database, run) in runs {
        let outcome = run.await;
        let _ = tokio::time::timeout(Duration::from_secs(10), store.close()).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), raw.close()).await;
        drop(database);
        if let Err(error) = outcome {
            eprintln!("the test failed on {backend:?}");
            failure.get_or_insert((backend, error));
        }
    }
    if let Some((backend, error)) = failure {
        match error.try_into_panic() {
            Ok(payload) => std::panic::resume_unwind(payload),
            Err(error) => panic!("the test on {backend:?} did not finish: {error}"),
        }
    }
}

/// A fresh, empty, migrated store on `backend` and its database (removed when dropped).
pub async fn open(backend: Backend) -> (TestStore, TestDatabase) {
    sqlx::any::install_default_drivers();
    let database = TestDatabase::new(backend)
        .await
        .expect("the backend is configured");
    let url = database.url().to_owned();
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
        database,
    )
}
