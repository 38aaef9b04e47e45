//! The server process and the databases: a `nowrongdoor serve` child that is SIGKILLed when
//! dropped (so a failing test leaves no server behind), opening a store directly, the
//! durability check, free ports and unique names.

use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `nowrongdoor serve`; SIGKILLed when dropped (so a failing test leaves no
/// server behind).
pub(super) struct Server {
    pub(super) child: Option<Child>,
    pub(super) port: u16,
    pub(super) log: PathBuf,
}

/// A server secret key beside the log (PostgreSQL refuses to serve without one).
pub(super) fn secret_key_file(log: &std::path::Path) -> PathBuf {
    let path = log.with_extension("key");
    if !path.exists() {
        std::fs::write(&path, format!("{}\n", "5a".repeat(32))).unwrap();
    }
    path
}

pub(super) fn server_command(url: &str, port: u16, allow_unsafe: bool, log: &PathBuf) -> Command {
    let log_file = File::options().create(true).append(true).open(log).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_nowrongdoor"));
    command
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("NWD_DATABASE_URL", url)
        .env("NWD_SECRET_KEY_FILE", secret_key_file(log))
        .env("NWD_MAX_CONNECTIONS", "8")
        .env("NWD_LOG", "warn")
        // The anonymous rate limit (20 per address per ten minutes) would throttle this
        // harness, which sends every request from one address; the global limit stays.
        .env("NWD_ANONYMOUS_PER_10_MINUTES", "1000000")
        .env_remove("NWD_ALLOW_UNSAFE_DURABILITY")
        .env_remove("NWD_DEMO")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log_file));
    if allow_unsafe {
        command.arg("--allow-unsafe-durability");
    }
    command
}

impl Server {
    pub(super) fn start(url: &str, port: u16, allow_unsafe: bool, log: &PathBuf) -> Server {
        let child = server_command(url, port, allow_unsafe, log)
            .spawn()
            .expect("start nowrongdoor serve");
        Server {
            child: Some(child),
            port,
            log: log.clone(),
        }
    }

    /// Polls `/healthz` until it answers 200; fails with the server's log if it exits.
    pub(super) async fn wait_until_ready(&mut self) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(500))
            .build()
            .unwrap();
        let url = format!("http://127.0.0.1:{}/healthz", self.port);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(response) = client.get(&url).send().await {
                if response.status().is_success() {
                    return;
                }
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().unwrap()) {
                let log = std::fs::read_to_string(&self.log).unwrap_or_default();
                panic!("the server exited with {status} before it was ready:\n{log}");
            }
            assert!(Instant::now() < deadline, "the server did not become ready");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// SIGKILL (`Child::kill` on Unix), then reap.
    pub(super) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

// ---------------------------------------------------------------------------------------
// Databases.

pub(super) async fn open_store(url: &str) -> nwd_store::Store {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/standards.toml"
    ))
    .unwrap();
    let standards = toml::from_str(&text).unwrap();
    let mut options = nwd_store::StoreOptions::new(url, standards);
    options.max_connections = 4;
    nwd_store::Store::connect(options)
        .await
        .expect("open the store")
}

pub(super) fn durability_is_safe(report: &nwd_store::durability::DurabilityReport) -> bool {
    match report {
        nwd_store::durability::DurabilityReport::Postgres {
            fsync,
            synchronous_commit,
            full_page_writes,
        } => fsync == "on" && synchronous_commit != "off" && full_page_writes == "on",
        nwd_store::durability::DurabilityReport::Sqlite { .. } => true,
    }
}

/// A free TCP port on 127.0.0.1 (the server is restarted on the same one after each kill).
pub(super) fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Unique enough for file and database names: process id and nanoseconds.
pub(super) fn unique() -> String {
    format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}
