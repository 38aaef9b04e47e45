//! Private status links, the parent or carer journey, typical waits on service pages, and the
//! anti-automation check on anonymous forms (issues 5 and 6). The professional referral is in
//! `refer.rs`.

use reqwest::Method;
use serde_json::{json, Value};

use crate::journeys::Journey;
use crate::on_both_backends;
use crate::support::TestApp;

async fn post(app: &TestApp, path: &str, version: u64, body: Value) -> Value {
    let response = app
        .staff(Method::POST, path)
        .header("If-Match", format!("\"{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{path}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// The status as JSON and as a page; checks the headers and that neither says anything
/// identifying or clinical.
pub(crate) async fn status(app: &TestApp, token: &str) -> (Value, String) {
    let response = app
        .public(Method::GET, &format!("/api/status/{token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let json: Value = response.json().await.unwrap();
    let response = app
        .public(Method::GET, &format!("/status/{token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    let page = response.text().await.unwrap();
    for secret in [
        "Synthia",
        "Testyoung",
        "9990000018",
        "999 000 0018",
        "panicky",
        "Anxiety",
        "anxiety",
        "getting_help",
        "Getting Help",
        "low mood",
        "routine",
        "2009-",
    ] {
        assert!(!page.contains(secret), "the status page shows {secret:?}");
        assert!(
            !json.to_string().contains(secret),
            "the status JSON shows {secret:?}"
        );
    }
    (json, page)
}

fn self_referral() -> Value {
    json!({
        "who": "young_person",
        "person": {"given_name": "Synthia", "family_name": "Testyoung", "date_of_birth": "2009-04-09",
                    "nhs_number": "999 000 0018", "postcode": "ME14 1XX"},
        "presenting_needs": "I feel panicky and have low mood.",
        "reasons": ["anxiety"],
        "contact": {"name": "Synthia Testyoung", "phone": "07700 900982"},
        "consent_to_share": ["GP"]
    })
}

async fn the_status_link_follows_the_referral_and_says_nothing_clinical(app: &TestApp) {
    let service = app
        .service(
            "Synthetic Wellbeing Project",
            &["getting_help"],
            5,
            25,
            "community",
        )
        .await;
    let response = app
        .public(Method::POST, "/api/self-referrals")
        .json(&self_referral())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let created: Value = response.json().await.unwrap();
    let token = created["status_token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 64, "256 bits, hex");
    assert_eq!(created["status_url"], format!("/status/{token}"));
    // The public answer says nothing about the person: the reference and the link only.
    assert!(created.get("referral").is_none(), "{created}");
    assert!(created.get("existing_person").is_none(), "{created}");
    assert!(created.get("match_band").is_none(), "{created}");
    let (id, _) = app.received(&created).await;

    let (json, page) = status(app, &token).await;
    assert_eq!(json["stage"], "received");
    assert_eq!(json["reference"], created["reference"]);
    assert!(page.contains("We have received the request."));
    // When someone will be in touch: the configured routine triage standard (5 days), as a
    // date, the same on the page and in the API.
    let by = json["next"][0].as_str().unwrap().to_owned();
    assert!(
        by.starts_with("Someone from our team will get in touch by "),
        "{json}"
    );
    assert!(page.contains(&by), "{page}");

    // Triaged and allocated: passed to the named service, an appointment to be offered.
    let triaged = post(
        app,
        &format!("/api/referrals/{id}/triage"),
        1,
        json!({"need_group": "getting_help", "risk": "low", "rationale": "Anxiety about school",
               "destinations": [{"type": "allocate", "service_id": service},
                                {"type": "signpost", "name": "Synthetic Youth Counselling", "warm_handover": false}]}),
    )
    .await;
    let allocation = triaged["referral"]["allocations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let version = triaged["referral"]["version"].as_u64().unwrap();
    let (json, page) = status(app, &token).await;
    assert_eq!(json["stage"], "what_happens_next");
    assert_eq!(
        json["headline"],
        "We have passed the request to Synthetic Wellbeing Project."
    );
    let next = json["next"].to_string();
    assert!(
        next.contains("will contact you to offer an appointment"),
        "{next}"
    );
    assert!(next.contains("Synthetic Youth Counselling"), "{next}");
    assert!(page.contains("Synthetic Wellbeing Project"));

    // Seen: support has started.
    let contacted = post(
        app,
        &format!("/api/referrals/{id}/contacts"),
        version,
        json!({"allocation_id": allocation, "at": jiff::Timestamp::now().to_string(), "status": "attended",
               "mechanism": "face_to_face", "clinician": "C. Therapist", "duration_minutes": 50}),
    )
    .await;
    let (json, _) = status(app, &token).await;
    assert_eq!(
        json["headline"],
        "Support has started with Synthetic Wellbeing Project."
    );
    assert!(
        !json["next"].to_string().contains("get in touch by"),
        "passed on"
    );

    // Discharged: finished, naming where support came from and where they were pointed on to.
    post(
        app,
        &format!("/api/referrals/{id}/allocations/{allocation}/discharge"),
        contacted["referral"]["version"].as_u64().unwrap(),
        json!({"reason": "treatment_completed",
               "without_closing_measure": {"reason": "declined"}}),
    )
    .await;
    let (json, page) = status(app, &token).await;
    assert_eq!(json["stage"], "finished", "{json}");
    assert_eq!(
        json["headline"],
        "Support from Synthetic Wellbeing Project has finished."
    );
    let next = json["next"].to_string();
    assert!(
        next.contains("You have been given details of Synthetic Youth Counselling"),
        "{next}"
    );
    assert!(page.contains("Synthetic Youth Counselling"));

    // A wrong token, a malformed one and an almost-right one: the same 404.
    let mut wrong = token.clone();
    wrong.replace_range(0..1, if token.starts_with('0') { "1" } else { "0" });
    let mut bodies = Vec::new();
    for bad in [wrong.as_str(), "not-a-token", &token.to_uppercase()] {
        let response = app
            .public(Method::GET, &format!("/api/status/{bad}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{bad}");
        let body: Value = response.json().await.unwrap();
        bodies.push(body["detail"].clone());
        let page = app
            .public(Method::GET, &format!("/status/{bad}"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 404);
        assert_eq!(page.headers()["cache-control"], "no-store");
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");

    // A repeated request with the same key answers with the same reference and no new link:
    // the link went with the first answer, and replaying a key must not mint live links.
    let again = |key: &str| {
        app.public(Method::POST, "/api/self-referrals")
            .header("Idempotency-Key", key.to_owned())
            .json(&self_referral())
    };
    let links_before = app.count("status_links").await;
    let first: Value = again("k-1").send().await.unwrap().json().await.unwrap();
    for _ in 0..5 {
        let repeat = again("k-1").send().await.unwrap();
        assert_eq!(repeat.status(), 200);
        let repeat: Value = repeat.json().await.unwrap();
        assert_eq!(repeat["reference"], first["reference"]);
        assert_eq!(repeat["status_token"], "", "{repeat}");
        assert_eq!(repeat["repeated"], true);
    }
    assert_eq!(app.count("status_links").await, links_before + 1);
    let (json, _) = status(app, first["status_token"].as_str().unwrap()).await;
    assert_eq!(json["stage"], "received");
}
on_both_backends!(the_status_link_follows_the_referral_and_says_nothing_clinical);

/// The value of a hidden field in a page.
pub(crate) fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field"))
        + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

pub(crate) fn link(page: &str) -> String {
    let marker = "id=\"status-link\" href=\"";
    let start = page.find(marker).expect("a status link") + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

/// A parent's or carer's answers, every question (`website` is the honeypot).
pub(crate) fn parent_answers(honeypot: &str) -> Vec<(&str, &str)> {
    vec![
        ("website", honeypot),
        ("relationship", "foster_carer"),
        ("dob-day", "9"),
        ("dob-month", "4"),
        ("dob-year", "2014"),
        ("given-name", "Synthia"),
        ("family-name", "Testyoung"),
        ("postcode", "ME14 1XX"),
        ("reasons", "anxiety"),
        ("safety-thoughts", "no"),
        ("safety-harmed", "no"),
        ("happening", "Panicky before school."),
        ("aware", "knows_agrees"),
        ("your-name", "Carer Testperson"),
        ("phone", "07700 900 982"),
        ("understood", "yes"),
    ]
}

async fn a_parent_or_carer_refers_their_child_and_scripts_are_turned_away(app: &TestApp) {
    let journey = Journey::start(app, "/get-help/parent-carer").await;
    let first = journey.page(&journey.first).await;
    assert!(first.contains("How are you related to the child or young person?"));
    // The honeypot is hidden from people, screen readers and the keyboard.
    assert!(first.contains(r#"<div class="nhsuk-u-visually-hidden" aria-hidden="true">"#));
    assert!(first.contains(r#"name="website" value="" tabindex="-1" autocomplete="off""#));

    // Sent at once (a script): a neutral page, nothing written.
    let page = journey.send(&parent_answers("")).await;
    assert!(page.contains("Thank you"), "{page}");
    assert!(!page.contains("NWD-"));
    assert_eq!(app.count("referrals").await, 0);

    app.advance_clock(jiff::SignedDuration::from_secs(60));
    // The honeypot filled in (a script, however slow): the same neutral page, nothing written.
    let page = journey.send(&parent_answers("http://spam.example")).await;
    assert!(page.contains("Thank you"));
    assert_eq!(app.count("referrals").await, 0);
    // (The stamp is kept in the server-side draft: a browser cannot forge it.)

    // A person: the referral, recorded as a parent's or carer's (B2).
    let page = journey.send(&parent_answers("")).await;
    assert!(page.contains("Your request has been sent"), "{page}");
    let status_path = link(&page);
    assert!(status_path.starts_with("/status/"));
    let referrals: Value = app
        .staff(Method::GET, "/api/referrals?source=parent_carer")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = referrals["items"][0]["id"].as_str().unwrap();
    let referral: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(referral["source"], "parent_carer");
    assert_eq!(referral["referrer"]["name"], "Carer Testperson");
    assert_eq!(
        referral["referrer"]["role"],
        "Parent or carer (foster carer)"
    );
    assert!(referral["presenting_needs"]
        .as_str()
        .unwrap()
        .contains("Does the young person know? Yes, and they agree to it."));
    let token = status_path.trim_start_matches("/status/");
    let (json, page) = status(app, token).await;
    assert_eq!(json["stage"], "received");
    // When someone will be in touch: the triage standard's date, on the page and in the API.
    let by = "Someone from our team will get in touch by ";
    assert!(json["next"][0].as_str().unwrap().starts_with(by), "{json}");
    assert!(page.contains(by), "{page}");
}
on_both_backends!(a_parent_or_carer_refers_their_child_and_scripts_are_turned_away);

async fn service_pages_hide_waits_based_on_fewer_than_five(app: &TestApp) {
    let service = app
        .service(
            "Synthetic Wellbeing Project",
            &["getting_help"],
            5,
            25,
            "community",
        )
        .await;
    let page = app
        .public(Method::GET, &format!("/find-support/services/{service}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("How long the wait is"));
    assert!(page.contains("Not enough young people have started with this service"));
    assert!(!page.contains("half of young people"));
}
on_both_backends!(service_pages_hide_waits_based_on_fewer_than_five);
