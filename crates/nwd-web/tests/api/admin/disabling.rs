//! Disabling an account ends its session at once.

use nwd_domain::authz::Role;
use nwd_store::auth::NewUser;
use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{all_scopes, member, page, problem, staff_html as html, TestApp};

use super::org_team;

async fn disabling_an_account_ends_its_session_at_once(app: &TestApp) {
    let (org, team) = org_team(app, "Disable").await;
    let (admin_id, admin) = member(app, &org, &team, Role::Administrator, "d.admin").await;
    let password = "amber thistle compass orchard";
    let created = app
        .store
        .create_user(
            NewUser {
                username: "d.staff".into(),
                display_name: "D Staff".into(),
                organisation_id: org.clone(),
                password: Some(password.into()),
                memberships: vec![(team.clone(), Role::Commissioner)],
            },
            "test",
        )
        .await
        .unwrap();
    let code = nwd_store::auth::totp_code(&created.totp_secret.unwrap(), app.store.now()).unwrap();
    let response = app
        .public(Method::POST, "/api/session")
        .json(&json!({"username": "d.staff", "password": password, "code": code}))
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
    let token = app
        .store
        .create_api_token(&created.id, "t", &all_scopes())
        .await
        .unwrap()
        .1;
    let session = || {
        app.public(Method::GET, "/api/session")
            .header("cookie", cookie.clone())
            .send()
    };
    assert_eq!(session().await.unwrap().status(), 200);
    // The administrator cannot disable their own account.
    html(
        page(
            app,
            &admin,
            Method::POST,
            &format!("/staff/admin/users/{admin_id}/disable"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body("confirmed=yes")
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(app
        .store
        .user(&admin_id)
        .await
        .unwrap()
        .disabled_at
        .is_none());
    // Disabled from the page, after "Are you sure?" (which alone changes nothing): the
    // session and the token stop working at once.
    let path = format!("/staff/admin/users/{}/disable", created.id);
    let response = page(app, &admin, Method::POST, &path).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], path.as_str());
    let question = html(
        page(app, &admin, Method::GET, &path).send().await.unwrap(),
        200,
    )
    .await;
    assert!(question.contains("Yes, disable the account"), "{question}");
    assert!(question.contains("name=\"confirmed\" value=\"yes\""));
    assert_eq!(session().await.unwrap().status(), 200);
    let response = page(
        app,
        &admin,
        Method::POST,
        &format!("/staff/admin/users/{}/disable", created.id),
    )
    .header("content-type", "application/x-www-form-urlencoded")
    .body("confirmed=yes")
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(session().await.unwrap().status(), 401);
    assert_eq!(
        app.as_token(&token, Method::GET, "/api/session")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let text = html(
        page(
            app,
            &admin,
            Method::GET,
            &format!("/staff/admin/users/{}", created.id),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(text.contains("Disabled"));
    // Audited against the account.
    let trail = app.store.audit_for_user(&admin_id).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| e.entry.route == "POST /staff/admin/users/{id}/disable"
            && e.entry.record_id.as_deref() == Some(created.id.as_str())
            && e.entry.outcome == "allowed"));
    // Unknown account: 404, nothing written.
    let response = app
        .as_token(
            &admin,
            Method::POST,
            "/api/admin/users/00000000-0000-0000-0000-000000000000/disable",
        )
        .send()
        .await
        .unwrap();
    problem(response, 404).await;
}
on_both_backends!(disabling_an_account_ends_its_session_at_once);
