//! Hazard H-11, control C-11.2: every public page is one click from urgent help, and the
//! urgent-help page answers even when the address has been rate limited for submissions.

use reqwest::Method;

use crate::on_both_backends;
use crate::support::TestApp;

/// The public pages a young person, parent or professional can land on.
const PUBLIC_PAGES: [&str; 5] = [
    "/",
    "/get-help/q/date-of-birth",
    "/refer",
    "/find-support",
    "/status/not-a-real-status-token",
];

async fn every_public_page_links_to_urgent_help_even_when_rate_limited(app: &TestApp) {
    for path in PUBLIC_PAGES {
        let response = app.public(Method::GET, path).send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        // 410: a question page without its journey's draft ("Your answers have expired").
        assert!(
            [200, 404, 410].contains(&status),
            "{path} answered {status}"
        );
        assert!(
            body.contains("href=\"/urgent-help\""),
            "{path} has no link to urgent help"
        );
    }
    // The journeys' first questions, from their drafts.
    for start in ["/get-help", "/get-help/parent-carer"] {
        let journey = crate::journeys::Journey::start(app, start).await;
        let body = journey.page(&journey.first).await;
        assert!(body.contains("href=\"/urgent-help\""), "{start}");
    }
    // Exhaust this address's allowance for anonymous submissions.
    let mut limited = false;
    for _ in 0..60 {
        let response = app
            .public(Method::POST, "/api/self-referrals")
            .json(&crate::intake::self_referral_body())
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "60 submissions in a row were never limited");
    // The urgent-help page still answers, with the emergency and NHS 111 numbers, every time.
    for _ in 0..50 {
        let response = app
            .public(Method::GET, "/urgent-help")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let body = response.text().await.unwrap();
        assert!(body.contains("tel:999") && body.contains("tel:111"));
    }
}
on_both_backends!(
    every_public_page_links_to_urgent_help_even_when_rate_limited,
    strict
);
