//! Priority and risk as living facts (issue 14), through the real server on both databases:
//! a change of urgency after triage moves waiting-list order and breach dates and the crisis
//! list; a clinician without a relationship cannot change it; the public safety question
//! flags a referral for review within hours and puts it first on the crisis list; the crisis
//! list's order, filters and time units; the overdue risk reviews; the urgency form.

use reqwest::{Method, Response};
use serde_json::{json, Value};

use nwd_domain::authz::Role;
use nwd_store::auth::NewUser;

use crate::on_both_backends;
use crate::status::{form_post, hidden};
use crate::support::{all_scopes, fields, html, page, problem, TestApp};

fn reference(id: &str) -> String {
    let simple = id.replace('-', "").to_uppercase();
    format!("NWD-{}-{}", &simple[0..4], &simple[4..8])
}

/// The order in which `ids` appear in `text` (indices into `ids`; absent ones left out).
fn order(text: &str, ids: &[&str]) -> Vec<usize> {
    ids.iter()
        .enumerate()
        .filter_map(|(i, id)| text.find(&reference(id)).map(|at| (at, i)))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_values()
        .collect()
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    let response = app.staff(Method::GET, path).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

async fn urgency(app: &TestApp, token: &str, id: &str, version: u64, body: Value) -> Response {
    app.as_token(token, Method::POST, &format!("/api/referrals/{id}/urgency"))
        .header("If-Match", format!("\"{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A school referral (verified: the coordinator's token) triaged to `service`; returns its id
/// and version.
async fn triaged(app: &TestApp, service: &str, priority: &str, risk: &str) -> (String, u64) {
    let created = app.school_referral(None, priority).await;
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let response = app
        .staff(Method::POST, &format!("/api/referrals/{id}/triage"))
        .header("If-Match", "\"1\"")
        .json(
            &json!({"need_group": "getting_help", "risk": risk, "priority": priority,
            "rationale": "Synthetic rationale.",
            "destinations": [{"type": "allocate", "service_id": service}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let body: Value = response.json().await.unwrap();
    (id, body["referral"]["version"].as_u64().unwrap())
}

async fn clinician_of(app: &TestApp, service: &str, name: &str) -> String {
    let (org, team) = app
        .store
        .bootstrap_team(&nwd_store::auth::Bootstrap {
            organisation: format!("{name} trust"),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: format!("{name} team"),
            team_kind: nwd_store::auth::TeamKind::Service,
            service_id: Some(service.to_owned()),
        })
        .await
        .unwrap();
    let user = app
        .store
        .create_user(
            NewUser {
                username: name.to_owned(),
                display_name: name.to_owned(),
                organisation_id: org,
                password: None,
                memberships: vec![(team, Role::Clinician)],
            },
            "test",
        )
        .await
        .unwrap();
    app.store
        .create_api_token(&user.id, "test", &all_scopes())
        .await
        .unwrap()
        .1
}

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

fn self_referral_answers<'a>(
    journey: &'a str,
    issued: &'a str,
    thoughts: &'a str,
    harmed: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("journey", journey),
        ("issued", issued),
        ("website", ""),
        ("dob-day", "9"),
        ("dob-month", "4"),
        ("dob-year", "2008"),
        ("given-name", "Safia"),
        ("family-name", "Testyoung"),
        ("postcode", "ME14 1XX"),
        ("reasons", "self_harm"),
        ("safety-thoughts", thoughts),
        ("safety-harmed", harmed),
        ("happening", "Synthetic: things are bad."),
        ("phone", "07700 900 982"),
        ("understood", "yes"),
    ]
}

/// The public safety question: answers that signal risk show the urgent help numbers at once,
/// with a way to carry on; the referral then arrives with a request for very urgent review
/// (4-hour triage standard) and is first on the crisis list, untriaged, ahead of a referral
/// triaged very urgent earlier. Answers that do not signal risk arrive routine.
async fn safety_answers_flag_the_referral_first_on_the_crisis_list(app: &TestApp) {
    let service = app
        .service("Crisis team", &["getting_help"], 5, 25, "crisis_resolution")
        .await;
    let (earlier, _) = triaged(app, &service, "very_urgent", "high").await;
    let first = app
        .public(Method::GET, "/get-help")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let journey = hidden(&first, "journey");
    let issued = hidden(&first, "issued");
    // Unanswered: the question again, naming both fields.
    let mut pairs = self_referral_answers(&journey, &issued, "", "");
    pairs.push(("step", "safety"));
    pairs.push(("go", "continue"));
    let again = form_post(app, "/get-help", &pairs).await;
    assert!(again.contains("href=\"#safety-thoughts\""), "{again}");
    assert!(again.contains("href=\"#safety-harmed\""));
    // Yes: the interruption at once, with the urgent help numbers and a way to carry on.
    let mut pairs = self_referral_answers(&journey, &issued, "yes", "no");
    pairs.push(("step", "safety"));
    pairs.push(("go", "continue"));
    let interruption = form_post(app, "/get-help", &pairs).await;
    assert!(
        interruption.contains("You can get help now"),
        "{interruption}"
    );
    assert!(interruption.contains("tel:999"));
    assert!(interruption.contains("tel:111"));
    assert!(interruption.contains("value=\"continue-after-safety\""));
    // Carrying on leads to the next question.
    let mut pairs = self_referral_answers(&journey, &issued, "yes", "no");
    pairs.push(("step", "safety"));
    pairs.push(("go", "continue-after-safety"));
    let next = form_post(app, "/get-help", &pairs).await;
    assert!(next.contains("Tell us what has been happening"));
    // Sent.
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let mut pairs = self_referral_answers(&journey, &issued, "yes", "no");
    pairs.push(("step", "check"));
    pairs.push(("go", "send"));
    let done = form_post(app, "/get-help", &pairs).await;
    assert!(done.contains("Your request has been sent"), "{done}");
    let found = get_json(app, "/api/referrals?source=self_referral").await;
    let id = found["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(found["items"][0]["requested_priority"], "very_urgent");
    let referral = get_json(app, &format!("/api/referrals/{id}")).await;
    assert_eq!(
        referral["priority"], "routine",
        "triage confirms the clinical priority"
    );
    assert!(referral["request_reason"]
        .as_str()
        .unwrap()
        .contains("ending your life"));

    // First on the crisis list: untriaged first, with the 4-hour triage standard.
    let crisis = html(
        page(app, &app.coordinator_token, Method::GET, "/staff/crisis")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert_eq!(order(&crisis, &[&id, &earlier]), [0, 1], "{crisis}");
    assert!(crisis.contains("Very urgent requested"));
    assert!(crisis.contains("Triage by"));
    assert!(
        crisis.contains("(3 hours)") || crisis.contains("(4 hours)"),
        "{crisis}"
    );

    // Answers without risk: no interruption, no request.
    let first = app
        .public(Method::GET, "/get-help")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (journey, issued) = (hidden(&first, "journey"), hidden(&first, "issued"));
    let mut pairs = self_referral_answers(&journey, &issued, "no", "no");
    pairs.push(("step", "safety"));
    pairs.push(("go", "continue"));
    assert!(form_post(app, "/get-help", &pairs)
        .await
        .contains("Tell us what has been happening"));
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let mut pairs = self_referral_answers(&journey, &issued, "no", "no");
    pairs[6] = ("given-name", "Nora");
    pairs.push(("step", "check"));
    pairs.push(("go", "send"));
    assert!(form_post(app, "/get-help", &pairs)
        .await
        .contains("Your request has been sent"));
    let found = get_json(app, "/api/referrals?source=self_referral").await;
    let calm = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] != id.as_str())
        .unwrap();
    assert!(calm["requested_priority"].is_null());
}
on_both_backends!(safety_answers_flag_the_referral_first_on_the_crisis_list);

/// The crisis list: untriaged first (soonest triage due: emergency 1 hour before very urgent
/// 4 hours), then triaged by time to breach; filters by priority, risk, triage and source;
/// times in hours under two days and in days after.
async fn crisis_list_order_filters_and_time_units(app: &TestApp) {
    let service = app
        .service("Crisis unit", &["getting_help"], 5, 25, "crisis_resolution")
        .await;
    // Triaged three days ago, very urgent: its 4-hour crisis standard breached long since.
    let (old, _) = triaged(app, &service, "very_urgent", "medium").await;
    app.advance_clock(jiff::SignedDuration::from_hours(72));
    let very_urgent = app.school_referral(None, "very_urgent").await["referral"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.advance_clock(jiff::SignedDuration::from_mins(10));
    let emergency = app.school_referral(None, "emergency").await["referral"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let routine = app.school_referral(None, "routine").await["referral"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let get = |path: String| async move {
        html(
            page(app, &app.coordinator_token, Method::GET, &path)
                .send()
                .await
                .unwrap(),
            200,
        )
        .await
    };
    let all = get("/staff/crisis".into()).await;
    assert!(all.contains("3 referrals not yet closed"), "{all}");
    assert_eq!(
        order(&all, &[&emergency, &very_urgent, &old, &routine]),
        [0, 1, 2]
    );
    // Hours under two days, days after.
    assert!(all.contains("Waited </span>3 days<"), "{all}");
    assert!(all.contains("Waited </span>0 hours<"));
    assert!(all.contains("days overdue"));
    assert!(all.contains("nhsuk-tag nhsuk-tag--red\">Breached"));
    // Filters.
    let untriaged = get("/staff/crisis?triaged=no".into()).await;
    assert_eq!(order(&untriaged, &[&emergency, &very_urgent, &old]), [0, 1]);
    let triaged_only = get("/staff/crisis?triaged=yes".into()).await;
    assert_eq!(order(&triaged_only, &[&emergency, &very_urgent, &old]), [2]);
    let emergencies = get("/staff/crisis?priority=emergency".into()).await;
    assert_eq!(order(&emergencies, &[&emergency, &very_urgent, &old]), [0]);
    assert!(emergencies.contains("<option value=\"emergency\" selected>"));
    let medium = get("/staff/crisis?risk=medium".into()).await;
    assert_eq!(order(&medium, &[&emergency, &very_urgent, &old]), [2]);
    let from_gps = get("/staff/crisis?source=gp".into()).await;
    assert!(from_gps.contains("0 referrals not yet closed"));
    assert!(from_gps.contains("with these filters"));
}
on_both_backends!(crisis_list_order_filters_and_time_units);

/// A risk review date set at triage or later: once the date has passed (from the next local
/// midnight) the referral is on the overdue risk reviews page, most overdue first; a new
/// review date takes it off.
async fn overdue_risk_reviews_are_listed_most_overdue_first(app: &TestApp) {
    let service = app
        .service("Review service", &["getting_help"], 5, 25, "community")
        .await;
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/London").unwrap())
        .date();
    let (later, v_later) = triaged(app, &service, "routine", "medium").await;
    let (sooner, v_sooner) = triaged(app, &service, "routine", "high").await;
    let tomorrow = today.checked_add(jiff::Span::new().days(1)).unwrap();
    let in_three = today.checked_add(jiff::Span::new().days(3)).unwrap();
    for (id, version, on) in [(&later, v_later, in_three), (&sooner, v_sooner, tomorrow)] {
        let response = urgency(
            app,
            &app.coordinator_token,
            id,
            version,
            json!({"risk_review_on": on.to_string(), "reason": "Review agreed (synthetic)."}),
        )
        .await;
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
    }
    // A date in the past is refused, naming the field.
    let yesterday = today.checked_sub(jiff::Span::new().days(1)).unwrap();
    let refused = problem(
        urgency(
            app,
            &app.coordinator_token,
            &later,
            v_later + 1,
            json!({"risk_review_on": yesterday.to_string(), "reason": "Typo (synthetic)."}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&refused), ["risk_review_on"]);
    let get = || async {
        html(
            page(
                app,
                &app.coordinator_token,
                Method::GET,
                "/staff/risk-reviews",
            )
            .send()
            .await
            .unwrap(),
            200,
        )
        .await
    };
    let none = get().await;
    assert!(none.contains("No risk review is overdue."));
    // Six days on: both overdue, the one due sooner first.
    app.advance_clock(jiff::SignedDuration::from_hours(6 * 24));
    let listed = get().await;
    assert!(listed.contains("2 referrals not closed"), "{listed}");
    assert_eq!(order(&listed, &[&sooner, &later]), [0, 1]);
    assert!(listed.contains("days overdue"));
    assert!(listed.contains("High risk"));
    // A new review date takes it off the list.
    let next = today.checked_add(jiff::Span::new().days(30)).unwrap();
    let response = urgency(
        app,
        &app.coordinator_token,
        &sooner,
        v_sooner + 1,
        json!({"risk_review_on": next.to_string(), "reason": "Reviewed, still high (synthetic)."}),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(order(&get().await, &[&sooner, &later]), [1]);
    // The risk reviews page is in the clinical menu.
    assert!(listed.contains("href=\"/staff/risk-reviews\""));
}
on_both_backends!(overdue_risk_reviews_are_listed_most_overdue_first);

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
