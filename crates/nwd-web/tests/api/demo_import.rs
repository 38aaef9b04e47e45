//! The demo's bulk import (issue 17: the demo loads in ≤ 10 s): on SQLite it drops the
//! imported tables' secondary indexes and the figure change log's insert triggers while the
//! rows go in, and puts them back in the same transaction. Afterwards the schema is as
//! before, every imported referral is in the change log (as the triggers would have left it;
//! stamped with the import's data version, or marked again by the crisis positions filled in
//! just after), and the indexes answer queries. Both databases (PostgreSQL
//! imports with everything in place).

use reqwest::Method;
use sqlx::{Connection, Row};

use crate::on_both_backends;
use crate::support::demo::import_demo_county;
use crate::support::TestApp;

async fn connect(app: &TestApp) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap()
}

/// The names of the database's indexes and triggers.
async fn schema(app: &TestApp) -> Vec<String> {
    let mut conn = connect(app).await;
    let sql = if app.database_url.starts_with("sqlite") {
        "SELECT type || ' ' || name AS object FROM sqlite_master \
         WHERE type IN ('index', 'trigger') ORDER BY 1"
    } else {
        "SELECT 'index ' || indexname AS object FROM pg_indexes WHERE schemaname = current_schema() \
         UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1"
    };
    sqlx::query(sql)
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>("object"))
        .collect()
}

async fn the_demo_import_keeps_the_schema_and_the_change_log(app: &TestApp) {
    let before = schema(app).await;
    assert!(
        before.iter().any(|o| o == "index referrals_by_status"),
        "{before:?}"
    );
    import_demo_county(&app.store).await;
    assert_eq!(schema(app).await, before, "the same indexes and triggers");

    let referrals = app.count("referrals").await;
    assert!(referrals >= 90, "{referrals}");
    let mut conn = connect(app).await;
    let unstamped: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM referrals r WHERE NOT EXISTS \
         (SELECT 1 FROM figure_changes f WHERE f.referral_id = r.id)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap()
    .get("n");
    assert_eq!(unstamped, 0, "every imported referral is in the change log");

    // The triggers are live again: a referral made after the import is logged too.
    let response = app
        .staff(Method::POST, "/api/referrals")
        .json(&crate::support::referral_body(None, "routine"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let logged: i64 = sqlx::query("SELECT COUNT(*) AS n FROM figure_changes")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get("n");
    assert_eq!(logged, referrals + 1);
    if app.database_url.starts_with("sqlite") {
        let plan: Vec<String> = sqlx::query(
            "EXPLAIN QUERY PLAN SELECT id FROM referrals WHERE status = 'open' ORDER BY priority_rank",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>("detail"))
        .collect();
        assert!(
            plan.iter().any(|d| d.contains("INDEX referrals_by_status")),
            "the rebuilt indexes are used: {plan:?}"
        );
    }
}
on_both_backends!(the_demo_import_keeps_the_schema_and_the_change_log);
