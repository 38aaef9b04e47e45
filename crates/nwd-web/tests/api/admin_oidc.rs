//! The administrator's page for an account's OpenID Connect links, over HTTP on both
//! databases: only an administrator opens it; a link is added and removed as asked and each
//! change is audited; bad input (no provider, an issuer that is not a URL, a subject too long
//! or not ASCII, an identity already linked, a link the account does not have) is named and
//! writes nothing.

use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::{Method, Response};

use crate::on_both_backends;
use crate::support::{all_scopes, html, no_redirects, TestApp};

const ISSUER: &str = "https://login.example.nhs.uk";

/// An account with one role; returns (user id, API token).
async fn account(app: &TestApp, org: &str, team: &str, role: Role, name: &str) -> (String, String) {
    let user = app
        .store
        .create_user(
            NewUser {
                username: name.to_owned(),
                display_name: format!("{name} name"),
                organisation_id: org.to_owned(),
                password: None,
                memberships: vec![(team.to_owned(), role)],
            },
            "test",
        )
        .await
        .unwrap();
    let token = app
        .store
        .create_api_token(&user.id, "test", &all_scopes())
        .await
        .unwrap()
        .1;
    (user.id, token)
}

async fn post(app: &TestApp, token: &str, path: &str, body: &[(&str, &str)]) -> Response {
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(body)
        .finish();
    no_redirects()
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoded)
        .send()
        .await
        .unwrap()
}

async fn links_and_audit(app: &TestApp, user: &str) -> (Vec<(String, String)>, i64) {
    let links = app
        .store
        .oidc_links(user)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.issuer, l.subject))
        .collect();
    (links, app.count("audit_log").await)
}

async fn an_administrator_lists_adds_and_removes_links(app: &TestApp) {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "Links organisation".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: "Links team".into(),
            team_kind: TeamKind::Other,
            service_id: None,
        })
        .await
        .unwrap();
    let (admin_id, admin) = account(app, &org, &team, Role::Administrator, "a.admin").await;
    let (clinician, clinician_token) = account(app, &org, &team, Role::Clinician, "c.linked").await;
    let path = format!("/staff/admin/users/{clinician}/oidc");

    // Only an administrator: the clinician (and the privacy officer) are refused.
    let (_, officer) = account(app, &org, &team, Role::PrivacyOfficer, "p.links").await;
    for token in [&clinician_token, &officer] {
        let response = app
            .as_token(token, Method::GET, &path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        let response = post(app, token, &path, &[("issuer", ISSUER), ("subject", "x")]).await;
        assert_eq!(response.status(), 403);
    }
    assert!(app.store.oidc_links(&clinician).await.unwrap().is_empty());

    let text = html(
        app.as_token(&admin, Method::GET, &path)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        text.contains("No identity is linked to this account."),
        "{text}"
    );
    // The account's own page links to its identity provider links.
    let account_page = html(
        app.as_token(
            &admin,
            Method::GET,
            &format!("/staff/admin/users/{clinician}"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(
        account_page.contains(&format!(r#"href="{path}""#)),
        "{account_page}"
    );
    // An unknown account is not found.
    let response = app
        .as_token(
            &admin,
            Method::GET,
            "/staff/admin/users/00000000-0000-0000-0000-000000000000/oidc",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    // Bad input is named and writes nothing.
    let long = "s".repeat(256);
    for (issuer, subject, field, words) in [
        ("", "abc", "issuer", "Choose the identity provider"),
        ("not a url", "abc", "issuer", "https URL"),
        (ISSUER, "", "subject", "subject identifier"),
        (ISSUER, long.as_str(), "subject", "1–255 ASCII characters"),
        (ISSUER, "sübject", "subject", "1–255 ASCII characters"),
    ] {
        let (before, _) = links_and_audit(app, &clinician).await;
        let text = html(
            post(
                app,
                &admin,
                &path,
                &[("issuer", issuer), ("subject", subject)],
            )
            .await,
            422,
        )
        .await;
        assert!(
            text.contains(&format!("href=\"#{field}\"")),
            "{field}: {text}"
        );
        assert!(text.contains(words), "{words}: {text}");
        assert_eq!(links_and_audit(app, &clinician).await.0, before);
    }

    // A link is added, shown and audited as a change by the administrator.
    let response = post(
        app,
        &admin,
        &path,
        &[("issuer", ISSUER), ("subject", "cis2-0001")],
    )
    .await;
    assert_eq!(response.status(), 303);
    assert_eq!(
        links_and_audit(app, &clinician).await.0,
        vec![(ISSUER.to_owned(), "cis2-0001".to_owned())]
    );
    let trail = app.store.audit_for_user(&admin_id).await.unwrap();
    let last = trail.last().unwrap();
    assert_eq!(last.entry.route, "POST /staff/admin/users/{id}/oidc");
    assert_eq!(last.entry.action, "change");
    assert_eq!(last.entry.record_id.as_deref(), Some(clinician.as_str()));
    assert!(last
        .entry
        .detail
        .as_deref()
        .is_some_and(|d| d.contains("cis2-0001")));
    let text = html(
        app.as_token(&admin, Method::GET, &path)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        text.contains("cis2-0001") && text.contains(ISSUER),
        "{text}"
    );

    // The same identity cannot be linked again, here or to another account.
    let (other, _) = account(app, &org, &team, Role::Clinician, "c.other").await;
    for target in [&clinician, &other] {
        let (before, _) = links_and_audit(app, target).await;
        let text = html(
            post(
                app,
                &admin,
                &format!("/staff/admin/users/{target}/oidc"),
                &[("issuer", ISSUER), ("subject", "cis2-0001")],
            )
            .await,
            422,
        )
        .await;
        assert!(text.contains("already linked"), "{text}");
        assert_eq!(links_and_audit(app, target).await.0, before);
    }

    // Removing a link the account does not have changes nothing.
    let text = html(
        post(
            app,
            &admin,
            &format!("/staff/admin/users/{other}/oidc/remove"),
            &[
                ("issuer", ISSUER),
                ("subject", "cis2-0001"),
                ("confirmed", "yes"),
            ],
        )
        .await,
        422,
    )
    .await;
    assert!(text.contains("This account has no such link"), "{text}");
    assert_eq!(links_and_audit(app, &clinician).await.0.len(), 1);

    // First "Are you sure?", which changes nothing; then removed as asked, and audited.
    let asked = post(
        app,
        &admin,
        &format!("{path}/remove"),
        &[("issuer", ISSUER), ("subject", "cis2-0001")],
    )
    .await;
    assert_eq!(asked.status(), 303);
    let location = asked.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("{path}/remove?")) && !location.contains("csrf"));
    let question = html(
        no_redirects()
            .get(format!("{}{location}", app.base))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        question.contains("name=\"confirmed\" value=\"yes\""),
        "{question}"
    );
    assert!(
        question.contains("name=\"subject\" value=\"cis2-0001\""),
        "{question}"
    );
    assert_eq!(links_and_audit(app, &clinician).await.0.len(), 1);
    let response = post(
        app,
        &admin,
        &format!("{path}/remove"),
        &[
            ("issuer", ISSUER),
            ("subject", "cis2-0001"),
            ("confirmed", "yes"),
        ],
    )
    .await;
    assert_eq!(response.status(), 303);
    assert!(links_and_audit(app, &clinician).await.0.is_empty());
    let trail = app.store.audit_for_user(&admin_id).await.unwrap();
    let last = trail.last().unwrap();
    assert_eq!(last.entry.route, "POST /staff/admin/users/{id}/oidc/remove");
    assert_eq!(last.entry.action, "change");
    assert_eq!(last.entry.outcome, "allowed");
}
on_both_backends!(an_administrator_lists_adds_and_removes_links);
