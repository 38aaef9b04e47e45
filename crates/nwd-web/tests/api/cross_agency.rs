//! Changes to an allocation belong to that service's team and the single point of access, not
//! to every agency with a relationship to the young person (issue 15: a trust clinician
//! discharged a young person from a voluntary organisation's service). Both databases.

use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{all_scopes, TestApp};

/// A clinician in a new service team of `service`; returns their API token.
async fn clinician_of(app: &TestApp, service: &str, username: &str) -> String {
    let (org, _) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: format!("{username} organisation"),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: format!("{username} access"),
            team_kind: TeamKind::Other,
            service_id: None,
        })
        .await
        .unwrap();
    let team = app
        .store
        .create_team(
            &org,
            &format!("{username} team"),
            TeamKind::Service,
            Some(service),
        )
        .await
        .unwrap();
    let user = app
        .store
        .create_user(
            NewUser {
                username: username.into(),
                display_name: username.into(),
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

async fn post(app: &TestApp, token: &str, path: &str, version: u64, body: Value) -> (u16, Value) {
    let response = app
        .as_token(token, Method::POST, path)
        .header("If-Match", format!("\"{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn only_a_services_own_team_changes_its_allocation(app: &TestApp) {
    let trust = app
        .service("Trust CAMHS", &["getting_help"], 5, 18, "community")
        .await;
    let voluntary = app
        .service(
            "Voluntary counselling",
            &["getting_help"],
            5,
            18,
            "community",
        )
        .await;
    let created = app.school_referral(Some("9990000034"), "routine").await;
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let (status, triaged) = post(
        app,
        &app.coordinator_token,
        &format!("/api/referrals/{id}/triage"),
        1,
        json!({"need_group": "getting_help", "risk": "low", "rationale": "Agreed at the triage call.",
               "destinations": [{"type": "allocate", "service_id": trust},
                                {"type": "allocate", "service_id": voluntary}]}),
    )
    .await;
    assert_eq!(status, 200, "{triaged}");
    let allocation_of = |service: &str| {
        triaged["referral"]["allocations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["service_id"] == service)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (trust_allocation, voluntary_allocation) =
        (allocation_of(&trust), allocation_of(&voluntary));
    let version = triaged["referral"]["version"].as_u64().unwrap();
    let trust_clinician = clinician_of(app, &trust, "trust.clinician").await;
    let events_before = app.count("referral_events").await;

    // The trust clinician relates to the young person (and reads the referral) ...
    let response = app
        .as_token(
            &trust_clinician,
            Method::GET,
            &format!("/api/referrals/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // ... but may not discharge, record contacts on, step out of or transition the voluntary
    // organisation's allocation: 403, nothing written.
    let contact = |allocation: &str| {
        json!({"allocation_id": allocation, "at": jiff::Timestamp::now().to_string(), "status": "attended",
               "mechanism": "face_to_face", "clinician": "C", "duration_minutes": 30})
    };
    for (path, body) in [
        (
            format!("/api/referrals/{id}/allocations/{voluntary_allocation}/discharge"),
            json!({"reason": "treatment_completed"}),
        ),
        (
            format!("/api/referrals/{id}/contacts"),
            contact(&voluntary_allocation),
        ),
        (
            format!("/api/referrals/{id}/step"),
            json!({"direction": "up", "to": "getting_more_help", "reason": "Needs more help.",
                   "end_allocations": [voluntary_allocation]}),
        ),
        (
            format!("/api/referrals/{id}/transition"),
            json!({"allocation_id": voluntary_allocation, "outcome": "gp",
                   "need_group": "getting_help"}),
        ),
        (
            format!("/api/referrals/{id}/transition-plan"),
            json!({"allocation_id": voluntary_allocation, "outcome": "gp",
                   "planned_on": "2040-01-01"}),
        ),
    ] {
        let (status, body) = post(app, &trust_clinician, &path, version, body).await;
        assert_eq!(status, 403, "{path}: {body}");
    }
    assert_eq!(app.count("referral_events").await, events_before);

    // Its own allocation is the trust team's to change.
    let (status, body) = post(
        app,
        &trust_clinician,
        &format!("/api/referrals/{id}/contacts"),
        version,
        contact(&trust_allocation),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let version = body["referral"]["version"].as_u64().unwrap();
    // The single point of access may change any allocation.
    let (status, body) = post(
        app,
        &app.coordinator_token,
        &format!("/api/referrals/{id}/allocations/{voluntary_allocation}/discharge"),
        version,
        json!({"reason": "treatment_completed"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}
on_both_backends!(only_a_services_own_team_changes_its_allocation, strict);
