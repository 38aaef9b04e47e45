//! Issue 15: separate allowances for anonymous traffic, the public journeys, staff sign-in
//! (per address and per account) and external referrers; `X-Forwarded-For` believed only
//! from a configured trusted proxy. These servers run the real connection loop
//! (`nwd_web::server`) on loopback so that the TCP peer is real.

use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use nwd_web::limits::{LimitSettings, Limits};
use reqwest::{Client, Method, StatusCode};
use serde_json::json;

use crate::on_both_backends;
use crate::support::TestApp;

/// Serves `app`'s store on another loopback port with `settings`; returns the base URL.
pub(crate) async fn serve_with(app: &TestApp, settings: LimitSettings) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = nwd_web::AppState::new(app.store.clone()).with_limits(Limits::new(&settings));
    tokio::spawn(nwd_web::server::serve_until(
        listener,
        nwd_web::app(state),
        nwd_web::server::ServerLimits::default(),
        std::future::pending(),
    ));
    base
}

fn behind_proxy() -> LimitSettings {
    LimitSettings {
        trusted_proxies: nwd_web::proxy::parse_list("127.0.0.1/32").unwrap(),
        ..LimitSettings::default()
    }
}

/// The `i`th made-up client address (TEST-NET and private ranges).
fn address(i: usize) -> String {
    format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)
}

async fn staff_account(app: &TestApp, username: &str) -> (String, String) {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: format!("{username} trust"),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: format!("{username} team"),
            team_kind: TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap();
    let password = "violet kettle harbour lantern";
    let created = app
        .store
        .create_user(
            NewUser {
                username: username.into(),
                display_name: username.into(),
                organisation_id: org,
                password: Some(password.into()),
                memberships: vec![(team, Role::Triage)],
            },
            "test",
        )
        .await
        .unwrap();
    (password.to_owned(), created.totp_secret.unwrap())
}

async fn anonymous_traffic_cannot_lock_staff_out(app: &TestApp) {
    let base = serve_with(app, behind_proxy()).await;
    let client = Client::new();
    let (password, secret) = staff_account(app, "s.staff").await;
    // 300 anonymous submissions from 300 addresses: the flood meets its own ceiling.
    let mut limited = 0;
    for i in 0..300 {
        let response = client
            .post(format!("{base}/api/self-referrals"))
            .header("x-forwarded-for", address(i))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            limited += 1;
        }
    }
    assert!(limited > 0, "the global ceiling never met");
    // Staff sign-in is on its own allowance: it answers.
    let code = nwd_store::auth::totp_code(&secret, app.store.now()).unwrap();
    let response = client
        .post(format!("{base}/api/session"))
        .header("x-forwarded-for", address(9999))
        .json(&json!({"username": "s.staff", "password": password, "code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{:?}",
        response.text().await
    );
}
on_both_backends!(anonymous_traffic_cannot_lock_staff_out);

async fn forwarded_for_counts_only_from_a_trusted_proxy(app: &TestApp) {
    let client = Client::new();
    // No proxy trusted: a client cannot choose its address; the 21st is refused.
    let direct = serve_with(app, LimitSettings::default()).await;
    let mut statuses = Vec::new();
    for i in 0..21 {
        let response = client
            .post(format!("{direct}/api/self-referrals"))
            .header("x-forwarded-for", address(i))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert!(statuses[..20]
        .iter()
        .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY));
    assert_eq!(statuses[20], StatusCode::TOO_MANY_REQUESTS);
    // Behind the trusted proxy: each client has its own allowance.
    let proxied = serve_with(app, behind_proxy()).await;
    for i in 0..30 {
        let response = client
            .post(format!("{proxied}/api/self-referrals"))
            .header("x-forwarded-for", address(1000 + i))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The audit trail records the forwarded client, not the proxy.
    let response = client
        .get(format!("{proxied}/api/referrals"))
        .bearer_auth(&app.coordinator_token)
        .header("x-forwarded-for", "198.51.100.77")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let trail = addresses_in_audit(app).await;
    assert!(trail.iter().any(|a| a == "198.51.100.77"), "{trail:?}");
    assert!(!trail.iter().any(|a| a == "10.0.0.0"), "{trail:?}");
}
on_both_backends!(forwarded_for_counts_only_from_a_trusted_proxy);

async fn sign_in_is_limited_per_account_and_per_address(app: &TestApp) {
    let base = serve_with(app, behind_proxy()).await;
    let client = Client::new();
    staff_account(app, "t.target").await;
    let attempt = |username: &'static str, from: String| {
        client
            .post(format!("{base}/api/session"))
            .header("x-forwarded-for", from)
            .json(&json!({"username": username, "password": "wrong guess", "code": "000000"}))
            .send()
    };
    // Twenty guesses at one account from twenty addresses are answered; the next is refused.
    for i in 0..20 {
        assert_eq!(attempt("t.target", address(i)).await.unwrap().status(), 401);
    }
    assert_eq!(
        attempt("t.target", address(50)).await.unwrap().status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another account from a fresh address is unaffected.
    assert_eq!(attempt("o.other", address(60)).await.unwrap().status(), 401);
    // One address trying many accounts: 30 answered, then refused.
    let mut statuses = Vec::new();
    for i in 0..31 {
        let name: &'static str = Box::leak(format!("u{i}").into_boxed_str());
        statuses.push(attempt(name, address(70)).await.unwrap().status());
    }
    assert!(statuses[..30]
        .iter()
        .all(|s| *s == StatusCode::UNAUTHORIZED));
    assert_eq!(statuses[30], StatusCode::TOO_MANY_REQUESTS);
}
on_both_backends!(sign_in_is_limited_per_account_and_per_address);

async fn the_public_journeys_are_rate_limited(app: &TestApp) {
    let base = serve_with(app, LimitSettings::default()).await;
    let client = Client::new();
    let mut refused = None;
    for i in 0..320 {
        let response = client
            .post(format!("{base}/get-help/q/name"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("given-name=A&family-name=B")
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(i);
            assert!(response.headers().contains_key("retry-after"));
            break;
        }
        // Without a draft: "Your answers have expired".
        assert_eq!(response.status(), StatusCode::GONE);
    }
    // 300 question pages per address per 10 minutes, refilled one every 2 s: a slow run may
    // earn a few more.
    let refused = refused.expect("question pages are limited");
    assert!((300..310).contains(&refused), "{refused} pages allowed");
    // Urgent help still answers the same address.
    let urgent = client
        .get(format!("{base}/urgent-help"))
        .send()
        .await
        .unwrap();
    assert_eq!(urgent.status(), StatusCode::OK);
}
on_both_backends!(the_public_journeys_are_rate_limited);

/// Starting a journey makes a draft, so each start is counted on the journey allowance like an
/// answer: a script cannot fill the drafts table with GETs.
async fn starting_journeys_is_rate_limited(app: &TestApp) {
    let base = serve_with(app, LimitSettings::default()).await;
    let client = crate::support::no_redirects();
    let starts = ["/get-help", "/get-help/parent-carer", "/refer/questions"];
    let mut refused = None;
    for i in 0..320 {
        let response = client
            .get(format!("{base}{}", starts[i % starts.len()]))
            .send()
            .await
            .unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(i);
            break;
        }
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
    // 300 per 10 minutes, refilled one every 2 s: a slow run may earn a few more.
    let refused = refused.expect("journey starts are limited");
    assert!((300..310).contains(&refused), "{refused} starts allowed");
    assert_eq!(app.count("journey_drafts").await, refused as i64);
}
on_both_backends!(starting_journeys_is_rate_limited);

async fn external_referrers_are_throttled_per_account(app: &TestApp) {
    let (_, referrer) =
        crate::intake_disclosure::account(app, Role::ExternalReferrer, "busy.referrer").await;
    let (_, other) =
        crate::intake_disclosure::account(app, Role::ExternalReferrer, "calm.referrer").await;
    // Empty bodies: counted, then refused as invalid, so nothing is written.
    for _ in 0..30 {
        let response = app
            .as_token(&referrer, Method::POST, "/api/referrals")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
    }
    let response = app
        .as_token(&referrer, Method::POST, "/api/referrals")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let response = app
        .as_token(&other, Method::POST, "/api/referrals")
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    // Staff of the single point of access are not throttled this way.
    for _ in 0..35 {
        let response = app
            .staff(Method::POST, "/api/referrals")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 422);
    }
}
on_both_backends!(external_referrers_are_throttled_per_account);

async fn addresses_in_audit(app: &TestApp) -> Vec<String> {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    let rows = sqlx::query("SELECT address FROM audit_log WHERE address IS NOT NULL")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let addresses = rows.iter().map(|r| r.get::<String, _>("address")).collect();
    conn.close().await.unwrap();
    addresses
}
