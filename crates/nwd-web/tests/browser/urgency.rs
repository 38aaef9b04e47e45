//! Priority and risk in the browser, at phone width (320 px): the urgency form on the referral
//! page saves with a success banner, and the crisis list and overdue risk reviews show the
//! tags; the public safety question's interruption page shows urgent help and lets the young
//! person carry on. Every page passes axe-core, same-origin and header checks.

use fantoccini::Locator;
use serde_json::{json, Value};

use crate::support::{browser_wanted, BrowserApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urgency_form_and_crisis_list_at_phone_width() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(320).await;
    let created: Value = app
        .api(reqwest::Method::POST, "/api/referrals")
        .json(&json!({
            "person": {"given_name": "Synthia", "family_name": "Urgentcase", "date_of_birth": "2011-02-03",
                       "sex": "female", "postcode": "ME14 1XX"},
            "source": "school", "priority": "routine", "reasons": ["self_harm"],
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
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    app.sign_in_as(&app.triage).await;
    app.goto(&format!("/staff/referrals/{id}")).await;
    assert!(app.text("#urgency ~ p").await.contains("Routine"));
    app.check_page("referral with the urgency panel, phone")
        .await;

    app.client
        .find(Locator::Css("#urgency-details summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    app.client
        .find(Locator::Id("urgency-priority"))
        .await
        .unwrap()
        .select_by_value("very_urgent")
        .await
        .unwrap();
    app.client
        .find(Locator::Id("urgency-risk"))
        .await
        .unwrap()
        .select_by_value("high")
        .await
        .unwrap();
    app.type_into(
        "urgency-reason",
        "Called the school: cutting daily (synthetic).",
    )
    .await;
    app.check_page("urgency form open, phone").await;
    app.press("form[action*='/urgency'] button").await;
    assert_eq!(app.path().await, format!("/staff/referrals/{id}"));
    assert!(app
        .text("#urgency-saved")
        .await
        .contains("Priority and risk saved"));
    let tags = app.text("#urgency ~ p").await;
    assert!(
        tags.contains("Very urgent") && tags.contains("High risk"),
        "{tags}"
    );
    assert!(app
        .text("#timeline-events")
        .await
        .contains("Called the school: cutting daily (synthetic)."));
    app.check_page("referral after an urgency change, phone")
        .await;

    app.goto("/staff/crisis").await;
    assert!(app.text("#crisis-list").await.contains("Very urgent"));
    app.check_page("crisis list, phone").await;
    app.goto("/staff/crisis?triaged=no&risk=high").await;
    app.check_page("crisis list filtered, phone").await;
    app.goto("/staff/risk-reviews").await;
    assert_eq!(app.heading().await, "Overdue risk reviews");
    app.check_page("overdue risk reviews, phone").await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn safety_interruption_at_phone_width() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(320).await;
    app.goto("/get-help").await;
    let year = jiff::Zoned::now().year() - 15;
    app.type_into("dob-day", "9").await;
    app.type_into("dob-month", "4").await;
    app.type_into("dob-year", &year.to_string()).await;
    app.enter_in("dob-year").await;
    app.type_into("given-name", "Safia").await;
    app.type_into("family-name", "Testyoung").await;
    app.enter_in("family-name").await;
    app.type_into("postcode", "ME14 1XX").await;
    app.enter_in("postcode").await;
    app.space_on("reasons-3").await; // hurting yourself
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "Your safety");
    assert!(app
        .text("main")
        .await
        .contains("Are you thinking about hurting yourself or ending your life?"));
    // Unanswered: the error summary names both questions.
    app.press("button[value=continue]").await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("Choose yes, no or I'm not sure"));
    app.check_page("safety question with errors, phone").await;
    app.space_on("safety-thoughts").await; // yes
    app.space_on("safety-harmed-2").await; // no
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "You can get help now");
    let main = app.text("main").await;
    assert!(main.contains("Call 999"), "{main}");
    assert!(main.contains("111"));
    app.check_page("safety interruption, phone").await;
    app.assert_no_store("safety interruption").await;
    assert_eq!(app.path().await, "/get-help/q/safety");
    app.press("#continue-after-safety").await;
    assert_eq!(app.path().await, "/get-help/q/happening");
    assert_eq!(app.heading().await, "Tell us what has been happening");
    app.finish().await;
}
