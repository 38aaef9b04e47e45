//! The key pages at phone (390 px) and desktop (1280 px) width: each fits the width (no
//! sideways scrolling on a phone) and is saved as a PNG. `scripts/screenshots` sets
//! NWD_SCREENSHOTS to `docs/screenshots/` to keep them; otherwise they go to a temporary
//! folder and are only checked. The server holds a small synthetic county (two years at 1,500
//! referrals a year, from nwd-demo) so that the lists and charts have something in them.

use crate::support::{browser_wanted, BrowserApp};

async fn shoot(app: &BrowserApp, folder: &std::path::Path, name: &str, width: u32) {
    let overflow = app
        .client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap()
        .as_i64()
        .unwrap();
    assert!(
        overflow <= 0,
        "{name} at {width} px scrolls sideways by {overflow} px"
    );
    // The whole page: size the window to the document's height first.
    let height = app
        .client
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap()
        .clamp(600, 4000);
    app.client
        .set_window_size(width, height as u32 + 140)
        .await
        .unwrap();
    let png = app.client.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name}: a PNG");
    std::fs::write(folder.join(format!("{name}-{width}.png")), png).unwrap();
}

/// Imports two years of the synthetic county and answers the service with the most open
/// allocations (the one whose lists and typical waits are shown).
async fn seed_demo(store: &nwd_store::Store) -> String {
    let config = nwd_demo::DemoConfig {
        seed: 2026,
        years: 2,
        referrals_per_year: 1_500,
        end: store.now(),
        tz: store.tz().clone(),
        standards: store.standards().clone(),
    };
    let data = nwd_demo::generate(&config, &mut |_, _| {});
    let histories: Vec<_> = data
        .referrals
        .iter()
        .map(|r| (r.events.as_slice(), &r.state))
        .collect();
    store
        .import(
            &nwd_store::audit::AuditContext::operator("tester", "import", "demo"),
            nwd_store::DemoImport {
                organisations: &data.organisations,
                services: &data.services,
                persons: &data.persons,
                referrals: &histories,
                abouts: &nwd_demo::about::abouts(&data.persons),
            },
            &mut |_, _| {},
        )
        .await
        .expect("import the demo county");
    let mut open = std::collections::HashMap::<String, usize>::new();
    for referral in &data.referrals {
        for allocation in referral
            .state
            .allocations
            .iter()
            .filter(|a| a.ended.is_none())
        {
            *open.entry(allocation.service_id.to_string()).or_default() += 1;
        }
    }
    let busiest = open
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .expect("the demo county has open allocations");
    assert!(busiest.1 > 0);
    busiest.0
}

async fn pages_at(width: u32, folder: &std::path::Path) {
    let app = BrowserApp::start(width).await;
    app.client.set_window_size(width, 900).await.unwrap();
    let busiest = seed_demo(&app.store).await;
    app.service(
        "Synthetic Wellbeing Project",
        "voluntary_community",
        &["getting_advice", "getting_help"],
        (11, 25),
        true,
    )
    .await;
    app.service(
        "Synthetic Community Team",
        "nhs_trust",
        &["getting_help", "getting_more_help"],
        (5, 18),
        false,
    )
    .await;
    for (path, name) in [
        ("/", "start"),
        ("/urgent-help", "urgent-help"),
        ("/find-support?age=15&area=ME14", "find-support"),
    ] {
        app.goto(path).await;
        app.client.set_window_size(width, 900).await.unwrap();
        shoot(&app, folder, name, width).await;
    }
    app.goto(&format!("/find-support/services/{busiest}")).await;
    shoot(&app, folder, "service", width).await;

    app.goto("/get-help").await;
    app.client.set_window_size(width, 900).await.unwrap();
    app.enter_in("dob-day").await;
    shoot(&app, folder, "get-help-error", width).await;
    let year = jiff::Zoned::now().year() - 15;
    app.type_into("dob-day", "9").await;
    app.type_into("dob-month", "4").await;
    app.type_into("dob-year", &year.to_string()).await;
    app.enter_in("dob-year").await;
    app.type_into("given-name", "Synthia").await;
    app.type_into("family-name", "Testyoung").await;
    app.enter_in("family-name").await;
    app.type_into("postcode", "ME14 1XX").await;
    app.enter_in("postcode").await;
    app.client.set_window_size(width, 900).await.unwrap();
    shoot(&app, folder, "get-help-question", width).await;
    app.space_on("reasons").await;
    app.press("button[value=continue]").await;
    app.space_on("safety-thoughts-2").await;
    app.space_on("safety-harmed-2").await;
    app.press("button[value=continue]").await;
    app.type_into("happening", "I feel panicky before school most days.")
        .await;
    app.press("button[value=continue]").await;
    app.type_into("phone", "07700 900 982").await;
    app.enter_in("phone").await;
    app.space_on("understood").await;
    app.press("button[value=continue]").await;
    crate::about::skip_about_pages(&app, false).await;
    app.client.set_window_size(width, 900).await.unwrap();
    shoot(&app, folder, "get-help-check", width).await;
    crate::journeys::human_pause(&app);
    app.press("button[value=send]").await;
    app.client.set_window_size(width, 900).await.unwrap();
    shoot(&app, folder, "get-help-sent", width).await;
    let reference = app.text("#reference").await;
    app.follow("See the status of your request").await;
    app.client.set_window_size(width, 900).await.unwrap();
    shoot(&app, folder, "status", width).await;

    for (path, name) in [
        ("/get-help/parent-carer", "get-help-parent-carer"),
        // The professional referral: its start page, and its first question.
        ("/refer", "refer"),
        ("/refer/questions", "refer-question"),
    ] {
        app.goto(path).await;
        app.client.set_window_size(width, 900).await.unwrap();
        shoot(&app, folder, name, width).await;
    }

    app.goto("/staff/sign-in").await;
    app.client.set_window_size(width, 900).await.unwrap();
    shoot(&app, folder, "staff-sign-in", width).await;
    app.type_into("username", &app.triage.username).await;
    app.type_into("password", &app.triage.password.clone())
        .await;
    app.type_into("code", &app.triage.code()).await;
    app.enter_in("code").await;
    app.client.set_window_size(width, 900).await.unwrap();
    shoot(&app, folder, "staff-triage-queue", width).await;
    assert!(app.text("main").await.contains(&reference));
    app.follow("Synthia Testyoung").await;
    app.client.set_window_size(width, 900).await.unwrap();
    shoot(&app, folder, "staff-referral", width).await;
    for (path, name) in [
        ("/staff/crisis".to_owned(), "staff-crisis-list"),
        (format!("/staff/services/{busiest}"), "staff-service-lists"),
        ("/staff/transitions".to_owned(), "staff-transition-list"),
    ] {
        app.goto(&path).await;
        app.client.set_window_size(width, 900).await.unwrap();
        shoot(&app, folder, name, width).await;
    }

    crate::commissioning::seed(&app).await;
    app.goto("/commissioning").await;
    app.client.set_window_size(width, 900).await.unwrap();
    shoot(&app, folder, "commissioning-dashboard", width).await;
    app.goto("/commissioning/simulate").await;
    app.type_into("reps", "4").await;
    app.type_into("years", "1").await;
    app.type_into("demand", "20").await;
    app.press("form[action^='/commissioning/simulate'] button[type=submit]")
        .await;
    app.client.set_window_size(width, 900).await.unwrap();
    shoot(&app, folder, "commissioning-simulator", width).await;
    // Money and contracts (issue 20): the demo county's record, as `nowrongdoor demo` loads it.
    nwd_usecase::commissioning::save(
        &app.store,
        &nwd_store::audit::AuditContext::operator("tester", "import", "commissioning"),
        "Demo loader",
        0,
        nwd_demo::COMMISSIONING,
        "The demo county's record",
    )
    .await
    .expect("the demo's commissioning record checks");
    for (path, name) in [
        ("/commissioning/money", "commissioning-money"),
        (
            "/commissioning/contracts/cypmhs-2024",
            "commissioning-contract",
        ),
        (
            "/commissioning/reports/quarterly",
            "commissioning-quarterly-report",
        ),
        ("/commissioning/plan", "commissioning-plan"),
    ] {
        app.goto(path).await;
        app.client.set_window_size(width, 900).await.unwrap();
        shoot(&app, folder, name, width).await;
    }
    // The quarterly report as Chromium prints it (the print stylesheet).
    if width == 1280 {
        app.goto("/commissioning/reports/quarterly").await;
        let pdf = app
            .client
            .print(fantoccini::wd::PrintConfiguration::default())
            .await
            .unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        std::fs::write(folder.join("commissioning-quarterly-report.pdf"), pdf).unwrap();
        app.goto("/commissioning/plan").await;
        let pdf = app
            .client
            .print(fantoccini::wd::PrintConfiguration::default())
            .await
            .unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        std::fs::write(folder.join("commissioning-plan.pdf"), pdf).unwrap();
    }

    // Administration (the test's triage clinician is also an administrator).
    for (path, name) in [
        ("/staff/admin/users".to_owned(), "admin-users"),
        ("/staff/admin/services/new".to_owned(), "admin-service-form"),
        (
            format!("/staff/admin/services/{busiest}/standards"),
            "admin-service-standards",
        ),
        ("/staff/admin/teams".to_owned(), "admin-teams"),
        ("/staff/admin/teams/new".to_owned(), "admin-team-form"),
        ("/staff/standards".to_owned(), "staff-standards"),
        ("/staff/privacy".to_owned(), "staff-refusal"),
    ] {
        app.goto(&path).await;
        app.client.set_window_size(width, 900).await.unwrap();
        shoot(&app, folder, name, width).await;
    }
    // The privacy officer.
    let (person, officer) = crate::admin::seed(&app).await;
    app.client.delete_all_cookies().await.unwrap();
    app.goto("/staff/sign-in").await;
    app.type_into("username", &officer.username).await;
    app.type_into("password", &officer.password.clone()).await;
    app.type_into("code", &officer.code()).await;
    app.enter_in("code").await;
    app.client.set_window_size(width, 900).await.unwrap();
    shoot(&app, folder, "privacy-home", width).await;
    for (path, name) in [
        (
            format!("/staff/privacy/person-access?subject={person}"),
            "privacy-person-access",
        ),
        ("/staff/privacy/reviews".to_owned(), "privacy-reviews"),
    ] {
        app.goto(&path).await;
        app.client.set_window_size(width, 900).await.unwrap();
        shoot(&app, folder, name, width).await;
    }
    // A commissioner (manage_commissioning): the forms for the changes made during a year,
    // filled in.
    let commissioner = app
        .another_user(
            "shots.commissioner",
            "Synthetic Commissioner",
            nwd_domain::authz::Role::Commissioner,
        )
        .await;
    app.client.delete_all_cookies().await.unwrap();
    app.sign_in_as(&commissioner).await;
    for (path, name) in [
        (
            "/commissioning/money/agreements/s76-emotional-wellbeing/vary?partner=kcc&amount=1%2C500%2C000&from-day=1&from-month=1&from-year=2027&reason=Harmful+sexual+behaviour+interventions+extended+to+25",
            "commissioning-vary",
        ),
        (
            "/commissioning/plan/2026-27/milestones/2",
            "commissioning-milestone",
        ),
        (
            "/commissioning/contracts/cypmhs-2024/value?year=2026/27&amount=3%2C100%2C000&reason=Pay+award+agreed+by+the+joint+commissioning+board",
            "commissioning-contract-value",
        ),
        (
            "/commissioning/contracts/mhst-2026/kpis/1",
            "commissioning-kpi",
        ),
    ] {
        app.goto(path).await;
        assert!(
            !app.heading().await.contains("do not have access"),
            "{path}"
        );
        app.client.set_window_size(width, 900).await.unwrap();
        shoot(&app, folder, name, width).await;
    }
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_pages_at_phone_and_desktop_width() {
    if !browser_wanted() {
        return;
    }
    let (folder, keep) = match std::env::var("NWD_SCREENSHOTS") {
        Ok(dir) if !dir.is_empty() => (std::path::PathBuf::from(dir), true),
        _ => (
            std::env::temp_dir().join(format!("nwd-screenshots-{}", uuid::Uuid::new_v4().simple())),
            false,
        ),
    };
    std::fs::create_dir_all(&folder).unwrap();
    pages_at(390, &folder).await;
    pages_at(1280, &folder).await;
    let count = std::fs::read_dir(&folder).unwrap().count();
    assert!(count >= 40, "{count} screenshots");
    if !keep {
        let _ = std::fs::remove_dir_all(&folder);
    }
}
