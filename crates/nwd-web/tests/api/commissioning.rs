//! The commissioner pages, on both databases: a commissioner gets the dashboard (suppressed
//! counts, a CSV per table) and the simulator, and is refused every person-level page and
//! route; bad filters are named.

use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{all_scopes, TestApp};

/// A commissioner's API token.
pub(crate) async fn commissioner(app: &TestApp) -> String {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "Integrated care board".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::IntegratedCareBoard,
            team: "Commissioning".into(),
            team_kind: TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap();
    let user = app
        .store
        .create_user(
            NewUser {
                username: "icb.commissioner".into(),
                display_name: "Synthetic Commissioner".into(),
                organisation_id: org,
                password: None,
                memberships: vec![(team, Role::Commissioner)],
            },
            "test",
        )
        .await
        .unwrap();
    app.store
        .create_api_token(&user.id, "test", &all_scopes())
        .await
        .unwrap()
        .1
}

/// `n` young people referred by a school, triaged to `service` and seen there now (an
/// attended face-to-face contact): the activity the commissioning tests count.
pub(crate) async fn seen_today(app: &TestApp, service: &impl serde::Serialize, n: usize) {
    for _ in 0..n {
        let created = app.school_referral(None, "routine").await;
        let id = created["referral"]["id"].as_str().unwrap().to_owned();
        let triaged: serde_json::Value = app
            .staff(Method::POST, &format!("/api/referrals/{id}/triage"))
            .header("If-Match", "\"1\"")
            .json(&json!({"need_group": "getting_help", "risk": "low", "rationale": "Agreed at the triage call.",
                   "destinations": [{"type": "allocate", "service_id": service}]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let allocation = triaged["referral"]["allocations"][0]["id"]
            .as_str()
            .unwrap();
        let response = app
            .staff(Method::POST, &format!("/api/referrals/{id}/contacts"))
            .header("If-Match", format!("\"{}\"", triaged["referral"]["version"]))
            .json(&json!({"allocation_id": allocation, "at": app.store.now().to_string(), "status": "attended",
                   "mechanism": "face_to_face", "clinician": "C", "duration_minutes": 30}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
    }
}

async fn commissioner_sees_aggregates_only(app: &TestApp) {
    let service = app
        .service("Community CYP", &["getting_help"], 5, 18, "community")
        .await;
    // Seven school referrals this month, six triaged and allocated: shown as 5 (rounded) and
    // 5; the one awaiting triage is suppressed.
    let mut referral = String::new();
    for i in 0..7 {
        let created = app.school_referral(None, "routine").await;
        referral = created["referral"]["id"].as_str().unwrap().to_owned();
        if i < 6 {
            let response = app
                .staff(Method::POST, &format!("/api/referrals/{referral}/triage"))
                .header("If-Match", "\"1\"")
                .json(&json!({"need_group": "getting_help", "risk": "low", "rationale": "Agreed at the triage call.",
                       "destinations": [{"type": "allocate", "service_id": service}]}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{:?}", response.text().await);
        }
    }
    let token = commissioner(app).await;

    let response = app
        .as_token(&token, Method::GET, "/commissioning")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let html = response.text().await.unwrap();
    assert!(html.contains("Referrals by source"));
    assert!(
        html.contains(r#"role="img""#),
        "charts are images with text"
    );
    // Eleven tables (attendance added), three of waits and three of the no-wrong-door ledger
    // (issue 20), and four of outcome measures (issue 19).
    assert_eq!(html.matches("/commissioning/download?table=").count(), 21);
    assert!(html.contains("Appointments and attendance"));
    assert!(html.contains("How long requests waited for a triage decision"));
    assert!(html.contains("Where requests ended up, by referrer"));
    assert!(html.contains("How long young people waited for a first contact"));
    assert!(html.contains("Waits for a first contact by service"));
    assert!(
        !html.contains("/staff/triage\""),
        "no menu link it cannot open"
    );

    let month = app
        .store
        .now()
        .to_zoned(app.store.tz().clone())
        .strftime("%Y-%m")
        .to_string();
    let csv = app
        .as_token(
            &token,
            Method::GET,
            &format!(
                "/commissioning/download?table=referrals-by-need-group&from={month}&to={month}"
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let text = csv.text().await.unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Month,Getting Help,Not yet triaged,All");
    // 6 → 5, 1 → *, 7 → 5: the suppressed cell cannot be had as 7 − 6.
    assert!(lines[1].ends_with(",5,*,5"), "{text}");
    assert_eq!(lines.len(), 2);

    let missing = app
        .as_token(&token, Method::GET, "/commissioning/download?table=persons")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let bad = app
        .as_token(&token, Method::GET, "/commissioning?from=last+year")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(
        html.contains(r##"href="#from""##),
        "the error summary links to the field"
    );

    // The simulator form is there, calibrated from the record.
    let response = app
        .as_token(&token, Method::GET, "/commissioning/simulate")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    // Capacity is asked in clinicians and sessions from the directory (3.5 WTE, 40 sessions
    // a week), with the conversion to caseload places shown; the service by its name.
    assert!(
        html.contains(r#"name="wte-community_cyp" type="text" inputmode="decimal" value="3.5""#),
        "{html}"
    );
    assert!(html.contains(r#"name="sessions-community_cyp""#), "{html}");
    assert!(
        html.contains("Now 3.5 WTE × 11.4 sessions a week each = 40 sessions a week"),
        "{html}"
    );
    assert!(html.contains(">Community CYP</th>"), "{html}");
    assert!(!html.contains("servers-community_cyp"), "{html}");

    // Person-level pages and routes: refused.
    for path in [
        "/staff/triage".to_owned(),
        format!("/staff/referrals/{referral}"),
        format!("/api/referrals/{referral}"),
        "/api/referrals".to_owned(),
        format!("/api/services/{service}/waiting-list"),
        "/api/transitions".to_owned(),
    ] {
        let status = app
            .as_token(&token, Method::GET, &path)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert!(
            status == 403 || status == 404,
            "{path} answered a commissioner {status}"
        );
    }
    let response = app
        .as_token(
            &token,
            Method::POST,
            &format!("/staff/referrals/{referral}/triage"),
        )
        .body("need_group=getting_help")
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // And an external referrer may not see the dashboard.
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "A school".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::SchoolOrAcademyTrust,
            team: "Pastoral".into(),
            team_kind: TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap();
    let user = app
        .store
        .create_user(
            NewUser {
                username: "school.referrer".into(),
                display_name: "Synthetic Teacher".into(),
                organisation_id: org,
                password: None,
                memberships: vec![(team, Role::ExternalReferrer)],
            },
            "test",
        )
        .await
        .unwrap();
    let (_, referrer) = app
        .store
        .create_api_token(&user.id, "test", &all_scopes())
        .await
        .unwrap();
    for path in ["/commissioning", "/commissioning/simulate"] {
        let response = app
            .as_token(&referrer, Method::GET, path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }
}
on_both_backends!(commissioner_sees_aggregates_only, strict);
