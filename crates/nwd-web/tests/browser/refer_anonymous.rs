//! A professional asks for an anonymous consultation from `/refer/advice` on a 320 px
//! phone, by keyboard: the journey asks only an age band and an area about the young person,
//! every page is axe clean, and what is stored is a consultation with no person and no
//! referral.

use crate::journeys::human_pause;
use crate::support::{browser_wanted, BrowserApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_asks_for_an_anonymous_consultation_at_320_px() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(320).await;
    app.goto("/refer/advice").await;
    app.check_page("refer advice: start").await;
    app.press("#start").await;

    // Advice is already chosen: the first question is whether they can name the child.
    assert_eq!(
        app.heading().await,
        "Can you tell us who the young person is?"
    );
    app.check_page("refer advice: identify").await;
    app.space_on("identify-2").await; // anonymous
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "Where do you work?");
    app.space_on("source").await; // school
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "How can we contact you?");
    app.type_into("referrer-name", "R. Teacher").await;
    app.type_into("referrer-role", "Head of year").await;
    app.type_into("organisation", "Synthetic Academy").await;
    app.type_into("referrer-email", "hoy@school.example").await;
    app.enter_in("referrer-email").await;

    // No name, date of birth, NHS number or postcode: an age band and an area only.
    assert_eq!(app.heading().await, "How old is the young person?");
    app.check_page("refer advice: age and area").await;
    app.space_on("age-band").await;
    app.type_into("area", "Maidstone").await;
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "What are you worried about?");
    app.space_on("reasons").await; // worries or anxiety
    app.press("button[value=continue]").await;

    assert_eq!(
        app.heading().await,
        "What are you worried about, and what has been tried?"
    );
    app.type_into("needs", "A pupil avoids lessons; how can school help?")
        .await;
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "How soon is a response needed?");
    app.space_on("priority").await; // routine
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "Check your answers before sending");
    app.check_page("refer advice: check").await;
    let check = app.text(".nhsuk-summary-list").await;
    assert!(check.contains("Maidstone"), "{check}");

    human_pause(&app);
    app.press("#send").await;
    assert_eq!(
        app.heading().await,
        "Your request for a consultation has been sent"
    );
    app.check_page("refer advice: confirmation").await;
    assert_eq!(app.store.count_rows("consultations").await.unwrap(), 1);
    assert_eq!(app.store.count_rows("persons").await.unwrap(), 0);
    assert_eq!(app.store.count_rows("referrals").await.unwrap(), 0);
    app.finish().await;
}
