//! The administrator's and the privacy officer's pages and the account API, over HTTP on both
//! databases: every role but the intended one is refused (403); account, role, token and
//! service changes write what they should and bad input writes nothing; disabling an account
//! ends its session at once; the access reports show denials and break-glass, filter by
//! date, download, and are themselves audited; reviews record their outcome. Teams are added
//! and staffed from their pages and the API with every field checked; a service's own
//! waiting-time standards are changed at the version read, checked, and reset to its team
//! type's defaults; a page the caller's role does not allow is an HTML refusal page (the API
//! keeps problem+json), audited as before.

use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{
    all_scopes, member, no_redirects, page, problem, signed_in, staff_html as html, TestApp,
};

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

/// The pages and API routes of this issue, with the role each is for.
const GUARDED: &[(&str, Role)] = &[
    ("/staff/privacy", Role::PrivacyOfficer),
    ("/staff/privacy/person-access", Role::PrivacyOfficer),
    ("/staff/privacy/user-access", Role::PrivacyOfficer),
    ("/staff/privacy/reviews", Role::PrivacyOfficer),
    ("/staff/admin/users", Role::Administrator),
    ("/staff/admin/users/new", Role::Administrator),
    ("/api/admin/users", Role::Administrator),
    ("/api/admin/teams", Role::Administrator),
    ("/staff/admin/services", Role::Administrator),
    ("/staff/admin/services/new", Role::Administrator),
    ("/staff/admin/teams", Role::Administrator),
    ("/staff/admin/teams/new", Role::Administrator),
];

async fn only_the_intended_role_opens_each_page(app: &TestApp) {
    let (org, team) = org_team(app, "Roles").await;
    let audit_before = app.count("audit_log").await;
    let users_before = app.count("users").await;
    let mut checked = 0;
    for role in Role::ALL {
        let (_, token) = member(app, &org, &team, role, &format!("only.{}", role.as_str())).await;
        for (path, intended) in GUARDED {
            let response = page(app, &token, Method::GET, path).send().await.unwrap();
            let want = if role == *intended { 200 } else { 403 };
            assert_eq!(response.status().as_u16(), want, "{role} GET {path}");
            checked += 1;
        }
        // A change by the wrong role writes nothing.
        if role != Role::Administrator {
            let response = form(
                app,
                &token,
                "/staff/admin/users",
                &[
                    ("username", "x.y"),
                    ("display_name", "X"),
                    ("team_id", &team),
                    ("role", "triage"),
                    ("password", "violet kettle harbour lantern"),
                ],
            )
            .send()
            .await
            .unwrap();
            assert_eq!(response.status(), 403, "{role} created an account");
        }
    }
    assert_eq!(checked, GUARDED.len() * Role::ALL.len());
    assert_eq!(
        app.count("users").await,
        users_before + Role::ALL.len() as i64
    );
    // Every view and every refusal was audited.
    assert!(app.count("audit_log").await >= audit_before + checked as i64);
    // Not signed in: the pages go to sign-in, the API answers 401.
    let response = no_redirects()
        .get(format!("{}/staff/admin/users", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    problem(
        app.public(Method::GET, "/api/admin/users")
            .send()
            .await
            .unwrap(),
        401,
    )
    .await;
}
on_both_backends!(only_the_intended_role_opens_each_page);

async fn accounts_roles_and_tokens_change_as_asked_and_bad_input_writes_nothing(app: &TestApp) {
    let (org, team) = org_team(app, "Admin").await;
    let (admin_id, admin) = member(app, &org, &team, Role::Administrator, "the.admin").await;
    let (_, other_team) = org_team(app, "Second").await;

    // Bad input: every field named, linked from the summary, nothing written.
    let users = app.count("users").await;
    let members = memberships(app).await;
    let text = html(
        form(
            app,
            &admin,
            "/staff/admin/users",
            &[
                ("username", "bad name!"),
                ("display_name", " "),
                ("team_id", "nope"),
                ("role", "parent_carer"),
                ("password", ""),
            ],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    for field in ["display_name", "team_id", "role", "password"] {
        assert!(
            text.contains(&format!("href=\"#{field}\"")),
            "no summary link to {field}"
        );
    }
    // A breached password is refused by the store's rules, named against the field.
    let text = html(
        form(
            app,
            &admin,
            "/staff/admin/users",
            &[
                ("username", "new.person"),
                ("display_name", "New Person"),
                ("team_id", &team),
                ("role", "clinician"),
                ("password", "password"),
            ],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(text.contains("href=\"#password\""));
    assert!(
        !text.contains("value=\"password\""),
        "the password is never echoed"
    );
    assert_eq!(app.count("users").await, users);
    assert_eq!(memberships(app).await, members);

    // Created: the TOTP secret is shown once, the account is in the list with its role.
    let text = html(
        form(
            app,
            &admin,
            "/staff/admin/users",
            &[
                ("username", "New.Person"),
                ("display_name", "New Person"),
                ("team_id", &team),
                ("role", "privacy_officer"),
                ("password", "violet kettle harbour lantern"),
            ],
        )
        .send()
        .await
        .unwrap(),
        201,
    )
    .await;
    assert!(text.contains("otpauth://"));
    let id = app
        .store
        .user_id_by_username("new.person")
        .await
        .unwrap()
        .unwrap();
    let user = app.store.user(&id).await.unwrap();
    assert_eq!(user.memberships.len(), 1);
    assert_eq!(user.memberships[0].role, Role::PrivacyOfficer);
    let list = html(
        page(app, &admin, Method::GET, "/staff/admin/users")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(list.contains("new.person") && list.contains("Not yet enrolled"));
    // The same username again is refused.
    let response = app
        .as_token(&admin, Method::POST, "/api/admin/users")
        .json(&json!({"username": "new.person", "display_name": "N", "team_id": team, "role": "triage", "password": "copper meadow lantern violin"}))
        .send()
        .await
        .unwrap();
    let body = problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "username");

    // Roles: added, a duplicate refused, removed; the last cannot be removed.
    let user_page = format!("/staff/admin/users/{id}");
    let add = format!("{user_page}/memberships");
    let response = form(
        app,
        &admin,
        &add,
        &[("team_id", &other_team), ("role", "commissioner")],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(app.store.user(&id).await.unwrap().memberships.len(), 2);
    let text = html(
        form(
            app,
            &admin,
            &add,
            &[("team_id", &other_team), ("role", "commissioner")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(text.contains("href=\"#role\""));
    html(
        form(
            app,
            &admin,
            &add,
            &[("team_id", "no-such-team"), ("role", "clinician")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert_eq!(app.store.user(&id).await.unwrap().memberships.len(), 2);
    let remove = format!("{user_page}/memberships/remove");
    let response = form(
        app,
        &admin,
        &remove,
        &[("team_id", &other_team), ("role", "commissioner")],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    html(
        form(
            app,
            &admin,
            &remove,
            &[("team_id", &team), ("role", "privacy_officer")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert_eq!(app.store.user(&id).await.unwrap().memberships.len(), 1);

    // Tokens: created by their holder only — never for someone else's account (403, nothing
    // written); on one's own page shown once, working, limited, revocable.
    let tokens = app.count("api_tokens").await;
    html(
        form(
            app,
            &admin,
            &format!("{user_page}/tokens"),
            &[
                ("token_name", "School system"),
                ("scopes", "search_referrals"),
            ],
        )
        .send()
        .await
        .unwrap(),
        403,
    )
    .await;
    assert_eq!(app.count("api_tokens").await, tokens);
    let user_page = format!("/staff/admin/users/{admin_id}");
    html(
        form(
            app,
            &admin,
            &format!("{user_page}/tokens"),
            &[("token_name", "School system")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert_eq!(app.count("api_tokens").await, tokens);
    let text = html(
        form(
            app,
            &admin,
            &format!("{user_page}/tokens"),
            &[("token_name", "School system"), ("scopes", "manage_users")],
        )
        .send()
        .await
        .unwrap(),
        201,
    )
    .await;
    let start = text.find("id=\"token\">").unwrap() + "id=\"token\">".len();
    let token = text[start..].split('<').next().unwrap().to_owned();
    assert!(token.starts_with("nwd_"));
    assert_eq!(
        app.as_token(&token, Method::GET, "/api/admin/users")
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    // Limited to its scope: the administrator's role would allow the directory, the token
    // does not.
    assert_eq!(
        app.as_token(&token, Method::POST, "/api/organisations")
            .json(&json!({"name": "Scoped out", "kind": "nhs_trust"}))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let again = html(
        page(app, &admin, Method::GET, &user_page)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(!again.contains(&token), "the token is shown only once");
    let detail: Value = app
        .as_token(&admin, Method::GET, &format!("/api/admin/users/{admin_id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token_id = detail["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "School system")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let response = form(
        app,
        &admin,
        &format!("{user_page}/tokens/revoke"),
        &[("token", &token_id)],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        app.as_token(&token, Method::GET, "/api/admin/users")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // The same through the API: a token for an unknown scope is refused.
    let response = app
        .as_token(
            &admin,
            Method::POST,
            &format!("/api/admin/users/{admin_id}/tokens"),
        )
        .json(&json!({"name": "x", "scopes": ["everything"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        crate::support::fields(&problem(response, 422).await),
        vec!["scopes"]
    );
}
on_both_backends!(accounts_roles_and_tokens_change_as_asked_and_bad_input_writes_nothing);

async fn disabling_an_account_ends_its_session_at_once(app: &TestApp) {
    let (org, team) = org_team(app, "Disable").await;
    let (admin_id, admin) = member(app, &org, &team, Role::Administrator, "d.admin").await;
    let password = "amber thistle compass orchard";
    let created = app
        .store
        .create_user(
            NewUser {
                username: "d.staff".into(),
                display_name: "D Staff".into(),
                organisation_id: org.clone(),
                password: Some(password.into()),
                memberships: vec![(team.clone(), Role::Commissioner)],
            },
            "test",
        )
        .await
        .unwrap();
    let code = nwd_store::auth::totp_code(&created.totp_secret.unwrap(), app.store.now()).unwrap();
    let response = app
        .public(Method::POST, "/api/session")
        .json(&json!({"username": "d.staff", "password": password, "code": code}))
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
    let token = app
        .store
        .create_api_token(&created.id, "t", &all_scopes())
        .await
        .unwrap()
        .1;
    let session = || {
        app.public(Method::GET, "/api/session")
            .header("cookie", cookie.clone())
            .send()
    };
    assert_eq!(session().await.unwrap().status(), 200);
    // The administrator cannot disable their own account.
    html(
        page(
            app,
            &admin,
            Method::POST,
            &format!("/staff/admin/users/{admin_id}/disable"),
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(app
        .store
        .user(&admin_id)
        .await
        .unwrap()
        .disabled_at
        .is_none());
    // Disabled from the page: the session and the token stop working at once.
    let response = page(
        app,
        &admin,
        Method::POST,
        &format!("/staff/admin/users/{}/disable", created.id),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(session().await.unwrap().status(), 401);
    assert_eq!(
        app.as_token(&token, Method::GET, "/api/session")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let text = html(
        page(
            app,
            &admin,
            Method::GET,
            &format!("/staff/admin/users/{}", created.id),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(text.contains("Disabled"));
    // Audited against the account.
    let trail = app.store.audit_for_user(&admin_id).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| e.entry.route == "POST /staff/admin/users/{id}/disable"
            && e.entry.record_id.as_deref() == Some(created.id.as_str())
            && e.entry.outcome == "allowed"));
    // Unknown account: 404, nothing written.
    let response = app
        .as_token(
            &admin,
            Method::POST,
            "/api/admin/users/00000000-0000-0000-0000-000000000000/disable",
        )
        .send()
        .await
        .unwrap();
    problem(response, 404).await;
}
on_both_backends!(disabling_an_account_ends_its_session_at_once);

async fn access_reports_show_denials_and_break_glass_and_are_audited(app: &TestApp) {
    let created = app.school_referral(Some("999 000 0018"), "routine").await;
    let referral = created["referral"]["id"].as_str().unwrap().to_owned();
    let person = created["referral"]["person_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (org, team) = org_team(app, "Privacy").await;
    let (officer_id, officer) = member(app, &org, &team, Role::PrivacyOfficer, "p.officer").await;
    let service_team = {
        let service = app
            .service("Elsewhere", &["getting_help"], 5, 18, "community")
            .await;
        app.store
            .create_team(&org, "Elsewhere team", TeamKind::Service, Some(&service))
            .await
            .unwrap()
    };
    let (clinician_id, clinician) =
        member(app, &org, &service_team, Role::Clinician, "c.elsewhere").await;
    // A refusal, then break-glass access.
    let read = format!("/api/referrals/{referral}");
    assert_eq!(
        app.as_token(&clinician, Method::GET, &read)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let response = app
        .as_token(&clinician, Method::POST, &format!("/api/persons/{person}/break-glass"))
        .json(&json!({"reason": "Presented at A&E out of hours; no access team available", "minutes": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        app.as_token(&clinician, Method::GET, &read)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // By NHS number: the refusal and the break-glass read are there and marked.
    let text = html(
        page(
            app,
            &officer,
            Method::GET,
            "/staff/privacy/person-access?subject=999+000+0018",
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(text.contains("c.elsewhere"));
    assert!(text.contains("Refused"), "denials are shown");
    assert!(text.contains("nwd-row--break-glass") && text.contains("Break glass"));
    // The same by register id; a date range before today shows nothing.
    let text = html(
        page(
            app,
            &officer,
            Method::GET,
            &format!("/staff/privacy/person-access?subject={person}&from=2020-01-01&to=2020-12-31"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(text.contains("No access recorded in these dates"));
    // Bad filters are named.
    let text = html(
        page(
            app,
            &officer,
            Method::GET,
            "/staff/privacy/person-access?subject=999+123+4560&from=yesterday",
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(text.contains("href=\"#subject\"") && text.contains("href=\"#from\""));
    // Everything the clinician accessed.
    let text = html(
        page(
            app,
            &officer,
            Method::GET,
            "/staff/privacy/user-access?subject=c.elsewhere",
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(
        text.contains("Break glass") && text.contains("Refused"),
        "{text}"
    );
    // Download for a subject access request.
    let response = page(
        app,
        &officer,
        Method::GET,
        &format!("/staff/privacy/person-access/download?subject={person}&format=csv"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let csv = response.text().await.unwrap();
    assert!(csv.lines().next().unwrap().starts_with("seq,at,user_id"));
    assert!(csv
        .lines()
        .any(|l| l.contains(&clinician_id) && l.ends_with(",yes")));
    // Every view is itself audited, against the person looked up.
    let trail = app.store.audit_for_user(&officer_id).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| e.entry.route == "GET /staff/privacy/person-access"
            && e.entry.action == "export"
            && e.entry.record_id.as_deref() == Some(person.as_str())));
    assert!(trail.iter().any(
        |e| e.entry.route == "GET /staff/privacy/person-access/download"
            && e.entry
                .detail
                .as_deref()
                .is_some_and(|d| d.starts_with("sar_export:csv"))
    ));

    // The home page verifies the chain.
    let text = html(
        page(app, &officer, Method::GET, "/staff/privacy")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(text.contains("The audit trail is intact"));
    assert!(text.contains("1 break-glass grant "));

    // Review: without an outcome refused and kept; with one recorded and gone.
    let grant = app.store.break_glass_queue().await.unwrap()[0].id.clone();
    let review = format!("/staff/privacy/break-glass/{grant}/review");
    let text = html(
        form(app, &officer, &review, &[("note", "")])
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    assert!(
        text.contains(&format!("href=\"#outcome-{grant}\""))
            && text.contains(&format!("href=\"#note-{grant}\""))
    );
    assert_eq!(app.store.break_glass_queue().await.unwrap().len(), 1);
    let response = form(
        app,
        &officer,
        &review,
        &[
            ("outcome", "appropriate"),
            ("note", "Confirmed with the A&E rota."),
        ],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    assert!(app.store.break_glass_queue().await.unwrap().is_empty());
    let trail = app.store.audit_for_user(&officer_id).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| e.entry.record_id.as_deref() == Some(grant.as_str())
            && e.entry.detail.as_deref() == Some("review_outcome:appropriate")));
    // Reviewed twice: not found.
    let response = form(
        app,
        &officer,
        &review,
        &[("outcome", "appropriate"), ("note", "Again")],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 404);
}
on_both_backends!(access_reports_show_denials_and_break_glass_and_are_audited);

async fn services_are_added_and_changed_with_the_apis_checks(app: &TestApp) {
    let (org, team) = org_team(app, "Directory").await;
    let (_, admin) = member(app, &org, &team, Role::Administrator, "dir.admin").await;
    let services = app.count("services").await;
    let bad = [
        ("organisation_id", org.as_str()),
        ("name", ""),
        ("age_from", "12"),
        ("age_to", "30"),
        ("team_type", "community"),
        ("delivery_modes", "online"),
        ("areas", "me14, 1zz"),
        ("self_referral", "yes"),
        ("clinician_wte", "2"),
        ("slots_per_week", "10"),
        ("active", "yes"),
    ];
    let text = html(
        form(app, &admin, "/staff/admin/services", &bad)
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    for field in ["name", "need_groups", "age_to", "areas"] {
        assert!(
            text.contains(&format!("href=\"#{field}\"")),
            "no summary link to {field}: {text}"
        );
    }
    assert_eq!(app.count("services").await, services);
    let good = [
        ("organisation_id", org.as_str()),
        ("name", "Synthetic Wellbeing Hub"),
        ("need_groups", "getting_advice"),
        ("need_groups", "getting_help"),
        ("age_from", "11"),
        ("age_to", "18"),
        ("team_type", "community"),
        ("delivery_modes", "online"),
        ("areas", "me14, ct1"),
        ("self_referral", "yes"),
        ("clinician_wte", "2.5"),
        ("slots_per_week", "30"),
        ("active", "yes"),
    ];
    let response = form(app, &admin, "/staff/admin/services", &good)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(app.count("services").await, services + 1);
    let list: Value = app
        .public(Method::GET, "/api/services?q=Synthetic+Wellbeing")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let service = &list[0];
    assert_eq!(service["areas"], json!(["ME14", "CT1"]));
    assert!(
        !service["standards"].as_array().unwrap().is_empty(),
        "the team type's defaults apply"
    );
    let id = service["id"].as_str().unwrap().to_owned();
    // Changed at the version read; a stale version is shown as a conflict and not saved.
    let mut change = good.to_vec();
    change.push(("version", "1"));
    change.retain(|(k, _)| *k != "active");
    change.push(("active", "no"));
    let response = form(app, &admin, &format!("/staff/admin/services/{id}"), &change)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let (saved, version) = app.store.service(id.parse().unwrap()).await.unwrap();
    assert!(!saved.details.active);
    assert_eq!(version, 2);
    let text = html(
        form(app, &admin, &format!("/staff/admin/services/{id}"), &change)
            .send()
            .await
            .unwrap(),
        409,
    )
    .await;
    assert!(text.contains("Someone else changed this service"));
    assert_eq!(app.store.service(id.parse().unwrap()).await.unwrap().1, 2);
    let list = html(
        page(app, &admin, Method::GET, "/staff/admin/services")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(list.contains("Synthetic Wellbeing Hub") && list.contains("Not taking referrals"));
}
on_both_backends!(services_are_added_and_changed_with_the_apis_checks);

async fn the_standards_page_shows_what_is_in_force_with_sources(app: &TestApp) {
    let (org, team) = org_team(app, "Standards").await;
    let (_, commissioner) = member(app, &org, &team, Role::Commissioner, "s.commissioner").await;
    let text = html(
        page(app, &commissioner, Method::GET, "/staff/standards")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    // Every configured standard with its source, read from the loaded configuration.
    let config = app.store.standards();
    for standard in config
        .fallback
        .iter()
        .chain(config.by_team_type.values().flatten())
    {
        let name = standard.name.replace('&', "&amp;");
        assert!(text.contains(&name), "{} missing", standard.name);
        assert!(
            text.contains(&standard.source.replace('&', "&amp;")),
            "{} missing",
            standard.source
        );
    }
    assert!(text.contains(&format!(
        "Counts below {} shown as *",
        config.suppression.below
    )));
    let response = no_redirects()
        .get(format!("{}/staff/standards", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
}
on_both_backends!(the_standards_page_shows_what_is_in_force_with_sources);

/// The `Location` of a 303.
fn location(response: &Response) -> String {
    assert_eq!(response.status(), 303, "not a redirect");
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn teams_are_added_and_staffed_with_every_field_checked(app: &TestApp) {
    let (org, team) = org_team(app, "Teams").await;
    let (admin_id, admin) = member(app, &org, &team, Role::Administrator, "t.admin").await;
    let (clinician_id, clinician) = member(app, &org, &team, Role::Clinician, "t.clinician").await;
    let service = app
        .service(
            "Synthetic Teams Service",
            &["getting_help"],
            5,
            18,
            "community",
        )
        .await;
    let teams = app.count("teams").await;

    // Nothing chosen: every field named and linked from the summary, nothing written.
    let text = html(
        form(
            app,
            &admin,
            "/staff/admin/teams",
            &[("organisation_id", ""), ("name", " "), ("kind", "")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    for field in ["organisation_id", "name", "kind"] {
        assert!(
            text.contains(&format!("href=\"#{field}\"")),
            "no summary link to {field}: {text}"
        );
    }
    // A service team without its service, and another kind with one.
    for (kind, service_id) in [("service", ""), ("other", service.as_str())] {
        let text = html(
            form(
                app,
                &admin,
                "/staff/admin/teams",
                &[
                    ("organisation_id", &org),
                    ("name", "North community team"),
                    ("kind", kind),
                    ("service_id", service_id),
                ],
            )
            .send()
            .await
            .unwrap(),
            422,
        )
        .await;
        assert!(text.contains("href=\"#service_id\""), "{kind}: {text}");
        assert!(
            text.contains("value=\"North community team\""),
            "what was typed is kept"
        );
    }
    // A name the organisation already uses (in any case).
    let text = html(
        form(
            app,
            &admin,
            "/staff/admin/teams",
            &[
                ("organisation_id", &org),
                ("name", "TEAMS TEAM"),
                ("kind", "other"),
            ],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(text.contains("already has a team with this name"));
    assert_eq!(app.count("teams").await, teams);

    // Added: to its page; in the list under its organisation with its service.
    let response = form(
        app,
        &admin,
        "/staff/admin/teams",
        &[
            ("organisation_id", &org),
            ("name", "North community team"),
            ("kind", "service"),
            ("service_id", &service),
        ],
    )
    .send()
    .await
    .unwrap();
    let team_page = location(&response);
    let team_id = team_page.rsplit('/').next().unwrap().to_owned();
    assert_eq!(app.count("teams").await, teams + 1);
    let saved = app.store.team(&team_id).await.unwrap();
    assert_eq!(saved.kind, TeamKind::Service);
    assert_eq!(saved.service_id.as_deref(), Some(service.as_str()));
    let list = html(
        page(app, &admin, Method::GET, "/staff/admin/teams")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(list.contains("Teams organisation") && list.contains("North community team"));
    assert!(list.contains("Synthetic Teams Service") && list.contains("Service team"));

    // The clinician's team relates to nobody: the service's waiting list is not theirs.
    let waiting = format!("/api/services/{service}/waiting-list");
    let status = |token: &str| {
        let request = app.as_token(token, Method::GET, &waiting);
        async move { request.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status(&clinician).await, 404);

    // Members: bad input named, nothing written; then added, and the access follows.
    let members = memberships(app).await;
    let add = format!("{team_page}/members");
    let text = html(
        form(
            app,
            &admin,
            &add,
            &[("user_id", "nobody"), ("role", "parent_carer")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(text.contains("href=\"#user_id\"") && text.contains("href=\"#role\""));
    assert_eq!(memberships(app).await, members);
    let response = form(
        app,
        &admin,
        &add,
        &[("user_id", &clinician_id), ("role", "clinician")],
    )
    .send()
    .await
    .unwrap();
    // A clinical role waits for a second administrator: shown on the account's page.
    assert_eq!(
        location(&response),
        format!("/staff/admin/users/{clinician_id}#pending-roles")
    );
    assert_eq!(memberships(app).await, members);
    assert_eq!(status(&clinician).await, 404, "not yet approved");
    let (_, second_admin) = member(app, &org, &team, Role::Administrator, "t.admin2").await;
    let waiting: Value = app
        .as_token(&second_admin, Method::GET, "/api/admin/role-grants")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let grant = waiting[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(waiting[0]["user_id"], clinician_id.as_str());
    let response = app
        .as_token(
            &second_admin,
            Method::POST,
            &format!("/api/admin/role-grants/{grant}/approve"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    // The second administrator's own role, and the approved one.
    assert_eq!(memberships(app).await, members + 2);
    assert_eq!(
        status(&clinician).await,
        200,
        "the new team's access applies"
    );
    let text = html(
        form(
            app,
            &admin,
            &add,
            &[("user_id", &clinician_id), ("role", "clinician")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(text.contains("already has this role in this team"));
    let text = html(
        page(app, &admin, Method::GET, &team_page)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(text.contains("t.clinician") && text.contains("Remove"));

    // The same through the API.
    let detail: Value = app
        .as_token(&admin, Method::GET, &format!("/api/admin/teams/{team_id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["kind"], "service");
    assert_eq!(detail["service_name"], "Synthetic Teams Service");
    assert_eq!(detail["memberships"][0]["user_id"], clinician_id.as_str());
    let response = app
        .as_token(&admin, Method::POST, "/api/admin/teams")
        .json(&json!({"organisation_id": org, "name": "Commissioning", "kind": "commissioner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        crate::support::fields(&problem(response, 422).await),
        vec!["kind"]
    );
    let response = app
        .as_token(&admin, Method::POST, "/api/admin/teams")
        .json(&json!({"organisation_id": org, "name": "Commissioning", "kind": "other"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let other: Value = response.json().await.unwrap();
    let response = app
        .as_token(
            &admin,
            Method::POST,
            &format!("/api/admin/teams/{}/members", other["id"].as_str().unwrap()),
        )
        .json(&json!({"user_id": admin_id, "role": "commissioner"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let response = app
        .as_token(
            &admin,
            Method::POST,
            "/api/admin/teams/00000000-0000-0000-0000-000000000000/members",
        )
        .json(&json!({"user_id": admin_id, "role": "commissioner"}))
        .send()
        .await
        .unwrap();
    problem(response, 404).await;

    // Removed: the access goes at once; a last role cannot be removed.
    let remove = format!("{team_page}/members/remove");
    let response = form(
        app,
        &admin,
        &remove,
        &[("user_id", &clinician_id), ("role", "clinician")],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(status(&clinician).await, 404);
    let text = html(
        form(
            app,
            &admin,
            &format!("/staff/admin/teams/{team}/members/remove"),
            &[("user_id", &clinician_id), ("role", "clinician")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(text.contains("href=\"#members\"") && text.contains("disable the account instead"));

    // Every change audited against what it changed.
    let trail = app.store.audit_for_user(&admin_id).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| e.entry.route == "POST /staff/admin/teams"
            && e.entry.record_id.as_deref() == Some(team_id.as_str())
            && e.entry.outcome == "allowed"));
    assert!(trail
        .iter()
        .any(|e| e.entry.route == "POST /staff/admin/teams/{id}/members"
            && e.entry.record_id.as_deref() == Some(clinician_id.as_str())
            && e.entry
                .detail
                .as_deref()
                .is_some_and(|d| d.contains(&format!(
                "user:{clinician_id} (t.clinician) team:{team_id} role:clinician by:user:{admin_id}"
            )))));
    assert!(trail.iter().any(
        |e| e.entry.route == "POST /staff/admin/teams/{id}/members/remove"
            && e.entry.outcome == "allowed"
    ));
}
on_both_backends!(teams_are_added_and_staffed_with_every_field_checked);

async fn a_services_standards_are_changed_at_the_version_read_and_reset(app: &TestApp) {
    use nwd_domain::codes::{Priority, TeamType};
    use nwd_domain::standards::WaitTarget;
    let (org, team) = org_team(app, "Standards admin").await;
    let (admin_id, admin) = member(app, &org, &team, Role::Administrator, "sa.admin").await;
    let (_, commissioner) = member(app, &org, &team, Role::Commissioner, "sa.commissioner").await;
    let id = app
        .service(
            "Synthetic Standards Service",
            &["getting_help"],
            5,
            18,
            "community",
        )
        .await;
    let service_id: nwd_domain::ServiceId = id.parse().unwrap();
    let defaults = app.store.standards().for_team_type(TeamType::Community);
    let path = format!("/staff/admin/services/{id}/standards");
    let read = || async { app.store.service(service_id).await.unwrap() };
    assert_eq!(read().await.0.details.standards, defaults);

    // Only administrators; the service's page and the read-only standards page lead here.
    let response = page(app, &commissioner, Method::GET, &path)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let text = html(
        page(app, &admin, Method::GET, &path).send().await.unwrap(),
        200,
    )
    .await;
    assert!(text.contains(&defaults[0].name) && text.contains("value=\"28\""));
    let edit = html(
        page(
            app,
            &admin,
            Method::GET,
            &format!("/staff/admin/services/{id}"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(edit.contains(&format!("href=\"{path}\"")));
    let standards = html(
        page(app, &admin, Method::GET, "/staff/standards")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(standards.contains("href=\"/staff/admin/services\""));

    // Bad input: every problem named and linked, nothing written.
    let bad = [
        ("version", "1"),
        ("rows", "2"),
        ("name-0", " "),
        ("amount-0", "0"),
        ("unit-0", "days"),
        ("share-0", "150"),
        ("citation-0", ""),
        ("name-1", "Urgent"),
        ("amount-1", "a week"),
        ("unit-1", "weeks"),
        ("priorities-1", "urgent"),
        ("citation-1", "Local agreement"),
    ];
    let text = html(form(app, &admin, &path, &bad).send().await.unwrap(), 422).await;
    for field in [
        "name-0",
        "amount-0",
        "share-0",
        "citation-0",
        "amount-1",
        "unit-1",
    ] {
        assert!(
            text.contains(&format!("href=\"#{field}\"")),
            "no summary link to {field}: {text}"
        );
    }
    assert!(text.contains("value=\"a week\""), "what was typed is kept");
    let (unchanged, version) = read().await;
    assert_eq!(unchanged.details.standards, defaults);
    assert_eq!(version, 1);

    // Saved at the version read, in the order given; the empty spare row is ignored.
    let good = [
        ("version", "1"),
        ("rows", "3"),
        ("name-0", "Community: urgent, 1 week"),
        ("amount-0", "7"),
        ("unit-0", "days"),
        ("share-0", "90"),
        ("priorities-0", "very_urgent"),
        ("priorities-0", "urgent"),
        ("citation-0", "Synthetic local contract 2026"),
        ("name-1", "Community: 4 weeks"),
        ("amount-1", "28"),
        ("unit-1", "days"),
        ("citation-1", "Domain guide §3"),
        ("unit-2", "days"),
    ];
    let response = form(app, &admin, &path, &good).send().await.unwrap();
    assert_eq!(
        location(&response),
        format!("/staff/admin/services/{id}#standards")
    );
    let (saved, version) = read().await;
    assert_eq!(version, 2);
    assert_eq!(saved.details.standards.len(), 2);
    let urgent = &saved.details.standards[0];
    assert_eq!(urgent.target, WaitTarget::Days(7));
    assert_eq!(urgent.target_share_percent, Some(90));
    assert_eq!(
        urgent.priorities,
        vec![Priority::VeryUrgent, Priority::Urgent]
    );
    assert_eq!(urgent.source, "Synthetic local contract 2026");
    assert!(saved.details.standards[1].priorities.is_empty());
    // The API sees the same standards.
    let api: Value = app
        .public(Method::GET, &format!("/api/services/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["standards"][0]["target_share_percent"], 90);

    // The same form again, at the old version: a conflict page keeping what was typed.
    let text = html(form(app, &admin, &path, &good).send().await.unwrap(), 409).await;
    assert!(text.contains("Someone else changed this service"));
    assert!(text.contains("value=\"Synthetic local contract 2026\""));
    assert_eq!(read().await.1, 2);

    // A standard removed.
    let mut removing = good.to_vec();
    removing.retain(|(k, _)| *k != "version");
    removing.push(("version", "2"));
    removing.push(("remove-0", "yes"));
    let response = form(app, &admin, &path, &removing).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let (saved, version) = read().await;
    assert_eq!(version, 3);
    assert_eq!(saved.details.standards.len(), 1);
    assert_eq!(saved.details.standards[0].name, "Community: 4 weeks");

    // Reset: stale refused, current back to the team type's defaults.
    let reset = format!("{path}/reset");
    html(
        form(app, &admin, &reset, &[("version", "2")])
            .send()
            .await
            .unwrap(),
        409,
    )
    .await;
    assert_eq!(read().await.1, 3);
    let response = form(app, &admin, &reset, &[("version", "3")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let (saved, version) = read().await;
    assert_eq!(version, 4);
    assert_eq!(saved.details.standards, defaults);

    // Audited against the service.
    let trail = app.store.audit_for_user(&admin_id).await.unwrap();
    for route in [
        "POST /staff/admin/services/{id}/standards",
        "POST /staff/admin/services/{id}/standards/reset",
    ] {
        assert!(
            trail.iter().any(|e| e.entry.route == route
                && e.entry.record_id.as_deref() == Some(id.as_str())
                && e.entry.outcome == "allowed"),
            "{route} not audited"
        );
    }
}
on_both_backends!(a_services_standards_are_changed_at_the_version_read_and_reset);

/// Asserts an HTML refusal page with `status`, its heading and the security headers of every
/// page; returns its text.
async fn refusal(response: Response, status: u16, heading: &str) -> String {
    let headers = response.headers().clone();
    assert_eq!(response.status().as_u16(), status);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{:?}",
        headers["content-type"]
    );
    assert_eq!(
        headers["content-security-policy"].to_str().unwrap(),
        nwd_web::headers::CONTENT_SECURITY_POLICY
    );
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let text = response.text().await.unwrap();
    assert!(text.contains(&format!("<h1>{heading}</h1>")), "{text}");
    text
}

async fn a_refused_page_is_an_html_page_and_the_api_keeps_problem_json(app: &TestApp) {
    let (org, team) = org_team(app, "Refusal").await;
    let (commissioner_id, commissioner) =
        member(app, &org, &team, Role::Commissioner, "r.commissioner").await;

    // A commissioner opening the triage queue: the refusal page, leading to their home.
    let response = page(app, &commissioner, Method::GET, "/staff/triage")
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let text = refusal(response, 403, "You do not have access to this page").await;
    assert!(text.contains("ask your administrator"));
    assert!(text.contains("href=\"/commissioning\">Go to your home page"));
    assert!(text.contains("commissioner"), "their roles are named");
    // An external referrer's way back is the referrals they sent, not the triage queue.
    let (_, referrer) = member(app, &org, &team, Role::ExternalReferrer, "r.referrer").await;
    let text = refusal(
        page(app, &referrer, Method::GET, "/staff/triage")
            .send()
            .await
            .unwrap(),
        403,
        "You do not have access to this page",
    )
    .await;
    assert!(text.contains("href=\"/staff/referrals-sent\">Go to your home page"));
    // The API twin keeps problem+json.
    problem(
        app.as_token(&commissioner, Method::GET, "/api/referrals")
            .send()
            .await
            .unwrap(),
        403,
    )
    .await;
    // Both denials audited as before.
    let trail = app.store.audit_for_user(&commissioner_id).await.unwrap();
    for route in ["GET /staff/triage", "GET /api/referrals"] {
        assert!(
            trail.iter().any(|e| e.entry.route == route
                && e.entry.outcome == "denied"
                && e.entry.status == 403
                && e.entry.why == "role lacks search_referrals"),
            "{route} denial not audited"
        );
    }

    // Out of scope on a page: "Page not found" as HTML; the API's 404 is problem+json.
    let created = app.school_referral(None, "routine").await;
    let referral = created["referral"]["id"].as_str().unwrap().to_owned();
    let service = app
        .service(
            "Synthetic Refusal Service",
            &["getting_help"],
            5,
            18,
            "community",
        )
        .await;
    let service_team = app
        .store
        .create_team(
            &org,
            "Refusal service team",
            TeamKind::Service,
            Some(&service),
        )
        .await
        .unwrap();
    let (clinician_id, clinician) =
        member(app, &org, &service_team, Role::Clinician, "r.clinician").await;
    let response = page(
        app,
        &clinician,
        Method::GET,
        &format!("/staff/referrals/{referral}"),
    )
    .send()
    .await
    .unwrap();
    let text = refusal(response, 404, "Page not found").await;
    assert!(!text.contains("Amelia"), "nothing of the record");
    problem(
        app.as_token(
            &clinician,
            Method::GET,
            &format!("/api/referrals/{referral}"),
        )
        .send()
        .await
        .unwrap(),
        404,
    )
    .await;
    let trail = app.store.audit_for_user(&clinician_id).await.unwrap();
    assert!(trail
        .iter()
        .any(|e| e.entry.route == "GET /staff/referrals/{id}"
            && e.entry.outcome == "denied"
            && e.entry.status == 404
            && e.entry.why == "no relationship"
            && e.entry.record_id.as_deref() == Some(referral.as_str())));

    // A page form sent with the session cookie but without its CSRF token: refused as a
    // page, nothing written; the API's refusal stays problem+json.
    let password = "copper meadow lantern violin";
    let created = app
        .store
        .create_user(
            NewUser {
                username: "r.admin".into(),
                display_name: "R Admin".into(),
                organisation_id: org.clone(),
                password: Some(password.into()),
                memberships: vec![(team.clone(), Role::Administrator)],
            },
            "test",
        )
        .await
        .unwrap();
    let (cookie, _) = signed_in(app, "r.admin", password, &created.totp_secret.unwrap()).await;
    let teams = app.count("teams").await;
    let response = no_redirects()
        .post(format!("{}/staff/admin/teams", app.base))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("organisation_id={org}&name=Sneaky&kind=other"))
        .send()
        .await
        .unwrap();
    refusal(response, 403, "Your answers could not be sent").await;
    let response = no_redirects()
        .post(format!("{}/api/admin/teams", app.base))
        .header("cookie", &cookie)
        .json(&json!({"organisation_id": org, "name": "Sneaky", "kind": "other"}))
        .send()
        .await
        .unwrap();
    problem(response, 403).await;
    assert_eq!(app.count("teams").await, teams);
}
on_both_backends!(a_refused_page_is_an_html_page_and_the_api_keeps_problem_json);
