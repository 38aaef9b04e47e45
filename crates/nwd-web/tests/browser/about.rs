//! "About the young person" in a real browser at phone width (320 px), keyboard only: the
//! self-referral's two optional pages (axe on each, with an error and without), shown on
//! "Check your answers" with a change link that comes back, then the triage clinician sees them
//! on the referral page and changes them on their own page, which ends with a success banner.

use fantoccini::Locator;

use crate::journeys::human_pause;
use crate::support::{browser_wanted, BrowserApp};

/// For the other journeys' tests: skips the two optional pages ("Continue" on each).
pub async fn skip_about_pages(app: &BrowserApp, parent: bool) {
    let (first, second) = if parent {
        ("About them", "About their support")
    } else {
        ("About you", "About your support")
    };
    assert_eq!(app.heading().await, first);
    app.press("button[value=continue]").await;
    assert_eq!(app.heading().await, second);
    app.press("button[value=continue]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_young_person_answers_the_optional_questions_on_a_phone() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(320).await;
    app.goto("/get-help").await;
    let year = jiff::Zoned::now().year() - 16;
    app.type_into("dob-day", "9").await;
    app.type_into("dob-month", "4").await;
    app.type_into("dob-year", &year.to_string()).await;
    app.enter_in("dob-year").await;
    app.type_into("given-name", "Synthia").await;
    app.type_into("family-name", "Testabout").await;
    app.enter_in("family-name").await;
    app.type_into("postcode", "ME14 1XX").await;
    app.enter_in("postcode").await;
    app.space_on("reasons").await;
    app.press("button[value=continue]").await;
    // The safety question (issue 14), answered no.
    app.space_on("safety-thoughts-2").await;
    app.space_on("safety-harmed-2").await;
    app.press("button[value=continue]").await;
    app.type_into("happening", "I feel panicky before school.")
        .await;
    app.press("button[value=continue]").await;
    app.type_into("phone", "07700 900 984").await;
    app.enter_in("phone").await;
    app.space_on("understood").await;
    app.press("button[value=continue]").await;

    // The first optional page says why we ask and that every question can be skipped.
    assert_eq!(app.heading().await, "About you");
    let main = app.text("main").await;
    assert!(
        main.contains("to check our services reach everyone"),
        "{main}"
    );
    app.check_page("about you").await;
    app.client
        .find(Locator::Id("ethnicity"))
        .await
        .unwrap()
        .select_by_value("mixed_white_asian")
        .await
        .unwrap();
    // "No": their gender is not the same as the sex registered at birth (the second option).
    app.space_on("gender_same_as_sex_at_birth-2").await;
    app.space_on("gender_identity-3").await; // non-binary
                                             // Too long a language: the error summary links to the field.
    app.type_into("first_language", &"x".repeat(130)).await;
    app.press("button[value=continue]").await;
    assert_eq!(app.heading().await, "About you");
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("120 characters"));
    app.check_page("about you with an error").await;
    app.type_into("first_language", "Polish").await;
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "About your support");
    app.check_page("about your support").await;
    app.space_on("looked_after").await; // yes
    app.space_on("young_carer-3").await; // prefer not to say
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "Check your answers before sending");
    let answers = app.text(".nhsuk-summary-list").await;
    assert!(answers.contains("Mixed - White and Asian"), "{answers}");
    assert!(answers.contains("Polish"));
    app.check_page("check your answers with the optional answers")
        .await;
    // Change from the summary, and come straight back: which school is asked with who we
    // may talk to.
    app.press("#change-sharing").await;
    assert_eq!(app.heading().await, "Who can we talk to about this?");
    app.type_into("school", "Synthetic Academy").await;
    app.press("button[value=continue]").await;
    assert_eq!(app.heading().await, "Check your answers before sending");
    assert!(app
        .text(".nhsuk-summary-list")
        .await
        .contains("Synthetic Academy"));
    human_pause(&app);
    app.press("button[value=send]").await;
    assert_eq!(app.heading().await, "Your request has been sent");
    let reference = app.text("#reference").await;

    // Staff with a relationship (the single point of access) see and change the answers.
    app.sign_in_as(&app.triage).await;
    app.goto("/staff/triage").await;
    // The queue names the young person; the reference is beside the name.
    assert!(app.text("main").await.contains(&reference));
    app.follow("Synthia Testabout").await;
    let page = app.text("main").await;
    assert!(page.contains("About the young person"), "{page}");
    assert!(page.contains("Mixed - White and Asian"));
    app.check_page("referral with the optional answers").await;
    app.follow("Change what we know about the young person")
        .await;
    assert_eq!(app.heading().await, "About the young person");
    app.check_page("about the young person").await;
    app.space_on("care_leaver-2").await; // no
    app.press("form[action*='/about'] button[type=submit]")
        .await;
    assert!(app.text("#saved").await.contains("Saved"));
    app.check_page("about the young person, saved").await;
    app.finish().await;
}
