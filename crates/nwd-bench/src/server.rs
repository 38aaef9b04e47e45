//! The system under measurement: a fresh database, the store on it, and the HTTP server
//! running in this process on an ephemeral port.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context as _};
use nwd_domain::standards::DefaultStandards;
use nwd_match::person_matcher::RegisterMatcher;
use nwd_store::audit::AuditCommit;
use nwd_store::{Store, StoreOptions};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The shipped standards, with their sources.
const DEFAULT_STANDARDS: &str = include_str!("../../../config/standards.toml");

/// The shipped person-matching thresholds.
const DEFAULT_THRESHOLDS: &str = include_str!("../../../config/matching.toml");

/// The default waiting-time standards (`config/standards.toml`).
pub fn standards() -> anyhow::Result<DefaultStandards> {
    let standards: DefaultStandards =
        toml::from_str(DEFAULT_STANDARDS).context("config/standards.toml is not valid")?;
    let errors = standards.validate();
    if !errors.is_empty() {
        bail!("config/standards.toml has errors: {errors}");
    }
    Ok(standards)
}

/// A database created for one run and removed after it (unless kept).
pub struct FreshDatabase {
    /// The URL the store opens.
    pub url: String,
    /// `postgresql` or `sqlite`.
    pub backend: &'static str,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// A database this run did not create: left as it is.
    Kept(String),
}

impl FreshDatabase {
    /// For `postgres://…`: a new database on that server (the URL's own database is only
    /// used to connect). Otherwise SQLite: `sqlite` or `sqlite://` alone means a new file in
    /// the temporary folder; a path names a file that must not exist yet.
    pub async fn create(database_url: &str) -> anyhow::Result<FreshDatabase> {
        let run = uuid::Uuid::new_v4().simple().to_string();
        if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
            let name = format!("nwd_bench_{}", &run[..12]);
            let url = nwd_store::provision::create_database(database_url, &name)
                .await
                .with_context(|| format!("could not create database {name}"))?;
            return Ok(FreshDatabase {
                url,
                backend: "postgresql",
                cleanup: Cleanup::Postgres {
                    admin_url: database_url.to_string(),
                    name,
                },
            });
        }
        let path = database_url
            .strip_prefix("sqlite:")
            .map(|rest| rest.trim_start_matches("//"))
            .unwrap_or(database_url);
        let path = if path.is_empty() || database_url == "sqlite" {
            std::env::temp_dir().join(format!("nwd-bench-{}.sqlite", &run[..12]))
        } else {
            PathBuf::from(path)
        };
        if path.exists() {
            bail!(
                "{} exists: the benchmark needs a fresh database (give a new path, or just `sqlite`)",
                path.display()
            );
        }
        Ok(FreshDatabase {
            url: path.display().to_string(),
            backend: "sqlite",
            cleanup: Cleanup::File(path),
        })
    }

    /// A PostgreSQL database kept by an earlier run (`--keep`), on the server `admin_url`
    /// names: used as it is (migrations still run at connect) and never dropped by `remove`.
    pub fn existing(admin_url: &str, name: &str) -> anyhow::Result<FreshDatabase> {
        if !(admin_url.starts_with("postgres://") || admin_url.starts_with("postgresql://")) {
            bail!("--reuse needs a postgres:// --database-url");
        }
        Ok(FreshDatabase {
            url: nwd_store::provision::database_url_with_name(admin_url, name),
            backend: "postgresql",
            cleanup: Cleanup::Kept(name.to_owned()),
        })
    }

    /// Where the data is, for a report.
    pub fn location(&self) -> String {
        match &self.cleanup {
            Cleanup::File(path) => path.display().to_string(),
            Cleanup::Postgres { name, .. } | Cleanup::Kept(name) => format!("database {name}"),
        }
    }

    /// Size on disk of a SQLite file (with its WAL), if this is one.
    pub fn file_bytes(&self) -> Option<u64> {
        let Cleanup::File(path) = &self.cleanup else {
            return None;
        };
        let size = |suffix: &str| {
            std::fs::metadata(format!("{}{suffix}", path.display()))
                .map(|m| m.len())
                .unwrap_or(0)
        };
        Some(size("") + size("-wal"))
    }

    /// Drops the database or deletes the file.
    pub async fn remove(self) -> anyhow::Result<()> {
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let file = format!("{}{suffix}", path.display());
                    if let Err(error) = std::fs::remove_file(&file) {
                        if error.kind() != std::io::ErrorKind::NotFound {
                            return Err(error).with_context(|| format!("could not remove {file}"));
                        }
                    }
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                nwd_store::provision::drop_database(&admin_url, &name)
                    .await
                    .with_context(|| format!("could not drop database {name}"))?;
            }
            Cleanup::Kept(_) => {}
        }
        Ok(())
    }
}

/// Which person matcher intake uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Matching {
    /// The probabilistic register matcher with the shipped thresholds and default
    /// parameters, as `nowrongdoor serve` attaches it to an empty register.
    Register,
    /// The store's default: only the NHS-number rule links.
    NhsNumberOnly,
}

/// Opens the store (running the migrations) with the default standards and system clock,
/// and attaches the person matcher.
pub async fn open_store(
    url: &str,
    max_connections: u32,
    matching: Matching,
) -> anyhow::Result<Store> {
    open_store_with(url, max_connections, matching, AuditCommit::Durable).await
}

/// [`open_store`] with a chosen audit commit mode.
pub async fn open_store_with(
    url: &str,
    max_connections: u32,
    matching: Matching,
    audit_commit: AuditCommit,
) -> anyhow::Result<Store> {
    let mut options = StoreOptions::new(url, standards()?);
    options.max_connections = max_connections;
    options.audit_commit = audit_commit;
    // The coordinator reads any referral, closed ones included: a ten-year grace period after
    // discharge (the relationship check still runs on every request, as in production).
    options.access.grace = jiff::SignedDuration::from_hours(24 * 3650);
    let mut store = Store::connect(options)
        .await
        .with_context(|| format!("could not open the store at {url}"))?;
    if matching == Matching::Register {
        let thresholds: nwd_match::Thresholds =
            toml::from_str(DEFAULT_THRESHOLDS).context("config/matching.toml is not valid")?;
        thresholds
            .validate()
            .context("config/matching.toml is not usable")?;
        let matcher = RegisterMatcher::new(&nwd_match::Params::default(), thresholds)?;
        store.set_matcher(Arc::new(matcher)).await?;
    }
    Ok(store)
}

/// The HTTP server, serving `nwd_web::app` on `127.0.0.1:<ephemeral>`.
pub struct Server {
    /// `http://127.0.0.1:port`.
    pub base: String,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Starts serving `store`, with a single point of access coordinator (triage and
    /// administrator roles) whose API token every benchmark request carries.
    pub async fn start(store: Store) -> anyhow::Result<Server> {
        let token = coordinator_token(&store).await?;
        let _ = TOKEN.set(token);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let app = nwd_web::app(nwd_web::AppState::new(store));
        let (shutdown, stop) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stop.await;
                })
                .await
        });
        Ok(Server {
            base,
            shutdown,
            task,
        })
    }

    /// Stops accepting, lets requests in flight finish, and waits.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(());
        self.task.await.context("the server task failed")??;
        Ok(())
    }
}

/// A client for the in-process server: pooled keep-alive connections, a generous timeout.
pub fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .pool_max_idle_per_host(64)
        .build()?)
}

static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The `Authorization` header value of every benchmark request (the coordinator's token,
/// created by [`Server::start`]).
pub fn authorization() -> String {
    format!(
        "Bearer {}",
        TOKEN.get().map(String::as_str).unwrap_or_default()
    )
}

/// Creates (or finds) the benchmark's coordinator and returns an API token for it.
async fn coordinator_token(store: &Store) -> anyhow::Result<String> {
    use nwd_domain::authz::{Permission, Role};
    use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
    let (org, team) = store
        .bootstrap_team(&Bootstrap {
            organisation: "Benchmark single point of access".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: "Single point of access".into(),
            team_kind: TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await?;
    let user = store
        .create_user(
            NewUser {
                username: format!("bench.{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
                display_name: "Benchmark coordinator".into(),
                organisation_id: org,
                password: None,
                memberships: vec![(team.clone(), Role::Triage), (team, Role::Administrator)],
            },
            "nwd-bench",
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (_, token) = store
        .create_api_token(
            &user.id,
            "nwd-bench",
            &Permission::ALL.into_iter().collect(),
        )
        .await?;
    Ok(token)
}
