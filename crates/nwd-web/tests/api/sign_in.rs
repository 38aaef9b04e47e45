//! Sign-in protections hold under concurrency, on both databases: parallel wrong passwords
//! each count towards the lockout, and one TOTP code signs in once however many requests
//! carry it at the same moment (issue 15).

use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::TestApp;

const PASSWORD: &str = "violet kettle harbour lantern";

/// An account with a password and a second factor; returns its TOTP secret.
async fn account(app: &TestApp, username: &str) -> String {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: format!("{username} organisation"),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: format!("{username} team"),
            team_kind: TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap();
    app.store
        .create_user(
            NewUser {
                username: username.into(),
                display_name: "Synthetic Signer".into(),
                organisation_id: org,
                password: Some(PASSWORD.into()),
                memberships: vec![(team, Role::Triage)],
            },
            "test",
        )
        .await
        .unwrap()
        .totp_secret
        .unwrap()
}

async fn sign_in(app: &TestApp, username: &str, password: String, code: &str) -> u16 {
    app.public(Method::POST, "/api/session")
        .json(&json!({"username": username, "password": password, "code": code}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn parallel_wrong_passwords_each_count_towards_the_lockout(app: &TestApp) {
    let secret = account(app, "s.parallel").await;
    let code = nwd_store::auth::totp_code(&secret, app.store.now()).unwrap();
    // 12 at once (the anonymous allowance per address is 20 per 10 minutes).
    let answers = futures::future::join_all(
        (0..12).map(|i| sign_in(app, "s.parallel", format!("wrong password {i}"), &code)),
    )
    .await;
    assert!(answers.iter().all(|s| *s == 401), "{answers:?}");
    // The account is locked: the right password and a fresh code are refused too.
    app.advance_clock(jiff::SignedDuration::from_secs(31));
    let code = nwd_store::auth::totp_code(&secret, app.store.now()).unwrap();
    assert_eq!(
        sign_in(app, "s.parallel", PASSWORD.into(), &code).await,
        401
    );
}
on_both_backends!(
    parallel_wrong_passwords_each_count_towards_the_lockout,
    strict
);

async fn one_totp_code_signs_in_once_however_many_requests_carry_it(app: &TestApp) {
    let secret = account(app, "s.replay").await;
    let code = nwd_store::auth::totp_code(&secret, app.store.now()).unwrap();
    let answers = futures::future::join_all(
        (0..10).map(|_| sign_in(app, "s.replay", PASSWORD.into(), &code)),
    )
    .await;
    assert_eq!(
        answers.iter().filter(|s| **s == 200).count(),
        1,
        "one code, one session: {answers:?}"
    );
    assert!(
        answers.iter().all(|s| *s == 200 || *s == 401),
        "{answers:?}"
    );
}
on_both_backends!(
    one_totp_code_signs_in_once_however_many_requests_carry_it,
    strict
);
