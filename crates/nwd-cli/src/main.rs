//! `nowrongdoor`: the command line. Thin by design — it parses arguments, loads
//! configuration, and hands over to `nwd-store`, `nwd-web` and `nwd-demo`.

mod admin;
mod commissioning;
mod config;
mod demo;
mod durability;
mod matching;
mod outcomes;
mod persons;
mod population;
mod retention;
mod roles;
mod simulate;

use anyhow::Context as _;

/// mimalloc instead of the system allocator (see Cargo.toml).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "nowrongdoor",
    version,
    about = "No Wrong Door: a co-ordinated mental health system for children and young people (0–25)"
)]
struct Cli {
    #[command(flatten)]
    config: config::Args,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (migrating the database first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "NWD_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Load the synthetic demo county first if the database is empty.
        #[arg(long, env = "NWD_DEMO")]
        demo: bool,
        /// Demo seed (with --demo).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Serve even if the database's durability settings could lose acknowledged writes
        /// (SQLite not WAL + synchronous FULL; PostgreSQL fsync, synchronous_commit or
        /// full_page_writes off). Only for a disposable database.
        #[arg(long, env = "NWD_ALLOW_UNSAFE_DURABILITY")]
        allow_unsafe_durability: bool,
        /// Add a `Server-Timing` header (authentication, policy, handler and audit times)
        /// to every allowed staff response. For benchmarks and trusted operations only:
        /// timings are a side channel.
        #[arg(long, env = "NWD_SERVER_TIMING")]
        server_timing: bool,
        /// OpenID Connect providers for staff sign-in (TOML; see config/oidc.example.toml).
        /// Each provider's client secret is read from the environment variable the file
        /// names. Without this flag staff sign in with password and TOTP only.
        #[arg(long, env = "NWD_OIDC")]
        oidc: Option<std::path::PathBuf>,
        /// The organisation's text for the privacy notice, accessibility and cookie
        /// statements and contact page: the `[public]` table of a TOML file (see
        /// config/public.example.toml). Without it, defaults that name no contact details.
        #[arg(long, env = "NWD_PUBLIC")]
        public: Option<std::path::PathBuf>,
        /// Reverse proxies (CIDRs, comma-separated, e.g. `10.0.0.0/8,::1`) whose
        /// `X-Forwarded-For` gives the client's address for rate limits and the audit trail.
        /// From any other peer the header is ignored. Default: none (docs/security.md).
        #[arg(long, env = "NWD_TRUSTED_PROXIES", default_value = "")]
        trusted_proxies: String,
        /// Seconds a client has to send a request's headers; also closes a kept-alive
        /// connection idle this long.
        #[arg(long, env = "NWD_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
        header_read_timeout_secs: u64,
        /// Seconds a client has to send a request's body.
        #[arg(long, env = "NWD_REQUEST_BODY_TIMEOUT_SECS", default_value_t = 30)]
        request_body_timeout_secs: u64,
        /// Most client (HTTP) connections open at once; more are closed on arrival. (The
        /// database pool's size is `--max-connections`.)
        #[arg(long, env = "NWD_MAX_CLIENT_CONNECTIONS", default_value_t = 1024)]
        max_client_connections: usize,
        /// On Ctrl-C or SIGTERM, seconds requests under way may take to finish.
        #[arg(long, env = "NWD_DRAIN_TIMEOUT_SECS", default_value_t = 20)]
        drain_timeout_secs: u64,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Staff accounts: the first administrator, listing, adding, disabling.
    #[command(subcommand)]
    Users(admin::UsersCommand),
    /// Teams: listing and adding.
    #[command(subcommand)]
    Teams(admin::TeamsCommand),
    /// Organisations in the directory: listing them (with the ids other commands ask for).
    #[command(subcommand)]
    Organisations(admin::OrganisationsCommand),
    /// API tokens for other systems.
    #[command(subcommand)]
    Tokens(admin::TokensCommand),
    /// The audit trail.
    #[command(subcommand)]
    Audit(admin::AuditCommand),
    /// Administration: link staff accounts to OpenID Connect identities.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Person matching: batch matching of files, parameter estimation, de-duplication.
    #[command(subcommand)]
    Persons(persons::PersonsCommand),
    /// Routine outcome measures: classify paired scores as NHS England's MHS112 does; load
    /// the wording your organisation is licensed to use.
    #[command(subcommand)]
    Outcomes(outcomes::OutcomesCommand),
    /// What-if simulator of demand and capacity: run or check a scenario, calibrate a baseline.
    #[command(subcommand)]
    Simulate(simulate::SimulateCommand),
    /// The commissioning record: check or load a record file, show the version in force, list
    /// the versions.
    #[command(subcommand)]
    Commissioning(commissioning::CommissioningCommand),
    /// The population table behind the need page: load a CSV (with the area's prevalence
    /// rates), show the table in force.
    #[command(subcommand)]
    Population(population::PopulationCommand),
    /// Retention: destroy records past their retention date, leaving audited stubs.
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
    /// Generate the synthetic demo county (two years of activity) into the database.
    Demo {
        /// Random seed: the same seed gives the same data.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Years of activity.
        #[arg(long, default_value_t = 2)]
        years: u32,
        /// Referrals per year.
        #[arg(long, default_value_t = 30_000)]
        referrals_per_year: u32,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("NWD_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Command::Simulate(command) = cli.command {
        return simulate::run(command, || async {
            Ok(nwd_store::Store::connect(cli.config.store_options()?).await?)
        })
        .await;
    }
    if let Command::Outcomes(command) = cli.command {
        return outcomes::run(command, || async {
            Ok(nwd_store::Store::connect(cli.config.store_options()?).await?)
        })
        .await;
    }
    if let Command::Persons(command) = cli.command {
        let thresholds = matching::thresholds(cli.config.matching.as_deref())?;
        return persons::run(command, thresholds, || async {
            Ok(nwd_store::Store::connect(cli.config.store_options()?).await?)
        })
        .await;
    }
    let options = cli.config.store_options()?;
    match cli.command {
        Command::Persons(_) | Command::Simulate(_) | Command::Outcomes(_) => {}
        Command::Users(command) => {
            admin::users(&nwd_store::Store::connect(options).await?, command).await?
        }
        Command::Teams(command) => {
            admin::teams(&nwd_store::Store::connect(options).await?, command).await?
        }
        Command::Organisations(command) => {
            admin::organisations(&nwd_store::Store::connect(options).await?, command).await?
        }
        Command::Tokens(command) => {
            admin::tokens(&nwd_store::Store::connect(options).await?, command).await?
        }
        Command::Audit(command) => {
            admin::audit(&nwd_store::Store::connect(options).await?, command).await?
        }
        Command::Admin(command) => {
            admin::admin(&nwd_store::Store::connect(options).await?, command).await?
        }
        Command::Retention(command) => {
            retention::run(&nwd_store::Store::connect(options).await?, command).await?
        }
        Command::Commissioning(command) => {
            commissioning::run(&nwd_store::Store::connect(options).await?, command).await?
        }
        Command::Population(command) => {
            population::run(&nwd_store::Store::connect(options).await?, command).await?
        }
        Command::Migrate => {
            let store = nwd_store::Store::connect(options).await?;
            store.migrate().await?;
            eprintln!("migrations applied");
        }
        Command::Demo {
            seed,
            years,
            referrals_per_year,
        } => {
            let store = nwd_store::Store::connect(options).await?;
            demo::load(&store, seed, years, referrals_per_year).await?;
        }
        Command::Serve {
            bind,
            demo,
            seed,
            allow_unsafe_durability,
            server_timing,
            oidc,
            public,
            trusted_proxies,
            header_read_timeout_secs,
            request_body_timeout_secs,
            max_client_connections,
            drain_timeout_secs,
        } => {
            let mut limit_settings =
                nwd_web::limits::LimitSettings::from_env().map_err(anyhow::Error::msg)?;
            limit_settings.trusted_proxies = nwd_web::proxy::parse_list(&trusted_proxies)
                .map_err(|e| anyhow::anyhow!("--trusted-proxies: {e}"))?;
            let server_limits = nwd_web::server::ServerLimits {
                header_read_timeout: std::time::Duration::from_secs(
                    header_read_timeout_secs.max(1),
                ),
                request_body_timeout: std::time::Duration::from_secs(
                    request_body_timeout_secs.max(1),
                ),
                max_connections: max_client_connections,
                drain_timeout: std::time::Duration::from_secs(drain_timeout_secs),
            };
            nwd_web::secure::set_server_timing(server_timing);
            // Checked before anything else starts: a bad providers file stops the server.
            let federation = match &oidc {
                Some(path) => nwd_oidc::Federation::load(path)?,
                None => nwd_oidc::Federation::default(),
            };
            let public = match &public {
                Some(path) => {
                    let text = std::fs::read_to_string(path).with_context(|| {
                        format!(
                            "could not read the public statements file {}",
                            path.display()
                        )
                    })?;
                    nwd_web::public_info::PublicInfo::from_toml(&text)
                        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
                }
                None => Default::default(),
            };
            let mut store = nwd_store::Store::connect(options).await?;
            durability::check(&store, allow_unsafe_durability).await?;
            if demo && store.organisations().await?.is_empty() {
                demo::load(&store, seed, 2, 30_000).await?;
            } else if demo && !store.is_demo().await? {
                eprintln!("--demo: the database already holds data and was not made by the demo, so the demo was not loaded and no demonstration sign-in is offered");
            }
            matching::attach(
                &mut store,
                matching::thresholds(cli.config.matching.as_deref())?,
            )
            .await?;
            let listener = tokio::net::TcpListener::bind(&bind)
                .await
                .with_context(|| format!("could not listen on {bind}: is another server running there? Use --bind to choose another address"))?;
            let address = listener.local_addr()?;
            // The dashboard's inputs are read once per process; read them now, beside the
            // first requests, rather than in the first commissioner's request.
            let warming = store.clone();
            tokio::spawn(async move {
                if let Err(error) = warming.warm_dashboard().await {
                    tracing::warn!(%error, "dashboard inputs not read ahead; the first dashboard request will read them");
                }
            });
            eprintln!("No Wrong Door is running: open http://{address}/ (staff sign-in: http://{address}/staff; API: http://{address}/api/openapi.json). Press Ctrl+C to stop.");
            if let Some(help) = demo::sign_in_help(&store, &address.to_string()).await? {
                eprintln!("{help}");
            }
            nwd_web::serve_with(
                listener,
                nwd_web::AppState::new(store.clone())
                    .with_oidc(federation)
                    .with_public(public)
                    .with_limits(nwd_web::limits::Limits::new(&limit_settings)),
                server_limits,
            )
            .await?;
            // Stopped (Ctrl-C or SIGTERM) and requests under way finished: flush the audit
            // trail and checkpoint the database before exiting.
            store.shut_down().await?;
            eprintln!("No Wrong Door stopped.");
        }
    }
    Ok(())
}
