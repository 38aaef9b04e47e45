//! The service directory through the API.

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{problem, service_body, TestApp};

async fn services_are_created_searched_and_updated_with_versions(app: &TestApp) {
    let org: Value = app
        .staff(Method::POST, "/api/organisations")
        .json(&json!({"name": "Synthetic Voluntary Group", "kind": "voluntary_community"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let org_id = org["id"].as_str().unwrap();
    let mut counselling = service_body(
        org_id,
        "Youth counselling",
        &["getting_advice", "getting_help"],
        11,
        25,
        "community",
    );
    counselling["areas"] = json!(["CT1", "CT2"]);
    counselling["delivery_modes"] = json!(["face_to_face", "text"]);
    let created: Value = app
        .staff(Method::POST, "/api/services")
        .json(&counselling)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["version"], 1);
    // No standards given: the team type's defaults from configuration, with their source.
    assert_eq!(created["standards"][0]["name"], "Community CYP: 4 weeks");
    assert!(!created["standards"][0]["source"]
        .as_str()
        .unwrap()
        .is_empty());
    let mut ed = service_body(
        org_id,
        "Eating disorders",
        &["getting_more_help"],
        0,
        17,
        "eating_disorder",
    );
    ed["self_referral"] = json!(false);
    let ed: Value = app
        .staff(Method::POST, "/api/services")
        .json(&ed)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ed["standards"][0]["target"], json!({"days": 7}));

    let search = |query: &'static str| {
        let request = app.public(Method::GET, &format!("/api/services?{query}"));
        async move {
            let list: Value = request.send().await.unwrap().json().await.unwrap();
            list.as_array()
                .unwrap()
                .iter()
                .map(|s| s["name"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        search("need_group=getting_advice").await,
        ["Youth counselling"]
    );
    assert_eq!(search("age=20").await, ["Youth counselling"]);
    assert_eq!(search("age=8").await, ["Eating disorders"]);
    assert_eq!(search("postcode=CT2%203AB").await, ["Youth counselling"]);
    assert_eq!(search("postcode=ME14").await, ["Eating disorders"]);
    assert_eq!(search("delivery_mode=text").await, ["Youth counselling"]);
    assert_eq!(search("self_referral=true").await, ["Youth counselling"]);
    assert_eq!(search("q=EATING").await, ["Eating disorders"]);

    // Update with the right version, then a stale one.
    let mut renamed = counselling.clone();
    renamed["name"] = json!("Youth counselling and text support");
    let response = app
        .staff(Method::PUT, &format!("/api/services/{id}"))
        .header("If-Match", "\"1\"")
        .json(&renamed)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"], "\"2\"");
    let response = app
        .staff(Method::PUT, &format!("/api/services/{id}"))
        .header("If-Match", "\"1\"")
        .json(&counselling)
        .send()
        .await
        .unwrap();
    problem(response, 412).await;
    let read: Value = app
        .public(Method::GET, &format!("/api/services/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["name"], "Youth counselling and text support");
    // Retiring a service removes it from searches but keeps it readable.
    let mut retired = renamed.clone();
    retired["active"] = json!(false);
    let response = app
        .staff(Method::PUT, &format!("/api/services/{id}"))
        .header("If-Match", "\"2\"")
        .json(&retired)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        search("need_group=getting_advice").await,
        Vec::<String>::new()
    );
    assert_eq!(
        search("need_group=getting_advice&include_inactive=true").await,
        ["Youth counselling and text support"]
    );
}
on_both_backends!(services_are_created_searched_and_updated_with_versions);
