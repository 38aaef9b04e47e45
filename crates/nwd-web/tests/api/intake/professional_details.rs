//! The professional referral finished (issue 17): family contact details, a referral that
//! also asks for advice, reasons in plain words, the safeguarding route seen by the privacy
//! officer, and the anonymous consultation that identifies no child — through
//! `POST /api/referrals`, on both databases.

use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, TeamKind};
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{fields, member_token, problem, referral_body, staff_html, TestApp};

/// A member of a team of their own with `role`; their API token.
async fn account(app: &TestApp, role: Role, username: &str) -> String {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: format!("{username} organisation"),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: format!("{username} team"),
            team_kind: TeamKind::Other,
            service_id: None,
        })
        .await
        .unwrap();
    member_token(app, &org, &team, role, username).await
}

/// Sends `body` as the coordinator; the stored referral.
async fn refer(app: &TestApp, body: &Value) -> Value {
    let response = app
        .staff(Method::POST, "/api/referrals")
        .json(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let answer: Value = response.json().await.unwrap();
    answer["referral"].clone()
}

async fn referral_page(app: &TestApp, id: &str) -> String {
    staff_html(
        app.staff(Method::GET, &format!("/staff/referrals/{id}"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await
}

fn family() -> Value {
    json!({"name": "Pat Testparent", "relationship": "Mother", "phone": "01632 960 002",
           "safety": "no_messages", "how": "Only after 4pm"})
}

async fn a_referral_with_the_family_contact_and_advice_too_is_stored_and_shown_to_triage(
    app: &TestApp,
) {
    let mut body = referral_body(None, "routine");
    body["kind"] = json!("referral_and_advice");
    body["reasons"] = json!([]);
    body["plain_reasons"] = json!(["low_mood", "not_sure"]);
    body["family_contact"] = family();
    body["person"]["gp_practice"] = json!("Synthetic Surgery");
    let referral = refer(app, &body).await;
    assert_eq!(referral["kind"], "referral");
    // The plain words are kept, and mapped to the national code behind them ("not sure"
    // adds none).
    assert_eq!(referral["reasons"], json!(["depression"]));
    assert_eq!(
        referral["details"]["plain_reasons"],
        json!(["low_mood", "not_sure"])
    );
    assert_eq!(referral["details"]["also_advice"], true);
    assert_eq!(referral["details"]["family_contact"], family());
    let id = referral["id"].as_str().unwrap();
    let stored: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stored["details"]["family_contact"]["how"], "Only after 4pm");

    // Triage sees both requests, the family contact, the words and the code, the GP practice
    // and the school.
    let page = referral_page(app, id).await;
    for expected in [
        "The referrer also asks for advice or a consultation.",
        "Pat Testparent (Mother)",
        "Yes, but do not leave messages",
        "Low mood or sadness, Not sure",
        "Depression (04)",
        "Synthetic Surgery",
        "Synthetic Academy",
    ] {
        assert!(
            page.contains(expected),
            "the referral page shows {expected:?}"
        );
    }
    assert!(!page.contains("Do not contact the family"));
}
on_both_backends!(a_referral_with_the_family_contact_and_advice_too_is_stored_and_shown_to_triage);

async fn only_not_sure_leaves_the_reason_for_triage_to_code(app: &TestApp) {
    let mut body = referral_body(None, "routine");
    body["reasons"] = json!([]);
    body["plain_reasons"] = json!(["not_sure"]);
    body["family_contact"] = family();
    let referral = refer(app, &body).await;
    assert_eq!(referral["reasons"], json!([]));
    let page = referral_page(app, referral["id"].as_str().unwrap()).await;
    assert!(page.contains("Not yet coded (the referrer was not sure)"));
    // The queue and the search read it.
    let queue = staff_html(
        app.staff(Method::GET, "/staff/triage")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(queue.contains("Not yet coded"), "{queue}");
    // Neither reasons nor plain reasons: refused, nothing written.
    let mut none = referral_body(None, "routine");
    none["reasons"] = json!([]);
    let before = app.count("referrals").await;
    let refused = app
        .staff(Method::POST, "/api/referrals")
        .json(&none)
        .send()
        .await
        .unwrap();
    assert!(fields(&problem(refused, 422).await).contains(&"reasons".to_owned()));
    assert_eq!(app.count("referrals").await, before);
}
on_both_backends!(only_not_sure_leaves_the_reason_for_triage_to_code);

async fn bad_family_contact_details_are_refused_by_field_and_nothing_is_written(app: &TestApp) {
    let mut body = referral_body(None, "routine");
    body["family_contact"] = json!({"name": "Pat", "relationship": "", "phone": "abc"});
    body["plain_reasons"] = json!(["conduct_disorder"]);
    let response = app
        .staff(Method::POST, "/api/referrals")
        .json(&body)
        .send()
        .await
        .unwrap();
    let names = fields(&problem(response, 422).await);
    for field in [
        "family_contact.phone",
        "family_contact.relationship",
        "plain_reasons[0]",
    ] {
        assert!(names.contains(&field.to_owned()), "{field} in {names:?}");
    }
    assert_eq!(app.count("referrals").await, 0);
    assert_eq!(app.count("persons").await, 0);
}
on_both_backends!(bad_family_contact_details_are_refused_by_field_and_nothing_is_written);

async fn a_safeguarding_referral_never_contacts_the_family_and_the_privacy_officer_sees_it(
    app: &TestApp,
) {
    let mut body = referral_body(None, "urgent");
    body["family_contact"] = json!({"name": "Pat Testparent", "relationship": "Stepfather",
                                    "phone": "01632 960 002", "safety": "yes"});
    body["consent_not_sought"] =
        json!({"reason": "risk_to_child", "detail": "Disclosed harm at home."});
    let response = app
        .staff(Method::POST, "/api/referrals")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let answer: Value = response.json().await.unwrap();
    let referral = &answer["referral"];
    // The family is never contacted automatically: whatever the sender said, the contact is
    // kept as do-not-contact, and the only status link is the referrer's.
    assert_eq!(
        referral["details"]["family_contact"]["safety"],
        "do_not_contact"
    );
    assert_eq!(referral["details"]["not_sought"]["reason"], "risk_to_child");
    assert_eq!(app.count("status_links").await, 1);
    let id = referral["id"].as_str().unwrap();
    let page = referral_page(app, id).await;
    assert!(page.contains("Do not contact the family"), "{page}");
    assert!(page.contains("Disclosed harm at home."));

    // The privacy officer's list shows it with the reason; viewing it is audited.
    let officer = account(app, Role::PrivacyOfficer, "p.officer").await;
    let reference = answer["reference"].as_str().unwrap();
    let before = app.count("audit_log").await;
    let list = staff_html(
        app.as_token(
            &officer,
            Method::GET,
            "/staff/privacy/referrals-without-consent",
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(list.contains(reference), "{list}");
    assert!(list.contains("Telling them could put the child at risk of harm"));
    assert!(list.contains("Disclosed harm at home."));
    assert_eq!(app.count("audit_log").await, before + 1);
    let home = staff_html(
        app.as_token(&officer, Method::GET, "/staff/privacy")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(home.contains("href=\"/staff/privacy/referrals-without-consent\""));

    // A referral made with agreement is not on it.
    let mut agreed = referral_body(Some("9990000018"), "routine");
    agreed["family_contact"] = family();
    refer(app, &agreed).await;
    let list = staff_html(
        app.as_token(
            &officer,
            Method::GET,
            "/staff/privacy/referrals-without-consent",
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert_eq!(list.matches("NWD-").count(), 1, "{list}");

    // Refused for other roles.
    for (role, name) in [
        (Role::Triage, "t.nurse"),
        (Role::ExternalReferrer, "a.school"),
    ] {
        let token = account(app, role, name).await;
        let response = app
            .as_token(
                &token,
                Method::GET,
                "/staff/privacy/referrals-without-consent",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{name}");
    }
}
on_both_backends!(
    a_safeguarding_referral_never_contacts_the_family_and_the_privacy_officer_sees_it
);

async fn an_anonymous_consultation_identifies_no_one_and_waits_on_the_triage_queue(app: &TestApp) {
    let body = json!({
        "kind": "advice_request",
        "source": "school",
        "priority": "routine",
        "plain_reasons": ["worries"],
        "presenting_needs": "A pupil avoids lessons; how can we help in school?",
        "referrer": {"name": "R. Teacher", "role": "Head of year", "organisation": "Synthetic Academy",
                     "email": "r.teacher@school.example"},
        "anonymous": {"age_band": "11_to_15", "area": "Maidstone"}
    });
    // Anything identifying is refused, and nothing is written.
    let mut named = body.clone();
    named["person"] = json!({"given_name": "Amelia", "date_of_birth": "2012-05-17"});
    named["family_contact"] = family();
    let response = app
        .staff(Method::POST, "/api/referrals")
        .json(&named)
        .send()
        .await
        .unwrap();
    let names = fields(&problem(response, 422).await);
    assert!(names.contains(&"person".to_owned()), "{names:?}");
    assert!(names.contains(&"family_contact".to_owned()), "{names:?}");
    assert_eq!(app.count("consultations").await, 0);

    let response = app
        .staff(Method::POST, "/api/referrals")
        .header("Idempotency-Key", "consult-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let receipt: Value = response.json().await.unwrap();
    let reference = receipt["reference"].as_str().unwrap().to_owned();
    assert!(reference.starts_with("NWD-C-"), "{reference}");
    assert_eq!(receipt["status_token"], "");
    // Sent twice: one consultation.
    let again = app
        .staff(Method::POST, "/api/referrals")
        .header("Idempotency-Key", "consult-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    assert_eq!(app.count("consultations").await, 1);
    // No person and no referral: never matched to anyone.
    assert_eq!(app.count("persons").await, 0);
    assert_eq!(app.count("referrals").await, 0);
    assert_eq!(app.count("match_decisions").await, 0);

    let queue = staff_html(
        app.staff(Method::GET, "/staff/triage")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    for expected in [
        format!("Consultation {reference}"),
        "Aged 11 to 15, Maidstone".to_owned(),
        "Worries or anxiety".to_owned(),
        "A pupil avoids lessons".to_owned(),
        "r.teacher@school.example".to_owned(),
    ] {
        assert!(queue.contains(&expected), "the queue shows {expected:?}");
    }
}
on_both_backends!(an_anonymous_consultation_identifies_no_one_and_waits_on_the_triage_queue);
