//! Teams are added and staffed from their pages and the API with every field checked.

use nwd_domain::authz::Role;
use nwd_store::auth::TeamKind;
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{member, page, problem, staff_html as html, TestApp};

use super::{form, location, memberships, org_team};

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
        &[
            ("user_id", &clinician_id),
            ("role", "clinician"),
            ("confirmed", "yes"),
        ],
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
            &[
                ("user_id", &clinician_id),
                ("role", "clinician"),
                ("confirmed", "yes"),
            ],
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
        &[
            ("user_id", &clinician_id),
            ("role", "clinician"),
            ("confirmed", "yes"),
        ],
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
            &[
                ("user_id", &clinician_id),
                ("role", "clinician"),
                ("confirmed", "yes"),
            ],
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
