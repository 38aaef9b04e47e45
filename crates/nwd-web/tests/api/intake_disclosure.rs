//! Issue 15, High 1: nobody who may not review person matches learns from intake whether a
//! child is known to services, and an anonymous referral never links itself to a real
//! child's record. Staff with the register role still see the outcome in the review queue.

use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{all_scopes, referral_body, TestApp};

/// A user holding `role` with an API token.
pub(crate) async fn account(app: &TestApp, role: Role, name: &str) -> (String, String) {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: format!("{name} organisation"),
            organisation_kind: nwd_domain::directory::OrganisationKind::SchoolOrAcademyTrust,
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

fn keys(body: &Value) -> Vec<String> {
    let mut keys: Vec<String> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

const RECEIPT: [&str; 4] = ["reference", "repeated", "status_token", "status_url"];

async fn a_probe_learns_nothing_and_links_nothing(app: &TestApp) {
    // A child known to services, with an NHS number.
    let known = app.school_referral(Some("9990000018"), "routine").await;
    let registered = known["referral"]["person_id"].as_str().unwrap().to_owned();
    let body = |nhs: Option<&str>, family: &str| {
        json!({
            "who": "parent_carer",
            "person": {"nhs_number": nhs, "given_name": "Alex", "family_name": family,
                       "date_of_birth": "2012-05-01", "postcode": "ME14 1XX"},
            "presenting_needs": "Probing",
            "reasons": ["anxiety"],
            "contact": {"name": "A stranger", "phone": "07700 900000"}
        })
    };
    let mut answers = Vec::new();
    for probe in [
        body(Some("9990000018"), "Testperson"),
        body(None, "Testperson"),
        body(None, "Nobodyknown"),
    ] {
        let response = app
            .public(Method::POST, "/api/self-referrals")
            .json(&probe)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let text = response.text().await.unwrap();
        assert!(!text.contains(&registered), "{text}");
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(keys(&answer), RECEIPT, "{answer}");
        answers.push(answer);
    }
    // The known child's probe was not linked to the real record: a provisional one, and a
    // review item for the single point of access, who sees the candidate.
    let (_, person) = app.received(&answers[0]).await;
    assert_ne!(person, registered);
    let queue: Value = app
        .staff(Method::GET, "/api/match-reviews")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let item = queue
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["person"]["id"] == person.as_str())
        .expect("the probe waits for a person's decision");
    assert!(item.to_string().contains(&registered), "{item}");

    // An external referrer gets the receipt only, even for the known child.
    let (_, referrer) = account(app, Role::ExternalReferrer, "ext.referrer").await;
    let response = app
        .as_token(&referrer, Method::POST, "/api/referrals")
        .json(&referral_body(Some("9990000018"), "routine"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let text = response.text().await.unwrap();
    assert!(!text.contains(&registered), "{text}");
    assert_eq!(keys(&serde_json::from_str(&text).unwrap()), RECEIPT);

    // The single point of access (manage_register) still sees the outcome.
    let mut gp = referral_body(Some("9990000018"), "routine");
    gp["source"] = json!("gp");
    let staff: Value = app
        .staff(Method::POST, "/api/referrals")
        .json(&gp)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(staff["match_band"], "auto");
    assert_eq!(staff["referral"]["person_id"], registered.as_str());
}
on_both_backends!(a_probe_learns_nothing_and_links_nothing);
