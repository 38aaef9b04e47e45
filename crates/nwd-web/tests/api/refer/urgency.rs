//! An unverified referrer's urgency is a request for triage to confirm.

use reqwest::Method;

use crate::on_both_backends;
use crate::support::TestApp;

use super::{fill, the_referral, Browser};

/// Anonymous `/refer` (issue 15): anyone can claim to be a professional, so an unverified
/// referral's stated urgency is a request for triage to confirm. It is stored as the requested
/// priority, measured against the urgent triage standard (24 hours, not the routine 5 days),
/// shown to triage, but not the clinical priority: it orders no waiting list until triage
/// confirms it, and triage must state the priority while the request is pending.
async fn an_unverified_referrers_urgency_is_a_request_for_triage(app: &TestApp) {
    let service = app
        .service(
            "Urgency Service",
            &["getting_help"],
            5,
            18,
            "eating_disorder",
        )
        .await;
    let mut browser = Browser::start(app).await;
    fill(&mut browser, "referral", "yes").await;
    app.advance_clock(jiff::SignedDuration::from_secs(60));
    let send = browser.send_pairs();
    browser.post("/refer", &send).await;
    assert_eq!(browser.title(), "Your referral has been sent");
    let (referral, _) = the_referral(app).await;
    let id = referral["id"].as_str().unwrap().to_owned();
    assert_eq!(referral["priority"], "routine");
    assert_eq!(referral["requested_priority"], "urgent");
    assert!(referral["request_reason"]
        .as_str()
        .unwrap()
        .contains("not signed in"));
    // Triage sees the request and its 24-hour triage standard on the referral page.
    let page = app
        .staff(Method::GET, &format!("/staff/referrals/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Urgent requested"), "{page}");
    assert!(page.contains("Asked for by the sender"));
    assert!(
        page.contains("(23 hours)") || page.contains("(24 hours)"),
        "{page}"
    );
    // An "urgent" request is not a crisis: not on the crisis list.
    let crisis = app
        .staff(Method::GET, "/staff/crisis")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!crisis.contains(&reference_in_list(&id)));
    // Triage without stating the priority is refused while the request is pending.
    let triage = |priority: Option<&str>| {
        let mut body = serde_json::json!({"need_group": "getting_help", "risk": "medium",
            "rationale": "Synthetic rationale.",
            "destinations": [{"type": "allocate", "service_id": service}]});
        if let Some(priority) = priority {
            body["priority"] = serde_json::json!(priority);
        }
        app.staff(Method::POST, &format!("/api/referrals/{id}/triage"))
            .header("If-Match", "\"1\"")
            .json(&body)
            .send()
    };
    let refused = crate::support::problem(triage(None).await.unwrap(), 422).await;
    assert_eq!(crate::support::fields(&refused), ["priority"]);
    // Triage confirms routine: the request is settled; the eating-disorder wait is the
    // routine 4 weeks, not the urgent week.
    let confirmed: serde_json::Value = triage(Some("routine")).await.unwrap().json().await.unwrap();
    assert_eq!(confirmed["referral"]["priority"], "routine");
    assert!(confirmed["referral"]["requested_priority"].is_null());
    let list: serde_json::Value = app
        .staff(
            Method::GET,
            &format!("/api/services/{service}/waiting-list"),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        list["entries"][0]["standard"],
        "Eating disorders: routine, 4 weeks"
    );
}
on_both_backends!(an_unverified_referrers_urgency_is_a_request_for_triage);

/// The reference as lists show it.
fn reference_in_list(id: &str) -> String {
    let simple = id.replace('-', "").to_uppercase();
    format!("NWD-{}-{}", &simple[0..4], &simple[4..8])
}
