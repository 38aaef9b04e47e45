//! The administrator's and the privacy officer's pages in a real browser: users and teams,
//! an account created from the form (with its error summary first), the account page, the
//! service directory form with its errors, the standards page, a service's own standards
//! (with an error), the team list, a team added (after its error summary) and its page, the
//! refusal page of a page the roles do not allow; then, signed in as a privacy
//! officer, the home page with the chain verification, both access reports and the review
//! queue with a refused review. Every page is checked by axe-core, for other origins and for
//! its headers.

use crate::commissioning::sign_in;
use crate::support::{browser_wanted, BrowserApp, StaffUser};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administration_and_privacy_pages_work_and_are_accessible() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(1280).await;
    let (person, officer) = seed(&app).await;

    // The test's triage clinician is also an administrator.
    sign_in(&app).await;
    app.goto("/staff/admin/users").await;
    assert_eq!(app.heading().await, "Users and teams");
    app.check_page("users and teams").await;
    app.goto("/staff/admin/users/new").await;
    app.check_page("new account").await;
    app.press("form[method=post] button[type=submit]").await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("Enter the name shown to others"));
    app.check_page("new account with errors").await;
    app.type_into("username", "new.clinician").await;
    app.type_into("display_name", "New Clinician").await;
    app.client
        .execute(
            "document.getElementById('team_id').selectedIndex = 1; document.getElementById('role').value = 'clinician'; return true;",
            vec![],
        )
        .await
        .unwrap();
    app.type_into("password", "violet kettle harbour lantern")
        .await;
    app.enter_in("password").await;
    // Post/redirect/get to the set-up page, with the authenticator's QR code drawn on the
    // server.
    assert_eq!(app.text(".nhsuk-panel__title").await, "Account created");
    assert!(app.path().await.ends_with("/set-up"));
    assert!(app
        .client
        .execute(
            "return document.querySelector('#totp-qr svg[role=img]') !== null;",
            vec![]
        )
        .await
        .unwrap()
        .as_bool()
        .unwrap());
    app.check_page("account created").await;
    app.follow("Go to the account").await;
    assert_eq!(app.heading().await, "New Clinician");
    assert!(app
        .text("#password-state")
        .await
        .contains("Initial password"));
    app.check_page("account").await;
    // Disabling asks first; "No, go back" changes nothing.
    app.press("form[action*='/disable'] button[type=submit]")
        .await;
    assert_eq!(app.heading().await, "Disable new.clinician?");
    app.check_page("confirm disabling an account").await;
    app.follow("No, go back").await;
    assert_eq!(app.heading().await, "New Clinician");

    app.goto("/staff/admin/services").await;
    app.check_page("service directory (admin)").await;
    app.goto("/staff/admin/services/new").await;
    app.press("form[method=post] button[type=submit]").await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("Choose the organisation"));
    app.check_page("new service with errors").await;
    app.goto("/staff/standards").await;
    assert_eq!(app.heading().await, "Standards and thresholds");
    app.check_page("standards").await;

    // A service's own waiting-time standards: the form, a refused answer, the reset.
    let service = app
        .service(
            "Synthetic Standards Team",
            "nhs_trust",
            &["getting_help"],
            (5, 18),
            false,
        )
        .await;
    app.goto(&format!("/staff/admin/services/{service}/standards"))
        .await;
    assert_eq!(app.heading().await, "Waiting-time standards");
    app.check_page("service standards").await;
    app.type_into("amount-0", "0").await;
    app.press("#maincontent form[method=post] button[type=submit]")
        .await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("greater than zero"));
    // Posted to an address whose GET is the same form, so the headers check reads that.
    app.check_page("service standards with errors").await;

    // Teams: the list, a refused new team, a team added and its page.
    app.goto("/staff/admin/teams").await;
    assert_eq!(app.heading().await, "Teams");
    app.check_page("teams").await;
    app.goto("/staff/admin/teams/new").await;
    app.check_page("new team").await;
    app.press("#maincontent form[method=post] button[type=submit]")
        .await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("Choose the organisation the team belongs to"));
    app.check_page("new team with errors").await;
    app.client
        .execute(
            "document.getElementById('organisation_id').selectedIndex = 1; return true;",
            vec![],
        )
        .await
        .unwrap();
    app.type_into("name", "Synthetic commissioning team").await;
    app.space_on("kind-other").await;
    app.press("#maincontent form[method=post] button[type=submit]")
        .await;
    assert_eq!(app.heading().await, "Synthetic commissioning team");
    app.check_page("team").await;

    // A page the administrator's roles do not allow: the HTML refusal page.
    app.goto("/staff/privacy").await;
    assert_eq!(app.heading().await, "You do not have access to this page");
    app.check_page("refusal").await;

    // The privacy officer.
    app.client.delete_all_cookies().await.unwrap();
    app.goto("/staff/sign-in").await;
    app.type_into("username", &officer.username).await;
    app.type_into("password", &officer.password.clone()).await;
    app.type_into("code", &officer.code()).await;
    app.enter_in("code").await;
    // "/staff" leads each member of staff to where they start: for the officer, the privacy
    // home (the triage queue would refuse them).
    app.goto("/staff").await;
    assert_eq!(app.path().await, "/staff/privacy");
    assert!(app.text("#audit-chain").await.contains("intact"));
    app.check_page("privacy home").await;
    app.goto(&format!("/staff/privacy/person-access?subject={person}"))
        .await;
    assert!(app.text("#access").await.contains("Break glass"));
    app.check_page("person access report").await;
    app.goto("/staff/privacy/user-access?subject=test.triage")
        .await;
    app.check_page("user access report").await;
    app.goto("/staff/privacy/person-access?subject=123").await;
    app.check_page("person access report with an error").await;
    app.goto("/staff/privacy/reviews").await;
    app.check_page("review queues").await;
    app.press("#break-glass ~ .nhsuk-card form button[type=submit]")
        .await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("Choose the outcome"));
    // The form posted to an address with no GET, so the headers (checked by fetching the
    // address again) are checked on the queue page above; the rest here.
    app.check_accessibility("review queues with errors").await;
    app.check_same_origin("review queues with errors").await;
    app.finish().await;
}

/// A referral, a clinician elsewhere who used break-glass on it, and a privacy officer who
/// can sign in; returns (the young person's id, the officer).
pub async fn seed(app: &BrowserApp) -> (String, StaffUser) {
    use nwd_domain::authz::Role;
    use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
    let created: serde_json::Value = app
        .api(reqwest::Method::POST, "/api/referrals")
        .json(&serde_json::json!({
            "person": {"given_name": "Synthetic", "family_name": "Person", "date_of_birth": "2012-03-04", "sex": "female", "postcode": "ME14 1XX"},
            "source": "school", "priority": "routine", "reasons": ["anxiety"],
            "presenting_needs": "Synthetic presenting needs.",
            "referrer": {"name": "Synthetic Teacher", "role": "Teacher", "organisation": "Synthetic School"},
            "consent_to_share": ["School"]
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let person = created["referral"]["person_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let service = app
        .service(
            "Synthetic Other Team",
            "nhs_trust",
            &["getting_help"],
            (5, 18),
            false,
        )
        .await;
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "Synthetic Governance".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::IntegratedCareBoard,
            team: "Information governance".into(),
            team_kind: TeamKind::Other,
            service_id: None,
        })
        .await
        .unwrap();
    let service_team = app
        .store
        .create_team(
            &org,
            "Synthetic Other Team staff",
            TeamKind::Service,
            Some(&service),
        )
        .await
        .unwrap();
    let clinician = app
        .store
        .create_user(
            NewUser {
                username: "other.clinician".into(),
                display_name: "Other Clinician".into(),
                organisation_id: org.clone(),
                password: None,
                memberships: vec![(service_team, Role::Clinician)],
            },
            "test",
        )
        .await
        .unwrap();
    let scopes = nwd_domain::authz::Permission::ALL.into_iter().collect();
    let token = app
        .store
        .create_api_token(&clinician.id, "t", &scopes)
        .await
        .unwrap()
        .1;
    let response = app
        .http
        .post(app.url(&format!("/api/persons/{person}/break-glass")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"reason": "Presented at A&E out of hours; no access team available", "minutes": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let referral = created["referral"]["id"].as_str().unwrap();
    let response = app
        .http
        .get(app.url(&format!("/api/referrals/{referral}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let password = format!("Synthetic-{}-pass", uuid::Uuid::new_v4().simple());
    let officer = app
        .store
        .create_user(
            NewUser {
                username: "privacy.officer".into(),
                display_name: "Privacy Officer".into(),
                organisation_id: org,
                password: Some(password.clone()),
                memberships: vec![(team, Role::PrivacyOfficer)],
            },
            "test",
        )
        .await
        .unwrap();
    (
        person,
        StaffUser {
            id: officer.id.clone(),
            username: "privacy.officer".into(),
            password,
            totp_secret: officer.totp_secret.unwrap(),
            clock: app.clock(),
        },
    )
}
