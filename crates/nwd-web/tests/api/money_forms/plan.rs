//! A Transformation Plan milestone's status and evidence, and a provider's declared staff, by form.

use reqwest::Method;

use super::{refused_by_field, set_up};
use crate::money::{form, location};
use crate::on_both_backends;
use crate::support::{page, staff_html as html, TestApp};

pub(super) const MILESTONE: &str = "/commissioning/plan/2024-25/milestones/2";

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

pub(super) const STAFF: &str = "/commissioning/plan/2024-25/declarations/1/staff/1";

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
