//! Issue 15, low findings at the HTTP edge: no 500 for an unknown id in a body, identifiable
//! API answers are never cached or content-sniffed.

use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{fields, problem, TestApp};

async fn not_same_with_an_unknown_other_record_is_a_field_error(app: &TestApp) {
    let created = app.school_referral(Some("9990000018"), "routine").await;
    let person = created["referral"]["person_id"].as_str().unwrap();
    let before = app.count("audit_log").await;
    let response = app
        .staff(Method::POST, &format!("/api/persons/{person}/not-same"))
        .json(&json!({"other_id": "00000000-0000-0000-0000-000000000000", "reason": "Checked with the school"}))
        .send()
        .await
        .unwrap();
    let p = problem(response, 422).await;
    assert_eq!(fields(&p), ["other_id"], "{p}");
    assert!(app.count("audit_log").await >= before);
}
on_both_backends!(not_same_with_an_unknown_other_record_is_a_field_error);

async fn identifiable_api_answers_are_not_cached_or_sniffed(app: &TestApp) {
    let created = app.school_referral(Some("9990000018"), "routine").await;
    let id = created["referral"]["id"].as_str().unwrap();
    let person = created["referral"]["person_id"].as_str().unwrap();
    for path in [
        format!("/api/referrals/{id}"),
        format!("/api/referrals/{id}/events"),
        format!("/api/persons/{person}"),
        "/api/referrals".to_owned(),
        "/api/match-reviews".to_owned(),
    ] {
        let response = app.staff(Method::GET, &path).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
        assert_eq!(
            response.headers()["x-content-type-options"],
            "nosniff",
            "{path}"
        );
    }
    // Problems too.
    let response = app
        .staff(
            Method::GET,
            "/api/referrals/00000000-0000-0000-0000-000000000000",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
}
on_both_backends!(identifiable_api_answers_are_not_cached_or_sniffed);
