//! Every role but the intended one is refused each page and API route (403, nothing written);
//! a page the caller's role does not allow is an HTML refusal page, the API keeps
//! problem+json.

use nwd_domain::authz::Role;
use nwd_store::auth::{NewUser, TeamKind};
use reqwest::{Method, Response};
use serde_json::json;

use crate::on_both_backends;
use crate::support::{member, no_redirects, page, problem, signed_in, TestApp};

use super::{form, org_team};

/// The pages and API routes of this issue, with the role each is for.
const GUARDED: &[(&str, Role)] = &[
    ("/staff/privacy", Role::PrivacyOfficer),
    ("/staff/privacy/person-access", Role::PrivacyOfficer),
    ("/staff/privacy/user-access", Role::PrivacyOfficer),
    ("/staff/privacy/reviews", Role::PrivacyOfficer),
    ("/staff/admin/users", Role::Administrator),
    ("/staff/admin/users/new", Role::Administrator),
    ("/api/admin/users", Role::Administrator),
    ("/api/admin/teams", Role::Administrator),
    ("/staff/admin/services", Role::Administrator),
    ("/staff/admin/services/new", Role::Administrator),
    ("/staff/admin/teams", Role::Administrator),
    ("/staff/admin/teams/new", Role::Administrator),
];

async fn only_the_intended_role_opens_each_page(app: &TestApp) {
    let (org, team) = org_team(app, "Roles").await;
    let audit_before = app.count("audit_log").await;
    let users_before = app.count("users").await;
    let mut checked = 0;
    for role in Role::ALL {
        let (_, token) = member(app, &org, &team, role, &format!("only.{}", role.as_str())).await;
        for (path, intended) in GUARDED {
            let response = page(app, &token, Method::GET, path).send().await.unwrap();
            let want = if role == *intended { 200 } else { 403 };
            assert_eq!(response.status().as_u16(), want, "{role} GET {path}");
            checked += 1;
        }
        // A change by the wrong role writes nothing.
        if role != Role::Administrator {
            let response = form(
                app,
                &token,
                "/staff/admin/users",
                &[
                    ("username", "x.y"),
                    ("display_name", "X"),
                    ("team_id", &team),
                    ("role", "triage"),
                    ("password", "violet kettle harbour lantern"),
                ],
            )
            .send()
            .await
            .unwrap();
            assert_eq!(response.status(), 403, "{role} created an account");
        }
    }
    assert_eq!(checked, GUARDED.len() * Role::ALL.len());
    assert_eq!(
        app.count("users").await,
        users_before + Role::ALL.len() as i64
    );
    // Every view and every refusal was audited.
    assert!(app.count("audit_log").await >= audit_before + checked as i64);
    // Not signed in: the pages go to sign-in, the API answers 401.
    let response = no_redirects()
        .get(format!("{}/staff/admin/users", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    problem(
        app.public(Method::GET, "/api/admin/users")
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
}
on_both_backends!(only_the_intended_role_opens_each_page);

/// Asserts an HTML refusal page with `status`, its heading and the security headers of every
/// page; returns its text.
async fn refusal(response: Response, status: u16, heading: &str) -> String {
    let headers = response.headers().clone();
    assert_eq!(response.status().as_u16(), status);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{:?}",
        headers["content-type"]
    );
    assert_eq!(
        headers["content-security-policy"].to_str().unwrap(),
        nwd_web::headers::CONTENT_SECURITY_POLICY
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let text = response.text().await.unwrap();
    assert!(text.contains(&format!("<h1>{heading}</h1>")), "{text}");
    text
}

async fn a_refused_page_is_an_html_page_and_the_api_keeps_problem_json(app: &TestApp) {
    let (org, team) = org_team(app, "Refusal").await;
    let (commissioner_id, commissioner) =
        member(app, &org, &team, Role::Commissioner, "r.commissioner").await;

    // A commissioner opening the triage queue: the refusal page, leading to their home.
    let response = page(app, &commissioner, Method::GET, "/staff/triage")
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let text = refusal(response, 403, "You do not have access to this page").await;
    assert!(text.contains("ask your administrator"));
    assert!(text.contains("href=\"/commissioning\">Go to your home page"));
    assert!(text.contains("commissioner"), "their roles are named");
    // An external referrer's way back is the referrals they sent, not the triage queue.
    let (_, referrer) = member(app, &org, &team, Role::ExternalReferrer, "r.referrer").await;
    let text = refusal(
        page(app, &referrer, Method::GET, "/staff/triage")
            .send()
            .await
            .unwrap(),
        403,
        "You do not have access to this page",
    )
    .await;
    assert!(text.contains("href=\"/staff/referrals-sent\">Go to your home page"));
    // The API twin keeps problem+json.
    problem(
        app.as_token(&commissioner, Method::GET, "/api/referrals")
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
    // Both denials audited as before.
    let trail = app.store.audit_for_user(&commissioner_id).await.unwrap();
    for route in ["GET /staff/triage", "GET /api/referrals"] {
        assert!(
            trail.iter().any(|e| e.entry.route == route
                && e.entry.outcome == "denied"
                && e.entry.status == 403
                && e.entry.why == "role lacks search_referrals"),
            "{route} denial not audited"
        );
    }

    // Out of scope on a page: "Page not found" as HTML; the API's 404 is problem+json.
    let created = app.school_referral(None, "routine").await;
    let referral = created["referral"]["id"].as_str().unwrap().to_owned();
    let service = app
        .service(
            "Synthetic Refusal Service",
            &["getting_help"],
            5,
            18,
            "community",
        )
        .await;
    let service_team = app
        .store
        .create_team(
            &org,
            "Refusal service team",
            TeamKind::Service,
            Some(&service),
        )
        .await
        .unwrap();
    let (clinician_id, clinician) =
        member(app, &org, &service_team, Role::Clinician, "r.clinician").await;
    let response = page(
        app,
        &clinician,
        Method::GET,
        &format!("/staff/referrals/{referral}"),
    )
    .send()
    .await
    .unwrap();
    let text = refusal(response, 404, "Page not found").await;
    assert!(!text.contains("Amelia"), "nothing of the record");
    problem(
        app.as_token(
            &clinician,
            Method::GET,
            &format!("/api/referrals/{referral}"),
        )
        .send()
        .await
        .unwrap(),
        404,
    )
    .await;
    let trail = app.store.audit_for_user(&clinician_id).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| e.entry.route == "GET /staff/referrals/{id}"
            && e.entry.outcome == "denied"
            && e.entry.status == 404
            && e.entry.why == "no relationship"
            && e.entry.record_id.as_deref() == Some(referral.as_str())));

    // A page form sent with the session cookie but without its CSRF token: refused as a
    // page, nothing written; the API's refusal stays problem+json.
    let password = "copper meadow lantern violin";
    let created = app
        .store
        .create_user(
            NewUser {
                username: "r.admin".into(),
                display_name: "R Admin".into(),
                organisation_id: org.clone(),
                password: Some(password.into()),
                memberships: vec![(team.clone(), Role::Administrator)],
            },
            "test",
        )
        .await
        .unwrap();
    let (cookie, _) = signed_in(app, "r.admin", password, &created.totp_secret.unwrap()).await;
    let teams = app.count("teams").await;
    let response = no_redirects()
        .post(format!("{}/staff/admin/teams", app.base))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("organisation_id={org}&name=Sneaky&kind=other"))
        .send()
        .await
        .unwrap();
    refusal(response, 403, "Your answers could not be sent").await;
    let response = no_redirects()
        .post(format!("{}/api/admin/teams", app.base))
        .header("cookie", &cookie)
        .json(&json!({"organisation_id": org, "name": "Sneaky", "kind": "other"}))
        .send()
        .await
        .unwrap();
    problem(response, 403).await;
    assert_eq!(app.count("teams").await, teams);
}
on_both_backends!(a_refused_page_is_an_html_page_and_the_api_keeps_problem_json);
