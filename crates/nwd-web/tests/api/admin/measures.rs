//! The outcome measures' licensed wording from the administrator's pages (issue 19): listed,
//! refused with every gap named and nothing written, loaded, shown, removed after "Are you
//! sure?", audited; and not for a clinician.

use nwd_domain::authz::Role;
use reqwest::Method;

use crate::on_both_backends;
use crate::support::{member, page, staff_html as html, TestApp};

use super::{form, location, org_team};

/// RCADS's wording as TOML: synthetic questions and answers, never the licensed text.
fn synthetic_rcads(skip: Option<&str>) -> String {
    let mut text = String::from(
        "measure = \"rcads\"\nlicence = \"Synthetic wording, licensed to the test organisation\"\n[items]\n",
    );
    for i in 1..=47 {
        if skip != Some(&format!("q{i}")) {
            text.push_str(&format!("q{i} = \"Synthetic question q{i}\"\n"));
        }
    }
    let rcads = nwd_outcomes::bundled().get("rcads").unwrap();
    text.push_str("[labels]\n");
    for (name, set) in &rcads.response_sets {
        let labels: Vec<String> = set
            .options
            .iter()
            .map(|o| format!("\"Synthetic answer {}\"", o.value))
            .collect();
        text.push_str(&format!("{name} = [{}]\n", labels.join(", ")));
    }
    text
}

async fn a_directory_manager_loads_and_removes_a_measures_wording_from_the_pages(app: &TestApp) {
    let (org, team) = org_team(app, "Measures").await;
    let (admin_id, admin) = member(app, &org, &team, Role::Administrator, "measures.admin").await;
    let list = html(
        page(app, &admin, Method::GET, "/staff/admin/measures")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(list.contains("href=\"/staff/admin/measures/rcads\""));
    assert!(list.contains("Scores only: wording not loaded"));
    assert!(
        list.contains("Shipped with its questions"),
        "PHQ-9 and GAD-7"
    );

    // A question missing: refused, the gap named, nothing written.
    let path = "/staff/admin/measures/rcads";
    let missing = html(
        form(
            app,
            &admin,
            path,
            &[("text", &synthetic_rcads(Some("q14")))],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(missing.contains("items.q14: missing"), "{missing}");
    assert!(
        missing.contains("Synthetic question q13"),
        "the pasted text is kept"
    );
    assert_eq!(app.count("measure_texts").await, 0);

    // Loaded: back to the measure, which says who loaded it.
    let loaded = form(app, &admin, path, &[("text", &synthetic_rcads(None))])
        .send()
        .await
        .unwrap();
    assert_eq!(loaded.status(), 303);
    assert_eq!(location(&loaded), "/staff/admin/measures/rcads?done=loaded");
    let shown = html(
        page(
            app,
            &admin,
            Method::GET,
            "/staff/admin/measures/rcads?done=loaded",
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(shown.contains("The wording is loaded"));
    assert!(shown.contains("Loaded by measures.admin"), "{shown}");
    assert!(shown.contains("Remove the wording"));
    // The measure as FHIR, from the page's link, carries the loaded wording.
    let link = "/api/outcome-measures/rcads/questionnaire";
    assert!(shown.contains(&format!("href=\"{link}\"")), "{shown}");
    let fhir = page(app, &admin, Method::GET, link).send().await.unwrap();
    assert_eq!(fhir.status(), 200);
    let questionnaire = fhir.text().await.unwrap();
    assert!(questionnaire.contains("\"resourceType\":\"Questionnaire\""));
    assert!(
        questionnaire.contains("Synthetic question q13"),
        "{questionnaire}"
    );

    // Removing asks first; "yes" removes.
    let remove = "/staff/admin/measures/rcads/remove";
    let asked = form(app, &admin, remove, &[]).send().await.unwrap();
    assert_eq!(asked.status(), 303);
    assert_eq!(location(&asked), remove);
    let question = html(
        page(app, &admin, Method::GET, remove).send().await.unwrap(),
        200,
    )
    .await;
    assert!(question.contains("Remove the wording of"));
    assert_eq!(app.count("measure_texts").await, 1);
    let removed = form(app, &admin, remove, &[("confirmed", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 303);
    assert_eq!(app.count("measure_texts").await, 0);

    // Every change audited against the measure.
    let trail = app.store.audit_for_user(&admin_id).await.unwrap();
    for route in [
        "POST /staff/admin/measures/{code}",
        "POST /staff/admin/measures/{code}/remove",
    ] {
        assert!(
            trail.iter().any(|e| e.entry.route == route
                && e.entry.record_id.as_deref() == Some("rcads")
                && e.entry.outcome == "allowed"),
            "{route} not audited"
        );
    }

    // Not a clinician's page.
    let (_, clinician) = member(app, &org, &team, Role::Clinician, "measures.clinician").await;
    let refused = page(app, &clinician, Method::GET, "/staff/admin/measures")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}
on_both_backends!(a_directory_manager_loads_and_removes_a_measures_wording_from_the_pages);
