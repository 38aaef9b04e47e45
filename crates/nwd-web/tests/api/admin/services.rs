//! Services are added and changed with the API's checks; the standards page shows what is in
//! force; a service's own waiting-time standards are changed at the version read, checked,
//! and reset to its team type's defaults.

use nwd_domain::authz::Role;
use reqwest::Method;
use serde_json::{json, Value};

use crate::on_both_backends;
use crate::support::{member, no_redirects, page, staff_html as html, TestApp};

use super::{form, location, org_team};

async fn services_are_added_and_changed_with_the_apis_checks(app: &TestApp) {
    let (org, team) = org_team(app, "Directory").await;
    let (_, admin) = member(app, &org, &team, Role::Administrator, "dir.admin").await;
    let services = app.count("services").await;
    let bad = [
        ("organisation_id", org.as_str()),
        ("name", ""),
        ("age_from", "12"),
        ("age_to", "30"),
        ("team_type", "community"),
        ("delivery_modes", "online"),
        ("areas", "me14, 1zz"),
        ("self_referral", "yes"),
        ("clinician_wte", "2"),
        ("slots_per_week", "10"),
        ("active", "yes"),
    ];
    let text = html(
        form(app, &admin, "/staff/admin/services", &bad)
            .send()
            .await
            .unwrap(),
        422,
    )
    .await;
    for field in ["name", "need_groups", "age_to", "areas"] {
        assert!(
            text.contains(&format!("href=\"#{field}\"")),
            "no summary link to {field}: {text}"
        );
    }
    assert_eq!(app.count("services").await, services);
    let good = [
        ("organisation_id", org.as_str()),
        ("name", "Synthetic Wellbeing Hub"),
        ("need_groups", "getting_advice"),
        ("need_groups", "getting_help"),
        ("age_from", "11"),
        ("age_to", "18"),
        ("team_type", "community"),
        ("delivery_modes", "online"),
        ("areas", "me14, ct1"),
        ("self_referral", "yes"),
        ("clinician_wte", "2.5"),
        ("slots_per_week", "30"),
        ("active", "yes"),
    ];
    let response = form(app, &admin, "/staff/admin/services", &good)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(app.count("services").await, services + 1);
    let list: Value = app
        .public(Method::GET, "/api/services?q=Synthetic+Wellbeing")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let service = &list[0];
    assert_eq!(service["areas"], json!(["ME14", "CT1"]));
    assert!(
        !service["standards"].as_array().unwrap().is_empty(),
        "the team type's defaults apply"
    );
    let id = service["id"].as_str().unwrap().to_owned();
    // Changed at the version read; a stale version is shown as a conflict and not saved.
    let mut change = good.to_vec();
    change.push(("version", "1"));
    change.retain(|(k, _)| *k != "active");
    change.push(("active", "no"));
    let response = form(app, &admin, &format!("/staff/admin/services/{id}"), &change)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let (saved, version) = app.store.service(id.parse().unwrap()).await.unwrap();
    assert!(!saved.details.active);
    assert_eq!(version, 2);
    let text = html(
        form(app, &admin, &format!("/staff/admin/services/{id}"), &change)
            .send()
            .await
            .unwrap(),
        409,
    )
    .await;
    assert!(text.contains("Someone else changed this service"));
    assert_eq!(app.store.service(id.parse().unwrap()).await.unwrap().1, 2);
    let list = html(
        page(app, &admin, Method::GET, "/staff/admin/services")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(list.contains("Synthetic Wellbeing Hub") && list.contains("Not taking referrals"));
}
on_both_backends!(services_are_added_and_changed_with_the_apis_checks);

async fn the_standards_page_shows_what_is_in_force_with_sources(app: &TestApp) {
    let (org, team) = org_team(app, "Standards").await;
    let (_, commissioner) = member(app, &org, &team, Role::Commissioner, "s.commissioner").await;
    let text = html(
        page(app, &commissioner, Method::GET, "/staff/standards")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    // Every configured standard with its source, read from the loaded configuration.
    let config = app.store.standards();
    for standard in config
        .fallback
        .iter()
        .chain(config.by_team_type.values().flatten())
    {
        let name = standard.name.replace('&', "&amp;");
        assert!(text.contains(&name), "{} missing", standard.name);
        assert!(
            text.contains(&standard.source.replace('&', "&amp;")),
            "{} missing",
            standard.source
        );
    }
    assert!(text.contains(&format!(
        "Counts below {} shown as *",
        config.suppression.below
    )));
    let response = no_redirects()
        .get(format!("{}/staff/standards", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
}
on_both_backends!(the_standards_page_shows_what_is_in_force_with_sources);

async fn a_services_standards_are_changed_at_the_version_read_and_reset(app: &TestApp) {
    use nwd_domain::codes::{Priority, TeamType};
    use nwd_domain::standards::WaitTarget;
    let (org, team) = org_team(app, "Standards admin").await;
    let (admin_id, admin) = member(app, &org, &team, Role::Administrator, "sa.admin").await;
    let (_, commissioner) = member(app, &org, &team, Role::Commissioner, "sa.commissioner").await;
    let id = app
        .service(
            "Synthetic Standards Service",
            &["getting_help"],
            5,
            18,
            "community",
        )
        .await;
    let service_id: nwd_domain::ServiceId = id.parse().unwrap();
    let defaults = app.store.standards().for_team_type(TeamType::Community);
    let path = format!("/staff/admin/services/{id}/standards");
    let read = || async { app.store.service(service_id).await.unwrap() };
    assert_eq!(read().await.0.details.standards, defaults);

    // Only administrators; the service's page and the read-only standards page lead here.
    let response = page(app, &commissioner, Method::GET, &path)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let text = html(
        page(app, &admin, Method::GET, &path).send().await.unwrap(),
        200,
    )
    .await;
    assert!(text.contains(&defaults[0].name) && text.contains("value=\"28\""));
    let edit = html(
        page(
            app,
            &admin,
            Method::GET,
            &format!("/staff/admin/services/{id}"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(edit.contains(&format!("href=\"{path}\"")));
    let standards = html(
        page(app, &admin, Method::GET, "/staff/standards")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(standards.contains("href=\"/staff/admin/services\""));

    // Bad input: every problem named and linked, nothing written.
    let bad = [
        ("version", "1"),
        ("rows", "2"),
        ("name-0", " "),
        ("amount-0", "0"),
        ("unit-0", "days"),
        ("share-0", "150"),
        ("citation-0", ""),
        ("name-1", "Urgent"),
        ("amount-1", "a week"),
        ("unit-1", "weeks"),
        ("priorities-1", "urgent"),
        ("citation-1", "Local agreement"),
    ];
    let text = html(form(app, &admin, &path, &bad).send().await.unwrap(), 422).await;
    for field in [
        "name-0",
        "amount-0",
        "share-0",
        "citation-0",
        "amount-1",
        "unit-1",
    ] {
        assert!(
            text.contains(&format!("href=\"#{field}\"")),
            "no summary link to {field}: {text}"
        );
    }
    assert!(text.contains("value=\"a week\""), "what was typed is kept");
    let (unchanged, version) = read().await;
    assert_eq!(unchanged.details.standards, defaults);
    assert_eq!(version, 1);

    // Saved at the version read, in the order given; the empty spare row is ignored.
    let good = [
        ("version", "1"),
        ("rows", "3"),
        ("name-0", "Community: urgent, 1 week"),
        ("amount-0", "7"),
        ("unit-0", "days"),
        ("share-0", "90"),
        ("priorities-0", "very_urgent"),
        ("priorities-0", "urgent"),
        ("citation-0", "Synthetic local contract 2026"),
        ("name-1", "Community: 4 weeks"),
        ("amount-1", "28"),
        ("unit-1", "days"),
        ("citation-1", "Domain guide §3"),
        ("unit-2", "days"),
    ];
    let response = form(app, &admin, &path, &good).send().await.unwrap();
    assert_eq!(
        location(&response),
        format!("/staff/admin/services/{id}#standards")
    );
    let (saved, version) = read().await;
    assert_eq!(version, 2);
    assert_eq!(saved.details.standards.len(), 2);
    let urgent = &saved.details.standards[0];
    assert_eq!(urgent.target, WaitTarget::Days(7));
    assert_eq!(urgent.target_share_percent, Some(90));
    assert_eq!(
        urgent.priorities,
        vec![Priority::VeryUrgent, Priority::Urgent]
    );
    assert_eq!(urgent.source, "Synthetic local contract 2026");
    assert!(saved.details.standards[1].priorities.is_empty());
    // The API sees the same standards.
    let api: Value = app
        .public(Method::GET, &format!("/api/services/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["standards"][0]["target_share_percent"], 90);

    // The same form again, at the old version: a conflict page keeping what was typed.
    let text = html(form(app, &admin, &path, &good).send().await.unwrap(), 409).await;
    assert!(text.contains("Someone else changed this service"));
    assert!(text.contains("value=\"Synthetic local contract 2026\""));
    assert_eq!(read().await.1, 2);

    // A standard removed.
    let mut removing = good.to_vec();
    removing.retain(|(k, _)| *k != "version");
    removing.push(("version", "2"));
    removing.push(("remove-0", "yes"));
    let response = form(app, &admin, &path, &removing).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let (saved, version) = read().await;
    assert_eq!(version, 3);
    assert_eq!(saved.details.standards.len(), 1);
    assert_eq!(saved.details.standards[0].name, "Community: 4 weeks");

    // Reset: stale refused, current back to the team type's defaults.
    let reset = format!("{path}/reset");
    html(
        form(
            app,
            &admin,
            &reset,
            &[("version", "2"), ("confirmed", "yes")],
        )
        .send()
        .await
        .unwrap(),
        409,
    )
    .await;
    assert_eq!(read().await.1, 3);
    let response = form(
        app,
        &admin,
        &reset,
        &[("version", "3"), ("confirmed", "yes")],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 303);
    let (saved, version) = read().await;
    assert_eq!(version, 4);
    assert_eq!(saved.details.standards, defaults);

    // Audited against the service.
    let trail = app.store.audit_for_user(&admin_id).await.unwrap();
    for route in [
        "POST /staff/admin/services/{id}/standards",
        "POST /staff/admin/services/{id}/standards/reset",
    ] {
        assert!(
            trail.iter().any(|e| e.entry.route == route
                && e.entry.record_id.as_deref() == Some(id.as_str())
                && e.entry.outcome == "allowed"),
            "{route} not audited"
        );
    }
}
on_both_backends!(a_services_standards_are_changed_at_the_version_read_and_reset);
