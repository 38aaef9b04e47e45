//! The administrator's and the privacy officer's pages and the account API, over HTTP on both
//! databases: every role but the intended one is refused (403); account, role, token and
//! service changes write what they should and bad input writes nothing; disabling an account
//! ends its session at once; the access reports show denials and break-glass, filter by
//! date, download, and are themselves audited; reviews record their outcome. Teams are added
//! and staffed from their pages and the API with every field checked; a service's own
//! waiting-time standards are changed at the version read, checked, and reset to its team
//! type's defaults; a page the caller's role does not allow is an HTML refusal page (the API
//! keeps problem+json), audited as before.

mod accounts;
mod disabling;
mod first_sign_in;
mod last_administrator;
mod measures;
mod privacy;
mod refusals;
mod services;
mod teams;

use nwd_store::auth::{Bootstrap, TeamKind};
use reqwest::{Method, RequestBuilder, Response};

use crate::support::{page, TestApp};

fn form(app: &TestApp, token: &str, path: &str, body: &[(&str, &str)]) -> RequestBuilder {
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(body)
        .finish();
    page(app, token, Method::POST, path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoded)
}

/// An organisation with an "other" team.
async fn org_team(app: &TestApp, name: &str) -> (String, String) {
    app.store
        .bootstrap_team(&Bootstrap {
            organisation: format!("{name} organisation"),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: format!("{name} team"),
            team_kind: TeamKind::Other,
            service_id: None,
        })
        .await
        .unwrap()
}

/// Every team membership of every account.
async fn memberships(app: &TestApp) -> usize {
    app.store
        .users()
        .await
        .unwrap()
        .iter()
        .map(|u| u.memberships.len())
        .sum()
}

/// The `Location` of a 303.
fn location(response: &Response) -> String {
    assert_eq!(response.status(), 303, "not a redirect");
    response.headers()["location"].to_str().unwrap().to_owned()
}
