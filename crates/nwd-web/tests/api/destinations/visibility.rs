//! Contact details and the triage preference reach only teams with a relationship; each role
//! lands on its own home page with a menu of pages it may open.

use nwd_domain::authz::Role;
use nwd_store::auth::TeamKind;
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{member_token as member, page, referral_body, TestApp};

use super::{agency, followed, post};

async fn contact_details_and_the_triage_preference_reach_only_teams_with_a_relationship(
    app: &TestApp,
) {
    let alpha = app
        .service("Theta Service", &["getting_help"], 5, 18, "community")
        .await;
    let beta = app
        .service("Iota Service", &["getting_help"], 5, 18, "community")
        .await;
    let (org, alpha_team) = agency(app, "Theta team", TeamKind::Service, Some(&alpha)).await;
    let beta_team = app
        .store
        .create_team(&org, "Iota team", TeamKind::Service, Some(&beta))
        .await
        .unwrap();
    let with = member(app, &org, &alpha_team, Role::Clinician, "theta.clinician").await;
    let without = member(app, &org, &beta_team, Role::Clinician, "iota.clinician").await;
    let mut body = referral_body(None, "routine");
    body["person"]["preferred_name"] = json!("Mia");
    body["person"]["carers"] = json!([{"name": "Jo Testperson", "relationship": "mother",
        "phone": "07700 900123", "email": "jo@example.invalid", "parental_responsibility": true}]);
    body["referrer"]["phone"] = json!("01632 960001");
    body["referrer"]["email"] = json!("dsl@academy.example.invalid");
    let response = app
        .staff(Method::POST, "/api/referrals")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let token = app.coordinator_token.clone();
    followed(
        app,
        &token,
        post(
            app,
            &token,
            &format!("/staff/referrals/{id}/triage"),
            &[
                ("version", "1"),
                ("need_group", "getting_help"),
                ("priority", "routine"),
                ("risk", "medium"),
                ("rationale", "Agreed community support."),
                ("preference", "Does not want parents told yet"),
                ("preference-private", "yes"),
                ("allocate", &alpha),
            ],
        )
        .await,
    )
    .await;
    let seen = page(app, &with, Method::GET, &format!("/staff/referrals/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(seen.status(), 200);
    let seen = seen.text().await.unwrap();
    for shown in [
        "Preferred name",
        "Mia",
        "07700 900123",
        "jo@example.invalid",
        "01632 960001",
        "dsl@academy.example.invalid",
        "Does not want parents told yet",
        "Kept from parents and carers",
    ] {
        assert!(seen.contains(shown), "{shown}: {seen}");
    }
    // The triage entry that holds the preference is marked, so the parent's view (which
    // withholds marked entries: consent.rs) never shows it.
    let referral_id: nwd_domain::ReferralId = id.parse().unwrap();
    let marks = app.store.not_for_parent_entries(referral_id).await.unwrap();
    let events: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let triaged_seq = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e.to_string().contains("Does not want parents told yet"))
        .and_then(|e| e["seq"].as_u64())
        .unwrap();
    assert_eq!(
        marks.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [Some(u32::try_from(triaged_seq).unwrap())]
    );
    let refused = page(
        app,
        &without,
        Method::GET,
        &format!("/staff/referrals/{id}"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(refused.status(), 404);
    let refused = refused.text().await.unwrap();
    for hidden in ["07700 900123", "Does not want parents told yet", "Mia"] {
        assert!(!refused.contains(hidden), "{hidden}");
    }
}
on_both_backends!(contact_details_and_the_triage_preference_reach_only_teams_with_a_relationship);

/// The menu's links in a page.
fn menu_links(text: &str) -> Vec<String> {
    text.split("class=\"nhsuk-header__navigation-link\" href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

async fn each_role_lands_on_its_own_home_page_and_sees_only_pages_it_may_open(app: &TestApp) {
    let service = app
        .service("Kappa Service", &["getting_help"], 5, 18, "community")
        .await;
    let (org, spa) = agency(app, "Kappa access", TeamKind::SinglePointOfAccess, None).await;
    let service_team = app
        .store
        .create_team(&org, "Kappa team", TeamKind::Service, Some(&service))
        .await
        .unwrap();
    let other = app
        .store
        .create_team(&org, "Kappa office", TeamKind::Other, None)
        .await
        .unwrap();
    let service_home = format!("/staff/services/{service}");
    let cases = [
        (Role::Triage, spa.clone(), "/staff/triage".to_owned()),
        (Role::Clinician, service_team.clone(), service_home.clone()),
        (
            Role::TeamManager,
            service_team.clone(),
            service_home.clone(),
        ),
        (
            Role::ExternalReferrer,
            other.clone(),
            "/staff/referrals-sent".to_owned(),
        ),
        (
            Role::Commissioner,
            other.clone(),
            "/commissioning".to_owned(),
        ),
        (
            Role::Administrator,
            other.clone(),
            "/staff/admin/users".to_owned(),
        ),
        (
            Role::PrivacyOfficer,
            other.clone(),
            "/staff/privacy".to_owned(),
        ),
    ];
    for (role, team, home) in cases {
        let token = member(app, &org, &team, role, &format!("kappa.{}", role.as_str())).await;
        let response = page(app, &token, Method::GET, "/staff")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{role:?}");
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(location, home, "{role:?} lands on its home page");
        let landed = page(app, &token, Method::GET, &home).send().await.unwrap();
        assert_eq!(landed.status(), 200, "{role:?} can open its home page");
        let text = landed.text().await.unwrap();
        let links = menu_links(&text);
        assert!(!links.is_empty(), "{role:?}");
        for link in links {
            let status = page(app, &token, Method::GET, &link)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 200, "{role:?}: the menu links to {link}");
        }
    }
}
on_both_backends!(each_role_lands_on_its_own_home_page_and_sees_only_pages_it_may_open);
