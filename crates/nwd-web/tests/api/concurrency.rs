//! Nothing accepted is lost and nothing is silently overwritten: idempotent creation under
//! concurrent double-submits, and optimistic concurrency on referral changes.

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{problem, referral_body, TestApp};

async fn many_identical_submissions_create_one_referral(app: &TestApp) {
    let body = referral_body(Some("9990000050"), "routine");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let request = app
            .staff(Method::POST, "/api/referrals")
            .header("Idempotency-Key", "form-7f3a")
            .json(&body);
        tasks.push(tokio::spawn(async move { request.send().await.unwrap() }));
    }
    let mut ids = Vec::new();
    let mut created = 0;
    for task in tasks {
        let response = task.await.unwrap();
        let status = response.status().as_u16();
        assert!(status == 201 || status == 200, "status {status}");
        if status == 201 {
            created += 1;
        }
        let body: Value = response.json().await.unwrap();
        ids.push(body["referral"]["id"].as_str().unwrap().to_string());
    }
    assert_eq!(created, 1);
    ids.dedup();
    assert_eq!(
        ids.len(),
        1,
        "all submissions answer with the same referral"
    );
    assert_eq!(app.count("referrals").await, 1);
    assert_eq!(app.count("persons").await, 1);

    // The same key with a different body is refused.
    let mut other = body.clone();
    other["priority"] = json!("urgent");
    let response = app
        .staff(Method::POST, "/api/referrals")
        .header("Idempotency-Key", "form-7f3a")
        .json(&other)
        .send()
        .await
        .unwrap();
    let problem = problem(response, 422).await;
    assert!(problem["type"]
        .as_str()
        .unwrap()
        .ends_with("idempotency-key-reused"));
    assert_eq!(app.count("referrals").await, 1);
}
on_both_backends!(many_identical_submissions_create_one_referral);

async fn two_staff_editing_one_referral_cannot_overwrite_each_other(app: &TestApp) {
    let service = app
        .service(
            "Community CYPMHS",
            &["getting_help", "getting_advice"],
            0,
            17,
            "community",
        )
        .await;
    let created = app.school_referral(Some("9990000069"), "routine").await;
    let id = created["referral"]["id"].as_str().unwrap().to_string();
    let triage = |group: &str| {
        json!({"need_group": group, "risk": "low", "rationale": format!("{group} by one clinician"),
               "destinations": [{"type": "allocate", "service_id": service}]})
    };
    // Both read version 1, both act on it at once.
    let mut tasks = Vec::new();
    for group in [
        "getting_help",
        "getting_advice",
        "getting_help",
        "getting_advice",
        "getting_help",
        "getting_advice",
    ] {
        let request = app
            .staff(Method::POST, &format!("/api/referrals/{id}/triage"))
            .header("If-Match", "\"1\"")
            .json(&triage(group));
        tasks.push(tokio::spawn(async move { request.send().await.unwrap() }));
    }
    let mut ok = 0;
    let mut conflicts = Vec::new();
    for task in tasks {
        let response = task.await.unwrap();
        match response.status().as_u16() {
            200 => ok += 1,
            412 => conflicts.push(response.json::<Value>().await.unwrap()),
            other => panic!("unexpected {other}: {}", response.text().await.unwrap()),
        }
    }
    assert_eq!(ok, 1, "exactly one edit wins");
    assert_eq!(conflicts.len(), 5);
    // A conflict says what changed (when it could see the winner's events).
    let described = conflicts
        .iter()
        .filter(|c| {
            c["changes"]
                .as_array()
                .is_some_and(|a| a.iter().any(|e| e["event_type"] == "triaged"))
        })
        .count();
    assert!(described >= 1, "{conflicts:?}");
    assert!(conflicts
        .iter()
        .all(|c| c["current_version"].as_u64().is_some_and(|v| v > 1)));
    let events: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["event"]["type"] == "triaged")
            .count(),
        1
    );

    // A late edit on the old version: 412 with what changed, and its ETag; nothing saved.
    let response = app
        .staff(Method::POST, &format!("/api/referrals/{id}/decline"))
        .header("If-Match", "\"1\"")
        .json(&json!({"reason": "no longer wanted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["etag"], "\"3\"");
    let body = problem(response, 412).await;
    let changed: Vec<&str> = body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(changed, ["triaged", "allocated"]);
    assert_eq!(body["changes"][0]["actor"], "user:test.coordinator");
    // Without If-Match: 428.
    let response = app
        .staff(Method::POST, &format!("/api/referrals/{id}/decline"))
        .json(&json!({"reason": "x"}))
        .send()
        .await
        .unwrap();
    problem(response, 428).await;
    let referral: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(referral["version"], 3);
    assert_eq!(referral["status"], "open");
}
on_both_backends!(two_staff_editing_one_referral_cannot_overwrite_each_other);
