//! A contract's value for a year and a KPI's threshold, by form.

use reqwest::Method;

use super::{refused_by_field, set_up};
use crate::money::{form, location};
use crate::on_both_backends;
use crate::support::{page, staff_html as html, TestApp};

pub(super) const VALUE: &str = "/commissioning/contracts/cyp-block/value";

async fn a_commissioner_sets_a_contracts_value_for_a_year_by_form(app: &TestApp) {
    let (token, source) = set_up(app).await;
    let contract = html(
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
    assert!(
        contract.contains(&format!("href=\"{VALUE}?year=2024/25\"")),
        "{contract}"
    );
    let open = html(
        page(app, &token, Method::GET, &format!("{VALUE}?year=2025/26"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    // The term's two years, the one asked for chosen, each with its value now.
    assert!(
        open.contains("<option value=\"2024/25\">2024/25 (now £365,000)</option>"),
        "{open}"
    );
    assert!(
        open.contains("<option value=\"2025/26\" selected>2025/26 (no value yet)</option>"),
        "{open}"
    );

    // Wrong answers, by field; nothing written.
    refused_by_field(
        app,
        &token,
        VALUE,
        &[
            (
                vec![
                    ("year", "2027/28"),
                    ("amount", "380000"),
                    ("reason", "Agreed"),
                ],
                "year",
                "a financial year of the contract",
            ),
            (
                vec![
                    ("year", "2025/26"),
                    ("amount", "lots"),
                    ("reason", "Agreed"),
                ],
                "amount",
                "must be a number of pounds",
            ),
            (
                vec![("year", "2025/26"), ("amount", ""), ("reason", "Agreed")],
                "amount",
                "Enter the year",
            ),
            (
                vec![("year", "2025/26"), ("amount", "-1"), ("reason", "Agreed")],
                "amount",
                "not a sum of money",
            ),
            (
                vec![("year", "2025/26"), ("amount", "380000"), ("reason", " ")],
                "reason",
                "Say why the value is set",
            ),
        ],
    )
    .await;

    // A first value for 2025/26: checked (the whole term before and after), nothing written.
    let answers = [
        ("year", "2025/26"),
        ("amount", "£380,000"),
        ("reason", "Agreed by the board"),
        ("edited_from", "1"),
    ];
    let check = html(
        form(app, &token, VALUE, &answers).send().await.unwrap(),
        200,
    )
    .await;
    assert!(
        check.contains("None</td><td class=\"nhsuk-table__cell\">£380,000"),
        "{check}"
    );
    assert!(
        check.contains("£365,000</td><td class=\"nhsuk-table__cell\">£745,000"),
        "{check}"
    );
    assert_eq!(app.count("commissioning_versions").await, 1);
    let mut confirmed = answers.to_vec();
    confirmed.push(("confirmed", "yes"));
    let saved = form(app, &token, VALUE, &confirmed).send().await.unwrap();
    assert_eq!(
        location(&saved),
        "/commissioning/contracts/cyp-block?year=2025%2F26&saved=2"
    );
    let current = app.store.commissioning_current().await.unwrap().unwrap();
    assert_eq!(
        current.reason,
        "Synthetic CYP service, 2025/26: no value → £380,000. Agreed by the board"
    );
    let line = "  year = \"2024/25\"\n  amount = 365000\n";
    assert_eq!(
        current.source,
        source.replacen(
            line,
            &format!("{line}\n  [[contract.value]]\n  year = \"2025/26\"\n  amount = 380000\n"),
            1
        ),
        "the one line added, the rest as written"
    );
    let contract = html(
        page(
            app,
            &token,
            Method::GET,
            "/commissioning/contracts/cyp-block?year=2025/26&saved=2",
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(
        contract.contains("Version 2 of the record is saved"),
        "{contract}"
    );
    assert!(contract.contains("£380,000"), "{contract}");

    // 2024/25 changed in place, from the current version.
    let answers = [
        ("year", "2024/25"),
        ("amount", "370000.50"),
        ("reason", "Pay award"),
        ("edited_from", "2"),
        ("confirmed", "yes"),
    ];
    let saved = form(app, &token, VALUE, &answers).send().await.unwrap();
    assert_eq!(
        location(&saved),
        "/commissioning/contracts/cyp-block?year=2024%2F25&saved=3"
    );
    let third = app.store.commissioning_current().await.unwrap().unwrap();
    assert_eq!(
        third.source,
        current
            .source
            .replacen("  amount = 365000\n", "  amount = 370000.5\n", 1)
    );
    assert_eq!(
        third.reason,
        "Synthetic CYP service, 2024/25: £365,000 → £370,000.50. Pay award"
    );

    // The form opened on version 1: refused, nothing written.
    let mut stale = answers.to_vec();
    stale[3] = ("edited_from", "1");
    let refused = html(form(app, &token, VALUE, &stale).send().await.unwrap(), 409).await;
    assert!(refused.contains("Someone saved the record while you were changing it"));
    assert_eq!(app.count("commissioning_versions").await, 3);

    let missing = page(
        app,
        &token,
        Method::GET,
        "/commissioning/contracts/nope/value",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(missing.status(), 404);
}
on_both_backends!(a_commissioner_sets_a_contracts_value_for_a_year_by_form);

pub(super) const KPI: &str = "/commissioning/contracts/cyp-block/kpis/1";

async fn a_commissioner_changes_a_contract_kpis_threshold_by_form(app: &TestApp) {
    let (token, source) = set_up(app).await;
    let contract = html(
        page(
            app,
            &token,
            Method::GET,
            "/commissioning/contracts/cyp-block",
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(contract.contains(&format!("href=\"{KPI}\"")), "{contract}");
    let open = html(
        page(app, &token, Method::GET, KPI).send().await.unwrap(),
        200,
    )
    .await;
    assert!(
        open.contains("at most 10 %, amber when short by no more than 5 %"),
        "{open}"
    );
    assert!(open.contains("value=\"10\""), "{open}");

    // Wrong answers by field, the record's own bounds from its check; nothing written.
    refused_by_field(
        app,
        &token,
        KPI,
        &[
            (
                vec![("threshold", "lots"), ("reason", "Variation")],
                "threshold",
                "Enter the threshold as a number",
            ),
            (
                vec![("threshold", "150"), ("reason", "Variation")],
                "threshold",
                "is outside 0 to 100",
            ),
            (
                vec![("threshold", "8"), ("amber", "x"), ("reason", "Variation")],
                "amber",
                "Enter the amber margin as a number",
            ),
            (
                vec![("threshold", "8"), ("reason", " ")],
                "reason",
                "Say why the KPI changes",
            ),
        ],
    )
    .await;

    let answers = [
        ("threshold", "8"),
        ("amber", "2"),
        ("reason", "Contract variation 3"),
        ("edited_from", "1"),
    ];
    let check = html(form(app, &token, KPI, &answers).send().await.unwrap(), 200).await;
    assert!(
        check.contains("at most 10 %</td><td class=\"nhsuk-table__cell\">at most 8 %"),
        "{check}"
    );
    assert!(
        check.contains("5 %</td><td class=\"nhsuk-table__cell\">2 %"),
        "{check}"
    );
    assert_eq!(app.count("commissioning_versions").await, 1);
    let mut confirmed = answers.to_vec();
    confirmed.push(("confirmed", "yes"));
    let saved = form(app, &token, KPI, &confirmed).send().await.unwrap();
    assert_eq!(
        location(&saved),
        "/commissioning/contracts/cyp-block?saved=2#kpis-heading"
    );
    let current = app.store.commissioning_current().await.unwrap().unwrap();
    assert!(
        current
            .reason
            .ends_with(": at most 10 % → at most 8 %. Contract variation 3"),
        "{}",
        current.reason
    );
    assert_eq!(
        current.source,
        source.replacen(
            "  threshold = 10\n  frequency = \"quarterly\"\n",
            "  threshold = 8\n  frequency = \"quarterly\"\n  amber = 2\n",
            1
        ),
        "the one KPI changed, the rest as written"
    );
    for missing in [
        "/commissioning/contracts/cyp-block/kpis/2",
        "/commissioning/contracts/cyp-block/kpis/0",
        "/commissioning/contracts/nope/kpis/1",
    ] {
        let response = page(app, &token, Method::GET, missing)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{missing}");
    }
}
on_both_backends!(a_commissioner_changes_a_contract_kpis_threshold_by_form);
