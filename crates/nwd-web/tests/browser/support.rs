//! Test support: a real server on a fresh SQLite database (from the test kit,
//! `nwd_store::testing`), headless Debian Chromium driven by
//! chromedriver over WebDriver (fantoccini), and the checks every page gets (axe-core, no
//! request to another origin, security headers).

mod checks;
mod navigation;
mod setup;

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use jiff::Timestamp;
use nwd_domain::standards::DefaultStandards;
use nwd_store::testing::TestDatabase;
use nwd_store::{Store, StoreOptions};
use serde_json::json;

use setup::staff;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Browser tests run one at a time: two cores are shared with everything else.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Whether to run: `false` (with a note) when NWD_SKIP_BROWSER=1; panics when Chromium is
/// missing, saying how to get it.
pub fn browser_wanted() -> bool {
    if std::env::var("NWD_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("warning: NWD_SKIP_BROWSER=1: browser tests did not run");
        return false;
    }
    if !std::path::Path::new(CHROMIUM).exists() || !std::path::Path::new(CHROMEDRIVER).exists() {
        panic!(
            "{CHROMIUM} or {CHROMEDRIVER} is missing: run the tests with scripts/test, which installs \
             the Debian packages chromium and chromium-driver (or set NWD_SKIP_BROWSER=1 to skip them)"
        );
    }
    if !std::path::Path::new(&axe_path()).exists() {
        panic!(
            "web/node_modules/axe-core is missing: run `npm ci --prefix web` (scripts/test does)"
        );
    }
    true
}

fn axe_path() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../web/node_modules/axe-core/axe.min.js"
    )
    .to_owned()
}

fn standards() -> DefaultStandards {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/standards.toml"
    ))
    .unwrap();
    toml::from_str(&text).unwrap()
}

/// A staff member who can sign in.
pub struct StaffUser {
    pub id: String,
    pub username: String,
    pub password: String,
    pub totp_secret: String,
    /// The server's clock (the authenticator's code is the one for the server's now).
    pub clock: nwd_store::Clock,
}

impl StaffUser {
    /// The authenticator code now, by the server's clock.
    pub fn code(&self) -> String {
        nwd_store::auth::totp_code(&self.totp_secret, (self.clock)()).unwrap()
    }
}

/// A running server, a browser, and what they run on.
pub struct BrowserApp {
    /// `http://localhost:PORT` (Chromium treats localhost as a secure context, so the
    /// `__Host-` session cookie with `Secure` is kept over plain HTTP).
    pub base: String,
    pub store: Store,
    pub client: Client,
    pub http: reqwest::Client,
    pub token: String,
    pub triage: StaffUser,
    /// Milliseconds added to the server's clock ([`Self::advance_clock`]).
    clock_offset: Arc<AtomicI64>,
    driver: Child,
    /// The database (removed when the app is dropped).
    _database: TestDatabase,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

/// The real clock plus an offset a test moves forward.
fn clock(offset: Arc<AtomicI64>) -> nwd_store::Clock {
    Arc::new(move || {
        let shift = jiff::SignedDuration::from_millis(offset.load(Ordering::SeqCst));
        nwd_store::truncate_to_millis(Timestamp::now() + shift)
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl BrowserApp {
    /// Starts the server, a single point of access team with a triage clinician, chromedriver
    /// and a headless Chromium `width` pixels wide.
    pub async fn start(width: u32) -> BrowserApp {
        BrowserApp::start_with(width, true).await
    }

    /// As [`Self::start`], with the page's JavaScript turned off when `javascript` is false
    /// (WebDriver's own scripts, which the checks use, still run).
    pub async fn start_with(width: u32, javascript: bool) -> BrowserApp {
        let turn = ONE_BROWSER.lock().await;
        let database = TestDatabase::sqlite().await;
        let mut options = StoreOptions::new(database.url(), standards());
        let clock_offset = Arc::new(AtomicI64::new(0));
        options.clock = clock(clock_offset.clone());
        options.max_connections = 8;
        let store = Store::connect(options).await.expect("open store");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://localhost:{}", listener.local_addr().unwrap().port());
        let app = nwd_web::app(nwd_web::AppState::new(store.clone()));
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        let (token, triage) = staff(&store, clock(clock_offset.clone())).await;

        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-extensions", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                    format!("--window-size={width},900")
                ],
                "prefs": {
                    "profile.managed_default_content_settings.javascript":
                        if javascript { 1 } else { 2 }
                }
            }
        });
        let capabilities = capabilities.as_object().unwrap().clone();
        let mut client = None;
        for _ in 0..100 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let client = client.expect("chromedriver did not answer");
        BrowserApp {
            base,
            store,
            client,
            http: reqwest::Client::new(),
            token,
            triage,
            clock_offset,
            driver,
            _database: database,
            _turn: turn,
        }
    }

    /// Closes the browser, chromedriver and the database.
    pub async fn finish(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        self.store.close().await;
    }

    /// The server's clock: the real one plus what [`Self::advance_clock`] added.
    pub fn clock(&self) -> nwd_store::Clock {
        clock(self.clock_offset.clone())
    }

    /// Moves the server's clock forward (instead of waiting on the wall clock).
    pub fn advance_clock(&self, by: jiff::SignedDuration) {
        self.clock_offset
            .fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
}
