//! Account, role and token changes write what they should; bad input writes nothing.

use nwd_domain::authz::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{member, page, problem, staff_html as html, TestApp};

use super::{form, memberships, org_team};

async fn accounts_roles_and_tokens_change_as_asked_and_bad_input_writes_nothing(app: &TestApp) {
    let (org, team) = org_team(app, "Admin").await;
    let (admin_id, admin) = member(app, &org, &team, Role::Administrator, "the.admin").await;
    let (_, other_team) = org_team(app, "Second").await;

    // Bad input: every field named, linked from the summary, nothing written.
    let users = app.count("users").await;
    let members = memberships(app).await;
    let text = html(
        form(
            app,
            &admin,
            "/staff/admin/users",
            &[
                ("username", "bad name!"),
                ("display_name", " "),
                ("team_id", "nope"),
                ("role", "parent_carer"),
                ("password", ""),
            ],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    for field in ["display_name", "team_id", "role", "password"] {
        assert!(
            text.contains(&format!("href=\"#{field}\"")),
            "no summary link to {field}"
        );
    }
    // A breached password is refused by the store's rules, named against the field.
    let text = html(
        form(
            app,
            &admin,
            "/staff/admin/users",
            &[
                ("username", "new.person"),
                ("display_name", "New Person"),
                ("team_id", &team),
                ("role", "clinician"),
                ("password", "password"),
            ],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(text.contains("href=\"#password\""));
    assert!(
        !text.contains("value=\"password\""),
        "the password is never echoed"
    );
    assert_eq!(app.count("users").await, users);
    assert_eq!(memberships(app).await, members);

    // Created: post/redirect/get to the account's set-up page, which shows the authenticator's
    // QR code (an SVG drawn on the server) and its key until the account first signs in.
    let response = form(
        app,
        &admin,
        "/staff/admin/users",
        &[
            ("username", "New.Person"),
            ("display_name", "New Person"),
            ("team_id", &team),
            ("role", "privacy_officer"),
            ("password", "violet kettle harbour lantern"),
        ],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let id = app
        .store
        .user_id_by_username("new.person")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        location,
        format!("/staff/admin/users/{id}/set-up?created=1")
    );
    let text = html(
        page(app, &admin, Method::GET, &location)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(text.contains("Account created"));
    assert!(text.contains("<svg role=\"img\""), "no QR code: {text}");
    assert!(text.contains("id=\"totp-secret\""));
    let user = app.store.user(&id).await.unwrap();
    assert_eq!(user.memberships.len(), 1);
    assert_eq!(user.memberships[0].role, Role::PrivacyOfficer);
    let list = html(
        page(app, &admin, Method::GET, "/staff/admin/users")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(list.contains("new.person") && list.contains("Not yet enrolled"));
    // The same username again is refused.
    let response = app
        .as_token(&admin, Method::POST, "/api/admin/users")
        .json(&json!({"username": "new.person", "display_name": "N", "team_id": team, "role": "triage", "password": "copper meadow lantern violin"}))
        .send()
        .await
        .unwrap();
    let body = problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "username");

    // Roles: added, a duplicate refused, removed; the last cannot be removed.
    let user_page = format!("/staff/admin/users/{id}");
    let add = format!("{user_page}/memberships");
    let response = form(
        app,
        &admin,
        &add,
        &[("team_id", &other_team), ("role", "commissioner")],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(app.store.user(&id).await.unwrap().memberships.len(), 2);
    let text = html(
        form(
            app,
            &admin,
            &add,
            &[("team_id", &other_team), ("role", "commissioner")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(text.contains("href=\"#role\""));
    html(
        form(
            app,
            &admin,
            &add,
            &[("team_id", "no-such-team"), ("role", "clinician")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert_eq!(app.store.user(&id).await.unwrap().memberships.len(), 2);
    let remove = format!("{user_page}/memberships/remove");
    let response = form(
        app,
        &admin,
        &remove,
        &[
            ("team_id", &other_team),
            ("role", "commissioner"),
            ("confirmed", "yes"),
        ],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    html(
        form(
            app,
            &admin,
            &remove,
            &[
                ("team_id", &team),
                ("role", "privacy_officer"),
                ("confirmed", "yes"),
            ],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert_eq!(app.store.user(&id).await.unwrap().memberships.len(), 1);

    // Tokens: created by their holder only — never for someone else's account (403, nothing
    // written); on one's own page shown once, working, limited, revocable.
    let tokens = app.count("api_tokens").await;
    html(
        form(
            app,
            &admin,
            &format!("{user_page}/tokens"),
            &[
                ("token_name", "School system"),
                ("scopes", "search_referrals"),
            ],
        )
        .send()
        .await
        .unwrap(),
        403,
    )
    .await;
    assert_eq!(app.count("api_tokens").await, tokens);
    let user_page = format!("/staff/admin/users/{admin_id}");
    html(
        form(
            app,
            &admin,
            &format!("{user_page}/tokens"),
            &[("token_name", "School system")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert_eq!(app.count("api_tokens").await, tokens);
    let text = html(
        form(
            app,
            &admin,
            &format!("{user_page}/tokens"),
            &[("token_name", "School system"), ("scopes", "manage_users")],
        )
        .send()
        .await
        .unwrap(),
        201,
    )
    .await;
    let start = text.find("id=\"token\">").unwrap() + "id=\"token\">".len();
    let token = text[start..].split('<').next().unwrap().to_owned();
    assert!(token.starts_with("nwd_"));
    assert_eq!(
        app.as_token(&token, Method::GET, "/api/admin/users")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Limited to its scope: the administrator's role would allow the directory, the token
    // does not.
    assert_eq!(
        app.as_token(&token, Method::POST, "/api/organisations")
            .json(&json!({"name": "Scoped out", "kind": "nhs_trust"}))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let again = html(
        page(app, &admin, Method::GET, &user_page)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(!again.contains(&token), "the token is shown only once");
    let detail: Value = app
        .as_token(&admin, Method::GET, &format!("/api/admin/users/{admin_id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token_id = detail["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "School system")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = form(
        app,
        &admin,
        &format!("{user_page}/tokens/revoke"),
        &[("token", &token_id), ("confirmed", "yes")],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        app.as_token(&token, Method::GET, "/api/admin/users")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // The same through the API: a token for an unknown scope is refused.
    let response = app
        .as_token(
            &admin,
            Method::POST,
            &format!("/api/admin/users/{admin_id}/tokens"),
        )
        .json(&json!({"name": "x", "scopes": ["everything"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        crate::support::fields(&problem(response, 422).await),
        vec!["scopes"]
    );
}
on_both_backends!(accounts_roles_and_tokens_change_as_asked_and_bad_input_writes_nothing);
