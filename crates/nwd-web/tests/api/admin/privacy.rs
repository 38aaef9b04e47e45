//! The privacy officer's access reports: denials and break-glass, filtered by date,
//! downloaded, themselves audited; reviews record their outcome.

use nwd_domain::authz::Role;
use nwd_store::auth::TeamKind;
use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{member, page, staff_html as html, TestApp};

use super::{form, org_team};

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
