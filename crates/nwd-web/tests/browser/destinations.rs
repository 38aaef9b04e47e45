//! Destinations from the referral page in a phone-width browser (320 px), with axe-core on
//! every page: the triage clinician answers a school's advice request and sees the success
//! banner; a service clinician lands on their own service's page, sees how to contact the
//! young person and their family and the preference recorded at triage, and records that the
//! family declined — with a confirmation — ending on a page that opens, not "Page not found".
//! Before that, the clinician plans a transition, which leaves the service open.

use serde_json::{json, Value};

use crate::support::{browser_wanted, BrowserApp};

pub(crate) async fn received(app: &BrowserApp, kind: &str) -> String {
    let created: Value = app
        .api(reqwest::Method::POST, "/api/referrals")
        .json(&json!({
            "kind": kind,
            "person": {"given_name": "Synthia", "family_name": "Testcase", "preferred_name": "Syn",
                       "date_of_birth": "2012-05-17", "sex": "female", "postcode": "ME14 1XX",
                       "carers": [{"name": "Pat Testcase", "relationship": "father", "phone": "07700 900456"}]},
            "source": "school", "priority": "routine", "reasons": ["anxiety"],
            "presenting_needs": "Synthetic presenting needs.",
            "referrer": {"name": "R. Teacher", "role": "Designated safeguarding lead",
                         "organisation": "Synthetic Academy", "phone": "01632 960002"},
            "consent_to_share": ["GP"]
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    created["referral"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destinations_from_the_referral_page_at_phone_width() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(320).await;
    let service = app
        .service(
            "Synthetic Phone Team",
            "nhs_trust",
            &["getting_help"],
            (5, 18),
            false,
        )
        .await;

    // The triage clinician answers an advice request: the success banner says so.
    let advice_request = received(&app, "advice_request").await;
    app.sign_in_as(&app.triage).await;
    assert_eq!(
        app.path().await,
        "/staff/triage",
        "triage lands on its queue"
    );
    app.goto(&format!("/staff/referrals/{advice_request}"))
        .await;
    app.check_page("referral with the triage destinations")
        .await;
    app.space_on("need_group-2").await;
    app.client
        .find(fantoccini::Locator::Css(
            "select#priority option[value=routine]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    app.space_on("risk").await;
    app.type_into("rationale", "Consultation with the school.")
        .await;
    app.type_into(
        "advice",
        "Graded return to class; call again if it gets worse.",
    )
    .await;
    app.press("form[action*='/triage'] button").await;
    let banner = app.text("#success-banner").await;
    assert!(banner.contains("Triage recorded"), "{banner}");
    app.check_page("referral after advice with the success banner")
        .await;

    // A triaged referral, then the service clinician's day.
    let id = received(&app, "referral").await;
    let triaged = app
        .api(
            reqwest::Method::POST,
            &format!("/api/referrals/{id}/triage"),
        )
        .header("If-Match", "\"1\"")
        .json(
            &json!({"need_group": "getting_help", "risk": "medium", "rationale": "Synthetic.",
                      "preference": "Does not want her dad told yet",
                      "destinations": [{"type": "allocate", "service_id": service}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(triaged.status(), 200);
    app.press("form[action*='sign-out'] button").await;
    let clinician = app.service_clinician(&service, "phone.clinician").await;
    app.sign_in_as(&clinician).await;
    assert_eq!(
        app.path().await,
        format!("/staff/services/{service}"),
        "a clinician lands on their own service"
    );
    app.check_page("service home at phone width").await;
    app.goto(&format!("/staff/referrals/{id}")).await;
    let contact = app.text("#contact-details").await;
    assert!(!contact.is_empty());
    let preference = app.text("#triage-preference").await;
    assert!(
        preference.contains("Does not want her dad told yet"),
        "{preference}"
    );
    let details = app.text("#contact-young-person").await;
    assert!(
        details.contains("07700 900456") && details.contains("Syn"),
        "{details}"
    );
    app.check_page("referral with contact and destination forms")
        .await;

    // A transition planned by need while the service stays open: the plan is on the page.
    for option in [
        "select#plan-allocation option:nth-child(2)",
        "select#plan-outcome option[value=adult_service]",
    ] {
        app.client
            .find(fantoccini::Locator::Css(option))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    app.type_into("plan-name", "Synthetic adult community team")
        .await;
    // A date input takes its value in the browser's own format when typed; set it as the
    // form sends it.
    app.client
        .execute(
            "document.getElementById('plan-date').value = '2030-06-01'; return true;",
            vec![],
        )
        .await
        .unwrap();
    app.press("form[action*='/transition-plan'] button").await;
    let banner = app.text("#success-banner").await;
    assert!(
        banner.contains("Transition planned") && banner.contains("Synthetic adult community team"),
        "{banner}"
    );
    let plans = app.text("#transition-plans + dl").await;
    assert!(plans.contains("1 June 2030"), "{plans}");
    app.check_page("referral with a planned transition at phone width")
        .await;

    // Declined, confirmed: the last service ends and the page that follows opens.
    app.type_into(
        "decline-reason",
        "The family would rather wait until after exams",
    )
    .await;
    app.space_on("decline-confirm").await;
    app.press("form[action*='/decline'] button").await;
    let banner = app.text("#success-banner").await;
    assert!(
        banner.contains("Declined by young person or family"),
        "{banner}"
    );
    assert!(
        app.path().await.ends_with("/outcome"),
        "{}",
        app.path().await
    );
    app.check_page("closed referral's outcome").await;
    app.finish().await;
}
