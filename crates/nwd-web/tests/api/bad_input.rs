//! Bad input, route by route: a problem body that names each field and says what to do, and
//! nothing written.

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{fields, problem, referral_body, service_body, TestApp};

const TABLES: &[&str] = &[
    "organisations",
    "services",
    "persons",
    "referrals",
    "referral_events",
    "allocations",
    "contacts",
];

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in TABLES {
        out.push(app.count(table).await);
    }
    out
}

async fn intake_reports_every_invalid_field_and_writes_nothing(app: &TestApp) {
    let before = counts(app).await;
    let mut body = referral_body(Some("999 123 4560"), "asap");
    body["person"]["postcode"] = json!("NOT A POSTCODE");
    body["person"]["date_of_birth"] = json!("17/05/2012");
    body["source"] = json!("carrier_pigeon");
    body["reasons"] = json!(["anxiety", "feeling_meh"]);
    let response = app
        .staff(Method::POST, "/api/referrals")
        .json(&body)
        .send()
        .await
        .unwrap();
    let p = problem(response, 422).await;
    let f = fields(&p);
    for expected in [
        "person.nhs_number",
        "person.date_of_birth",
        "person.postcode",
        "source",
        "priority",
        "reasons[1]",
    ] {
        assert!(
            f.contains(&expected.to_string()),
            "missing {expected} in {f:?}"
        );
    }
    let nhs_message = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "person.nhs_number")
        .unwrap();
    assert!(nhs_message["message"]
        .as_str()
        .unwrap()
        .contains("check digit"));
    assert_eq!(counts(app).await, before);

    // Domain rules too: too old, nothing in presenting needs, received in the future.
    let mut body = referral_body(None, "routine");
    body["person"]["date_of_birth"] = json!("1990-01-01");
    body["presenting_needs"] = json!("  ");
    body["received_at"] = json!("2999-01-01T00:00:00Z");
    let response = app
        .staff(Method::POST, "/api/referrals")
        .json(&body)
        .send()
        .await
        .unwrap();
    let p = problem(response, 422).await;
    let f = fields(&p);
    for expected in ["person.date_of_birth", "presenting_needs", "received_at"] {
        assert!(
            f.contains(&expected.to_string()),
            "missing {expected} in {f:?}"
        );
    }
    // Malformed JSON and the wrong content type are problems too.
    let response = app
        .staff(Method::POST, "/api/referrals")
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    problem(response, 400).await;
    let response = app
        .staff(Method::POST, "/api/referrals")
        .body("source=school")
        .send()
        .await
        .unwrap();
    problem(response, 400).await;
    let response = app
        .public(Method::POST, "/api/self-referrals")
        .json(&json!({"who": "neighbour"}))
        .send()
        .await
        .unwrap();
    let p = problem(response, 422).await;
    assert!(fields(&p).contains(&"who".to_string()));
    assert_eq!(counts(app).await, before);
}
on_both_backends!(intake_reports_every_invalid_field_and_writes_nothing);

async fn every_command_route_refuses_bad_input_and_writes_nothing(app: &TestApp) {
    let service = app
        .service("Community CYPMHS", &["getting_help"], 0, 17, "community")
        .await;
    let created = app.school_referral(Some("9990000042"), "routine").await;
    let id = created["referral"]["id"].as_str().unwrap().to_string();
    let before = counts(app).await;
    let zero = "00000000-0000-0000-0000-000000000000";
    // (route, body, expected status, a field or detail fragment)
    let cases: Vec<(String, Value, u16, &str)> = vec![
        (
            format!("/api/referrals/{id}/triage"),
            json!({"need_group": "getting_help", "risk": "low", "rationale": "", "destinations": []}),
            422,
            "destinations",
        ),
        (
            format!("/api/referrals/{id}/triage"),
            json!({"need_group": "getting_help", "risk": "low", "rationale": "r", "destinations": [{"type": "allocate", "service_id": zero}]}),
            422,
            "destinations[0].service_id",
        ),
        (
            format!("/api/referrals/{id}/triage"),
            json!({"need_group": "tier_3", "risk": "low", "rationale": "r", "destinations": []}),
            422,
            "need_group",
        ),
        (
            format!("/api/referrals/{id}/competence"),
            json!({"competent": true, "assessed_by": "", "rationale": ""}),
            422,
            "assessed_by",
        ),
        (
            format!("/api/referrals/{id}/allocations"),
            json!({"service_id": service, "reason": "x"}),
            409,
            "not been triaged",
        ),
        (
            format!("/api/referrals/{id}/contacts"),
            json!({"allocation_id": zero, "at": "2026-01-01T00:00:00Z", "status": "attended", "mechanism": "face_to_face", "clinician": "c", "duration_minutes": 30}),
            404,
            "allocation",
        ),
        (
            format!("/api/referrals/{id}/contacts/{zero}/outcome"),
            json!({"status": "attended"}),
            404,
            "contact",
        ),
        (
            format!("/api/referrals/{id}/step"),
            json!({"direction": "up", "to": "getting_more_help", "reason": "r"}),
            409,
            "not been triaged",
        ),
        (
            format!("/api/referrals/{id}/transition"),
            json!({"allocation_id": zero, "outcome": "gp", "need_group": "getting_help"}),
            404,
            "allocation",
        ),
        (
            format!("/api/referrals/{id}/allocations/{zero}/discharge"),
            json!({"reason": "treatment_completed"}),
            404,
            "allocation",
        ),
        (
            format!("/api/referrals/{id}/decline"),
            json!({"reason": ""}),
            422,
            "reason",
        ),
        (
            format!("/api/referrals/{zero}/decline"),
            json!({"reason": "r"}),
            404,
            "referral",
        ),
        (
            "/api/organisations".to_string(),
            json!({"name": "", "kind": "nhs_trust"}),
            422,
            "name",
        ),
        (
            "/api/services".to_string(),
            json!({"organisation_id": zero, "name": "", "need_groups": [], "age_from": 5, "age_to": 30, "team_type": "community", "delivery_modes": [], "self_referral": true, "capacity": {"clinician_wte": 1.0, "slots_per_week": 1}}),
            422,
            "age_to",
        ),
    ];
    for (path, body, status, fragment) in cases {
        let response = app
            .staff(Method::POST, &path)
            .header("If-Match", "\"1\"")
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem(response, status).await;
        let text = p.to_string();
        assert!(
            text.contains(fragment),
            "{path}: expected {fragment:?} in {text}"
        );
        assert_eq!(counts(app).await, before, "{path} wrote something");
    }
    // PUT routes: a valid organisation id but invalid details.
    let org: Value = app
        .public(Method::GET, "/api/organisations")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let org_id = org[0]["id"].as_str().unwrap();
    let response = app
        .staff(Method::PUT, &format!("/api/organisations/{org_id}"))
        .header("If-Match", "\"1\"")
        .json(&json!({"name": "x", "kind": "spaceship"}))
        .send()
        .await
        .unwrap();
    let p = problem(response, 422).await;
    assert_eq!(fields(&p), ["kind"]);
    let mut bad_service = service_body(org_id, "Renamed", &["getting_help"], 0, 17, "community");
    bad_service["areas"] = json!(["me14"]);
    let response = app
        .staff(Method::PUT, &format!("/api/services/{service}"))
        .header("If-Match", "\"1\"")
        .json(&bad_service)
        .send()
        .await
        .unwrap();
    let p = problem(response, 422).await;
    assert!(fields(&p).contains(&"areas[0]".to_string()));
    // Query parameters.
    let response = app
        .staff(Method::GET, "/api/referrals?status=lost&limit=0")
        .send()
        .await
        .unwrap();
    let p = problem(response, 422).await;
    assert_eq!(fields(&p), ["status", "limit"]);
    let response = app
        .public(Method::GET, "/api/services?age=40")
        .send()
        .await
        .unwrap();
    problem(response, 422).await;
    assert_eq!(counts(app).await, before);
    let referral: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(referral["version"], 1);
}
on_both_backends!(every_command_route_refuses_bad_input_and_writes_nothing);
