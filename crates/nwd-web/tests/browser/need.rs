//! Need and equality in a real browser at phone width (issue 20), as the commissioner uses
//! it: no population yet; "Load a population table", checked, then loaded after the
//! confirmation; the need page's figures by district with their charts, tables, definitions
//! and sources. Every page is checked by axe-core and must not scroll sideways at 390 px.

use nwd_domain::authz::Role;

use crate::support::{browser_wanted, BrowserApp};

const TABLE: &str = "area,age_band,sex,ethnicity,deprivation_decile,people
ME14,8-16,female,white,3,2000
ME14,8-16,male,white,3,2000
CT1,20-25,male,black,8,700
";

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
async fn a_commissioner_loads_a_population_and_reads_need_at_phone_width() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(390).await;
    crate::commissioning::seed(&app).await;
    let commissioner = app
        .another_user(
            "need.commissioner",
            "Synthetic Commissioner",
            Role::Commissioner,
        )
        .await;
    app.sign_in_as(&commissioner).await;

    app.goto("/commissioning/need").await;
    assert_eq!(app.heading().await, "Need and equality");
    assert!(app
        .text("#no-population")
        .await
        .contains("No population table is loaded"));
    app.check_page("need, no population").await;
    fits(&app, "need, no population").await;

    app.follow("Load a population table").await;
    assert_eq!(app.heading().await, "Load a population table");
    app.type_into("source", "Synthetic estimates").await;
    app.type_into("csv", TABLE).await;
    app.press("#check").await;
    assert!(
        app.text("#checked")
            .await
            .contains("The table checks: 3 rows, 2 districts, 4700 young people"),
        "checked"
    );
    app.check_page("population, checked").await;
    fits(&app, "population, checked").await;
    app.press("#load").await;
    assert_eq!(app.path().await, "/commissioning/need");
    assert!(app
        .text("main")
        .await
        .contains("Population load 1 is in force"));

    // Twelve referrals in ME14 at 12 or 13: 10 published; 4,000 × 20.3 % = 812 → 810 expected.
    let district = app.text("#need-areas").await;
    assert!(district.contains("ME14"), "{district}");
    assert!(district.contains("810"), "{district}");
    assert!(app
        .text("#summary")
        .await
        .contains("Expected need across the area"));
    assert!(app.text("#need-rates").await.contains("wave 4"));
    assert!(app.text("#definitions + dl").await.contains("Byar"));
    app.check_page("need").await;
    fits(&app, "need").await;
    app.finish().await;
}
