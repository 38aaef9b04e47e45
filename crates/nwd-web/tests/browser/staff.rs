//! Staff pages in the browser: two members of staff edit the same referral — the second sees
//! the conflict and loses nothing she typed — and every staff page passes the checks (axe-core,
//! same origin, security headers, `no-store`).

use fantoccini::Locator;
use reqwest::redirect::Policy;
use serde_json::{json, Value};

use crate::support::{browser_wanted, BrowserApp, StaffUser};

/// Staff member B, working from another browser: signs in through the sign-in form and sends
/// the referral page's contact form with her own session cookie and CSRF token.
async fn book_a_contact_as(app: &BrowserApp, user: &StaffUser, referral: &str) {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let signed_in = client
        .post(app.url("/staff/sign-in"))
        .form(&[
            ("username", user.username.as_str()),
            ("password", user.password.as_str()),
            ("code", user.code().as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 303);
    let cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let page = client
        .get(app.url(&format!("/staff/referrals/{referral}")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let form_start = page
        .find(&format!("/staff/referrals/{referral}/contacts?csrf="))
        .expect("the contact form");
    let csrf: String = page[form_start..]
        .split("csrf=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let version: String = page[form_start..]
        .split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let allocation: String = page
        .split("<select class=\"nhsuk-select\" id=\"contact-allocation\"")
        .nth(1)
        .unwrap()
        .split("<option value=\"")
        .nth(2)
        .unwrap()
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    // A booked (scheduled) contact tomorrow: a real change to the referral.
    let tomorrow = jiff::Zoned::now()
        .checked_add(jiff::Span::new().days(1))
        .unwrap();
    let sent = client
        .post(app.url(&format!(
            "/staff/referrals/{referral}/contacts?csrf={}",
            csrf.replace("&amp;", "&")
        )))
        .header("cookie", &cookie)
        .form(&[
            ("version", version.as_str()),
            ("contact-allocation", allocation.as_str()),
            ("contact-date", &tomorrow.date().to_string()),
            ("contact-time", "10:00"),
            ("contact-status", "scheduled"),
            ("contact-mechanism", "face_to_face"),
            ("contact-clinician", "Synthetic Practitioner B"),
            ("contact-minutes", "50"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 303, "{:?}", sent.text().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_staff_edit_the_same_referral_and_the_second_loses_nothing() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(1280).await;
    let service = app
        .service(
            "Synthetic Community Team",
            "nhs_trust",
            &["getting_help", "getting_more_help"],
            (5, 18),
            false,
        )
        .await;
    let created: Value = app
        .api(reqwest::Method::POST, "/api/referrals")
        .json(&json!({
            "person": {"given_name": "Synthia", "family_name": "Testcase", "date_of_birth": "2012-05-17",
                       "sex": "female", "postcode": "ME14 1XX"},
            "source": "school", "priority": "emergency", "reasons": ["anxiety"],
            "presenting_needs": "Synthetic presenting needs.",
            "referrer": {"name": "R. Teacher", "role": "Designated safeguarding lead", "organisation": "Synthetic Academy"},
            "consent_to_share": ["GP"]
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let triaged = app
        .api(reqwest::Method::POST, &format!("/api/referrals/{id}/triage"))
        .header("If-Match", "\"1\"")
        .json(&json!({"need_group": "getting_help", "risk": "medium", "rationale": "Synthetic rationale.",
                      "destinations": [{"type": "allocate", "service_id": service}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(triaged.status(), 200);

    // Staff A follows a link to the referral before signing in: the sign-in page brings her
    // back to it.
    app.goto(&format!("/staff/referrals/{id}")).await;
    assert_eq!(app.path().await, "/staff/sign-in");
    app.type_into("username", &app.triage.username).await;
    app.type_into("password", &app.triage.password.clone())
        .await;
    app.type_into("code", &app.triage.code()).await;
    app.enter_in("code").await;
    assert_eq!(app.path().await, format!("/staff/referrals/{id}"));
    assert!(app.heading().await.starts_with("Referral NWD-"));
    app.check_page("referral with its forms").await;
    app.assert_no_store("referral with its forms").await;

    // A starts a step up and types her rationale...
    let rationale = "Panic attacks now daily; agreed with Synthia and her mum to step up.";
    app.space_on("step-direction").await;
    app.client
        .find(Locator::Id("step-to"))
        .await
        .unwrap()
        .select_by_value("getting_more_help")
        .await
        .unwrap();
    app.type_into("step-reason", rationale).await;

    // ...while B books a contact on the same referral.
    let colleague = app
        .another_triage_user("test.colleague", "Synthetic Colleague")
        .await;
    book_a_contact_as(&app, &colleague, &id).await;

    // A sends her step: the page says what changed, by whom, and keeps what she typed.
    app.press("form[action*='/step'] button").await;
    let conflict = app.text("#conflict").await;
    assert!(
        conflict.contains("Someone else changed this referral"),
        "{conflict}"
    );
    assert!(conflict.contains("contact recorded"), "{conflict}");
    assert!(conflict.contains("test.colleague"), "{conflict}");
    let kept = app
        .client
        .find(Locator::Id("step-reason"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        kept.as_deref(),
        Some(rationale),
        "the rationale is still there"
    );
    let direction = app
        .client
        .find(Locator::Id("step-direction"))
        .await
        .unwrap()
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(
        direction.as_deref(),
        Some("true"),
        "the direction is still chosen"
    );
    // (The address is the form's: its headers, `no-store` included, are checked by the API
    // tests of the 409 page; a GET here would not be the same page.)
    app.check_accessibility("referral after a conflict").await;
    app.check_same_origin("referral after a conflict").await;

    // Having seen the change, she sends it again: it is recorded.
    app.press("form[action*='/step'] button").await;
    assert!(app.client.find(Locator::Id("conflict")).await.is_err());
    let timeline = app.text("#timeline-events").await;
    assert!(
        timeline.contains("Stepped from Getting Help to Getting More Help"),
        "{timeline}"
    );
    assert!(timeline.contains(rationale));
    assert!(timeline.contains("Contact recorded"));

    // Every other staff page passes the same checks.
    for (path, heading) in [
        ("/staff/triage?area=ME14".to_owned(), "Triage queue"),
        ("/staff/crisis".to_owned(), "Crisis list"),
        ("/staff/services".to_owned(), "Services"),
        (
            format!("/staff/services/{service}"),
            "Synthetic Community Team",
        ),
        ("/staff/transitions".to_owned(), "Transition list"),
        (
            "/staff/match-reviews".to_owned(),
            "Person matches to review",
        ),
    ] {
        app.goto(&path).await;
        assert_eq!(app.heading().await, heading, "{path}");
        app.check_page(&path).await;
        app.assert_no_store(&path).await;
    }
    // The crisis list counts hours since referral; the service's caseload links to the
    // contact form for this referral.
    app.goto("/staff/crisis").await;
    assert!(app.text("table").await.contains("Emergency"));
    app.goto(&format!("/staff/services/{service}")).await;
    app.press("a[href*='allocation=']").await;
    assert_eq!(app.path().await, format!("/staff/referrals/{id}"));

    app.finish().await;
}
