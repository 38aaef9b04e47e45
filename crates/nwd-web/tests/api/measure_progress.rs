//! A young person's own scores on their status link (issue 19), on both databases: shown only
//! where their service chooses to share progress.

use reqwest::Method;
use serde_json::{json, Value};

use crate::measure_links::{attended, post, version_of};
use crate::on_both_backends;
use crate::support::{service_body, TestApp};

async fn a_self_referrer_sees_their_own_scores_only_where_the_service_shares_them(app: &TestApp) {
    let org: Value = app
        .staff(Method::POST, "/api/organisations")
        .json(&json!({"name": "Sharing provider", "kind": "nhs_trust"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut body = service_body(
        org["id"].as_str().unwrap(),
        "Sharing Service",
        &["getting_help"],
        5,
        25,
        "community",
    );
    body["measurement"] = json!({"share_progress": true});
    let created = app
        .staff(Method::POST, "/api/services")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let service: Value = created.json().await.unwrap();
    let service = service["id"].as_str().unwrap().to_owned();
    let response = app
        .public(Method::POST, "/api/self-referrals")
        .json(&json!({
            "who": "young_person",
            "person": {"given_name": "Synthia", "family_name": "Testshare", "date_of_birth": "2009-04-09",
                        "nhs_number": "999 000 0026", "postcode": "ME14 1XX"},
            "presenting_needs": "I feel low.",
            "reasons": ["depression"],
            "contact": {"name": "Synthia Testshare", "phone": "07700 900982"},
            "consent_to_share": ["GP"]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let receipt: Value = response.json().await.unwrap();
    let status_token = receipt["status_token"].as_str().unwrap().to_owned();
    let (id, _) = app.received(&receipt).await;
    let triaged = post(
        app,
        &format!("/api/referrals/{id}/triage"),
        1,
        json!({"need_group": "getting_help", "risk": "low", "rationale": "Low mood",
               "destinations": [{"type": "allocate", "service_id": service}]}),
    )
    .await;
    assert_eq!(triaged.status(), 200, "{:?}", triaged.text().await);
    let triaged: Value = triaged.json().await.unwrap();
    let allocation = triaged["referral"]["allocations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    attended(app, &id, &allocation).await;
    let version = version_of(app, &id).await;
    let recorded = post(
        app,
        &format!("/api/referrals/{id}/outcomes"),
        version,
        json!({"allocation_id": allocation, "measure": "phq_9", "rater": "self",
               "scores": [{"scale": "total", "score": 17}]}),
    )
    .await;
    assert_eq!(recorded.status(), 200);
    let status: Value = app
        .public(Method::GET, &format!("/api/status/{status_token}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        status["progress"][0]["measure"],
        "Patient Health Questionnaire (PHQ-9)"
    );
    assert_eq!(status["progress"][0]["scores"][0][1], "17");
    let page = app
        .public(Method::GET, &format!("/status/{status_token}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Your questionnaires"), "{page}");
    // A service that does not share: nothing shown.
    let mut details: Value = app
        .staff(Method::GET, &format!("/api/services/{service}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let version = details["version"].clone();
    details["measurement"]["share_progress"] = json!(false);
    let mut put = details.clone();
    if let Some(map) = put.as_object_mut() {
        map.remove("id");
        map.remove("version");
    }
    let changed = app
        .staff(Method::PUT, &format!("/api/services/{service}"))
        .header("If-Match", format!("\"{}\"", version.as_u64().unwrap_or(1)))
        .json(&put)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200, "{:?}", changed.text().await);
    let status: Value = app
        .public(Method::GET, &format!("/api/status/{status_token}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["progress"], json!([]));
}
on_both_backends!(a_self_referrer_sees_their_own_scores_only_where_the_service_shares_them);
