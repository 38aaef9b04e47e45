//! The directory as a local offer, at phone width (320 px): a service's page shows its
//! telephone number as a `tel:` link; Urgent help shows the local crisis line's number beside
//! the national ones; Find support lists it above any search; the administrator changes a
//! service's contact details, confirms removing a number (after going back once), and lands on
//! the form again with a success banner. Every page passes axe-core and the other checks.

use serde_json::{json, Value};

use crate::support::{browser_wanted, BrowserApp};

async fn offer(app: &BrowserApp, service: &str, fields: Value) {
    let read: Value = app
        .api(reqwest::Method::GET, &format!("/api/services/{service}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut body = read.clone();
    for (key, value) in fields.as_object().unwrap() {
        body[key] = value.clone();
    }
    let response = app
        .api(reqwest::Method::PUT, &format!("/api/services/{service}"))
        .header("If-Match", format!("\"{}\"", read["version"]))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
}

async fn js(app: &BrowserApp, script: &str) -> Value {
    app.client.execute(script, vec![]).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_services_offer_is_shown_and_changed_with_a_confirmation_on_a_phone() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(320).await;
    let crisis = app
        .service(
            "Synthetic Crisis Line",
            "nhs_trust",
            &["getting_risk_support"],
            (0, 25),
            true,
        )
        .await;
    offer(
        &app,
        &crisis,
        json!({
            "phones": [{"number": "0808 157 0111", "label": "Call free, day or night"}],
            "opening_hours": {"open_24_7": true},
            "remote_only": true,
            "crisis_line": true
        }),
    )
    .await;
    let hub = app
        .service(
            "Synthetic Drop-in Hub",
            "voluntary_community",
            &["getting_advice"],
            (11, 25),
            true,
        )
        .await;
    offer(
        &app,
        &hub,
        json!({
            "phones": [{"number": "01632 960 888", "label": "Call"}, {"number": "07700 900 888", "label": "Text", "kind": "text"}],
            "email": "hello@hub.example.org",
            "url": "https://hub.example.org",
            "physical_address": {"address_1": "2 Quay Street", "city": "Whitstable", "postal_code": "CT5 9ZZ"},
            "opening_hours": {"regular": [{"weekday": "monday", "opens_at": "09:00", "closes_at": "17:00"}], "note": "Closed on bank holidays"},
            "drop_in": true,
            "what_to_bring": "Nothing: just yourself"
        }),
    )
    .await;

    // The service's page: its number as a tel: link, its email, address and hours.
    app.goto(&format!("/find-support/services/{hub}")).await;
    let href = js(
        &app,
        "return document.querySelector('#contact ~ dl a[href^=\"tel:\"]').getAttribute('href');",
    )
    .await;
    assert_eq!(href, "tel:01632960888");
    let main = app.text("main").await;
    for shown in [
        "hello@hub.example.org",
        "2 Quay Street, Whitstable, CT5 9ZZ",
        "9am to 5pm",
        "Nothing: just yourself",
    ] {
        assert!(main.contains(shown), "{shown} not shown: {main}");
    }
    app.check_page("service page with its offer (320 px)").await;

    // The crisis line's own page and Urgent help show its number.
    app.goto(&format!("/find-support/services/{crisis}")).await;
    assert!(app.text("#crisis-number").await.contains("0808 157 0111"));
    app.check_page("crisis line page (320 px)").await;
    app.goto("/urgent-help").await;
    assert!(app.text("#maincontent").await.contains("0808 157 0111"));
    let href = js(&app, "return document.querySelector('#local-crisis-lines ~ ul a[href^=\"tel:\"]').getAttribute('href');").await;
    assert_eq!(href, "tel:08081570111");
    app.check_page("urgent help with the local crisis line (320 px)")
        .await;
    app.goto("/find-support?q=drop+in&age=15").await;
    assert!(app.text("#crisis-lines").await.contains("0808 157 0111"));
    app.check_page("find support with the crisis line on top (320 px)")
        .await;

    // The administrator removes the text number: confirm, go back once, then confirm.
    app.sign_in_as(&app.triage).await;
    app.goto(&format!("/staff/admin/services/{hub}/offer"))
        .await;
    app.check_page("service offer form (320 px)").await;
    app.type_into("phone_number-1", "").await;
    app.type_into("phone_label-1", "").await;
    app.type_into("opens-saturday-0", "10:00").await;
    app.type_into("closes-saturday-0", "13:00").await;
    app.press("#maincontent form[method=post] button[value=save]")
        .await;
    assert_eq!(
        app.heading().await,
        "Are you sure you want to remove these?"
    );
    assert!(app.text("#removed").await.contains("07700 900 888"));
    app.check_accessibility("service offer confirmation (320 px)")
        .await;
    app.check_same_origin("service offer confirmation (320 px)")
        .await;
    app.press("button[value=back]").await;
    assert_eq!(
        js(
            &app,
            "return document.getElementById('closes-saturday-0').value;"
        )
        .await,
        "13:00",
        "going back keeps the answers"
    );
    app.press("#maincontent form[method=post] button[value=save]")
        .await;
    app.press("button[value=confirm]").await;
    assert_eq!(
        app.path().await,
        format!("/staff/admin/services/{hub}/offer")
    );
    assert!(app.text("#success-banner").await.contains("saved"));
    app.check_page("service offer saved (320 px)").await;
    let read: Value = app
        .api(reqwest::Method::GET, &format!("/api/services/{hub}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["phones"].as_array().unwrap().len(), 1);
    assert_eq!(read["opening_hours"]["regular"][1]["weekday"], "saturday");
    app.finish().await;
}
