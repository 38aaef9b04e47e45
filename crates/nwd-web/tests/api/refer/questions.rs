//! One question per page: a referral and a request for advice walked to the end, a bad answer
//! shown on its page, answers changed from the check page.

use reqwest::Method;

use crate::on_both_backends;
use crate::status::{link, status};
use crate::support::TestApp;

use super::{fill, reference_in, the_referral, Browser, CHECK};

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
        "Worries or anxiety",
        "Self-harm",
        "Pat Testparent (Mother)",
        "Yes, but do not leave messages",
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
    // The reasons in plain words, kept with the codes they map to; the family's contact.
    assert_eq!(
        referral["details"]["plain_reasons"],
        serde_json::json!(["worries", "self_harm"])
    );
    assert_eq!(
        referral["details"]["family_contact"]["name"],
        "Pat Testparent"
    );
    assert_eq!(
        referral["details"]["family_contact"]["safety"],
        "no_messages"
    );
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
    browser.answer(&[("reasons", "worries")]).await;
    browser
        .answer(&[("needs", "Panic attacks in lessons.")])
        .await;
    browser.answer(&[("priority", "routine")]).await;
    // A referral, not a request for advice, needs agreement.
    browser.answer(&[("consent", "advice_only")]).await;
    assert!(browser.title().starts_with("Error: Does the young person"));
    assert!(browser.error_links_to("consent"));
    browser.answer(&[("consent", "yes")]).await;
    // A referral names someone to contact.
    assert_eq!(
        browser.title(),
        "Who can we contact about the young person?"
    );
    browser.answer(&[]).await;
    assert_eq!(
        browser.title(),
        "Error: Who can we contact about the young person?"
    );
    assert!(browser.error_links_to("carer-name"));
    browser
        .answer(&[
            ("carer-name", "Pat Testparent"),
            ("carer-relationship", "Father"),
            ("carer-phone", "01632 960 002"),
            ("carer-safety", "yes"),
        ])
        .await;
    assert_eq!(browser.title(), "About the young person");
    browser.answer(&[]).await;
    assert_eq!(browser.title(), CHECK);
    assert!(
        browser.page.contains("Not given"),
        "no NHS number, no postcode"
    );
    assert_eq!(app.count("referrals").await, 0);

    // The answers are kept on the server: an answer slipped into the send changes nothing.
    let mut tampered = browser.send_pairs();
    tampered.push(("postcode".to_owned(), "NOT A POSTCODE".to_owned()));
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let check = browser.page.clone();

    // A script (the honeypot filled in): a neutral page, nothing written.
    browser.page = check;
    let mut scripted = browser.send_pairs();
    for (name, value) in scripted.iter_mut() {
        if name == "website" {
            *value = "http://spam.example".to_owned();
        }
    }
    let send = browser.send_pairs();
    // Only `POST /refer` (rate limited) sends: the same answers to the check page's own
    // address show the check page again.
    browser.post("/refer/q/check", &send).await;
    assert_eq!(browser.title(), CHECK);
    assert_eq!(app.count("referrals").await, 0);
    browser.post("/refer", &scripted).await;
    assert_eq!(browser.title(), "Thank you");
    assert_eq!(app.count("referrals").await, 0);

    browser.post("/refer", &tampered).await;
    assert_eq!(browser.title(), "Your referral has been sent");
    assert_eq!(app.count("referrals").await, 1);
    let (_, person) = the_referral(app).await;
    assert!(person["postcode"].is_null(), "{person}");
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
    assert_eq!(browser.title(), "Can you tell us who the young person is?");
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
