//! Every aggregate a commissioner can reach is suppressed, whatever they ask for (issue 15):
//! the routes a commissioner's role opens are listed from the route inventory, so a new one
//! fails this test until it is checked here. Both databases.

use nwd_domain::authz::{Permission, Policy, Role};
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{all_scopes, TestApp};

/// Routes a commissioner can reach (beyond the public ones), and what each gives.
const COMMISSIONER_ROUTES: &[(&str, &str)] = &[
    // Checked below: published figures only.
    ("get", "/api/services/{id}/waits"),
    ("get", "/api/measures/access"),
    // Outcome figures (issue 19): always published, never exact
    // (`outcome_figures.rs::closed_referrals_outcomes_are_published_alike_by_the_api_and_the_dashboard`).
    ("get", "/api/measures/outcomes"),
    // The dashboard and its CSV: every number through the same suppression
    // (`commissioning.rs::commissioner_sees_aggregates_only`).
    ("get", "/commissioning"),
    ("get", "/commissioning/download"),
    // The simulator: area-wide rates calibrated from the whole record, no counts of people.
    ("get", "/commissioning/simulate"),
    ("post", "/commissioning/simulate"),
    // Money and contracts (issue 20): the record (no person), and statements and quarterly
    // reports whose counts are published, never exact (`money.rs`).
    ("get", "/commissioning/money"),
    ("get", "/commissioning/money/edit"),
    ("post", "/commissioning/money/edit"),
    ("get", "/commissioning/money/history"),
    ("get", "/commissioning/money/history/{version}"),
    ("get", "/commissioning/money/history/{version}/restore"),
    ("post", "/commissioning/money/history/{version}/restore"),
    ("get", "/commissioning/money/agreements/{key}/vary"),
    ("post", "/commissioning/money/agreements/{key}/vary"),
    ("get", "/commissioning/plan/{year}/milestones/{number}"),
    ("post", "/commissioning/plan/{year}/milestones/{number}"),
    (
        "get",
        "/commissioning/plan/{year}/declarations/{declaration}/staff/{line}",
    ),
    (
        "post",
        "/commissioning/plan/{year}/declarations/{declaration}/staff/{line}",
    ),
    ("get", "/commissioning/contracts/{key}"),
    ("get", "/commissioning/contracts/{key}/statement.csv"),
    ("get", "/commissioning/contracts/{key}/value"),
    ("post", "/commissioning/contracts/{key}/value"),
    ("get", "/commissioning/contracts/{key}/kpis/{number}"),
    ("post", "/commissioning/contracts/{key}/kpis/{number}"),
    ("get", "/commissioning/reports/quarterly"),
    ("get", "/commissioning/reports/quarterly.csv"),
    ("get", "/commissioning/plan"),
    ("get", "/commissioning/plan.csv"),
    ("get", "/api/commissioning"),
    ("put", "/api/commissioning"),
    ("get", "/api/commissioning/contracts/{key}/statement"),
    ("get", "/api/commissioning/reports/quarterly"),
    // Need and equality (issue 20): published figures with secondary suppression, and the
    // population table (no person) (`need.rs`).
    ("get", "/commissioning/need"),
    ("get", "/commissioning/need.csv"),
    ("get", "/commissioning/need/population"),
    ("post", "/commissioning/need/population"),
    ("get", "/api/commissioning/need"),
    ("put", "/api/commissioning/population"),
    // No figures.
    ("post", "/api/account/tokens"),
    // The outcome measures' definitions (issue 19): no person, no figures
    // (`outcomes.rs::the_measures_are_listed_and_exported_as_fhir_questionnaires`).
    ("get", "/api/outcome-measures"),
    ("get", "/api/outcome-measures/{code}/questionnaire"),
    ("get", "/staff/standards"),
    ("post", "/staff/sign-out"),
    // One's own password (issue 17): signed in, no permission.
    ("get", "/staff/change-password"),
    ("post", "/staff/change-password"),
    ("post", "/api/session/password"),
    ("get", "/api/session"),
    ("delete", "/api/session"),
];

async fn commissioner(app: &TestApp) -> String {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "Integrated care board".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::IntegratedCareBoard,
            team: "Commissioning".into(),
            team_kind: TeamKind::Other,
            service_id: None,
        })
        .await
        .unwrap();
    let user = app
        .store
        .create_user(
            NewUser {
                username: "icb.commissioner".into(),
                display_name: "Synthetic Commissioner".into(),
                organisation_id: org,
                password: None,
                memberships: vec![(team, Role::Commissioner)],
            },
            "test",
        )
        .await
        .unwrap();
    app.store
        .create_api_token(&user.id, "test", &all_scopes())
        .await
        .unwrap()
        .1
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.as_token(token, Method::GET, path).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn a_commissioner_gets_only_suppressed_figures(app: &TestApp) {
    // The routes a commissioner's permissions open are exactly the ones listed above.
    let table = nwd_domain::authz::RoleTable::default();
    let mut reachable: Vec<(String, String)> = nwd_web::secure_routes()
        .into_parts()
        .1
        .iter()
        .filter(|p| match p.policy {
            Policy::SignedIn => true,
            Policy::Requires(permission, _) => table.grants(Role::Commissioner, permission),
            Policy::Public => false,
        })
        .map(|p| (p.method.clone(), p.path.clone()))
        .collect();
    reachable.sort();
    let mut listed: Vec<(String, String)> = COMMISSIONER_ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    listed.sort();
    assert_eq!(
        reachable, listed,
        "a commissioner can reach a route not checked here"
    );
    assert!(table.grants(Role::Commissioner, Permission::ReadAggregates));

    // One young person, allocated and seen.
    let service = app
        .service("Wellbeing service", &["getting_help"], 5, 17, "community")
        .await;
    let created = app.school_referral(Some("9990000034"), "routine").await;
    let id = created["referral"]["id"].as_str().unwrap();
    let triaged: Value = app
        .staff(Method::POST, &format!("/api/referrals/{id}/triage"))
        .header("If-Match", "\"1\"")
        .json(&json!({"need_group": "getting_help", "risk": "low", "rationale": "Agreed at the triage call.",
               "destinations": [{"type": "allocate", "service_id": service}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let allocation = triaged["referral"]["allocations"][0]["id"]
        .as_str()
        .unwrap();
    let response = app
        .staff(Method::POST, &format!("/api/referrals/{id}/contacts"))
        .header("If-Match", format!("\"{}\"", triaged["referral"]["version"]))
        .json(&json!({"allocation_id": allocation, "at": jiff::Timestamp::now().to_string(), "status": "attended",
               "mechanism": "face_to_face", "clinician": "C", "duration_minutes": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let now = app.store.now();
    let window = format!(
        "from={}&to={}",
        (now - jiff::SignedDuration::from_secs(60))
            .to_string()
            .replace('+', "%2B"),
        (now + jiff::SignedDuration::from_secs(2))
            .to_string()
            .replace('+', "%2B")
    );
    let token = commissioner(app).await;

    // The single point of access sees its own exact figures.
    let exact = get(
        app,
        &app.coordinator_token,
        &format!("/api/services/{service}/waits?{window}"),
    )
    .await;
    assert_eq!(exact["allocations"], 1);
    assert!(exact.get("suppressed").is_none());

    // A commissioner, for a window that holds one young person: nothing that shows them.
    for path in [
        format!("/api/services/{service}/waits?{window}"),
        format!("/api/services/{service}/waits"),
    ] {
        let shown = get(app, &token, &path).await;
        assert_eq!(shown["suppressed"], true, "{path}: {shown}");
        assert!(shown["allocations"].is_null(), "{path}: {shown}");
        for wait in [
            "referral_to_triage_hours",
            "to_first_contact_days",
            "to_second_contact_days",
        ] {
            assert!(shown[wait]["count"].is_null(), "{path}: {shown}");
            assert!(shown[wait]["median"].is_null(), "{path}: {shown}");
            assert!(shown[wait]["p90"].is_null(), "{path}: {shown}");
        }
        assert!(
            shown["seen_within_standard_percent"].is_null(),
            "{path}: {shown}"
        );
    }
    let measures = get(app, &token, "/api/measures/access").await;
    assert_eq!(measures["suppressed"], true, "{measures}");
    assert!(measures["mhs95_one_contact"].is_null(), "{measures}");
    assert!(measures["mhs69_two_contacts"].is_null(), "{measures}");
    let exact = get(app, &app.coordinator_token, "/api/measures/access").await;
    assert_eq!(exact["mhs95_one_contact"], 1);
}
on_both_backends!(a_commissioner_gets_only_suppressed_figures, strict);
