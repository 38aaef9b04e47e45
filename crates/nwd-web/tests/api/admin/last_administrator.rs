//! The last administrator cannot lose the administrator role (issue 17): taking it away from
//! the page or the API, or disabling the account, is refused while no other live account
//! holds it — the refusal shown on the page and in the API's problem — and allowed once
//! another does.

use nwd_domain::authz::Role;
use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{html, member, problem, TestApp};

use super::{form, org_team};

/// The roles an account holds, sorted.
async fn roles(app: &TestApp, id: &str) -> Vec<Role> {
    let mut roles: Vec<Role> = app
        .store
        .user(id)
        .await
        .unwrap()
        .memberships
        .iter()
        .map(|m| m.role)
        .collect();
    roles.sort();
    roles
}

async fn the_last_administrator_cannot_lose_the_role(app: &TestApp) {
    // The coordinator (triage and administrator) is the only administrator.
    let me: serde_json::Value = app
        .staff(Method::GET, "/api/session")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let coordinator = me["principal"]["user_id"].as_str().unwrap().to_owned();
    let admin_team = me["principal"]["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "administrator")
        .unwrap()["team_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = roles(app, &coordinator).await;
    assert!(before.contains(&Role::Administrator));
    let change = json!({"team_id": admin_team, "role": "administrator"});
    let api = format!("/api/admin/users/{coordinator}/memberships/remove");
    // The API refuses, naming why.
    let refused = problem(
        app.staff(Method::POST, &api)
            .json(&change)
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert!(
        refused.to_string().contains("last administrator"),
        "{refused}"
    );
    // So does the page, with the message on it.
    let token = app.coordinator_token.clone();
    let text = html(
        form(
            app,
            &token,
            &format!("/staff/admin/users/{coordinator}/memberships/remove"),
            &[
                ("team_id", &admin_team),
                ("role", "administrator"),
                ("confirmed", "yes"),
            ],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(text.contains("last administrator"), "{text}");
    // And disabling the last administrator (here by an operator at the command line) too.
    let operator = nwd_store::audit::AuditContext::operator("tester", "cli users disable", "user");
    let disabled = app.store.disable_user(&operator, &coordinator).await;
    assert!(
        disabled
            .as_ref()
            .is_err_and(|e| e.to_string().contains("last administrator")),
        "{disabled:?}"
    );
    assert!(app
        .store
        .user(&coordinator)
        .await
        .unwrap()
        .disabled_at
        .is_none());
    assert_eq!(roles(app, &coordinator).await, before);

    // With a second administrator, the coordinator's role can go — and then the second is
    // the last one.
    let (org, team) = org_team(app, "Second admin").await;
    let (second, second_token) = member(app, &org, &team, Role::Administrator, "a.second").await;
    // (with a second role, so that the administrator role is not its only one)
    let response = app
        .staff(
            Method::POST,
            &format!("/api/admin/users/{second}/memberships"),
        )
        .json(&json!({"team_id": team, "role": "commissioner"}))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{:?}",
        response.text().await
    );
    let response = app
        .staff(Method::POST, &api)
        .json(&change)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(!roles(app, &coordinator)
        .await
        .contains(&Role::Administrator));
    let refused = problem(
        app.as_token(
            &second_token,
            Method::POST,
            &format!("/api/admin/users/{second}/memberships/remove"),
        )
        .json(&json!({"team_id": team, "role": "administrator"}))
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(
        refused.to_string().contains("last administrator"),
        "{refused}"
    );
    let disabled = app.store.disable_user(&operator, &second).await;
    assert!(disabled.is_err(), "the last administrator was disabled");
    assert_eq!(
        roles(app, &second).await,
        vec![Role::Administrator, Role::Commissioner]
    );
}
on_both_backends!(the_last_administrator_cannot_lose_the_role);
