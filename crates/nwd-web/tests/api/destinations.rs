// Over 600 lines: one test per destination from the referral page, sharing the triaged-
// referral fixture; a split by destination is left for issue 16 item 7's next session.
//! Every destination from the referral page, over HTTP on both databases (issue 14):
//! signposting with a warm handover, advice given (and seen by the professional who asked),
//! declined at triage and after it, transition to a receiving service from the directory,
//! and discharge with only the codes the domain accepts — each ending on the referral page
//! (or, when closing ended the actor's relationship, on the closed referral's outcome page)
//! with the success banner, never on "Page not found"; a stale form keeps what was typed;
//! contact details and the triage preference reach a service clinician with a relationship
//! and nobody else; and each role lands on its own home page with a menu of pages it may open.

use nwd_domain::authz::Role;
use nwd_domain::codes::DischargeReason;
use nwd_store::auth::{Bootstrap, TeamKind};
use reqwest::{Method, Response};
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{member_token as member, page, referral_body, TestApp};

fn encode(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Posts a form; returns the response.
async fn post(app: &TestApp, token: &str, path: &str, pairs: &[(&str, &str)]) -> Response {
    page(app, token, Method::POST, path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(pairs))
        .send()
        .await
        .unwrap()
}

/// Follows a 303 from a form and returns the page it leads to (which must be 200).
async fn followed(app: &TestApp, token: &str, response: Response) -> (String, String) {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    assert_eq!(status, 303, "{text}");
    let location = location.unwrap();
    let path = location.split('#').next().unwrap().to_owned();
    let landed = page(app, token, Method::GET, &path).send().await.unwrap();
    let landed_status = landed.status().as_u16();
    let body = landed.text().await.unwrap();
    assert_eq!(landed_status, 200, "{location}: {body}");
    (location, body)
}

async fn referral(app: &TestApp, id: &str) -> Value {
    app.staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The referral's stored projection (status, destination kind and name).
async fn summary(app: &TestApp, id: &str) -> nwd_store::ReferralSummary {
    let id: nwd_domain::ReferralId = id.parse().unwrap();
    let page = app
        .store
        .search_referrals(&nwd_store::ReferralSearch {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    page.items.into_iter().find(|s| s.id == id).unwrap()
}

async fn agency(
    app: &TestApp,
    name: &str,
    kind: TeamKind,
    service: Option<&str>,
) -> (String, String) {
    app.store
        .bootstrap_team(&Bootstrap {
            organisation: format!("{name} organisation"),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: name.into(),
            team_kind: kind,
            service_id: service.map(str::to_owned),
        })
        .await
        .unwrap()
}

fn success_banner(text: &str) -> bool {
    text.contains("nhsuk-notification-banner--success")
}

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
