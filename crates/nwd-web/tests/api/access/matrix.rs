//! The role × team × route matrix over two synthetic agencies.

use nwd_domain::authz::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{member, TestApp};

use super::{agency, ALPHA, BETA};

#[derive(Debug, Clone, Copy, PartialEq)]
enum TeamOf {
    Spa,
    Service,
}

/// The expected status of a read by (role, team kind, same agency as the record), written
/// from the issue's rules independently of the implementation.
fn expected(route: &str, role: Role, team: TeamOf, same_agency: bool) -> u16 {
    let clinical = matches!(role, Role::Triage | Role::Clinician | Role::TeamManager);
    // A single point of access relates to every open referral, in any agency; a service team
    // to people allocated to its own service.
    let related = team == TeamOf::Spa || same_agency;
    match route {
        "referral" | "events" | "waits" => match (clinical, related) {
            (false, _) => 403,
            (true, true) => 200,
            (true, false) => 404,
        },
        "person" => match role {
            Role::Administrator => 200,
            Role::Triage if team == TeamOf::Spa => 200,
            Role::Triage | Role::Clinician | Role::TeamManager => {
                if related {
                    200
                } else {
                    404
                }
            }
            _ => 403,
        },
        "history" => match role {
            Role::Administrator => 200,
            Role::Triage if team == TeamOf::Spa => 200,
            Role::Triage => {
                if related {
                    200
                } else {
                    404
                }
            }
            _ => 403,
        },
        "waiting_list" => match (clinical, related) {
            (false, _) => 403,
            (true, true) => 200,
            (true, false) => 404,
        },
        "triage_command" => match (clinical, related) {
            (false, _) => 403,
            // Passes the guard; the handler refuses the stale version (it is at 3).
            (true, true) => 412,
            (true, false) => 404,
        },
        other => panic!("unknown route {other}"),
    }
}

async fn role_team_route_matrix(app: &TestApp) {
    let a = agency(app, "Alpha", &ALPHA).await;
    let b = agency(app, "Beta", &BETA).await;
    let mut checked = 0;
    for (agency, agency_name) in [(&a, "a"), (&b, "b")] {
        for (team, team_of) in [
            (&agency.spa_team, TeamOf::Spa),
            (&agency.service_team, TeamOf::Service),
        ] {
            for role in Role::ALL {
                let name = format!("{agency_name}.{team_of:?}.{}", role.as_str()).to_lowercase();
                let (_, token) = member(app, &agency.org, team, role, &name).await;
                // Every id-taking route, against both agencies' records.
                for (target, canary, other) in [(&a, &ALPHA, &BETA), (&b, &BETA, &ALPHA)] {
                    let same = std::ptr::eq(target, agency);
                    let routes = [
                        (
                            "referral",
                            Method::GET,
                            format!("/api/referrals/{}", target.referral),
                        ),
                        (
                            "events",
                            Method::GET,
                            format!("/api/referrals/{}/events", target.referral),
                        ),
                        (
                            "waits",
                            Method::GET,
                            format!("/api/referrals/{}/waits", target.referral),
                        ),
                        (
                            "person",
                            Method::GET,
                            format!("/api/persons/{}", target.person),
                        ),
                        (
                            "history",
                            Method::GET,
                            format!("/api/persons/{}/history", target.person),
                        ),
                        (
                            "waiting_list",
                            Method::GET,
                            format!("/api/services/{}/waiting-list", target.service),
                        ),
                        (
                            "triage_command",
                            Method::POST,
                            format!("/api/referrals/{}/triage", target.referral),
                        ),
                    ];
                    for (route, method, path) in routes {
                        let want = expected(route, role, team_of, same);
                        let response = app
                            .as_token(&token, method.clone(), &path)
                            .header("If-Match", "\"2\"")
                            .json(&json!({"need_group": "getting_help", "risk": "low", "rationale": "r", "destinations": [{"type": "allocate", "service_id": "00000000-0000-0000-0000-000000000000"}]}))
                            .send()
                            .await
                            .unwrap();
                        let status = response.status().as_u16();
                        let text = response.text().await.unwrap();
                        assert_eq!(
                            status,
                            want,
                            "{name} {method} {route} on {} (same agency: {same}): {text}",
                            if std::ptr::eq(target, &a) {
                                "alpha"
                            } else {
                                "beta"
                            }
                        );
                        // Never the other record's values; and nothing of this record's
                        // values when refused.
                        assert!(
                            other.found_in(&text).is_empty(),
                            "{name} {route}: leaked {:?}",
                            other.found_in(&text)
                        );
                        if status >= 400 {
                            assert!(
                                canary.found_in(&text).is_empty(),
                                "{name} {route} refused but leaked {:?}",
                                canary.found_in(&text)
                            );
                        }
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 2 * 2 * Role::ALL.len() * 2 * 7);
    // Every one of those requests was audited, denials included.
    let audited = app.count("audit_log").await;
    assert!(
        audited >= checked as i64,
        "{audited} audit rows for {checked} requests"
    );
    // Searches count only what the caller may open: a service clinician of Beta sees Beta's
    // referral and not Alpha's.
    let (_, token) = member(app, &b.org, &b.service_team, Role::Clinician, "beta.search").await;
    let page: Value = app
        .as_token(&token, Method::GET, "/api/referrals")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [b.referral.as_str()]);
    // A commissioner has no route to person-level data, and sees aggregates.
    let (_, token) = member(
        app,
        &a.org,
        &a.spa_team,
        Role::Commissioner,
        "alpha.commissioner2",
    )
    .await;
    let response = app
        .as_token(&token, Method::GET, "/api/measures/access")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = app
        .as_token(&token, Method::GET, "/api/referrals")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}
on_both_backends!(role_team_route_matrix, strict);
