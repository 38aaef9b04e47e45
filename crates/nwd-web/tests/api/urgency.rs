//! Priority and risk as living facts (issue 14), through the real server on both databases:
//! a change of urgency after triage moves waiting-list order and breach dates and the crisis
//! list; a clinician without a relationship cannot change it; the public safety question
//! flags a referral for review within hours and puts it first on the crisis list; the crisis
//! list's order, filters and time units; the overdue risk reviews; the urgency form.

mod changes;
mod crisis;
mod reviews;

use reqwest::{Method, Response};
use serde_json::{json, Value};

use nwd_domain::authz::Role;
use nwd_store::auth::NewUser;

use crate::support::{all_scopes, TestApp};

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
