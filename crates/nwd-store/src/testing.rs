//! The test kit (cargo feature `testing`, switched on only by the workspace's
//! dev-dependencies): the one way a test gets a database.
//!
//! * [`TestDatabase::new`] gives a fresh, migrated database on one backend, and removes it when
//!   dropped — also when the test panics.
//! * SQLite: a copy of a template file migrated once per test process, in a new directory
//!   (so a `<database>.key` file the store creates beside it goes too) in memory where the
//!   machine has `/dev/shm` (see [`TestDatabase::sqlite`]; `NWD_TEST_SQLITE_DIR` overrides).
//! * PostgreSQL (the server of `DATABASE_URL`): `CREATE DATABASE … TEMPLATE nwd_tmpl_<pid>`,
//!   a template migrated once per test process; dropped with `DROP DATABASE … WITH (FORCE)`.
//! * Leftovers of test processes that no longer run (killed before their databases were
//!   dropped, and each process's template) are removed when the next process makes its
//!   template: names carry the process id (`nwd_tmpl_<pid>`, `nwd_t_<pid>_<uuid>`,
//!   `nwd-tmpl-<pid>.sqlite`, `nwd-t-<pid>-<uuid>/`).
//! * [`backends`] says which backends a run covers: SQLite always, PostgreSQL when
//!   `DATABASE_URL` is set; with `NWD_REQUIRE_POSTGRES=1` (set by `scripts/test`) a missing
//!   `DATABASE_URL` fails the test instead of skipping PostgreSQL.
//! * [`on_both_backends!`](crate::on_both_backends) turns one test body into a `sqlite` and
//!   a `postgres` test.
//!
//! The template is made by opening the store on it once ([`crate::Store::connect`]:
//! migrations, append-only triggers, the change log), so a test's own `connect` on its copy
//! runs the same steps as on a fresh database but finds them done. That is the cost the
//! template saves: on SQLite each of those statements is a durable commit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::Once;

use sqlx::Connection;
use tokio::sync::OnceCell;

use crate::Backend;

/// Runs one test body on SQLite and, when a PostgreSQL server is configured, on PostgreSQL:
/// makes a module `name` with the tests `name::sqlite` and `name::postgres`. `$backend` is
/// bound to the [`Backend`](crate::Backend) in `$body`, which returns nothing; the
/// `postgres` test runs `$body` only when [`covers`](crate::testing::covers) says so.
///
/// ```text
/// nwd_store::on_both_backends!(my_test, |backend| {
///     let db = nwd_store::testing::TestDatabase::new(backend).await.unwrap();
///     super::my_test(db.url()).await;
/// });
/// ```
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, |$backend:ident| $body:block) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $backend = $crate::Backend::Sqlite;
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $backend = $crate::Backend::Postgres;
                if $crate::testing::covers($backend) {
                    $body
                }
            }
        }
    };
}

/// Whether `NWD_REQUIRE_POSTGRES=1`: PostgreSQL must be covered.
fn postgres_required() -> bool {
    std::env::var("NWD_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
}

/// The PostgreSQL server's URL (`DATABASE_URL`), or `None` with a warning (once per process)
/// when it is not set. Panics when it is not set and `NWD_REQUIRE_POSTGRES=1`.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(url) => Some(url),
        None if postgres_required() => panic!(
            "NWD_REQUIRE_POSTGRES=1 but DATABASE_URL is not set: run the tests with scripts/test, \
             which starts a throw-away PostgreSQL, or set DATABASE_URL=postgres://user@host:port/db"
        ),
        None => {
            static WARN: Once = Once::new();
            WARN.call_once(|| {
                eprintln!(
                    "warning: DATABASE_URL is not set, so the PostgreSQL tests did not run; \
                     run scripts/test to include PostgreSQL"
                );
            });
            None
        }
    }
}

/// Whether this run covers `backend` (see [`postgres_admin_url`]).
pub fn covers(backend: Backend) -> bool {
    match backend {
        Backend::Sqlite => true,
        Backend::Postgres => postgres_admin_url().is_some(),
    }
}

/// The backends this run covers: SQLite always, PostgreSQL when `DATABASE_URL` is set.
pub fn backends() -> Vec<Backend> {
    [Backend::Sqlite, Backend::Postgres]
        .into_iter()
        .filter(|b| covers(*b))
        .collect()
}

/// A database for one test, removed when dropped.
pub struct TestDatabase {
    backend: Backend,
    url: String,
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    Directory(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("backend", &self.backend)
            .field("url", &redact(&self.url))
            .finish()
    }
}

impl TestDatabase {
    /// A fresh database with every migration applied, on `backend`; `None` for PostgreSQL
    /// when no server is configured (see [`postgres_admin_url`]).
    pub async fn new(backend: Backend) -> Option<TestDatabase> {
        match backend {
            Backend::Sqlite => Some(TestDatabase::sqlite().await),
            Backend::Postgres => TestDatabase::postgres().await,
        }
    }

    /// A fresh migrated SQLite database: a copy of this process's template file, in
    /// `NWD_TEST_SQLITE_DIR`, else `/dev/shm`, else the temporary folder.
    pub async fn sqlite() -> TestDatabase {
        let template = sqlite_template().await;
        let dir = sqlite_dir().join(format!(
            "nwd-t-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("nwd.sqlite");
        std::fs::copy(template, &path).unwrap();
        TestDatabase {
            backend: Backend::Sqlite,
            url: format!("sqlite://{}?mode=rwc", path.display()),
            cleanup: Some(Cleanup::Directory(dir)),
        }
    }

    /// A fresh migrated PostgreSQL database made from this process's template, or `None`
    /// when no server is configured.
    pub async fn postgres() -> Option<TestDatabase> {
        let admin_url = postgres_admin_url()?;
        let template = postgres_template(&admin_url).await;
        let name = format!(
            "nwd_t_{}_{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        );
        let mut admin = admin_connection(&admin_url).await;
        // A template cannot be copied while a session is connected to it; it accepts no
        // connections, but wait out any that was there a moment ago.
        let mut attempt = 0;
        loop {
            let created = sqlx::raw_sql(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .execute(&mut admin)
                .await;
            match created {
                Ok(_) => break,
                Err(e) if attempt < 5 && e.to_string().contains("accessed by other users") => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                Err(e) => panic!("cannot create test database {name}: {e}"),
            }
        }
        let _ = admin.close().await;
        Some(TestDatabase {
            backend: Backend::Postgres,
            url: crate::provision::database_url_with_name(&admin_url, &name),
            cleanup: Some(Cleanup::Postgres { admin_url, name }),
        })
    }

    /// Its URL, for [`crate::StoreOptions::new`] or a raw connection.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Which backend it is on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The SQLite file (`None` on PostgreSQL).
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        match &self.cleanup {
            Some(Cleanup::Directory(dir)) => Some(dir.join("nwd.sqlite")),
            _ => None,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self.cleanup.take() {
            None => {}
            Some(Cleanup::Directory(dir)) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Some(Cleanup::Postgres { admin_url, name }) => {
                // Drop runs inside the test's runtime, which cannot be blocked on: a thread
                // with its own runtime drops the database, and the test waits for it.
                let _ = std::thread::spawn(move || {
                    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    else {
                        return;
                    };
                    runtime.block_on(async {
                        if let Ok(mut admin) = sqlx::AnyConnection::connect(&admin_url).await {
                            drop_database(&mut admin, &name).await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

async fn admin_connection(admin_url: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to PostgreSQL at {}: {e}", redact(admin_url)))
}

/// Drops a database, closing its connections (best effort).
async fn drop_database(admin: &mut sqlx::AnyConnection, name: &str) {
    let force = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    if sqlx::raw_sql(&force).execute(&mut *admin).await.is_err() {
        // PostgreSQL before 13 has no FORCE.
        let plain = format!("DROP DATABASE IF EXISTS {name}");
        let _ = sqlx::raw_sql(&plain).execute(&mut *admin).await;
    }
}

/// Whether the process `pid` is gone (`false` where that cannot be told).
fn process_gone(pid: u32) -> bool {
    Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
}

/// The process id in `name` after `prefix` (digits up to the first non-digit).
fn pid_after(name: &str, prefix: &str) -> Option<u32> {
    let rest = name.strip_prefix(prefix)?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// This process's migrated PostgreSQL template (made on first use); its name.
async fn postgres_template(admin_url: &str) -> &'static str {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let mut admin = admin_connection(admin_url).await;
            sweep_postgres(&mut admin).await;
            let name = format!("nwd_tmpl_{}", std::process::id());
            forget_template(&mut admin, &name).await;
            sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .unwrap_or_else(|e| panic!("cannot create template database {name}: {e}"));
            let url = crate::provision::database_url_with_name(admin_url, &name);
            prepare(&url).await;
            // A template takes no connections (nor autovacuum's), so it can always be copied.
            sqlx::raw_sql(&format!(
                "ALTER DATABASE {name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"
            ))
            .execute(&mut admin)
            .await
            .unwrap();
            let _ = admin.close().await;
            name
        })
        .await
}

/// Drops a template database (it must stop being one first).
async fn forget_template(admin: &mut sqlx::AnyConnection, name: &str) {
    let _ = sqlx::raw_sql(&format!("ALTER DATABASE {name} WITH IS_TEMPLATE false"))
        .execute(&mut *admin)
        .await;
    drop_database(admin, name).await;
}

/// Drops the templates and test databases of test processes that no longer run.
async fn sweep_postgres(admin: &mut sqlx::AnyConnection) {
    use sqlx::Row;
    let Ok(rows) = sqlx::query(
        "SELECT datname::text AS name FROM pg_database \
         WHERE datname LIKE 'nwd\\_tmpl\\_%' OR datname LIKE 'nwd\\_t\\_%'",
    )
    .fetch_all(&mut *admin)
    .await
    else {
        return;
    };
    let names: Vec<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>("name").ok())
        .collect();
    for name in names {
        if let Some(pid) = pid_after(&name, "nwd_tmpl_") {
            if process_gone(pid) {
                forget_template(admin, &name).await;
            }
        } else if let Some(pid) = pid_after(&name, "nwd_t_") {
            if process_gone(pid) {
                drop_database(admin, &name).await;
            }
        }
    }
}

/// Opens the store on the database at `url` once and closes it: the migrations and the
/// store's own start-up work (triggers, the change log) are then done, so that a test's
/// [`crate::Store::connect`] on a copy finds nothing left to write. Nothing it writes
/// depends on the clock or the key (it writes no audit entry and no user), so the copies
/// suit every test's clock and key.
async fn prepare(url: &str) {
    let mut options = crate::StoreOptions::new(url, Default::default());
    options.max_connections = 1;
    // A key given, so that no key file is made beside an SQLite template.
    options.secret_key = Some(crate::secrets::SecretKey::generate());
    let store = crate::Store::connect(options)
        .await
        .unwrap_or_else(|e| panic!("preparing the template database: {e}"));
    store.close().await;
}

/// This process's migrated SQLite template file (made on first use).
async fn sqlite_template() -> &'static Path {
    static TEMPLATE: OnceCell<PathBuf> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            sqlx::any::install_default_drivers();
            sweep_sqlite();
            let path = sqlite_dir().join(format!("nwd-tmpl-{}.sqlite", std::process::id()));
            let _ = std::fs::remove_file(&path);
            // Made under another name and renamed when complete.
            let partial = sqlite_dir().join(format!(
                "nwd-tmpl-{}-{}.partial",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            ));
            let url = format!("sqlite://{}?mode=rwc", partial.display());
            prepare(&url).await;
            // Everything in the one file (the write-ahead log checkpointed and emptied).
            let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
            }
            std::fs::rename(&partial, &path).unwrap();
            path
        })
        .await
}

/// Where the SQLite test databases go: `NWD_TEST_SQLITE_DIR` if set, else `/dev/shm` (memory)
/// where there is one, else the temporary folder. In memory, the store's durable commits
/// (`synchronous = FULL`: an fsync each) cost nothing — as `scripts/test` runs its throw-away
/// PostgreSQL with `fsync = off`; what the tests check (the settings, what survives a killed
/// process) is the same. On a disk shared with other work, an fsync takes 5–20 ms, and a
/// test makes dozens.
fn sqlite_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("NWD_TEST_SQLITE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        return shm.to_path_buf();
    }
    std::env::temp_dir()
}

/// Removes the SQLite templates and test directories of test processes that no longer run.
fn sweep_sqlite() {
    let Ok(entries) = std::fs::read_dir(sqlite_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = pid_after(&name, "nwd-tmpl-").or_else(|| pid_after(&name, "nwd-t-"));
        if pid.is_some_and(process_gone) {
            let path = entry.path();
            if path.is_dir() {
                let _ = std::fs::remove_dir_all(&path);
            } else {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
}

/// A URL with any password hidden, for messages.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((user_info, host)) => {
                let user = user_info.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// A point in a store function where a test can stop it once: [`Store::pause_next_parent_access_decision`].
#[derive(Debug, Default)]
pub struct Gate(std::sync::Mutex<Option<GateArmed>>);

type GateArmed = (
    tokio::sync::oneshot::Sender<()>,
    tokio::sync::oneshot::Receiver<()>,
);

impl Gate {
    /// Passes the gate; when armed, says so and waits to be released (once).
    pub(crate) async fn pass(&self) {
        let armed = match self.0.lock() {
            Ok(mut guard) => guard.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some((reached, release)) = armed {
            let _ = reached.send(());
            let _ = release.await;
        }
    }
}

impl crate::Store {
    /// Stops the next parent-access decision after its checks and before its write, inside
    /// its transaction: the first receiver completes when it got there, and it goes on when
    /// the sender is sent to (or dropped). For tests of what may happen meanwhile.
    pub fn pause_next_parent_access_decision(
        &self,
    ) -> (
        tokio::sync::oneshot::Receiver<()>,
        tokio::sync::oneshot::Sender<()>,
    ) {
        let (reached_tx, reached_rx) = tokio::sync::oneshot::channel();
        let (release_tx, release_rx) = tokio::sync::oneshot::channel();
        let armed = Some((reached_tx, release_rx));
        match self.consent_gate.0.lock() {
            Ok(mut guard) => *guard = armed,
            Err(poisoned) => *poisoned.into_inner() = armed,
        }
        (reached_rx, release_tx)
    }
}

/// An audit context for a test's change made by the signed-in user `username` (recorded as
/// `user:<username>`), outside any request.
pub fn acting(username: &str) -> crate::audit::AuditContext {
    crate::audit::AuditContext::outside_request(
        nwd_domain::actor::Actor::User(username.to_owned()),
        None,
        "outside a request",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_their_process() {
        assert_eq!(pid_after("nwd_tmpl_1234", "nwd_tmpl_"), Some(1234));
        assert_eq!(pid_after("nwd_t_77_abc", "nwd_t_"), Some(77));
        assert_eq!(pid_after("nwd-t-77-abc", "nwd-t-"), Some(77));
        assert_eq!(pid_after("nwd_test_abc", "nwd_t_"), None);
        assert_eq!(pid_after("nwd-tmpl-5.sqlite", "nwd-t-"), None);
        assert!(!process_gone(std::process::id()));
        assert_eq!(
            redact("postgres://u:secret@h:5/db"),
            "postgres://u@h:5/db".to_string()
        );
    }
}
