//! The listing commands (`organisations list`, `teams list`, `users list`) and what the demo
//! and `create-first-admin` make (issue 17), through the real binary. Shares the command
//! runners of `audit.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::audit::{after, cli, entry, ok, open, refused};

/// Runs a command that must succeed; its standard output.
fn listed(url: &str, args: &[&str]) -> String {
    let out = cli(url, "tester", args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The rows of a tab-separated list whose column `column` is `value`.
fn rows_with<'a>(list: &'a str, column: usize, value: &str) -> Vec<Vec<&'a str>> {
    list.lines()
        .skip(1)
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|cells| cells.get(column) == Some(&value))
        .collect()
}

/// `organisations list`, `teams list` and `users list` give the ids other commands ask for;
/// `users list` is audited as a read; `create-first-admin` joins an organisation of the same
/// name instead of making a second, and refuses a name two organisations share.
async fn lists_give_the_ids_and_the_first_administrator_joins_an_existing_organisation(url: &str) {
    let store = open(url).await;
    let organisation = |name: &str| nwd_domain::directory::OrganisationDetails {
        name: name.into(),
        kind: nwd_domain::directory::OrganisationKind::IntegratedCareBoard,
        ods_code: None,
    };
    let operator = nwd_store::audit::AuditContext::operator("tester", "test setup", "organisation");
    for name in ["Synthetic ICB", "Twin Trust", "Twin Trust"] {
        store
            .create_organisation(&operator, organisation(name))
            .await
            .unwrap();
    }
    let orgs = listed(url, &["organisations", "list"]);
    assert!(orgs.starts_with("id\tname\tkind\n"), "{orgs}");
    let icb = rows_with(&orgs, 1, "Synthetic ICB");
    assert_eq!(icb.len(), 1, "{orgs}");
    let icb_id = icb[0][0].to_owned();
    assert_eq!(icb[0][2], "integrated_care_board");
    assert_eq!(rows_with(&orgs, 1, "Twin Trust").len(), 2);

    // Two organisations share the name: refused, naming the problem, nothing written.
    let first = |name: &str| {
        [
            "users",
            "create-first-admin",
            "--organisation",
            name,
            "--username",
            "admin.lists",
            "--display-name",
            "Admin Lists",
        ]
        .map(str::to_owned)
    };
    let twin = first("Twin Trust");
    let twin: Vec<&str> = twin.iter().map(String::as_str).collect();
    let stderr = refused(url, &twin);
    assert!(stderr.contains("2 organisations are called"), "{stderr}");
    assert_eq!(store.count_users().await.unwrap(), 0);
    assert_eq!(store.count_rows("teams").await.unwrap(), 0);

    // Same name in another case and with spaces: the administrator joins it.
    let args = first("  synthetic icb ");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let stderr = ok(url, "tester", &args);
    assert!(stderr.contains("in the directory already"), "{stderr}");
    let admin = after(&stderr, "account created: id ");
    let orgs = listed(url, &["organisations", "list"]);
    assert_eq!(rows_with(&orgs, 1, "Synthetic ICB").len(), 1, "{orgs}");
    assert_eq!(orgs.lines().count(), 1 + 3, "{orgs}");
    assert_eq!(store.user(&admin).await.unwrap().organisation_id, icb_id);

    let teams = listed(url, &["teams", "list"]);
    let administration = rows_with(&teams, 3, "Administration");
    assert_eq!(administration.len(), 1, "{teams}");
    assert_eq!(administration[0][1], icb_id);
    assert_eq!(administration[0][4], "other");
    assert_eq!(administration[0][6], "1");
    let team_id = administration[0][0];

    let users = listed(url, &["users", "list"]);
    let row = rows_with(&users, 0, &admin);
    assert_eq!(row.len(), 1, "{users}");
    assert_eq!(row[0][1], "admin.lists");
    assert_eq!(row[0][3], "Synthetic ICB");
    assert!(
        row[0][4].contains(&format!("Administration ({team_id}): administrator")),
        "{users}"
    );
    assert_eq!(row[0][6], "active");
    // The list of staff is audited as a read by the operator.
    let trail = store.audit_for_user("cli:tester").await.unwrap();
    let read = entry(&trail, "cli users list");
    assert_eq!(read.action, "read");
    assert_eq!(read.record_type, "user");
    assert!(read
        .detail
        .as_deref()
        .unwrap()
        .contains("1 accounts listed"));
    store.close().await;
}

nwd_store::on_both_backends!(
    lists_give_the_ids_and_the_first_administrator_joins_an_existing_organisation,
    |backend| {
        let db = nwd_store::testing::TestDatabase::new(backend)
            .await
            .unwrap();
        super::lists_give_the_ids_and_the_first_administrator_joins_an_existing_organisation(
            db.url(),
        )
        .await;
    }
);

/// The demo gives every role a member of staff in a fitting team, without a password, and
/// marks the database as a demonstration one; `users list` shows them.
async fn the_demo_creates_staff_for_every_role(url: &str) {
    let stderr = ok(
        url,
        "tester",
        &["demo", "--years", "1", "--referrals-per-year", "60"],
    );
    assert!(stderr.contains("demo staff: 7 accounts"), "{stderr}");
    let users = listed(url, &["users", "list"]);
    for (username, role, team) in [
        ("demo.triage", "triage", "Single point of access"),
        (
            "demo.clinician",
            "clinician",
            "Community team – North and West Kent",
        ),
        (
            "demo.manager",
            "team_manager",
            "Community team – North and West Kent",
        ),
        (
            "demo.commissioner",
            "commissioner",
            "Children's commissioning",
        ),
        ("demo.admin", "administrator", "Administration"),
        ("demo.privacy", "privacy_officer", "Information governance"),
        (
            "demo.referrer",
            "external_referrer",
            "Safeguarding – Maidstone schools",
        ),
    ] {
        let row = rows_with(&users, 1, username);
        assert_eq!(row.len(), 1, "{username}: {users}");
        assert!(row[0][4].starts_with(team), "{username}: {}", row[0][4]);
        assert!(
            row[0][4].ends_with(&format!(": {role}")),
            "{username}: {}",
            row[0][4]
        );
        assert_eq!(row[0][5], "none (no password)");
    }
    let teams = listed(url, &["teams", "list"]);
    let spa = rows_with(&teams, 3, "Single point of access");
    assert_eq!(spa[0][4], "single_point_of_access");
    let community = rows_with(&teams, 3, "Community team – North and West Kent");
    assert_eq!(community[0][4], "service");
    assert_eq!(community[0][5], "Community CYPMHS – North and West Kent");
    let store = open(url).await;
    assert!(store.is_demo().await.unwrap());
    // Audited: one entry for the staff, by the operator who loaded the demo.
    let trail = store.audit_for_user("cli:tester").await.unwrap();
    let staff: Vec<_> = trail
        .iter()
        .filter(|r| r.entry.route == "cli demo" && r.entry.record_type == "demo")
        .filter(|r| {
            r.entry
                .detail
                .as_deref()
                .is_some_and(|d| d.starts_with("demonstration database: demo staff created"))
        })
        .collect();
    assert_eq!(staff.len(), 1, "{trail:?}");
    // A first administrator cannot be added to a demonstration database afterwards.
    let stderr = refused(
        url,
        &[
            "users",
            "create-first-admin",
            "--organisation",
            "Kent and Medway ICB",
            "--username",
            "admin.real",
            "--display-name",
            "Admin Real",
        ],
    );
    assert!(stderr.contains("already exists"), "{stderr}");
    store.close().await;
}

nwd_store::on_both_backends!(the_demo_creates_staff_for_every_role, |backend| {
    let db = nwd_store::testing::TestDatabase::new(backend)
        .await
        .unwrap();
    super::the_demo_creates_staff_for_every_role(db.url()).await;
});
