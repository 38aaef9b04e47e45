//! OpenID Connect federation (issue 5), end to end over real HTTP: the real server, a real
//! test identity provider (`idp.rs`: discovery, JWKS, authorization and token endpoints,
//! freshly generated keys), on SQLite and PostgreSQL. A linked, enabled account signs in with
//! a new session; every bad answer — signature, audience, expiry, nonce, state, strength of
//! authentication, algorithm, unlinked, disabled or locked account — is refused with one generic page,
//! audited with its reason, and makes no session.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::idp::{Behaviour, Signing, TestIdp, AAL3, CLIENT_ID, CLIENT_SECRET, SUBJECT};
use crate::on_both_backends;
use crate::support::{no_redirects, TestApp};

/// A test provider and a server configured with it (AAL3 required), the coordinator's
/// account linked to [`SUBJECT`].
pub(crate) async fn spawn(backend: nwd_store::Backend) -> (TestApp, TestIdp) {
    let idp = TestIdp::start().await;
    let issuer = idp.issuer.clone();
    let config = move |base: &str| {
        let idp_config = format!(
            r#"
[[provider]]
id = "test-idp"
name = "Test Identity Provider"
issuer = "{issuer}"
client_id = "{CLIENT_ID}"
client_secret_env = "NWD_TEST_IDP_SECRET"
redirect_url = "{base}/staff/oidc/test-idp/callback"
scopes = ["openid", "profile"]
acr_values = ["{AAL3}"]
clock_skew_seconds = 30
"#
        );
        nwd_oidc::Federation::from_toml(&idp_config, |name| {
            (name == "NWD_TEST_IDP_SECRET").then(|| CLIENT_SECRET.to_owned())
        })
        .unwrap()
    };
    let app = TestApp::spawn_with_oidc(backend, config).await;
    let coordinator = user_id(&app, "test.coordinator").await;
    app.store
        .link_oidc(
            &nwd_store::testing::acting("test"),
            &idp.issuer,
            SUBJECT,
            &coordinator,
        )
        .await
        .unwrap();
    (app, idp)
}

async fn user_id(app: &TestApp, username: &str) -> String {
    scalar(
        app,
        &format!("SELECT id FROM users WHERE username = '{username}'"),
    )
    .await
}

/// The first column of the first row, as text.
async fn scalar(app: &TestApp, sql: &str) -> String {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    let row = sqlx::query(sql).fetch_one(&mut conn).await.unwrap();
    let value: String = row.try_get(0).unwrap();
    conn.close().await.unwrap();
    value
}

/// The last audit entry's (route, outcome, why, status, detail).
async fn last_audit(app: &TestApp) -> (String, String, String, i64, String) {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    let row = sqlx::query(
        "SELECT route, outcome, why, status, detail FROM audit_log ORDER BY seq DESC LIMIT 1",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    let entry = (
        row.try_get("route").unwrap(),
        row.try_get("outcome").unwrap(),
        row.try_get("why").unwrap(),
        row.try_get("status").unwrap(),
        row.try_get::<Option<String>, _>("detail")
            .unwrap()
            .unwrap_or_default(),
    );
    conn.close().await.unwrap();
    entry
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|pair| pair.split_once('='))
        .find(|(n, v)| *n == name && !v.is_empty())
        .map(|(_, v)| v.to_owned())
}

/// How to spoil the answer on its way back.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tamper {
    Nothing,
    State,
    NoCookie,
}

/// Starts a sign-in at the server, lets the provider answer, and brings the answer back to
/// the server's callback: returns the callback's response and its URL (for replays).
async fn round_trip(app: &TestApp, tamper: Tamper) -> (reqwest::Response, String, String) {
    let client = no_redirects();
    let start = client
        .get(format!(
            "{}/staff/oidc/test-idp?next=/staff/referrals",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        start.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        start.text().await
    );
    let flow_cookie = set_cookie(&start, "__Host-nwd_oidc").expect("a flow cookie");
    let cookie_header = start
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("__Host-nwd_oidc="))
        .unwrap();
    assert!(cookie_header.contains("HttpOnly") && cookie_header.contains("Secure"));
    assert!(cookie_header.contains("SameSite=Lax"), "{cookie_header}");
    let at_provider = client.get(location(&start)).send().await.unwrap();
    assert_eq!(at_provider.status(), StatusCode::SEE_OTHER);
    let mut callback = reqwest::Url::parse(&location(&at_provider)).unwrap();
    if tamper == Tamper::State {
        let pairs: Vec<(String, String)> = callback
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "state" {
                    nwd_oidc::random_value()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        callback.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let mut request = client.get(callback.clone());
    if tamper != Tamper::NoCookie {
        request = request.header("cookie", format!("__Host-nwd_oidc={flow_cookie}"));
    }
    (
        request.send().await.unwrap(),
        callback.to_string(),
        flow_cookie,
    )
}

/// Refused: the generic page, no session cookie, no session row, and an audit entry whose
/// reason contains `reason`.
async fn assert_refused(app: &TestApp, response: reqwest::Response, reason: &str) {
    let status = response.status();
    let session = set_cookie(&response, "__Host-nwd_session");
    let body = response.text().await.unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{reason}: {body}");
    assert!(body.contains("You could not be signed in"), "{reason}");
    assert_eq!(session, None, "{reason}: a session cookie was set");
    assert_eq!(
        app.count("sessions").await,
        0,
        "{reason}: a session was made"
    );
    let (route, outcome, why, status, _) = last_audit(app).await;
    assert_eq!(route, "GET /staff/oidc/{provider}/callback");
    assert_eq!(outcome, "denied", "{reason}");
    assert_eq!(status, 401);
    assert!(why.contains(reason), "{why:?} should contain {reason:?}");
}

/// The session behind a cookie, from the API.
async fn who(app: &TestApp, token: &str) -> Value {
    let response = app
        .public(Method::GET, "/api/session")
        .header("cookie", format!("__Host-nwd_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn a_linked_account_signs_in_with_a_new_session_each_time(app: &TestApp, idp: &TestIdp) {
    // The sign-in page offers the provider.
    let page = app
        .public(Method::GET, "/staff/sign-in?next=/staff/referrals")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Sign in with Test Identity Provider"),
        "{page}"
    );
    assert!(
        page.contains("href=\"/staff/oidc/test-idp?next=/staff/referrals\""),
        "{page}"
    );

    let (response, callback, flow_cookie) = round_trip(app, Tamper::Nothing).await;
    // What went to the provider: code flow, PKCE S256, state, nonce, the required strength.
    let sent = idp.last_authorize();
    assert_eq!(sent["response_type"], "code");
    assert_eq!(sent["code_challenge_method"], "S256");
    assert_eq!(sent["code_challenge"].len(), 43);
    assert_eq!(sent["state"].len(), 43);
    assert_eq!(sent["nonce"].len(), 43);
    assert_ne!(sent["state"], sent["nonce"]);
    assert_eq!(sent["acr_values"], AAL3);
    assert_eq!(sent["scope"], "openid profile");

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["refresh"].to_str().unwrap(),
        "0;url=/staff/referrals"
    );
    let session_header = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("__Host-nwd_session="))
        .unwrap();
    for attribute in ["Path=/", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(session_header.contains(attribute), "{session_header}");
    }
    let first = set_cookie(&response, "__Host-nwd_session").unwrap();
    let body = response.text().await.unwrap();
    assert!(body.contains("You are signed in"));
    let (route, outcome, why, status, detail) = last_audit(app).await;
    assert_eq!(route, "GET /staff/oidc/{provider}/callback");
    assert_eq!(outcome, "allowed");
    assert_eq!(status, 200);
    assert!(why.contains("acr AAL3_ANY"), "{why}");
    assert!(detail.contains(SUBJECT), "{detail}");
    let me = who(app, &first).await;
    assert_eq!(me["principal"]["username"], "test.coordinator");
    assert!(me["csrf_token"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(app.count("sessions").await, 1);

    // The same answer again (a replay) is refused: state is single use.
    let replay = no_redirects()
        .get(&callback)
        .header("cookie", format!("__Host-nwd_oidc={flow_cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 401);
    assert_eq!(app.count("sessions").await, 1);
    let (_, outcome, why, _, _) = last_audit(app).await;
    assert_eq!(outcome, "denied");
    assert!(why.contains("state"), "{why}");

    // A second sign-in gets a new session id (ES256 this time).
    idp.behave(Behaviour {
        signing: Signing::Ec,
        ..Behaviour::default()
    });
    let (response, _, _) = round_trip(app, Tamper::Nothing).await;
    assert_eq!(response.status(), 200);
    let second = set_cookie(&response, "__Host-nwd_session").unwrap();
    assert_ne!(first, second);
    assert_eq!(
        who(app, &second).await["principal"]["username"],
        "test.coordinator"
    );
    assert_eq!(app.count("sessions").await, 2);

    // Key rotation: a token signed with a key id not yet cached makes one fresh fetch of the
    // keys, and then verifies.
    let fetches = idp.jwks_fetches();
    idp.rotate();
    idp.behave(Behaviour {
        signing: Signing::Rotated,
        ..Behaviour::default()
    });
    let (response, _, _) = round_trip(app, Tamper::Nothing).await;
    assert_eq!(response.status(), 200);
    assert_eq!(idp.jwks_fetches(), fetches + 1);
    assert_eq!(app.count("sessions").await, 3);

    // Signing out ends the federated session like any other.
    let out = app
        .public(Method::DELETE, "/api/session")
        .header("cookie", format!("__Host-nwd_session={first}"))
        .header("x-csrf-token", me["csrf_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let gone = app
        .public(Method::GET, "/api/session")
        .header("cookie", format!("__Host-nwd_session={first}"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 401);
}
on_both_backends!(a_linked_account_signs_in_with_a_new_session_each_time, oidc);

async fn bad_signatures_audiences_times_and_nonces_are_refused(app: &TestApp, idp: &TestIdp) {
    let d = Behaviour::default;
    for (behaviour, reason) in [
        (
            Behaviour {
                signing: Signing::WrongKey,
                ..d()
            },
            "signature did not verify",
        ),
        (
            Behaviour {
                aud: json!("another-client"),
                ..d()
            },
            "audience",
        ),
        (
            Behaviour {
                aud: json!([CLIENT_ID, "another-client"]),
                ..d()
            },
            "several audiences and no azp",
        ),
        (
            Behaviour {
                aud: json!([CLIENT_ID, "another-client"]),
                azp: Some("another-client".into()),
                ..d()
            },
            "azp",
        ),
        (
            Behaviour {
                exp_in: -120,
                iat_in: -400,
                ..d()
            },
            "expired",
        ),
        (
            Behaviour {
                nonce: Some("not-the-nonce-that-was-sent".into()),
                ..d()
            },
            "nonce",
        ),
    ] {
        idp.behave(behaviour);
        let (response, _, _) = round_trip(app, Tamper::Nothing).await;
        assert_refused(app, response, reason).await;
    }
    // Within the clock skew (30 s) an expiry just passed is still accepted: the check above
    // failed because of the expiry, not something else.
    idp.behave(Behaviour { exp_in: -10, ..d() });
    let (response, _, _) = round_trip(app, Tamper::Nothing).await;
    assert_eq!(response.status(), 200);
}
on_both_backends!(bad_signatures_audiences_times_and_nonces_are_refused, oidc);

async fn weak_authentication_and_forged_algorithms_are_refused(app: &TestApp, idp: &TestIdp) {
    let d = Behaviour::default;
    for (behaviour, reason) in [
        (Behaviour { acr: None, ..d() }, "acr None"),
        (
            Behaviour {
                acr: Some("AAL2_OR_AAL3_ANY".into()),
                ..d()
            },
            "acr Some(\"AAL2_OR_AAL3_ANY\")",
        ),
        (
            Behaviour {
                signing: Signing::None,
                ..d()
            },
            "algorithm \"none\"",
        ),
        (
            Behaviour {
                signing: Signing::HmacWithPublicKey,
                ..d()
            },
            "algorithm \"HS256\"",
        ),
        (
            Behaviour {
                issuer: Some("https://impostor.example".into()),
                ..d()
            },
            "issuer",
        ),
    ] {
        idp.behave(behaviour);
        let (response, _, _) = round_trip(app, Tamper::Nothing).await;
        assert_refused(app, response, reason).await;
    }
}
on_both_backends!(weak_authentication_and_forged_algorithms_are_refused, oidc);

async fn wrong_state_and_unlinked_or_disabled_accounts_are_refused(app: &TestApp, idp: &TestIdp) {
    let (response, _, _) = round_trip(app, Tamper::State).await;
    assert_refused(app, response, "state").await;
    // Another browser (no flow cookie) cannot complete someone's sign-in.
    let (response, _, _) = round_trip(app, Tamper::NoCookie).await;
    assert_refused(app, response, "state").await;

    // A verified identity nobody has linked: refused, never an account made.
    let users = app.count("users").await;
    idp.behave(Behaviour {
        subject: "unlinked-synthetic-subject".into(),
        ..Behaviour::default()
    });
    let (response, _, _) = round_trip(app, Tamper::Nothing).await;
    assert_refused(app, response, "no staff account is linked").await;
    let (_, _, _, _, detail) = last_audit(app).await;
    assert!(detail.contains("unlinked-synthetic-subject"), "{detail}");
    assert_eq!(app.count("users").await, users);

    // A linked but disabled account.
    let org = scalar(
        app,
        "SELECT organisation_id FROM users WHERE username = 'test.coordinator'",
    )
    .await;
    let team = scalar(
        app,
        "SELECT team_id FROM team_members ORDER BY team_id LIMIT 1",
    )
    .await;
    let created = app
        .store
        .create_user(
            nwd_store::auth::NewUser {
                username: "disabled.clinician".into(),
                display_name: "Disabled Clinician".into(),
                organisation_id: org,
                password: None,
                memberships: vec![(team, nwd_domain::authz::Role::Triage)],
            },
            "test",
        )
        .await
        .unwrap();
    app.store
        .link_oidc(
            &nwd_store::testing::acting("test"),
            &idp.issuer,
            "disabled-synthetic-subject",
            &created.id,
        )
        .await
        .unwrap();
    app.store
        .disable_user(&nwd_store::testing::acting("admin"), &created.id)
        .await
        .unwrap();
    idp.behave(Behaviour {
        subject: "disabled-synthetic-subject".into(),
        ..Behaviour::default()
    });
    let (response, _, _) = round_trip(app, Tamper::Nothing).await;
    assert_refused(app, response, "disabled").await;

    // Linking checks its input and refuses a second link of the same identity.
    let coordinator = user_id(app, "test.coordinator").await;
    for (issuer, subject, user, field) in [
        ("not a url", "x", coordinator.as_str(), "issuer"),
        (idp.issuer.as_str(), "", coordinator.as_str(), "subject"),
        (idp.issuer.as_str(), "y", "no-such-user", "user_id"),
        (
            idp.issuer.as_str(),
            SUBJECT,
            coordinator.as_str(),
            "subject",
        ),
    ] {
        let err = app
            .store
            .link_oidc(&nwd_store::testing::acting("test"), issuer, subject, user)
            .await;
        assert!(
            matches!(&err, Err(nwd_store::auth::AuthError::Invalid { field: f, .. }) if *f == field),
            "{field}: {err:?}"
        );
    }
}
on_both_backends!(
    wrong_state_and_unlinked_or_disabled_accounts_are_refused,
    oidc
);

/// Lockout applies to federated sign-in: an account locked by failed local sign-ins is refused
/// through its provider too (audited under the account, with the reason), until the lock ends.
async fn a_locked_account_is_refused_until_its_lock_ends(app: &TestApp, idp: &TestIdp) {
    // The provider's tokens follow the server's (moved) clock.
    let offset = |seconds: i64| {
        idp.behave(Behaviour {
            iat_in: seconds,
            exp_in: seconds + 300,
            ..Behaviour::default()
        })
    };
    for _ in 0..nwd_store::auth::MAX_FAILED_ATTEMPTS {
        let failed = app
            .store
            .sign_in(
                &nwd_store::testing::acting("tester"),
                "test.coordinator",
                "not the password",
                "000000",
                None,
            )
            .await;
        assert!(failed.is_err());
    }
    let (response, _, _) = round_trip(app, Tamper::Nothing).await;
    assert_refused(app, response, "locked").await;
    let username = scalar(
        app,
        "SELECT username FROM audit_log ORDER BY seq DESC LIMIT 1",
    )
    .await;
    assert_eq!(
        username, "test.coordinator",
        "the refusal names the account"
    );
    // Still locked a minute later.
    app.advance_clock(jiff::SignedDuration::from_mins(1));
    offset(60);
    let (response, _, _) = round_trip(app, Tamper::Nothing).await;
    assert_refused(app, response, "locked").await;
    // Once the lock has ended, the provider's sign-in works again.
    app.advance_clock(nwd_store::auth::LOCKOUT);
    offset(60 + nwd_store::auth::LOCKOUT.as_secs());
    let (response, _, _) = round_trip(app, Tamper::Nothing).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(set_cookie(&response, "__Host-nwd_session").is_some());
    assert_eq!(app.count("sessions").await, 1);
}
on_both_backends!(a_locked_account_is_refused_until_its_lock_ends, oidc);

async fn an_unknown_provider_is_not_found(app: &TestApp, _idp: &TestIdp) {
    let response = no_redirects()
        .get(format!("{}/staff/oidc/nobody", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let (route, outcome, why, _, _) = last_audit(app).await;
    assert_eq!(route, "GET /staff/oidc/{provider}");
    assert_eq!(outcome, "denied");
    assert!(why.contains("no provider"), "{why}");
}
on_both_backends!(an_unknown_provider_is_not_found, oidc);
