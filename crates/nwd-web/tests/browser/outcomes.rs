//! A service clinician records outcome measures from the referral page on a 320 px phone, by
//! keyboard, with axe-core on every page (issue 19): the measure's page asks only that
//! measure's scales and the raters it allows; "Cancel" goes back without recording; a score
//! out of range is named; the recorded scores show as a chart beside the table, and after a
//! second contact the change is judged as NHS England's MHS112.

use serde_json::{json, Value};

use crate::destinations::received;
use crate::support::{browser_wanted, BrowserApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clinician_records_phq9_scores_at_phone_width() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(320).await;
    let service = app
        .service(
            "Synthetic Outcomes Team",
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
    let contact = || async {
        let referral: Value = app
            .api(reqwest::Method::GET, &format!("/api/referrals/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let version = referral["version"].as_u64().unwrap();
        app.api(
            reqwest::Method::POST,
            &format!("/api/referrals/{id}/contacts"),
        )
        .header("If-Match", format!("\"{version}\""))
        .json(
            &json!({"allocation_id": allocation, "at": app.store.now().to_string(),
                          "status": "attended", "mechanism": "face_to_face",
                          "clinician": "C. Therapist", "duration_minutes": 50}),
        )
        .send()
        .await
        .unwrap()
        .status()
    };
    assert_eq!(contact().await, 200);

    let clinician = app.service_clinician(&service, "outcome.clinician").await;
    app.sign_in_as(&clinician).await;
    app.goto(&format!("/staff/referrals/{id}#outcomes")).await;
    assert!(app
        .text("main")
        .await
        .contains("No outcome measures recorded yet."));
    // PHQ-9 is the first measure offered.
    app.press("#record-measure").await;
    assert!(app
        .heading()
        .await
        .starts_with("Record Patient Health Questionnaire"));
    app.check_page("record an outcome measure").await;
    // "Cancel" records nothing.
    app.press("#cancel").await;
    assert!(app
        .path()
        .await
        .starts_with(&format!("/staff/referrals/{id}")));
    app.press("#record-measure").await;
    app.space_on("rater").await; // the young person
    app.type_into("score-total", "28").await;
    app.press("#record-scores").await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("scores run from 0 to 27"));
    // A post's answer: axe only (a GET of its address is another page).
    app.check_accessibility("record an outcome measure with an error")
        .await;
    app.type_into("score-total", "19").await;
    app.press("#record-scores").await;
    let banner = app.text("#success-banner").await;
    assert!(banner.contains("Outcome measure recorded"), "{banner}");
    assert!(app.text("#outcome-table").await.contains("19"));
    app.check_page("referral with an outcome measure and its chart")
        .await;

    // A second contact a fortnight on, and a second PHQ-9: a reliable improvement.
    app.advance_clock(jiff::SignedDuration::from_hours(24 * 14));
    assert_eq!(contact().await, 200);
    // A fortnight later the session has long ended: sign in again.
    app.sign_in_as(&clinician).await;
    app.goto(&format!("/staff/referrals/{id}#outcomes")).await;
    app.press("#record-measure").await;
    app.space_on("rater").await;
    app.type_into("score-total", "12").await;
    app.press("#record-scores").await;
    let table = app.text("#outcome-table").await;
    assert!(table.contains("Reliable improvement"), "{table}");
    assert!(app
        .text("main")
        .await
        .contains("Young person: meaningful improvement"));
    app.finish().await;
}
