//! The whole path in a real browser on a real server and database: a young person refers
//! themselves → the single point of access triages to Getting Help at a voluntary service →
//! the service records two contacts → the commissioner dashboard's access count and the young
//! person's status link both reflect it.

use fantoccini::Locator;
use serde_json::{json, Value};

use crate::journeys::human_pause;
use crate::support::{browser_wanted, BrowserApp};

/// The MHS95 (one contact) and MHS69 (two contacts) cells of the latest month in the
/// dashboard's access download, as shown (after small-number suppression).
async fn access_now(app: &BrowserApp) -> (String, String) {
    let response = app
        .api(reqwest::Method::GET, "/commissioning/download?table=access")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let last = text.lines().last().unwrap().to_owned();
    let cells: Vec<&str> = last.split(',').collect();
    (cells[1].to_owned(), cells[2].to_owned())
}

/// Four other young people seen twice at the service, through the API.
async fn four_others_seen_twice(app: &BrowserApp, service: &str) {
    for i in 0..4 {
        let created: Value = app
            .api(reqwest::Method::POST, "/api/referrals")
            .json(&json!({
                "person": {"given_name": "Synthetic", "family_name": format!("Other{i}"), "date_of_birth": "2011-06-0{}".replace("{}", &(i + 1).to_string()),
                           "sex": "female", "postcode": "ME14 1XX"},
                "source": "school", "priority": "routine", "reasons": ["anxiety"],
                "presenting_needs": "Synthetic presenting needs.",
                "referrer": {"name": "Synthetic Teacher", "role": "Teacher", "organisation": "Synthetic School"},
                "consent_to_share": ["School"]
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["referral"]["id"].as_str().unwrap().to_owned();
        let triaged: Value = app
            .api(reqwest::Method::POST, &format!("/api/referrals/{id}/triage"))
            .header("If-Match", "\"1\"")
            .json(&json!({"need_group": "getting_help", "risk": "low", "rationale": "Synthetic rationale.",
                          "destinations": [{"type": "allocate", "service_id": service}]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let allocation = triaged["referral"]["allocations"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("an allocation: {triaged}"))
            .to_owned();
        let mut version = triaged["referral"]["version"].as_u64().unwrap();
        for _ in 0..2 {
            let seen: Value = app
                .api(reqwest::Method::POST, &format!("/api/referrals/{id}/contacts"))
                .header("If-Match", format!("\"{version}\""))
                .json(&json!({"allocation_id": allocation, "at": jiff::Timestamp::now().to_string(),
                              "status": "attended", "mechanism": "face_to_face", "clinician": "C", "duration_minutes": 30}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            version = seen["referral"]["version"]
                .as_u64()
                .unwrap_or_else(|| panic!("a contact: {seen}"));
        }
    }
}

async fn select(app: &BrowserApp, id: &str, value: &str) {
    app.client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_self_referral_is_triaged_seen_twice_and_counted() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(1280).await;
    let service = app
        .service(
            "Synthetic Wellbeing Project",
            "voluntary_community",
            &["getting_advice", "getting_help"],
            (11, 25),
            true,
        )
        .await;
    four_others_seen_twice(&app, &service).await;
    // Four young people seen: below five, so suppressed.
    assert_eq!(access_now(&app).await, ("*".to_owned(), "*".to_owned()));

    // The young person refers themselves.
    app.goto("/get-help").await;
    let year = jiff::Zoned::now().year() - 16;
    app.type_into("dob-day", "9").await;
    app.type_into("dob-month", "4").await;
    app.type_into("dob-year", &year.to_string()).await;
    app.enter_in("dob-year").await;
    app.type_into("given-name", "Synthia").await;
    app.type_into("family-name", "Endtoend").await;
    app.enter_in("family-name").await;
    app.type_into("postcode", "ME14 1XX").await;
    app.enter_in("postcode").await;
    app.space_on("reasons").await;
    app.press("button[value=continue]").await;
    app.space_on("safety-thoughts-2").await;
    app.space_on("safety-harmed-2").await;
    app.press("button[value=continue]").await;
    app.type_into("happening", "I feel panicky before school.")
        .await;
    app.press("button[value=continue]").await;
    app.type_into("phone", "07700 900 983").await;
    app.enter_in("phone").await;
    app.space_on("share").await;
    app.space_on("understood").await;
    app.press("button[value=continue]").await;
    crate::about::skip_about_pages(&app, false).await;
    assert_eq!(app.heading().await, "Check your answers before sending");
    human_pause(&app);
    app.press("button[value=send]").await;
    assert_eq!(app.heading().await, "Your request has been sent");
    let reference = app.text("#reference").await;
    let status_link = app
        .client
        .find(Locator::Id("status-link"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    app.goto(&status_link).await;
    assert!(app
        .text("main")
        .await
        .contains("We have received the request."));

    // The single point of access triages to Getting Help at the voluntary service.
    app.goto("/staff/sign-in").await;
    app.type_into("username", &app.triage.username).await;
    app.type_into("password", &app.triage.password.clone())
        .await;
    app.type_into("code", &app.triage.code()).await;
    app.enter_in("code").await;
    app.goto("/staff/triage").await;
    // The queue names the young person; the reference is beside the name.
    assert!(app.text("main").await.contains(&reference));
    app.follow("Synthia Endtoend").await;
    assert_eq!(app.heading().await, format!("Referral {reference}"));
    app.client
        .find(Locator::Css("input[name=need_group][value=getting_help]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Triage confirms the clinical response priority (issue 14: it is a choice, never a default).
    app.client
        .find(Locator::Css("select#priority option[value=routine]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    app.client
        .find(Locator::Css("input[name=risk][value=low]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    app.client
        .find(Locator::Css(&format!(
            "input[name=allocate][value='{service}']"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    app.type_into(
        "rationale",
        "Agreed with Synthia: group sessions at the project.",
    )
    .await;
    app.press("form[action*='/triage'] button").await;
    let page = app.text("main").await;
    assert!(page.contains("Synthetic Wellbeing Project"), "{page}");

    // A clinician of the service's own team (not the single point of access) signs in, finds
    // the young person on the service's waiting list and records two contacts (the form's
    // time is now, a minute after triage).
    app.press(".nhsuk-header__account-button").await;
    let clinician = app.service_clinician(&service, "test.youthworker").await;
    app.advance_clock(jiff::SignedDuration::from_secs(61));
    app.sign_in_as(&clinician).await;
    for _ in 0..2 {
        app.goto(&format!("/staff/services/{service}")).await;
        let list = app.text("main").await;
        assert!(list.contains(&reference), "{list}");
        let href: String = app
            .client
            .execute(
                &format!(
                    "return [...document.querySelectorAll('a[href*=\"#contact\"]')].find(a => a.closest('tr').textContent.includes('{reference}')).getAttribute('href');"
                ),
                vec![],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        app.goto(&href).await;
        let allocation = app
            .client
            .execute(
                "return document.querySelector('#contact-allocation option:not([value=\"\"])').value;",
                vec![],
            )
            .await
            .unwrap();
        select(&app, "contact-allocation", allocation.as_str().unwrap()).await;
        select(&app, "contact-status", "attended").await;
        select(&app, "contact-mechanism", "face_to_face").await;
        app.type_into("contact-clinician", "Synthetic Youth Worker")
            .await;
        app.type_into("contact-minutes", "45").await;
        app.press("form[action*='/contacts'] button").await;
        let page = app.text("main").await;
        assert!(!page.contains("There is a problem"), "{page}");
    }
    // The contacts were recorded by the service's clinician, under their own name.
    let recorded: i64 = {
        let rows = app.store.audit_for_user(&clinician.id).await.unwrap();
        rows.iter()
            .filter(|r| r.entry.action == "change" && r.entry.route.contains("/contacts"))
            .count() as i64
    };
    assert_eq!(
        recorded, 2,
        "two contacts recorded by the service clinician"
    );

    // The dashboard now counts five young people seen: shown. (The service clinician has no
    // aggregate view: the coordinator signs in again to look at it.)
    assert_eq!(access_now(&app).await, ("5".to_owned(), "5".to_owned()));
    app.press(".nhsuk-header__account-button").await;
    app.sign_in_as(&app.triage).await;
    app.goto("/commissioning").await;
    app.check_page("dashboard after the journey").await;

    // The status link says support has started, and still names no one.
    app.goto(&status_link).await;
    let status = app.text("main").await;
    assert!(
        status.contains("Support has started with Synthetic Wellbeing Project"),
        "{status}"
    );
    assert!(!status.contains("Synthia") && !status.contains("panicky"));
    app.finish().await;
}
