//! A questionnaire completed through a one-time link changes the young person's chart (issue
//! 19), at 320 px, by keyboard, with axe-core on every page: a service clinician sends a
//! PHQ-9 link from the referral page, the young person opens it without signing in, is told
//! which question they missed, answers all nine and is thanked; the referral page then shows
//! the recorded score in its table and chart, and the link cannot be used again.

use fantoccini::Locator;
use serde_json::{json, Value};

use crate::destinations::received;
use crate::support::{browser_wanted, BrowserApp};

async fn version_of(app: &BrowserApp, id: &str) -> u64 {
    let referral: Value = app
        .api(reqwest::Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    referral["version"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_young_person_completes_a_questionnaire_sent_by_link_on_a_phone() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(320).await;
    let service = app
        .service(
            "Synthetic Link Team",
            "nhs_trust",
            &["getting_help"],
            (5, 18),
            false,
        )
        .await;
    let id = received(&app, "referral").await;
    let triaged: Value = app
        .api(
            reqwest::Method::POST,
            &format!("/api/referrals/{id}/triage"),
        )
        .header("If-Match", "\"1\"")
        .json(
            &json!({"need_group": "getting_help", "risk": "low", "rationale": "Synthetic.",
                      "destinations": [{"type": "allocate", "service_id": service}]}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let allocation = triaged["referral"]["allocations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let contact = app
        .api(
            reqwest::Method::POST,
            &format!("/api/referrals/{id}/contacts"),
        )
        .header(
            "If-Match",
            format!("\"{}\"", triaged["referral"]["version"].as_u64().unwrap()),
        )
        .json(
            &json!({"allocation_id": allocation, "at": app.store.now().to_string(),
                      "status": "attended", "mechanism": "face_to_face",
                      "clinician": "C. Therapist", "duration_minutes": 50}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(contact.status(), 200);

    let clinician = app.service_clinician(&service, "link.clinician").await;
    app.sign_in_as(&clinician).await;
    app.goto(&format!("/staff/referrals/{id}#outcomes")).await;
    assert!(app.text("#allocations").await.contains("Services"));
    app.press("#send-measure-link").await;
    app.check_page("send a completion link").await;
    app.client
        .find(Locator::Id("measure"))
        .await
        .unwrap()
        .select_by_value("phq_9")
        .await
        .unwrap();
    app.space_on("rater").await; // the young person
    app.press("button[type=submit]").await;
    assert_eq!(app.heading().await, "Link ready to send");
    app.check_accessibility("the link, shown once").await;
    let address: String = app
        .client
        .find(Locator::Id("link-address"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    let link = address[address.find("/measure/").unwrap()..].to_owned();

    // The young person's phone: no sign-in.
    app.goto(&link).await;
    app.check_page("the questionnaire a link opens").await;
    for i in 1..=8 {
        app.space_on(&format!("item-q{i}")).await; // "Not at all" (0)
    }
    app.press("button[type=submit]").await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("Answer question 9"));
    app.check_accessibility("the questionnaire with a missed question")
        .await;
    // "Several days" (1) for question 9: a total of 1.
    app.space_on("item-q9-2").await;
    app.press("button[type=submit]").await;
    assert_eq!(app.heading().await, "Thank you");
    app.check_page("answers sent").await;
    // Used: the link now says it cannot be used.
    app.goto(&link).await;
    assert!(app.text("main").await.contains("This link cannot be used"));

    app.sign_in_as(&clinician).await;
    app.goto(&format!("/staff/referrals/{id}#outcomes")).await;
    let table = app.text("#outcome-table").await;
    assert!(
        table.contains("Patient Health Questionnaire (PHQ-9)"),
        "{table}"
    );
    let shown: Value = app
        .api(
            reqwest::Method::GET,
            &format!("/api/referrals/{id}/outcomes"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["scales"][0]["scores"][0]["score"], 1.0, "{shown}");
    let chart = app
        .client
        .execute(
            "return document.querySelector('figure.nwd-figure svg[role=img] title').textContent;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        chart.as_str(),
        Some("Patient Health Questionnaire (PHQ-9), completed by young person"),
        "the chart of the young person's scores"
    );
    assert!(app.text("main").await.contains("Measure link sent"));

    // A fortnight on: a second session, a second questionnaire by link, and the discharge
    // that closes the referral. Its outcome is now in the commissioner's figures, by service.
    let outcomes = "section[aria-labelledby=outcomes-by-service-heading]";
    crate::commissioning::sign_in(&app).await;
    app.goto("/commissioning").await;
    assert!(!app.text(outcomes).await.contains("Synthetic Link Team"));
    app.advance_clock(jiff::SignedDuration::from_hours(24 * 14));
    let contact = app
        .api(
            reqwest::Method::POST,
            &format!("/api/referrals/{id}/contacts"),
        )
        .header("If-Match", format!("\"{}\"", version_of(&app, &id).await))
        .json(
            &json!({"allocation_id": allocation, "at": app.store.now().to_string(),
                      "status": "attended", "mechanism": "face_to_face",
                      "clinician": "C. Therapist", "duration_minutes": 50}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(contact.status(), 200);
    let sent: Value = app
        .api(
            reqwest::Method::POST,
            &format!("/api/referrals/{id}/measure-links"),
        )
        .header("If-Match", format!("\"{}\"", version_of(&app, &id).await))
        .json(&json!({"allocation_id": allocation, "measure": "phq_9", "rater": "self"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    app.goto(sent["path"].as_str().unwrap()).await;
    for i in 1..=9 {
        app.space_on(&format!("item-q{i}")).await;
    }
    app.press("button[type=submit]").await;
    assert_eq!(app.heading().await, "Thank you");
    let discharged = app
        .api(
            reqwest::Method::POST,
            &format!("/api/referrals/{id}/allocations/{allocation}/discharge"),
        )
        .header("If-Match", format!("\"{}\"", version_of(&app, &id).await))
        .json(&json!({"reason": "treatment_completed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(discharged.status(), 200, "the second score closes it");
    crate::commissioning::sign_in(&app).await;
    app.goto("/commissioning").await;
    let figures = app.text(outcomes).await;
    assert!(figures.contains("Synthetic Link Team"), "{figures}");
    app.finish().await;
}
