//! Outcome figures for services and commissioners (issue 19), on both databases: the same
//! suppressed figures from `GET /api/measures/outcomes`, the dashboard's outcome blocks and
//! their CSV, after referrals with paired scores close; bad filters are named.

use reqwest::Method;
use serde_json::{json, Value};

use crate::commissioning::commissioner;
use crate::on_both_backends;
use crate::pages::allocated;
use crate::support::{fields, problem, TestApp};

/// Posts a change to referral `id` at its current version.
async fn post(app: &TestApp, id: &str, path: &str, body: Value) -> Value {
    let referral: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let version = referral["version"].as_u64().unwrap();
    let response = app
        .staff(Method::POST, path)
        .header("If-Match", format!("\"{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        200,
        "{path}: {:?}",
        response.text().await
    );
    response.json().await.unwrap()
}

/// A referral seen twice with PHQ-9 19 → `last` and then discharged.
async fn seen_and_discharged(app: &TestApp, service: &str, last: u32) {
    let (id, allocation, _) = allocated(app, service, "routine").await;
    for score in [19, last] {
        post(
            app,
            &id,
            &format!("/api/referrals/{id}/contacts"),
            json!({"allocation_id": allocation, "at": app.store.now().to_string(), "status": "attended",
                   "mechanism": "face_to_face", "clinician": "C. Therapist", "duration_minutes": 50}),
        )
        .await;
        post(
            app,
            &id,
            &format!("/api/referrals/{id}/outcomes"),
            json!({"allocation_id": allocation, "measure": "phq_9", "rater": "self",
                   "scores": [{"scale": "total", "score": score}]}),
        )
        .await;
        app.advance_clock(jiff::SignedDuration::from_hours(24 * 7));
    }
    let closed = post(
        app,
        &id,
        &format!("/api/referrals/{id}/allocations/{allocation}/discharge"),
        json!({"reason": "treatment_completed", "note": "Goals met"}),
    )
    .await;
    assert_eq!(closed["referral"]["status"], "closed");
}

async fn closed_referrals_outcomes_are_published_alike_by_the_api_and_the_dashboard(app: &TestApp) {
    let service = app
        .service("Outcome Service", &["getting_help"], 5, 18, "community")
        .await;
    // Six closed referrals with paired PHQ-9 scores: five improved by 6 (the threshold), one
    // unchanged. Shown: closed 5 (6 rounded), paired 5, meaningful improvement 5 (100 %);
    // nothing deteriorated (0: hidden).
    for _ in 0..5 {
        seen_and_discharged(app, &service, 13).await;
    }
    seen_and_discharged(app, &service, 18).await;
    let token = commissioner(app).await;

    let response = app
        .as_token(&token, Method::GET, "/api/measures/outcomes")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let figures: Value = response.json().await.unwrap();
    assert_eq!(figures["suppressed"], true);
    let all = &figures["all"];
    assert_eq!(all["closed"], 5, "{figures}");
    assert_eq!(all["paired"], 5, "{figures}");
    assert_eq!(all["paired_percent"], 100, "{figures}");
    assert_eq!(all["meaningful_improvement"], 5, "{figures}");
    assert_eq!(all["meaningful_improvement_percent"], 100, "{figures}");
    assert!(all["reliable_deterioration"].is_null(), "{figures}");
    assert!(all["reliable_deterioration_percent"].is_null(), "{figures}");
    assert_eq!(figures["by_service"][0]["key"], service.as_str());
    assert_eq!(figures["by_service"][0]["figures"], *all);
    assert_eq!(figures["by_need_group"][0]["key"], "getting_help");
    assert!(figures["definition"].as_str().unwrap().contains("MHS112"));
    // Every young person here was referred under 18: MHS112's row has them all.
    assert_eq!(figures["by_age"][0]["key"], "under_18");
    assert_eq!(figures["by_age"][0]["figures"], *all);
    assert_eq!(figures["by_age"][1]["key"], "18_to_25");
    assert!(figures["by_age"][1]["figures"]["closed"].is_null());

    // The dashboard shows the same cells, and its CSV has them.
    let html = app
        .as_token(&token, Method::GET, "/commissioning")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Outcomes by service"));
    assert!(html.contains("Outcomes by equality group"));
    assert!(html.contains("Outcomes by age at referral"));
    let by_age = app
        .as_token(
            &token,
            Method::GET,
            "/commissioning/download?table=outcomes-by-age",
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        by_age.lines().nth(1),
        Some("Under 18 (as MHS112),5,5,100,5,100,5,100,*,*,5,100")
    );
    let csv = app
        .as_token(
            &token,
            Method::GET,
            "/commissioning/download?table=outcomes-by-service",
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("Service,Closed,Paired (any perspective),% paired,Paired (self-rated),% paired (self-rated),Reliably improved,% reliably improved,Reliably deteriorated,% reliably deteriorated,Meaningful improvement,% meaningful improvement")
    );
    assert_eq!(
        lines.next(),
        Some("All services,5,5,100,5,100,5,100,*,*,5,100")
    );
    assert_eq!(
        lines.next(),
        Some("Outcome Service,5,5,100,5,100,5,100,*,*,5,100")
    );
    // The same referrals from the clinician's perspective: none was clinician-rated, so
    // paired (any perspective) stays and the clinician-rated cells are hidden (zero).
    let clinician: Value = app
        .as_token(
            &token,
            Method::GET,
            "/api/measures/outcomes?rater=clinician",
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clinician["rater"], "clinician");
    assert_eq!(clinician["all"]["paired"], 5);
    assert!(clinician["all"]["rater_paired"].is_null());
    assert!(clinician["all"]["meaningful_improvement"].is_null());
    let parent_csv = app
        .as_token(
            &token,
            Method::GET,
            "/commissioning/download?table=outcomes-by-service&rater=parent",
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(parent_csv.contains("Paired (parent-rated)"), "{parent_csv}");
    assert!(parent_csv.contains("All services,5,5,100,*,*,*,*,*,*,*,*"));
    let bad = app
        .as_token(&token, Method::GET, "/api/measures/outcomes?rater=teacher")
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(bad, 422).await), ["rater"]);

    // Bad filters are named.
    let bad = app
        .as_token(&token, Method::GET, "/api/measures/outcomes?from=January")
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(bad, 422).await), ["from"]);
    let bad = app
        .as_token(&token, Method::GET, "/api/measures/outcomes?service=nine")
        .send()
        .await
        .unwrap();
    assert_eq!(fields(&problem(bad, 422).await), ["service"]);
}
on_both_backends!(
    closed_referrals_outcomes_are_published_alike_by_the_api_and_the_dashboard,
    strict
);
