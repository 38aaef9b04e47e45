//! Access control, on both databases: the role × team × route matrix over two synthetic
//! agencies, relationships opening and closing, break-glass, sessions, and the audit trail
//! (tamper detection, append-only, fail-closed).

mod audit_trail;
mod guard;
mod matrix;
mod relationships;
mod sessions;

use nwd_store::auth::{Bootstrap, TeamKind};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::TestApp;

/// A young person with values that must never appear where they should not.
struct Canary {
    given: &'static str,
    family: &'static str,
    nhs: &'static str,
    dob: &'static str,
    postcode: &'static str,
}

const ALPHA: Canary = Canary {
    given: "Zephyrine",
    family: "Quillfeather",
    nhs: "9990000026",
    dob: "2011-02-03",
    postcode: "ME14 9ZQ",
};
const BETA: Canary = Canary {
    given: "Thaddeus",
    family: "Marrowgrove",
    nhs: "9990000034",
    dob: "2010-07-08",
    postcode: "CT1 8ZY",
};

impl Canary {
    fn values(&self) -> [&'static str; 5] {
        [self.given, self.family, self.nhs, self.dob, self.postcode]
    }

    fn found_in(&self, text: &str) -> Vec<&'static str> {
        self.values()
            .into_iter()
            .filter(|v| text.contains(v))
            .collect()
    }
}

fn body_for(c: &Canary) -> Value {
    json!({
        "person": {
            "nhs_number": c.nhs,
            "given_name": c.given,
            "family_name": c.family,
            "date_of_birth": c.dob,
            "sex": "female",
            "postcode": c.postcode,
        },
        "source": "gp",
        "priority": "routine",
        "reasons": ["anxiety"],
        "presenting_needs": "Synthetic presenting needs.",
        "referrer": {"name": "Dr Synthetic", "role": "GP", "organisation": "Synthetic Surgery"},
        "consent_to_share": ["GP"]
    })
}

/// One agency's records: a service, its person and referral allocated to it.
struct Agency {
    service: String,
    person: String,
    referral: String,
    allocation: String,
    spa_team: String,
    service_team: String,
    org: String,
}

async fn post_json(app: &TestApp, path: &str, version: u64, body: Value) -> Value {
    let response = app
        .staff(Method::POST, path)
        .header("If-Match", format!("\"{version}\""))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {:?}",
        response.text().await
    );
    response.json().await.unwrap()
}

/// Creates a service, a referral for `canary` triaged and allocated to it, and the agency's
/// two teams (a single point of access and the service team).
async fn agency(app: &TestApp, name: &str, canary: &Canary) -> Agency {
    let service = app
        .service(name, &["getting_help"], 5, 18, "community")
        .await;
    let created: Value = app
        .staff(Method::POST, "/api/referrals")
        .json(&body_for(canary))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let referral = created["referral"]["id"].as_str().unwrap().to_owned();
    let person = created["referral"]["person_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let triaged = post_json(
        app,
        &format!("/api/referrals/{referral}/triage"),
        1,
        json!({"need_group": "getting_help", "risk": "low", "rationale": "r",
               "destinations": [{"type": "allocate", "service_id": service}]}),
    )
    .await;
    let allocation = triaged["referral"]["allocations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (org, spa_team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: format!("{name} agency"),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: format!("{name} access team"),
            team_kind: TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap();
    let service_team = app
        .store
        .create_team(
            &org,
            &format!("{name} team"),
            TeamKind::Service,
            Some(&service),
        )
        .await
        .unwrap();
    Agency {
        service,
        person,
        referral,
        allocation,
        spa_team,
        service_team,
        org,
    }
}
