//! The commissioner pages in a real browser: the dashboard (charts, tables, downloads), a bad
//! filter, and the what-if simulator run from its form without JavaScript-only controls.
//! Every page is checked by axe-core, for other origins and for its headers.

use crate::support::{browser_wanted, BrowserApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_and_the_simulator_work_and_are_accessible() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(1280).await;
    seed(&app).await;
    sign_in(&app).await;

    app.goto("/commissioning").await;
    assert_eq!(app.heading().await, "Commissioning dashboard");
    assert_eq!(
        app.text("#referrals-by-source-heading").await,
        "Referrals by source"
    );
    // Outcome measures of closed referrals (issue 19): a chart and its table, like the rest.
    assert_eq!(
        app.text("#outcomes-by-service-heading").await,
        "Outcomes by service"
    );
    assert!(app
        .text("#outcomes-by-service-caption")
        .await
        .contains("Outcomes by service"));
    let label = app
        .client
        .execute(
            "return document.querySelector('main svg[role=img]').getAttribute('aria-labelledby');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        label.as_str(),
        Some("chart-referrals-by-source-title chart-referrals-by-source-desc")
    );
    app.check_page("commissioning dashboard").await;
    app.assert_no_store("commissioning dashboard").await;

    app.type_into("from", "last spring").await;
    app.enter_in("from").await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("Enter the first month"));
    app.check_page("commissioning dashboard with an error")
        .await;

    app.goto("/commissioning/simulate").await;
    assert_eq!(app.heading().await, "What-if simulator");
    app.check_page("simulator form").await;
    app.type_into("reps", "4").await;
    app.type_into("years", "1").await;
    app.type_into("demand", "20").await;
    app.press("form[method=post] button[type=submit]").await;
    let results = app.text("main").await;
    assert!(results.contains("Waiting list over time"), "{results}");
    assert!(results.contains("±"));
    app.check_page("simulator results").await;
    app.finish().await;
}

/// Signs in as the triage clinician (who holds `read_aggregates`).
pub async fn sign_in(app: &BrowserApp) {
    app.goto("/staff/sign-in").await;
    app.type_into("username", &app.triage.username).await;
    app.type_into("password", &app.triage.password.clone())
        .await;
    app.type_into("code", &app.triage.code()).await;
    app.enter_in("code").await;
}

/// A service and a dozen triaged referrals, so the dashboard and calibration have data.
pub async fn seed(app: &BrowserApp) {
    let service = app
        .service(
            "Synthetic Community Team",
            "nhs_trust",
            &["getting_help", "getting_more_help"],
            (5, 18),
            false,
        )
        .await;
    for _ in 0..12 {
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
        let id = created["referral"]["id"].as_str().unwrap();
        let response = app
            .api(reqwest::Method::POST, &format!("/api/referrals/{id}/triage"))
            .header("If-Match", "\"1\"")
            .json(&serde_json::json!({"need_group": "getting_help", "risk": "low", "rationale": "Agreed at the triage call.",
                   "destinations": [{"type": "allocate", "service_id": service}]}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }
}
