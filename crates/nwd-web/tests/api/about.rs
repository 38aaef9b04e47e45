//! "About the young person" over HTTP, on both databases: the self-referral, parent/carer,
//! professional and grouped staff referral journeys save the optional answers; the same answers
//! through the pages and the JSON API give the same stored record; staff with a relationship see
//! and change them (version-checked, audited) and others do not; a parent's or carer's view
//! leaves out gender identity; the dashboard's uptake table and its CSV are suppressed.

use nwd_domain::about::{AboutYoungPerson, Answer, Neurodivergence, SexAtBirth};
use nwd_domain::authz::Role;
use nwd_domain::codes::{EthnicCategory, GenderIdentity};
use nwd_domain::PersonId;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::Method;
use serde_json::{json, Value};

use crate::journeys::Journey;
use crate::on_both_backends;
use crate::status::hidden;
use crate::support::{all_scopes, no_redirects, TestApp};

/// The answers every door is given, as form fields (the API's names).
const ANSWERS: [(&str, &str); 12] = [
    ("ethnicity", "black_african"),
    ("sex_at_birth", "female"),
    ("gender_same_as_sex_at_birth", "no"),
    ("gender_identity", "non_binary"),
    ("disability", "prefer_not_to_say"),
    ("first_language", "Polish"),
    ("interpreter_needed", "no"),
    ("school", "Synthetic Academy"),
    ("looked_after", "yes"),
    ("autistic", "suspected"),
    ("adhd", "prefer_not_to_say"),
    ("young_carer", "no"),
];

/// What those answers are as a record.
fn expected() -> AboutYoungPerson {
    AboutYoungPerson {
        ethnicity: Some(EthnicCategory::BlackAfrican),
        sex_at_birth: Some(SexAtBirth::Female),
        gender_same_as_sex_at_birth: Some(Answer::No),
        gender_identity: Some(GenderIdentity::NonBinary),
        disability: Some(Answer::PreferNotToSay),
        first_language: Some("Polish".into()),
        interpreter_needed: Some(Answer::No),
        school: Some("Synthetic Academy".into()),
        looked_after: Some(Answer::Yes),
        autistic: Some(Neurodivergence::Suspected),
        adhd: Some(Neurodivergence::PreferNotToSay),
        young_carer: Some(Answer::No),
        ..AboutYoungPerson::default()
    }
}

/// The newest referral's id and person.
async fn newest(app: &TestApp) -> (String, PersonId) {
    let list: Value = app
        .staff(Method::GET, "/api/referrals")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    let item = items
        .iter()
        .max_by_key(|i| i["received_at"].as_str().unwrap_or("").to_owned())
        .unwrap();
    let id = item["id"].as_str().unwrap().to_owned();
    let referral: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let person = referral["person_id"].as_str().unwrap().parse().unwrap();
    (id, person)
}

async fn stored(app: &TestApp, person: PersonId) -> AboutYoungPerson {
    app.store.person_about(person).await.unwrap().about
}

fn journey_answers<'a>(parent: bool, given: &'a str, year: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut pairs: Vec<(&str, &str)> = vec![
        ("website", ""),
        ("dob-day", "9"),
        ("dob-month", "4"),
        ("dob-year", year),
        ("given-name", given),
        ("family-name", "Testabout"),
        ("reasons", "anxiety"),
        ("safety-thoughts", "no"),
        ("safety-harmed", "no"),
        ("happening", "Panicky before school."),
        ("phone", "07700 900 982"),
        ("understood", "yes"),
    ];
    if parent {
        pairs.extend([
            ("relationship", "foster_carer"),
            ("aware", "knows_agrees"),
            ("your-name", "Carer Testperson"),
        ]);
    }
    pairs
}

async fn public_journeys_save_the_answers_and_match_the_api(app: &TestApp) {
    // The young person: the optional pages come after "Who can we talk to", say why we ask,
    // and are shown on "Check your answers" with a change link.
    let journey = Journey::start(app, "/get-help").await;
    let pairs = journey_answers(false, "Ada", "2011");
    let page = journey.answer_until("/get-help/q/about-you", &pairs).await;
    assert!(page.contains("About you"), "{page}");
    assert!(page.contains("to check our services reach everyone"));
    assert!(page.contains("Prefer not to say"));
    // An answer not on the page: the field is named, and the page is shown again.
    let response = journey
        .post("/get-help/q/about-you", &[("ethnicity", "martian")])
        .await;
    let page = response.text().await.unwrap();
    assert!(page.contains("href=\"#ethnicity\""), "{page}");
    assert!(page.contains("About you"));

    let mut all = pairs.clone();
    all.extend(ANSWERS);
    let page = journey.answer_until("/get-help/q/check", &all).await;
    assert!(page.contains("Check your answers before sending"), "{page}");
    assert!(page.contains("id=\"change-about-you\""));
    assert!(page.contains("id=\"change-about-support\""));
    assert!(page.contains("Black or Black British - African"));
    assert!(page.contains("Looked after") || page.contains("in the care of the council"));
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let page = journey.send(&all).await;
    assert!(page.contains("Your request has been sent"), "{page}");
    let (_, young_person) = newest(app).await;
    let from_page = stored(app, young_person).await;
    assert_eq!(from_page, expected());

    // The same answers through the JSON API: the same record.
    let mut about = serde_json::Map::new();
    for (k, v) in ANSWERS {
        about.insert(k.to_owned(), json!(v));
    }
    let response = app
        .public(Method::POST, "/api/self-referrals")
        .json(&json!({
            "who": "young_person",
            "person": {"given_name": "Bea", "family_name": "Testapi", "date_of_birth": "2010-02-03",
                       "about": about},
            "presenting_needs": "Panicky before school.",
            "reasons": ["anxiety"],
            "contact": {"name": "Bea", "phone": "07700 900123"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let person: PersonId = app.received(&created).await.1.parse().unwrap();
    assert_ne!(person, young_person);
    assert_eq!(stored(app, person).await, from_page);
    // A wrong answer through the API names its field; nothing is written.
    let before = app.count("referrals").await;
    let response = app
        .public(Method::POST, "/api/self-referrals")
        .json(&json!({
            "who": "young_person",
            "person": {"given_name": "Cy", "family_name": "Testapi", "date_of_birth": "2010-02-03",
                       "about": {"looked_after": "sometimes"}},
            "reasons": ["anxiety"],
            "contact": {"name": "Cy", "phone": "07700 900123"}
        }))
        .send()
        .await
        .unwrap();
    let problem = crate::support::problem(response, 422).await;
    assert!(crate::support::fields(&problem).contains(&"person.about.looked_after".to_owned()));
    assert_eq!(app.count("referrals").await, before);

    // A parent or carer: "their" words, the same record.
    let journey = Journey::start(app, "/get-help/parent-carer").await;
    let mut pairs = journey_answers(true, "Cal", "2013");
    let page = journey.answer_until("/get-help/q/about-you", &pairs).await;
    assert!(page.contains("About them"), "{page}");
    assert!(page.contains("What is their ethnic group?"));
    pairs.extend(ANSWERS);
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let page = journey.send(&pairs).await;
    assert!(page.contains("Your request has been sent"), "{page}");
    let (_, child) = newest(app).await;
    assert_eq!(stored(app, child).await, expected());
}
on_both_backends!(public_journeys_save_the_answers_and_match_the_api);

/// A user with one role in a new team (a service's team when `service` is given); returns
/// the user's id and an API token.
async fn member(app: &TestApp, role: Role, name: &str, service: Option<&str>) -> (String, String) {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: format!("{name} organisation"),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: format!("{name} team"),
            team_kind: if service.is_some() {
                TeamKind::Service
            } else {
                TeamKind::Other
            },
            service_id: service.map(str::to_owned),
        })
        .await
        .unwrap();
    let user = app
        .store
        .create_user(
            NewUser {
                username: name.to_owned(),
                display_name: name.to_owned(),
                organisation_id: org,
                password: None,
                memberships: vec![(team, role)],
            },
            "test",
        )
        .await
        .unwrap();
    let token = app
        .store
        .create_api_token(&user.id, "test", &all_scopes())
        .await
        .unwrap()
        .1;
    (user.id, token)
}

fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

async fn staff_with_a_relationship_see_and_change_it_and_others_do_not(app: &TestApp) {
    let alpha = app
        .service("Alpha Service", &["getting_help"], 5, 18, "community")
        .await;
    let beta = app
        .service("Beta Service", &["getting_help"], 5, 18, "community")
        .await;
    // A school's referral with some answers, allocated to Alpha.
    let mut body = crate::support::referral_body(None, "routine");
    body["person"]["about"] = json!({"ethnicity": "asian_indian", "gender_identity": "female",
                                     "gender_same_as_sex_at_birth": "no", "young_carer": "yes"});
    let created: Value = app
        .staff(Method::POST, "/api/referrals")
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["referral"]["id"].as_str().unwrap().to_owned();
    let person: PersonId = created["referral"]["person_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let response = app
        .staff(Method::POST, &format!("/api/referrals/{id}/triage"))
        .header("If-Match", "\"1\"")
        .json(&json!({"need_group": "getting_help", "risk": "low", "rationale": "Synthetic rationale.",
                      "destinations": [{"type": "allocate", "service_id": alpha}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (_, alpha_clinician) = member(app, Role::Clinician, "alpha.clinician", Some(&alpha)).await;
    let (_, beta_clinician) = member(app, Role::Clinician, "beta.clinician", Some(&beta)).await;
    let (_, commissioner) = member(app, Role::Commissioner, "some.commissioner", None).await;
    let get = |token: &str, path: String| {
        no_redirects()
            .get(format!("{}{path}", app.base))
            .bearer_auth(token.to_owned())
            .send()
    };

    // With a relationship: the section on the referral page, and its own page.
    let page = get(&alpha_clinician, format!("/staff/referrals/{id}"))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("About the young person"), "{page}");
    assert!(page.contains("Asian or Asian British - Indian"));
    assert!(page.contains(&format!("/staff/referrals/{id}/about")));
    let about = get(&alpha_clinician, format!("/staff/referrals/{id}/about"))
        .await
        .unwrap();
    assert_eq!(about.status(), 200);
    let about = about.text().await.unwrap();
    assert!(about.contains("name=\"version\" value=\"1\""), "{about}");
    // Without one, or as a commissioner: nothing about the young person.
    for (token, path) in [
        (&beta_clinician, format!("/staff/referrals/{id}/about")),
        (&commissioner, format!("/staff/referrals/{id}/about")),
        (&commissioner, format!("/staff/referrals/{id}")),
    ] {
        let response = get(token, path.clone()).await.unwrap();
        assert!([403, 404].contains(&response.status().as_u16()), "{path}");
        let text = response.text().await.unwrap();
        assert!(!text.contains("Asian or Asian British"), "{path}");
    }
    let refused = no_redirects()
        .post(format!("{}/staff/referrals/{id}/about", app.base))
        .bearer_auth(&beta_clinician)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[("version", "1"), ("care_leaver", "yes")]))
        .send()
        .await
        .unwrap();
    assert!([403, 404].contains(&refused.status().as_u16()));
    assert_eq!(app.store.person_about(person).await.unwrap().version, 1);

    // A change at the version read: saved, audited, back with a success banner.
    let post = |pairs: Vec<(&str, &str)>| {
        no_redirects()
            .post(format!("{}/staff/referrals/{id}/about", app.base))
            .bearer_auth(alpha_clinician.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&pairs))
            .send()
    };
    let response = post(vec![
        ("version", "1"),
        ("ethnicity", "asian_indian"),
        ("gender_identity", "female"),
        ("gender_same_as_sex_at_birth", "no"),
        ("young_carer", "yes"),
        ("care_leaver", "yes"),
    ])
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/staff/referrals/{id}/about?saved=1"));
    let saved = get(&alpha_clinician, location)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(saved.contains("role=\"status\""), "{saved}");
    let record = app.store.person_about(person).await.unwrap();
    assert_eq!(record.version, 2);
    assert_eq!(record.about.care_leaver, Some(Answer::Yes));
    // A stale version: 409, someone else's change shown, what was typed kept, nothing written.
    let response = post(vec![("version", "1"), ("first_language", "Gujarati")])
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    let text = response.text().await.unwrap();
    assert!(text.contains("Someone else changed these answers"));
    assert!(text.contains("value=\"Gujarati\""));
    assert_eq!(app.store.person_about(person).await.unwrap().version, 2);
    // A bad answer: 422 naming the field.
    let response = post(vec![("version", "2"), ("adhd", "very")])
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("href=\"#adhd\""));

    // Every read and the change are audited against the young person.
    let audit = app
        .store
        .audit_for_person(&person.to_string())
        .await
        .unwrap();
    let routes: Vec<(String, String)> = audit
        .iter()
        .map(|a| (a.entry.action.clone(), a.entry.route.clone()))
        .collect();
    assert!(
        routes
            .iter()
            .any(|(action, route)| action == "read" && route == "GET /staff/referrals/{id}/about"),
        "{routes:?}"
    );
    assert!(
        routes.iter().any(
            |(action, route)| action == "change" && route == "POST /staff/referrals/{id}/about"
        ),
        "{routes:?}"
    );
}
on_both_backends!(staff_with_a_relationship_see_and_change_it_and_others_do_not);

/// A parent or carer with a valid basis sees what is recorded about their child, except the
/// young person's sex registered at birth and gender identity (privacy by default: no rule in
/// `nwd_domain::consent` grants them).
async fn a_parent_never_sees_the_young_persons_gender_identity(app: &TestApp) {
    let response = app
        .public(Method::POST, "/api/self-referrals")
        .json(&json!({
            "who": "young_person",
            "person": {"given_name": "Kai", "family_name": "Exampleabout", "date_of_birth": "2013-02-03",
                       "about": {"gender_identity": "male", "gender_same_as_sex_at_birth": "no",
                                 "sex_at_birth": "female", "school": "Synthetic Primary",
                                 "young_carer": "yes"}},
            "presenting_needs": "Worried about school.",
            "reasons": ["anxiety"],
            "contact": {"name": "Kai", "phone": "07700 900123"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let (referral, person) = app.received(&created).await;
    let (parent, parent_token) = member(app, Role::ParentCarer, "kai.parent", None).await;
    let post = |path: String, body: Value| app.staff(Method::POST, &path).json(&body).send();
    let link: Value = post(
        format!("/api/persons/{person}/carers"),
        json!({"user_id": parent, "relationship": "mother"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let link = link["id"].as_str().unwrap().to_owned();
    let response = post(
        format!("/api/persons/{person}/competence-assessments"),
        json!({"decision": "parent_carer_access", "referral_id": referral, "competent": true,
               "rationale": "Understood what a parent would see and why"}),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 201);
    let response = post(
        format!("/api/persons/{person}/parent-access-decisions"),
        json!({"carer_link_id": link, "basis": "young_person_consent", "rationale": "Kai agreed"}),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 201);
    let response = app
        .as_token(
            &parent_token,
            Method::GET,
            &format!("/api/persons/{person}/parent-view"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let view: Value = response.json().await.unwrap();
    assert_eq!(view["about"]["school"], "Synthetic Primary");
    assert_eq!(view["about"]["young_carer"], "yes");
    for hidden in [
        "gender_identity",
        "gender_same_as_sex_at_birth",
        "sex_at_birth",
    ] {
        assert!(
            view["about"].get(hidden).is_none(),
            "{hidden} reached a parent: {view}"
        );
    }
    assert!(!view.to_string().contains("gender"), "{view}");
}
on_both_backends!(a_parent_never_sees_the_young_persons_gender_identity);

/// Every answer of the professional forms, valid, with the journey's id and stamp.
fn professional_answers<'a>(
    journey: &'a str,
    issued: &'a str,
    given: &'a str,
) -> Vec<(&'a str, &'a str)> {
    let mut pairs = vec![
        ("journey", journey),
        ("issued", issued),
        ("website", ""),
        ("kind", "referral"),
        ("source", "school"),
        ("referrer-name", "R. Teacher"),
        ("referrer-role", "Designated safeguarding lead"),
        ("organisation", "Synthetic Academy"),
        ("referrer-email", "dsl@school.example"),
        ("given-name", given),
        ("family-name", "Testpupil"),
        ("dob-day", "9"),
        ("dob-month", "4"),
        ("dob-year", "2011"),
        ("reasons", "worries"),
        ("needs", "Panic attacks in lessons."),
        ("priority", "routine"),
        ("consent", "yes"),
        ("carer-name", "Pat Testparent"),
        ("carer-relationship", "Father"),
        ("carer-phone", "01632 960 002"),
        ("carer-safety", "yes"),
    ];
    pairs.extend(ANSWERS);
    pairs
}

async fn professional_journeys_save_the_answers(app: &TestApp) {
    // `/refer`, one question per page: the optional page comes after the agreement, and the
    // check page sends everything.
    let journey = crate::journeys::Journey::start(app, "/refer/questions").await;
    let answers = professional_answers("", "", "Dee");
    let page = journey.answer_until("/refer/q/about", &answers).await;
    assert!(page.contains("About the young person"), "{page}");
    // The professional's words (the apostrophe is escaped in the HTML).
    assert!(page.contains("ethnic group?") && page.contains("Is the young person a care leaver?"));
    journey.answer_until("/refer/q/check", &answers).await;
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let response = journey
        .post("/refer", &[("website", ""), ("go", "send")])
        .await;
    assert_eq!(response.status(), 303);
    let page = journey.page("/refer/done").await;
    assert!(page.contains("Your referral has been sent"), "{page}");
    let (_, person) = newest(app).await;
    assert_eq!(stored(app, person).await, expected());

    // `/staff/refer`, the grouped form of a signed-in referrer: the same questions, the same
    // record.
    let (_, token) = member(app, Role::ExternalReferrer, "school.referrer", None).await;
    let form_page = app
        .as_token(&token, Method::GET, "/staff/refer")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form_page.contains("About the young person (optional)"));
    assert!(form_page.contains("id=\"looked_after\""));
    let (journey, issued) = (hidden(&form_page, "journey"), hidden(&form_page, "issued"));
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let response = app
        .as_token(&token, Method::POST, "/staff/refer")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&professional_answers(&journey, &issued, "Eve")))
        .send()
        .await
        .unwrap();
    let page = response.text().await.unwrap();
    assert!(page.contains("Your referral has been sent"), "{page}");
    let (_, person) = newest(app).await;
    assert_eq!(stored(app, person).await, expected());
}
on_both_backends!(professional_journeys_save_the_answers);
