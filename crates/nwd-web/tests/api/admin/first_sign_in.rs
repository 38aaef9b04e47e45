//! A real install's first sign-in (issue 17): an account an administrator made with an
//! initial password can do nothing but choose its own password (pages go to the change page,
//! the API answers 403 saying why); the change checks the current password, the rules and the
//! repeat, writing nothing when one fails; after it the account works, the initial password
//! no longer signs in, its other sessions have ended, and the change is audited. The set-up
//! page's QR code stops showing once the authenticator has been used.

use nwd_domain::authz::Role;
use reqwest::{Method, RequestBuilder};
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{member, no_redirects, page, problem, signed_in, staff_html as html, TestApp};

use super::org_team;

const INITIAL: &str = "violet kettle harbour lantern";
const CHOSEN: &str = "copper meadow lantern violin";

fn with_cookie(app: &TestApp, cookie: &str, method: Method, path: &str) -> RequestBuilder {
    no_redirects()
        .request(method, format!("{}{path}", app.base))
        .header("cookie", cookie)
}

fn change_form(
    app: &TestApp,
    cookie: &str,
    csrf: &str,
    current: &str,
    new: &str,
    again: &str,
) -> RequestBuilder {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("current_password", current),
            ("new_password", new),
            ("confirm_password", again),
        ])
        .finish();
    with_cookie(
        app,
        cookie,
        Method::POST,
        &format!("/staff/change-password?csrf={csrf}"),
    )
    .header("content-type", "application/x-www-form-urlencoded")
    .body(body)
}

async fn must_change(app: &TestApp, id: &str) -> i64 {
    i64::from(app.store.user(id).await.unwrap().must_change_password)
}

async fn an_initial_password_must_be_changed_before_anything_else(app: &TestApp) {
    let (org, team) = org_team(app, "Admin").await;
    let (_, admin) = member(app, &org, &team, Role::Administrator, "the.admin").await;
    let response = app
        .as_token(&admin, Method::POST, "/api/admin/users")
        .json(
            &json!({"username": "first.timer", "display_name": "First Timer", "team_id": team,
            "role": "privacy_officer", "password": INITIAL}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let secret = created["totp_secret"].as_str().unwrap().to_owned();
    assert_eq!(must_change(app, &id).await, 1);

    // The set-up page shows the QR code until the authenticator is first used.
    let set_up = format!("/staff/admin/users/{id}/set-up");
    let text = html(
        page(app, &admin, Method::GET, &set_up)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(text.contains("<svg role=\"img\""));

    let (cookie, csrf) = signed_in(app, "first.timer", INITIAL, &secret).await;
    let text = html(
        page(app, &admin, Method::GET, &set_up)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        !text.contains("id=\"totp-qr\"") && text.contains("id=\"set-up-done\""),
        "{text}"
    );

    // Every page that needs a permission goes to the change page; the API says why.
    let response = with_cookie(app, &cookie, Method::GET, "/staff/privacy")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/staff/change-password");
    let body = problem(
        with_cookie(
            app,
            &cookie,
            Method::GET,
            "/api/privacy/safeguarding-overrides",
        )
        .send()
        .await
        .unwrap(),
        403,
    )
    .await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("initial password"),
        "{body}"
    );
    // Who am I, and the change page itself, stay open.
    assert_eq!(
        with_cookie(app, &cookie, Method::GET, "/api/session")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let text = html(
        with_cookie(app, &cookie, Method::GET, "/staff/change-password")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(text.contains("Choose your own password"));

    // A second session, opened before the change, ends with it.
    app.advance_clock(jiff::SignedDuration::from_secs(31));
    let (other_cookie, _) = signed_in(app, "first.timer", INITIAL, &secret).await;

    // Wrong current password, a mismatched repeat, the same password, a weak one: each named,
    // nothing changed.
    for (current, new, again, field) in [
        ("not my password at all", CHOSEN, CHOSEN, "current_password"),
        (
            INITIAL,
            CHOSEN,
            "copper meadow lantern violim",
            "confirm_password",
        ),
        (INITIAL, INITIAL, INITIAL, "new_password"),
        (INITIAL, "password", "password", "new_password"),
    ] {
        let text = html(
            change_form(app, &cookie, &csrf, current, new, again)
                .send()
                .await
                .unwrap(),
            422,
        )
        .await;
        assert!(
            text.contains(&format!("href=\"#{field}\"")),
            "{field}: {text}"
        );
        assert_eq!(must_change(app, &id).await, 1, "{field}");
    }
    // Without the session's CSRF token the change is refused.
    let refused = change_form(app, &cookie, "wrong", INITIAL, CHOSEN, CHOSEN)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(must_change(app, &id).await, 1);

    // Changed: to the home page; the pages open; the other session has ended.
    let response = change_form(app, &cookie, &csrf, INITIAL, CHOSEN, CHOSEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(must_change(app, &id).await, 0);
    assert_eq!(
        with_cookie(app, &cookie, Method::GET, "/staff/privacy")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        with_cookie(app, &other_cookie, Method::GET, "/api/session")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // The initial password signs in no more; the chosen one does.
    app.advance_clock(jiff::SignedDuration::from_secs(31));
    let code = nwd_store::auth::totp_code(&secret, app.store.now()).unwrap();
    let response = app
        .public(Method::POST, "/api/session")
        .json(&json!({"username": "first.timer", "password": INITIAL, "code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    app.advance_clock(jiff::SignedDuration::from_secs(31));
    signed_in(app, "first.timer", CHOSEN, &secret).await;

    // Audited as the holder's own change.
    let trail = app.store.audit_for_user(&id).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| e.entry.route == "POST /staff/change-password"
            && e.entry.outcome == "allowed"
            && e.entry
                .detail
                .as_deref()
                .is_some_and(|d| d.contains("password changed by its holder"))));
}
on_both_backends!(an_initial_password_must_be_changed_before_anything_else);

async fn the_api_changes_a_password_too_and_accounts_made_for_oneself_need_no_change(
    app: &TestApp,
) {
    let (org, team) = org_team(app, "Admin").await;
    let (_, admin) = member(app, &org, &team, Role::Administrator, "the.admin").await;
    let response = app
        .as_token(&admin, Method::POST, "/api/admin/users")
        .json(
            &json!({"username": "api.person", "display_name": "Api Person", "team_id": team,
            "role": "privacy_officer", "password": INITIAL}),
        )
        .send()
        .await
        .unwrap();
    let created: Value = response.json().await.unwrap();
    let secret = created["totp_secret"].as_str().unwrap().to_owned();
    let (cookie, csrf) = signed_in(app, "api.person", INITIAL, &secret).await;
    let body = problem(
        with_cookie(app, &cookie, Method::POST, "/api/session/password")
            .header("x-csrf-token", &csrf)
            .json(&json!({"current_password": INITIAL, "new_password": "short", "confirm_password": "short"}))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "new_password");
    let response = with_cookie(app, &cookie, Method::POST, "/api/session/password")
        .header("x-csrf-token", &csrf)
        .json(&json!({"current_password": INITIAL, "new_password": CHOSEN, "confirm_password": CHOSEN}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        with_cookie(
            app,
            &cookie,
            Method::GET,
            "/api/privacy/safeguarding-overrides"
        )
        .send()
        .await
        .unwrap()
        .status(),
        200
    );
    // The test kit's accounts (like the first administrator's and the demo's) chose their own.
    let admin_id = app
        .store
        .user_id_by_username("the.admin")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(must_change(app, &admin_id).await, 0);
}
on_both_backends!(the_api_changes_a_password_too_and_accounts_made_for_oneself_need_no_change);
