//! A licensed measure and its wording (issue 19), on both databases: refused by link until the
//! organisation's wording covers every question and answer, then sent and shown with it, and
//! closed again when the wording is removed.

use reqwest::Method;
use serde_json::{json, Value};

use crate::measure_links::{attended, post, version_of};
use crate::on_both_backends;
use crate::pages::allocated;
use crate::support::{fields, problem, TestApp};

/// The bundled RCADS Questionnaire with synthetic wording in every question and answer (never
/// the licensed text), as an organisation's FHIR Questionnaire would carry its own.
async fn worded_rcads(app: &TestApp) -> Value {
    let mut questionnaire: Value = app
        .staff(Method::GET, "/api/outcome-measures/rcads/questionnaire")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for item in questionnaire["item"].as_array_mut().unwrap() {
        let link = item["linkId"].as_str().unwrap().to_owned();
        if link.starts_with("score-") {
            continue;
        }
        item["text"] = json!(format!("Synthetic question {link}"));
        for option in item["answerOption"].as_array_mut().unwrap() {
            let code = option["valueCoding"]["code"].as_str().unwrap().to_owned();
            option["valueCoding"]["display"] = json!(format!("Synthetic answer {code}"));
        }
    }
    questionnaire["copyright"] = json!("Synthetic wording, licensed to the test organisation");
    questionnaire
}

async fn a_licensed_measure_is_sent_by_link_once_its_wording_is_loaded(app: &TestApp) {
    let service = app
        .service("Wording Service", &["getting_help"], 5, 18, "community")
        .await;
    let (id, allocation, _) = allocated(app, &service, "routine").await;
    attended(app, &id, &allocation).await;
    let wording = "/api/outcome-measures/rcads/item-text";
    // Half a questionnaire is refused, every gap named, and nothing is written.
    let half = app
        .staff(Method::PUT, wording)
        .body("measure = \"rcads\"\nlicence = \"Ours\"\n[items]\nq1 = \"First\"\nq99 = \"Extra\"\n")
        .send()
        .await
        .unwrap();
    let named = fields(&problem(half, 422).await);
    for field in ["text.items.q2", "text.items.q47", "text.items.q99"] {
        assert!(named.iter().any(|f| f == field), "{field} not in {named:?}");
    }
    assert!(
        named.iter().any(|f| f.starts_with("text.labels.")),
        "{named:?}"
    );
    let listed = |measures: Value| {
        measures
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["code"] == "rcads")
            .unwrap()
            .clone()
    };
    let list = || async {
        app.staff(Method::GET, "/api/outcome-measures")
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    assert_eq!(listed(list().await)["item_text"], false);
    let path = format!("/api/referrals/{id}/measure-links");
    let request = json!({"allocation_id": allocation, "measure": "rcads", "rater": "self"});
    let refused = post(app, &path, version_of(app, &id).await, request.clone()).await;
    assert_eq!(fields(&problem(refused, 422).await), ["measure"]);

    // The organisation's wording, as a FHIR Questionnaire: loaded, listed and carried.
    let loaded = app
        .staff(Method::PUT, wording)
        .json(&worded_rcads(app).await)
        .send()
        .await
        .unwrap();
    assert_eq!(loaded.status(), 200, "{:?}", loaded.text().await);
    let rcads = listed(list().await);
    assert_eq!(rcads["item_text"], true);
    assert_eq!(rcads["item_text_loaded"], true);
    assert!(rcads["licence"]
        .as_str()
        .unwrap()
        .ends_with("Item text: Synthetic wording, licensed to the test organisation"));
    let questionnaire: Value = app
        .staff(Method::GET, "/api/outcome-measures/rcads/questionnaire")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(questionnaire["item"][0]["text"], "Synthetic question q1");

    // Now a link can be sent, and its holder sees the organisation's wording.
    let sent = post(app, &path, version_of(app, &id).await, request.clone()).await;
    assert_eq!(sent.status(), 201, "{:?}", sent.text().await);
    let link = sent.json::<Value>().await.unwrap()["path"]
        .as_str()
        .unwrap()
        .to_owned();
    let form = app.public(Method::GET, &link).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let form = form.text().await.unwrap();
    assert!(form.contains("Synthetic question q47"));
    assert!(form.contains("Synthetic answer 3"));

    // Removed: the link no longer shows a form, no new link is sent, and only a directory
    // manager may load or remove wording.
    let removed = app.staff(Method::DELETE, wording).send().await.unwrap();
    assert_eq!(removed.status(), 204);
    problem(
        app.staff(Method::DELETE, wording).send().await.unwrap(),
        404,
    )
    .await;
    let gone = app.public(Method::GET, &link).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    let refused = post(app, &path, version_of(app, &id).await, request).await;
    assert_eq!(fields(&problem(refused, 422).await), ["measure"]);
    let anonymous = app
        .public(Method::PUT, wording)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    // PHQ-9 ships with its questions: nothing to load.
    let shipped = app
        .staff(Method::PUT, "/api/outcome-measures/phq_9/item-text")
        .body("measure = \"phq_9\"")
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(shipped, 422).await), ["text"]);
}
on_both_backends!(a_licensed_measure_is_sent_by_link_once_its_wording_is_loaded);
