//! The professional referral survives Back, Forward and refresh (issue 17): post/redirect/get
//! with a server-side draft. Every answer is a `303` to a GET question page that shows the
//! answers kept; a refreshed confirmation sends nothing; without a draft the friendly "start
//! again" page; and the start, check and confirmation pages say when someone will be in touch,
//! from the configured triage standard.

use crate::on_both_backends;
use crate::support::{no_redirects, TestApp};

use super::{fill, reference_in, Browser, CHECK};

async fn every_answer_redirects_to_a_page_that_a_refresh_shows_again(app: &TestApp) {
    let mut browser = Browser::start(app).await;
    assert_eq!(browser.at, "/refer/q/kind");
    // An answer is a 303 to the next question's own address.
    let response = no_redirects()
        .post(format!("{}/refer/q/kind", app.base))
        .header("cookie", &browser.cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("kind=referral&go=continue")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/refer/q/source");
    // Back (a GET of the previous question's address) shows the answer kept.
    browser.get("/refer/q/kind").await;
    assert!(browser.page.contains("value=\"referral\" checked"));
    browser.get("/refer/q/source").await;
    browser.answer(&[("source", "gp")]).await;
    assert_eq!(browser.at, "/refer/q/contact");
    // A refresh of the question shows the same page again; nothing is posted.
    let before = browser.page.clone();
    browser.get("/refer/q/contact").await;
    assert_eq!(browser.page, before);
    // A question these answers do not ask (the safeguarding reason, before consent "not
    // sought") goes to the first question.
    browser.get("/refer/q/not-sought").await;
    assert_eq!(browser.at, "/refer/q/kind");

    // To the end and send: the confirmation is its own address, and a refresh sends nothing.
    let mut browser = Browser::start(app).await;
    fill(&mut browser, "referral", "yes").await;
    assert_eq!(browser.at, "/refer/q/check");
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let send = browser.send_pairs();
    browser.post("/refer", &send).await;
    assert_eq!(browser.at, "/refer/done");
    assert_eq!(browser.title(), "Your referral has been sent");
    let reference = reference_in(&browser.page);
    browser.get("/refer/done").await;
    assert_eq!(reference_in(&browser.page), reference);
    // Back to the check page after sending: the confirmation again, never a second send.
    browser.get("/refer/q/check").await;
    assert_eq!(browser.at, "/refer/done");
    browser.post("/refer", &send).await;
    assert_eq!(reference_in(&browser.page), reference);
    assert_eq!(app.count("referrals").await, 1);
}
on_both_backends!(every_answer_redirects_to_a_page_that_a_refresh_shows_again);

async fn without_a_draft_the_journey_asks_to_start_again_and_writes_nothing(app: &TestApp) {
    for (method, path) in [
        ("GET", "/refer/q/kind"),
        ("POST", "/refer/q/kind"),
        ("POST", "/refer"),
        ("GET", "/refer/done"),
    ] {
        let request = match method {
            "GET" => no_redirects().get(format!("{}{path}", app.base)),
            _ => no_redirects()
                .post(format!("{}{path}", app.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body("kind=referral&go=continue"),
        };
        let response = request
            .header("cookie", "__Secure-nwd_draft=not-a-draft")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 410, "{method} {path}");
        let page = response.text().await.unwrap();
        assert!(page.contains("Your answers have expired"), "{path}");
        assert!(page.contains("href=\"/refer\""), "{path}: start again");
    }
    assert_eq!(app.count("referrals").await, 0);
    assert_eq!(app.count("journey_drafts").await, 0);
}
on_both_backends!(without_a_draft_the_journey_asks_to_start_again_and_writes_nothing);

async fn every_page_says_when_someone_will_be_in_touch(app: &TestApp) {
    // The start pages: the routine triage standard (config/standards.toml: 5 days).
    for path in ["/refer", "/refer/advice"] {
        let page = app
            .public(reqwest::Method::GET, path)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("get in touch within 5 days"),
            "{path}: {page}"
        );
    }
    // The check page and the confirmation: the stated urgency's standard (urgent: 24 hours),
    // as triage is due by the more urgent of the stated and the clinical priority.
    let mut browser = Browser::start(app).await;
    fill(&mut browser, "referral", "yes").await;
    assert_eq!(browser.title(), CHECK);
    assert!(browser.shows("get in touch within 24 hours"), "check page");
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let send = browser.send_pairs();
    browser.post("/refer", &send).await;
    assert!(
        browser.shows("get in touch within 24 hours"),
        "confirmation"
    );

    // The advice door starts with advice chosen; a routine consultation promises 5 days.
    let mut browser = Browser::start_at(app, "/refer/questions?for=advice").await;
    assert_eq!(browser.at, "/refer/q/identify");
    browser.answer(&[("identify", "anonymous")]).await;
    browser.answer(&[("source", "school")]).await;
    browser
        .answer(&[
            ("referrer-name", "R. Teacher"),
            ("referrer-role", "Head of year"),
            ("organisation", "Synthetic Academy"),
            ("referrer-email", "hoy@school.example"),
        ])
        .await;
    browser
        .answer(&[("age-band", "11_to_15"), ("area", "Maidstone")])
        .await;
    browser.answer(&[("reasons", "worries")]).await;
    browser.answer(&[("needs", "Avoids lessons.")]).await;
    browser.answer(&[("priority", "routine")]).await;
    assert_eq!(browser.title(), CHECK);
    assert!(browser.shows("get in touch within 5 days"));
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let send = browser.send_pairs();
    browser.post("/refer", &send).await;
    assert_eq!(
        browser.title(),
        "Your request for a consultation has been sent"
    );
    assert!(browser.shows("get in touch within 5 days"));
    assert_eq!(app.count("consultations").await, 1);
}
on_both_backends!(every_page_says_when_someone_will_be_in_touch);
