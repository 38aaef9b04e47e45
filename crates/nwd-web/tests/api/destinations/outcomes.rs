//! Advice given at triage is seen by the professional who asked; discharge offers only the
//! codes the domain accepts; a stale decline keeps what was typed.

use nwd_domain::authz::Role;
use nwd_domain::codes::DischargeReason;
use nwd_store::auth::TeamKind;
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{member_token as member, page, referral_body, TestApp};

use super::{agency, followed, post, referral, success_banner, summary};

async fn advice_given_at_triage_is_seen_by_the_professional_who_asked(app: &TestApp) {
    let (org, team) = agency(app, "Synthetic Academy pastoral", TeamKind::Other, None).await;
    let teacher = member(app, &org, &team, Role::ExternalReferrer, "school.teacher").await;
    let mut body = referral_body(None, "routine");
    body["kind"] = json!("advice_request");
    let response = app
        .as_token(&teacher, Method::POST, "/api/referrals")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let created: Value = response.json().await.unwrap();
    let (id, _) = app.received(&created).await;
    let token = app.coordinator_token.clone();
    let form = page(app, &token, Method::GET, &format!("/staff/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains("This is a request for advice"), "{form}");
    let advice = "Use the graded return-to-class plan; call us again if panic attacks continue";
    let (_, landed) = followed(
        app,
        &token,
        post(
            app,
            &token,
            &format!("/staff/referrals/{id}/triage"),
            &[
                ("version", "1"),
                ("need_group", "getting_advice"),
                ("priority", "routine"),
                ("risk", "low"),
                (
                    "rationale",
                    "Consultation with the school's safeguarding lead.",
                ),
                ("advice", advice),
            ],
        )
        .await,
    )
    .await;
    assert!(success_banner(&landed));
    assert_eq!(
        summary(app, &id).await.destination_kind.as_deref(),
        Some("advice_given")
    );
    let sent = page(app, &teacher, Method::GET, "/staff/referrals-sent")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(sent.contains(advice), "{sent}");
}
on_both_backends!(advice_given_at_triage_is_seen_by_the_professional_who_asked);

async fn discharge_offers_only_the_codes_the_domain_accepts_and_never_ends_on_not_found(
    app: &TestApp,
) {
    let service = app
        .service("Epsilon Service", &["getting_help"], 5, 18, "community")
        .await;
    let (org, team) = agency(app, "Epsilon team", TeamKind::Service, Some(&service)).await;
    let clinician = member(app, &org, &team, Role::Clinician, "epsilon.clinician").await;
    let created = app.school_referral(None, "routine").await;
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let response = app
        .staff(Method::POST, &format!("/api/referrals/{id}/triage"))
        .header("If-Match", "\"1\"")
        .json(
            &json!({"need_group": "getting_help", "risk": "low", "rationale": "Synthetic.",
                      "destinations": [{"type": "allocate", "service_id": service}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let now: Value = response.json().await.unwrap();
    let allocation = now["referral"]["allocations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let version = now["referral"]["version"].as_u64().unwrap().to_string();
    let form = page(
        app,
        &clinician,
        Method::GET,
        &format!("/staff/referrals/{id}"),
    )
    .send()
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    let select = form
        .split("id=\"discharge-reason\"")
        .nth(1)
        .and_then(|rest| rest.split("</select>").next())
        .unwrap();
    for reason in DischargeReason::ALL {
        let offered = select.contains(&format!("value=\"{}\"", reason.as_str()));
        // The domain's own rule (`decide` refuses exactly the others: tested in
        // nwd-domain/tests/domain/transitions.rs).
        assert_eq!(offered, reason.accepted_at_discharge(), "{reason:?}");
    }
    // A code the domain refuses is refused by the page too, naming the field.
    let refused = post(
        app,
        &clinician,
        &format!("/staff/referrals/{id}/discharge"),
        &[
            ("version", &version),
            ("discharge-allocation", &allocation),
            ("discharge-reason", "transition"),
            ("discharge-destination", "GP"),
            ("discharge-confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(refused.status(), 422);
    // The discharge closes the referral and ends the clinician's relationship: the redirect
    // leads to a page that opens, saying where the young person went — not "Page not found".
    let (location, landed) = followed(
        app,
        &clinician,
        post(
            app,
            &clinician,
            &format!("/staff/referrals/{id}/discharge"),
            &[
                ("version", &version),
                ("discharge-allocation", &allocation),
                ("discharge-reason", "treatment_completed"),
                (
                    "discharge-destination",
                    "Back to the GP with a relapse plan",
                ),
                ("discharge-confirm", "yes"),
            ],
        )
        .await,
    )
    .await;
    assert!(location.contains(&id), "{location}");
    assert!(success_banner(&landed), "{landed}");
    assert!(
        landed.contains("Discharged from Epsilon Service"),
        "{landed}"
    );
    assert!(
        !landed.contains("Amelia"),
        "nothing about the person after the relationship ended"
    );
    let line = summary(app, &id).await;
    assert_eq!(
        line.destination_name.as_deref(),
        Some("Discharged from Epsilon Service"),
        "the destination names the service, not a count"
    );
    // Nobody else sees that outcome page.
    let other = member(app, &org, &team, Role::Clinician, "epsilon.other").await;
    let response = page(
        app,
        &other,
        Method::GET,
        &format!("/staff/referrals/{id}/outcome"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 404);
}
// The default access settings: the relationship ends at discharge (no grace period).
on_both_backends!(
    discharge_offers_only_the_codes_the_domain_accepts_and_never_ends_on_not_found,
    strict
);

async fn a_stale_decline_shows_what_changed_and_keeps_the_reason_typed(app: &TestApp) {
    let service = app
        .service("Zeta Service", &["getting_help"], 5, 18, "community")
        .await;
    let token = app.coordinator_token.clone();
    let created = app.school_referral(None, "routine").await;
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let response = app
        .staff(Method::POST, &format!("/api/referrals/{id}/triage"))
        .header("If-Match", "\"1\"")
        .json(
            &json!({"need_group": "getting_help", "risk": "low", "rationale": "Synthetic.",
                      "destinations": [{"type": "allocate", "service_id": service}]}),
        )
        .send()
        .await
        .unwrap();
    let now: Value = response.json().await.unwrap();
    let stale = now["referral"]["version"].as_u64().unwrap().to_string();
    // Someone else adds a service meanwhile.
    let hub = app
        .service("Eta Hub", &["getting_help"], 5, 25, "wellbeing_hub")
        .await;
    let response = app
        .staff(Method::POST, &format!("/api/referrals/{id}/allocations"))
        .header("If-Match", format!("\"{stale}\""))
        .json(&json!({"service_id": hub, "reason": "Creative therapy as well"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let typed = "They said: \"not now, maybe after exams\"";
    let response = post(
        app,
        &token,
        &format!("/staff/referrals/{id}/decline"),
        &[
            ("version", &stale),
            ("decline-reason", typed),
            ("decline-confirm", "yes"),
        ],
    )
    .await;
    assert_eq!(response.status(), 409);
    let text = response.text().await.unwrap();
    assert!(text.contains("Someone else changed this referral"));
    assert!(text.contains("allocated by"), "{text}");
    assert!(
        text.contains("They said: &quot;not now, maybe after exams&quot;")
            || text.contains("They said: &#34;not now, maybe after exams&#34;"),
        "the reason typed is kept, escaped"
    );
    assert_eq!(
        referral(app, &id).await["status"],
        "open",
        "nothing was written"
    );
}
on_both_backends!(a_stale_decline_shows_what_changed_and_keeps_the_reason_typed);
