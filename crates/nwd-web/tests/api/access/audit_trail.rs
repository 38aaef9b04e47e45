//! The audit trail: tamper detection, append-only, fail-closed.

use nwd_domain::authz::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{member, problem, TestApp};

use super::{agency, ALPHA};

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
