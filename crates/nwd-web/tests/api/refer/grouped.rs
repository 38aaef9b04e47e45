//! A signed-in referrer uses the grouped form and sees the referral in their list.

use reqwest::Method;

use crate::on_both_backends;
use crate::support::TestApp;

use super::reference_in;

/// Every answer of the grouped form, valid.
fn grouped_answers<'a>(journey: &'a str, issued: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("journey", journey),
        ("issued", issued),
        ("website", ""),
        ("kind", "referral"),
        ("source", "school"),
        ("referrer-name", "R. Teacher"),
        ("referrer-role", "Designated safeguarding lead"),
        ("organisation", "Synthetic Academy"),
        ("referrer-email", "dsl@school.example"),
        ("given-name", "Synthia"),
        ("family-name", "Testpupil"),
        ("dob-day", "9"),
        ("dob-month", "4"),
        ("dob-year", "2011"),
        ("reasons", "worries"),
        ("needs", "Panic attacks in lessons."),
        ("priority", "routine"),
        ("consent", "yes"),
        ("carer-name", "Pat Testparent"),
        ("carer-relationship", "Mother"),
        ("carer-email", "pat@home.example"),
        ("carer-safety", "yes"),
    ]
}

async fn a_signed_in_referrer_uses_the_grouped_form_and_sees_it_in_their_list(app: &TestApp) {
    use nwd_domain::authz::Role;
    use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "Synthetic Academy".into(),
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
    let (_, token) = app
        .store
        .create_api_token(&user.id, "test", &crate::support::all_scopes())
        .await
        .unwrap();
    let form = app
        .as_token(&token, Method::GET, "/staff/refer")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // One page of grouped questions for someone who refers often.
    for field in [
        "id=\"kind\"",
        "id=\"referrer-name\"",
        "id=\"dob-day\"",
        "id=\"consent\"",
    ] {
        assert!(form.contains(field), "{field}");
    }
    let journey = crate::status::hidden(&form, "journey");
    let issued = crate::status::hidden(&form, "issued");
    let post = |pairs: Vec<(&str, &str)>| {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        app.as_token(&token, Method::POST, "/staff/refer")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    // Every wrong answer named in one summary, each linked to its field; nothing written.
    let mut broken = grouped_answers(&journey, &issued);
    broken.retain(|(k, _)| !["source", "needs"].contains(k));
    broken.push(("dob-year", "11"));
    broken.retain(|pair| *pair != ("dob-year", "2011"));
    let page = post(broken).await.unwrap().text().await.unwrap();
    for field in ["#source", "#needs", "#dob-year"] {
        assert!(page.contains(&format!("href=\"{field}\"")), "{field}");
    }
    assert_eq!(app.count("referrals").await, 0);

    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let page = post(grouped_answers(&journey, &issued))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Your referral has been sent"), "{page}");
    assert!(page.contains("your list of referrals sent"));
    let reference = reference_in(&page);
    post(grouped_answers(&journey, &issued)).await.unwrap();
    assert_eq!(app.count("referrals").await, 1);
    let list = app
        .as_token(&token, Method::GET, "/staff/referrals-sent")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(list.contains(&reference), "{list}");
}
on_both_backends!(a_signed_in_referrer_uses_the_grouped_form_and_sees_it_in_their_list);
