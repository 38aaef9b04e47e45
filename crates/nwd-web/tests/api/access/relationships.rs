//! Relationships opening and closing, and break-glass.

use jiff::SignedDuration;
use nwd_domain::authz::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{member, problem, TestApp};

use super::{agency, ALPHA, BETA};

async fn discharge_ends_the_relationship_at_once(app: &TestApp) {
    let a = agency(app, "Alpha", &ALPHA).await;
    let (_, token) = member(
        app,
        &a.org,
        &a.service_team,
        Role::Clinician,
        "alpha.clinician",
    )
    .await;
    let path = format!("/api/referrals/{}", a.referral);
    let response = app
        .as_token(&token, Method::GET, &path)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let referral: Value = response.json().await.unwrap();
    let version = referral["version"].as_u64().unwrap();
    let response = app
        .as_token(
            &token,
            Method::POST,
            &format!(
                "/api/referrals/{}/allocations/{}/discharge",
                a.referral, a.allocation
            ),
        )
        .header("If-Match", format!("\"{version}\""))
        .json(&json!({"reason": "treatment_completed", "note": "Goals met"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    // Within the same second: the relationship has ended, and the referral is as unknown to
    // this clinician as an id that does not exist.
    let response = app
        .as_token(&token, Method::GET, &path)
        .send()
        .await
        .unwrap();
    let body = problem(response, 404).await;
    let missing = app
        .as_token(
            &token,
            Method::GET,
            "/api/referrals/00000000-0000-0000-0000-000000000000",
        )
        .send()
        .await
        .unwrap();
    let missing = problem(missing, 404).await;
    assert_eq!(body["title"], missing["title"]);
    assert!(ALPHA.found_in(&body.to_string()).is_empty());
}
on_both_backends!(discharge_ends_the_relationship_at_once, strict);

async fn break_glass_is_reasoned_time_boxed_audited_and_reviewed(app: &TestApp) {
    let a = agency(app, "Alpha", &ALPHA).await;
    let b = agency(app, "Beta", &BETA).await;
    let (user, token) = member(
        app,
        &b.org,
        &b.service_team,
        Role::Clinician,
        "beta.clinician",
    )
    .await;
    let path = format!("/api/referrals/{}", a.referral);
    let glass = format!("/api/persons/{}/break-glass", a.person);
    assert_eq!(
        app.as_token(&token, Method::GET, &path)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // A reason is required.
    let response = app
        .as_token(&token, Method::POST, &glass)
        .json(&json!({"reason": "urgent", "minutes": 30}))
        .send()
        .await
        .unwrap();
    problem(response, 422).await;
    // Never for commissioners.
    let (_, commissioner) = member(
        app,
        &b.org,
        &b.spa_team,
        Role::Commissioner,
        "beta.commissioner",
    )
    .await;
    let response = app
        .as_token(&commissioner, Method::POST, &glass)
        .json(&json!({"reason": "Looking at the numbers", "minutes": 30}))
        .send()
        .await
        .unwrap();
    problem(response, 403).await;
    // Granted, for one minute.
    let response = app
        .as_token(&token, Method::POST, &glass)
        .json(&json!({"reason": "Presented at A&E out of hours; no access team available", "minutes": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let response = app
        .as_token(&token, Method::GET, &path)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // Audited as break-glass, against the person.
    let trail = app.store.audit_for_person(&a.person).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| e.entry.user_id.as_deref() == Some(user.as_str())
            && e.entry.why.starts_with("break_glass:")
            && e.entry.route == "GET /api/referrals/{id}"));
    assert!(trail.iter().any(|e| e.entry.record_type == "break_glass"
        && e.entry.detail.as_deref().is_some_and(|d| d.contains("A&E"))));
    // In the privacy officer's queue; the clinician cannot see the queue.
    let (_, officer) = member(
        app,
        &b.org,
        &b.spa_team,
        Role::PrivacyOfficer,
        "beta.privacy",
    )
    .await;
    assert_eq!(
        app.as_token(&token, Method::GET, "/api/privacy/break-glass")
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let queue: Value = app
        .as_token(&officer, Method::GET, "/api/privacy/break-glass")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue.as_array().unwrap().len(), 1);
    assert_eq!(queue[0]["person_id"], a.person.as_str());
    let report: Value = app
        .as_token(
            &officer,
            Method::GET,
            &format!("/api/audit/persons/{}", a.person),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(report["break_glass"].as_u64().unwrap() >= 2);
    let grant = queue[0]["id"].as_str().unwrap();
    let response = app
        .as_token(
            &officer,
            Method::POST,
            &format!("/api/privacy/break-glass/{grant}/review"),
        )
        .json(&json!({"note": "Appropriate: out-of-hours presentation"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let queue: Value = app
        .as_token(&officer, Method::GET, "/api/privacy/break-glass")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(queue.as_array().unwrap().is_empty());
    // Expired: back to 404.
    app.advance_clock(SignedDuration::from_mins(2));
    assert_eq!(
        app.as_token(&token, Method::GET, &path)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}
on_both_backends!(
    break_glass_is_reasoned_time_boxed_audited_and_reviewed,
    strict
);
