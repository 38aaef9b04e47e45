//! A change of urgency after triage moves waiting-list order, breach dates and the crisis
//! list; a clinician without a relationship cannot change it; the urgency form.

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{fields, html, page, problem, TestApp};

use super::{clinician_of, get_json, reference, triaged, urgency};

/// After triage, raising the priority moves the referral up its service's waiting list and
/// its breach date earlier (the eating-disorder standard for urgent: 1 week, not 4), keeps
/// the change's who, when and why on the timeline, and a very urgent priority or a high risk
/// puts it on the crisis list; lowering them takes it off.
async fn urgency_changes_after_triage_move_the_lists_and_breach_dates(app: &TestApp) {
    let service = app
        .service("Urgency ED", &["getting_help"], 5, 18, "eating_disorder")
        .await;
    let (first, _) = triaged(app, &service, "routine", "low").await;
    app.advance_clock(jiff::SignedDuration::from_mins(5));
    let (second, version) = triaged(app, &service, "routine", "low").await;
    let list = get_json(app, &format!("/api/services/{service}/waiting-list")).await;
    let ids: Vec<&str> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["referral_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [first.as_str(), second.as_str()], "longest wait first");
    assert_eq!(
        list["entries"][1]["standard"],
        "Eating disorders: routine, 4 weeks"
    );
    let routine_breach: jiff::Timestamp = list["entries"][1]["breach_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();

    // No reason: refused naming the field, nothing written.
    let refused = problem(
        urgency(
            app,
            &app.coordinator_token,
            &second,
            version,
            json!({"priority": "urgent", "reason": " "}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&refused), ["reason"]);
    let response = urgency(
        app,
        &app.coordinator_token,
        &second,
        version,
        json!({"priority": "urgent", "reason": "Stopped eating since Friday (synthetic)."}),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["etag"], format!("\"{}\"", version + 1));
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["referral"]["priority"], "urgent");
    assert_eq!(changed["events"][0]["event"]["type"], "urgency_recorded");

    let list = get_json(app, &format!("/api/services/{service}/waiting-list")).await;
    assert_eq!(
        list["entries"][0]["referral_id"],
        second.as_str(),
        "urgent first"
    );
    assert_eq!(
        list["entries"][0]["standard"],
        "Eating disorders: urgent, 1 week"
    );
    let urgent_breach: jiff::Timestamp = list["entries"][0]["breach_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let clock_start: jiff::Timestamp = list["entries"][0]["clock_start"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let london = jiff::tz::TimeZone::get("Europe/London").unwrap();
    let days_after = |at: jiff::Timestamp| {
        clock_start
            .to_zoned(london.clone())
            .date()
            .until(at.to_zoned(london.clone()).date())
            .unwrap()
            .get_days()
    };
    assert_eq!(
        (days_after(urgent_breach), days_after(routine_breach)),
        (7, 28),
        "the breach date moved three weeks earlier"
    );

    // The timeline says who, when and why.
    let referral_page = html(
        page(
            app,
            &app.coordinator_token,
            Method::GET,
            &format!("/staff/referrals/{second}"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(
        referral_page.contains("Urgency reviewed: Priority urgent"),
        "{referral_page}"
    );
    assert!(referral_page.contains("Stopped eating since Friday (synthetic)."));
    assert!(referral_page.contains("nhsuk-tag nhsuk-tag--yellow"));

    // High risk: on the crisis list; back to low: off it.
    async fn crisis(app: &TestApp) -> String {
        html(
            page(app, &app.coordinator_token, Method::GET, "/staff/crisis")
                .send()
                .await
                .unwrap(),
            200,
        )
        .await
    }
    assert!(!crisis(app).await.contains(&reference(&second)));
    let response = urgency(
        app,
        &app.coordinator_token,
        &second,
        version + 1,
        json!({"risk": "high", "reason": "Disclosed a plan (synthetic)."}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let listed = crisis(app).await;
    assert!(listed.contains(&reference(&second)));
    assert!(listed.contains("High risk"));
    assert!(listed.contains("First contact by"));
    let response = urgency(
        app,
        &app.coordinator_token,
        &second,
        version + 2,
        json!({"risk": "low", "reason": "Plan withdrawn, safety plan agreed (synthetic)."}),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(!crisis(app).await.contains(&reference(&second)));
}
on_both_backends!(urgency_changes_after_triage_move_the_lists_and_breach_dates);

/// The guard decides who may change urgency: a clinician of a service the young person is
/// allocated to may; a clinician of another service gets 404 (as for a missing id) and
/// nothing is written.
async fn a_priority_change_without_a_relationship_is_refused(app: &TestApp) {
    let ours = app
        .service("Ours", &["getting_help"], 5, 18, "community")
        .await;
    let theirs = app
        .service("Theirs", &["getting_help"], 5, 18, "community")
        .await;
    let (id, version) = triaged(app, &ours, "routine", "low").await;
    let stranger = clinician_of(app, &theirs, "stranger").await;
    let response = urgency(
        app,
        &stranger,
        &id,
        version,
        json!({"priority": "emergency", "reason": "Not my patient (synthetic)."}),
    )
    .await;
    assert_eq!(response.status(), 404);
    let referral = get_json(app, &format!("/api/referrals/{id}")).await;
    assert_eq!(referral["priority"], "routine");
    assert_eq!(referral["version"].as_u64().unwrap(), version);
    // The page form is refused the same way.
    let response = page(
        app,
        &stranger,
        Method::POST,
        &format!("/staff/referrals/{id}/urgency"),
    )
    .header("content-type", "application/x-www-form-urlencoded")
    .body(format!(
        "version={version}&urgency-priority=emergency&urgency-reason=No"
    ))
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 404);
    // Their own clinician may.
    let ours_clinician = clinician_of(app, &ours, "treating").await;
    let response = urgency(app, &ours_clinician, &id, version,
        json!({"priority": "very_urgent", "risk": "high", "reason": "Deteriorated at session (synthetic)."})).await;
    assert_eq!(response.status(), 200);
    let referral = get_json(app, &format!("/api/referrals/{id}")).await;
    assert_eq!(referral["priority"], "very_urgent");
    assert_eq!(referral["risk"], "high");
}
on_both_backends!(a_priority_change_without_a_relationship_is_refused);

/// The urgency form on the referral page: bad answers named per field with nothing written,
/// then saved with a redirect to the referral and a success banner; the triage form asks the
/// priority.
async fn the_urgency_form_saves_with_a_banner_and_names_bad_fields(app: &TestApp) {
    let created = app.school_referral(None, "routine").await;
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let token = &app.coordinator_token;
    let before = html(
        page(app, token, Method::GET, &format!("/staff/referrals/{id}"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(before.contains("id=\"urgency\""));
    assert!(before.contains("Risk not assessed"));
    assert!(
        before.contains("name=\"priority\""),
        "the triage form asks the priority"
    );
    let post = |body: &'static str| {
        page(
            app,
            token,
            Method::POST,
            &format!("/staff/referrals/{id}/urgency"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
    };
    let bad = html(
        post("version=1&urgency-priority=soonish&urgency-review=next+week&urgency-reason=")
            .await
            .unwrap(),
        422,
    )
    .await;
    for field in ["urgency-priority", "urgency-review", "urgency-reason"] {
        assert!(
            bad.contains(&format!("href=\"#{field}\"")),
            "{field}: {bad}"
        );
    }
    assert_eq!(
        get_json(app, &format!("/api/referrals/{id}")).await["version"],
        1
    );
    let saved = post("version=1&urgency-priority=emergency&urgency-risk=immediate&urgency-reason=Called+back%2C+at+risk+now+(synthetic)").await.unwrap();
    assert_eq!(saved.status(), 303);
    let location = saved.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        location,
        format!("/staff/referrals/{id}?saved=urgency#urgency")
    );
    let after = html(
        page(app, token, Method::GET, &location)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(after.contains("Priority and risk saved"));
    assert!(after.contains("nhsuk-tag nhsuk-tag--red\"><span class=\"nhsuk-u-visually-hidden\">Priority: </span>Emergency"));
    assert!(after.contains("Immediate risk"));
    // Emergency: triage due within the hour.
    assert!(
        after.contains("(0 hours)") || after.contains("(1 hour)"),
        "{after}"
    );
    // The same form again at the old version: the conflict page keeps what was typed.
    let conflict = html(
        post("version=1&urgency-risk=high&urgency-reason=Second+opinion")
            .await
            .unwrap(),
        409,
    )
    .await;
    assert!(conflict.contains("Someone else changed this referral"));
    assert!(conflict.contains("Second opinion"));
}
on_both_backends!(the_urgency_form_saves_with_a_banner_and_names_bad_fields);
