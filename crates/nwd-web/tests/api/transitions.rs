//! The transition list page in pages of 50, on both databases: the total counts the whole
//! list the caller may see, page 2 holds the rest in the same order (soonest to leave
//! first), the pagination links work without JavaScript, a page past the end shows the last
//! one, and a page that is not a number is refused naming the parameter.

use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{referral_body, staff_html as html, TestApp};

fn reference(id: &str) -> String {
    let simple = id.replace('-', "").to_uppercase();
    format!("NWD-{}-{}", &simple[0..4], &simple[4..8])
}

async fn transition_list_is_paged(app: &TestApp) {
    // A service to 17 (up to the 18th birthday); everyone leaves it within the notice period,
    // person i one day after person i - 1.
    let service = app
        .service(
            "Synthetic Transition Service",
            &["getting_help"],
            11,
            17,
            "community",
        )
        .await;
    let today = app.store.now().to_zoned(app.store.tz().clone()).date();
    let first_born = today
        .checked_sub(jiff::Span::new().years(18))
        .unwrap()
        .checked_add(jiff::Span::new().days(20))
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..51 {
        let born = first_born.checked_add(jiff::Span::new().days(i)).unwrap();
        let mut body = referral_body(None, "routine");
        body["person"]["date_of_birth"] = json!(born.to_string());
        body["person"]["given_name"] = json!(format!("Transition{i}"));
        let response = app
            .staff(Method::POST, "/api/referrals")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{:?}", response.text().await);
        let created: Value = response.json().await.unwrap();
        let id = created["referral"]["id"].as_str().unwrap().to_owned();
        let response = app
            .staff(Method::POST, &format!("/api/referrals/{id}/triage"))
            .header("If-Match", "\"1\"")
            .json(&json!({"need_group": "getting_help", "risk": "low", "rationale": "Synthetic rationale.",
                          "destinations": [{"type": "allocate", "service_id": service}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{:?}", response.text().await);
        ids.push(id);
    }
    let get = |path: &'static str| async move {
        html(app.staff(Method::GET, path).send().await.unwrap(), 200).await
    };
    let first = get("/staff/transitions").await;
    assert!(first.contains("51 young people on the list"), "{first}");
    assert!(first.contains("Showing 1 to 50 of 51."));
    assert!(first.contains("href=\"/staff/transitions?page=2\" class=\"nhsuk-pagination__next\""));
    let rows = |text: &str| -> Vec<usize> {
        ids.iter()
            .enumerate()
            .filter_map(|(i, id)| text.find(&reference(id)).map(|at| (at, i)))
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_values()
            .collect()
    };
    assert_eq!(rows(&first), (0..50).collect::<Vec<_>>(), "soonest first");
    let second = get("/staff/transitions?page=2").await;
    assert_eq!(rows(&second), [50]);
    assert!(second.contains("Showing 51 to 51 of 51."));
    assert!(second.contains("aria-label=\"Page 2\" aria-current=\"page\""));
    assert!(
        second.contains("href=\"/staff/transitions?page=1\" class=\"nhsuk-pagination__previous\"")
    );
    let past = get("/staff/transitions?page=9").await;
    assert_eq!(rows(&past), [50], "past the end: the last page");
    let response = app
        .staff(Method::GET, "/staff/transitions?page=two")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("page must be a page number from 1"));
}
on_both_backends!(transition_list_is_paged);

/// The transition list says who has a plan (date and receiving service) and who has none,
/// and a plan made through the API (the same command as the referral page's form) leaves
/// the service open and the young person on the list.
async fn the_transition_list_says_who_has_a_plan(app: &TestApp) {
    let leaving = app
        .service(
            "Synthetic Child Service",
            &["getting_help"],
            11,
            17,
            "community",
        )
        .await;
    let receiving = app
        .service(
            "Synthetic 0-25 Service",
            &["getting_help"],
            0,
            25,
            "community",
        )
        .await;
    let today = app.store.now().to_zoned(app.store.tz().clone()).date();
    let born = today
        .checked_sub(jiff::Span::new().years(18))
        .unwrap()
        .checked_add(jiff::Span::new().days(20))
        .unwrap();
    let mut ids = Vec::new();
    for name in ["Planned", "Unplanned"] {
        let mut body = referral_body(None, "routine");
        body["person"]["date_of_birth"] = json!(born.to_string());
        body["person"]["given_name"] = json!(name);
        let response = app
            .staff(Method::POST, "/api/referrals")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let created: Value = response.json().await.unwrap();
        let id = created["referral"]["id"].as_str().unwrap().to_owned();
        let response = app
            .staff(Method::POST, &format!("/api/referrals/{id}/triage"))
            .header("If-Match", "\"1\"")
            .json(&json!({"need_group": "getting_help", "risk": "low", "rationale": "Synthetic rationale.",
                          "destinations": [{"type": "allocate", "service_id": leaving}]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        ids.push(id);
    }
    let referral: Value = app
        .staff(Method::GET, &format!("/api/referrals/{}", ids[0]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let planned_on = today.checked_add(jiff::Span::new().days(15)).unwrap();
    let response = app
        .staff(
            Method::POST,
            &format!("/api/referrals/{}/transition-plan", ids[0]),
        )
        .header("If-Match", format!("\"{}\"", referral["version"]))
        .json(&json!({"allocation_id": referral["allocations"][0]["id"],
                      "outcome": "zero_to_twenty_five_service",
                      "receiving_service_id": receiving,
                      "planned_on": planned_on.to_string()}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let list = html(
        app.staff(Method::GET, "/staff/transitions")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(list.contains("2 young people on the list"), "{list}");
    let row = |id: &str| {
        let at = list.find(&reference(id)).unwrap();
        list[at..at + list[at..].find("</tr>").unwrap()].to_owned()
    };
    let planned = format!(
        "Planned for {}: Synthetic 0-25 Service",
        planned_on.strftime("%-d %b %Y")
    );
    assert!(row(&ids[0]).contains(&planned), "{}", row(&ids[0]));
    assert!(row(&ids[1]).contains("Not planned"), "{}", row(&ids[1]));
    assert!(!row(&ids[1]).contains("Planned for"));
}
on_both_backends!(the_transition_list_says_who_has_a_plan);
