//! The Transformation Plan page and its CSV (issue 20), on both databases: the plan written in
//! the commissioning record, each commissioner's investment from the money model, a provider's
//! declared staff beside its service's activity from the record, milestones with an overdue one
//! marked; a year with no plan says so; a year not begun is refused.

use reqwest::Method;

use crate::commissioning::commissioner;
use crate::on_both_backends;
use crate::support::{page, staff_html as html, TestApp};

fn record(service: &str, year: &str) -> String {
    format!(
        r#"
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
start = "2025-04-01"
end = "2028-03-31"
services = ["{service}"]
payment = {{ type = "block" }}

  [[contract.value]]
  year = "{year}"
  amount = 365000

[[transformation_plan]]
year = "{year}"
title = "Synthetic Local Transformation Plan"

  [[transformation_plan.principle]]
  text = "No wrong door."
  signed_by = ["icb", "trust"]
  signed_on = "2025-05-01"

  [[transformation_plan.declaration]]
  provider = "trust"

    [[transformation_plan.declaration.staff]]
    service = "{service}"
    role = "Clinical psychologist"
    skill = "CBT"
    wte = 3.5

    [[transformation_plan.declaration.staff]]
    service = "{service}"
    role = "Administrator"
    wte = 1.0
    clinical = false

  [[transformation_plan.action]]
  action = "Open the crisis line around the clock"
  owner = "icb"
  due = "2020-01-31"
  status = "on_track"

  [[transformation_plan.action]]
  action = "Publish waits monthly"
  owner = "trust"
  due = "2020-01-31"
  status = "done"
  evidence = "On the dashboard"
"#
    )
}

async fn the_transformation_plan_shows_the_record_beside_the_plan(app: &TestApp) {
    let service = app
        .service("Synthetic Plan Team", &["getting_help"], 5, 18, "community")
        .await;
    // Six young people allocated and seen today: published as 5.
    crate::commissioning::seen_today(app, &service, 6).await;
    let today = app.store.now().to_zoned(app.store.tz().clone()).date();
    let year = nwd_domain::commissioning::FinancialYear::of(today);
    let token = commissioner(app).await;
    let saved = app
        .as_token(&token, Method::PUT, "/api/commissioning")
        .json(&serde_json::json!({"edited_from": 0, "source": record("Synthetic Plan Team", &year.to_string()), "reason": "The year's plan"}))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 200, "{:?}", saved.text().await);

    let text = html(
        page(app, &token, Method::GET, "/commissioning/plan")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        text.contains("Synthetic Local Transformation Plan"),
        "{text}"
    );
    // The ICB funds the contract directly: £365,000 for the year.
    assert!(text.contains("£365,000"), "{text}");
    assert!(text.contains("Synthetic NHS Trust: 4.5 WTE"), "{text}");
    assert!(text.contains("Administrator (not clinical)"), "{text}");
    assert!(
        text.contains("Synthetic ICB, Synthetic NHS Trust"),
        "signatories: {text}"
    );
    assert!(text.contains("On track, overdue"), "{text}");
    assert!(
        !text.contains("Done, overdue"),
        "a done milestone is never overdue"
    );
    // The provider's service: six young people helped, published as 5.
    assert!(
        text.contains("Young people helped</th><td class=\"nhsuk-table__cell nhsuk-table__cell--numeric\">5</td>"),
        "{text}"
    );

    let csv = page(app, &token, Method::GET, "/commissioning/plan.csv")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let y = year.to_string();
    for line in [
        format!("{y},investment,Synthetic ICB,total,,365000.00"),
        format!("{y},staff_wte,Synthetic NHS Trust,Synthetic Plan Team,Clinical psychologist (CBT),3.5"),
        format!("{y},year_to_date,Synthetic NHS Trust,young_people_helped,,5"),
        format!("{y},milestone,Synthetic ICB,Open the crisis line around the clock,2020-01-31,On track (overdue)"),
    ] {
        assert!(csv.contains(&line), "{line} in {csv}");
    }

    // The simulator takes the declared clinicians (3.5 WTE; the administrator is not clinical).
    let simulator = html(
        page(app, &token, Method::GET, "/commissioning/simulate")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        simulator.contains(&format!(
            "Clinicians (WTE) for 1 service are the staff the providers declared in the {year} Transformation Plan"
        )),
        "{simulator}"
    );

    // The year before has no plan: the page says so and still shows the money model.
    let before = html(
        page(
            app,
            &token,
            Method::GET,
            &format!("/commissioning/plan?year={}", year.previous()),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(before.contains("id=\"no-plan\""), "{before}");
    // A year not begun is refused, naming the field.
    let refused = page(
        app,
        &token,
        Method::GET,
        &format!("/commissioning/plan?year={}", year.next()),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(refused.status(), 422);
}
on_both_backends!(the_transformation_plan_shows_the_record_beside_the_plan);
