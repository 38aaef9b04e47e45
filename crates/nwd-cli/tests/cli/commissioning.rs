//! `nowrongdoor commissioning …` through the real binary, on both databases (issue 20): the
//! demo's record shown; a file with a misspelt service refused by field path, nothing saved;
//! a good file checked, then loaded with a reason and audited as the operator; a load from a
//! stale version refused; the history listed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::audit::{cli, ok, open, refused};

async fn the_operator_checks_loads_and_lists_the_record(url: &str) {
    ok(
        url,
        "tester",
        &["demo", "--years", "1", "--referrals-per-year", "200"],
    );
    let shown = cli(url, "tester", &["commissioning", "show"]);
    assert!(shown.status.success());
    let source = String::from_utf8(shown.stdout).unwrap();
    assert!(source.contains("key = \"cypmhs-2024\""), "{source}");
    assert!(String::from_utf8_lossy(&shown.stderr).contains("version 1 saved by"));

    let dir = std::env::temp_dir().join(format!(
        "nwd-cli-money-{}-{}",
        std::process::id(),
        url.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(
        &bad,
        source.replace(
            "\"Hopfield Youth Counselling\"]",
            "\"Hopfeld Youth Counselling\"]",
        ),
    )
    .unwrap();
    let refusal = refused(
        url,
        &[
            "commissioning",
            "load",
            bad.to_str().unwrap(),
            "--reason",
            "typo",
        ],
    );
    assert!(
        refusal.contains(
            ".services[0]: \"Hopfeld Youth Counselling\" is not a service in the directory"
        ),
        "{refusal}"
    );
    assert!(refusal.contains("nothing saved (1 problems)"), "{refusal}");

    let good = dir.join("good.toml");
    std::fs::write(&good, source.replace("amount = 95000", "amount = 99000")).unwrap();
    let checked = ok(
        url,
        "tester",
        &["commissioning", "check", good.to_str().unwrap()],
    );
    assert!(
        checked.contains(
            "checks: 7 parties, 2 agreements, 4 contracts, 10 system KPIs, 1 Transformation Plans"
        ),
        "{checked}"
    );
    let store = open(url).await;
    assert_eq!(
        store.commissioning_versions().await.unwrap().len(),
        1,
        "a check saves nothing"
    );
    store.close().await;
    let loaded = ok(
        url,
        "ops.money",
        &[
            "commissioning",
            "load",
            good.to_str().unwrap(),
            "--reason",
            "Hub grant uplift",
        ],
    );
    assert!(loaded.contains("saved as version 2"), "{loaded}");
    let stale = refused(
        url,
        &[
            "commissioning",
            "load",
            good.to_str().unwrap(),
            "--reason",
            "again",
            "--edited-from",
            "1",
        ],
    );
    assert!(
        stale.contains("the record is at version 2, not 1"),
        "{stale}"
    );

    let history = cli(url, "tester", &["commissioning", "history"]);
    let history = String::from_utf8(history.stdout).unwrap();
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(lines.len(), 2, "{history}");
    assert!(
        lines[0].starts_with("2\t") && lines[0].ends_with("Hub grant uplift"),
        "{history}"
    );

    let store = open(url).await;
    let trail = store.audit_for_user("cli:ops.money").await.unwrap();
    let load = trail
        .iter()
        .find(|e| e.entry.route == "cli commissioning load")
        .unwrap_or_else(|| panic!("the load is audited: {trail:?}"));
    assert_eq!(
        (
            load.entry.record_type.as_str(),
            load.entry.record_id.as_deref()
        ),
        ("commissioning", Some("2"))
    );
    store.close().await;
}

nwd_store::on_both_backends!(the_operator_checks_loads_and_lists_the_record, |backend| {
    let db = nwd_store::testing::TestDatabase::new(backend)
        .await
        .unwrap();
    super::the_operator_checks_loads_and_lists_the_record(db.url()).await;
});
