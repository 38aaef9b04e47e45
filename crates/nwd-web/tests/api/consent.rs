//! Confidentiality for young people over HTTP, on both databases: no parent contact after an
//! under-16 self-referral without a clinician's decision; a parent's view only with consent
//! (valid only with a finding of competence under 16) or a best-interests decision, never
//! showing "not for parent/carer" entries; safeguarding overrides reasoned, audited and
//! reviewed; the subject-access export.

use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{all_scopes, problem, TestApp};

/// A canary that must never reach a parent once its entry is marked.
const SECRET: &str = "Kai-told-us-about-Quillon-in-confidence";

async fn under_16_self_referral(app: &TestApp) -> (String, String) {
    let response = app
        .public(Method::POST, "/api/self-referrals")
        .json(&json!({
            "who": "young_person",
            "person": {"given_name": "Kai", "family_name": "Examplechild", "date_of_birth": "2013-02-03"},
            "presenting_needs": SECRET,
            "reasons": ["anxiety"],
            "contact": {"name": "Kai", "phone": "07700 900123"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    app.received(&created).await
}

/// A user holding `role` in a team of kind `other`, with an API token.
async fn account(app: &TestApp, role: Role, name: &str) -> (String, String) {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: format!("{name} organisation"),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: format!("{name} team"),
            team_kind: TeamKind::Other,
            service_id: None,
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
                memberships: vec![(team, role)],
            },
            "test",
        )
        .await
        .unwrap();
    let (_, token) = app
        .store
        .create_api_token(&user.id, "test", &all_scopes())
        .await
        .unwrap();
    (user.id, token)
}

async fn post(app: &TestApp, path: &str, body: Value) -> reqwest::Response {
    app.staff(Method::POST, path)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn an_under_16_self_referral_never_leads_to_parent_contact_without_a_decision(app: &TestApp) {
    let (referral, _) = under_16_self_referral(app).await;
    let gate = format!("/api/referrals/{referral}/parent-contact");
    let status: Value = app
        .staff(Method::GET, &gate)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["allowed"], false, "{status}");
    assert_eq!(status["refusal"]["reason"], "self_referral_under");
    // A decision needs a rationale; nothing is written without one.
    let path = format!("/api/referrals/{referral}/parent-contact-decisions");
    problem(
        post(app, &path, json!({"contact": true, "rationale": " "})).await,
        422,
    )
    .await;
    let status: Value = app
        .staff(Method::GET, &gate)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["allowed"], false);
    // A clinician records the decision to contact: now allowed, on that basis.
    let response = post(
        app,
        &path,
        json!({"contact": true, "rationale": "Kai agreed we can call his dad about appointments"}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let status: Value = app
        .staff(Method::GET, &gate)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["allowed"], true);
    assert_eq!(status["basis"]["basis"], "clinician_decision");
}
on_both_backends!(an_under_16_self_referral_never_leads_to_parent_contact_without_a_decision);

async fn a_parent_sees_the_record_only_with_a_valid_basis_and_never_marked_entries(app: &TestApp) {
    let (referral, person) = under_16_self_referral(app).await;
    let (parent, parent_token) = account(app, Role::ParentCarer, "kai.dad").await;
    let view = format!("/api/persons/{person}/parent-view");
    let parent_get = |token: String| {
        let view = view.clone();
        async move {
            app.as_token(&token, Method::GET, &view)
                .send()
                .await
                .unwrap()
        }
    };
    // Not linked: 404, like an id that does not exist.
    assert_eq!(parent_get(parent_token.clone()).await.status(), 404);
    // Staff may not use the parent view.
    assert_eq!(
        app.staff(Method::GET, &view).send().await.unwrap().status(),
        403
    );
    // Linked, but no consent yet: still 404.
    let link: Value = post(
        app,
        &format!("/api/persons/{person}/carers"),
        json!({"user_id": parent, "relationship": "father"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let link = link["id"].as_str().unwrap().to_owned();
    assert_eq!(parent_get(parent_token.clone()).await.status(), 404);
    // Kai is 13: his consent counts only once he is found competent for this decision.
    let decisions = format!("/api/persons/{person}/parent-access-decisions");
    let response = post(
        app,
        &decisions,
        json!({"carer_link_id": link, "basis": "young_person_consent", "rationale": "Kai said yes"}),
    )
    .await;
    let body = problem(response, 422).await;
    assert!(body.to_string().contains("basis"), "{body}");
    // Best interests are refused while he has not been found not competent either.
    let response = post(
        app,
        &decisions,
        json!({"carer_link_id": link, "basis": "best_interests", "rationale": "Dad should know"}),
    )
    .await;
    problem(response, 422).await;
    assert_eq!(parent_get(parent_token.clone()).await.status(), 404);
    // Competence assessed for this decision, then his consent recorded.
    let response = post(
        app,
        &format!("/api/persons/{person}/competence-assessments"),
        json!({"decision": "parent_carer_access", "referral_id": referral, "competent": true,
               "rationale": "Understood what his dad would see and why"}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let assessment: Value = response.json().await.unwrap();
    assert_eq!(assessment["decision"], "parent_carer_access");
    assert!(assessment["assessed_by"].as_str().is_some());
    let response = post(
        app,
        &decisions,
        json!({"carer_link_id": link, "basis": "young_person_consent", "rationale": "Kai is happy for dad to see his appointments"}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let decision: Value = response.json().await.unwrap();
    // The presenting needs are in the first entry: mark it not for parents.
    let response = post(
        app,
        &format!("/api/referrals/{referral}/not-for-parent"),
        json!({"seq": 1, "reason": "Told us in confidence"}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let response = parent_get(parent_token.clone()).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.contains(SECRET), "a marked entry reached the parent");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["referrals"][0]["withheld"], 1);
    // Audited with the basis.
    let trail = app.store.audit_for_person(&person).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| e.entry.user_id.as_deref() == Some(parent.as_str())
            && e.entry.why.starts_with("parent_carer:consent:")
            && e.entry.outcome == "allowed"));
    // Consent withdrawn: access ends at once.
    let response = post(
        app,
        &format!("{decisions}/{}/withdraw", decision["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    assert_eq!(response.status(), 204);
    assert_eq!(parent_get(parent_token).await.status(), 404);
}
on_both_backends!(a_parent_sees_the_record_only_with_a_valid_basis_and_never_marked_entries);

async fn safeguarding_overrides_are_reasoned_audited_and_reviewed(app: &TestApp) {
    let (referral, person) = under_16_self_referral(app).await;
    let path = format!("/api/persons/{person}/safeguarding-overrides");
    let before = app.count("audit_log").await;
    let body = problem(
        post(
            app,
            &path,
            json!({"scope": "parent_carer_contact", "reason": "risk"}),
        )
        .await,
        422,
    )
    .await;
    assert!(body.to_string().contains("reason"));
    // The refusal wrote no override (only the request's own audit entry).
    assert!(app.count("audit_log").await <= before + 1);
    let response = post(
        app,
        &path,
        json!({"scope": "parent_carer_contact", "referral_id": referral,
               "reason": "Disclosed a plan to end their life tonight; parents must be told"}),
    )
    .await;
    assert_eq!(response.status(), 201);
    let item: Value = response.json().await.unwrap();
    let id = item["id"].as_str().unwrap();
    // Audited with the purpose "safeguarding override", against the young person.
    let trail = app.store.audit_for_person(&person).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| e.entry.why == format!("safeguarding override:{id}")
            && e.entry.record_type == "safeguarding_override"));
    // Parent contact is now allowed, on the override.
    let status: Value = app
        .staff(
            Method::GET,
            &format!("/api/referrals/{referral}/parent-contact"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["basis"]["basis"], "safeguarding_override");
    // In the privacy officer's queue, reviewed there, then gone from it.
    let (_, officer) = account(app, Role::PrivacyOfficer, "privacy.officer").await;
    let queue: Value = app
        .as_token(&officer, Method::GET, "/api/privacy/safeguarding-overrides")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(queue.as_array().unwrap().iter().any(|q| q["id"] == id));
    let response = app
        .as_token(
            &officer,
            Method::POST,
            &format!("/api/privacy/safeguarding-overrides/{id}/review"),
        )
        .json(&json!({"note": "Appropriate: immediate risk to life"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let queue: Value = app
        .as_token(&officer, Method::GET, "/api/privacy/safeguarding-overrides")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!queue.as_array().unwrap().iter().any(|q| q["id"] == id));
    // Subject access request: who accessed the record, as CSV.
    let response = app
        .as_token(
            &officer,
            Method::GET,
            &format!("/api/audit/persons/{person}/export?format=csv"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let csv = response.text().await.unwrap();
    assert!(csv.starts_with("seq,at,user_id"));
    assert!(csv.contains(&format!("safeguarding override:{id}")));
    let response = app
        .as_token(
            &officer,
            Method::GET,
            &format!("/api/audit/persons/{person}/export?format=xml"),
        )
        .send()
        .await
        .unwrap();
    problem(response, 422).await;
}
on_both_backends!(safeguarding_overrides_are_reasoned_audited_and_reviewed);
