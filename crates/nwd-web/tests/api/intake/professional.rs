//! Professional referrals and advice requests: received with their history, one person by two
//! doors, staff routes that need to know who is acting.

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{problem, referral_body, TestApp};

async fn a_school_referral_is_received_with_its_history(app: &TestApp) {
    let created = app.school_referral(Some("999 000 0018"), "routine").await;
    let referral = &created["referral"];
    assert_eq!(referral["status"], "awaiting_triage");
    assert_eq!(referral["source"], "school");
    assert_eq!(referral["reasons"], json!(["anxiety", "self_harm"]));
    assert_eq!(created["existing_person"], false);
    assert!(created["reference"].as_str().unwrap().starts_with("NWD-"));
    let id = referral["id"].as_str().unwrap();

    let response = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["etag"], "\"1\"");
    let read: Value = response.json().await.unwrap();
    assert_eq!(&read, referral);

    let events: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(events.as_array().unwrap().len(), 1);
    assert_eq!(events[0]["event"]["type"], "received");
    assert_eq!(events[0]["actor"], "user:test.coordinator");

    let person: Value = app
        .staff(
            Method::GET,
            &format!("/api/persons/{}", referral["person_id"].as_str().unwrap()),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(person["nhs_number"], "9990000018");
    assert_eq!(person["postcode"], "ME14 1XX");
}
on_both_backends!(a_school_referral_is_received_with_its_history);

async fn the_same_child_by_two_doors_is_one_person(app: &TestApp) {
    let school = app.school_referral(Some("9990000018"), "routine").await;
    let mut gp = referral_body(Some("999-000-0018"), "urgent");
    gp["source"] = json!("gp");
    let gp: Value = app
        .staff(Method::POST, "/api/referrals")
        .json(&gp)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(gp["existing_person"], true);
    assert_eq!(gp["referral"]["person_id"], school["referral"]["person_id"]);
    // Without an NHS number the foundation does not guess: a new person (the matcher will).
    let unknown = app.school_referral(None, "routine").await;
    assert_ne!(
        unknown["referral"]["person_id"],
        school["referral"]["person_id"]
    );
    assert_eq!(app.count("persons").await, 2);
    let page: Value = app
        .staff(Method::GET, "/api/referrals?nhs_number=9990000018")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
}
on_both_backends!(the_same_child_by_two_doors_is_one_person);

async fn staff_routes_need_to_know_who_is_acting(app: &TestApp) {
    let response = app
        .public(Method::POST, "/api/referrals")
        .json(&referral_body(None, "routine"))
        .send()
        .await
        .unwrap();
    let body = problem(response, 401).await;
    assert!(body["detail"].as_str().unwrap().contains("sign in"));
    assert_eq!(app.count("referrals").await, 0);
    let response = app
        .public(Method::GET, "/api/referrals")
        .send()
        .await
        .unwrap();
    problem(response, 401).await;
}
on_both_backends!(staff_routes_need_to_know_who_is_acting);

async fn an_advice_request_closes_with_advice_given(app: &TestApp) {
    let mut body = referral_body(None, "routine");
    body["kind"] = json!("advice_request");
    let created: Value = app
        .staff(Method::POST, "/api/referrals")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["referral"]["id"].as_str().unwrap();
    let service = app
        .service("Community CYPMHS", &["getting_help"], 0, 17, "community")
        .await;
    // Allocation is refused: an advice request opens no episode.
    let refused = app
        .staff(Method::POST, &format!("/api/referrals/{id}/triage"))
        .header("If-Match", "\"1\"")
        .json(&json!({"need_group": "getting_advice", "risk": "low", "rationale": "Consultation", "destinations": [{"type": "allocate", "service_id": service}]}))
        .send()
        .await
        .unwrap();
    let body = problem(refused, 422).await;
    assert_eq!(body["errors"][0]["field"], "destinations[0]");
    let done = app
        .staff(Method::POST, &format!("/api/referrals/{id}/triage"))
        .header("If-Match", "\"1\"")
        .json(&json!({"need_group": "getting_advice", "risk": "low", "rationale": "Consultation with the school", "destinations": [{"type": "advice_given", "summary": "Suggested a graded exposure plan with the SENCo"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let done: Value = done.json().await.unwrap();
    assert_eq!(done["referral"]["status"], "closed");
    assert_eq!(
        done["referral"]["closure"]["destination"]["type"],
        "advice_given"
    );
}
on_both_backends!(an_advice_request_closes_with_advice_given);
