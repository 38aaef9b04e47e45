//! The public statements at phone width (390 px), each passing axe-core and the other page
//! checks, and "Exit this page": shown with its Shift hint when JavaScript runs, and pressing
//! Shift three times leaves the site in the same tab.

use std::time::Duration;

use fantoccini::Locator;

use crate::support::{browser_wanted, BrowserApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statements_pass_the_checks_and_shift_three_times_exits() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(390).await;
    for (path, heading) in [
        ("/privacy-notice", "Privacy notice"),
        ("/accessibility", "Accessibility statement"),
        ("/cookies", "Cookies"),
        ("/contact", "Contact us"),
    ] {
        app.goto(path).await;
        assert_eq!(app.heading().await, heading, "{path}");
        app.check_page(path).await;
    }
    // The footer leads to them.
    app.goto("/get-help").await;
    app.follow("Privacy notice").await;
    assert_eq!(app.path().await, "/privacy-notice");

    // With JavaScript the hint shows; three presses of Shift leave for the neutral site.
    app.goto("/get-help").await;
    let hint = app
        .client
        .find(Locator::Id("exit-this-page-hint"))
        .await
        .unwrap();
    assert!(hint.is_displayed().await.unwrap(), "the Shift hint shows");
    let body = app.client.find(Locator::Css("body")).await.unwrap();
    // Capitals typed with Shift do not count, however many.
    body.send_keys("ABCDEF").await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app
        .client
        .current_url()
        .await
        .unwrap()
        .as_str()
        .starts_with(&app.base));
    // Two presses do nothing.
    for _ in 0..2 {
        body.send_keys("\u{E008}").await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(app
        .client
        .current_url()
        .await
        .unwrap()
        .as_str()
        .starts_with(&app.base));
    body.send_keys("\u{E008}").await.unwrap();
    let mut left = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let url = app.client.current_url().await.unwrap();
        if !url.as_str().starts_with(&app.base) {
            assert_eq!(url.host_str(), Some("www.bbc.co.uk"), "{url}");
            left = true;
            break;
        }
    }
    assert!(left, "Shift three times left the page");
    app.finish().await;
}
