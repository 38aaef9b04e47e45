//! Changing the commissioning record by form (issue 20), on both databases: a partner's
//! contribution varied from a day, a Transformation Plan milestone's status and evidence, a
//! provider's declared staff, a contract's value for a year and a contract KPI's threshold.
//! Each answer that is wrong is named by its field and writes nothing; "Check" shows before
//! and after and writes nothing; "Save" writes one version whose text differs from the one
//! before only by the change; a form opened on an older version is refused as a conflict;
//! and only `manage_commissioning` reaches the forms.
//!
//! `vary` holds the contribution's tests, `plan` the milestone's and the declared staff's,
//! `contract` a contract's value and KPI; this module the record they start from and the
//! test of who reaches the forms.

mod contract;
mod plan;
mod vary;

use nwd_domain::authz::Role;
use reqwest::Method;

use crate::commissioning::commissioner;
use crate::money::{form, location, record, trust_team};
use crate::on_both_backends;
use crate::support::{member_token, page, staff_html as html, TestApp};

use contract::{KPI, VALUE};
use plan::{MILESTONE, STAFF};
use vary::VARY;

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
pub(super) async fn set_up(app: &TestApp) -> (String, String) {
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
pub(super) type WrongAnswer<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

/// Each set of answers (with `edited_from` 1) refused with 422, naming `field` (the error
/// summary's link) and saying `message`; nothing written (the record stays at version 1).
pub(super) async fn refused_by_field(
    app: &TestApp,
    token: &str,
    path: &str,
    cases: &[WrongAnswer<'_>],
) {
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
