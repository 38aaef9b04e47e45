//! Hazard H-11, control C-11.2: every public page is one click from urgent help, and the
//! urgent-help page answers even when the address has been rate limited for submissions.
//! The area's own crisis lines from the directory are on urgent help with their numbers and
//! at the top of every Find support search; Find support lists the best match first.

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{service_body, TestApp};

/// The public pages a young person, parent or professional can land on.
const PUBLIC_PAGES: [&str; 5] = [
    "/",
    "/get-help/q/date-of-birth",
    "/refer",
    "/find-support",
    "/status/not-a-real-status-token",
];

async fn every_public_page_links_to_urgent_help_even_when_rate_limited(app: &TestApp) {
    for path in PUBLIC_PAGES {
        let response = app.public(Method::GET, path).send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        // 410: a question page without its journey's draft ("Your answers have expired").
        assert!(
            [200, 404, 410].contains(&status),
            "{path} answered {status}"
        );
        assert!(
            body.contains("href=\"/urgent-help\""),
            "{path} has no link to urgent help"
        );
    }
    // The journeys' first questions, from their drafts.
    for start in ["/get-help", "/get-help/parent-carer"] {
        let journey = crate::journeys::Journey::start(app, start).await;
        let body = journey.page(&journey.first).await;
        assert!(body.contains("href=\"/urgent-help\""), "{start}");
    }
    // Exhaust this address's allowance for anonymous submissions.
    let mut limited = false;
    for _ in 0..60 {
        let response = app
            .public(Method::POST, "/api/self-referrals")
            .json(&crate::intake::self_referral_body())
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "60 submissions in a row were never limited");
    // The urgent-help page still answers, with the emergency and NHS 111 numbers, every time.
    for _ in 0..50 {
        let response = app
            .public(Method::GET, "/urgent-help")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body = response.text().await.unwrap();
        assert!(body.contains("tel:999") && body.contains("tel:111"));
    }
}
on_both_backends!(
    every_public_page_links_to_urgent_help_even_when_rate_limited,
    strict
);

/// Adds a service through the API with `extra` fields; returns its id.
async fn add_service(
    app: &TestApp,
    org: &str,
    name: &str,
    ages: (i64, i64),
    extra: Value,
) -> String {
    let mut body = service_body(
        org,
        name,
        &["getting_risk_support", "getting_advice"],
        ages.0,
        ages.1,
        "crisis_line",
    );
    body["areas"] = json!([]);
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = app
        .staff(Method::POST, "/api/services")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.public(Method::GET, path).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

async fn the_local_crisis_line_is_on_urgent_help_and_on_every_find_support_search(app: &TestApp) {
    let org: Value = app
        .staff(Method::POST, "/api/organisations")
        .json(&json!({"name": "Synthetic Crisis Trust", "kind": "nhs_trust"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let org = org["id"].as_str().unwrap();
    let crisis = add_service(
        app,
        org,
        "Synthetic 24/7 Crisis Line",
        (0, 17),
        json!({
            "phones": [{"number": "0808 157 0999", "label": "Call free, day or night"}],
            "opening_hours": {"open_24_7": true},
            "remote_only": true,
            "crisis_line": true
        }),
    )
    .await;
    add_service(
        app,
        org,
        "Synthetic Daytime Advice",
        (0, 25),
        json!({"phones": [{"number": "01632 960 555", "label": "Call"}]}),
    )
    .await;

    let urgent = page(app, "/urgent-help").await;
    assert!(urgent.contains("Synthetic 24/7 Crisis Line"));
    assert!(urgent.contains("href=\"tel:08081570999\""), "{urgent}");
    assert!(
        urgent.contains("tel:999") && urgent.contains("tel:111"),
        "national lines kept"
    );
    assert!(
        !urgent.contains("01632 960 555"),
        "only crisis lines are on urgent help"
    );

    // A search the crisis line does not match (age 20) still shows its number at the top.
    let search = page(app, "/find-support?age=20").await;
    let top = search.split("id=\"results-heading\"").next().unwrap();
    assert!(top.contains("href=\"tel:08081570999\""), "{top}");
    assert!(search.contains("Synthetic Daytime Advice"));

    // Its own page shows the number prominently, as a tel: link.
    let own = page(app, &format!("/find-support/services/{crisis}")).await;
    let card = own
        .split("id=\"crisis-number\"")
        .nth(1)
        .expect("crisis card");
    assert!(card.contains("href=\"tel:08081570999\""));
    assert!(own.contains("Open 24 hours a day, every day"));

    // A crisis line that stops taking calls leaves urgent help.
    let (service, version) = app.store.service(crisis.parse().unwrap()).await.unwrap();
    let mut retired = serde_json::to_value(&service.details).unwrap();
    retired["active"] = json!(false);
    let response = app
        .staff(Method::PUT, &format!("/api/services/{crisis}"))
        .header("If-Match", format!("\"{version}\""))
        .json(&retired)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(!page(app, "/urgent-help").await.contains("tel:08081570999"));
}
on_both_backends!(the_local_crisis_line_is_on_urgent_help_and_on_every_find_support_search);

async fn find_support_lists_the_best_match_for_the_words_asked_first(app: &TestApp) {
    let org: Value = app
        .staff(Method::POST, "/api/organisations")
        .json(&json!({"name": "Synthetic Support Group", "kind": "voluntary_community"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let org = org["id"].as_str().unwrap();
    add_service(
        app,
        org,
        "Aardvark Counselling",
        (0, 25),
        json!({"team_type": "community"}),
    )
    .await;
    add_service(
        app,
        org,
        "Zebra Eating Support",
        (0, 25),
        json!({
            "team_type": "community",
            "description": "Help with eating and body image",
            "phones": [{"number": "01632 960 444", "label": "Call"}],
            "opening_hours": {"regular": [
                {"weekday": "monday", "opens_at": "09:00", "closes_at": "17:00"},
                {"weekday": "tuesday", "opens_at": "09:00", "closes_at": "17:00"}
            ]}
        }),
    )
    .await;
    let position = |text: &str, name: &str| text.find(name).unwrap_or(usize::MAX);
    let by_name = page(app, "/find-support").await;
    assert!(
        position(&by_name, "Aardvark Counselling") < position(&by_name, "Zebra Eating Support")
    );
    let asked = page(app, "/find-support?q=eating+worries").await;
    assert!(
        position(&asked, "Zebra Eating Support") < position(&asked, "Aardvark Counselling"),
        "the service about eating comes first"
    );
    // Its card has its number as a link and its hours on one line.
    assert!(asked.contains("href=\"tel:01632960444\""));
    assert!(asked.contains("Monday and Tuesday, 9am to 5pm"));
}
on_both_backends!(find_support_lists_the_best_match_for_the_words_asked_first);
