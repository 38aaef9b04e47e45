//! Money and contracts from the commissioner's pages (issue 20), on both databases: an empty
//! record; a document refused with each problem under its field path and nothing written; a
//! save with a reason (audited); the agreements and a contract's payment and activity
//! statement (cost by quarter to the penny, a leap-free year), its CSV; a save from a stale
//! version refused as a conflict; the history, and a restore after "Are you sure?"; and who
//! may do what.

use nwd_domain::authz::Role;
use reqwest::{Method, RequestBuilder, Response};

use crate::commissioning::commissioner;
use crate::on_both_backends;
use crate::support::{member_token, page, staff_html as html, TestApp};

pub(crate) fn form(
    app: &TestApp,
    token: &str,
    path: &str,
    body: &[(&str, &str)],
) -> RequestBuilder {
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(body)
        .finish();
    page(app, token, Method::POST, path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoded)
}

pub(crate) fn location(response: &Response) -> String {
    assert_eq!(response.status(), 303, "not a redirect");
    response.headers()["location"].to_str().unwrap().to_owned()
}

/// A record with a section 76 pool (a variation in 2024/25) and a block contract for one
/// service: £365,000 in 2024/25, i.e. £1,000 a day.
pub(crate) fn record(service: &str) -> String {
    format!(
        r#"
[[party]]
key = "icb"
name = "Synthetic ICB"
kind = "integrated_care_board"
roles = ["commissioner"]

[[party]]
key = "council"
name = "Synthetic County Council"
kind = "local_authority"
roles = ["commissioner"]

[[party]]
key = "trust"
name = "Synthetic NHS Trust"
kind = "nhs_trust"
roles = ["provider"]

[[agreement]]
key = "pool"
name = "Synthetic pooled fund"
kind = "pooled_section_76"
lead = "icb"

  [[agreement.contribution]]
  partner = "icb"
  year = "2024/25"
  amount = 200000

  [[agreement.contribution]]
  partner = "council"
  year = "2024/25"
  amount = 165000

  [[agreement.contribution]]
  partner = "council"
  year = "2024/25"
  amount = 200000
  from = "2024-10-01"
  reason = "More money for assessments"

[[contract]]
key = "cyp-block"
name = "Synthetic CYP service"
provider = "trust"
agreement = "pool"
start = "2024-04-01"
end = "2026-03-31"
services = ["{service}"]
payment = {{ type = "block" }}

  [[contract.value]]
  year = "2024/25"
  amount = 365000

  [[contract.kpi]]
  kpi = "did_not_attend_rate"
  threshold = 10
  frequency = "quarterly"
"#
    )
}

async fn a_commissioner_records_the_money_and_reads_a_contracts_statement(app: &TestApp) {
    app.service(
        "Synthetic Community Team",
        &["getting_help"],
        5,
        18,
        "community",
    )
    .await;
    let token = commissioner(app).await;

    let empty = html(
        page(app, &token, Method::GET, "/commissioning/money")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(empty.contains("No agreement is recorded yet"), "{empty}");
    assert!(empty.contains("href=\"/commissioning/money/edit\""));

    // A misspelt service and no reason: refused, each problem named, nothing written.
    let bad = record("Synthetic Communty Team");
    let refused = html(
        form(
            app,
            &token,
            "/commissioning/money/edit",
            &[
                ("source", &bad),
                ("reason", ""),
                ("edited_from", "0"),
                ("action", "save"),
            ],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(refused.contains("say why the record changes"), "{refused}");
    let refused = html(
        form(
            app,
            &token,
            "/commissioning/money/edit",
            &[
                ("source", &bad),
                ("reason", "First record"),
                ("edited_from", "0"),
                ("action", "save"),
            ],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(
        refused.contains("contract[0].services[0]: &#34;Synthetic Communty Team&#34; is not a service in the directory"),
        "{refused}"
    );
    assert!(
        refused.contains("Synthetic pooled fund"),
        "the text is kept"
    );
    // A TOML mistake names its line.
    let broken = html(
        form(
            app,
            &token,
            "/commissioning/money/edit",
            &[
                ("source", "[[party]]\nkey = \"a\"\nname = \n"),
                ("action", "check"),
                ("edited_from", "0"),
            ],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(broken.contains("line 3"), "{broken}");
    assert_eq!(app.count("commissioning_versions").await, 0);

    // Checked, then saved.
    let good = record("Synthetic Community Team");
    let checked = html(
        form(
            app,
            &token,
            "/commissioning/money/edit",
            &[("source", &good), ("action", "check"), ("edited_from", "0")],
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(
        checked.contains("The record checks: 3 parties, 1 agreements, 1 contracts"),
        "{checked}"
    );
    assert_eq!(
        app.count("commissioning_versions").await,
        0,
        "a check saves nothing"
    );
    let audits = app.count("audit_log").await;
    let saved = form(
        app,
        &token,
        "/commissioning/money/edit",
        &[
            ("source", &good),
            ("reason", "First record"),
            ("edited_from", "0"),
            ("action", "save"),
        ],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(location(&saved), "/commissioning/money?saved=1");
    assert_eq!(app.count("commissioning_versions").await, 1);
    assert!(app.count("audit_log").await > audits, "the save is audited");

    let overview = html(
        page(app, &token, Method::GET, "/commissioning/money?saved=1")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(overview.contains("Version 1 of the record is saved"));
    // The council: 183 days at £165,000 a year and 182 at £200,000 (365 days).
    let council = (16_500_000.0 * 183.0 / 365.0 + 20_000_000.0 * 182.0 / 365.0_f64).round() as i64;
    let council = nwd_domain::commissioning::Money::from_pence(council).to_string();
    assert!(overview.contains(&council), "{council} in {overview}");
    assert!(overview.contains("Synthetic County Council, 2024/25: £200,000 a year from 1 October 2024 (was £165,000). More money for assessments"));
    assert!(overview.contains("href=\"/commissioning/contracts/cyp-block\""));

    // The statement for 2024/25: £1,000 a day, so each quarter costs its days.
    let statement = html(
        page(
            app,
            &token,
            Method::GET,
            "/commissioning/contracts/cyp-block?year=2024/25",
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    for (quarter, cost) in [
        ("2024/25 Q1", "£91,000"),
        ("2024/25 Q2", "£92,000"),
        ("2024/25 Q3", "£92,000"),
        ("2024/25 Q4", "£90,000"),
    ] {
        assert!(statement.contains(quarter), "{quarter}");
        assert!(statement.contains(cost), "{cost} in {statement}");
    }
    assert!(statement.contains("Did-not-attend rate"));
    assert!(
        statement.contains("Source: NHS England MHSDS"),
        "each KPI names its source"
    );
    let csv = page(
        app,
        &token,
        Method::GET,
        "/commissioning/contracts/cyp-block/statement.csv?year=2024/25",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    assert!(csv.lines().nth(1).unwrap().contains("2024/25 Q1"), "{csv}");
    assert!(csv.contains("91000"), "{csv}");
    // A year outside the term is refused, naming the years there are.
    let outside = page(
        app,
        &token,
        Method::GET,
        "/commissioning/contracts/cyp-block?year=2019/20",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(outside.status(), 422);
    assert_eq!(
        page(app, &token, Method::GET, "/commissioning/contracts/nothing")
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    // A second save made from version 0 (someone else's stale form): refused, nothing lost.
    let stale = html(
        form(
            app,
            &token,
            "/commissioning/money/edit",
            &[
                ("source", &good.replace("365000", "400000")),
                ("reason", "Stale"),
                ("edited_from", "0"),
                ("action", "save"),
            ],
        )
        .send()
        .await
        .unwrap(),
        409,
    )
    .await;
    assert!(stale.contains("Someone saved the record while you were changing it (version 1 by Synthetic Commissioner"), "{stale}");
    assert!(stale.contains("400000"), "the text is kept");
    assert_eq!(app.count("commissioning_versions").await, 1);

    // Version 2 changes the value; the history restores version 1 after "Are you sure?".
    let second = form(
        app,
        &token,
        "/commissioning/money/edit",
        &[
            ("source", &good.replace("365000", "400000")),
            ("reason", "Uplift"),
            ("edited_from", "1"),
            ("action", "save"),
        ],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(location(&second), "/commissioning/money?saved=2");
    let history = html(
        page(app, &token, Method::GET, "/commissioning/money/history")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(history.contains("Uplift") && history.contains("First record"));
    let v1 = html(
        page(app, &token, Method::GET, "/commissioning/money/history/1")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(v1.contains("Restore this version") && v1.contains("amount = 365000"));
    let asked = form(
        app,
        &token,
        "/commissioning/money/history/1/restore",
        &[("edited_from", "2")],
    )
    .send()
    .await
    .unwrap();
    let question = location(&asked);
    assert!(
        question.starts_with("/commissioning/money/history/1/restore?"),
        "{question}"
    );
    let question = html(
        page(app, &token, Method::GET, &question)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(question.contains("Restore version 1 of the commissioning record?"));
    assert_eq!(
        app.count("commissioning_versions").await,
        2,
        "asking changes nothing"
    );
    let restored = form(
        app,
        &token,
        "/commissioning/money/history/1/restore",
        &[("edited_from", "2"), ("confirmed", "yes")],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(location(&restored), "/commissioning/money?saved=3");
    let current = app.store.commissioning_current().await.unwrap().unwrap();
    assert_eq!(current.source, good);
    assert_eq!(current.reason, "Restored version 1");
}
on_both_backends!(a_commissioner_records_the_money_and_reads_a_contracts_statement);

/// A single point of access team of a synthetic trust: (organisation, team).
pub(crate) async fn trust_team(app: &TestApp) -> (String, String) {
    app.store
        .bootstrap_team(&nwd_store::auth::Bootstrap {
            organisation: "Synthetic Trust".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: "Single point of access".into(),
            team_kind: nwd_store::auth::TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap()
}

async fn only_a_commissioner_changes_the_record(app: &TestApp) {
    let (org, team) = trust_team(app).await;
    // Triage holds read_aggregates (the figures) but not manage_commissioning.
    let triage = member_token(app, &org, &team, Role::Triage, "money.triage").await;
    let read = page(app, &triage, Method::GET, "/commissioning/money")
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
    let read = read.text().await.unwrap();
    assert!(
        !read.contains("href=\"/commissioning/money/edit\""),
        "no link it cannot open"
    );
    for (method, path) in [
        (Method::GET, "/commissioning/money/edit"),
        (Method::POST, "/commissioning/money/edit"),
        (Method::POST, "/commissioning/money/history/1/restore"),
    ] {
        let response = page(app, &triage, method.clone(), path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{method} {path}");
    }
    // A clinician sees no money at all.
    let clinician = member_token(app, &org, &team, Role::Clinician, "money.clinician").await;
    let response = page(app, &clinician, Method::GET, "/commissioning/money")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}
on_both_backends!(only_a_commissioner_changes_the_record);

async fn the_api_reads_and_saves_the_record_and_serves_statements(app: &TestApp) {
    app.service(
        "Synthetic Community Team",
        &["getting_help"],
        5,
        18,
        "community",
    )
    .await;
    let token = commissioner(app).await;
    let empty: serde_json::Value = app
        .as_token(&token, Method::GET, "/api/commissioning")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (empty["version"].as_i64(), empty["checks"].as_bool()),
        (Some(0), Some(true))
    );

    let put = |body: serde_json::Value| {
        app.as_token(&token, Method::PUT, "/api/commissioning")
            .json(&body)
            .send()
    };
    let bad =
        put(serde_json::json!({"edited_from": 0, "source": record("Nowhere"), "reason": "First"}))
            .await
            .unwrap();
    let bad = crate::support::problem(bad, 422).await;
    assert_eq!(crate::support::fields(&bad), ["contract[0].services[0]"]);
    assert_eq!(app.count("commissioning_versions").await, 0);

    let good = record("Synthetic Community Team");
    let saved: serde_json::Value =
        put(serde_json::json!({"edited_from": 0, "source": good, "reason": "First"}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(saved["version"], 1);
    let stale = put(serde_json::json!({"edited_from": 0, "source": good, "reason": "Again"}))
        .await
        .unwrap();
    crate::support::problem(stale, 412).await;

    let read: serde_json::Value = app
        .as_token(&token, Method::GET, "/api/commissioning")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["version"], 1);
    assert_eq!(read["source"], good);
    assert_eq!(read["record"]["contracts"][0]["key"], "cyp-block");

    let statement: serde_json::Value = app
        .as_token(
            &token,
            Method::GET,
            "/api/commissioning/contracts/cyp-block/statement?year=2024/25",
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(statement["year"], "2024/25");
    let costs: Vec<i64> = statement["quarters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["cost"].as_i64().unwrap())
        .collect();
    assert_eq!(
        costs,
        [9_100_000, 9_200_000, 9_200_000, 9_000_000],
        "pence, £1,000 a day"
    );
    // Funder shares add up to each quarter's cost.
    for q in statement["quarters"].as_array().unwrap() {
        let shares: i64 = q["funders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["amount"].as_i64().unwrap())
            .sum();
        assert_eq!(shares, q["cost"].as_i64().unwrap());
    }
    let wrong_year = app
        .as_token(
            &token,
            Method::GET,
            "/api/commissioning/contracts/cyp-block/statement?year=2030/31",
        )
        .send()
        .await
        .unwrap();
    let wrong_year = crate::support::problem(wrong_year, 422).await;
    assert_eq!(crate::support::fields(&wrong_year), ["year"]);
}
on_both_backends!(the_api_reads_and_saves_the_record_and_serves_statements);
