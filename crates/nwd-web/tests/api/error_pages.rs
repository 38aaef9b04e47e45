//! What a browser and an API client get when no route answers (`nwd_http::fallback`): outside
//! `/api/` an NHS-styled HTML 404 or 405 for a client that accepts HTML, problem+json for
//! one that does not; under `/api/` problem+json always; a page address with a trailing slash
//! redirected (308) to the address without it, never to another site.

use reqwest::{Method, Response};

use crate::on_both_backends;
use crate::support::{no_redirects, TestApp};

/// What a browser sends when it navigates.
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

fn content_type(response: &Response) -> String {
    response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn send(app: &TestApp, method: Method, path: &str, accept: &str) -> Response {
    no_redirects()
        .request(method, format!("{}{path}", app.base))
        .header("accept", accept)
        .send()
        .await
        .unwrap()
}

/// Asserts the NHS-styled public error page with this status and heading.
async fn error_page(response: Response, status: u16, heading: &str) -> String {
    assert_eq!(response.status(), status);
    assert!(
        content_type(&response).starts_with("text/html"),
        "{}",
        content_type(&response)
    );
    assert!(response.headers().contains_key("content-security-policy"));
    let text = response.text().await.unwrap();
    assert!(text.contains(&format!("<h1>{heading}</h1>")), "{text}");
    assert!(text.contains("nhsuk-header"), "the design system's header");
    assert!(
        text.contains("href=\"/urgent-help\""),
        "urgent help is offered"
    );
    assert!(!text.contains("\"type\""), "no problem+json inside");
    text
}

async fn problem(response: Response, status: u16, kind: &str) {
    assert_eq!(response.status(), status);
    assert_eq!(content_type(&response), "application/problem+json");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().unwrap().ends_with(kind), "{body}");
}

async fn browsers_get_html_404_and_405_pages_and_the_api_keeps_problems(app: &TestApp) {
    // An unknown page address: HTML for a browser, problem+json for anything else.
    error_page(
        send(app, Method::GET, "/no-such-page", BROWSER).await,
        404,
        "Page not found",
    )
    .await;
    error_page(
        send(app, Method::GET, "/staff/no-such-page", BROWSER).await,
        404,
        "Page not found",
    )
    .await;
    problem(
        send(app, Method::GET, "/no-such-page", "*/*").await,
        404,
        "not-found",
    )
    .await;
    problem(
        send(app, Method::GET, "/no-such-page", "application/json").await,
        404,
        "not-found",
    )
    .await;
    // Under /api/, problem+json even for a browser.
    for path in ["/api/nothing-here", "/api"] {
        problem(
            send(app, Method::GET, path, BROWSER).await,
            404,
            "not-found",
        )
        .await;
    }

    // A page that only shows, sent a form: 405 with the methods it takes.
    let response = send(app, Method::POST, "/urgent-help", BROWSER).await;
    assert_eq!(response.headers()["allow"], "GET,HEAD");
    error_page(response, 405, "This page cannot do that").await;
    let response = send(app, Method::DELETE, "/get-help", BROWSER).await;
    assert!(response.headers().contains_key("allow"));
    error_page(response, 405, "This page cannot do that").await;
    problem(
        send(app, Method::POST, "/urgent-help", "*/*").await,
        405,
        "method-not-allowed",
    )
    .await;
    // The API's 405 is problem+json for everyone, with Allow.
    let response = send(app, Method::DELETE, "/healthz", BROWSER).await;
    assert!(response.headers().contains_key("allow"));
    problem(response, 405, "method-not-allowed").await;
    let response = send(app, Method::PATCH, "/api/openapi.json", "*/*").await;
    assert!(response.headers().contains_key("allow"));
    problem(response, 405, "method-not-allowed").await;

    // A handler's own 404 is untouched: the pages' status link for an unknown token.
    let pages = send(app, Method::GET, "/urgent-help", BROWSER).await;
    assert_eq!(pages.status(), 200);
}
on_both_backends!(browsers_get_html_404_and_405_pages_and_the_api_keeps_problems);

async fn a_trailing_slash_redirects_to_the_page_without_it(app: &TestApp) {
    for (from, to) in [
        ("/refer/", "/refer"),
        ("/urgent-help//", "/urgent-help"),
        ("/find-support/?q=anxiety", "/find-support?q=anxiety"),
    ] {
        let response = send(app, Method::GET, from, BROWSER).await;
        assert_eq!(response.status(), 308, "{from}");
        assert_eq!(response.headers()["location"], to, "{from}");
        // …where the page is.
        let page = send(app, Method::GET, to, BROWSER).await;
        assert_eq!(page.status(), 200, "{to}");
    }
    // Never to another site: `//host/` trimmed would be a protocol-relative address.
    let response = send(app, Method::GET, "//evil.example/", BROWSER).await;
    assert_eq!(response.status(), 404);
    assert!(!response.headers().contains_key("location"));
    // Encoded slashes stay encoded: a path on this site.
    let response = send(app, Method::GET, "/%2F%2Fevil.example/", BROWSER).await;
    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "/%2F%2Fevil.example");
    // The API is not redirected.
    problem(
        send(app, Method::GET, "/api/referrals/", BROWSER).await,
        404,
        "not-found",
    )
    .await;
}
on_both_backends!(a_trailing_slash_redirects_to_the_page_without_it);
