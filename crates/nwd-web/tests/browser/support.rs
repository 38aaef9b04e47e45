//! Test support: a real server on a fresh SQLite database (from the test kit,
//! `nwd_store::testing`), headless Debian Chromium driven by
//! chromedriver over WebDriver (fantoccini), and the checks every page gets (axe-core, no
//! request to another origin, security headers).

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use jiff::Timestamp;
use nwd_domain::standards::DefaultStandards;
use nwd_store::testing::TestDatabase;
use nwd_store::{Store, StoreOptions};
use serde_json::{json, Value};

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
                ]
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

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Opens `path`.
    pub async fn goto(&self, path: &str) {
        self.client.goto(&self.url(path)).await.unwrap();
    }

    /// The current path.
    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} not found: {e}"))
            .text()
            .await
            .unwrap()
    }

    /// Types into the field with `id` (WebDriver focuses it, then sends key presses).
    pub async fn type_into(&self, id: &str, text: &str) {
        let field = self.client.find(Locator::Id(id)).await.unwrap();
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Marks the current document, so that [`Self::wait_for_new_page`] can tell when the
    /// browser has moved on from it.
    async fn mark_page(&self) {
        self.client
            .execute("window.__nwdOldPage = true; return true;", vec![])
            .await
            .unwrap();
    }

    /// Waits until a new document (not the marked one) has loaded.
    async fn wait_for_new_page(&self) {
        for _ in 0..200 {
            let loaded = self
                .client
                .execute(
                    "return window.__nwdOldPage === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if matches!(loaded, Ok(serde_json::Value::Bool(true))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the page did not change");
    }

    /// Presses Enter in the field with `id` (submits its form as a keyboard user would) and
    /// waits for the next page.
    pub async fn enter_in(&self, id: &str) {
        self.mark_page().await;
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys("\u{E007}")
            .await
            .unwrap();
        self.wait_for_new_page().await;
    }

    /// Presses Enter on the link with this text and waits for the page it leads to.
    pub async fn follow(&self, text: &str) {
        self.mark_page().await;
        self.client
            .find(Locator::LinkText(text))
            .await
            .unwrap()
            .send_keys("\u{E007}")
            .await
            .unwrap();
        self.wait_for_new_page().await;
    }

    /// Presses Space on the checkbox or radio with `id`.
    pub async fn space_on(&self, id: &str) {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(" ")
            .await
            .unwrap();
    }

    /// Presses Enter on the button or link matching `css` and waits for the next page.
    pub async fn press(&self, css: &str) {
        self.mark_page().await;
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .send_keys("\u{E007}")
            .await
            .unwrap();
        self.wait_for_new_page().await;
    }

    /// The page's `<h1>`.
    pub async fn heading(&self) -> String {
        self.text("h1").await.trim().to_owned()
    }

    /// Every check a page gets: axe-core finds no serious or critical violation, every
    /// resource came from this origin, and the security headers are present.
    pub async fn check_page(&self, name: &str) {
        self.check_accessibility(name).await;
        self.check_same_origin(name).await;
        self.check_headers(name).await;
    }

    /// Runs axe-core (injected through WebDriver, which the page's CSP does not govern).
    pub async fn check_accessibility(&self, name: &str) {
        let axe = std::fs::read_to_string(axe_path()).unwrap();
        self.client
            .execute(&format!("{axe}\nreturn true;"), vec![])
            .await
            .unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] })
                   .then(r => done(JSON.stringify(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.html).slice(0, 3) })))))
                   .catch(e => done(JSON.stringify([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }])));",
                vec![],
            )
            .await
            .unwrap();
        let violations: Value = serde_json::from_str(result.as_str().unwrap()).unwrap();
        let serious: Vec<&Value> = violations
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(
            serious.is_empty(),
            "{name}: axe-core found serious or critical violations: {}",
            serde_json::to_string_pretty(&serious).unwrap()
        );
    }

    /// Every resource the page loaded (Resource Timing), and every `src`/`href` of an element
    /// that loads something, is on this origin.
    pub async fn check_same_origin(&self, name: &str) {
        let loaded = self
            .client
            .execute(
                "return performance.getEntriesByType('resource').map(e => e.name)
                   .concat(performance.getEntriesByType('navigation').map(e => e.name))
                   .concat(Array.from(document.querySelectorAll('script[src], link[href], img[src], iframe[src], source[src], video[src], audio[src], object[data], embed[src]'))
                     .map(e => e.src || e.href || e.data));",
                vec![],
            )
            .await
            .unwrap();
        let urls: Vec<String> = loaded
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect();
        assert!(!urls.is_empty(), "{name}: nothing was loaded?");
        for url in &urls {
            assert!(
                url.starts_with(&self.base),
                "{name}: a request to another origin: {url}"
            );
        }
        assert!(
            urls.iter()
                .any(|u| u.contains("/assets/nhsuk-frontend.min.css")),
            "{name}: the design system's CSS was not loaded: {urls:?}"
        );
    }

    /// Fetches the current page again, with the browser's cookies, and checks its headers.
    pub async fn check_headers(&self, name: &str) {
        let url = self.client.current_url().await.unwrap();
        let cookies = self.client.get_all_cookies().await.unwrap();
        let cookie = cookies
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; ");
        let mut request = self.http.get(url.as_str());
        if !cookie.is_empty() {
            request = request.header("cookie", cookie);
        }
        let response = request.send().await.unwrap();
        let headers = response.headers();
        let header = |h: &str| {
            headers
                .get(h)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_else(|| panic!("{name}: no {h} header on {url}"))
        };
        assert_eq!(
            header("content-security-policy"),
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
            "{name}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{name}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{name}");
        let cache = header("cache-control");
        assert!(
            cache == "no-store" || cache == "no-cache",
            "{name}: cache-control {cache}"
        );
        assert!(
            header("content-type").starts_with("text/html"),
            "{name}: content type"
        );
    }

    /// Same as [`check_headers`] and says the page must not be stored.
    pub async fn assert_no_store(&self, name: &str) {
        let url = self.client.current_url().await.unwrap();
        let cookies = self.client.get_all_cookies().await.unwrap();
        let cookie = cookies
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; ");
        let response = self
            .http
            .get(url.as_str())
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers().get("cache-control").unwrap(),
            "no-store",
            "{name} shows identifiable data and must not be stored"
        );
    }

    /// A request to the JSON API as the coordinator.
    pub fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    /// Adds a service to the directory; returns its id.
    pub async fn service(
        &self,
        name: &str,
        kind: &str,
        need_groups: &[&str],
        ages: (i64, i64),
        self_referral: bool,
    ) -> String {
        let org: Value = self
            .api(reqwest::Method::POST, "/api/organisations")
            .json(&json!({"name": format!("{name} provider"), "kind": kind}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let response = self
            .api(reqwest::Method::POST, "/api/services")
            .json(&json!({
                "organisation_id": org["id"],
                "name": name,
                "description": format!("{name}: synthetic test service for young people."),
                "need_groups": need_groups,
                "age_from": ages.0,
                "age_to": ages.1,
                "team_type": "community",
                "delivery_modes": ["face_to_face", "online"],
                "areas": ["ME", "CT1"],
                "self_referral": self_referral,
                "capacity": {"clinician_wte": 3.5, "slots_per_week": 40}
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
        let body: Value = response.json().await.unwrap();
        body["id"].as_str().unwrap().to_owned()
    }

    /// A clinician in a team of `service` (in the service's own organisation): related only to
    /// the young people allocated to that service.
    pub async fn service_clinician(&self, service: &str, username: &str) -> StaffUser {
        let body: Value = self
            .api(reqwest::Method::GET, &format!("/api/services/{service}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let organisation = body["organisation_id"].as_str().unwrap().to_owned();
        let team = self
            .store
            .create_team(
                &organisation,
                &format!("{} team", body["name"].as_str().unwrap()),
                nwd_store::auth::TeamKind::Service,
                Some(service),
            )
            .await
            .unwrap();
        let password = format!("Synthetic-{}-pass", uuid::Uuid::new_v4().simple());
        let user = self
            .store
            .create_user(
                nwd_store::auth::NewUser {
                    username: username.into(),
                    display_name: "Test Service Clinician".into(),
                    organisation_id: organisation,
                    password: Some(password.clone()),
                    memberships: vec![(team, nwd_domain::authz::Role::Clinician)],
                },
                "test",
            )
            .await
            .unwrap();
        StaffUser {
            id: user.id.clone(),
            username: username.into(),
            password,
            totp_secret: user.totp_secret.unwrap(),
            clock: self.clock(),
        }
    }

    /// Signs in on the sign-in page as `user` (password and authenticator code).
    pub async fn sign_in_as(&self, user: &StaffUser) {
        self.goto("/staff/sign-in").await;
        self.type_into("username", &user.username).await;
        self.type_into("password", &user.password).await;
        self.type_into("code", &user.code()).await;
        self.enter_in("code").await;
    }
}

impl BrowserApp {
    /// Another single point of access clinician, in a team of their own, who can sign in.
    pub async fn another_triage_user(&self, username: &str, display_name: &str) -> StaffUser {
        let (org, team) = self
            .store
            .bootstrap_team(&nwd_store::auth::Bootstrap {
                organisation: format!("{display_name}'s Synthetic Trust"),
                organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
                team: format!("{display_name}'s access team"),
                team_kind: nwd_store::auth::TeamKind::SinglePointOfAccess,
                service_id: None,
            })
            .await
            .unwrap();
        let password = format!("Synthetic-{}-pass", uuid::Uuid::new_v4().simple());
        let user = self
            .store
            .create_user(
                nwd_store::auth::NewUser {
                    username: username.into(),
                    display_name: display_name.into(),
                    organisation_id: org,
                    password: Some(password.clone()),
                    memberships: vec![(team, nwd_domain::authz::Role::Triage)],
                },
                "test",
            )
            .await
            .unwrap();
        StaffUser {
            id: user.id.clone(),
            username: username.into(),
            password,
            totp_secret: user.totp_secret.unwrap(),
            clock: self.clock(),
        }
    }
}

/// A single point of access team with a triage clinician (also administrator, for the
/// directory set-up through the API): returns an API token and the clinician's sign-in.
async fn staff(store: &Store, clock: nwd_store::Clock) -> (String, StaffUser) {
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
    let password = format!("Synthetic-{}-pass", uuid::Uuid::new_v4().simple());
    let user = store
        .create_user(
            nwd_store::auth::NewUser {
                username: "test.triage".into(),
                display_name: "Test Triage Clinician".into(),
                organisation_id: org,
                password: Some(password.clone()),
                memberships: vec![
                    (team.clone(), nwd_domain::authz::Role::Triage),
                    (team, nwd_domain::authz::Role::Administrator),
                ],
            },
            "test",
        )
        .await
        .unwrap();
    let scopes = nwd_domain::authz::Permission::ALL.into_iter().collect();
    let token = store
        .create_api_token(&user.id, "tests", &scopes)
        .await
        .unwrap()
        .1;
    (
        token,
        StaffUser {
            id: user.id.clone(),
            username: "test.triage".into(),
            password,
            totp_secret: user.totp_secret.unwrap(),
            clock,
        },
    )
}
