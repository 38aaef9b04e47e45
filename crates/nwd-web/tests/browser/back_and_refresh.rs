//! The young person's and the parent's or carer's journeys survive the browser's Back,
//! Forward and refresh (issue 17): after every answer the browser is on a GET question page
//! (post/redirect/get), Back shows the question just answered with its answers, refresh
//! shows the same page (never "Confirm Form Resubmission" or ERR_CACHE_MISS), and a refreshed
//! confirmation makes no second referral. Once with the page's JavaScript off. Axe checks the
//! new pages (the first question's "who will see what", the expired page).

use fantoccini::Locator;

use crate::journeys::human_pause;
use crate::support::{browser_wanted, BrowserApp};

/// One answer on a question page.
pub(crate) enum Answer {
    /// Types `value` into the field `id`.
    Type(&'static str, String),
    /// Ticks the checkbox or radio `id` (Space, as a keyboard user does).
    Tick(&'static str),
}

/// The page is a real page, not the browser's error for a post it will not repeat.
pub(crate) async fn assert_a_real_page(app: &BrowserApp, at: &str) {
    let source = app.client.source().await.unwrap();
    assert!(
        !source.contains("ERR_CACHE_MISS") && !source.contains("Confirm Form Resubmission"),
        "{at}: the browser's resubmission page"
    );
    assert!(!app.heading().await.is_empty(), "{at}: no heading");
}

async fn assert_kept(app: &BrowserApp, answer: &Answer, at: &str) {
    let (id, property, expected) = match answer {
        Answer::Type(id, value) => (*id, "value", value.as_str()),
        Answer::Tick(id) => (*id, "checked", "true"),
    };
    let field = app.client.find(Locator::Id(id)).await.unwrap();
    let got = field.prop(property).await.unwrap();
    assert_eq!(got.as_deref(), Some(expected), "{at}: {id} kept");
}

/// Answers the question at `path` and continues; then the browser must be on the GET page
/// `next`. Back shows `path` with the answers kept, refresh keeps them, Forward returns to
/// `next` and refresh shows it again.
pub(crate) async fn answer(app: &BrowserApp, path: &str, answers: &[Answer], next: &str) {
    assert_eq!(app.path().await, path);
    for answer in answers {
        match answer {
            Answer::Type(id, value) => app.type_into(id, value).await,
            Answer::Tick(id) => app.space_on(id).await,
        }
    }
    app.press("button[value=continue]").await;
    assert_eq!(app.path().await, next, "after answering {path}: a GET page");
    assert_a_real_page(app, next).await;

    app.client.back().await.unwrap();
    assert_eq!(app.path().await, path, "Back from {next}");
    assert_a_real_page(app, path).await;
    for answer in answers {
        assert_kept(app, answer, path).await;
    }
    app.client.refresh().await.unwrap();
    assert_eq!(app.path().await, path);
    assert_a_real_page(app, path).await;
    for answer in answers {
        assert_kept(app, answer, path).await;
    }
    app.client.forward().await.unwrap();
    assert_eq!(app.path().await, next, "Forward to {next}");
    app.client.refresh().await.unwrap();
    assert_eq!(app.path().await, next);
    assert_a_real_page(app, next).await;
}

pub(crate) fn typed(id: &'static str, value: &str) -> Answer {
    Answer::Type(id, value.to_owned())
}

/// Every question of a journey, Back and refresh at each, then the send and a refreshed
/// confirmation; `parent` for the parent's or carer's journey. Returns the reference.
async fn every_question_with_back_and_refresh(app: &BrowserApp, parent: bool) -> String {
    let q = |step: &str| format!("/get-help/q/{step}");
    let year = (jiff::Zoned::now().year() - 15).to_string();
    let mut steps: Vec<(String, Vec<Answer>)> = Vec::new();
    if parent {
        steps.push((q("relationship"), vec![Answer::Tick("relationship-4")]));
    }
    steps.extend([
        (
            q("date-of-birth"),
            vec![
                typed("dob-day", "9"),
                typed("dob-month", "4"),
                typed("dob-year", &year),
            ],
        ),
        (
            q("name"),
            vec![
                typed("given-name", "Synthia"),
                typed("family-name", "Testback"),
            ],
        ),
        (q("postcode"), vec![typed("postcode", "ME14 1XX")]),
        (q("help-with"), vec![Answer::Tick("reasons")]),
        (
            q("safety"),
            vec![
                Answer::Tick("safety-thoughts-2"),
                Answer::Tick("safety-harmed-2"),
            ],
        ),
        (
            q("happening"),
            vec![typed("happening", "Synthetic: panicky before school.")],
        ),
    ]);
    if parent {
        steps.push((q("awareness"), vec![Answer::Tick("aware")]));
    }
    let mut contact = vec![typed("phone", "07700 900 982")];
    if parent {
        contact.insert(0, typed("your-name", "Carer Testback"));
    }
    steps.extend([
        (q("contact"), contact),
        (q("sharing"), vec![Answer::Tick("understood")]),
        (q("about-you"), Vec::new()),
        (q("about-support"), Vec::new()),
    ]);
    let paths: Vec<String> = steps.iter().map(|(p, _)| p.clone()).collect();
    for (i, (path, answers)) in steps.iter().enumerate() {
        let next = paths.get(i + 1).cloned().unwrap_or_else(|| q("check"));
        answer(app, path, answers, &next).await;
    }
    assert_eq!(app.heading().await, "Check your answers before sending");
    assert!(app.text(".nhsuk-summary-list").await.contains("Testback"));
    assert!(app.text("#promise").await.contains("within 5 days"));

    human_pause(app);
    app.press("button[value=send]").await;
    assert_eq!(app.path().await, "/get-help/done");
    assert_eq!(app.heading().await, "Your request has been sent");
    assert!(app.text("#promise").await.contains("within 5 days"));
    let reference = app.text("#reference").await;
    // Refresh and Back: the same confirmation, no second referral.
    app.client.refresh().await.unwrap();
    assert_a_real_page(app, "/get-help/done").await;
    assert_eq!(app.text("#reference").await, reference);
    app.client.back().await.unwrap();
    // Back may show the sent check page again from the browser's back-forward cache, with no
    // request; sending it again sends nothing new: the sent draft answers with the
    // confirmation.
    if app.path().await != "/get-help/done" {
        app.press("button[value=send]").await;
    }
    assert_eq!(app.path().await, "/get-help/done", "the sent check page");
    assert_eq!(app.text("#reference").await, reference);
    assert_eq!(app.store.count_rows("referrals").await.unwrap(), 1);
    reference
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_young_persons_answers_survive_back_and_refresh_at_every_question() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(390).await;
    app.goto("/").await;
    // Every door from the home page.
    let doors = app.text("#doors").await;
    for door in [
        "Ask for support for yourself",
        "as a parent or carer",
        "Refer a child or young person",
        "advice or a consultation",
    ] {
        assert!(doors.contains(door), "{door}: {doors}");
    }
    app.follow("Ask for support for yourself").await;
    assert_eq!(app.path().await, "/get-help/q/date-of-birth");
    let first = app.text("#before-you-start").await;
    assert!(first.contains("Who will see what you tell us"), "{first}");
    assert!(first.contains("within 5 days"), "{first}");
    app.check_page("get help: first question, who will see what")
        .await;
    let reference = every_question_with_back_and_refresh(&app, false).await;
    assert!(reference.starts_with("NWD-"));

    // A journey whose draft has gone: the friendly page, checked with axe.
    app.client.delete_all_cookies().await.unwrap();
    app.goto("/get-help/q/name").await;
    assert_eq!(app.heading().await, "Your answers have expired");
    app.check_accessibility("journey expired").await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parents_answers_survive_back_and_refresh_at_every_question() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(1280).await;
    app.goto("/").await;
    app.follow("Ask for support for your child, as a parent or carer")
        .await;
    assert_eq!(app.path().await, "/get-help/q/relationship");
    assert!(app
        .text("#before-you-start")
        .await
        .contains("unless we are worried that your child"));
    app.check_page("get help: parent's first question").await;
    every_question_with_back_and_refresh(&app, true).await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journey_survives_back_and_refresh_without_javascript() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start_with(320, false).await;
    app.goto("/get-help").await;
    assert_eq!(app.path().await, "/get-help/q/date-of-birth");
    every_question_with_back_and_refresh(&app, false).await;
    app.finish().await;
}
