//! The overdue risk reviews.

use reqwest::Method;
use serde_json::json;

use crate::on_both_backends;
use crate::support::{fields, html, page, problem, TestApp};

use super::{order, triaged, urgency};

/// A risk review date set at triage or later: once the date has passed (from the next local
/// midnight) the referral is on the overdue risk reviews page, most overdue first; a new
/// review date takes it off.
async fn overdue_risk_reviews_are_listed_most_overdue_first(app: &TestApp) {
    let service = app
        .service("Review service", &["getting_help"], 5, 25, "community")
        .await;
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::get("Europe/London").unwrap())
        .date();
    let (later, v_later) = triaged(app, &service, "routine", "medium").await;
    let (sooner, v_sooner) = triaged(app, &service, "routine", "high").await;
    let tomorrow = today.checked_add(jiff::Span::new().days(1)).unwrap();
    let in_three = today.checked_add(jiff::Span::new().days(3)).unwrap();
    for (id, version, on) in [(&later, v_later, in_three), (&sooner, v_sooner, tomorrow)] {
        let response = urgency(
            app,
            &app.coordinator_token,
            id,
            version,
            json!({"risk_review_on": on.to_string(), "reason": "Review agreed (synthetic)."}),
        )
        .await;
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
    }
    // A date in the past is refused, naming the field.
    let yesterday = today.checked_sub(jiff::Span::new().days(1)).unwrap();
    let refused = problem(
        urgency(
            app,
            &app.coordinator_token,
            &later,
            v_later + 1,
            json!({"risk_review_on": yesterday.to_string(), "reason": "Typo (synthetic)."}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&refused), ["risk_review_on"]);
    let get = || async {
        html(
            page(
                app,
                &app.coordinator_token,
                Method::GET,
                "/staff/risk-reviews",
            )
            .send()
            .await
            .unwrap(),
            200,
        )
        .await
    };
    let none = get().await;
    assert!(none.contains("No risk review is overdue."));
    // Six days on: both overdue, the one due sooner first.
    app.advance_clock(jiff::SignedDuration::from_hours(6 * 24));
    let listed = get().await;
    assert!(listed.contains("2 referrals not closed"), "{listed}");
    assert_eq!(order(&listed, &[&sooner, &later]), [0, 1]);
    assert!(listed.contains("days overdue"));
    assert!(listed.contains("High risk"));
    // A new review date takes it off the list.
    let next = today.checked_add(jiff::Span::new().days(30)).unwrap();
    let response = urgency(
        app,
        &app.coordinator_token,
        &sooner,
        v_sooner + 1,
        json!({"risk_review_on": next.to_string(), "reason": "Reviewed, still high (synthetic)."}),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(order(&get().await, &[&sooner, &later]), [1]);
    // The risk reviews page is in the clinical menu.
    assert!(listed.contains("href=\"/staff/risk-reviews\""));
}
on_both_backends!(overdue_risk_reviews_are_listed_most_overdue_first);
