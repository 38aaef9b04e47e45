//! A young person refers themselves, by keyboard, and the single point of access finds the
//! referral in its triage queue; a parent or carer, and a professional (one question per page),
//! by keyboard too.

use fantoccini::Locator;

use crate::support::{browser_wanted, BrowserApp};

/// The self-referral journey, keyboard only (fields are typed into, checkboxes ticked with
/// Space, forms sent with Enter), then the staff side: sign in, the queue, the referral.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_young_person_refers_themselves_and_the_referral_reaches_the_triage_queue() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(1280).await;
    app.service(
        "Synthetic Wellbeing Project",
        "voluntary_community",
        &["getting_advice", "getting_help"],
        (11, 25),
        true,
    )
    .await;

    app.goto("/").await;
    assert_eq!(app.heading().await, "Get support with your mental health");
    app.check_page("start page").await;

    // Urgent help is one click from the start page.
    app.follow("Urgent help: get help now").await;
    assert_eq!(app.heading().await, "Get help now");
    let urgent = app.text("main").await;
    for expected in ["999", "111", "85258", "0800 1111"] {
        assert!(urgent.contains(expected), "urgent help shows {expected}");
    }
    app.check_page("urgent help").await;

    app.goto("/").await;
    app.press("main a.nhsuk-button").await;
    assert_eq!(app.path().await, "/get-help/q/date-of-birth");
    assert_eq!(app.heading().await, "What is your date of birth?");
    app.check_page("date of birth").await;

    // An empty answer: the error summary links to the field.
    app.enter_in("dob-day").await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("Enter your date of birth"));
    let link = app
        .client
        .find(Locator::Css(".nhsuk-error-summary a"))
        .await
        .unwrap();
    assert_eq!(
        link.attr("href").await.unwrap().as_deref(),
        Some("#dob-day")
    );
    assert!(app.client.title().await.unwrap().starts_with("Error: "));
    app.check_page("date of birth with an error").await;

    // 15 years old: the under-16 explanation will show.
    let year = jiff::Zoned::now().year() - 15;
    app.type_into("dob-day", "9").await;
    app.type_into("dob-month", "4").await;
    app.type_into("dob-year", &year.to_string()).await;
    app.enter_in("dob-year").await;

    assert_eq!(app.heading().await, "What is your name?");
    app.check_page("name").await;
    app.type_into("given-name", "Synthia").await;
    app.type_into("family-name", "Testyoung").await;
    app.enter_in("family-name").await;

    assert_eq!(app.heading().await, "What is your postcode?");
    app.check_page("postcode").await;
    app.type_into("postcode", "ME14 1XX").await;
    app.enter_in("postcode").await;

    assert_eq!(app.heading().await, "What would you like help with?");
    app.check_page("help with").await;
    app.space_on("reasons").await; // worried, anxious or panicky
    app.space_on("reasons-3").await; // hurting yourself
    app.press("button[value=continue]").await;

    // The safety question (answered no here; `safety_interruption` answers yes).
    assert_eq!(app.heading().await, "Your safety");
    app.check_page("safety question").await;
    app.space_on("safety-thoughts-2").await;
    app.space_on("safety-harmed-2").await;
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "Tell us what has been happening");
    app.check_page("what is happening").await;
    // Free text is shown back inert, never run.
    app.type_into(
        "happening",
        "I feel panicky before school most days. <script>alert(1)</script>",
    )
    .await;
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "How can we contact you?");
    app.check_page("contact").await;
    app.type_into("phone", "07700 900 982").await;
    app.enter_in("phone").await;

    assert_eq!(app.heading().await, "Who can we talk to about this?");
    assert!(app.text("main").await.contains("Because you are under 16"));
    app.check_page("sharing").await;
    app.space_on("share").await; // GP
    app.press("button[value=continue]").await;
    // Consent is required.
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("Tick the box"));
    app.space_on("understood").await;
    app.press("button[value=continue]").await;
    crate::about::skip_about_pages(&app, false).await;

    assert_eq!(app.heading().await, "Check your answers before sending");
    let answers = app.text(".nhsuk-summary-list").await;
    assert!(answers.contains("Synthia Testyoung"));
    assert!(
        answers.contains("<script>alert(1)</script>"),
        "shown as text"
    );
    app.check_page("check your answers").await;
    app.assert_no_store("check your answers").await;

    // Change an answer from the summary, and come straight back.
    app.press("#change-postcode").await;
    assert_eq!(app.heading().await, "What is your postcode?");
    app.type_into("postcode", "ME15 6AA").await;
    app.enter_in("postcode").await;
    assert_eq!(app.heading().await, "Check your answers before sending");
    assert!(app.text(".nhsuk-summary-list").await.contains("ME15 6AA"));

    // The anti-automation check refuses a send sooner than a person could make it.
    human_pause(&app);
    app.press("button[value=send]").await;
    assert_eq!(app.heading().await, "Your request has been sent");
    let reference = app.text("#reference").await;
    assert!(reference.starts_with("NWD-"), "{reference}");
    app.check_page("confirmation").await;
    let status_link = app
        .client
        .find(Locator::Id("status-link"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();

    // Sending the same journey twice makes one referral (back, then send again).
    app.client.back().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    if app.heading().await == "Check your answers before sending" {
        app.press("button[value=send]").await;
        assert_eq!(app.text("#reference").await, reference);
    }
    let referrals = app.store.count_rows("referrals").await.unwrap();
    assert_eq!(referrals, 1);

    // The private status link: received, nothing identifying.
    app.goto(&status_link).await;
    assert_eq!(app.heading().await, "Your request");
    let status = app.text("main").await;
    assert!(status.contains("We have received the request."), "{status}");
    assert!(!status.contains("Synthia") && !status.contains("panicky"));
    app.check_page("status link").await;
    app.assert_no_store("status link").await;

    // The directory.
    app.goto("/find-support?age=15&area=ME14&self_referral=yes")
        .await;
    assert!(app
        .text("main")
        .await
        .contains("Synthetic Wellbeing Project"));
    app.check_page("find support").await;
    app.follow("Synthetic Wellbeing Project").await;
    assert_eq!(app.heading().await, "Synthetic Wellbeing Project");
    app.check_page("service page").await;

    // A sign-in through an identity provider that is not configured: the one refusal page
    // every failed OpenID Connect sign-in shows.
    app.goto("/staff/oidc/not-configured").await;
    assert_eq!(app.heading().await, "You could not be signed in");
    app.check_page("identity provider sign-in refused").await;

    // Staff: sign in with username, password and the authenticator code.
    app.goto("/staff").await;
    assert_eq!(app.path().await, "/staff/sign-in");
    app.check_page("sign in").await;
    app.type_into("username", &app.triage.username).await;
    app.type_into("password", "not the password").await;
    app.type_into("code", &app.triage.code()).await;
    app.enter_in("code").await;
    assert!(app.text(".nhsuk-error-summary").await.contains("not right"));
    app.check_page("sign in failed").await;
    app.type_into("password", &app.triage.password.clone())
        .await;
    app.type_into("code", &app.triage.code()).await;
    app.enter_in("code").await;

    assert_eq!(app.path().await, "/staff/triage");
    assert_eq!(app.heading().await, "Triage queue");
    let queue = app.text("table").await;
    assert!(
        queue.contains(&reference),
        "the new referral is in the queue: {queue}"
    );
    assert!(queue.contains("Self-referral"));
    app.check_page("triage queue").await;
    app.assert_no_store("triage queue").await;

    app.follow("Synthia Testyoung").await;
    assert_eq!(app.heading().await, format!("Referral {reference}"));
    let page = app.text("main").await;
    assert!(page.contains("Synthia Testyoung"));
    assert!(page.contains("Received from self-referral"));
    assert!(
        page.contains("<script>alert(1)</script>"),
        "free text is inert"
    );
    app.check_page("referral").await;
    app.assert_no_store("referral").await;

    // Sign out ends the session.
    app.press(".nhsuk-header__account-button").await;
    assert_eq!(app.path().await, "/staff/sign-in");
    app.goto("/staff").await;
    assert_eq!(app.path().await, "/staff/sign-in");

    app.finish().await;
}

/// Lets the time a person would need to fill the form pass on the server's clock
/// (`limits::DEFAULT_FORM_MIN_SECONDS` and one more), instead of waiting for it.
pub fn human_pause(app: &BrowserApp) {
    app.advance_clock(jiff::SignedDuration::from_secs(
        nwd_web::limits::DEFAULT_FORM_MIN_SECONDS + 1,
    ));
}

/// A parent or carer refers their child, keyboard only, and follows the status link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_refers_their_child_by_keyboard() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(1280).await;
    app.goto("/get-help/parent-carer").await;
    assert_eq!(
        app.heading().await,
        "How are you related to the child or young person?"
    );
    app.check_page("parent: relationship").await;
    app.press("button[value=continue]").await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("Choose how you are related"));
    app.check_page("parent: relationship with an error").await;
    app.space_on("relationship-4").await; // foster carer
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "What is their date of birth?");
    app.check_page("parent: date of birth").await;
    let year = jiff::Zoned::now().year() - 12;
    app.type_into("dob-day", "9").await;
    app.type_into("dob-month", "4").await;
    app.type_into("dob-year", &year.to_string()).await;
    app.enter_in("dob-year").await;

    assert_eq!(app.heading().await, "What is their name?");
    app.check_page("parent: name").await;
    app.type_into("given-name", "Synthia").await;
    app.type_into("family-name", "Testyoung").await;
    app.enter_in("family-name").await;

    assert_eq!(app.heading().await, "What is their postcode?");
    app.type_into("postcode", "ME14 1XX").await;
    app.enter_in("postcode").await;

    assert_eq!(app.heading().await, "What would they like help with?");
    app.check_page("parent: help with").await;
    app.space_on("reasons").await;
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "Their safety");
    app.check_page("parent: safety question").await;
    app.space_on("safety-thoughts-2").await;
    app.space_on("safety-harmed-2").await;
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "Tell us what has been happening");
    app.type_into("happening", "Panicky before school most days.")
        .await;
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "Do they know you are asking for help?");
    app.check_page("parent: awareness").await;
    app.space_on("aware").await;
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "How can we contact you?");
    app.check_page("parent: contact").await;
    app.type_into("your-name", "Carer Testperson").await;
    app.type_into("phone", "07700 900 982").await;
    app.enter_in("phone").await;

    assert_eq!(app.heading().await, "Who can we talk to about this?");
    app.check_page("parent: sharing").await;
    app.space_on("understood").await;
    app.press("button[value=continue]").await;
    crate::about::skip_about_pages(&app, true).await;

    assert_eq!(app.heading().await, "Check your answers before sending");
    let answers = app.text(".nhsuk-summary-list").await;
    assert!(answers.contains("Foster carer"));
    assert!(answers.contains("Yes, and they agree to it"));
    app.check_page("parent: check your answers").await;
    human_pause(&app);
    app.press("button[value=send]").await;
    assert_eq!(app.heading().await, "Your request has been sent");
    app.check_page("parent: confirmation").await;
    app.follow("See the status of your request").await;
    assert_eq!(app.heading().await, "Your request");
    app.check_page("parent: status link").await;
    assert_eq!(app.store.count_rows("referrals").await.unwrap(), 1);
    app.finish().await;
}

/// A teacher refers a pupil on the public professional form, keyboard only, one question per
/// page: the start page, every question (axe on each, with and without an error), the back
/// link, "Check your answers" with a change that comes back to it, and the confirmation;
/// one referral.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_refers_a_pupil_by_keyboard_one_question_per_page() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(1280).await;
    app.goto("/refer").await;
    assert_eq!(
        app.heading().await,
        "Refer a young person, or ask for advice"
    );
    let start = app.text("main").await;
    assert!(start.contains("This is not for emergencies"), "{start}");
    assert!(start.contains("ask for advice or a consultation"));
    app.check_page("refer: start").await;
    app.follow("Start now").await;
    assert_eq!(app.path().await, "/refer/q/kind");

    assert_eq!(app.heading().await, "What would you like to do?");
    app.check_page("refer: kind").await;
    // No answer: the error summary links to the field.
    app.press("button[value=continue]").await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("Choose whether you are making a referral, asking for advice, or both"));
    let link = app
        .client
        .find(Locator::Css(".nhsuk-error-summary a"))
        .await
        .unwrap();
    assert_eq!(link.attr("href").await.unwrap().as_deref(), Some("#kind"));
    assert!(app.client.title().await.unwrap().starts_with("Error: "));
    app.check_page("refer: kind with an error").await;
    app.space_on("kind").await; // a referral
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "Where do you work?");
    app.check_page("refer: source").await;
    // The back link keeps the answer given.
    app.press("a.nhsuk-back-link").await;
    assert_eq!(app.heading().await, "What would you like to do?");
    assert!(app.client.find(Locator::Css("#kind:checked")).await.is_ok());
    app.press("button[value=continue]").await;
    assert_eq!(app.heading().await, "Where do you work?");
    app.space_on("source").await; // school
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "How can we contact you?");
    app.check_page("refer: contact").await;
    app.type_into("referrer-name", "R. Teacher").await;
    app.type_into("referrer-role", "Designated safeguarding lead")
        .await;
    app.type_into("organisation", "Synthetic Academy").await;
    app.type_into("referrer-email", "dsl@school.example").await;
    app.enter_in("referrer-email").await;

    assert_eq!(app.heading().await, "What is the young person's name?");
    app.check_page("refer: name").await;
    app.type_into("given-name", "Synthia").await;
    app.type_into("family-name", "Testpupil").await;
    app.enter_in("family-name").await;

    assert_eq!(app.heading().await, "What is their date of birth?");
    app.check_page("refer: date of birth").await;
    app.type_into("dob-day", "3").await;
    app.type_into("dob-month", "2").await;
    app.type_into("dob-year", "11").await;
    app.enter_in("dob-year").await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("Year must include 4 numbers"));
    app.check_page("refer: date of birth with an error").await;
    app.type_into("dob-year", &(jiff::Zoned::now().year() - 14).to_string())
        .await;
    app.enter_in("dob-year").await;

    assert_eq!(app.heading().await, "What is their NHS number?");
    app.check_page("refer: NHS number").await;
    app.type_into("nhs-number", "999 000 0018").await;
    app.enter_in("nhs-number").await;

    assert_eq!(app.heading().await, "What is their postcode?");
    app.check_page("refer: postcode").await;
    app.type_into("postcode", "ME14 1XX").await;
    app.enter_in("postcode").await;

    assert_eq!(app.heading().await, "What are you worried about?");
    app.check_page("refer: difficulties").await;
    app.space_on("reasons").await; // worries or anxiety
    app.press("button[value=continue]").await;

    assert_eq!(
        app.heading().await,
        "What is happening, and what has been tried?"
    );
    app.check_page("refer: what is happening").await;
    app.type_into("needs", "Panic attacks in lessons since September.")
        .await;
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "How soon is a response needed?");
    app.check_page("refer: how soon").await;
    app.space_on("priority").await; // routine
    app.press("button[value=continue]").await;

    assert!(app.heading().await.starts_with("Does the young person"));
    app.check_page("refer: agreement").await;
    app.space_on("consent").await; // yes
    app.press("button[value=continue]").await;

    assert_eq!(
        app.heading().await,
        "Who can we contact about the young person?"
    );
    app.check_page("refer: family contact").await;
    app.type_into("carer-name", "Pat Testparent").await;
    app.type_into("carer-relationship", "Mother").await;
    app.type_into("carer-phone", "01632 960 002").await;
    app.space_on("carer-safety").await; // safe to contact
    app.press("button[value=continue]").await;

    // The optional questions about the young person: skipped.
    assert_eq!(app.heading().await, "About the young person");
    app.check_page("refer: about the young person").await;
    app.press("button[value=continue]").await;

    assert_eq!(app.heading().await, "Check your answers before sending");
    let answers = app.text(".nhsuk-summary-list").await;
    assert!(answers.contains("Synthia Testpupil"), "{answers}");
    assert!(answers.contains("999 000 0018"));
    app.check_page("refer: check your answers").await;
    app.assert_no_store("refer: check your answers").await;
    // Change an answer from the summary, and come straight back.
    app.press("#change-postcode").await;
    assert_eq!(app.heading().await, "What is their postcode?");
    app.type_into("postcode", "ME15 6AA").await;
    app.enter_in("postcode").await;
    assert_eq!(app.heading().await, "Check your answers before sending");
    assert!(app.text(".nhsuk-summary-list").await.contains("ME15 6AA"));
    assert_eq!(app.store.count_rows("referrals").await.unwrap(), 0);

    human_pause(&app);
    app.press("#send").await;
    assert_eq!(app.heading().await, "Your referral has been sent");
    assert!(app.text("#reference").await.starts_with("NWD-"));
    app.check_page("refer: confirmation").await;
    assert_eq!(app.store.count_rows("referrals").await.unwrap(), 1);
    app.finish().await;
}
