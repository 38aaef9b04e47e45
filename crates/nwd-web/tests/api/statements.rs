//! The public statements (privacy notice, accessibility statement, cookie statement, contact
//! page) with the organisation's configured text (`support::public_info`), linked from the
//! footer of every public page; and "Exit this page" at the top of every public page, a plain
//! link to a neutral site that works without JavaScript.

use reqwest::Method;

use crate::on_both_backends;
use crate::support::{html, public_info, TestApp};

const STATEMENTS: &[(&str, &str)] = &[
    ("/privacy-notice", "Privacy notice"),
    ("/accessibility", "Accessibility statement"),
    ("/cookies", "Cookies"),
    ("/contact", "Contact us"),
];

async fn get(app: &TestApp, path: &str) -> String {
    html(app.public(Method::GET, path).send().await.unwrap(), 200).await
}

async fn the_statements_answer_with_the_configured_text(app: &TestApp) {
    let info = public_info();
    for (path, heading) in STATEMENTS {
        let page = get(app, path).await;
        assert!(
            page.contains(&format!("<h1>{heading}</h1>")),
            "{path}: {page}"
        );
    }
    let privacy = get(app, "/privacy-notice").await;
    assert!(privacy.contains(&info.organisation));
    assert!(privacy.contains(&info.dpo_name));
    assert!(privacy.contains("href=\"mailto:dpo@testshire.example\""));
    assert!(privacy.contains("Information Commissioner"));

    let accessibility = get(app, "/accessibility").await;
    assert!(accessibility.contains(&info.organisation));
    assert!(accessibility.contains("last reviewed on 1 December 2026"));
    assert!(accessibility.contains("href=\"tel:01632960123\""));

    let cookies = get(app, "/cookies").await;
    assert!(cookies.contains("__Host-nwd_session") && cookies.contains("__Host-nwd_oidc"));
    assert!(cookies.contains("set no cookies"));

    let contact = get(app, "/contact").await;
    for text in [
        "Testshire Young Minds Partnership",
        "href=\"tel:01632960123\"",
        "01632 960 123",
        "Monday to Friday, 9am to 5pm",
        "href=\"mailto:spa@testshire.example\"",
        "1 Test Street, Testtown",
        "href=\"/urgent-help\"",
    ] {
        assert!(contact.contains(text), "{text}");
    }
    // And they set no cookie themselves.
    for (path, _) in STATEMENTS {
        let response = app.public(Method::GET, path).send().await.unwrap();
        assert!(!response.headers().contains_key("set-cookie"), "{path}");
    }
}
on_both_backends!(the_statements_answer_with_the_configured_text);

async fn every_public_page_links_the_statements_and_offers_exit_this_page(app: &TestApp) {
    let service = app
        .service("Linked Service", &["getting_help"], 5, 18, "community")
        .await;
    let pages = [
        "/".to_owned(),
        "/find-support".to_owned(),
        "/find-support?age=15&area=ME14".to_owned(),
        format!("/find-support/services/{service}"),
        "/urgent-help".to_owned(),
        "/refer".to_owned(),
        "/privacy-notice".to_owned(),
        "/accessibility".to_owned(),
        "/cookies".to_owned(),
        "/contact".to_owned(),
    ];
    let mut shown = Vec::new();
    for path in &pages {
        shown.push((path.clone(), get(app, path).await));
    }
    // The journeys' questions (shown from their drafts).
    for start in ["/get-help", "/get-help/parent-carer"] {
        let journey = crate::journeys::Journey::start(app, start).await;
        shown.push((journey.first.clone(), journey.page(&journey.first).await));
    }
    for (path, page) in &shown {
        let footer = &page[page.find("<footer").expect("a footer")..];
        for (href, _) in STATEMENTS {
            assert!(
                footer.contains(&format!("href=\"{href}\"")),
                "{path}: the footer links {href}"
            );
        }
        // Exit this page: before the main content, a plain link (no JavaScript needed) to a
        // neutral site in the same tab.
        let exit = page
            .find("id=\"exit-this-page\"")
            .unwrap_or_else(|| panic!("{path}: no exit link"));
        assert!(exit < page.find("id=\"maincontent\"").unwrap(), "{path}");
        let link = &page[page[..exit].rfind("<a ").unwrap()..];
        let link = &link[..link.find("</a>").unwrap()];
        assert!(
            link.contains("href=\"https://www.bbc.co.uk/weather\""),
            "{path}: {link}"
        );
        assert!(!link.contains("target="), "{path}: same tab");
        assert!(
            link.contains("nhsuk-button"),
            "{path}: the design system's button"
        );
        assert!(link.contains("Exit this page"));
    }
    // The HTML 404 is a public page too.
    let missing = app
        .public(Method::GET, "/no-such-page")
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let missing = html(missing, 404).await;
    assert!(missing.contains("href=\"/privacy-notice\"") && missing.contains("exit-this-page"));
}
on_both_backends!(every_public_page_links_the_statements_and_offers_exit_this_page);
