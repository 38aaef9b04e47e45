//! The quarterly performance report from the API, the page and its CSV (issue 20), on both
//! databases: this quarter and the four before, oldest first; the current one marked to date;
//! an empty quarter suppressed like any small count; the whole system's KPIs and a contract's
//! rated; the cost of the current quarter to date; a capped activity contract paid its value
//! and the rest shown as beyond it; the no-wrong-door ledger by quarter and by referrer, need
//! group and service, suppressed; a quarter not yet begun refused.

use reqwest::Method;

use crate::commissioning::commissioner;
use crate::on_both_backends;
use crate::support::{page, staff_html as html, TestApp};

/// A record whose contract runs through today: £365,000 a year in 2026/27 and 2027/28
/// (£1,000 a day), a system KPI and a contract KPI on the share seen within the standard.
fn current_record(service: &str) -> String {
    format!(
        r#"
[[kpi]]
kpi = "seen_within_standard"
threshold = 80
frequency = "quarterly"

[[kpi]]
kpi = "did_not_attend_rate"
threshold = 10
frequency = "quarterly"

[[party]]
key = "icb"
name = "Synthetic ICB"
kind = "integrated_care_board"
roles = ["commissioner"]

[[party]]
key = "trust"
name = "Synthetic NHS Trust"
kind = "nhs_trust"
roles = ["provider"]

[[contract]]
key = "now"
name = "Synthetic service now"
provider = "trust"
funder = "icb"
start = "2026-04-01"
end = "2028-03-31"
services = ["{service}"]
payment = {{ type = "block" }}

  [[contract.value]]
  year = "2026/27"
  amount = 365000

  [[contract.value]]
  year = "2027/28"
  amount = 365000

  [[contract.kpi]]
  kpi = "seen_within_standard"
  threshold = 95
  amber = 10
  frequency = "quarterly"

[[contract]]
key = "capped"
name = "Synthetic counselling, capped"
provider = "trust"
funder = "icb"
start = "2026-04-01"
end = "2028-03-31"
services = ["{service}"]
payment = {{ type = "activity", per = "contact", price = 50, capped = true }}

  [[contract.value]]
  year = "2026/27"
  amount = 100

  [[contract.value]]
  year = "2027/28"
  amount = 100
"#
    )
}

async fn the_quarterly_report_rates_this_quarter_and_the_four_before(app: &TestApp) {
    let service = app
        .service(
            "Synthetic Community Team",
            &["getting_help"],
            5,
            18,
            "community",
        )
        .await;
    // Six young people referred, allocated and seen today: 6 allocations, 6 first contacts
    // within the standard (published 5 of 5: 100 %), none missed (0: suppressed).
    crate::commissioning::seen_today(app, &service, 6).await;
    let token = commissioner(app).await;
    let saved = app
        .as_token(&token, Method::PUT, "/api/commissioning")
        .json(&serde_json::json!({"edited_from": 0, "source": current_record("Synthetic Community Team"), "reason": "Now"}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200, "{:?}", saved.text().await);

    let today = app.store.now().to_zoned(app.store.tz().clone()).date();
    let quarter = nwd_domain::commissioning::Quarter::of(today);
    let report: serde_json::Value = app
        .as_token(&token, Method::GET, "/api/commissioning/reports/quarterly")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["quarter"], quarter.to_string());
    let quarters: Vec<String> = report["quarters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q.as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = {
        let mut q = vec![quarter];
        for _ in 0..4 {
            let before = q[q.len() - 1].previous();
            q.push(before);
        }
        q.reverse();
        q.iter().map(ToString::to_string).collect()
    };
    assert_eq!(
        quarters, expected,
        "this quarter and the four before, oldest first"
    );
    assert_eq!(
        report["to_date"],
        serde_json::json!([false, false, false, false, true])
    );
    let activity = &report["system_activity"][4];
    assert_eq!(
        activity["referrals"],
        serde_json::json!({"count": 5}),
        "6 rounded to 5"
    );
    assert_eq!(activity["young_people"], serde_json::json!({"count": 5}));
    assert_eq!(activity["did_not_attend"], "suppressed");
    let within = &report["system_kpis"][0]["results"];
    assert_eq!(
        within[4]["value"],
        serde_json::json!({"kind": "value", "value": 100.0})
    );
    assert_eq!(within[4]["rag"], "green");
    assert_eq!(
        within[0]["value"],
        serde_json::json!({"kind": "suppressed"}),
        "an empty quarter is a small number"
    );
    assert_eq!(within[0]["rag"], "not_rated");
    let dna = &report["system_kpis"][1]["results"][4];
    assert_eq!(
        dna["value"],
        serde_json::json!({"kind": "suppressed"}),
        "0 of 5 shown: suppressed"
    );
    // The ledger: the six requests of this quarter all reached help (6 → 5); nothing was
    // received in the oldest quarter (hidden, as any small count).
    let ledger = &report["ledger"];
    assert_eq!(ledger.as_array().unwrap().len(), 5, "one per quarter");
    assert_eq!(
        ledger[4]["all"]["received"],
        serde_json::json!({"count": 5})
    );
    assert_eq!(
        ledger[4]["all"]["journeys"][0],
        serde_json::json!({"count": 5})
    );
    assert_eq!(
        ledger[4]["all"]["journeys"][2], "suppressed",
        "none passed on"
    );
    assert_eq!(ledger[0]["all"]["received"], "suppressed");
    let services = ledger[4]["by_service"].as_array().unwrap();
    assert_eq!(services.len(), 1, "one service allocated");
    assert_eq!(services[0][1]["received"], serde_json::json!({"count": 5}));
    // The contract: this quarter to date costs £1,000 a day; quarters before its start are
    // outside the term.
    let contract = &report["contracts"][0];
    assert_eq!(contract["key"], "now");
    let this = &contract["quarters"][4];
    let days = today.since(quarter.first_day()).unwrap().get_days() as i64 + 1;
    assert_eq!(
        this["cost"].as_i64().unwrap(),
        days * 100_000,
        "{days} days at £1,000"
    );
    assert_eq!(this["kpis"][0]["rag"], "green", "100 % against 95 %");
    // The capped contract: six contacts at £50 earn £300, of which the year's value, £100,
    // is paid and £200 shown as delivered beyond it (the year's earlier quarters paid
    // nothing: no contacts then).
    let capped = &report["contracts"][1]["quarters"][4];
    assert_eq!(capped["cost"].as_i64(), Some(10_000), "{capped}");
    assert_eq!(capped["beyond_value"].as_i64(), Some(20_000), "{capped}");
    let statement_page = html(
        page(app, &token, Method::GET, "/commissioning/contracts/capped")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        statement_page.contains("paid up to the year&#39;s value")
            || statement_page.contains("paid up to the year's value"),
        "{statement_page}"
    );
    assert!(
        statement_page.contains("£200 at the contract&#39;s prices, not paid")
            || statement_page.contains("£200 at the contract's prices, not paid"),
        "{statement_page}"
    );
    for (i, q) in expected.iter().enumerate() {
        let in_term = nwd_domain::commissioning::Quarter::parse(q).unwrap().end()
            > jiff::civil::date(2026, 4, 1);
        assert_eq!(contract["quarters"][i].is_null(), !in_term, "{q}");
    }

    // The page and its CSV say the same.
    let page_html = html(
        page(app, &token, Method::GET, "/commissioning/reports/quarterly")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(page_html.contains(&format!("{quarter} (to date)")));
    assert!(
        page_html.contains("Where requests ended up: the no-wrong-door ledger"),
        "{page_html}"
    );
    for table in [
        "ledger-by-quarter",
        "ledger-by-referrer",
        "ledger-by-need-group",
        "ledger-by-service",
    ] {
        assert!(
            page_html.contains(&format!("id=\"{table}-caption\"")),
            "{table}"
        );
    }
    assert!(
        page_html.contains("Synthetic Community Team"),
        "the service by name"
    );
    assert!(
        page_html.contains("100 % <strong class=\"nhsuk-tag nhsuk-tag--green\">Green</strong>"),
        "{page_html}"
    );
    let csv = page(
        app,
        &token,
        Method::GET,
        "/commissioning/reports/quarterly.csv",
    )
    .send()
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(
        csv.contains(&format!(
            "Whole system,seen_within_standard,{quarter},true,100 %,80,Green"
        )),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(
            "Ledger: every request,reached_help,{quarter},true,5,,"
        )),
        "{csv}"
    );
    // A quarter that has not begun is refused, naming the field.
    let future = app
        .as_token(
            &token,
            Method::GET,
            &format!(
                "/api/commissioning/reports/quarterly?quarter={}",
                quarter.next().next().to_string().replace(' ', "%20")
            ),
        )
        .send()
        .await
        .unwrap();
    let future = crate::support::problem(future, 422).await;
    assert_eq!(crate::support::fields(&future), ["quarter"]);
}
on_both_backends!(the_quarterly_report_rates_this_quarter_and_the_four_before);
