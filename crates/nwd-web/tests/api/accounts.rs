//! Who may change accounts, and what the audit trail says about it (issue 15, High 3): an
//! administrator cannot mint a token to act as someone else, a clinical role waits for a
//! second administrator (never the one who asked, nor its owner), and every membership and
//! token change records who, whom, which team, role and scopes. Both databases.

use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{all_scopes, TestApp};

/// An account with one role in `team`; returns (user id, its own API token).
async fn account(
    app: &TestApp,
    org: &str,
    team: &str,
    role: Role,
    username: &str,
) -> (String, String) {
    let user = app
        .store
        .create_user(
            NewUser {
                username: username.into(),
                display_name: username.into(),
                organisation_id: org.into(),
                password: None,
                memberships: vec![(team.into(), role)],
            },
            "test",
        )
        .await
        .unwrap();
    let token = app
        .store
        .create_api_token(&user.id, "own", &all_scopes())
        .await
        .unwrap()
        .1;
    (user.id, token)
}

/// The detail of the newest audit entry with this record.
async fn detail_of(app: &TestApp, user: &str, record_id: &str) -> String {
    app.store
        .audit_for_user(user)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .find(|e| e.entry.record_id.as_deref() == Some(record_id) && e.entry.outcome == "allowed")
        .and_then(|e| e.entry.detail)
        .unwrap_or_default()
}

async fn status(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let response = app
        .as_token(token, method, path)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn an_administrator_cannot_act_as_a_clinician(app: &TestApp) {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "Synthetic Trust".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: "Access team".into(),
            team_kind: TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap();
    let (admin_id, admin) = account(app, &org, &team, Role::Administrator, "a.admin").await;
    let (second_id, second) = account(app, &org, &team, Role::Administrator, "b.admin").await;
    let (triage_id, triage) = account(app, &org, &team, Role::Triage, "t.triage").await;
    app.school_referral(None, "routine").await;

    // No token for someone else: 403, nothing written.
    let tokens = app.count("api_tokens").await;
    let (code, body) = status(
        app,
        &admin,
        Method::POST,
        &format!("/api/admin/users/{triage_id}/tokens"),
        json!({"name": "as the clinician", "scopes": ["read_clinical", "search_referrals"]}),
    )
    .await;
    assert_eq!(code, 403, "{body}");
    assert_eq!(app.count("api_tokens").await, tokens);

    // A holder creates their own; the audit entry names the token, holder, scopes and creator.
    let (code, body) = status(
        app,
        &triage,
        Method::POST,
        "/api/account/tokens",
        json!({"name": "my script", "scopes": ["search_referrals"]}),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    let token_id = body["id"].as_str().unwrap();
    let detail = detail_of(app, &triage_id, token_id).await;
    assert!(
        detail.contains(&format!("for user:{triage_id}"))
            && detail.contains("scopes:search_referrals")
            && detail.contains(&format!("by:user:{triage_id}")),
        "{detail}"
    );
    // A token cannot be widened beyond the token that asks for it.
    let limited = body["token"].as_str().unwrap().to_owned();
    let (code, _) = status(
        app,
        &limited,
        Method::POST,
        "/api/account/tokens",
        json!({"name": "wider", "scopes": ["read_clinical"]}),
    )
    .await;
    assert_eq!(code, 422);
    // The administrator's own token, on their own account, is fine and audited the same way.
    let (code, body) = status(
        app,
        &admin,
        Method::POST,
        &format!("/api/admin/users/{admin_id}/tokens"),
        json!({"name": "directory sync", "scopes": ["manage_directory"]}),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    let detail = detail_of(app, &admin_id, body["id"].as_str().unwrap()).await;
    assert!(detail.contains(&format!("for user:{admin_id}")), "{detail}");

    // The administrator gives themselves the triage role: it waits, and opens nothing yet.
    let (code, body) = status(
        app,
        &admin,
        Method::POST,
        &format!("/api/admin/users/{admin_id}/memberships"),
        json!({"team_id": team, "role": "triage"}),
    )
    .await;
    assert_eq!(code, 202, "{body}");
    assert_eq!(body["state"], "pending");
    let grant = body["grant_id"].as_str().unwrap().to_owned();
    let detail = detail_of(app, &admin_id, &admin_id).await;
    assert!(
        detail.contains(&format!(
            "user:{admin_id} (a.admin) team:{team} role:triage by:user:{admin_id}"
        )) && detail.contains(&format!("role_grant:{grant}")),
        "{detail}"
    );
    let (code, _) = status(app, &admin, Method::GET, "/api/referrals", Value::Null).await;
    assert_eq!(code, 403, "a waiting role opens nothing");
    // Not by the administrator who asked (nor, below, by the account that gains it).
    let approve = format!("/api/admin/role-grants/{grant}/approve");
    let (code, _) = status(app, &admin, Method::POST, &approve, Value::Null).await;
    assert_eq!(code, 403);
    // Another administrator approves: it takes effect, audited with both.
    let (code, body) = status(app, &second, Method::POST, &approve, Value::Null).await;
    assert_eq!(code, 204, "{body}");
    let (code, _) = status(app, &admin, Method::GET, "/api/referrals", Value::Null).await;
    assert_eq!(code, 200);
    let detail = detail_of(app, &second_id, &grant).await;
    assert!(
        detail.contains("role approved")
            && detail.contains(&format!("requested_by:user:{admin_id}"))
            && detail.contains(&format!("decided_by:user:{second_id}")),
        "{detail}"
    );
    // Decided once.
    let (code, _) = status(app, &second, Method::POST, &approve, Value::Null).await;
    assert_eq!(code, 404);

    // A second administrator asks for a clinical role for the first: the first (its owner)
    // cannot approve it either; it can be refused.
    let (code, body) = status(
        app,
        &second,
        Method::POST,
        &format!("/api/admin/users/{admin_id}/memberships"),
        json!({"team_id": team, "role": "team_manager"}),
    )
    .await;
    assert_eq!(code, 202, "{body}");
    let grant = body["grant_id"].as_str().unwrap().to_owned();
    let (code, _) = status(
        app,
        &admin,
        Method::POST,
        &format!("/api/admin/role-grants/{grant}/approve"),
        Value::Null,
    )
    .await;
    assert_eq!(
        code, 403,
        "the account that gains the role cannot approve it"
    );
    let (code, _) = status(
        app,
        &triage,
        Method::POST,
        &format!("/api/admin/role-grants/{grant}/refuse"),
        Value::Null,
    )
    .await;
    assert_eq!(code, 403, "only administrators decide");

    // A new account with a clinical role: created, its role waiting.
    let (code, body) = status(
        app,
        &admin,
        Method::POST,
        "/api/admin/users",
        json!({"username": "c.new", "display_name": "C New", "team_id": team, "role": "clinician",
               "password": "violet kettle harbour lantern"}),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["pending_role_grants"].as_array().unwrap().len(), 1);
    let new_id = body["id"].as_str().unwrap();
    assert!(app.store.user(new_id).await.unwrap().memberships.is_empty());
    let detail = detail_of(app, &admin_id, new_id).await;
    assert!(
        detail.contains("account created") && detail.contains("role:clinician pending"),
        "{detail}"
    );
    let waiting: Value = app
        .as_token(&second, Method::GET, "/api/admin/role-grants")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(waiting.as_array().unwrap().len(), 2, "{waiting}");

    // A role that opens no records takes effect at once, and taking one away is audited too.
    let (code, _) = status(
        app,
        &admin,
        Method::POST,
        &format!("/api/admin/users/{triage_id}/memberships"),
        json!({"team_id": team, "role": "commissioner"}),
    )
    .await;
    assert_eq!(code, 204);
    let (code, _) = status(
        app,
        &admin,
        Method::POST,
        &format!("/api/admin/users/{triage_id}/memberships/remove"),
        json!({"team_id": team, "role": "commissioner"}),
    )
    .await;
    assert_eq!(code, 204);
    let detail = detail_of(app, &admin_id, &triage_id).await;
    assert!(
        detail.contains(&format!(
            "role taken away: user:{triage_id} (t.triage) team:{team} role:commissioner"
        )),
        "{detail}"
    );
    // Revoking a token names it and its holder.
    let (code, _) = status(
        app,
        &admin,
        Method::POST,
        &format!("/api/admin/users/{triage_id}/tokens/{token_id}/revoke"),
        Value::Null,
    )
    .await;
    assert_eq!(code, 204);
    let detail = detail_of(app, &admin_id, token_id).await;
    assert!(
        detail.contains(&format!("token:{token_id} of user:{triage_id}")),
        "{detail}"
    );
}
on_both_backends!(an_administrator_cannot_act_as_a_clinician, strict);
