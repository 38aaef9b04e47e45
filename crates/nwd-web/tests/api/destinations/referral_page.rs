//! Every destination from the referral page ends with its named destination and the success
//! banner, never on "Page not found".

use reqwest::Method;
use serde_json::Value;

use crate::on_both_backends;
use crate::support::TestApp;

use super::{followed, post, referral, success_banner, summary};

async fn every_destination_from_the_referral_page_ends_with_its_named_destination(app: &TestApp) {
    let token = app.coordinator_token.clone();
    let community = app
        .service("Gamma Community", &["getting_help"], 5, 18, "community")
        .await;
    let hub = app
        .service(
            "Delta Hub",
            &["getting_advice", "getting_help"],
            5,
            25,
            "wellbeing_hub",
        )
        .await;

    // Signposting to a directory service with a warm handover: a note is required.
    let created = app.school_referral(None, "routine").await;
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let path = format!("/staff/referrals/{id}/triage");
    let triage = |extra: Vec<(&'static str, String)>| {
        let mut pairs: Vec<(&str, String)> = vec![
            ("version", "1".into()),
            ("need_group", "getting_advice".into()),
            ("priority", "routine".into()),
            ("risk", "low".into()),
            (
                "rationale",
                "Mild worries; agreed with her and her mum.".into(),
            ),
        ];
        pairs.extend(extra);
        pairs
    };
    let pairs = triage(vec![
        ("signpost-service", hub.clone()),
        ("signpost-warm", "yes".into()),
    ]);
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = post(app, &token, &path, &borrowed).await;
    let text = response.text().await.unwrap();
    assert!(text.contains("a warm handover needs a note"), "{text}");
    assert!(
        text.contains("href=\"#signpost-note\""),
        "the error links to its field"
    );
    let pairs = triage(vec![
        ("signpost-service", hub.clone()),
        ("signpost-warm", "yes".into()),
        (
            "signpost-note",
            "Spoke to Sam at the hub; drop-in on Thursday agreed".into(),
        ),
    ]);
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (_, landed) = followed(app, &token, post(app, &token, &path, &borrowed).await).await;
    assert!(success_banner(&landed), "{landed}");
    assert!(landed.contains("Destination: Delta Hub"), "{landed}");
    let line = summary(app, &id).await;
    assert_eq!(line.destination_kind.as_deref(), Some("signposted"));
    assert_eq!(line.destination_name.as_deref(), Some("Delta Hub"));
    let events: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        events.to_string().contains("drop-in on Thursday agreed"),
        "the handover note is in the record"
    );

    // Declined at triage, with their reason.
    let created = app.school_referral(None, "routine").await;
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let pairs = triage(vec![(
        "decline",
        "She wants to try the school counsellor first".into(),
    )]);
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let path = format!("/staff/referrals/{id}/triage");
    let (_, landed) = followed(app, &token, post(app, &token, &path, &borrowed).await).await;
    assert!(success_banner(&landed));
    let line = summary(app, &id).await;
    assert_eq!(line.destination_kind.as_deref(), Some("declined"));

    // After triage: declined, confirmed, closes every service.
    let created = app.school_referral(None, "routine").await;
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let pairs = [
        ("version", "1".to_owned()),
        ("need_group", "getting_help".into()),
        ("priority", "routine".into()),
        ("risk", "low".into()),
        ("rationale", "Agreed community support.".into()),
        ("allocate", community.clone()),
    ];
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (location, landed) = followed(
        app,
        &token,
        post(
            app,
            &token,
            &format!("/staff/referrals/{id}/triage"),
            &borrowed,
        )
        .await,
    )
    .await;
    assert!(location.contains("done=triage"), "{location}");
    assert!(
        landed.contains("Triage recorded: Getting Help. Sent to Gamma Community."),
        "{landed}"
    );
    let version = referral(app, &id).await["version"]
        .as_u64()
        .unwrap()
        .to_string();
    let decline = format!("/staff/referrals/{id}/decline");
    let response = post(
        app,
        &token,
        &decline,
        &[
            ("version", &version),
            ("decline-reason", "Moving away next week"),
        ],
    )
    .await;
    assert_eq!(response.status(), 422, "unconfirmed");
    let text = response.text().await.unwrap();
    assert!(text.contains("Confirm that declining closes the referral"));
    assert!(
        text.contains("Moving away next week"),
        "what was typed is kept"
    );
    let (_, landed) = followed(
        app,
        &token,
        post(
            app,
            &token,
            &decline,
            &[
                ("version", &version),
                ("decline-reason", "Moving away next week"),
                ("decline-confirm", "yes"),
            ],
        )
        .await,
    )
    .await;
    assert!(success_banner(&landed));
    assert!(landed.contains("Decline recorded."), "{landed}");
    assert_eq!(
        summary(app, &id).await.destination_kind.as_deref(),
        Some("declined")
    );

    // Transition to a receiving service from the directory, checked against the need group
    // and the age on the planned date.
    let created = app.school_referral(None, "routine").await;
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let pairs = [
        ("version", "1".to_owned()),
        ("need_group", "getting_help".into()),
        ("priority", "routine".into()),
        ("risk", "low".into()),
        ("rationale", "Agreed community support.".into()),
        ("allocate", community.clone()),
    ];
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    followed(
        app,
        &token,
        post(
            app,
            &token,
            &format!("/staff/referrals/{id}/triage"),
            &borrowed,
        )
        .await,
    )
    .await;
    let now = referral(app, &id).await;
    let version = now["version"].as_u64().unwrap().to_string();
    let allocation = now["allocations"][0]["id"].as_str().unwrap().to_owned();
    // First the plan, while the service stays open. Gamma serves ages 5 to 18: not a
    // receiving service for someone aged 30 on the planned date (the domain's check).
    let plan_path = format!("/staff/referrals/{id}/transition-plan");
    let response = post(
        app,
        &token,
        &plan_path,
        &[
            ("version", &version),
            ("plan-allocation", &allocation),
            ("plan-outcome", "zero_to_twenty_five_service"),
            ("plan-service", &community),
            ("plan-date", "2042-06-01"),
        ],
    )
    .await;
    assert_eq!(response.status(), 422);
    let text = response.text().await.unwrap();
    assert!(
        text.contains("on the planned date the young person will be"),
        "{text}"
    );
    assert!(text.contains("id=\"plan-service-error\""), "{text}");
    let (_, landed) = followed(
        app,
        &token,
        post(
            app,
            &token,
            &plan_path,
            &[
                ("version", &version),
                ("plan-allocation", &allocation),
                ("plan-outcome", "zero_to_twenty_five_service"),
                ("plan-service", &hub),
                ("plan-date", "2030-06-01"),
                ("plan-note", "Joint handover meeting booked"),
            ],
        )
        .await,
    )
    .await;
    assert!(success_banner(&landed));
    assert!(
        landed.contains("Transition planned from Gamma") && landed.contains("Delta Hub"),
        "{landed}"
    );
    assert!(landed.contains("Planned transitions"), "{landed}");
    assert!(landed.contains("Joint handover meeting booked"), "{landed}");
    let now = referral(app, &id).await;
    assert_eq!(now["status"], "open", "a plan leaves the service open");
    assert_eq!(now["transition_plans"][0]["planned_on"], "2030-06-01");
    let version = now["version"].as_u64().unwrap().to_string();
    // Later, the outcome: as planned, so the receiving service comes from the plan.
    let (_, landed) = followed(
        app,
        &token,
        post(
            app,
            &token,
            &format!("/staff/referrals/{id}/transition"),
            &[
                ("version", &version),
                ("transition-allocation", &allocation),
                ("transition-outcome", "zero_to_twenty_five_service"),
                ("transition-confirm", "yes"),
            ],
        )
        .await,
    )
    .await;
    assert!(success_banner(&landed));
    assert!(landed.contains("Destination: Delta Hub"), "{landed}");
    let line = summary(app, &id).await;
    assert_eq!(line.destination_kind.as_deref(), Some("transitioned"));
    assert_eq!(line.destination_name.as_deref(), Some("Delta Hub"));
}
on_both_backends!(every_destination_from_the_referral_page_ends_with_its_named_destination);
