//! Staff pages over HTTP, on both databases: who may open which page (a service team sees its
//! own service's lists only; commissioners get 403 on person pages), the sign-in redirect
//! without an open redirect, the referral page's forms (contact, step, discharge) with the
//! conflict page that keeps what was typed, the crisis list and the triage queue's area filter.

use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, TeamKind};
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{member_token as member, no_redirects, page, staff_html as html, TestApp};

fn reference(id: &str) -> String {
    let simple = id.replace('-', "").to_uppercase();
    format!("NWD-{}-{}", &simple[0..4], &simple[4..8])
}

/// A referral triaged to `service`; returns (referral id, allocation id, version).
pub(crate) async fn allocated(
    app: &TestApp,
    service: &str,
    priority: &str,
) -> (String, String, u64) {
    let created = app.school_referral(None, priority).await;
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let response = app
        .staff(Method::POST, &format!("/api/referrals/{id}/triage"))
        .header("If-Match", "\"1\"")
        .json(&json!({"need_group": "getting_help", "risk": "low", "rationale": "Synthetic rationale.",
                      "destinations": [{"type": "allocate", "service_id": service}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let body: Value = response.json().await.unwrap();
    (
        id,
        body["referral"]["allocations"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned(),
        body["referral"]["version"].as_u64().unwrap(),
    )
}

async fn service_team_sees_only_its_own_service_and_commissioners_see_no_person(app: &TestApp) {
    let alpha = app
        .service("Alpha Service", &["getting_help"], 5, 18, "community")
        .await;
    let beta = app
        .service("Beta Service", &["getting_help"], 5, 18, "community")
        .await;
    let (in_alpha, _, _) = allocated(app, &alpha, "routine").await;
    let (in_beta, _, _) = allocated(app, &beta, "routine").await;
    let (org, _) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "Alpha agency".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: "Alpha commissioning".into(),
            team_kind: TeamKind::Other,
            service_id: None,
        })
        .await
        .unwrap();
    let alpha_team = app
        .store
        .create_team(&org, "Alpha team", TeamKind::Service, Some(&alpha))
        .await
        .unwrap();
    let clinician = member(app, &org, &alpha_team, Role::Clinician, "alpha.clinician").await;
    let commissioner = member(
        app,
        &org,
        &alpha_team,
        Role::Commissioner,
        "alpha.commissioner",
    )
    .await;

    // The service team's own list shows its referral and not the other service's.
    let own = html(
        page(
            app,
            &clinician,
            Method::GET,
            &format!("/staff/services/{alpha}"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(own.contains(&reference(&in_alpha)), "{own}");
    assert!(!own.contains(&reference(&in_beta)));
    assert!(own.contains("Waiting list") && own.contains("Caseload"));
    let index = html(
        page(app, &clinician, Method::GET, "/staff/services")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(index.contains("Alpha Service") && !index.contains("Beta Service"));
    // Another service's list, and its entries, are not found: the same answer as no such id.
    for path in [
        format!("/staff/services/{beta}"),
        format!("/staff/referrals/{in_beta}"),
    ] {
        let response = page(app, &clinician, Method::GET, &path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let text = response.text().await.unwrap();
        assert!(!text.contains(&reference(&in_beta)) && !text.contains("Amelia"));
    }
    // Its own referral opens, with the person.
    let referral = html(
        page(
            app,
            &clinician,
            Method::GET,
            &format!("/staff/referrals/{in_alpha}"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(referral.contains("Amelia Testperson"));
    assert!(referral.contains("Record a contact"));

    // Commissioners: no person-level page at all.
    for path in [
        format!("/staff/referrals/{in_alpha}"),
        format!("/staff/services/{alpha}"),
        "/staff/services".to_owned(),
        "/staff/crisis".to_owned(),
        "/staff/transitions".to_owned(),
        "/staff/triage".to_owned(),
        "/staff/match-reviews".to_owned(),
    ] {
        let response = page(app, &commissioner, Method::GET, &path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
        let text = response.text().await.unwrap();
        assert!(!text.contains("Amelia"), "{path}");
    }
}
on_both_backends!(service_team_sees_only_its_own_service_and_commissioners_see_no_person);

async fn pages_send_browsers_to_sign_in_and_never_to_another_site(app: &TestApp) {
    let client = no_redirects();
    let response = client
        .get(format!("{}/staff/referrals/abc?allocation=1", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/staff/sign-in?next=%2Fstaff%2Freferrals%2Fabc%3Fallocation%3D1"
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    // The API keeps its 401, and so do changes.
    let api = client
        .get(format!("{}/api/referrals", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);
    let change = client
        .post(format!("{}/staff/referrals/abc/step", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(change.status(), 401);
    // The sign-in page carries a local `next` and refuses any other.
    for (next, kept) in [
        ("%2Fstaff%2Fcrisis", "/staff/crisis"),
        ("%2F%2Fevil.example%2Fstaff%2F", "/staff/triage"),
        ("https%3A%2F%2Fevil.example%2F", "/staff/triage"),
        ("%2F%5Cevil.example", "/staff/triage"),
    ] {
        let text = client
            .get(format!("{}/staff/sign-in?next={next}", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            text.contains(&format!("name=\"next\" value=\"{kept}\"")),
            "{next}: {text}"
        );
    }
    // Without `next` it stays empty, so that signing in goes to the person's own home page
    // (a privacy officer's is not the triage queue, which would refuse them).
    let text = client
        .get(format!("{}/staff/sign-in", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("name=\"next\" value=\"\""), "{text}");
}
on_both_backends!(pages_send_browsers_to_sign_in_and_never_to_another_site);

async fn referral_forms_record_contacts_steps_and_discharge_and_keep_typing_on_conflict(
    app: &TestApp,
) {
    let service = app
        .service(
            "Gamma Service",
            &["getting_help", "getting_more_help"],
            5,
            18,
            "community",
        )
        .await;
    let (id, allocation, version) = allocated(app, &service, "urgent").await;
    let token = &app.coordinator_token;
    let post = |path: String, body: String| {
        page(app, token, Method::POST, &path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    // A contact from the form: date, time, attendance code, consultation mechanism. The
    // server's clock moves two hours on; the contact was an hour after the referral.
    app.advance_clock(jiff::SignedDuration::from_hours(2));
    let at = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(1))
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Europe/London").unwrap());
    let response = post(
        format!("/staff/referrals/{id}/contacts"),
        format!(
            "version={version}&contact-allocation={allocation}&contact-date={}&contact-time={}\
             &contact-status=attended&contact-mechanism=video&contact-clinician=Dr+Synthetic&contact-minutes=45",
            at.strftime("%Y-%m-%d"),
            at.strftime("%H%%3A%M"),
        ),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303, "{:?}", response.text().await);
    let now: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["contacts"][0]["mechanism"], "video");
    assert_eq!(now["contacts"][0]["status"], "attended");
    let version_after_contact = now["version"].as_u64().unwrap();
    assert_eq!(version_after_contact, version + 1);

    // Bad answers: named per field, nothing written.
    let text = html(
        post(
            format!("/staff/referrals/{id}/contacts"),
            format!("version={version_after_contact}&contact-allocation={allocation}&contact-date=5th+Jan&contact-time=&contact-minutes=0"),
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    for message in [
        "Enter the date of the contact",
        "Enter the time of the contact",
        "Choose whether the young person attended",
        "Choose how the contact happened",
        "Enter how long the contact took",
    ] {
        assert!(text.contains(message), "{message}");
    }

    // A step sent at the version read before the contact: the conflict page names the change
    // and keeps the reason typed, at the current version.
    let typed = "Panic attacks now daily; agreed with Amelia and her mum <b>today</b>.";
    let body = format!(
        "version={version}&step-direction=up&step-to=getting_more_help&step-reason={}",
        form_urlencoded::byte_serialize(typed.as_bytes()).collect::<String>()
    );
    let text = html(
        post(format!("/staff/referrals/{id}/step"), body)
            .send()
            .await
            .unwrap(),
        409,
    )
    .await;
    assert!(text.contains("Someone else changed this referral"));
    assert!(text.contains("contact recorded"), "the change is named");
    let kept = text
        .split("id=\"step-reason\" name=\"step-reason\" rows=\"3\">")
        .nth(1)
        .and_then(|rest| rest.split("</textarea>").next())
        .unwrap_or_default();
    assert!(
        kept.starts_with("Panic attacks now daily; agreed with Amelia and her mum ")
            && kept.contains("today")
            && !kept.contains("<b>"),
        "the reason typed is kept, escaped: {kept}"
    );
    assert!(text.contains(&format!(
        "name=\"version\" value=\"{version_after_contact}\""
    )));
    let steps: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(steps["step_count"], 0, "nothing was written");

    // Discharge names the destination and the code; the last allocation closes the referral.
    let response = post(
        format!("/staff/referrals/{id}/discharge"),
        format!(
            "version={version_after_contact}&discharge-allocation={allocation}&discharge-reason=treatment_completed\
             &discharge-destination=Back+to+GP+with+a+plan&discharge-note=&discharge-confirm=yes&discharge-missing-measure=lost_contact"
        ),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303, "{:?}", response.text().await);
    let closed = html(
        page(app, token, Method::GET, &format!("/staff/referrals/{id}"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(closed.contains("Closed"));
    assert!(closed.contains("Destination: Back to GP with a plan"));
    assert!(closed.contains("Treatment completed"));
    // A discharge without a destination is refused, naming the field.
    let (other, other_allocation, other_version) = allocated(app, &service, "routine").await;
    let text = html(
        post(
            format!("/staff/referrals/{other}/discharge"),
            format!("version={other_version}&discharge-allocation={other_allocation}&discharge-reason=treatment_completed&discharge-destination=+"),
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(text.contains("Name where the young person goes next"));
}
on_both_backends!(referral_forms_record_contacts_steps_and_discharge_and_keep_typing_on_conflict);

async fn crisis_list_and_area_filter(app: &TestApp) {
    let emergency = app.school_referral(None, "emergency").await;
    let routine = app.school_referral(None, "routine").await;
    let emergency = emergency["referral"]["id"].as_str().unwrap().to_owned();
    let routine = routine["referral"]["id"].as_str().unwrap().to_owned();
    app.advance_clock(jiff::SignedDuration::from_hours(5));
    let token = &app.coordinator_token;
    let crisis = html(
        page(app, token, Method::GET, "/staff/crisis")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(crisis.contains(&reference(&emergency)));
    assert!(!crisis.contains(&reference(&routine)));
    assert!(crisis.contains("Waited </span>5 hours<"), "{crisis}");

    // The referrals' young person lives in ME14.
    for (area, shown) in [("ME14", true), ("me", true), ("ME1", false), ("CT", false)] {
        let queue = html(
            page(
                app,
                token,
                Method::GET,
                &format!("/staff/triage?area={area}"),
            )
            .send()
            .await
            .unwrap(),
            200,
        )
        .await;
        assert_eq!(queue.contains(&reference(&routine)), shown, "area {area}");
    }
    let queue = html(
        page(app, token, Method::GET, "/staff/triage?area=14ME")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(queue.contains("Enter a postcode area, like ME, or a district, like ME14"));
}
on_both_backends!(crisis_list_and_area_filter);

async fn the_match_review_page_explains_and_records_a_decision(app: &TestApp) {
    app.school_referral(Some("9990000077"), "routine").await;
    let mut doubtful = crate::support::referral_body(Some("9990000077"), "routine");
    doubtful["person"]["family_name"] = json!("Differentname");
    doubtful["person"]["date_of_birth"] = json!("2013-09-01");
    let received: Value = app
        .staff(Method::POST, "/api/referrals")
        .json(&doubtful)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(received["match_band"], "review");
    let referral = received["referral"]["id"].as_str().unwrap().to_owned();
    let queue: Value = app
        .staff(Method::GET, "/api/match-reviews")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let review = queue[0]["id"].as_str().unwrap().to_owned();
    let version = queue[0]["version"].as_u64().unwrap();
    let token = &app.coordinator_token;

    // Beside the triage queue.
    let triage = html(
        page(app, token, Method::GET, "/staff/triage")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(triage.contains("Person matches to review"));
    assert!(triage.contains(&format!("/staff/match-reviews/{review}")));
    // Side by side, with the rule that sent it here.
    let text = html(
        page(
            app,
            token,
            Method::GET,
            &format!("/staff/match-reviews/{review}"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(text.contains(&reference(&referral)));
    assert!(text.contains("Amelia Differentname") && text.contains("Amelia Testperson"));
    assert!(text.contains("Registered record 1"));

    let post = |body: String| {
        page(
            app,
            token,
            Method::POST,
            &format!("/staff/match-reviews/{review}/decision"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
    };
    let text = html(
        post(format!("version={version}&decision=not_same&reason=+"))
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert!(text.contains("Say why: the reason is kept with the decision"));
    let text = html(
        post(format!(
            "version={}&decision=not_same&reason=Different+birth+date+confirmed+by+school",
            version + 5
        ))
        .send()
        .await
        .unwrap(),
        409,
    )
    .await;
    assert!(text.contains("Someone else changed this review"));
    assert!(text.contains("Different birth date confirmed by school"));
    let response = post(format!(
        "version={version}&decision=not_same&reason=Different+birth+date+confirmed+by+school"
    ))
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303, "{:?}", response.text().await);
    let list = html(
        page(app, token, Method::GET, "/staff/match-reviews")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(list.contains("There are no person matches to review"));
}
on_both_backends!(the_match_review_page_explains_and_records_a_decision);

/// The crisis list in pages of 50: the total counts the whole list, page 2 holds the rest in
/// the same order (untriaged, soonest triage due first), the pagination links work without JavaScript, a
/// page past the end shows the last one, and a page that is not a number is refused (400)
/// naming the parameter.
async fn crisis_list_is_paged(app: &TestApp) {
    let mut ids = Vec::new();
    for i in 0..51 {
        let priority = if i % 2 == 0 {
            "emergency"
        } else {
            "very_urgent"
        };
        let created = app.school_referral(None, priority).await;
        ids.push(created["referral"]["id"].as_str().unwrap().to_owned());
        app.advance_clock(jiff::SignedDuration::from_mins(1));
    }
    let token = &app.coordinator_token;
    let get = |path: &'static str| async move {
        html(
            page(app, token, Method::GET, path).send().await.unwrap(),
            200,
        )
        .await
    };
    let first = get("/staff/crisis").await;
    assert!(first.contains("51 referrals not yet closed"), "{first}");
    assert!(first.contains("Showing 1 to 50 of 51."));
    assert!(first.contains("href=\"/staff/crisis?page=2\" class=\"nhsuk-pagination__next\""));
    let rows = |text: &str| -> Vec<usize> {
        ids.iter()
            .enumerate()
            .filter_map(|(i, id)| text.find(&reference(id)).map(|at| (at, i)))
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_values()
            .collect()
    };
    // Soonest triage due first: every emergency (1 hour) before every very urgent referral
    // (4 hours), each in the order received.
    let order: Vec<usize> = (0..51).step_by(2).chain((1..51).step_by(2)).collect();
    assert_eq!(rows(&first), order[..50], "soonest to breach first");
    let second = get("/staff/crisis?page=2").await;
    assert_eq!(rows(&second), [49]);
    assert!(second.contains("Showing 51 to 51 of 51."));
    assert!(second.contains("aria-label=\"Page 2\" aria-current=\"page\""));
    assert!(second.contains("href=\"/staff/crisis?page=1\" class=\"nhsuk-pagination__previous\""));
    let past = get("/staff/crisis?page=9").await;
    assert_eq!(rows(&past), [49], "past the end: the last page");
    let response = page(app, token, Method::GET, "/staff/crisis?page=two")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("page must be a page number from 1"));
}
on_both_backends!(crisis_list_is_paged);
