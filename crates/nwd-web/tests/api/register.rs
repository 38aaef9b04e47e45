//! The person register: review, merge and unmerge through the API.

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{problem, referral_body, TestApp};

async fn get(app: &TestApp, path: &str) -> Value {
    let response = app.staff(Method::GET, path).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.staff(Method::POST, path)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn a_doubtful_match_is_reviewed_linked_and_unlinked_exactly(app: &TestApp) {
    let first = app.school_referral(Some("9990000077"), "routine").await;
    let registered = first["referral"]["person_id"].as_str().unwrap().to_string();

    // The same number with the same date of birth: the deterministic rule links.
    let mut gp = referral_body(Some("9990000077"), "routine");
    gp["source"] = json!("gp");
    gp["person"]["family_name"] = json!("Testperson-Okoro");
    let linked: Value = post(app, "/api/referrals", gp).await.json().await.unwrap();
    assert_eq!(linked["match_band"], "auto");
    assert_eq!(linked["referral"]["person_id"], registered.as_str());

    // The same number but a different birth date and family name: a person must decide.
    let mut doubtful = referral_body(Some("9990000077"), "routine");
    doubtful["person"]["family_name"] = json!("Differentname");
    doubtful["person"]["date_of_birth"] = json!("2013-09-01");
    let received: Value = post(app, "/api/referrals", doubtful)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(received["match_band"], "review");
    let referral_id = received["referral"]["id"].as_str().unwrap().to_string();
    let provisional = received["referral"]["person_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(
        provisional, registered,
        "received against a provisional record, never blocked"
    );

    let queue = get(app, "/api/match-reviews").await;
    assert_eq!(queue.as_array().unwrap().len(), 1);
    let review = &queue[0];
    assert_eq!(review["referral_id"], referral_id.as_str());
    assert_eq!(review["person"]["id"], provisional.as_str());
    // Side by side: the candidate's record and the explanation of why it was proposed.
    assert_eq!(review["candidates"][0][0]["person_id"], registered.as_str());
    assert_eq!(review["candidates"][0][1]["family_name"], "Testperson");
    let review_id = review["id"].as_str().unwrap().to_string();

    // Deciding needs the version read and a reason.
    let response = post(app, &format!("/api/match-reviews/{review_id}/decision"), json!({"decision": "link", "person_id": registered, "reason": "Confirmed with the school: same child"})).await;
    problem(response, 428).await;
    let response = app
        .staff(
            Method::POST,
            &format!("/api/match-reviews/{review_id}/decision"),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({"decision": "link", "person_id": registered, "reason": ""}))
        .send()
        .await
        .unwrap();
    problem(response, 422).await;
    let response = app
        .staff(Method::POST, &format!("/api/match-reviews/{review_id}/decision"))
        .header("If-Match", "\"1\"")
        .json(&json!({"decision": "link", "person_id": registered, "reason": "Confirmed with the school: same child"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let decided: Value = response.json().await.unwrap();
    assert_eq!(decided["status"], "linked");
    assert!(get(app, "/api/match-reviews")
        .await
        .as_array()
        .unwrap()
        .is_empty());

    // The referral now belongs to the registered person, recorded as an event.
    let referral = get(app, &format!("/api/referrals/{referral_id}")).await;
    assert_eq!(referral["person_id"], registered.as_str());
    let history = get(app, &format!("/api/persons/{registered}/history")).await;
    assert_eq!(history["referral_ids"].as_array().unwrap().len(), 3);
    let merge_id = history["merges"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(history["merges"][0]["merged_id"], provisional.as_str());
    assert_eq!(history["merges"][0]["merged_by"], "user:test.coordinator");
    let merged = get(app, &format!("/api/persons/{provisional}/history")).await;
    assert_eq!(merged["merged_into"], registered.as_str());

    // Unmerge restores exactly the referral that moved, and nothing else.
    let response = post(
        app,
        &format!("/api/person-merges/{merge_id}/unmerge"),
        json!({"reason": "School confirmed a different child"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let referral = get(app, &format!("/api/referrals/{referral_id}")).await;
    assert_eq!(referral["person_id"], provisional.as_str());
    let history = get(app, &format!("/api/persons/{registered}/history")).await;
    assert_eq!(history["referral_ids"].as_array().unwrap().len(), 2);
    assert!(history["merges"][0]["unmerged_at"].is_string());
    let events = get(app, &format!("/api/referrals/{referral_id}/events")).await;
    let types: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["received", "person_relinked", "person_relinked"]);
    assert_eq!(
        events[1]["event"]["reason"],
        "Confirmed with the school: same child"
    );
    // Undoing twice is refused.
    let response = post(
        app,
        &format!("/api/person-merges/{merge_id}/unmerge"),
        json!({"reason": "again"}),
    )
    .await;
    problem(response, 409).await;

    // Recorded as not the same person: a merge is then refused.
    let response = post(app, &format!("/api/persons/{registered}/not-same"), json!({"other_id": provisional, "reason": "Different children, same number typed in error"})).await;
    assert_eq!(response.status(), 204);
    let response = post(
        app,
        &format!("/api/persons/{registered}/merge"),
        json!({"merged_id": provisional, "reason": "Looks like the same child"}),
    )
    .await;
    let body = problem(response, 409).await;
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("not the same person"));
}
on_both_backends!(a_doubtful_match_is_reviewed_linked_and_unlinked_exactly);

fn child(given: &str, family: &str, born: &str, address: &str) -> Value {
    let mut body = referral_body(None, "routine");
    body["person"] = json!({
        "given_name": given, "family_name": family, "date_of_birth": born,
        "sex": "female", "postcode": "ME14 2QT", "address": address
    });
    body
}

async fn the_same_child_without_an_nhs_number_is_matched_and_siblings_and_twins_are_not(
    app: &TestApp,
) {
    let first: Value = post(
        app,
        "/api/referrals",
        child(
            "Elizabeth",
            "Hartwell",
            "2011-04-09",
            "14 Synthetic Road, Maidstone",
        ),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(first["match_band"], "new");
    let registered = first["referral"]["person_id"].as_str().unwrap().to_string();
    // Her GP refers her two days later by her nickname, with the address written differently.
    let mut gp = child("Liz", "Hartwell", "2011-04-09", "14 Synthetic Rd Maidstone");
    gp["source"] = json!("gp");
    let gp: Value = post(app, "/api/referrals", gp).await.json().await.unwrap();
    assert_eq!(gp["match_band"], "auto", "{gp}");
    assert_eq!(gp["referral"]["person_id"], registered.as_str());
    // Her brother, same home and family name: never linked to her.
    let brother: Value = post(
        app,
        "/api/referrals",
        child(
            "Thomas",
            "Hartwell",
            "2008-11-30",
            "14 Synthetic Road, Maidstone",
        ),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_ne!(brother["match_band"], "auto");
    assert_ne!(brother["referral"]["person_id"], registered.as_str());
    // Her twin sister, same date of birth: a person must look, never auto-linked.
    let twin: Value = post(
        app,
        "/api/referrals",
        child(
            "Harriet",
            "Hartwell",
            "2011-04-09",
            "14 Synthetic Road, Maidstone",
        ),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_ne!(twin["match_band"], "auto", "{twin}");
    assert_ne!(twin["referral"]["person_id"], registered.as_str());
    // The decision and its explanation are stored with the referral: visible in review.
    if twin["match_band"] == "review" {
        let queue = get(app, "/api/match-reviews").await;
        let item = queue
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["referral_id"] == twin["referral"]["id"])
            .unwrap();
        assert!(item["candidates"][0][0]["explanation"]["comparisons"]
            .as_array()
            .is_some_and(|c| !c.is_empty()));
    }
}
on_both_backends!(
    the_same_child_without_an_nhs_number_is_matched_and_siblings_and_twins_are_not,
    matching
);
