//! Sessions: secure cookies, rotated, ended at sign-out; no cookie change without its CSRF
//! token.

use jiff::SignedDuration;
use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{problem, TestApp};

use super::{body_for, ALPHA};

async fn sessions_are_secure_rotated_and_end_at_sign_out(app: &TestApp) {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "Gamma".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: "Gamma access".into(),
            team_kind: TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap();
    // A breached or short password is refused, with how to fix it; nothing is written.
    let users_before = app.count("users").await;
    for bad in ["short", "password"] {
        let err = app
            .store
            .create_user(
                NewUser {
                    username: "g.user".into(),
                    display_name: "G".into(),
                    organisation_id: org.clone(),
                    password: Some(bad.into()),
                    memberships: vec![(team.clone(), Role::Triage)],
                },
                "test",
            )
            .await;
        assert!(err.is_err(), "{bad} accepted");
    }
    assert_eq!(app.count("users").await, users_before);
    let password = "violet kettle harbour lantern";
    let created = app
        .store
        .create_user(
            NewUser {
                username: "g.user".into(),
                display_name: "G".into(),
                organisation_id: org,
                password: Some(password.into()),
                memberships: vec![(team, Role::Triage)],
            },
            "test",
        )
        .await
        .unwrap();
    let secret = created.totp_secret.unwrap();
    let code = || nwd_store::auth::totp_code(&secret, app.store.now()).unwrap();
    let sign_in = |code: String, password: &'static str| {
        app.public(Method::POST, "/api/session")
            .json(&json!({"username": "g.user", "password": password, "code": code}))
            .send()
    };
    // Wrong password and wrong code get the same generic answer.
    let wrong_password = problem(
        sign_in(code(), "not the password at all").await.unwrap(),
        401,
    )
    .await;
    let wrong_code = problem(sign_in("000000".into(), password).await.unwrap(), 401).await;
    assert_eq!(wrong_password["detail"], wrong_code["detail"]);
    // One code for the sign-in and its replay: a code computed later could fall in the next
    // 30-second step, which is a new code and rightly accepted.
    let used_code = code();
    let response = sign_in(used_code.clone(), password).await.unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for flag in [
        "__Host-nwd_session=",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
    ] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    let session: Value = response.json().await.unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    let value = cookie.split(';').next().unwrap().to_owned();
    assert!(
        value.len() >= "__Host-nwd_session=".len() + 32,
        "session id under 128 bits"
    );
    // The same TOTP code cannot be used twice.
    problem(sign_in(used_code, password).await.unwrap(), 401).await;
    let with_cookie =
        |method: Method, path: &str| app.public(method, path).header("cookie", value.clone());
    assert_eq!(
        with_cookie(Method::GET, "/api/session")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // A change with the cookie needs the CSRF token.
    let response = with_cookie(Method::POST, "/api/referrals")
        .json(&body_for(&ALPHA))
        .send()
        .await
        .unwrap();
    let refused = problem(response, 403).await;
    // Titled for what it is, not as a role refusal (issue 15).
    assert!(
        refused["title"].as_str().unwrap().contains("CSRF"),
        "{refused}"
    );
    assert_ne!(refused["title"], "Not allowed for your role");
    assert_eq!(app.count("referrals").await, 0);
    let response = with_cookie(Method::POST, "/api/referrals")
        .header("x-csrf-token", &csrf)
        .json(&body_for(&ALPHA))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    // Sign out ends the session on the server: replaying the cookie is refused.
    let response = with_cookie(Method::DELETE, "/api/session")
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        with_cookie(Method::GET, "/api/session")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // Idle timeout: a new session (new id) is refused after 31 idle minutes.
    app.advance_clock(SignedDuration::from_secs(31));
    let response = sign_in(code(), password).await.unwrap();
    let second = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(second, value, "the session id was not rotated");
    app.advance_clock(SignedDuration::from_mins(31));
    let response = app
        .public(Method::GET, "/api/session")
        .header("cookie", second)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // Five failures lock the account, even for the right password afterwards.
    for _ in 0..5 {
        problem(sign_in("000000".into(), password).await.unwrap(), 401).await;
    }
    app.advance_clock(SignedDuration::from_secs(31));
    problem(sign_in(code(), password).await.unwrap(), 401).await;
}
on_both_backends!(sessions_are_secure_rotated_and_end_at_sign_out, strict);

/// CSRF over the whole route inventory: with a valid session cookie but no CSRF token, every
/// signed-in change — API route or HTML form — answers 403 and writes nothing but the
/// audited denial.
async fn every_cookie_change_without_its_csrf_token_is_refused(app: &TestApp) {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "Delta".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: "Delta access".into(),
            team_kind: TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap();
    let password = "copper meadow lantern violin";
    let created = app
        .store
        .create_user(
            NewUser {
                username: "d.user".into(),
                display_name: "D".into(),
                organisation_id: org,
                password: Some(password.into()),
                memberships: vec![(team.clone(), Role::Triage), (team, Role::Administrator)],
            },
            "test",
        )
        .await
        .unwrap();
    let code = nwd_store::auth::totp_code(&created.totp_secret.unwrap(), app.store.now()).unwrap();
    let response = app
        .public(Method::POST, "/api/session")
        .json(&json!({"username": "d.user", "password": password, "code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let policies = nwd_web::secure_routes().into_parts().1;
    let changes: Vec<_> = policies
        .iter()
        .filter(|p| p.policy != nwd_domain::authz::Policy::Public)
        .filter(|p| !matches!(p.method.as_str(), "get" | "head" | "options"))
        .collect();
    assert!(changes.len() > 20, "the inventory has the changes");
    let events = app.count("referral_events").await;
    let referrals = app.count("referrals").await;
    for route in changes {
        let path = route
            .path
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{contact_id}", "x")
            .replace("{allocation_id}", "x")
            .replace("{decision_id}", "x")
            .replace("{token}", "x")
            .replace("{token_id}", "x");
        let method = Method::from_bytes(route.method.to_uppercase().as_bytes()).unwrap();
        let response = app
            .public(method, &path)
            .header("cookie", &cookie)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            403,
            "{} {} accepted a cookie change without the CSRF token",
            route.method,
            route.path
        );
    }
    assert_eq!(app.count("referral_events").await, events);
    assert_eq!(app.count("referrals").await, referrals);
}
on_both_backends!(
    every_cookie_change_without_its_csrf_token_is_refused,
    strict
);
