//! Routine outcome measures on a referral (issue 19), through the API and the referral page,
//! on both databases: scores recorded on an allocation (versioned with `If-Match`, checked
//! against the bundled measure, refused by field and writing nothing when wrong), and what
//! they show — the first and last paired from the first and second attended contacts and
//! judged for reliable change as NHS England's MHS112.

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::pages::allocated;
use crate::support::{fields, page, problem, staff_html, TestApp};

async fn post(app: &TestApp, path: &str, version: u64, body: Value) -> reqwest::Response {
    app.staff(Method::POST, path)
        .header("If-Match", format!("\"{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn version_of(app: &TestApp, id: &str) -> u64 {
    let referral: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    referral["version"].as_u64().unwrap()
}

async fn attended(app: &TestApp, id: &str, allocation: &str) {
    let version = version_of(app, id).await;
    let response = post(
        app,
        &format!("/api/referrals/{id}/contacts"),
        version,
        json!({"allocation_id": allocation, "at": app.store.now().to_string(), "status": "attended",
               "mechanism": "face_to_face", "clinician": "C. Therapist", "duration_minutes": 50}),
    )
    .await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
}

async fn outcomes(app: &TestApp, id: &str) -> Value {
    app.staff(Method::GET, &format!("/api/referrals/{id}/outcomes"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn scores_recorded_through_the_api_change_reliably_as_mhs112(app: &TestApp) {
    let service = app
        .service("Outcome Service", &["getting_help"], 5, 18, "community")
        .await;
    let (id, allocation, version) = allocated(app, &service, "routine").await;
    let path = format!("/api/referrals/{id}/outcomes");
    // Without If-Match: refused, as every change to a referral.
    let response = app
        .staff(Method::POST, &path)
        .json(
            &json!({"allocation_id": allocation, "measure": "phq_9", "rater": "self",
                      "scores": [{"scale": "total", "score": 19}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 428);
    // Wrong answers: each named, nothing written.
    let bad = post(
        app,
        &path,
        version,
        json!({"allocation_id": allocation, "measure": "phq_9", "rater": "self",
               "scores": [{"scale": "total", "score": 30}, {"scale": "mood", "score": 1}]}),
    )
    .await;
    let body = problem(bad, 422).await;
    assert_eq!(fields(&body), ["scores[0].score", "scores[1].scale"]);
    let bad = post(
        app,
        &path,
        version,
        json!({"allocation_id": allocation, "measure": "phq_9", "rater": "self",
               "scores": [{"scale": "total", "score": 12.25}]}),
    )
    .await;
    assert_eq!(fields(&problem(bad, 422).await), ["scores[0].score"]);
    assert_eq!(version_of(app, &id).await, version);

    attended(app, &id, &allocation).await;
    let first = post(
        app,
        &path,
        version + 1,
        json!({"allocation_id": allocation, "measure": "phq_9", "rater": "self",
               "scores": [{"scale": "total", "score": 19}]}),
    )
    .await;
    assert_eq!(first.status(), 200, "{:?}", first.text().await);
    let shown = outcomes(app, &id).await;
    assert_eq!(
        shown["scales"][0]["measure_name"],
        "Patient Health Questionnaire (PHQ-9)"
    );
    assert_eq!(
        shown["scales"][0]["snomed"], "720433000",
        "the SNOMED CT code NHS England maps for the PHQ-9 score"
    );
    assert!(
        shown["scales"][0]["change"].is_null(),
        "one contact: not paired"
    );

    app.advance_clock(jiff::SignedDuration::from_hours(24 * 14));
    attended(app, &id, &allocation).await;
    let version = version_of(app, &id).await;
    let last = post(
        app,
        &path,
        version,
        json!({"allocation_id": allocation, "measure": "phq_9", "rater": "self",
               "scores": [{"scale": "total", "score": 13}]}),
    )
    .await;
    assert_eq!(last.status(), 200);
    let shown = outcomes(app, &id).await;
    // 19 → 13: a fall of 6, PHQ-9's reliable-change threshold.
    assert_eq!(shown["scales"][0]["first"], 19.0);
    assert_eq!(shown["scales"][0]["last"], 13.0);
    assert_eq!(shown["scales"][0]["change"], "improved");
    assert_eq!(shown["raters"][0]["rater"], "self");
    assert_eq!(shown["raters"][0]["overall"], "meaningful_improvement");
    // In the history, with who recorded it.
    let events: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let recorded: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"]["type"] == "outcome_recorded")
        .collect();
    assert_eq!(recorded.len(), 2, "{events}");
}
on_both_backends!(scores_recorded_through_the_api_change_reliably_as_mhs112);

async fn a_clinician_records_scores_from_the_referral_page(app: &TestApp) {
    let service = app
        .service(
            "Outcome Page Service",
            &["getting_help"],
            5,
            18,
            "community",
        )
        .await;
    let (id, allocation, _) = allocated(app, &service, "routine").await;
    attended(app, &id, &allocation).await;
    let token = app.coordinator_token.clone();
    // The referral page offers every bundled measure.
    let referral = staff_html(
        page(app, &token, Method::GET, &format!("/staff/referrals/{id}"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(referral.contains("id=\"outcomes\""), "an outcome section");
    assert!(referral.contains("No outcome measures recorded yet."));
    assert!(referral.contains("<option value=\"rcads\">"));
    // The measure's page: a field per scale, only the raters the measure allows.
    let form = staff_html(
        page(
            app,
            &token,
            Method::GET,
            &format!("/staff/referrals/{id}/outcomes/new?measure=gbo"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    for field in ["score-goal1", "score-goal2", "score-goal3"] {
        assert!(form.contains(&format!("name=\"{field}\"")), "{field}");
    }
    assert!(form.contains("value=\"self\""));
    assert!(
        !form.contains("value=\"parent\""),
        "GBO is the young person's"
    );
    assert!(form.contains("href=\"/staff/referrals/"), "a way back");
    let version = version_of(app, &id).await;
    let send = |body: String| {
        page(
            app,
            &token,
            Method::POST,
            &format!("/staff/referrals/{id}/outcomes"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
    };
    // A score out of range comes back on the page, named, with what was typed.
    let today = app
        .store
        .now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/London").unwrap())
        .date();
    let text = staff_html(
        send(format!(
            "version={version}&measure=gbo&allocation={allocation}&rater=self&date={today}&score-goal1=11&score-goal2=4"
        ))
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(text.contains("scores run from 0 to 10"), "{text}");
    assert!(text.contains("value=\"4\""), "kept as typed");
    assert_eq!(version_of(app, &id).await, version, "nothing written");
    let done = send(format!(
        "version={version}&measure=gbo&allocation={allocation}&rater=self&date={today}&score-goal1=3&score-goal2=4"
    ))
    .send()
    .await
    .unwrap();
    assert_eq!(done.status(), 303);
    let location = done.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("done=outcome"), "{location}");
    let referral = staff_html(
        page(app, &token, Method::GET, &location)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        referral.contains("Outcome measure recorded: Goal-Based Outcomes"),
        "{referral}"
    );
    assert!(referral.contains("id=\"outcome-table\""));
    assert!(referral.contains("Not yet paired"));
    // A chart of the scores across sessions, beside the table that holds every value.
    assert!(
        referral.contains("Goal-Based Outcomes (GBO), completed by young person"),
        "a chart per measure and rater"
    );
    assert!(referral.contains("role=\"img\""));
    assert_eq!(version_of(app, &id).await, version + 1);
}
on_both_backends!(a_clinician_records_scores_from_the_referral_page);

async fn the_measures_are_listed_and_exported_as_fhir_questionnaires(app: &TestApp) {
    let list: Value = app
        .staff(Method::GET, "/api/outcome-measures")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let phq = list
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "phq_9")
        .unwrap();
    assert_eq!(phq["scales"][0]["range"], json!([0.0, 27.0]));
    assert_eq!(phq["scales"][0]["reliable_change"], 6.0);
    assert_eq!(phq["item_text"], true);
    let rcads = list
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == "rcads")
        .unwrap();
    assert_eq!(rcads["item_text"], false, "licensed: no item text");
    assert_eq!(rcads["scales"][0]["t_scores"], true);

    let response = app
        .staff(Method::GET, "/api/outcome-measures/gad_7/questionnaire")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/fhir+json");
    let questionnaire: Value = response.json().await.unwrap();
    assert_eq!(questionnaire["resourceType"], "Questionnaire");
    assert_eq!(
        questionnaire["item"].as_array().unwrap().len(),
        8,
        "seven questions and the coded score"
    );
    assert_eq!(questionnaire["item"][7]["code"][0]["code"], "445455005");
    let missing = app
        .staff(Method::GET, "/api/outcome-measures/phq_99/questionnaire")
        .send()
        .await
        .unwrap();
    problem(missing, 404).await;
    // Not without signing in.
    let anonymous = app
        .public(Method::GET, "/api/outcome-measures")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}
on_both_backends!(the_measures_are_listed_and_exported_as_fhir_questionnaires);

async fn goals_in_the_young_persons_words_and_a_fhir_response_are_recorded(app: &TestApp) {
    let service = app
        .service("Goals Service", &["getting_help"], 5, 18, "community")
        .await;
    let (id, allocation, version) = allocated(app, &service, "routine").await;
    let goals = format!("/api/referrals/{id}/goals");
    let bad = post(
        app,
        &goals,
        version,
        json!({"allocation_id": allocation, "goals": ["", "a", "b", "c"]}),
    )
    .await;
    assert_eq!(fields(&problem(bad, 422).await), ["goals", "goals[0]"]);
    let agreed = post(
        app,
        &goals,
        version,
        json!({"allocation_id": allocation, "goals": ["  Go back to football ", "Sleep before midnight"]}),
    )
    .await;
    assert_eq!(agreed.status(), 200, "{:?}", agreed.text().await);
    attended(app, &id, &allocation).await;
    let version = version_of(app, &id).await;
    let rated = post(
        app,
        &format!("/api/referrals/{id}/outcomes"),
        version,
        json!({"allocation_id": allocation, "measure": "gbo", "rater": "self",
               "scores": [{"scale": "goal1", "score": 2}, {"scale": "goal2", "score": 5}]}),
    )
    .await;
    assert_eq!(rated.status(), 200);
    let shown = outcomes(app, &id).await;
    let labels: Vec<&str> = shown["scales"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["scale_label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "Goal 1: Go back to football",
            "Goal 2: Sleep before midnight"
        ]
    );

    // A GAD-7 completed elsewhere, sent as a FHIR QuestionnaireResponse: scored (7 answers of
    // 2 = 14) and recorded; a wrong answer is refused naming the element.
    let path = format!("/api/referrals/{id}/outcomes/fhir");
    let response = |code: &str| {
        json!({"resourceType": "QuestionnaireResponse", "status": "completed",
               "questionnaire": "Questionnaire/gad-7", "authored": app.store.now().to_string(),
               "item": (1..=7).map(|i| json!({"linkId": format!("q{i}"),
                   "answer": [{"valueCoding": {"code": if i == 7 { code } else { "2" }}}]})).collect::<Vec<_>>()})
    };
    let version = version_of(app, &id).await;
    let bad = post(
        app,
        &path,
        version,
        json!({"allocation_id": allocation, "measure": "gad_7", "rater": "self", "response": response("9")}),
    )
    .await;
    assert_eq!(
        fields(&problem(bad, 422).await),
        ["response.item[6].answer[0]"]
    );
    let recorded = post(
        app,
        &path,
        version,
        json!({"allocation_id": allocation, "measure": "gad_7", "rater": "self", "response": response("2")}),
    )
    .await;
    assert_eq!(recorded.status(), 200, "{:?}", recorded.text().await);
    let shown = outcomes(app, &id).await;
    let gad = shown["scales"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["measure"] == "gad_7")
        .unwrap();
    assert_eq!(gad["scores"][0]["score"], 14.0);
    // Sent back out as FHIR, answer for answer (the GBO ratings, entered as scores, have none).
    let out = app
        .staff(Method::GET, &format!("/api/referrals/{id}/outcomes/2/fhir"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    assert_eq!(out.headers()["content-type"], "application/fhir+json");
    let out: Value = out.json().await.unwrap();
    assert_eq!(out["resourceType"], "QuestionnaireResponse");
    assert_eq!(out["questionnaire"], "Questionnaire/gad-7");
    assert_eq!(
        out["item"].as_array().unwrap().len(),
        8,
        "seven answers and the score"
    );
    assert_eq!(out["item"][6]["answer"][0]["valueCoding"]["code"], "2");
    assert_eq!(out["item"][7]["linkId"], "score-total");
    assert_eq!(out["item"][7]["answer"][0]["valueDecimal"], 14.0);
    let entered = app
        .staff(Method::GET, &format!("/api/referrals/{id}/outcomes/1/fhir"))
        .send()
        .await
        .unwrap();
    problem(entered, 404).await;
}
on_both_backends!(goals_in_the_young_persons_words_and_a_fhir_response_are_recorded);
