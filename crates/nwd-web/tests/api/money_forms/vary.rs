//! A partner's contribution varied from a day, by form.

use reqwest::Method;

use super::set_up;
use crate::money::{form, location};
use crate::on_both_backends;
use crate::support::{page, staff_html as html, TestApp};

pub(super) const VARY: &str = "/commissioning/money/agreements/pool/vary";

fn answers<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut all = vec![
        ("partner", "icb"),
        ("amount", "£260,000"),
        ("from-day", "1"),
        ("from-month", "1"),
        ("from-year", "2025"),
        ("reason", "Crisis line extended to 25"),
        ("edited_from", "1"),
    ];
    for (name, value) in changes {
        match all.iter_mut().find(|(n, _)| n == name) {
            Some(pair) => pair.1 = value,
            None => all.push((name, value)),
        }
    }
    all
}

async fn a_commissioner_varies_a_contribution_by_form(app: &TestApp) {
    let (token, source) = set_up(app).await;

    let money = html(
        page(app, &token, Method::GET, "/commissioning/money")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(money.contains(&format!("href=\"{VARY}\"")), "{money}");
    let blank = html(
        page(app, &token, Method::GET, VARY).send().await.unwrap(),
        200,
    )
    .await;
    assert!(
        blank.contains("<option value=\"icb\" selected>Synthetic ICB</option>"),
        "{blank}"
    );
    assert!(blank.contains("<option value=\"council\">Synthetic County Council</option>"));
    assert!(
        !blank.contains("value=\"trust\""),
        "a provider that commissions nothing is not offered"
    );

    // Wrong answers: each named by its field, nothing written.
    for (changes, field, message) in [
        (
            vec![("amount", "lots")],
            "amount",
            "must be a number of pounds",
        ),
        (vec![("amount", "")], "amount", "Enter the annual sum"),
        (vec![("amount", "-5")], "amount", ""),
        (
            vec![("from-day", "30"), ("from-month", "2")],
            "from",
            "a real date",
        ),
        (
            vec![("reason", "  ")],
            "reason",
            "Say why the contribution varies",
        ),
        (vec![("partner", "nobody")], "partner", "nobody"),
        // The council already has a line from 1 October 2024.
        (
            vec![
                ("partner", "council"),
                ("from-day", "1"),
                ("from-month", "10"),
                ("from-year", "2024"),
            ],
            "from",
            "takes effect the same day",
        ),
    ] {
        let refused = html(
            form(app, &token, VARY, &answers(&changes))
                .send()
                .await
                .unwrap(),
            422,
        )
        .await;
        assert!(
            refused.contains(&format!("href=\"#{field}\"")),
            "{changes:?} names {field}: {refused}"
        );
        assert!(refused.contains(message), "{changes:?}: {refused}");
        assert!(refused.contains("There is a problem"));
    }
    assert_eq!(app.count("commissioning_versions").await, 1);

    // Checked: before and after, nothing written. The ICB's 2024/25: 275 days at £200,000
    // and 90 at £260,000 a year (365 days) = £214,794.52.
    let check = html(
        form(app, &token, VARY, &answers(&[])).send().await.unwrap(),
        200,
    )
    .await;
    assert!(
        check.contains("Check the variation to Synthetic pooled fund"),
        "{check}"
    );
    assert!(check.contains("1 January 2025 (2024/25)"), "{check}");
    assert!(
        check.contains("£200,000</td><td class=\"nhsuk-table__cell\">£260,000"),
        "{check}"
    );
    assert!(
        check.contains("£200,000</td><td class=\"nhsuk-table__cell\">£214,794.52"),
        "{check}"
    );
    assert!(check.contains("name=\"confirmed\" value=\"yes\""));
    assert!(
        check.contains(&format!(
            "href=\"{VARY}?partner=icb&#38;amount=%C2%A3260%2C000"
        )),
        "a way back to the answers: {check}"
    );
    assert_eq!(app.count("commissioning_versions").await, 1);

    // The form reopened from "Change your answers" keeps them.
    let again = html(
        page(app, &token, Method::GET, &format!("{VARY}?partner=icb&amount=260000&from-day=1&from-month=1&from-year=2025&reason=Crisis&edited_from=1"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(again.contains("value=\"260000\""), "{again}");
    assert!(again.contains("name=\"edited_from\" value=\"1\""));

    // Saved: one version, whose text is the old one with one line more.
    let audits = app.count("audit_log").await;
    let saved = form(app, &token, VARY, &answers(&[("confirmed", "yes")]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&saved),
        "/commissioning/money?saved=2#agreement-pool"
    );
    assert!(app.count("audit_log").await > audits, "the save is audited");
    let current = app.store.commissioning_current().await.unwrap().unwrap();
    assert_eq!(current.version, 2);
    assert_eq!(
        current.reason,
        "Synthetic pooled fund: Synthetic ICB from 1 January 2025. Crisis line extended to 25"
    );
    let added = "\n  [[agreement.contribution]]\n  partner = \"icb\"\n  year = \"2024/25\"\n  amount = 260000\n  from = \"2025-01-01\"\n  reason = \"Crisis line extended to 25\"\n";
    let at = source.find("\n[[contract]]").unwrap();
    assert_eq!(
        current.source,
        format!("{}{added}{}", &source[..at], &source[at..]),
        "the one line added, the rest as written"
    );
    let money = html(
        page(app, &token, Method::GET, "/commissioning/money?saved=2")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(
        money.contains("Synthetic ICB, 2024/25: £260,000 a year from 1 January 2025 (was £200,000). Crisis line extended to 25"),
        "{money}"
    );

    // The same answers from the form opened on version 1: refused, nothing written.
    let stale = html(
        form(
            app,
            &token,
            VARY,
            &answers(&[("from-month", "2"), ("confirmed", "yes")]),
        )
        .send()
        .await
        .unwrap(),
        409,
    )
    .await;
    assert!(
        stale.contains("Someone saved the record while you were changing it (version 2 by"),
        "{stale}"
    );
    assert_eq!(app.count("commissioning_versions").await, 2);

    // No such agreement.
    let missing = page(
        app,
        &token,
        Method::GET,
        "/commissioning/money/agreements/nope/vary",
    )
    .send()
    .await
    .unwrap();
    assert_eq!(missing.status(), 404);
}
on_both_backends!(a_commissioner_varies_a_contribution_by_form);
