//! The public safety question puts a referral first on the crisis list; the crisis list's
//! order, filters and time units.

use reqwest::Method;

use crate::journeys::{attribute_after, Journey};
use crate::on_both_backends;
use crate::support::{html, page, TestApp};

use super::{get_json, order, triaged};

fn self_referral_answers<'a>(thoughts: &'a str, harmed: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
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
    let journey = Journey::start(app, "/get-help").await;
    journey
        .answer_until("/get-help/q/safety", &self_referral_answers("", ""))
        .await;
    // Unanswered: the question again, naming both fields.
    let again = journey
        .post("/get-help/q/safety", &self_referral_answers("", ""))
        .await
        .text()
        .await
        .unwrap();
    assert!(again.contains("href=\"#safety-thoughts\""), "{again}");
    assert!(again.contains("href=\"#safety-harmed\""));
    // Yes: the interruption at once (its own address), with the urgent help numbers, the
    // very urgent promise and a way to carry on.
    let response = journey
        .post("/get-help/q/safety", &self_referral_answers("yes", "no"))
        .await;
    assert_eq!(response.status(), 303);
    let at = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(at, "/get-help/q/safety?help=now");
    let interruption = journey.page(&at).await;
    assert!(
        interruption.contains("You can get help now"),
        "{interruption}"
    );
    assert!(interruption.contains("tel:999"));
    assert!(interruption.contains("tel:111"));
    assert!(interruption.contains("within 4 hours"), "{interruption}");
    // Carrying on leads to the next question.
    let next = attribute_after(&interruption, "id=\"continue-after-safety\" href=\"");
    assert_eq!(next, "/get-help/q/happening");
    assert!(journey
        .page(&next)
        .await
        .contains("Tell us what has been happening"));
    // Sent.
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let done = journey.send(&self_referral_answers("yes", "no")).await;
    assert!(done.contains("Your request has been sent"), "{done}");
    assert!(done.contains("within 4 hours"), "{done}");
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
    let journey = Journey::start(app, "/get-help").await;
    let mut pairs = self_referral_answers("no", "no");
    pairs[4] = ("given-name", "Nora");
    journey.answer_until("/get-help/q/safety", &pairs).await;
    let response = journey.post("/get-help/q/safety", &pairs).await;
    assert_eq!(
        response.headers()["location"].to_str().unwrap(),
        "/get-help/q/happening"
    );
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    assert!(journey
        .send(&pairs)
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
