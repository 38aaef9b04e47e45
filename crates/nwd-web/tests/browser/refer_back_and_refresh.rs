//! The professional referral survives the browser's Back, Forward and refresh (issue 17), on a
//! 320 px phone with the page's JavaScript off: a teacher refers a pupil and asks for advice
//! together ("both"), on the safeguarding route (the family has not been asked because telling
//! them could put the child at risk), giving the family's contact. After every answer the
//! browser is on a GET question page; Back shows the answers kept; refresh never asks to
//! resend; the check and confirmation pages say when someone will be in touch and that the
//! family will not be contacted without the referrer; a refreshed confirmation sends nothing.
//! (Axe needs the page's JavaScript: the same pages are checked with it in `journeys.rs` and
//! `refer_anonymous.rs`.)

use crate::back_and_refresh::{answer, assert_a_real_page, typed, Answer};
use crate::journeys::human_pause;
use crate::support::{browser_wanted, BrowserApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_safeguarding_referral_with_advice_survives_back_and_refresh_without_javascript() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start_with(320, false).await;
    app.goto("/refer").await;
    assert!(app.text("#promise").await.contains("within 5 days"));
    app.follow("Start now").await;
    let q = |step: &str| format!("/refer/q/{step}");
    let steps: Vec<(String, Vec<Answer>)> = vec![
        (q("kind"), vec![Answer::Tick("kind-3")]), // both
        (q("source"), vec![Answer::Tick("source")]),
        (
            q("contact"),
            vec![
                typed("referrer-name", "R. Teacher"),
                typed("referrer-role", "Designated safeguarding lead"),
                typed("organisation", "Synthetic Academy"),
                typed("referrer-email", "dsl@school.example"),
            ],
        ),
        (
            q("name"),
            vec![
                typed("given-name", "Synthia"),
                typed("family-name", "Testguard"),
            ],
        ),
        (
            q("date-of-birth"),
            vec![
                typed("dob-day", "3"),
                typed("dob-month", "2"),
                typed("dob-year", &(jiff::Zoned::now().year() - 13).to_string()),
            ],
        ),
        (q("nhs-number"), Vec::new()),
        (q("postcode"), vec![typed("postcode", "ME14 1XX")]),
        (q("reasons"), vec![Answer::Tick("reasons")]),
        (
            q("needs"),
            vec![typed("needs", "Disclosure at school about home.")],
        ),
        (q("priority"), vec![Answer::Tick("priority-2")]), // urgent
        (q("consent"), vec![Answer::Tick("consent-3")]),   // not asked
        (
            q("not-sought"),
            vec![
                Answer::Tick("not-sought-reason"),
                typed("not-sought-detail", "The pupil fears a parent's reaction."),
            ],
        ),
        (
            q("family"),
            vec![
                typed("carer-name", "Pat Testguard"),
                typed("carer-relationship", "Mother"),
                typed("carer-phone", "01632 960 003"),
                Answer::Tick("carer-safety"),
            ],
        ),
        (q("about"), Vec::new()),
    ];
    let paths: Vec<String> = steps.iter().map(|(p, _)| p.clone()).collect();
    for (i, (path, answers)) in steps.iter().enumerate() {
        let next = paths.get(i + 1).cloned().unwrap_or_else(|| q("check"));
        answer(&app, path, answers, &next).await;
    }
    assert_eq!(app.heading().await, "Check your answers before sending");
    let answers = app.text(".nhsuk-summary-list").await;
    assert!(answers.contains("Testguard"), "{answers}");
    assert!(answers.contains("Pat Testguard"), "{answers}");
    let main = app.text("main").await;
    assert!(
        main.contains("They will not contact the family without talking to you first"),
        "{main}"
    );
    // Urgent: the urgent triage standard (config/standards.toml, 24 hours).
    assert!(app.text("#promise").await.contains("within 24 hours"));
    assert_eq!(app.store.count_rows("referrals").await.unwrap(), 0);

    human_pause(&app);
    app.press("#send").await;
    assert_eq!(app.path().await, "/refer/done");
    assert_eq!(app.heading().await, "Your referral has been sent");
    assert!(app
        .text("main")
        .await
        .contains("the team will not contact the family without talking to you first"));
    assert!(app.text("#promise").await.contains("within 24 hours"));
    let reference = app.text("#reference").await;
    app.client.refresh().await.unwrap();
    assert_a_real_page(&app, "/refer/done").await;
    assert_eq!(app.text("#reference").await, reference);
    app.client.back().await.unwrap();
    if app.path().await != "/refer/done" {
        // The sent check page from the back-forward cache: sending again sends nothing new.
        app.press("#send").await;
    }
    assert_eq!(app.path().await, "/refer/done");
    assert_eq!(app.text("#reference").await, reference);
    assert_eq!(app.store.count_rows("referrals").await.unwrap(), 1);
    app.finish().await;
}
