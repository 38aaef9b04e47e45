//! Self-referrals through the API: no sign-in needed, contact details and the safety question
//! checked by the domain's rules; the competence question by age at receipt.

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{fields, problem, referral_body, TestApp};

use super::self_referral_body;

async fn a_young_person_can_refer_themselves_without_signing_in(app: &TestApp) {
    let body = self_referral_body();
    let response = app
        .public(Method::POST, "/api/self-referrals")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let (id, _) = app.received(&created).await;
    let referral: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(referral["source"], "self_referral", "{referral}");
    assert_eq!(referral["priority"], "routine");
    let events: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(events[0]["actor"], "public:young-person");
}
on_both_backends!(a_young_person_can_refer_themselves_without_signing_in);
/// `POST /api/self-referrals` parses contact details with the domain's rule, as the web
/// journeys do: a telephone number of "abc" is a 422 naming `contact.phone`, an email without
/// an `@` names `contact.email`, neither names `contact.phone`; nothing is written.
async fn a_self_referral_with_a_phone_of_abc_is_refused_naming_the_field(app: &TestApp) {
    for (contact, field) in [
        (json!({"name": "Kai", "phone": "abc"}), "contact.phone"),
        (
            json!({"name": "Kai", "email": "kai.example"}),
            "contact.email",
        ),
        (json!({"name": "Kai"}), "contact.phone"),
    ] {
        let mut body = self_referral_body();
        body["contact"] = contact;
        let response = app
            .public(Method::POST, "/api/self-referrals")
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = problem(response, 422).await;
        assert_eq!(fields(&problem), [field], "{problem}");
    }
    // A professional's referrer is held to the same rule.
    let mut body = referral_body(None, "routine");
    body["referrer"]["phone"] = json!("abc");
    let response = app
        .staff(Method::POST, "/api/referrals")
        .json(&body)
        .send()
        .await
        .unwrap();
    let problem = problem(response, 422).await;
    assert_eq!(fields(&problem), ["referrer.phone"], "{problem}");
    assert_eq!(app.count("referrals").await, 0);
}
on_both_backends!(a_self_referral_with_a_phone_of_abc_is_refused_naming_the_field);

/// The JSON self-referral takes the safety question as the web journeys ask it (issue 14):
/// answers that signal risk ask triage for very urgent review, quoting the questions; calm
/// answers ask nothing; an answer outside yes, no and not_sure is a 422 naming it.
async fn safety_answers_through_the_api_ask_for_very_urgent_review(app: &TestApp) {
    let mut body = self_referral_body();
    body["safety"] = json!({"thoughts": "not_sure", "harmed": "no"});
    let created: Value = app
        .public(Method::POST, "/api/self-referrals")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let referral = read_back(app, &created).await;
    assert_eq!(referral["priority"], "routine", "triage confirms it");
    assert_eq!(referral["requested_priority"], "very_urgent");
    let reason = referral["request_reason"].as_str().unwrap();
    assert!(reason.contains("ending your life"), "{reason}");
    assert!(reason.contains("I'm not sure"), "{reason}");

    let mut body = self_referral_body();
    body["person"]["given_name"] = json!("Nora");
    body["safety"] = json!({"thoughts": "no", "harmed": "no"});
    let created: Value = app
        .public(Method::POST, "/api/self-referrals")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(read_back(app, &created).await["requested_priority"].is_null());

    body["safety"] = json!({"thoughts": "maybe"});
    let response = app
        .public(Method::POST, "/api/self-referrals")
        .json(&body)
        .send()
        .await
        .unwrap();
    let problem = problem(response, 422).await;
    assert_eq!(fields(&problem), ["safety.thoughts", "safety.harmed"]);
}
on_both_backends!(safety_answers_through_the_api_ask_for_very_urgent_review);

async fn read_back(app: &TestApp, receipt: &Value) -> Value {
    let (id, _) = app.received(receipt).await;
    app.staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The referral's page, as the single point of access's coordinator sees it.
async fn referral_page(app: &TestApp, id: &str) -> String {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/staff/referrals/{id}", app.base))
        .bearer_auth(&app.coordinator_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}
/// The competence question follows the domain's rule, age **at receipt** (issue 16): a young
/// person who referred themselves at 15 and turned 16 before triage is still asked about, and
/// triage without a decision is still refused; before the fix the page used age today and
/// showed no question, so triage could never succeed.
async fn a_young_person_referred_at_15_is_asked_about_competence_after_turning_16(app: &TestApp) {
    let today = app.store.now().to_zoned(app.store.tz().clone()).date();
    // Sixteen in three days' time.
    let born = today
        .checked_sub(jiff::Span::new().years(16))
        .unwrap()
        .checked_add(jiff::Span::new().days(3))
        .unwrap();
    let mut body = self_referral_body();
    body["person"]["date_of_birth"] = json!(born.to_string());
    let created: Value = app
        .public(Method::POST, "/api/self-referrals")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (id, _) = app.received(&created).await;
    assert!(referral_page(app, &id)
        .await
        .contains("Competence to consent"));
    // A week later they are 16; the referral was received at 15.
    app.advance_clock(jiff::SignedDuration::from_hours(7 * 24));
    let page = referral_page(app, &id).await;
    assert!(
        page.contains("Competence to consent"),
        "the question is missing for a referral received at 15"
    );
    assert!(page.contains("name=\"competent\""));
    // The domain refuses allocation without the decision, so the page must ask.
    let service = app
        .service("Community CYPMHS", &["getting_help"], 0, 17, "community")
        .await;
    let response = app
        .staff(Method::POST, &format!("/api/referrals/{id}/triage"))
        .header("If-Match", "\"1\"")
        .json(
            &json!({"need_group": "getting_help", "risk": "low", "rationale": "Synthetic",
                      "destinations": [{"type": "allocate", "service_id": service}]}),
        )
        .send()
        .await
        .unwrap();
    let problem = problem(response, 422).await;
    assert!(
        fields(&problem).contains(&"competence".to_owned()),
        "{problem}"
    );
}
on_both_backends!(a_young_person_referred_at_15_is_asked_about_competence_after_turning_16);
