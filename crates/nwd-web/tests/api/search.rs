//! Queues that show everything, and finding a referral (issue 14), on both databases through
//! the real server: the triage queue's true total beyond 200 with the rest on later pages;
//! the staff search by reference, name, NHS number and date of birth, limited to what the
//! searcher may open and audited without its terms; bad NHS numbers and impossible dates
//! named; the API's search with the same terms; waiting lists and caseloads that say who is
//! waiting (name, age, reason, days waited) and can be searched.

use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{all_scopes, referral_body, TestApp};

async fn html(app: &TestApp, token: Option<&str>, path: &str) -> String {
    let request = match token {
        Some(token) => app.as_token(token, Method::GET, path),
        None => app.staff(Method::GET, path),
    };
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "{path}: {text}");
    text
}

fn reference(id: &str) -> String {
    let simple = id.replace('-', "").to_uppercase();
    format!("NWD-{}-{}", &simple[0..4], &simple[4..8])
}

/// A school referral for a named young person; returns (referral id, person id).
async fn referral_for(
    app: &TestApp,
    given: &str,
    family: &str,
    born: &str,
    nhs: Option<&str>,
    priority: &str,
) -> (String, String) {
    let mut body = referral_body(nhs, priority);
    body["person"]["given_name"] = json!(given);
    body["person"]["family_name"] = json!(family);
    body["person"]["date_of_birth"] = json!(born);
    let response = app
        .staff(Method::POST, "/api/referrals")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{:?}", response.text().await);
    let created: Value = response.json().await.unwrap();
    (
        created["referral"]["id"].as_str().unwrap().to_owned(),
        created["referral"]["person_id"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

async fn allocate(app: &TestApp, referral: &str, service: &str) {
    let response = app
        .staff(Method::POST, &format!("/api/referrals/{referral}/triage"))
        .header("If-Match", "\"1\"")
        .json(&json!({"need_group": "getting_help", "risk": "low", "rationale": "Synthetic rationale.",
                      "destinations": [{"type": "allocate", "service_id": service}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
}

/// A clinician in a new team of `service`; returns an API token.
async fn clinician_of(app: &TestApp, service: &str, name: &str) -> String {
    let (org, _) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: format!("{name} trust"),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: format!("{name} commissioning"),
            team_kind: TeamKind::Other,
            service_id: None,
        })
        .await
        .unwrap();
    let team = app
        .store
        .create_team(
            &org,
            &format!("{name} team"),
            TeamKind::Service,
            Some(service),
        )
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
                memberships: vec![(team, Role::Clinician)],
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

async fn triage_queue_counts_every_awaiting_referral_and_pages_the_rest(app: &TestApp) {
    let mut ids = Vec::new();
    for n in 0..205 {
        let priority = if n == 204 { "emergency" } else { "routine" };
        let created = app.school_referral(None, priority).await;
        ids.push(created["referral"]["id"].as_str().unwrap().to_owned());
    }
    let first = html(app, None, "/staff/triage").await;
    assert!(first.contains("205 awaiting triage"), "{first}");
    assert!(first.contains("Showing 1 to 50 of 205."));
    // The emergency, received last, is first: urgency before the wait.
    let emergency = reference(&ids[204]);
    let position = |page: &str, reference: &str| page.find(reference);
    assert!(position(&first, &emergency) < position(&first, &reference(&ids[0])));
    assert!(position(&first, &emergency).is_some());
    // Every referral is on exactly one of the five pages, the last holding the rest.
    let mut seen = 0;
    for page in 1..=5 {
        let text = html(app, None, &format!("/staff/triage?page={page}")).await;
        seen += ids
            .iter()
            .filter(|id| text.contains(&reference(id)))
            .count();
        if page == 5 {
            assert!(text.contains("Showing 201 to 205 of 205."), "{text}");
        }
        // Each row names the young person, their age and the reason.
        assert!(text.contains("Amelia Testperson"));
        assert!(text.contains("Anxiety") || text.contains("anxiety"));
    }
    assert_eq!(seen, 205);
    // Filters keep the true total: the one emergency, on one page.
    let emergencies = html(app, None, "/staff/triage?priority=emergency").await;
    assert!(emergencies.contains("1 awaiting triage"), "{emergencies}");
    let advice = html(app, None, "/staff/triage?kind=advice_request").await;
    assert!(advice.contains("0 awaiting triage"));
    let schools = html(app, None, "/staff/triage?source_group=C").await;
    assert!(schools.contains("205 awaiting triage"));
    let gps = html(app, None, "/staff/triage?source_group=A").await;
    assert!(gps.contains("0 awaiting triage"));
}
on_both_backends!(triage_queue_counts_every_awaiting_referral_and_pages_the_rest);

async fn each_search_finds_its_referral_and_only_what_the_searcher_may_open(app: &TestApp) {
    let alpha = app
        .service("Alpha Service", &["getting_help"], 5, 18, "community")
        .await;
    let (zoe, _) = referral_for(
        app,
        "Zoë",
        "O'Brien-Smith",
        "2012-03-27",
        Some("9990000018"),
        "urgent",
    )
    .await;
    let (sam, _) = referral_for(app, "Sam", "Patel", "2010-11-02", None, "routine").await;
    let (other, _) = referral_for(app, "Samira", "Smithers", "2011-01-15", None, "routine").await;
    allocate(app, &zoe, &alpha).await;

    // The single point of access finds each kind of term.
    for (query, found, not_found) in [
        (format!("q={}", reference(&zoe)), &zoe, &sam),
        ("q=999+000+0018".to_owned(), &zoe, &sam),
        ("nhs_number=9990000018".to_owned(), &zoe, &sam),
        ("q=27%2F3%2F2012".to_owned(), &zoe, &sam),
        ("date_of_birth=2010-11-02".to_owned(), &sam, &zoe),
        ("q=obrien".to_owned(), &zoe, &sam),
        ("family_name=PAT".to_owned(), &sam, &zoe),
        ("given_name=zoe".to_owned(), &zoe, &sam),
        ("q=sam+pat".to_owned(), &sam, &other),
        ("q=pat+sam".to_owned(), &sam, &other),
        // Two words that are both prefixes of the one name, family or given.
        ("q=smi+smithe".to_owned(), &other, &zoe),
        ("q=sa+sami".to_owned(), &other, &sam),
        ("q=smi".to_owned(), &other, &zoe),
    ] {
        let text = html(app, None, &format!("/staff/search?{query}")).await;
        assert!(
            text.contains(&reference(found)),
            "{query} should find {found}: {text}"
        );
        assert!(
            !text.contains(&reference(not_found)),
            "{query} should not find {not_found}"
        );
    }
    let both = html(app, None, "/staff/search?q=sam").await;
    assert!(
        both.contains(&reference(&other)) && both.contains("2 referrals found"),
        "{both}"
    );

    // A clinician of Alpha finds the young person allocated to Alpha, and nobody else.
    let clinician = clinician_of(app, &alpha, "alpha.clinician").await;
    let own = html(app, Some(&clinician), "/staff/search?q=o").await;
    assert!(own.contains(&reference(&zoe)), "{own}");
    assert!(!own.contains(&reference(&other)) && !own.contains(&reference(&sam)));
    assert!(own.contains("1 referral found"), "{own}");
    let none = html(app, Some(&clinician), "/staff/search?family_name=patel").await;
    assert!(none.contains("0 referrals found") && !none.contains(&reference(&sam)));

    // The API takes the same terms, under the same rules.
    let api = |token: Option<String>, query: &str| {
        let path = format!("/api/referrals?{query}");
        match token {
            Some(t) => app.as_token(&t, Method::GET, &path),
            None => app.staff(Method::GET, &path),
        }
    };
    for (query, expected) in [
        (format!("reference={}", reference(&sam)), vec![sam.clone()]),
        ("family_name=smi".to_owned(), vec![other.clone()]),
        ("given_name=s".to_owned(), vec![other.clone(), sam.clone()]),
        (
            "given_name=sam&family_name=pat".to_owned(),
            vec![sam.clone()],
        ),
        ("date_of_birth=2012-03-27".to_owned(), vec![zoe.clone()]),
        ("kind=advice_request".to_owned(), vec![]),
        (
            "source_group=C&family_name=patel".to_owned(),
            vec![sam.clone()],
        ),
    ] {
        let page: Value = api(None, &query)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut got: Vec<String> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect();
        got.sort();
        let mut expected = expected;
        expected.sort();
        assert_eq!(got, expected, "{query}");
    }
    let clinician_api: Value = api(Some(clinician.clone()), "date_of_birth=2012-03-27")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(clinician_api["items"].as_array().unwrap().len(), 1);
    assert_eq!(clinician_api["items"][0]["id"], json!(zoe));
    let hidden: Value = api(Some(clinician.clone()), "family_name=smi")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(hidden["items"], json!([]));
}
on_both_backends!(each_search_finds_its_referral_and_only_what_the_searcher_may_open);

async fn a_search_is_audited_with_what_it_showed_and_never_its_terms(app: &TestApp) {
    let (zoe, person) = referral_for(
        app,
        "Zoë",
        "Audited",
        "2012-03-27",
        Some("9990000018"),
        "urgent",
    )
    .await;
    let text = html(app, None, "/staff/search?nhs_number=999+000+0018").await;
    assert!(text.contains(&reference(&zoe)));
    let trail = app.store.audit_for_person(&person).await.unwrap();
    let entry = trail
        .iter()
        .rev()
        .find(|r| r.entry.route.contains("/staff/search"))
        .expect("the search is in the young person's access report");
    let detail = entry.entry.detail.clone().unwrap_or_default();
    assert_eq!(entry.entry.outcome, "allowed");
    assert!(detail.contains("terms: nhs_number"), "{detail}");
    assert!(
        detail.contains(&zoe),
        "the referral shown is named: {detail}"
    );
    assert!(!detail.contains("9990000018") && !detail.contains("999 000 0018"));
    assert!(!detail.to_lowercase().contains("audited"));
    // The triage queue's entry names what it showed too.
    html(app, None, "/staff/triage").await;
    let searcher = entry.entry.user_id.clone().expect("a signed-in searcher");
    let everything = app.store.audit_for_user(&searcher).await.unwrap();
    let queue = everything
        .iter()
        .rev()
        .find(|r| r.entry.route.contains("/staff/triage"))
        .expect("the queue read is audited");
    assert!(queue
        .entry
        .detail
        .clone()
        .unwrap_or_default()
        .contains(&zoe));
}
on_both_backends!(a_search_is_audited_with_what_it_showed_and_never_its_terms);

async fn bad_nhs_numbers_and_impossible_dates_are_named_and_nothing_is_searched(app: &TestApp) {
    referral_for(
        app,
        "Zoë",
        "Named",
        "2012-03-27",
        Some("9990000018"),
        "urgent",
    )
    .await;
    for (query, field, words) in [
        ("nhs_number=999+123+4560", "nhs_number", "check digit"),
        ("q=999+123+4560", "q", "check digit"),
        (
            "date_of_birth=31%2F02%2F2012",
            "date_of_birth",
            "not a real date",
        ),
        ("q=31%2F02%2F2012", "q", "not a real date"),
        ("q=12345", "q", "NHS number has 10 digits"),
        (
            "received_from=2026-02-30",
            "received_from",
            "not a real date",
        ),
    ] {
        let text = html(app, None, &format!("/staff/search?{query}")).await;
        assert!(text.contains("nhsuk-error-summary"), "{query}: {text}");
        assert!(
            text.contains(&format!("href=\"#{field}\"")),
            "{query} names {field}: {text}"
        );
        assert!(text.contains(words), "{query}: {text}");
        assert!(!text.contains("found</h2>"), "{query}: nothing is listed");
    }
    for (query, field) in [
        ("nhs_number=9991234560", "nhs_number"),
        ("date_of_birth=2012-02-31", "date_of_birth"),
        ("reference=NWD-12", "reference"),
        ("source_group=Z", "source_group"),
    ] {
        let response = app
            .staff(Method::GET, &format!("/api/referrals?{query}"))
            .send()
            .await
            .unwrap();
        let problem = crate::support::problem(response, 422).await;
        assert_eq!(
            crate::support::fields(&problem),
            vec![field.to_owned()],
            "{query}"
        );
    }
}
on_both_backends!(bad_nhs_numbers_and_impossible_dates_are_named_and_nothing_is_searched);

async fn waiting_lists_say_who_is_waiting_and_can_be_searched(app: &TestApp) {
    let alpha = app
        .service("Alpha Service", &["getting_help"], 5, 18, "community")
        .await;
    let (zoe, _) = referral_for(
        app,
        "Zoë",
        "Waiting",
        "2012-03-27",
        Some("9990000018"),
        "urgent",
    )
    .await;
    let (sam, _) = referral_for(app, "Sam", "Patel", "2010-11-02", None, "routine").await;
    allocate(app, &zoe, &alpha).await;
    allocate(app, &sam, &alpha).await;
    // Days waited counts calendar days in local time, so the expected count
    // comes from the same rule (an extra hour after 23:00 would cross midnight).
    let waited = jiff::SignedDuration::from_hours(24 * 9);
    app.advance_clock(waited);
    let london = jiff::tz::TimeZone::get("Europe/London").unwrap();
    let started = jiff::Timestamp::now();
    let today = started
        .checked_add(waited)
        .unwrap()
        .to_zoned(london.clone())
        .date();
    let days =
        nwd_domain::waits::days_waited(started, started.checked_add(waited).unwrap(), &london);
    let age =
        |born: &str| nwd_domain::person::age_in_years(born.parse().unwrap(), today).to_string();
    let text = html(app, None, &format!("/staff/services/{alpha}")).await;
    assert!(text.contains("2 waiting"), "{text}");
    for (name, born) in [("Zoë Waiting", "2012-03-27"), ("Sam Patel", "2010-11-02")] {
        let row_start = text.find(name).unwrap_or_else(|| panic!("{name}: {text}"));
        let row = &text[row_start..row_start + text[row_start..].find("</tr>").unwrap()];
        assert!(row.contains(&format!("Age </span>{}", age(born))), "{row}");
        assert!(row.contains("Anxiety"), "{row}");
        assert!(row.contains(&format!("Days waited </span>{days}")), "{row}");
        assert!(row.contains("nhsuk-tag"), "{row}");
    }
    // Searching narrows both lists and says so.
    let found = html(app, None, &format!("/staff/services/{alpha}?q=pat")).await;
    assert!(found.contains("1 waiting who match the search"), "{found}");
    assert!(found.contains(&reference(&sam)) && !found.contains(&reference(&zoe)));
    let by_number = html(app, None, &format!("/staff/services/{alpha}?q=9990000018")).await;
    assert!(by_number.contains(&reference(&zoe)) && !by_number.contains(&reference(&sam)));
    let by_reference = html(
        app,
        None,
        &format!("/staff/services/{alpha}?q={}", reference(&sam)),
    )
    .await;
    assert!(by_reference.contains(&reference(&sam)) && !by_reference.contains(&reference(&zoe)));
    let bad = html(
        app,
        None,
        &format!("/staff/services/{alpha}?q=999+123+4560"),
    )
    .await;
    assert!(
        bad.contains("href=\"#q\"") && bad.contains("check digit"),
        "{bad}"
    );
}
on_both_backends!(waiting_lists_say_who_is_waiting_and_can_be_searched);
