//! Intake: professional referrals, advice requests and self-referrals; the rules every door
//! shares (contact details, the 0–25 range, the presenting-needs limit, the safety question)
//! and parity between the door that is a page and the door that is JSON.

mod parity;
mod professional;
mod professional_details;
mod self_referral;

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::TestApp;

/// A young person's self-referral (synthetic).
pub fn self_referral_body() -> Value {
    json!({
        "who": "young_person",
        "person": {"given_name": "Kai", "family_name": "Examplechild", "date_of_birth": "2011-02-03", "postcode": "ct1 2ab"},
        "presenting_needs": "I can't sleep and I feel worried all the time.",
        "reasons": ["anxiety"],
        "contact": {"name": "Kai", "phone": "07700 900123"}
    })
}

async fn get(app: &TestApp, path: &str) -> Value {
    let response = app.staff(Method::GET, path).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}
