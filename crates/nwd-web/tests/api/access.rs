// Over 600 lines: the role x team x route matrix and the relationship, break-glass, session
// and audit tests share one two-agency fixture; a split by concern (matrix, relationships,
// break-glass, audit trail) is left for issue 16 item 7's next session.
//! Access control, on both databases: the role × team × route matrix over two synthetic
//! agencies, relationships opening and closing, break-glass, sessions, and the audit trail
//! (tamper detection, append-only, fail-closed).

use jiff::SignedDuration;
use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{member, problem, TestApp};

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

async fn sessions_are_secure_rotated_and_end_at_sign_out(app: &TestApp) {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "Gamma".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: "Gamma access".into(),
            team_kind: TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap();
    // A breached or short password is refused, with how to fix it; nothing is written.
    let users_before = app.count("users").await;
    for bad in ["short", "password"] {
        let err = app
            .store
            .create_user(
                NewUser {
                    username: "g.user".into(),
                    display_name: "G".into(),
                    organisation_id: org.clone(),
                    password: Some(bad.into()),
                    memberships: vec![(team.clone(), Role::Triage)],
                },
                "test",
            )
            .await;
        assert!(err.is_err(), "{bad} accepted");
    }
    assert_eq!(app.count("users").await, users_before);
    let password = "violet kettle harbour lantern";
    let created = app
        .store
        .create_user(
            NewUser {
                username: "g.user".into(),
                display_name: "G".into(),
                organisation_id: org,
                password: Some(password.into()),
                memberships: vec![(team, Role::Triage)],
            },
            "test",
        )
        .await
        .unwrap();
    let secret = created.totp_secret.unwrap();
    let code = || nwd_store::auth::totp_code(&secret, app.store.now()).unwrap();
    let sign_in = |code: String, password: &'static str| {
        app.public(Method::POST, "/api/session")
            .json(&json!({"username": "g.user", "password": password, "code": code}))
            .send()
    };
    // Wrong password and wrong code get the same generic answer.
    let wrong_password = problem(
        sign_in(code(), "not the password at all").await.unwrap(),
        401,
    )
    .await;
    let wrong_code = problem(sign_in("000000".into(), password).await.unwrap(), 401).await;
    assert_eq!(wrong_password["detail"], wrong_code["detail"]);
    // One code for the sign-in and its replay: a code computed later could fall in the next
    // 30-second step, which is a new code and rightly accepted.
    let used_code = code();
    let response = sign_in(used_code.clone(), password).await.unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for flag in [
        "__Host-nwd_session=",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
        "Path=/",
    ] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    let session: Value = response.json().await.unwrap();
    let csrf = session["csrf_token"].as_str().unwrap().to_owned();
    let value = cookie.split(';').next().unwrap().to_owned();
    assert!(
        value.len() >= "__Host-nwd_session=".len() + 32,
        "session id under 128 bits"
    );
    // The same TOTP code cannot be used twice.
    problem(sign_in(used_code, password).await.unwrap(), 401).await;
    let with_cookie =
        |method: Method, path: &str| app.public(method, path).header("cookie", value.clone());
    assert_eq!(
        with_cookie(Method::GET, "/api/session")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // A change with the cookie needs the CSRF token.
    let response = with_cookie(Method::POST, "/api/referrals")
        .json(&body_for(&ALPHA))
        .send()
        .await
        .unwrap();
    let refused = problem(response, 403).await;
    // Titled for what it is, not as a role refusal (issue 15).
    assert!(
        refused["title"].as_str().unwrap().contains("CSRF"),
        "{refused}"
    );
    assert_ne!(refused["title"], "Not allowed for your role");
    assert_eq!(app.count("referrals").await, 0);
    let response = with_cookie(Method::POST, "/api/referrals")
        .header("x-csrf-token", &csrf)
        .json(&body_for(&ALPHA))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    // Sign out ends the session on the server: replaying the cookie is refused.
    let response = with_cookie(Method::DELETE, "/api/session")
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        with_cookie(Method::GET, "/api/session")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // Idle timeout: a new session (new id) is refused after 31 idle minutes.
    app.advance_clock(SignedDuration::from_secs(31));
    let response = sign_in(code(), password).await.unwrap();
    let second = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_ne!(second, value, "the session id was not rotated");
    app.advance_clock(SignedDuration::from_mins(31));
    let response = app
        .public(Method::GET, "/api/session")
        .header("cookie", second)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // Five failures lock the account, even for the right password afterwards.
    for _ in 0..5 {
        problem(sign_in("000000".into(), password).await.unwrap(), 401).await;
    }
    app.advance_clock(SignedDuration::from_secs(31));
    problem(sign_in(code(), password).await.unwrap(), 401).await;
}
on_both_backends!(sessions_are_secure_rotated_and_end_at_sign_out, strict);

async fn the_audit_chain_detects_tampering_and_refuses_changes(app: &TestApp) {
    let a = agency(app, "Alpha", &ALPHA).await;
    for _ in 0..3 {
        app.staff(Method::GET, &format!("/api/referrals/{}", a.referral))
            .send()
            .await
            .unwrap();
    }
    let verified = app.store.verify_audit().await.unwrap();
    assert!(verified.first_broken.is_none(), "{verified:?}");
    assert!(verified.entries >= 6);
    // The application's own connection cannot change or remove audit rows.
    assert!(app
        .raw_sql("UPDATE audit_log SET outcome = 'denied' WHERE seq = 3")
        .await
        .is_err());
    assert!(app
        .raw_sql("DELETE FROM audit_log WHERE seq = 3")
        .await
        .is_err());
    assert!(app
        .raw_sql("UPDATE referral_events SET actor = 'x'")
        .await
        .is_err());
    // Someone with the power to drop the protection alters entry 3: verification names it.
    let sqlite = app.database_url.starts_with("sqlite");
    if sqlite {
        app.raw_sql("DROP TRIGGER audit_log_no_update")
            .await
            .unwrap();
    } else {
        app.raw_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            .await
            .unwrap();
    }
    app.raw_sql("UPDATE audit_log SET outcome = 'denied' WHERE seq = 3")
        .await
        .unwrap();
    let verified = app.store.verify_audit().await.unwrap();
    let broken = verified.first_broken.expect("tampering not detected");
    assert_eq!(broken.seq, 3);
    assert!(broken.problem.contains("altered"));
    // The privacy officer's verification over HTTP says the same.
    let (_, officer) = member(
        app,
        &a.org,
        &a.spa_team,
        Role::PrivacyOfficer,
        "alpha.privacy",
    )
    .await;
    let report: Value = app
        .as_token(&officer, Method::GET, "/api/audit/verify")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["first_broken"]["seq"], 3);
}
on_both_backends!(
    the_audit_chain_detects_tampering_and_refuses_changes,
    strict
);

async fn no_audit_no_data(app: &TestApp) {
    let a = agency(app, "Alpha", &ALPHA).await;
    let events_before = app.count("referral_events").await;
    // Make every audit append fail.
    if app.database_url.starts_with("sqlite") {
        app.raw_sql("CREATE TRIGGER audit_broken BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END").await.unwrap();
    } else {
        app.raw_sql("CREATE OR REPLACE FUNCTION audit_broken() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$").await.unwrap();
        app.raw_sql("CREATE TRIGGER audit_broken BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_broken()").await.unwrap();
    }
    let response = app
        .staff(Method::GET, &format!("/api/referrals/{}", a.referral))
        .send()
        .await
        .unwrap();
    let body = problem(response, 503).await;
    assert!(ALPHA.found_in(&body.to_string()).is_empty());
    let response = app
        .staff(Method::GET, &format!("/api/persons/{}", a.person))
        .send()
        .await
        .unwrap();
    problem(response, 503).await;
    // A change whose audit row cannot be written is not made.
    let response = app
        .staff(
            Method::POST,
            &format!("/api/referrals/{}/decline", a.referral),
        )
        .header("If-Match", "\"3\"")
        .json(&json!({"reason": "test"}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_server_error());
    assert_eq!(app.count("referral_events").await, events_before);
}
on_both_backends!(no_audit_no_data, strict);

async fn anonymous_submissions_are_size_and_rate_limited(app: &TestApp) {
    // Too large: refused before it is read, nothing written.
    let mut body = crate::intake::self_referral_body();
    body["presenting_needs"] = json!("x".repeat(20 * 1024));
    // Refused unread, so the server closes the connection: not one to reuse.
    let response = app
        .public(Method::POST, "/api/self-referrals")
        .header("connection", "close")
        .json(&body)
        .send()
        .await
        .unwrap();
    problem(response, 413).await;
    assert_eq!(app.count("referrals").await, 0);
    // A flood from one address meets 429 with Retry-After; reading the directory never does.
    let mut limited = None;
    for _ in 0..40 {
        let response = app
            .public(Method::POST, "/api/self-referrals")
            .json(&crate::intake::self_referral_body())
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
    }
    let limited = limited.expect("40 submissions in a row were never limited");
    assert!(limited.headers().contains_key("retry-after"));
    let body = problem(limited, 429).await;
    assert!(body["detail"].as_str().unwrap().contains("111"));
    for _ in 0..60 {
        let response = app
            .public(Method::GET, "/api/services")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
}
on_both_backends!(anonymous_submissions_are_size_and_rate_limited, strict);

/// With server timing on, an allowed read says what each phase of the guard cost, and the
/// phases add up to no more than the client saw; denials and public pages carry no timings.
async fn server_timing_names_the_guard_phases(app: &TestApp) {
    let a = agency(app, "Alpha", &ALPHA).await;
    nwd_web::secure::set_server_timing(true);
    let started = std::time::Instant::now();
    let response = app
        .staff(Method::GET, &format!("/api/referrals/{}", a.referral))
        .send()
        .await
        .unwrap();
    let seen_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(response.status(), 200);
    let header = response
        .headers()
        .get("server-timing")
        .expect("an allowed read carries Server-Timing")
        .to_str()
        .unwrap()
        .to_owned();
    let phases: Vec<(String, f64)> = header
        .split(',')
        .map(|m| {
            let (name, ms) = m.trim().split_once(";dur=").unwrap();
            (name.to_owned(), ms.parse().unwrap())
        })
        .collect();
    let names: Vec<&str> = phases.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["authn", "policy", "app", "audit"]);
    let sum: f64 = phases.iter().map(|(_, ms)| ms).sum();
    assert!(phases.iter().all(|(_, ms)| *ms >= 0.0));
    assert!(sum <= seen_ms, "{sum} ms of phases > {seen_ms} ms seen");
    // Not signed in: no timings.
    let response = app
        .public(Method::GET, &format!("/api/referrals/{}", a.referral))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().get("server-timing").is_none());
}
on_both_backends!(server_timing_names_the_guard_phases, strict);

/// CSRF over the whole route inventory: with a valid session cookie but no CSRF token, every
/// signed-in change — API route or HTML form — answers 403 and writes nothing but the
/// audited denial.
async fn every_cookie_change_without_its_csrf_token_is_refused(app: &TestApp) {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "Delta".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: "Delta access".into(),
            team_kind: TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap();
    let password = "copper meadow lantern violin";
    let created = app
        .store
        .create_user(
            NewUser {
                username: "d.user".into(),
                display_name: "D".into(),
                organisation_id: org,
                password: Some(password.into()),
                memberships: vec![(team.clone(), Role::Triage), (team, Role::Administrator)],
            },
            "test",
        )
        .await
        .unwrap();
    let code = nwd_store::auth::totp_code(&created.totp_secret.unwrap(), app.store.now()).unwrap();
    let response = app
        .public(Method::POST, "/api/session")
        .json(&json!({"username": "d.user", "password": password, "code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let policies = nwd_web::secure_routes().into_parts().1;
    let changes: Vec<_> = policies
        .iter()
        .filter(|p| p.policy != nwd_domain::authz::Policy::Public)
        .filter(|p| !matches!(p.method.as_str(), "get" | "head" | "options"))
        .collect();
    assert!(changes.len() > 20, "the inventory has the changes");
    let events = app.count("referral_events").await;
    let referrals = app.count("referrals").await;
    for route in changes {
        let path = route
            .path
            .replace("{id}", "00000000-0000-0000-0000-000000000000")
            .replace("{contact_id}", "x")
            .replace("{allocation_id}", "x")
            .replace("{decision_id}", "x")
            .replace("{token}", "x")
            .replace("{token_id}", "x");
        let method = Method::from_bytes(route.method.to_uppercase().as_bytes()).unwrap();
        let response = app
            .public(method, &path)
            .header("cookie", &cookie)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            403,
            "{} {} accepted a cookie change without the CSRF token",
            route.method,
            route.path
        );
    }
    assert_eq!(app.count("referral_events").await, events);
    assert_eq!(app.count("referrals").await, referrals);
}
on_both_backends!(
    every_cookie_change_without_its_csrf_token_is_refused,
    strict
);
