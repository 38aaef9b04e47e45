//! Finding a referral at phone width (320 px): the triage queue's true total and its second
//! page, the search box leading to the staff search, a bad NHS number named in the error
//! summary — every page passing axe-core and the other page checks.

use serde_json::{json, Value};

use crate::support::{browser_wanted, BrowserApp};

async fn referral(app: &BrowserApp, given: &str, family: &str, nhs: Option<&str>) -> String {
    let created: Value = app
        .api(reqwest::Method::POST, "/api/referrals")
        .json(&json!({
            "person": {"given_name": given, "family_name": family, "date_of_birth": "2012-05-17",
                       "sex": "female", "postcode": "ME14 1XX", "nhs_number": nhs},
            "source": "school", "priority": "routine", "reasons": ["anxiety"],
            "presenting_needs": "Synthetic presenting needs.",
            "referrer": {"name": "R. Teacher", "role": "Designated safeguarding lead", "organisation": "Synthetic Academy"},
            "consent_to_share": ["GP"]
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["referral"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_triage_clinician_pages_the_queue_and_finds_a_referral_on_a_phone() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(320).await;
    for n in 0..54 {
        referral(&app, "Synthia", &format!("Queue{n:02}"), None).await;
    }
    let wanted = referral(&app, "Rowan", "Findable", Some("9990000018")).await;
    app.sign_in_as(&app.triage).await;
    app.goto("/staff/triage").await;
    assert!(app.text("main").await.contains("55 awaiting triage"));
    app.check_page("triage queue, page 1 (320 px)").await;

    // The second page holds the rest.
    app.press("a.nhsuk-pagination__next").await;
    let second = app.text("main").await;
    assert!(second.contains("Showing 51 to 55 of 55."), "{second}");
    app.check_page("triage queue, page 2 (320 px)").await;

    // The search box finds the young person by the start of their name.
    app.type_into("q", "row find").await;
    app.enter_in("q").await;
    assert_eq!(app.path().await, "/staff/search");
    let found = app.text("main").await;
    assert!(found.contains("1 referral found"), "{found}");
    assert!(found.contains("Rowan Findable"));
    app.check_page("staff search results (320 px)").await;
    app.follow("Rowan Findable").await;
    assert_eq!(app.path().await, format!("/staff/referrals/{wanted}"));

    // A wrong check digit is named, and nothing is listed.
    app.goto("/staff/search").await;
    app.type_into("q", "999 123 4560").await;
    app.enter_in("q").await;
    let summary = app.text(".nhsuk-error-summary").await;
    assert!(summary.contains("check digit"), "{summary}");
    assert!(!app.text("main").await.contains("found"));
    app.check_page("staff search with an error (320 px)").await;
    app.finish().await;
}
