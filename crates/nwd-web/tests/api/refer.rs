//! The public professional referral, one question per page (`/refer`, issue 6): driven like a
//! browser without JavaScript (each page's hidden fields sent back with the answers typed), on
//! both databases.

use reqwest::Method;
use serde_json::Value;

use crate::on_both_backends;
use crate::status::{link, status};
use crate::support::TestApp;

/// Undoes the template's HTML escaping of attribute values.
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The hidden fields in `html`, in order.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let marker = "<input type=\"hidden\" name=\"";
    html.match_indices(marker)
        .map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            let (name, rest) = rest.split_once('"').unwrap();
            let value = rest
                .strip_prefix(" value=\"")
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            (unescape(name), unescape(value))
        })
        .collect()
}

/// The value of attribute `name` in one tag's text.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    Some(unescape(tag[start..].split('"').next()?))
}

/// What a browser sends from the fields people see in `html` as they are: text inputs, ticked
/// radios and checkboxes, text areas.
fn visible_fields(html: &str) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for (at, _) in html.match_indices("<input ") {
        let tag = html[at..].split('>').next().unwrap();
        let (Some(kind), Some(name)) = (attribute(tag, "type"), attribute(tag, "name")) else {
            continue;
        };
        let value = attribute(tag, "value").unwrap_or_default();
        let ticked = tag.contains(" checked");
        match kind.as_str() {
            "text" | "tel" | "email" => fields.push((name, value)),
            "radio" | "checkbox" if ticked => fields.push((name, value)),
            _ => {}
        }
    }
    for (at, _) in html.match_indices("<textarea ") {
        let tag = &html[at..];
        let name = attribute(tag.split('>').next().unwrap(), "name").unwrap();
        let text = tag
            .split_once('>')
            .unwrap()
            .1
            .split("</textarea>")
            .next()
            .unwrap();
        fields.push((name, unescape(text)));
    }
    fields
}

/// A browser without JavaScript on the journey.
struct Browser<'a> {
    app: &'a TestApp,
    page: String,
}

impl<'a> Browser<'a> {
    /// "Start now": a fresh journey at its first question.
    async fn start(app: &'a TestApp) -> Browser<'a> {
        let response = app
            .public(Method::GET, "/refer/questions")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let page = response.text().await.unwrap();
        Browser { app, page }
    }

    /// The page's `<title>`, without the service name.
    fn title(&self) -> String {
        let start = self.page.find("<title>").unwrap() + "<title>".len();
        unescape(self.page[start..].split(" – No Wrong Door").next().unwrap())
    }

    /// Whether the page shows `text` (compared unescaped).
    fn shows(&self, text: &str) -> bool {
        unescape(&self.page).contains(text)
    }

    /// The main form: its action and hidden fields (after the back link's form).
    fn main_form(&self) -> (String, Vec<(String, String)>) {
        let main = &self.page[self.page.find("id=\"maincontent\"").unwrap()..];
        let marker = "<form method=\"post\" action=\"";
        let start = main.find(marker).unwrap() + marker.len();
        let action = main[start..].split('"').next().unwrap().to_owned();
        (action, hidden_fields(main))
    }

    /// Whether the error summary links to `#id`.
    fn error_links_to(&self, id: &str) -> bool {
        self.page.contains("nhsuk-error-summary") && self.page.contains(&format!("href=\"#{id}\""))
    }

    async fn post(&mut self, path: &str, pairs: &[(String, String)]) {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let response = self
            .app
            .public(Method::POST, path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-store");
        self.page = response.text().await.unwrap();
    }

    /// What "Continue" (or "Send") on this page sends with these answers typed or chosen
    /// (each replacing what the field held).
    fn pairs(&self, answers: &[(&str, &str)], go: &str) -> Vec<(String, String)> {
        let (_, mut pairs) = self.main_form();
        let main = &self.page[self.page.find("id=\"maincontent\"").unwrap()..];
        pairs.extend(
            visible_fields(main)
                .into_iter()
                .filter(|(name, _)| !answers.iter().any(|(k, _)| k == name)),
        );
        pairs.extend(answers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        pairs.push(("go".to_owned(), go.to_owned()));
        pairs
    }

    /// Answers this page's question and selects "Continue".
    async fn answer(&mut self, answers: &[(&str, &str)]) {
        let (action, _) = self.main_form();
        assert_eq!(action, "/refer/questions", "{}", self.title());
        let pairs = self.pairs(answers, "continue");
        self.post("/refer/questions", &pairs).await;
    }

    /// The back link (a button in its own form carrying every answer).
    async fn back(&mut self) {
        let before = &self.page[..self.page.find("id=\"maincontent\"").unwrap()];
        assert!(before.contains("value=\"back\">Back</button>"));
        let mut pairs = hidden_fields(before);
        pairs.push(("go".to_owned(), "back".to_owned()));
        self.post("/refer/questions", &pairs).await;
    }

    /// "Change" on the check page (its button's `formaction` is `/refer/questions`).
    async fn change(&mut self, question: &str) {
        assert!(self.page.contains(&format!(
            "formaction=\"/refer/questions\" name=\"go\" value=\"change-{question}\""
        )));
        let pairs = self.pairs(&[], &format!("change-{question}"));
        self.post("/refer/questions", &pairs).await;
    }

    /// What "Send" on the check page posts.
    fn send_pairs(&self) -> Vec<(String, String)> {
        let (action, _) = self.main_form();
        assert_eq!(action, "/refer");
        self.pairs(&[], "send")
    }
}

/// The reference on a confirmation page.
fn reference_in(page: &str) -> String {
    let marker = "id=\"reference\">";
    let start = page.find(marker).expect("a reference") + marker.len();
    page[start..].split('<').next().unwrap().to_owned()
}

const CHECK: &str = "Check your answers before sending";

/// Walks every question with valid answers, checking each page's title, to the check page.
async fn fill(browser: &mut Browser<'_>, kind: &str, consent: &str) {
    let needs_title = if kind == "advice_request" {
        "What are you worried about, and what has been tried?"
    } else {
        "What is happening, and what has been tried?"
    };
    let pages: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("What would you like to do?", vec![("kind", kind)]),
        ("Where do you work?", vec![("source", "school")]),
        (
            "How can we contact you?",
            vec![
                ("referrer-name", "R. Teacher"),
                ("referrer-role", "Designated safeguarding lead"),
                ("organisation", "St Synthia's Academy"),
                ("referrer-phone", "01632 960 001"),
                ("referrer-email", "dsl@school.example"),
            ],
        ),
        (
            "What is the young person's name?",
            vec![("given-name", "Synthia"), ("family-name", "Testpupil")],
        ),
        (
            "What is their date of birth?",
            vec![("dob-day", "9"), ("dob-month", "4"), ("dob-year", "2011")],
        ),
        ("What is their NHS number?", vec![("nhs-number", "999 000 0018")]),
        ("What is their postcode?", vec![("postcode", "me14 1xx")]),
        (
            "What are the main difficulties?",
            vec![("reasons", "anxiety"), ("reasons", "self_harm")],
        ),
        (
            needs_title,
            vec![(
                "needs",
                "Panic attacks in lessons since September.\nSeen by the school counsellor.",
            )],
        ),
        ("How soon is a response needed?", vec![("priority", "urgent")]),
        (
            "Does the young person (or, for a younger child, their family) know about this and agree?",
            vec![("consent", consent)],
        ),
        ("About the young person", vec![("looked_after", "no")]),
    ];
    for (title, answers) in pages {
        assert_eq!(browser.title(), title);
        assert!(
            browser.page.contains("nhsuk-back-link"),
            "{title}: a back link"
        );
        browser.answer(&answers).await;
    }
    assert_eq!(browser.title(), CHECK);
}

/// The referral and its person, read back through the staff API.
async fn the_referral(app: &TestApp) -> (Value, Value) {
    let found: Value = app
        .staff(Method::GET, "/api/referrals?source=school")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let id = found["items"][0]["id"].as_str().unwrap();
    let referral: Value = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let person_id = referral["person_id"].as_str().unwrap();
    let person: Value = app
        .staff(Method::GET, &format!("/api/persons/{person_id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (referral, person)
}

async fn a_professional_refers_a_pupil_one_question_per_page(app: &TestApp) {
    // The start page: what it is for, not for emergencies, advice is an option.
    let start = app.public(Method::GET, "/refer").send().await.unwrap();
    assert_eq!(start.status(), 200);
    let start = start.text().await.unwrap();
    for expected in [
        "This is not for emergencies",
        "href=\"/urgent-help\"",
        "ask for advice or a consultation",
        "href=\"/refer/questions\"",
    ] {
        assert!(start.contains(expected), "the start page says {expected:?}");
    }

    let mut browser = Browser::start(app).await;
    fill(&mut browser, "referral", "yes").await;
    for expected in [
        "Refer a young person for support",
        "St Synthia's Academy",
        "Synthia Testpupil",
        "9 April 2011",
        "999 000 0018",
        "ME14 1XX",
        "Self-harm behaviours",
        "Seen by the school counsellor.",
        "Urgent: needs a response within days",
        "Send referral",
    ] {
        assert!(browser.shows(expected), "the check page shows {expected:?}");
    }
    // Nothing is written until "Send".
    assert_eq!(app.count("referrals").await, 0);

    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let send = browser.send_pairs();
    browser.post("/refer", &send).await;
    assert_eq!(browser.title(), "Your referral has been sent");
    let reference = browser.page.clone();
    assert_eq!(app.count("referrals").await, 1);

    // Sent twice (a double click, or back and send again): still one referral, same answer.
    browser.post("/refer", &send).await;
    assert_eq!(browser.title(), "Your referral has been sent");
    assert_eq!(reference_in(&browser.page), reference_in(&reference));
    assert!(reference_in(&reference).starts_with("NWD-"));
    assert_eq!(app.count("referrals").await, 1);

    let (referral, person) = the_referral(app).await;
    assert_eq!(referral["kind"], "referral");
    assert_eq!(referral["source"], "school");
    // Not signed in: the stated urgency is a request for triage to confirm (issue 15).
    assert_eq!(referral["priority"], "routine");
    assert_eq!(referral["requested_priority"], "urgent");
    assert_eq!(
        referral["reasons"],
        serde_json::json!(["anxiety", "self_harm"])
    );
    assert_eq!(
        referral["presenting_needs"],
        "Panic attacks in lessons since September.\nSeen by the school counsellor."
    );
    assert_eq!(referral["referrer"]["name"], "R. Teacher");
    assert_eq!(referral["referrer"]["role"], "Designated safeguarding lead");
    assert_eq!(referral["referrer"]["organisation"], "St Synthia's Academy");
    assert_eq!(referral["referrer"]["phone"], "01632 960 001");
    assert_eq!(referral["referrer"]["email"], "dsl@school.example");
    assert_eq!(
        referral["consent_to_share"],
        serde_json::json!(["St Synthia's Academy"])
    );
    assert_eq!(person["given_name"], "Synthia");
    assert_eq!(person["family_name"], "Testpupil");
    assert_eq!(person["date_of_birth"], "2011-04-09");
    assert_eq!(
        person["nhs_number"].as_str().unwrap().replace(' ', ""),
        "9990000018"
    );
    assert_eq!(person["postcode"], "ME14 1XX");
    assert_eq!(person["school"], "St Synthia's Academy");

    let token = link(&reference).trim_start_matches("/status/").to_owned();
    let (json, _) = status(app, &token).await;
    assert_eq!(json["stage"], "received");
}
on_both_backends!(a_professional_refers_a_pupil_one_question_per_page);

async fn a_bad_answer_shows_its_page_with_the_error_summary_and_writes_nothing(app: &TestApp) {
    let mut browser = Browser::start(app).await;
    // No answer.
    browser.answer(&[]).await;
    assert_eq!(browser.title(), "Error: What would you like to do?");
    assert!(browser.error_links_to("kind"));
    browser.answer(&[("kind", "referral")]).await;
    browser.answer(&[("source", "school")]).await;

    // Only this page's questions are checked: the young person's name is not asked yet.
    browser.answer(&[("referrer-name", "R. Teacher")]).await;
    assert_eq!(browser.title(), "Error: How can we contact you?");
    for id in ["referrer-role", "organisation", "referrer-phone"] {
        assert!(browser.error_links_to(id), "{id}");
    }
    assert!(!browser.error_links_to("given-name"));
    assert!(!browser.error_links_to("referrer-name"));
    // What was typed is kept.
    assert!(browser.page.contains("value=\"R. Teacher\""));
    browser
        .answer(&[
            ("referrer-role", "Designated safeguarding lead"),
            ("organisation", "Synthetic Academy"),
            ("referrer-email", "dsl@school.example"),
        ])
        .await;
    browser
        .answer(&[("given-name", "Synthia"), ("family-name", "Testpupil")])
        .await;

    // The date input: a short year, then a date that does not exist.
    browser
        .answer(&[("dob-day", "9"), ("dob-month", "4"), ("dob-year", "11")])
        .await;
    assert_eq!(browser.title(), "Error: What is their date of birth?");
    assert!(browser.error_links_to("dob-year"));
    assert!(browser.page.contains("Year must include 4 numbers"));
    browser
        .answer(&[("dob-day", "31"), ("dob-month", "2"), ("dob-year", "2011")])
        .await;
    assert!(browser.error_links_to("dob-day"));
    assert!(browser.page.contains("must be a real date"));
    browser
        .answer(&[("dob-day", "9"), ("dob-month", "4"), ("dob-year", "2011")])
        .await;

    // A wrong check digit.
    browser.answer(&[("nhs-number", "999 000 0019")]).await;
    assert_eq!(browser.title(), "Error: What is their NHS number?");
    assert!(browser.error_links_to("nhs-number"));
    // Optional: empty is fine.
    browser.answer(&[("nhs-number", "")]).await;
    assert_eq!(browser.title(), "What is their postcode?");
    browser.answer(&[]).await;
    browser.answer(&[("reasons", "anxiety")]).await;
    browser
        .answer(&[("needs", "Panic attacks in lessons.")])
        .await;
    browser.answer(&[("priority", "routine")]).await;
    // A referral, not a request for advice, needs agreement.
    browser.answer(&[("consent", "advice_only")]).await;
    assert!(browser.title().starts_with("Error: Does the young person"));
    assert!(browser.error_links_to("consent"));
    browser.answer(&[("consent", "yes")]).await;
    assert_eq!(browser.title(), "About the young person");
    browser.answer(&[]).await;
    assert_eq!(browser.title(), CHECK);
    assert!(
        browser.page.contains("Not given"),
        "no NHS number, no postcode"
    );
    assert_eq!(app.count("referrals").await, 0);

    // A hidden answer edited before "Send": every answer is checked again, and the first
    // wrong one is shown with its message.
    let mut tampered = browser.send_pairs();
    tampered.retain(|(name, _)| name != "postcode");
    tampered.push(("postcode".to_owned(), "NOT A POSTCODE".to_owned()));
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let check = browser.page.clone();
    browser.post("/refer", &tampered).await;
    assert_eq!(browser.title(), "Error: What is their postcode?");
    assert!(browser.error_links_to("postcode"));
    assert_eq!(app.count("referrals").await, 0);

    // A script (the honeypot filled in): a neutral page, nothing written.
    browser.page = check;
    let mut scripted = browser.send_pairs();
    for (name, value) in scripted.iter_mut() {
        if name == "website" {
            *value = "http://spam.example".to_owned();
        }
    }
    let send = browser.send_pairs();
    // Only `POST /refer` (rate limited) sends: the same answers to the questions' address
    // show the check page again.
    browser.post("/refer/questions", &send).await;
    assert_eq!(browser.title(), CHECK);
    assert_eq!(app.count("referrals").await, 0);
    browser.post("/refer", &scripted).await;
    assert_eq!(browser.title(), "Thank you");
    assert_eq!(app.count("referrals").await, 0);

    browser.post("/refer", &send).await;
    assert_eq!(browser.title(), "Your referral has been sent");
    assert_eq!(app.count("referrals").await, 1);
}
on_both_backends!(a_bad_answer_shows_its_page_with_the_error_summary_and_writes_nothing);

async fn answers_changed_from_the_check_page_return_to_it(app: &TestApp) {
    let mut browser = Browser::start(app).await;
    fill(&mut browser, "advice_request", "advice_only").await;

    // Change the postcode: its page, then straight back to the check page.
    browser.change("postcode").await;
    assert_eq!(browser.title(), "What is their postcode?");
    assert!(
        browser.page.contains("value=\"me14 1xx\""),
        "the answer given"
    );
    assert!(browser.page.contains("name=\"changing\" value=\"1\""));
    browser.answer(&[("postcode", "ME15 6AA")]).await;
    assert_eq!(browser.title(), CHECK);
    assert!(browser.page.contains("ME15 6AA"));
    assert!(!browser.page.contains("ME14 1XX"));

    // "Back" from a change returns to the check page, answers unchanged.
    browser.change("needs").await;
    assert_eq!(
        browser.title(),
        "What are you worried about, and what has been tried?"
    );
    browser.back().await;
    assert_eq!(browser.title(), CHECK);
    assert!(browser.page.contains("Seen by the school counsellor."));

    // From advice to a referral: "advice only" no longer fits, so that question comes next,
    // with its message, before the check page.
    browser.change("kind").await;
    assert_eq!(browser.title(), "What would you like to do?");
    browser.answer(&[("kind", "referral")]).await;
    assert!(browser.title().starts_with("Error: Does the young person"));
    assert!(browser.error_links_to("consent"));
    browser.answer(&[("consent", "yes")]).await;
    assert_eq!(browser.title(), CHECK);
    assert!(browser.page.contains("Refer a young person for support"));
    assert!(browser.page.contains("Send referral"));
    assert_eq!(app.count("referrals").await, 0);

    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let send = browser.send_pairs();
    browser.post("/refer", &send).await;
    assert_eq!(browser.title(), "Your referral has been sent");
    let (referral, person) = the_referral(app).await;
    assert_eq!(referral["kind"], "referral");
    assert_eq!(person["postcode"], "ME15 6AA");
    assert_eq!(
        referral["consent_to_share"],
        serde_json::json!(["St Synthia's Academy"])
    );
}
on_both_backends!(answers_changed_from_the_check_page_return_to_it);

async fn a_professional_asks_for_advice_one_question_per_page(app: &TestApp) {
    let mut browser = Browser::start(app).await;
    // The back link on the second page keeps the first answer.
    browser.answer(&[("kind", "advice_request")]).await;
    assert_eq!(browser.title(), "Where do you work?");
    browser.back().await;
    assert_eq!(browser.title(), "What would you like to do?");
    assert!(browser.page.contains("value=\"advice_request\" checked"));
    // The first page's back link goes to the start page.
    assert!(browser
        .page
        .contains("<a class=\"nhsuk-back-link nhsuk-u-margin-top-3\" href=\"/refer\">Back</a>"));

    fill(&mut browser, "advice_request", "advice_only").await;
    assert!(browser.page.contains("Send request for advice"));
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let send = browser.send_pairs();
    browser.post("/refer", &send).await;
    assert_eq!(browser.title(), "Your request for advice has been sent");
    assert!(browser
        .page
        .contains("Someone will contact you to give advice"));
    let (referral, _) = the_referral(app).await;
    assert_eq!(referral["kind"], "advice_request");
    assert_eq!(referral["consent_to_share"], serde_json::json!([]));
    let token = link(&browser.page)
        .trim_start_matches("/status/")
        .to_owned();
    let (json, _) = status(app, &token).await;
    assert_eq!(json["stage"], "received");
}
on_both_backends!(a_professional_asks_for_advice_one_question_per_page);

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
        ("reasons", "anxiety"),
        ("needs", "Panic attacks in lessons."),
        ("priority", "routine"),
        ("consent", "yes"),
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

/// Anonymous `/refer` (issue 15): anyone can claim to be a professional, so an unverified
/// referral's stated urgency is a request for triage to confirm. It is stored as the requested
/// priority, measured against the urgent triage standard (24 hours, not the routine 5 days),
/// shown to triage, but not the clinical priority: it orders no waiting list until triage
/// confirms it, and triage must state the priority while the request is pending.
async fn an_unverified_referrers_urgency_is_a_request_for_triage(app: &TestApp) {
    let service = app
        .service(
            "Urgency Service",
            &["getting_help"],
            5,
            18,
            "eating_disorder",
        )
        .await;
    let mut browser = Browser::start(app).await;
    fill(&mut browser, "referral", "yes").await;
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let send = browser.send_pairs();
    browser.post("/refer", &send).await;
    assert_eq!(browser.title(), "Your referral has been sent");
    let (referral, _) = the_referral(app).await;
    let id = referral["id"].as_str().unwrap().to_owned();
    assert_eq!(referral["priority"], "routine");
    assert_eq!(referral["requested_priority"], "urgent");
    assert!(referral["request_reason"]
        .as_str()
        .unwrap()
        .contains("not signed in"));
    // Triage sees the request and its 24-hour triage standard on the referral page.
    let page = app
        .staff(Method::GET, &format!("/staff/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Urgent requested"), "{page}");
    assert!(page.contains("Asked for by the sender"));
    assert!(
        page.contains("(23 hours)") || page.contains("(24 hours)"),
        "{page}"
    );
    // An "urgent" request is not a crisis: not on the crisis list.
    let crisis = app
        .staff(Method::GET, "/staff/crisis")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!crisis.contains(&reference_in_list(&id)));
    // Triage without stating the priority is refused while the request is pending.
    let triage = |priority: Option<&str>| {
        let mut body = serde_json::json!({"need_group": "getting_help", "risk": "medium",
            "rationale": "Synthetic rationale.",
            "destinations": [{"type": "allocate", "service_id": service}]});
        if let Some(priority) = priority {
            body["priority"] = serde_json::json!(priority);
        }
        app.staff(Method::POST, &format!("/api/referrals/{id}/triage"))
            .header("If-Match", "\"1\"")
            .json(&body)
            .send()
    };
    let refused = crate::support::problem(triage(None).await.unwrap(), 422).await;
    assert_eq!(crate::support::fields(&refused), ["priority"]);
    // Triage confirms routine: the request is settled; the eating-disorder wait is the
    // routine 4 weeks, not the urgent week.
    let confirmed: serde_json::Value = triage(Some("routine")).await.unwrap().json().await.unwrap();
    assert_eq!(confirmed["referral"]["priority"], "routine");
    assert!(confirmed["referral"]["requested_priority"].is_null());
    let list: serde_json::Value = app
        .staff(
            Method::GET,
            &format!("/api/services/{service}/waiting-list"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["entries"][0]["standard"],
        "Eating disorders: routine, 4 weeks"
    );
}
on_both_backends!(an_unverified_referrers_urgency_is_a_request_for_triage);

/// The reference as lists show it.
fn reference_in_list(id: &str) -> String {
    let simple = id.replace('-', "").to_uppercase();
    format!("NWD-{}-{}", &simple[0..4], &simple[4..8])
}
