//! One-click demonstration sign-in (issue 17), through the real server on both databases: a
//! real install neither shows it nor accepts it, and cannot be made a demonstration one; a
//! database made by the demo signs in every demo role into a session that opens that role's
//! pages (and not another role's), each sign-in audited as a demo sign-in; the form is bound
//! to the browser shown it.

use nwd_domain::authz::Role;
use reqwest::{Method, Response};

use crate::on_both_backends;
use crate::support::{no_redirects, TestApp};

const DEMO_COOKIE: &str = "__Host-nwd_demo";

/// The sign-in page: its body and the demonstration form token's cookie, if it set one.
async fn sign_in_page(app: &TestApp) -> (String, Option<String>) {
    let response = app
        .public(Method::GET, "/staff/sign-in")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{DEMO_COOKIE}=")))
        .map(|v| v.split(';').next().unwrap().to_owned());
    (response.text().await.unwrap(), cookie)
}

/// The `csrf` value of the page's demonstration forms.
fn form_token(page: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).expect("a demonstration form") + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

async fn demo_post(app: &TestApp, role: &str, csrf: &str, cookie: Option<&str>) -> Response {
    let mut request = no_redirects()
        .request(Method::POST, format!("{}/staff/sign-in/demo", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("role={role}&csrf={csrf}"));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap()
}

fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-nwd_session=") && !v.contains("Max-Age=0"))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

/// How many demo sign-ins the audit trail records as refused for `why`.
async fn denied_demo_sign_ins(app: &TestApp, why: &str) -> i64 {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_log WHERE route = $1 AND outcome = 'denied' \
         AND action = 'sign_in' AND why LIKE $2",
    )
    .bind("POST /staff/sign-in/demo")
    .bind(format!("%{why}%"))
    .fetch_one(&mut conn)
    .await
    .unwrap()
    .try_get("n")
    .unwrap();
    conn.close().await.unwrap();
    n
}

async fn a_real_install_neither_shows_nor_accepts_demo_sign_in(app: &TestApp) {
    // A real install: its first account was made the ordinary way, not by the demo.
    assert!(!app.store.is_demo().await.unwrap());
    let (page, cookie) = sign_in_page(app).await;
    assert!(page.contains("Sign in"), "the sign-in page itself");
    assert!(!page.contains("Demonstration only"), "demo section shown");
    assert!(!page.contains("/staff/sign-in/demo"), "demo form shown");
    assert!(!page.contains("Sign in as a demo"), "demo button shown");
    assert!(cookie.is_none(), "demo form token set on a real install");
    // The route refuses, even with a form and cookie that match, and writes no session.
    let sessions = app.count("sessions").await;
    for role in ["triage", "administrator", "commissioner", "nonsense"] {
        let response = demo_post(app, role, "abc", Some(&format!("{DEMO_COOKIE}=abc"))).await;
        assert_eq!(response.status(), 404, "{role}");
        assert!(
            session_cookie(&response).is_none(),
            "{role}: a session cookie"
        );
    }
    assert_eq!(app.count("sessions").await, sessions);
    // The refusals are audited.
    assert_eq!(
        denied_demo_sign_ins(app, "not a demonstration database").await,
        4
    );
    // And loading the demo's staff into it is refused: it never becomes a demonstration one.
    let refused = app
        .store
        .create_demo_staff(
            &nwd_store::audit::AuditContext::operator("tester", "cli demo", "demo"),
            &[],
        )
        .await;
    assert!(
        matches!(refused, Err(nwd_store::demo::DemoError::AccountsExist)),
        "{refused:?}"
    );
    assert!(!app.store.is_demo().await.unwrap());
    let (page, _) = sign_in_page(app).await;
    assert!(!page.contains("Demonstration only"));
}
on_both_backends!(
    a_real_install_neither_shows_nor_accepts_demo_sign_in,
    strict
);

async fn a_demo_database_signs_in_every_role_with_one_click_audited(app: &TestApp) {
    assert!(app.store.is_demo().await.unwrap());
    let (page, cookie) = sign_in_page(app).await;
    assert!(page.contains("Demonstration only"));
    let cookie = cookie.expect("the demonstration form token's cookie");
    let csrf = form_token(&page);
    assert_eq!(cookie, format!("{DEMO_COOKIE}={csrf}"));
    // For each role: its button, a session, a page that role may open — and, for a role
    // that may not, a refusal of another role's page.
    let roles = [
        (
            Role::Triage,
            "triage clinician",
            "/staff/triage",
            Some("/staff/admin/users"),
        ),
        (
            Role::Clinician,
            "service clinician",
            "/staff/services/",
            Some("/staff/admin/users"),
        ),
        (
            Role::TeamManager,
            "team manager",
            "/staff/services/",
            Some("/staff/privacy"),
        ),
        (
            Role::Commissioner,
            "commissioner",
            "/commissioning",
            Some("/staff/triage"),
        ),
        (
            Role::Administrator,
            "administrator",
            "/staff/admin/users",
            Some("/staff/triage"),
        ),
        (
            Role::PrivacyOfficer,
            "privacy officer",
            "/staff/privacy",
            Some("/commissioning"),
        ),
        (
            Role::ExternalReferrer,
            "external referrer",
            "/staff/referrals-sent",
            Some("/staff/triage"),
        ),
    ];
    for (role, label, home, forbidden) in roles {
        assert!(
            page.contains(&format!("Sign in as a demo {label}")),
            "no button for {label}"
        );
        assert!(page.contains(&format!("value=\"{}\"", role.as_str())));
        let response = demo_post(app, role.as_str(), &csrf, Some(&cookie)).await;
        assert_eq!(response.status(), 303, "{label}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with(home), "{label} went to {location}");
        let session = session_cookie(&response).expect("a session cookie");
        let opened = no_redirects()
            .get(format!("{}{location}", app.base))
            .header("cookie", &session)
            .send()
            .await
            .unwrap();
        assert_eq!(opened.status(), 200, "{label} could not open {location}");
        if let Some(other) = forbidden {
            let refused = no_redirects()
                .get(format!("{}{other}", app.base))
                .header("cookie", &session)
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), 403, "{label} opened {other}");
        }
        // The session is the demo account's, holding exactly that role.
        let me: serde_json::Value = app
            .public(Method::GET, "/api/session")
            .header("cookie", &session)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let roles: Vec<&str> = me["principal"]["memberships"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["role"].as_str().unwrap())
            .collect();
        assert_eq!(roles, [role.as_str()], "{label}");
        // Audited as a demo sign-in naming the account, its role and the session.
        let user_id = me["principal"]["user_id"].as_str().unwrap();
        let entries = app.store.audit_for_user(user_id).await.unwrap();
        let sign_in = entries
            .iter()
            .find(|r| r.entry.action == "sign_in")
            .unwrap_or_else(|| panic!("{label}: no sign-in audited"));
        assert_eq!(sign_in.entry.route, "POST /staff/sign-in/demo");
        assert_eq!(sign_in.entry.outcome, "allowed");
        assert!(
            sign_in.entry.why.contains("demo sign-in"),
            "{:?}",
            sign_in.entry
        );
        assert_eq!(sign_in.entry.roles, role.as_str());
        assert!(sign_in
            .entry
            .session_id
            .as_deref()
            .is_some_and(|s| s.starts_with("session:")));
    }
    // The console's list and the page's agree: one account per role, none with a password.
    let accounts = app.store.demo_accounts().await.unwrap();
    assert_eq!(accounts.len(), roles.len());
    for account in &accounts {
        let user = app.store.user(&account.user_id).await.unwrap();
        assert!(!user.has_password, "{} has a password", account.username);
    }
}
on_both_backends!(
    a_demo_database_signs_in_every_role_with_one_click_audited,
    demo
);

async fn demo_sign_in_needs_the_token_of_the_page_that_offered_it(app: &TestApp) {
    let (page, cookie) = sign_in_page(app).await;
    let cookie = cookie.unwrap();
    let csrf = form_token(&page);
    let sessions = app.count("sessions").await;
    // No cookie (a form posted from another site: the SameSite=Strict cookie stays home), a
    // cookie that does not match, no token at all.
    for (sent, with) in [
        (csrf.as_str(), None),
        (csrf.as_str(), Some(format!("{DEMO_COOKIE}=another"))),
        ("", Some(cookie.clone())),
    ] {
        let response = demo_post(app, "administrator", sent, with.as_deref()).await;
        assert_eq!(response.status(), 403);
        assert!(session_cookie(&response).is_none());
    }
    assert_eq!(app.count("sessions").await, sessions);
    assert_eq!(denied_demo_sign_ins(app, "form token").await, 3);
    // A role the demo has no account for: not found.
    let response = demo_post(app, "parent_carer", &csrf, Some(&cookie)).await;
    assert_eq!(response.status(), 404);
    assert_eq!(app.count("sessions").await, sessions);
}
on_both_backends!(
    demo_sign_in_needs_the_token_of_the_page_that_offered_it,
    demo
);
