//! A request that makes two changes writes its one audit entry.

use reqwest::Method;
use serde_json::Value;

use crate::on_both_backends;
use crate::support::{referral_body, TestApp};

use super::post;

/// A request that makes two changes — a triage whose preference is kept from parents and
/// carers records the triage and then marks its entry "not for parent/carer", two write
/// transactions — produces its one audit entry: not two (each change under a context of its
/// own), and not zero (a change committed without the request's context). Both changes are
/// made under the context built from the request's scope (issue 16).
async fn a_request_making_two_changes_writes_its_one_audit_entry(app: &TestApp) {
    let service = app
        .service("Kappa Service", &["getting_help"], 5, 18, "community")
        .await;
    let created: Value = app
        .staff(Method::POST, "/api/referrals")
        .json(&referral_body(None, "routine"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let person = created["referral"]["person_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = app.coordinator_token.clone();
    let before = app.store.count_rows("audit_log").await.unwrap();
    let response = post(
        app,
        &token,
        &format!("/staff/referrals/{id}/triage"),
        &[
            ("version", "1"),
            ("need_group", "getting_help"),
            ("priority", "routine"),
            ("risk", "low"),
            ("rationale", "Agreed community support."),
            ("preference", "Would rather we wrote than rang"),
            ("preference-private", "yes"),
            ("allocate", &service),
        ],
    )
    .await;
    assert_eq!(response.status(), 303, "{}", response.text().await.unwrap());
    let referral_id: nwd_domain::ReferralId = id.parse().unwrap();
    assert_eq!(
        app.store
            .not_for_parent_entries(referral_id)
            .await
            .unwrap()
            .len(),
        1,
        "both changes were made"
    );
    assert_eq!(
        app.store.count_rows("audit_log").await.unwrap(),
        before + 1,
        "two changes, one request: one entry"
    );
    let route = "POST /staff/referrals/{id}/triage";
    let entries: Vec<_> = app
        .store
        .audit_for_person(&person)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entry.route == route)
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let entry = &entries[0].entry;
    assert_eq!(
        (
            entry.action.as_str(),
            entry.outcome.as_str(),
            entry.record_id.as_deref()
        ),
        ("change", "allowed", Some(id.as_str()))
    );
    assert!(entry.user_id.is_some() && entry.session_id.is_some());
}
on_both_backends!(a_request_making_two_changes_writes_its_one_audit_entry);
