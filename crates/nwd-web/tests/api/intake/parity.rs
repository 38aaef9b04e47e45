//! Parity between the door that is a page and the door that is JSON: the same answers make the
//! same referral, the same bad answers are refused by both.

use reqwest::Method;
use serde_json::{json, Value};

use crate::journeys::Journey;
use crate::on_both_backends;
use crate::status::parent_answers;
use crate::support::{fields, problem, TestApp};

use super::{get, self_referral_body};

/// A young person's answers on `/get-help`, every step, ready to send from "Check your
/// answers" (the journey's id and time stamp from its first page).
fn journey_answers() -> Vec<(&'static str, &'static str)> {
    vec![
        ("website", ""),
        ("dob-day", "9"),
        ("dob-month", "4"),
        ("dob-year", "2011"),
        ("given-name", "Safia"),
        ("family-name", "Testyoung"),
        ("postcode", "ME14 1XX"),
        ("reasons", "self_harm"),
        ("reasons", "anxiety"),
        ("safety-thoughts", "yes"),
        ("safety-harmed", "no"),
        ("happening", "Synthetic: I feel panicky at school."),
        ("phone", "07700 900 982"),
        ("email", "safia@example.invalid"),
        ("share", "gp"),
        ("share", "school"),
        ("understood", "yes"),
    ]
}

/// The same answers as [`journey_answers`], as `POST /api/self-referrals` takes them.
fn api_answers() -> Value {
    json!({
        "who": "young_person",
        "person": {"given_name": "Safia", "family_name": "Testyoung", "date_of_birth": "2011-04-09",
                   "postcode": "ME14 1XX"},
        "reasons": ["self_harm", "anxiety"],
        "safety": {"thoughts": "yes", "harmed": "no"},
        "presenting_needs": "Synthetic: I feel panicky at school.",
        "contact": {"name": "Safia Testyoung", "phone": "07700 900 982", "email": "safia@example.invalid"},
        "consent_to_share": ["gp", "school"]
    })
}

/// Parity (issue 16): the same answers through the page (`/get-help`) and through the JSON
/// API make the same referral — source, kind, clinical and requested priority and its
/// reason, reasons, presenting needs, referrer and contact, consent list — recorded as the
/// same actor, because both doors call the one self-referral use case.
async fn the_same_answers_through_the_page_and_the_api_make_the_same_referral(app: &TestApp) {
    let created: Value = app
        .public(Method::POST, "/api/self-referrals")
        .json(&api_answers())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (api_id, _) = app.received(&created).await;

    let journey = Journey::start(app, "/get-help").await;
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let done = journey.send(&journey_answers()).await;
    assert!(done.contains("Your request has been sent"), "{done}");

    let found = get(app, "/api/referrals?source=self_referral").await;
    let items = found["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{found}");
    let page_id = items
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .find(|id| *id != api_id)
        .unwrap();
    let by_api = get(app, &format!("/api/referrals/{api_id}")).await;
    let by_page = get(app, &format!("/api/referrals/{page_id}")).await;
    for field in [
        "kind",
        "source",
        "priority",
        "requested_priority",
        "request_reason",
        "reasons",
        "presenting_needs",
        "referrer",
        "consent_to_share",
    ] {
        assert_eq!(by_api[field], by_page[field], "{field} differs");
    }
    assert_eq!(by_page["requested_priority"], "very_urgent");
    assert_eq!(
        by_page["consent_to_share"],
        json!(["GP", "School or college"])
    );
    assert_eq!(by_page["referrer"]["phone"], "07700 900 982");
    for id in [&api_id, &page_id] {
        let events = get(app, &format!("/api/referrals/{id}/events")).await;
        assert_eq!(events[0]["actor"], "public:young-person");
    }
}
on_both_backends!(the_same_answers_through_the_page_and_the_api_make_the_same_referral);

/// Parity for a parent or carer: the answers of `/get-help/parent-carer` and the same answers
/// as JSON (`who: parent_carer` with `relationship` and `child_knows`) make the same referral
/// and the same carer contact on the young person's record.
async fn a_parents_answers_through_the_page_and_the_api_make_the_same_referral(app: &TestApp) {
    let created: Value = app
        .public(Method::POST, "/api/self-referrals")
        .json(&json!({
            "who": "parent_carer",
            "person": {"given_name": "Synthia", "family_name": "Testyoung", "date_of_birth": "2014-04-09",
                       "postcode": "ME14 1XX"},
            "reasons": ["anxiety"],
            "safety": {"thoughts": "no", "harmed": "no"},
            "presenting_needs": "Panicky before school.",
            "contact": {"name": "Carer Testperson", "phone": "07700 900 982"},
            "relationship": "foster_carer",
            "child_knows": "knows_agrees"
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (api_id, _) = app.received(&created).await;
    let journey = Journey::start(app, "/get-help/parent-carer").await;
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let done = journey.send(&parent_answers("")).await;
    assert!(done.contains("Your request has been sent"), "{done}");
    let found = get(app, "/api/referrals?source=parent_carer").await;
    let ids: Vec<String> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 2, "{found}");
    let page_id = ids.into_iter().find(|id| *id != api_id).unwrap();
    let by_api = get(app, &format!("/api/referrals/{api_id}")).await;
    let by_page = get(app, &format!("/api/referrals/{page_id}")).await;
    for field in [
        "kind",
        "source",
        "priority",
        "requested_priority",
        "reasons",
        "presenting_needs",
        "referrer",
        "consent_to_share",
    ] {
        assert_eq!(by_api[field], by_page[field], "{field} differs");
    }
    assert!(by_page["presenting_needs"]
        .as_str()
        .unwrap()
        .contains("Asked by their foster carer"));
    let carers = |referral: &Value| {
        let person = referral["person_id"].as_str().unwrap().to_owned();
        async move { get(app, &format!("/api/persons/{person}")).await["carers"].clone() }
    };
    let (api_carers, page_carers) = (carers(&by_api).await, carers(&by_page).await);
    assert_eq!(api_carers, page_carers);
    assert_eq!(page_carers[0]["relationship"], "foster carer");
    // Only a parent or carer says how they are related.
    let mut body = self_referral_body();
    body["relationship"] = json!("parent");
    let response = app
        .public(Method::POST, "/api/self-referrals")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(response, 422).await), ["relationship"]);
}
on_both_backends!(a_parents_answers_through_the_page_and_the_api_make_the_same_referral);

/// One bad answer, as the page's question takes it and as the API takes it.
struct BadAnswer<'a> {
    step: &'a str,
    page_answers: Vec<(&'a str, &'a str)>,
    page_field: &'a str,
    api_patch: Value,
    api_field: &'a str,
}

/// Parity of refusals: the same bad value is refused by the page (at the question that asks
/// it) and by the API (a 422 naming the field), and neither writes anything — a telephone
/// number of "abc", a date of birth 26 years ago, presenting needs over the one limit.
async fn the_same_bad_answers_are_refused_by_the_page_and_the_api(app: &TestApp) {
    let today = app.store.now().to_zoned(app.store.tz().clone()).date();
    let too_old = today
        .checked_sub(jiff::Span::new().years(26))
        .unwrap()
        .to_string();
    let (old_year, old_month, old_day) = (
        too_old[0..4].to_owned(),
        too_old[5..7].trim_start_matches('0').to_owned(),
        too_old[8..10].trim_start_matches('0').to_owned(),
    );
    let long = "x".repeat(nwd_domain::referral::command::MAX_PRESENTING_NEEDS_CHARS + 1);
    let cases = [
        BadAnswer {
            step: "contact",
            page_answers: vec![("phone", "abc")],
            page_field: "phone",
            api_patch: json!({"contact": {"name": "Safia Testyoung", "phone": "abc"}}),
            api_field: "contact.phone",
        },
        BadAnswer {
            step: "date-of-birth",
            page_answers: vec![
                ("dob-day", &old_day),
                ("dob-month", &old_month),
                ("dob-year", &old_year),
            ],
            page_field: "dob-day",
            api_patch: json!({"person": {"given_name": "Safia", "family_name": "Testyoung", "date_of_birth": too_old}}),
            api_field: "person.date_of_birth",
        },
        BadAnswer {
            step: "happening",
            page_answers: vec![("happening", &long)],
            page_field: "happening",
            api_patch: json!({"presenting_needs": long}),
            api_field: "presenting_needs",
        },
    ];
    for case in cases {
        let BadAnswer {
            step,
            page_answers: bad,
            page_field,
            api_patch,
            api_field,
        } = case;
        let journey = Journey::start(app, "/get-help").await;
        let mut pairs: Vec<(&str, &str)> = journey_answers()
            .into_iter()
            .filter(|(name, _)| !bad.iter().any(|(b, _)| b == name))
            .collect();
        pairs.extend(bad.iter().copied());
        let at = format!("/get-help/q/{step}");
        journey.answer_until(&at, &journey_answers()).await;
        let page = journey.post(&at, &pairs).await.text().await.unwrap();
        assert!(
            page.contains(&format!("href=\"#{page_field}\"")),
            "the page does not refuse {step}: {page}"
        );

        let mut body = api_answers();
        for (key, value) in api_patch.as_object().unwrap() {
            body[key] = value.clone();
        }
        let response = app
            .public(Method::POST, "/api/self-referrals")
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = problem(response, 422).await;
        assert_eq!(fields(&problem), [api_field], "{problem}");
    }
    assert_eq!(app.count("referrals").await, 0);
}
on_both_backends!(the_same_bad_answers_are_refused_by_the_page_and_the_api);
