//! The service directory through the API.

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{fields, problem, service_body, TestApp};

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

/// A service's local offer, as HSDS-style fields beside its name.
fn offer_fields(body: &mut Value) {
    body["phones"] = json!([
        {"number": "01632 960 321", "label": "Call", "kind": "voice"},
        {"number": "07700 900 321", "label": "Text", "kind": "text"}
    ]);
    body["email"] = json!("hello@harbour.example.org");
    body["url"] = json!("https://harbour.example.org/young-people");
    body["physical_address"] = json!({
        "address_1": "Harbour House, 1 Quay Street",
        "city": "Whitstable",
        "postal_code": "CT5 9ZZ"
    });
    body["opening_hours"] = json!({
        "regular": [
            {"weekday": "monday", "opens_at": "09:00", "closes_at": "17:00"},
            {"weekday": "saturday", "opens_at": "10:00", "closes_at": "13:00"}
        ],
        "note": "Closed on bank holidays"
    });
    body["drop_in"] = json!(true);
    body["referral_from"] = json!("Anyone");
    body["application_process"] = json!("Call or drop in.");
    body["what_to_bring"] = json!("Nothing");
}

async fn a_services_offer_is_saved_and_read_and_bad_fields_are_named(app: &TestApp) {
    let org: Value = app
        .staff(Method::POST, "/api/organisations")
        .json(&json!({"name": "Synthetic Harbour Trust", "kind": "voluntary_community"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut body = service_body(
        org["id"].as_str().unwrap(),
        "Harbour Youth Drop-in",
        &["getting_advice"],
        11,
        25,
        "wellbeing_hub",
    );
    offer_fields(&mut body);
    let response = app
        .staff(Method::POST, "/api/services")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let read: Value = app
        .public(Method::GET, &format!("/api/services/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for key in [
        "phones",
        "email",
        "url",
        "physical_address",
        "drop_in",
        "referral_from",
        "application_process",
        "what_to_bring",
    ] {
        let expected = if key == "physical_address" {
            json!({"address_1": "Harbour House, 1 Quay Street", "address_2": "", "city": "Whitstable", "postal_code": "CT5 9ZZ"})
        } else {
            body[key].clone()
        };
        assert_eq!(read[key], expected, "{key} read back");
    }
    assert_eq!(read["opening_hours"]["regular"][1]["weekday"], "saturday");
    assert_eq!(read["opening_hours"]["open_24_7"], false);
    assert_eq!(read["crisis_line"], false);

    // Bad contact details and opening times: each field named, nothing written.
    let services = app.count("services").await;
    let mut bad = body.clone();
    bad["name"] = json!("Another drop-in");
    bad["phones"][1]["number"] = json!("abc");
    bad["url"] = json!("harbour.example.org");
    bad["email"] = json!("hello at harbour");
    bad["opening_hours"]["regular"][0]["closes_at"] = json!("08:00");
    bad["physical_address"]["postal_code"] = json!("CT5");
    let response = app
        .staff(Method::POST, "/api/services")
        .json(&bad)
        .send()
        .await
        .unwrap();
    let refused = problem(response, 422).await;
    let named = fields(&refused);
    for field in [
        "phones[1].number",
        "email",
        "url",
        "physical_address.postal_code",
        "opening_hours.regular[0].closes_at",
    ] {
        assert!(
            named.iter().any(|f| f == field),
            "{field} not named: {named:?}"
        );
    }
    assert_eq!(app.count("services").await, services);
    // A crisis line without a number is refused on update too, and nothing changes.
    let mut no_number = body.clone();
    no_number["crisis_line"] = json!(true);
    no_number["phones"] = json!([]);
    let response = app
        .staff(Method::PUT, &format!("/api/services/{id}"))
        .header("If-Match", "\"1\"")
        .json(&no_number)
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(response, 422).await), ["phones"]);
    let (service, version) = app.store.service(id.parse().unwrap()).await.unwrap();
    assert_eq!(version, 1);
    assert_eq!(service.details.offer.phones.len(), 2);
}
on_both_backends!(a_services_offer_is_saved_and_read_and_bad_fields_are_named);

async fn the_openapi_document_describes_the_offer(app: &TestApp) {
    let doc: Value = app
        .public(Method::GET, "/api/openapi.json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    for field in [
        "phones",
        "email",
        "url",
        "physical_address",
        "remote_only",
        "opening_hours",
        "drop_in",
        "referral_from",
        "application_process",
        "what_to_bring",
        "crisis_line",
    ] {
        assert!(
            schemas["ServiceOffer"]["properties"][field].is_object(),
            "ServiceOffer.{field} undocumented"
        );
    }
    assert!(schemas["OpeningTimes"]["properties"]["closes_at"].is_object());
    assert!(schemas["ServicePhone"]["properties"]["number"].is_object());
    assert!(
        doc.to_string()
            .contains("#/components/schemas/ServiceOffer"),
        "ServiceDetails refers to ServiceOffer"
    );
}
on_both_backends!(the_openapi_document_describes_the_offer);
