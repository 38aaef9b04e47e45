//! Walkthrough: a school referral from intake to a named destination, through the API.

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{problem, TestApp};

async fn post(app: &TestApp, path: &str, version: u64, body: Value) -> Value {
    let response = app
        .staff(Method::POST, path)
        .header("If-Match", format!("\"{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{path}: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn a_school_referral_goes_from_intake_to_a_named_destination(app: &TestApp) {
    let community = app
        .service(
            "Community CYPMHS",
            &["getting_help", "getting_more_help"],
            0,
            17,
            "community",
        )
        .await;
    let specialist = app
        .service(
            "Intensive support",
            &["getting_more_help"],
            0,
            17,
            "community",
        )
        .await;
    let created = app.school_referral(Some("9990000026"), "urgent").await;
    let id = created["referral"]["id"].as_str().unwrap().to_string();

    // Triage: Getting Help at the community service, and a signposting alongside.
    let triaged = post(
        app,
        &format!("/api/referrals/{id}/triage"),
        1,
        json!({
            "need_group": "getting_help", "risk": "medium", "rationale": "Anxiety affecting attendance",
            "preference": "Face to face after school",
            "destinations": [
                {"type": "allocate", "service_id": community},
                {"type": "signpost", "name": "Synthetic youth counselling", "warm_handover": true,
                 "handover_note": "Spoke to the duty worker; they will call the family this week."}
            ]
        }),
    )
    .await;
    let referral = &triaged["referral"];
    assert_eq!(referral["status"], "open");
    let allocation = referral["allocations"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The clock starts when the referral was received, not when it was triaged.
    assert_eq!(
        referral["allocations"][0]["clock_start"],
        referral["received_at"]
    );
    let version = referral["version"].as_u64().unwrap();

    // The waiting list shows the wait against the community standard (4 weeks).
    let list: Value = app
        .staff(
            Method::GET,
            &format!("/api/services/{community}/waiting-list"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    assert_eq!(list["entries"][0]["allocation_id"], allocation);
    assert_eq!(list["entries"][0]["days_waited"], 0);
    assert_eq!(list["entries"][0]["standard"], "Community CYP: 4 weeks");
    assert_eq!(list["entries"][0]["breached"], false);

    // First contact attended: off the waiting list.
    let now = jiff::Timestamp::now().to_string();
    let seen = post(
        app,
        &format!("/api/referrals/{id}/contacts"),
        version,
        json!({"allocation_id": allocation, "at": now, "status": "attended", "mechanism": "face_to_face", "clinician": "C. Therapist", "duration_minutes": 50}),
    )
    .await;
    let version = seen["referral"]["version"].as_u64().unwrap();
    let list: Value = app
        .staff(
            Method::GET,
            &format!("/api/services/{community}/waiting-list"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
    let waits: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}/waits"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(waits["to_first_contact_days"], 0);
    assert!(waits["to_second_contact_days"].is_null());
    let service_waits: Value = app
        .staff(Method::GET, &format!("/api/services/{community}/waits"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(service_waits["allocations"], 1);
    assert_eq!(service_waits["still_waiting"], 0);
    assert_eq!(service_waits["to_first_contact_days"]["count"], 1);
    assert_eq!(service_waits["to_first_contact_days"]["median"], 0.0);
    assert_eq!(service_waits["referral_to_triage_hours"]["count"], 1);
    assert_eq!(service_waits["seen_within_standard_percent"], 100.0);

    // Step up: the community allocation ends, the specialist one starts with a new clock.
    let stepped = post(
        app,
        &format!("/api/referrals/{id}/step"),
        version,
        json!({"direction": "up", "to": "getting_more_help", "reason": "Self-harm escalated", "end_allocations": [allocation], "allocate": [specialist]}),
    )
    .await;
    let referral = &stepped["referral"];
    assert_eq!(referral["need_group"], "getting_more_help");
    assert_eq!(referral["step_count"], 1);
    let new_allocation = referral["allocations"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(
        referral["allocations"][1]["clock_start"],
        referral["received_at"]
    );
    let list: Value = app
        .staff(
            Method::GET,
            &format!("/api/services/{specialist}/waiting-list"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    let version = referral["version"].as_u64().unwrap();

    // Discharge from the last allocation: closed, naming where the young person went.
    let closed = post(
        app,
        &format!("/api/referrals/{id}/allocations/{new_allocation}/discharge"),
        version,
        json!({"reason": "treatment_completed", "note": "Goals met"}),
    )
    .await;
    let referral = &closed["referral"];
    assert_eq!(referral["status"], "closed");
    assert_eq!(referral["closure"]["destination"]["type"], "allocated");
    assert_eq!(
        referral["closure"]["destination"]["service_ids"],
        json!([community, specialist])
    );

    // The whole history: every change an event with who and when.
    let events: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let types: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "received",
            "triaged",
            "allocated",
            "signposted",
            "contact_recorded",
            "need_group_changed",
            "allocation_ended",
            "allocated",
            "allocation_ended",
            "closed"
        ]
    );
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor"] == "user:test.coordinator"));

    // A closed referral cannot be changed; nothing is written.
    let refused = app
        .staff(Method::POST, &format!("/api/referrals/{id}/decline"))
        .header("If-Match", format!("\"{}\"", referral["version"]))
        .json(&json!({"reason": "changed mind"}))
        .send()
        .await
        .unwrap();
    let body = problem(refused, 409).await;
    assert!(body["detail"].as_str().unwrap().contains("closed"));
    assert_eq!(app.count("referral_events").await, 10);

    // The searches see it closed with its destination.
    let page: Value = app
        .staff(Method::GET, "/api/referrals?status=closed")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"][0]["destination_kind"], "allocated");
}
on_both_backends!(a_school_referral_goes_from_intake_to_a_named_destination);

async fn contacts_count_for_the_access_measures(app: &TestApp) {
    let service = app
        .service("Wellbeing service", &["getting_help"], 5, 17, "community")
        .await;
    let created = app.school_referral(Some("9990000034"), "routine").await;
    let id = created["referral"]["id"].as_str().unwrap();
    let triaged = post(app, &format!("/api/referrals/{id}/triage"), 1, json!({"need_group": "getting_help", "risk": "low", "rationale": "r", "destinations": [{"type": "allocate", "service_id": service}]})).await;
    let allocation = triaged["referral"]["allocations"][0]["id"]
        .as_str()
        .unwrap();
    let mut version = triaged["referral"]["version"].as_u64().unwrap();
    for mechanism in ["face_to_face", "video"] {
        let changed = post(app, &format!("/api/referrals/{id}/contacts"), version, json!({"allocation_id": allocation, "at": jiff::Timestamp::now().to_string(), "status": "attended", "mechanism": mechanism, "clinician": "C", "duration_minutes": 30})).await;
        version = changed["referral"]["version"].as_u64().unwrap();
    }
    let measures: Value = app
        .staff(Method::GET, "/api/measures/access")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(measures["mhs95_one_contact"], 1);
    assert_eq!(measures["mhs69_two_contacts"], 1);
}
on_both_backends!(contacts_count_for_the_access_measures);
