//! Money and contracts in a real browser at phone width (issue 20), as the commissioner uses
//! it: an empty record; "Change the record", checked, then saved with a reason; the
//! agreements and a contract's statement; a second version; the history and a restore after
//! "Are you sure?"; the quarterly report, printed to PDF by Chromium; the Transformation
//! Plan, with a milestone updated, declared staff changed and a contribution varied by form. Every page is checked by
//! axe-core and must not scroll sideways at 390 px.

use nwd_domain::authz::Role;

use crate::support::{browser_wanted, BrowserApp};

const RECORD: &str = r#"[[party]]
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
key = "cyp"
name = "Synthetic CYP service"
provider = "trust"
funder = "icb"
start = "2024-04-01"
end = "2030-03-31"
services = ["Synthetic Community Team"]
payment = { type = "block" }

  [[contract.value]]
  year = "2024/25"
  amount = 365000

  [[contract.kpi]]
  kpi = "median_wait_days"
  threshold = 28
  frequency = "quarterly"
"#;

/// Fails when the page scrolls sideways.
async fn fits(app: &BrowserApp, name: &str) {
    let overflow = app
        .client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_f64().unwrap_or(1.0) <= 0.0,
        "{name}: {overflow:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commissioner_records_money_checks_it_and_restores_an_earlier_version() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(390).await;
    crate::commissioning::seed(&app).await;
    let commissioner = app
        .another_user(
            "money.commissioner",
            "Synthetic Commissioner",
            Role::Commissioner,
        )
        .await;
    app.sign_in_as(&commissioner).await;

    app.goto("/commissioning/money").await;
    assert_eq!(app.heading().await, "Money and contracts");
    assert!(app.text("#no-contracts").await.contains("No contract"));
    app.check_page("money, empty").await;

    app.follow("Change the record").await;
    assert_eq!(app.heading().await, "Change the commissioning record");
    app.type_into("source", RECORD).await;
    app.press("#check").await;
    assert!(
        app.text("#checked")
            .await
            .contains("The record checks: 2 parties, 0 agreements, 1 contracts"),
        "checked"
    );
    app.check_page("money, checked").await;
    fits(&app, "money editor").await;
    // Saving without a reason is refused beside the field, the text kept.
    app.press("#save").await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("say why the record changes"));
    app.type_into("reason", "First record of the contract")
        .await;
    app.press("#save").await;
    assert_eq!(app.path().await, "/commissioning/money");
    assert!(app
        .text("main")
        .await
        .contains("Version 1 of the record is saved"));
    app.check_page("money, saved").await;
    fits(&app, "money").await;

    app.follow("Synthetic CYP service").await;
    assert_eq!(app.heading().await, "Synthetic CYP service");
    assert!(app.text("#statement").await.contains("Q1"));
    assert!(app
        .text("#kpis")
        .await
        .contains("Median wait to first contact"));
    app.check_page("contract statement").await;
    fits(&app, "contract statement").await;

    // A second version, then the first restored from the history.
    app.goto("/commissioning/money/edit").await;
    app.type_into("source", &RECORD.replace("365000", "400000"))
        .await;
    app.type_into("reason", "Uplift").await;
    app.press("#save").await;
    assert!(app
        .text("main")
        .await
        .contains("Version 2 of the record is saved"));
    app.follow("History of the record").await;
    assert!(app.text("#versions").await.contains("Uplift"));
    app.check_page("money history").await;
    app.follow("Version 1").await;
    assert!(app.text("#source").await.contains("amount = 365000"));
    fits(&app, "money version").await;
    app.press("#restore button").await;
    assert_eq!(
        app.heading().await,
        "Restore version 1 of the commissioning record?"
    );
    app.check_page("restore question").await;
    app.press("#confirm").await;
    assert!(app
        .text("main")
        .await
        .contains("Version 3 of the record is saved"));
    let current = app.store.commissioning_current().await.unwrap().unwrap();
    assert!(current.source.contains("amount = 365000"));
    assert_eq!(current.reason, "Restored version 1");

    // The quarterly report: rated in words, printable to PDF by Chromium.
    app.follow("Quarterly performance report").await;
    assert!(app
        .heading()
        .await
        .starts_with("Quarterly performance report, "));
    let kpis = app.text("#contract-cyp").await;
    assert!(kpis.contains("Median wait to first contact"), "{kpis}");
    assert!(
        kpis.contains("Not in the term")
            || kpis.contains("Not rated")
            || kpis.contains("Green")
            || kpis.contains("Red"),
        "{kpis}"
    );
    // The ledger: by quarter, then this quarter by referrer, need group and service.
    let ledger = app.text("#ledger").await;
    assert!(
        ledger.contains("Where requests ended up, by quarter received"),
        "{ledger}"
    );
    assert!(ledger.contains("Passed on without help"), "{ledger}");
    assert!(
        ledger.contains("Where requests ended up, by referrer"),
        "{ledger}"
    );
    app.check_page("quarterly report").await;
    fits(&app, "quarterly report").await;
    let pdf = app
        .client
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"), "Chromium printed a PDF");
    assert!(pdf.len() > 10_000, "{} bytes", pdf.len());
    app.finish().await;
}

/// The Transformation Plan at phone width: written in the record through the editor, read
/// with the investment, the declared staff and the milestones, and printed to PDF by Chromium.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_transformation_plan_reads_at_phone_width_and_prints() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(390).await;
    crate::commissioning::seed(&app).await;
    let commissioner = app
        .another_user(
            "plan.commissioner",
            "Synthetic Commissioner",
            Role::Commissioner,
        )
        .await;
    app.sign_in_as(&commissioner).await;
    let today = app.store.now().to_zoned(app.store.tz().clone()).date();
    let year = nwd_domain::commissioning::FinancialYear::of(today);
    let record = RECORD.replace("2024/25", &year.to_string())
        + &format!(
            r#"
[[transformation_plan]]
year = "{year}"
title = "Synthetic Local Transformation Plan"

  [[transformation_plan.principle]]
  text = "No wrong door: every request ends with a named destination."
  signed_by = ["icb", "trust"]

  [[transformation_plan.declaration]]
  provider = "trust"

    [[transformation_plan.declaration.staff]]
    service = "Synthetic Community Team"
    role = "Clinical psychologist"
    wte = 3.5

  [[transformation_plan.action]]
  action = "Publish waits every month"
  owner = "icb"
  due = "2020-01-31"
  status = "at_risk"

[[agreement]]
key = "pool"
name = "Synthetic pooled fund"
kind = "pooled_section_76"
lead = "icb"

  [[agreement.contribution]]
  partner = "icb"
  year = "{year}"
  amount = 100000
"#
        );
    app.goto("/commissioning/money/edit").await;
    app.type_into("source", &record).await;
    app.type_into("reason", "This year's plan").await;
    app.press("#save").await;
    assert!(app.text("main").await.contains("is saved"));

    app.goto("/commissioning/plan").await;
    assert_eq!(app.heading().await, format!("Transformation Plan, {year}"));
    assert!(app
        .text("#plan-title")
        .await
        .contains("Synthetic Local Transformation Plan"));
    assert!(app.text("#investment").await.contains("£365,000"));
    assert!(app
        .text("#providers-heading")
        .await
        .contains("Providers' declarations"));
    assert!(app.text("#actions").await.contains("At risk, overdue"));
    app.check_page("transformation plan").await;
    fits(&app, "transformation plan").await;
    let pdf = app
        .client
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF"), "Chromium printed a PDF");
    assert!(pdf.len() > 10_000, "{} bytes", pdf.len());

    // The milestone updated by form: the answers, the change checked, then saved.
    app.press("#update-milestone-1").await;
    assert_eq!(
        app.heading().await,
        format!("Update milestone 1 of the {year} plan")
    );
    app.check_page("milestone form").await;
    fits(&app, "milestone form").await;
    app.space_on("status-done").await;
    app.press("#check").await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("a done milestone needs its evidence"));
    app.type_into("evidence", "Waits published on the dashboard every month")
        .await;
    app.press("#check").await;
    assert_eq!(app.heading().await, "Check the update to milestone 1");
    assert!(app.text("#change").await.contains("At risk"));
    app.check_page("milestone check").await;
    fits(&app, "milestone check").await;
    app.press("#save").await;
    assert_eq!(app.path().await, "/commissioning/plan");
    assert!(app
        .text("main")
        .await
        .contains("Version 2 of the record is saved"));
    let actions = app.text("#actions").await;
    assert!(actions.contains("Done"), "{actions}");
    assert!(actions.contains("Waits published on the dashboard every month"));

    // The declared staff changed by form.
    app.goto(&format!(
        "/commissioning/plan/{}/declarations/1/staff/1",
        year.to_string().replace('/', "-")
    ))
    .await;
    assert_eq!(
        app.heading().await,
        format!("Change declared staff in the {year} plan")
    );
    app.type_into("wte", "5.5").await;
    app.type_into("reason", "Two psychologists recruited").await;
    app.check_page("staff form").await;
    fits(&app, "staff form").await;
    app.press("#check").await;
    assert!(app.text("#change").await.contains("5.5"));
    app.check_page("staff check").await;
    fits(&app, "staff check").await;
    app.press("#save").await;
    assert_eq!(app.path().await, "/commissioning/plan");
    assert!(app.text("#provider-1").await.contains("5.5"));

    // A contribution varied by form, from the money page.
    let from = year
        .first_day()
        .checked_add(jiff::Span::new().days(100))
        .unwrap();
    app.goto("/commissioning/money").await;
    app.press("#vary-pool").await;
    assert_eq!(
        app.heading().await,
        "Vary a contribution to Synthetic pooled fund"
    );
    app.type_into("amount", "120,000").await;
    app.type_into("from-day", &from.day().to_string()).await;
    app.type_into("from-month", &from.month().to_string()).await;
    app.type_into("from-year", &from.year().to_string()).await;
    app.type_into("reason", "Crisis line extended to 25").await;
    app.check_page("variation form").await;
    fits(&app, "variation form").await;
    app.press("#check").await;
    assert_eq!(
        app.heading().await,
        "Check the variation to Synthetic pooled fund"
    );
    assert!(app.text("#change").await.contains("£120,000"));
    app.check_page("variation check").await;
    fits(&app, "variation check").await;
    app.press("#save").await;
    assert_eq!(app.path().await, "/commissioning/money");
    assert!(app
        .text("main")
        .await
        .contains("Version 4 of the record is saved"));
    let variations = app.text("#agreement-pool-variations").await;
    assert!(variations.contains("£120,000 a year from"), "{variations}");

    // The contract's value for the year set by form, from its page.
    app.goto("/commissioning/contracts/cyp").await;
    app.press("#set-value").await;
    assert_eq!(
        app.heading().await,
        "Set the value of Synthetic CYP service"
    );
    app.type_into("amount", "400,000").await;
    app.type_into("reason", "Pay award agreed by the board")
        .await;
    app.check_page("contract value form").await;
    fits(&app, "contract value form").await;
    app.press("#check").await;
    assert_eq!(
        app.heading().await,
        "Check the value of Synthetic CYP service"
    );
    let change = app.text("#change").await;
    assert!(
        change.contains("£365,000") && change.contains("£400,000"),
        "{change}"
    );
    app.check_page("contract value check").await;
    fits(&app, "contract value check").await;
    app.press("#save").await;
    assert_eq!(app.path().await, "/commissioning/contracts/cyp");
    assert!(app
        .text("main")
        .await
        .contains("Version 5 of the record is saved"));
    let summary = app.text("#contract-summary").await;
    assert!(summary.contains("£400,000"), "{summary}");

    // A KPI's threshold changed by form, from the contract's KPI table.
    app.press("#change-kpi-1").await;
    assert_eq!(app.heading().await, "Change a KPI of Synthetic CYP service");
    app.type_into("threshold", "21").await;
    app.type_into("reason", "Contract variation 3").await;
    app.check_page("KPI form").await;
    fits(&app, "KPI form").await;
    app.press("#check").await;
    let change = app.text("#change").await;
    assert!(
        change.contains("at most 28 days") && change.contains("at most 21 days"),
        "{change}"
    );
    app.check_page("KPI check").await;
    fits(&app, "KPI check").await;
    app.press("#save").await;
    assert_eq!(app.path().await, "/commissioning/contracts/cyp");
    let kpis = app.text("#kpis").await;
    assert!(kpis.contains("at most 21 days"), "{kpis}");
    app.finish().await;
}
