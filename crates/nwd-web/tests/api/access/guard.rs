//! The guard's other duties: anonymous submissions are size- and rate-limited, and server
//! timing names its phases.

use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{problem, TestApp};

use super::{agency, ALPHA};

async fn anonymous_submissions_are_size_and_rate_limited(app: &TestApp) {
    // Too large: refused before it is read, nothing written.
    let mut body = crate::intake::self_referral_body();
    body["presenting_needs"] = json!("x".repeat(20 * 1024));
    // Refused unread, so the server closes the connection: not one to reuse.
    let response = app
        .public(Method::POST, "/api/self-referrals")
        .header("connection", "close")
        .json(&body)
        .send()
        .await
        .unwrap();
    problem(response, 413).await;
    assert_eq!(app.count("referrals").await, 0);
    // A flood from one address meets 429 with Retry-After; reading the directory never does.
    let mut limited = None;
    for _ in 0..40 {
        let response = app
            .public(Method::POST, "/api/self-referrals")
            .json(&crate::intake::self_referral_body())
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
    }
    let limited = limited.expect("40 submissions in a row were never limited");
    assert!(limited.headers().contains_key("retry-after"));
    let body = problem(limited, 429).await;
    assert!(body["detail"].as_str().unwrap().contains("111"));
    for _ in 0..60 {
        let response = app
            .public(Method::GET, "/api/services")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
}
on_both_backends!(anonymous_submissions_are_size_and_rate_limited, strict);

/// With server timing on, an allowed read says what each phase of the guard cost, and the
/// phases add up to no more than the client saw; denials and public pages carry no timings.
async fn server_timing_names_the_guard_phases(app: &TestApp) {
    let a = agency(app, "Alpha", &ALPHA).await;
    nwd_web::secure::set_server_timing(true);
    let started = std::time::Instant::now();
    let response = app
        .staff(Method::GET, &format!("/api/referrals/{}", a.referral))
        .send()
        .await
        .unwrap();
    let seen_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(response.status(), 200);
    let header = response
        .headers()
        .get("server-timing")
        .expect("an allowed read carries Server-Timing")
        .to_str()
        .unwrap()
        .to_owned();
    let phases: Vec<(String, f64)> = header
        .split(',')
        .map(|m| {
            let (name, ms) = m.trim().split_once(";dur=").unwrap();
            (name.to_owned(), ms.parse().unwrap())
        })
        .collect();
    let names: Vec<&str> = phases.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["authn", "policy", "app", "audit"]);
    let sum: f64 = phases.iter().map(|(_, ms)| ms).sum();
    assert!(phases.iter().all(|(_, ms)| *ms >= 0.0));
    assert!(sum <= seen_ms, "{sum} ms of phases > {seen_ms} ms seen");
    // Not signed in: no timings.
    let response = app
        .public(Method::GET, &format!("/api/referrals/{}", a.referral))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().get("server-timing").is_none());
}
on_both_backends!(server_timing_names_the_guard_phases, strict);
