//! The commissioner pages in a real browser: the dashboard (charts, tables, downloads), a bad
//! filter, and the what-if simulator run from its form without JavaScript-only controls.
//! Every page is checked by axe-core, for other origins and for its headers.

use crate::support::{browser_wanted, BrowserApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_and_the_simulator_work_and_are_accessible() {
    if !browser_wanted() {
        return;
    }
    let app = BrowserApp::start(1280).await;
    seed(&app).await;
    sign_in(&app).await;

    app.goto("/commissioning").await;
    assert_eq!(app.heading().await, "Commissioning dashboard");
    assert_eq!(
        app.text("#referrals-by-source-heading").await,
        "Referrals by source"
    );
    // Outcome measures of closed referrals (issue 19): a chart and its table, like the rest.
    assert_eq!(
        app.text("#outcomes-by-service-heading").await,
        "Outcomes by service, self-rated"
    );
    assert!(app
        .text("#outcomes-by-service-caption")
        .await
        .contains("Outcomes by service"));
    let label = app
        .client
        .execute(
            "return document.querySelector('main svg[role=img]').getAttribute('aria-labelledby');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        label.as_str(),
        Some("chart-referrals-by-source-title chart-referrals-by-source-desc")
    );
    app.check_page("commissioning dashboard").await;
    app.assert_no_store("commissioning dashboard").await;

    app.type_into("from", "last spring").await;
    app.enter_in("from").await;
    assert!(app
        .text(".nhsuk-error-summary")
        .await
        .contains("Enter the first month"));
    app.check_page("commissioning dashboard with an error")
        .await;

    app.goto("/commissioning/simulate").await;
    assert_eq!(app.heading().await, "What-if simulator");
    app.check_page("simulator form").await;
    // Capacity in clinicians (the directory's 3.5 WTE and 40 sessions a week), the service
    // by its name in the directory.
    let form = app.text("form[action^='/commissioning/simulate']").await;
    assert!(form.contains("Synthetic Community Team"), "{form}");
    assert!(
        form.contains("Now 3.5 WTE × 11.4 sessions a week each = 40 sessions a week"),
        "{form}"
    );
    app.type_into("reps", "4").await;
    app.type_into("years", "1").await;
    app.type_into("demand", "20").await;
    app.type_into("wte-synthetic_community_team", "7").await;
    app.press("form[action^='/commissioning/simulate'] button[type=submit]")
        .await;
    let results = app.text("main").await;
    assert!(results.contains("Waiting list over time"), "{results}");
    assert!(results.contains("±"));
    // Those who gave up count as not seen within the standard, and the page says so and why
    // the figure differs from the dashboard's.
    let definition = app
        .client
        .execute(
            "return document.querySelector('#within-definition').textContent;",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        definition.contains("count as not seen within 4 weeks"),
        "{definition}"
    );
    assert!(definition.contains("dashboard"), "{definition}");
    assert!(app.text("#gave-up").await.contains(','));
    // The backtest's fit beside the forecast, by service name.
    assert!(app
        .text("#fit-table")
        .await
        .contains("Synthetic Community Team"));
    assert!(app
        .text("#waits-table")
        .await
        .contains("Synthetic Community Team"));
    no_text_overlaps(&app, "#chart-waits-title").await;
    // At 1280 px no table is cut off: each fits its scrolling region.
    assert_eq!(
        clipped_tables(&app).await,
        Vec::<String>::new(),
        "clipped at 1280 px"
    );
    app.check_page("simulator results").await;
    // On a phone (390 px) and at 320 px the page does not scroll sideways: a table wider than
    // the screen scrolls inside its own region, which takes the keyboard focus and is named
    // by its caption, so nothing is out of reach.
    for width in [390, 320] {
        app.client.set_window_size(width, 900).await.unwrap();
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
            "{width} px: {overflow:?}"
        );
        let unreachable = app
            .client
            .execute(
                "return [...document.querySelectorAll('main table')].filter(t => { const r = t.closest('.nwd-table-scroll'); return t.getBoundingClientRect().width > document.documentElement.clientWidth && !(r && r.tabIndex === 0 && r.getAttribute('role') === 'region' && document.getElementById(r.getAttribute('aria-labelledby'))); }).map(t => t.id || t.className);",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            unreachable.as_array().map(Vec::len),
            Some(0),
            "{width} px: tables wider than the screen outside a focusable, named region: {unreachable:?}"
        );
    }
    app.finish().await;
}

/// Tables in `main` wider than their scrolling region (cut off, to be scrolled to), by the
/// region's label and their widths.
async fn clipped_tables(app: &BrowserApp) -> Vec<String> {
    let clipped = app
        .client
        .execute(
            "return [...document.querySelectorAll('main .nwd-table-scroll')].filter(r => r.scrollWidth > r.clientWidth + 1).map(r => r.getAttribute('aria-labelledby') + ' ' + r.scrollWidth + '>' + r.clientWidth);",
            vec![],
        )
        .await
        .unwrap();
    clipped
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// No two text labels of the chart `css` overlap on screen.
async fn no_text_overlaps(app: &BrowserApp, css: &str) {
    let script = format!(
        "const boxes = [...document.querySelector('{css}').closest('svg').querySelectorAll('text')].map(t => t.getBoundingClientRect()).filter(b => b.width > 0);\
         let n = 0; for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {{\
           const a = boxes[i], b = boxes[j];\
           if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) n++; }}\
         return [n, boxes.length];"
    );
    let result = app.client.execute(&script, vec![]).await.unwrap();
    let overlaps = result[0].as_u64().unwrap();
    assert!(result[1].as_u64().unwrap() > 3, "{result:?}");
    assert_eq!(overlaps, 0, "{overlaps} label overlaps in {css}");
}

/// Signs in as the triage clinician (who holds `read_aggregates`).
pub async fn sign_in(app: &BrowserApp) {
    app.goto("/staff/sign-in").await;
    app.type_into("username", &app.triage.username).await;
    app.type_into("password", &app.triage.password.clone())
        .await;
    app.type_into("code", &app.triage.code()).await;
    app.enter_in("code").await;
}

/// A service and a dozen triaged referrals, so the dashboard and calibration have data.
pub async fn seed(app: &BrowserApp) {
    let service = app
        .service(
            "Synthetic Community Team",
            "nhs_trust",
            &["getting_help", "getting_more_help"],
            (5, 18),
            false,
        )
        .await;
    for _ in 0..12 {
        let created: serde_json::Value = app
            .api(reqwest::Method::POST, "/api/referrals")
            .json(&serde_json::json!({
                "person": {"given_name": "Synthetic", "family_name": "Person", "date_of_birth": "2012-03-04", "sex": "female", "postcode": "ME14 1XX"},
                "source": "school", "priority": "routine", "reasons": ["anxiety"],
                "presenting_needs": "Synthetic presenting needs.",
                "referrer": {"name": "Synthetic Teacher", "role": "Teacher", "organisation": "Synthetic School"},
                "consent_to_share": ["School"]
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["referral"]["id"].as_str().unwrap();
        let response = app
            .api(reqwest::Method::POST, &format!("/api/referrals/{id}/triage"))
            .header("If-Match", "\"1\"")
            .json(&serde_json::json!({"need_group": "getting_help", "risk": "low", "rationale": "Agreed at the triage call.",
                   "destinations": [{"type": "allocate", "service_id": service}]}))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }
}
