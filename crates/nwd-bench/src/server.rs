//! The system under measurement: a fresh database, the store on it, and the HTTP server
//! running in this process on an ephemeral port.

use std::sync::Arc;

use anyhow::{bail, Context as _};
use nwd_domain::standards::DefaultStandards;
use nwd_match::person_matcher::RegisterMatcher;
use nwd_store::audit::AuditCommit;
use nwd_store::{Store, StoreOptions};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

mod database;

pub use database::FreshDatabase;

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
