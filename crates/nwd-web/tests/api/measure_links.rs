//! Making the follow-up measure hard to forget (issue 19), on both databases: what is due on
//! the caseload, a discharge without a closing measure asked why, a one-time link the young
//! person completes on their phone without signing in (their own scores on their status link:
//! `measure_progress.rs`).

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::pages::allocated;
use crate::support::{fields, page, problem, staff_html, TestApp};

pub(crate) async fn version_of(app: &TestApp, id: &str) -> u64 {
    let referral: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    referral["version"].as_u64().unwrap()
}

pub(crate) async fn post(
    app: &TestApp,
    path: &str,
    version: u64,
    body: Value,
) -> reqwest::Response {
    app.staff(Method::POST, path)
        .header("If-Match", format!("\"{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn attended(app: &TestApp, id: &str, allocation: &str) {
    let version = version_of(app, id).await;
    let response = post(
        app,
        &format!("/api/referrals/{id}/contacts"),
        version,
        json!({"allocation_id": allocation, "at": app.store.now().to_string(), "status": "attended",
               "mechanism": "face_to_face", "clinician": "C. Therapist", "duration_minutes": 50}),
    )
    .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
}

async fn events(app: &TestApp, id: &str) -> Vec<Value> {
    let events: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    events.as_array().unwrap().clone()
}

async fn a_seen_young_person_is_not_discharged_without_a_closing_measure_or_a_reason(
    app: &TestApp,
) {
    let service = app
        .service(
            "Closing Measure Service",
            &["getting_help"],
            5,
            18,
            "community",
        )
        .await;
    let (id, allocation, _) = allocated(app, &service, "routine").await;
    attended(app, &id, &allocation).await;
    // The caseload shows the first measure overdue once the first session has passed.
    let token = app.coordinator_token.clone();
    let caseload = staff_html(
        page(
            app,
            &token,
            Method::GET,
            &format!("/staff/services/{service}"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(caseload.contains("First measure overdue"), "{caseload}");
    // A second young person, allocated but not yet seen: first measure due, not overdue.
    // "Overdue only" lists the first alone, and its paging keeps the filter.
    let (_, waiting_allocation, _) = allocated(app, &service, "routine").await;
    assert!(caseload.contains("Show only overdue outcome measures"));
    let overdue = staff_html(
        page(
            app,
            &token,
            Method::GET,
            &format!("/staff/services/{service}?measures=overdue"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(
        overdue.contains("1 young person whose outcome measure is overdue"),
        "{overdue}"
    );
    let overdue = overdue.split("id=\"caseload\"").nth(1).unwrap();
    assert!(overdue.contains(&format!("allocation={allocation}")));
    assert!(!overdue.contains(&format!("allocation={waiting_allocation}")));
    let everyone = staff_html(
        page(
            app,
            &token,
            Method::GET,
            &format!("/staff/services/{service}"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    let everyone = everyone.split("id=\"caseload\"").nth(1).unwrap();
    assert!(everyone.contains(&format!("allocation={waiting_allocation}")));
    let path = format!("/api/referrals/{id}/allocations/{allocation}/discharge");
    let version = version_of(app, &id).await;
    let refused = post(
        app,
        &path,
        version,
        json!({"reason": "treatment_completed"}),
    )
    .await;
    assert_eq!(
        fields(&problem(refused, 422).await),
        ["without_closing_measure"]
    );
    assert_eq!(version_of(app, &id).await, version, "nothing written");
    let done = post(
        app,
        &path,
        version,
        json!({"reason": "treatment_completed",
               "without_closing_measure": {"reason": "lost_contact"}}),
    )
    .await;
    assert_eq!(done.status(), 200, "{:?}", done.text().await);
    let ended = events(app, &id)
        .await
        .into_iter()
        .find(|e| e["event"]["type"] == "allocation_ended")
        .unwrap();
    assert_eq!(
        ended["event"]["without_closing_measure"]["reason"],
        "lost_contact"
    );
    // The referral page says why, where the service is listed.
    let referral = staff_html(
        page(app, &token, Method::GET, &format!("/staff/referrals/{id}"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        referral.contains("Ended without a closing measure: Contact was lost before the end"),
        "{referral}"
    );
}
on_both_backends!(a_seen_young_person_is_not_discharged_without_a_closing_measure_or_a_reason);

async fn the_discharge_form_asks_why_there_is_no_closing_measure(app: &TestApp) {
    let service = app
        .service(
            "Closing Form Service",
            &["getting_help"],
            5,
            18,
            "community",
        )
        .await;
    let (id, allocation, _) = allocated(app, &service, "routine").await;
    attended(app, &id, &allocation).await;
    let token = app.coordinator_token.clone();
    let version = version_of(app, &id).await;
    let send = |body: String| {
        page(
            app,
            &token,
            Method::POST,
            &format!("/staff/referrals/{id}/discharge"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
    };
    let base = format!(
        "version={version}&discharge-allocation={allocation}&discharge-reason=treatment_completed&discharge-destination=GP&discharge-confirm=yes"
    );
    let asked = staff_html(send(base.clone()).send().await.unwrap(), 422).await;
    assert!(
        asked.contains("no closing outcome measure is recorded since the last session"),
        "{asked}"
    );
    assert!(
        asked.contains("href=\"#discharge-missing-measure\""),
        "linked to the question"
    );
    assert_eq!(version_of(app, &id).await, version, "nothing written");
    let done = send(format!("{base}&discharge-missing-measure=declined"))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    assert!(version_of(app, &id).await > version);
}
on_both_backends!(the_discharge_form_asks_why_there_is_no_closing_measure);

async fn a_young_person_completes_a_measure_once_through_a_link(app: &TestApp) {
    let service = app
        .service("Link Service", &["getting_help"], 5, 18, "community")
        .await;
    let (id, allocation, _) = allocated(app, &service, "routine").await;
    attended(app, &id, &allocation).await;
    let path = format!("/api/referrals/{id}/measure-links");
    let version = version_of(app, &id).await;
    // RCADS's questions are licensed and not shipped; PHQ-9 is for the young person.
    let bad = post(
        app,
        &path,
        version,
        json!({"allocation_id": allocation, "measure": "rcads", "rater": "self"}),
    )
    .await;
    assert_eq!(fields(&problem(bad, 422).await), ["measure"]);
    let bad = post(
        app,
        &path,
        version,
        json!({"allocation_id": allocation, "measure": "phq_9", "rater": "parent"}),
    )
    .await;
    assert_eq!(fields(&problem(bad, 422).await), ["rater"]);
    assert_eq!(version_of(app, &id).await, version);
    let sent = post(
        app,
        &path,
        version,
        json!({"allocation_id": allocation, "measure": "phq_9", "rater": "self"}),
    )
    .await;
    assert_eq!(sent.status(), 201, "{:?}", sent.text().await);
    let sent: Value = sent.json().await.unwrap();
    let link = sent["path"].as_str().unwrap().to_owned();
    assert!(link.starts_with("/measure/") && link.len() == "/measure/".len() + 64);

    // Anyone holding it sees the questions and nothing about the young person.
    let form = app.public(Method::GET, &link).send().await.unwrap();
    assert_eq!(form.status(), 200);
    assert_eq!(form.headers()["referrer-policy"], "no-referrer");
    let form = form.text().await.unwrap();
    assert!(form.contains("Little interest or pleasure in doing things"));
    let referral: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for secret in [
        // The young person's name (`support::referral_body`) and the referral's reference.
        "Amelia",
        "Testperson",
        referral["reference"].as_str().unwrap_or("no reference"),
        "Link Service",
    ] {
        assert!(!form.contains(secret), "{secret} shown through the link");
    }
    // Answers missing: named, nothing recorded.
    let answers = |n: usize| {
        (1..=n)
            .map(|i| format!("item-q{i}=1"))
            .collect::<Vec<_>>()
            .join("&")
    };
    let send = |body: String| {
        app.public(Method::POST, &link)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let partial = send(answers(8)).send().await.unwrap();
    assert_eq!(partial.status(), 422);
    let partial = partial.text().await.unwrap();
    assert!(partial.contains("Answer question 9"), "{partial}");
    assert!(partial.contains("href=\"#item-q9\""));
    let with_link = version_of(app, &id).await;
    assert_eq!(with_link, version + 1, "only the link is in the history");
    // Complete: recorded once (9 answers of 1: PHQ-9 total 9), then a thank-you page.
    // (This client follows the 303.)
    let done = send(answers(9)).send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(done.url().path(), "/measure/done");
    assert!(done
        .text()
        .await
        .unwrap()
        .contains("Your answers have been sent"));
    let history = events(app, &id).await;
    assert!(history
        .iter()
        .any(|e| e["event"]["type"] == "measure_link_sent"));
    let recorded: Vec<&Value> = history
        .iter()
        .filter(|e| e["event"]["type"] == "outcome_recorded")
        .collect();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["event"]["assessment"]["measure"], "phq_9");
    assert_eq!(recorded[0]["event"]["assessment"]["rater"], "self");
    assert_eq!(
        recorded[0]["event"]["assessment"]["scores"][0]["score_tenths"],
        90
    );
    assert_eq!(recorded[0]["actor"], "young person (completion link)");
    // The referral page offers the answers as a FHIR QuestionnaireResponse, and the link
    // works from the signed-in page.
    let token = app.coordinator_token.clone();
    let shown = staff_html(
        page(app, &token, Method::GET, &format!("/staff/referrals/{id}"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    let fhir = format!("/api/referrals/{id}/outcomes/1/fhir");
    assert!(shown.contains(&format!("href=\"{fhir}\"")), "{shown}");
    let response = page(app, &token, Method::GET, &fhir).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(
        body.contains("\"resourceType\":\"QuestionnaireResponse\""),
        "{body}"
    );
    // Used: the same answer for the page and a second send, and nothing more recorded.
    let again = app.public(Method::GET, &link).send().await.unwrap();
    assert_eq!(again.status(), 404);
    let resent = send(answers(9)).send().await.unwrap();
    assert_eq!(resent.status(), 404);
    assert_eq!(version_of(app, &id).await, with_link + 1);

    // A link expires after 14 days.
    let version = version_of(app, &id).await;
    let sent: Value = post(
        app,
        &path,
        version,
        json!({"allocation_id": allocation, "measure": "gad_7", "rater": "self"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let later = sent["path"].as_str().unwrap().to_owned();
    assert_eq!(
        app.public(Method::GET, &later)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    app.advance_clock(jiff::SignedDuration::from_hours(24 * 14 + 1));
    assert_eq!(
        app.public(Method::GET, &later)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // A wrong token looks the same as a used one.
    let wrong = format!("/measure/{}", "0".repeat(64));
    assert_eq!(
        app.public(Method::GET, &wrong)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}
on_both_backends!(a_young_person_completes_a_measure_once_through_a_link);

async fn a_clinician_sends_a_link_from_the_referral_page(app: &TestApp) {
    let service = app
        .service("Link Page Service", &["getting_help"], 5, 18, "community")
        .await;
    let (id, allocation, _) = allocated(app, &service, "routine").await;
    let token = app.coordinator_token.clone();
    let referral = staff_html(
        page(app, &token, Method::GET, &format!("/staff/referrals/{id}"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(referral.contains("id=\"send-measure-link\""));
    let form = staff_html(
        page(
            app,
            &token,
            Method::GET,
            &format!("/staff/referrals/{id}/measure-links/new"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(form.contains("<option value=\"phq_9\""));
    assert!(
        !form.contains("<option value=\"rcads\""),
        "licensed questions"
    );
    assert!(form.contains("Cancel: back to the referral"));
    let version = version_of(app, &id).await;
    let send = |body: String| {
        page(
            app,
            &token,
            Method::POST,
            &format!("/staff/referrals/{id}/measure-links"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
    };
    let missing = staff_html(
        send(format!(
            "version={version}&allocation={allocation}&measure=phq_9"
        ))
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(missing.contains("Choose who the link is for"));
    let ready = staff_html(
        send(format!(
            "version={version}&allocation={allocation}&measure=phq_9&rater=self"
        ))
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(ready.contains("/measure/"), "{ready}");
    assert!(ready.contains("Link ready to send"));
    let referral = staff_html(
        page(app, &token, Method::GET, &format!("/staff/referrals/{id}"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(referral.contains("Measure link sent"), "in the timeline");
}
on_both_backends!(a_clinician_sends_a_link_from_the_referral_page);
