//! Changing the commissioning record by form (issue 20), on both databases: a partner's
//! contribution varied from a day, a Transformation Plan milestone's status and evidence,
//! a provider's declared staff, a contract's value for a year and a contract KPI's threshold. Each answer that is wrong
//! is named by its field and writes nothing; "Check" shows before and after and writes nothing; "Save" writes one version whose text differs
//! from the one before only by the change; a form opened on an older version is refused as
//! a conflict; and only `manage_commissioning` reaches the forms.

use nwd_domain::authz::Role;
use reqwest::Method;

use crate::commissioning::commissioner;
use crate::money::{form, location, record, trust_team};
use crate::on_both_backends;
use crate::support::{member_token, page, staff_html as html, TestApp};

const PLAN: &str = r#"
[[transformation_plan]]
year = "2024/25"
title = "Synthetic plan"

  [[transformation_plan.declaration]]
  provider = "trust"

    [[transformation_plan.declaration.staff]]
    service = "Synthetic Community Team"
    role = "Clinical psychologist"
    wte = 3.5

    [[transformation_plan.declaration.staff]]
    service = "Synthetic Community Team"
    role = "Administrator"
    wte = 1
    clinical = false

  [[transformation_plan.action]]
  action = "Publish waits monthly"
  owner = "icb"
  due = "2024-09-30"
  status = "on_track"

  [[transformation_plan.action]]
  action = "Plan every transition by 17½"
  owner = "council"
  due = "2025-01-31"
  status = "at_risk"
"#;

/// A commissioner's token, with the record (and a plan) saved as version 1.
async fn set_up(app: &TestApp) -> (String, String) {
    app.service(
        "Synthetic Community Team",
        &["getting_help"],
        5,
        18,
        "community",
    )
    .await;
    let token = commissioner(app).await;
    let source = format!("{}{PLAN}", record("Synthetic Community Team"));
    let saved = form(
        app,
        &token,
        "/commissioning/money/edit",
        &[
            ("source", &source),
            ("reason", "First record"),
            ("edited_from", "0"),
            ("action", "save"),
        ],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(location(&saved), "/commissioning/money?saved=1");
    (token, source)
}

/// Answers, the field they are wrong in, and what the page says.
type WrongAnswer<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

/// Each set of answers (with `edited_from` 1) refused with 422, naming `field` (the error
/// summary's link) and saying `message`; nothing written (the record stays at version 1).
async fn refused_by_field(app: &TestApp, token: &str, path: &str, cases: &[WrongAnswer<'_>]) {
    for (answers, field, message) in cases {
        let mut body = answers.clone();
        body.push(("edited_from", "1"));
        let refused = html(form(app, token, path, &body).send().await.unwrap(), 422).await;
        assert!(
            refused.contains(&format!("href=\"#{field}\"")),
            "{answers:?}: {refused}"
        );
        assert!(refused.contains(message), "{answers:?}: {refused}");
    }
    assert_eq!(app.count("commissioning_versions").await, 1);
}

const VARY: &str = "/commissioning/money/agreements/pool/vary";

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

const MILESTONE: &str = "/commissioning/plan/2024-25/milestones/2";

async fn a_commissioner_updates_a_milestone_by_form(app: &TestApp) {
    let (token, source) = set_up(app).await;
    let plan = html(
        page(app, &token, Method::GET, "/commissioning/plan?year=2024/25")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(plan.contains(&format!("href=\"{MILESTONE}\"")), "{plan}");
    let open = html(
        page(app, &token, Method::GET, MILESTONE)
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(open.contains("Plan every transition by 17½"), "{open}");
    assert!(open.contains("value=\"at_risk\" checked"), "{open}");

    // Done without evidence, or no status: refused by field, nothing written.
    let refused = html(
        form(
            app,
            &token,
            MILESTONE,
            &[("status", "done"), ("evidence", " "), ("edited_from", "1")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(refused.contains("href=\"#evidence\""), "{refused}");
    assert!(refused.contains("a done milestone needs its evidence"));
    let refused = html(
        form(
            app,
            &token,
            MILESTONE,
            &[("status", "finished"), ("edited_from", "1")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(refused.contains("href=\"#status\""), "{refused}");
    assert_eq!(app.count("commissioning_versions").await, 1);

    let answers = [
        ("status", "done"),
        ("evidence", "Transition plans audited in January"),
        ("edited_from", "1"),
    ];
    let check = html(
        form(app, &token, MILESTONE, &answers).send().await.unwrap(),
        200,
    )
    .await;
    assert!(
        check.contains("At risk</td><td class=\"nhsuk-table__cell\">Done"),
        "{check}"
    );
    assert!(check
        .contains("None</td><td class=\"nhsuk-table__cell\">Transition plans audited in January"));
    assert_eq!(app.count("commissioning_versions").await, 1);

    let mut confirmed = answers.to_vec();
    confirmed.push(("confirmed", "yes"));
    let saved = form(app, &token, MILESTONE, &confirmed)
        .send()
        .await
        .unwrap();
    assert_eq!(
        location(&saved),
        "/commissioning/plan?year=2024%2F25&saved=2#actions-heading"
    );
    let current = app.store.commissioning_current().await.unwrap().unwrap();
    assert_eq!(
        current.reason,
        "Milestone 2 of the 2024/25 plan: At risk → Done"
    );
    assert_eq!(
        current.source,
        source.replace(
            "  status = \"at_risk\"\n",
            "  status = \"done\"\n  evidence = \"Transition plans audited in January\"\n"
        ),
        "the one milestone changed, the rest as written"
    );
    let plan = html(
        page(
            app,
            &token,
            Method::GET,
            "/commissioning/plan?year=2024/25&saved=2",
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(plan.contains("Version 2 of the record is saved"), "{plan}");
    assert!(plan.contains("Transition plans audited in January"));

    for missing in [
        "/commissioning/plan/2024-25/milestones/3",
        "/commissioning/plan/2024-25/milestones/0",
        "/commissioning/plan/2030-31/milestones/1",
        "/commissioning/plan/soon/milestones/1",
    ] {
        let response = page(app, &token, Method::GET, missing)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{missing}");
    }
}
on_both_backends!(a_commissioner_updates_a_milestone_by_form);

const STAFF: &str = "/commissioning/plan/2024-25/declarations/1/staff/1";

async fn a_commissioner_changes_declared_staff_by_form(app: &TestApp) {
    let (token, source) = set_up(app).await;
    let plan = html(
        page(app, &token, Method::GET, "/commissioning/plan?year=2024/25")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(plan.contains(&format!("href=\"{STAFF}\"")), "{plan}");
    let open = html(
        page(app, &token, Method::GET, STAFF).send().await.unwrap(),
        200,
    )
    .await;
    assert!(open.contains("Clinical psychologist"), "{open}");
    assert!(open.contains("value=\"3.5\""), "{open}");

    // Wrong answers, by field; the record's own bound (more than 0, at most 1,000) from the
    // record's check; nothing written.
    refused_by_field(
        app,
        &token,
        STAFF,
        &[
            (
                vec![("wte", "lots"), ("reason", "Recruited")],
                "wte",
                "as a number",
            ),
            (
                vec![("wte", "5"), ("reason", " ")],
                "reason",
                "Say why the staff change",
            ),
            (vec![("wte", "0"), ("reason", "Left")], "wte", "more than 0"),
            (
                vec![("wte", "5000"), ("reason", "Typo")],
                "wte",
                "at most 1000",
            ),
        ],
    )
    .await;

    let answers = [
        ("wte", "5.5"),
        ("reason", "Two psychologists recruited"),
        ("edited_from", "1"),
    ];
    let check = html(
        form(app, &token, STAFF, &answers).send().await.unwrap(),
        200,
    )
    .await;
    assert!(
        check.contains("3.5</td><td class=\"nhsuk-table__cell\">5.5"),
        "{check}"
    );
    // The provider's declared staff: 4.5 before, 6.5 after.
    assert!(
        check.contains("4.5</td><td class=\"nhsuk-table__cell\">6.5"),
        "{check}"
    );
    assert!(
        check.contains("takes this service&#39;s clinicians from the plan"),
        "{check}"
    );
    assert_eq!(app.count("commissioning_versions").await, 1);

    let mut confirmed = answers.to_vec();
    confirmed.push(("confirmed", "yes"));
    let saved = form(app, &token, STAFF, &confirmed).send().await.unwrap();
    assert_eq!(
        location(&saved),
        "/commissioning/plan?year=2024%2F25&saved=2#providers-heading"
    );
    let current = app.store.commissioning_current().await.unwrap().unwrap();
    assert_eq!(
        current.reason,
        "Synthetic NHS Trust, Synthetic Community Team (Clinical psychologist), 2024/25 plan: 3.5 → 5.5 WTE. Two psychologists recruited"
    );
    assert_eq!(
        current.source,
        source.replacen("    wte = 3.5\n", "    wte = 5.5\n", 1),
        "the one value changed, the rest as written"
    );
    for missing in [
        "/commissioning/plan/2024-25/declarations/1/staff/3",
        "/commissioning/plan/2024-25/declarations/2/staff/1",
        "/commissioning/plan/2024-25/declarations/0/staff/1",
    ] {
        let response = page(app, &token, Method::GET, missing)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{missing}");
    }
}
on_both_backends!(a_commissioner_changes_declared_staff_by_form);

const VALUE: &str = "/commissioning/contracts/cyp-block/value";

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

const KPI: &str = "/commissioning/contracts/cyp-block/kpis/1";

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

async fn only_manage_commissioning_reaches_the_forms(app: &TestApp) {
    let _ = set_up(app).await;
    // Triage reads the figures but does not manage the record: no link, no form.
    let (org, team) = trust_team(app).await;
    let triage = member_token(app, &org, &team, Role::Triage, "forms.triage").await;
    let money = html(
        page(app, &triage, Method::GET, "/commissioning/money")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(!money.contains("/vary\""), "{money}");
    let plan = html(
        page(
            app,
            &triage,
            Method::GET,
            "/commissioning/plan?year=2024/25",
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(!plan.contains("/milestones/"), "{plan}");
    assert!(!plan.contains("/declarations/"), "{plan}");
    let contract = html(
        page(
            app,
            &triage,
            Method::GET,
            "/commissioning/contracts/cyp-block",
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(!contract.contains("/value"), "{contract}");
    assert!(!contract.contains("/kpis/"), "{contract}");
    for (method, path) in [
        (Method::GET, VARY),
        (Method::POST, VARY),
        (Method::GET, MILESTONE),
        (Method::POST, MILESTONE),
        (Method::GET, STAFF),
        (Method::POST, STAFF),
        (Method::GET, VALUE),
        (Method::POST, VALUE),
        (Method::GET, KPI),
        (Method::POST, KPI),
    ] {
        let response = page(app, &triage, method.clone(), path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{method} {path}");
    }
    assert_eq!(app.count("commissioning_versions").await, 1);
}
on_both_backends!(only_manage_commissioning_reaches_the_forms);
