//! Every destination from the referral page, over HTTP on both databases (issue 14):
//! signposting with a warm handover, advice given (and seen by the professional who asked),
//! declined at triage and after it, transition to a receiving service from the directory,
//! and discharge with only the codes the domain accepts — each ending on the referral page
//! (or, when closing ended the actor's relationship, on the closed referral's outcome page)
//! with the success banner, never on "Page not found"; a stale form keeps what was typed;
//! contact details and the triage preference reach a service clinician with a relationship
//! and nobody else; and each role lands on its own home page with a menu of pages it may open.

mod audit;
mod outcomes;
mod referral_page;
mod visibility;

use nwd_store::auth::{Bootstrap, TeamKind};
use reqwest::{Method, Response};
use serde_json::Value;

use crate::support::{page, TestApp};

fn encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Posts a form; returns the response.
async fn post(app: &TestApp, token: &str, path: &str, pairs: &[(&str, &str)]) -> Response {
    page(app, token, Method::POST, path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(pairs))
        .send()
        .await
        .unwrap()
}

/// Follows a 303 from a form and returns the page it leads to (which must be 200).
async fn followed(app: &TestApp, token: &str, response: Response) -> (String, String) {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    assert_eq!(status, 303, "{text}");
    let location = location.unwrap();
    let path = location.split('#').next().unwrap().to_owned();
    let landed = page(app, token, Method::GET, &path).send().await.unwrap();
    let landed_status = landed.status().as_u16();
    let body = landed.text().await.unwrap();
    assert_eq!(landed_status, 200, "{location}: {body}");
    (location, body)
}

async fn referral(app: &TestApp, id: &str) -> Value {
    app.staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The referral's stored projection (status, destination kind and name).
async fn summary(app: &TestApp, id: &str) -> nwd_store::ReferralSummary {
    let id: nwd_domain::ReferralId = id.parse().unwrap();
    let page = app
        .store
        .search_referrals(&nwd_store::ReferralSearch {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    page.items.into_iter().find(|s| s.id == id).unwrap()
}

async fn agency(
    app: &TestApp,
    name: &str,
    kind: TeamKind,
    service: Option<&str>,
) -> (String, String) {
    app.store
        .bootstrap_team(&Bootstrap {
            organisation: format!("{name} organisation"),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: name.into(),
            team_kind: kind,
            service_id: service.map(str::to_owned),
        })
        .await
        .unwrap()
}

fn success_banner(text: &str) -> bool {
    text.contains("nhsuk-notification-banner--success")
}
