//! Need and equality (issue 20), on both databases: no population yet; a population table
//! refused with the row and column of its first fault (nothing written), checked, then loaded
//! after the confirmation (audited); the page's figures by district and age band, published
//! (seven referrals shown as 5, never 7) with their definitions and sources; the CSV; the API
//! twin and its problem+json; and who may load.

use reqwest::{Method, RequestBuilder};

use crate::commissioning::commissioner;
use crate::on_both_backends;
use crate::support::{page, staff_html as html, TestApp};

const TABLE: &str = "area,age_band,sex,ethnicity,deprivation_decile,people
ME14,8-16,female,white,3,2000
ME14,8-16,male,white,3,2000
ME14,0-4,female,asian,3,500
CT1,20-25,male,black,8,700
";

fn form(app: &TestApp, token: &str, body: &[(&str, &str)]) -> RequestBuilder {
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(body)
        .finish();
    page(app, token, Method::POST, "/commissioning/need/population")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoded)
}

async fn a_commissioner_loads_a_population_and_reads_need_by_district(app: &TestApp) {
    let token = commissioner(app).await;
    let empty = html(
        page(app, &token, Method::GET, "/commissioning/need")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    assert!(empty.contains("No population table is loaded"), "{empty}");
    assert!(empty.contains("href=\"/commissioning/need/population\""));

    // A fault names its row and column, and nothing is loaded.
    let bad = TABLE.replace("CT1,20-25,male", "CT1,20-25,m");
    let refused = html(
        form(
            app,
            &token,
            &[("csv", &bad), ("source", "Synthetic"), ("action", "load")],
        )
        .send()
        .await
        .unwrap(),
        422,
    )
    .await;
    assert!(refused.contains("row 5, column sex"), "{refused}");
    assert!(refused.contains("use female or male"), "{refused}");
    assert_eq!(app.count("population").await, 0);

    // Checked: what it holds, and the confirmation button; still nothing loaded.
    let checked = html(
        form(
            app,
            &token,
            &[("csv", TABLE), ("source", "Synthetic"), ("action", "check")],
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(
        checked.contains("The table checks: 4 rows, 2 districts, 5200 young people"),
        "{checked}"
    );
    assert!(checked.contains("Replace the population table"));
    assert_eq!(app.count("population").await, 0);
    let audits = app.count("audit_log").await;
    let loaded = form(
        app,
        &token,
        &[("csv", TABLE), ("source", "Synthetic"), ("action", "load")],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(loaded.status(), 303);
    assert_eq!(loaded.headers()["location"], "/commissioning/need?loaded=1");
    assert_eq!(app.count("population").await, 4);
    assert!(app.count("audit_log").await > audits, "the load is audited");

    // Seven referrals of a 13-year-old in ME14: published as 5.
    for _ in 0..7 {
        app.school_referral(None, "routine").await;
    }
    let shown = html(
        page(app, &token, Method::GET, "/commissioning/need")
            .send()
            .await
            .unwrap(),
        200,
    )
    .await;
    // ME14: 4,000 × 20.3 % + 500 × 5.5 % = 839.5 → 840 expected.
    let me14 = shown
        .split("<th class=\"nhsuk-table__header\" scope=\"row\">ME14</th>")
        .nth(1)
        .unwrap();
    let cells: Vec<&str> = me14
        .split("</tr>")
        .next()
        .unwrap()
        .split("nhsuk-table__cell--numeric\">")
        .skip(1)
        .map(|c| c.split('<').next().unwrap())
        .collect();
    assert_eq!(&cells[..4], ["3", "4500", "840", "5"], "{me14}");
    assert!(shown.contains("Population: Synthetic (4 rows, 5200 young people aged 0 to 25)"));
    assert!(shown.contains("id=\"definitions\""));
    assert!(shown.contains("wave 4"), "the prevalence's source is named");
    assert!(shown.contains("Uptake by group"));
    assert!(shown.contains("Data completeness"));

    let csv = page(app, &token, Method::GET, "/commissioning/need.csv")
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("figure,period,row,column,value,definition"));
    assert!(csv.contains("Need by district,"), "{csv}");
    assert!(
        csv.contains("ME14,Referrals,5,/commissioning/need#need-by-district"),
        "{csv}"
    );

    // The API twin publishes the same figures; the exact 7 never leaves the server.
    let api = app
        .as_token(&token, Method::GET, "/api/commissioning/need")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 200);
    let body: serde_json::Value = api.json().await.unwrap();
    let areas = body["report"]["areas"].as_array().unwrap();
    let me14 = areas.iter().find(|a| a["area"] == "ME14").unwrap();
    assert_eq!(me14["referrals"], serde_json::json!({"count": 5}));
    assert_eq!(me14["expected_need"], 840);
    assert!(!body.to_string().contains("{\"count\":7}"));
    assert_eq!(body["population"]["load_id"], 1);
}
on_both_backends!(a_commissioner_loads_a_population_and_reads_need_by_district);

async fn the_api_loads_a_population_and_refuses_a_bad_one_as_problem_json(app: &TestApp) {
    let token = commissioner(app).await;
    let put = |body: &str| {
        app.as_token(
            &token,
            Method::PUT,
            "/api/commissioning/population?source=ons.csv",
        )
        .header("content-type", "text/csv")
        .body(body.to_owned())
        .send()
    };
    let bad = put(&TABLE.replace("3,2000", "11,2000")).await.unwrap();
    let problem = crate::support::problem(bad, 422).await;
    assert_eq!(crate::support::fields(&problem), ["csv"]);
    assert!(
        problem
            .to_string()
            .contains("row 2, column deprivation_decile"),
        "{problem}"
    );
    assert_eq!(app.count("population").await, 0);
    let good: serde_json::Value = put(TABLE).await.unwrap().json().await.unwrap();
    assert_eq!(
        (
            good["load_id"].as_i64(),
            good["rows"].as_i64(),
            good["people"].as_i64()
        ),
        (Some(1), Some(4), Some(5200))
    );
    let months = app
        .as_token(&token, Method::GET, "/api/commissioning/need?months=40")
        .send()
        .await
        .unwrap();
    let months = crate::support::problem(months, 422).await;
    assert_eq!(crate::support::fields(&months), ["months"]);
    // Staff without `manage_commissioning` may not load.
    let refused = app
        .staff(Method::PUT, "/api/commissioning/population")
        .header("content-type", "text/csv")
        .body(TABLE)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert_eq!(app.count("population_loads").await, 1);
}
on_both_backends!(the_api_loads_a_population_and_refuses_a_bad_one_as_problem_json);
