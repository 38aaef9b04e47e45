//! Every command of the real binary that changes data writes its audit entry — who
//! (`cli:<operator>`), what (the command as the route, the action) and about which record — in
//! the change's own transaction (issue 16), and the command line gets the same refusals as the
//! administration pages and API, because both call the store's one checked function per
//! action. On SQLite, and on PostgreSQL when `DATABASE_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

use nwd_store::audit::AuditRecord;
use nwd_store::testing::TestDatabase;
use nwd_store::Store;

const PASSWORD: &str = "amber river quiet lantern";

/// The server's secret key for PostgreSQL (SQLite keeps its own beside the file): a
/// synthetic one, in a file of this test process.
fn secret_key_file() -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("nwd-cli-audit-{}.key", std::process::id()));
    if !path.exists() {
        std::fs::write(&path, "ab".repeat(32)).unwrap();
    }
    path
}

/// Runs the binary on `url` as the operator `operator`.
pub(super) fn cli(url: &str, operator: &str, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_nowrongdoor"));
    command
        .args(args)
        .env("NWD_DATABASE_URL", url)
        .env("NWD_ADMIN_PASSWORD", PASSWORD)
        .env("NWD_OPERATOR", operator)
        .env("NWD_LOG", "warn")
        .env("RUST_BACKTRACE", "0");
    if url.starts_with("postgres") {
        command.env("NWD_SECRET_KEY_FILE", secret_key_file());
    }
    command.output().unwrap()
}

/// Runs a command that must succeed; its standard error.
pub(super) fn ok(url: &str, operator: &str, args: &[&str]) -> String {
    let out = cli(url, operator, args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{args:?}: {stderr}");
    stderr
}

/// Runs a command that must be refused; its standard error.
pub(super) fn refused(url: &str, args: &[&str]) -> String {
    let out = cli(url, "tester", args);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "{args:?} was not refused: {stderr}");
    stderr
}

/// The first word after `prefix` in `stderr`.
pub(super) fn after(stderr: &str, prefix: &str) -> String {
    stderr
        .lines()
        .find_map(|l| l.split_once(prefix).map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("no {prefix:?} in {stderr}"))
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches([';', ')'])
        .to_owned()
}

pub(super) async fn open(url: &str) -> Store {
    let standards = toml::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/standards.toml"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut options = nwd_store::StoreOptions::new(url, standards);
    if url.starts_with("postgres") {
        options.secret_key =
            Some(nwd_store::secrets::SecretKey::from_file(&secret_key_file()).unwrap());
    }
    Store::connect(options).await.unwrap()
}

/// The one entry of `trail` written by `route`.
pub(super) fn entry<'a>(trail: &'a [AuditRecord], route: &str) -> &'a nwd_store::audit::AuditEntry {
    let found: Vec<_> = trail.iter().filter(|e| e.entry.route == route).collect();
    assert_eq!(found.len(), 1, "{route}: {found:?}");
    &found[0].entry
}

/// Asserts who, what and which record an entry names.
pub(super) fn names(
    entry: &nwd_store::audit::AuditEntry,
    who: &str,
    action: &str,
    record: (&str, Option<&str>),
) {
    assert_eq!(entry.user_id.as_deref(), Some(who), "{entry:?}");
    assert_eq!(entry.username.as_deref(), Some(who), "{entry:?}");
    assert_eq!(entry.action, action, "{entry:?}");
    assert_eq!(entry.outcome, "allowed", "{entry:?}");
    assert_eq!(entry.record_type, record.0, "{entry:?}");
    if let Some(id) = record.1 {
        assert_eq!(entry.record_id.as_deref(), Some(id), "{entry:?}");
    } else {
        assert!(entry.record_id.is_some(), "{entry:?}");
    }
}

async fn every_changing_command_is_audited(url: &str) {
    let first = ok(
        url,
        "tester",
        &[
            "users",
            "create-first-admin",
            "--organisation",
            "Synthetic ICB",
            "--username",
            "admin.audit",
            "--display-name",
            "Admin Audit",
        ],
    );
    let admin = after(&first, "account created: id ");
    let store = open(url).await;
    let organisation = store.user(&admin).await.unwrap().organisation_id;
    store.close().await;

    let team = after(
        &ok(
            url,
            "tester",
            &[
                "teams",
                "add",
                "--organisation-id",
                &organisation,
                "--name",
                "Access team",
                "--kind",
                "single_point_of_access",
            ],
        ),
        "team created: id ",
    );
    let added = ok(
        url,
        "tester",
        &[
            "users",
            "add",
            "--username",
            "c.clinician",
            "--display-name",
            "C Clinician",
            "--organisation-id",
            &organisation,
            "--team-id",
            &team,
            "--role",
            "clinician",
        ],
    );
    let user = after(&added, "account created: id ");
    let grant = after(&added, "(request ");
    // The operator who asked cannot approve the clinical role; a second operator can.
    assert!(
        refused(url, &["users", "approve-role", "--grant-id", &grant])
            .contains("second administrator")
    );
    ok(
        url,
        "second",
        &["users", "approve-role", "--grant-id", &grant],
    );
    let token = after(
        &ok(
            url,
            "tester",
            &[
                "tokens",
                "create",
                "--user-id",
                &user,
                "--name",
                "school system",
                "--scopes",
                "make_referral",
            ],
        ),
        "token ",
    );
    ok(url, "tester", &["tokens", "revoke", "--id", &token]);
    let issuer = "https://idp.synthetic.example";
    let link = [
        "admin",
        "link-oidc",
        "--user-id",
        &user,
        "--issuer",
        issuer,
        "--subject",
        "subject-0001",
    ];
    ok(url, "tester", &link);
    ok(
        url,
        "tester",
        &[
            "admin",
            "unlink-oidc",
            "--issuer",
            issuer,
            "--subject",
            "subject-0001",
        ],
    );
    ok(url, "tester", &["users", "disable", "--user-id", &user]);
    ok(
        url,
        "tester",
        &[
            "demo",
            "--seed",
            "7",
            "--years",
            "1",
            "--referrals-per-year",
            "150",
        ],
    );
    ok(url, "tester", &["persons", "estimate"]);
    // The population table: a fault names its row and column and loads nothing; a good one
    // replaces the demo's.
    let table = std::env::temp_dir().join(format!("nwd-cli-population-{}.csv", std::process::id()));
    std::fs::write(
        &table,
        "area,age_band,sex,ethnicity,deprivation_decile,people\nME14,8-16,f,white,3,100\n",
    )
    .unwrap();
    let table_path = table.to_str().unwrap().to_owned();
    let bad = refused(url, &["population", "load", &table_path]);
    assert!(bad.contains("row 2, column sex"), "{bad}");
    std::fs::write(
        &table,
        "area,age_band,sex,ethnicity,deprivation_decile,people\nME14,8-16,female,white,3,100\n",
    )
    .unwrap();
    ok(url, "tester", &["population", "load", &table_path]);
    let _ = std::fs::remove_file(&table);
    // Records past their retention date: people who died long ago, every referral closed.
    let store = open(url).await;
    for person in store.live_persons().await.unwrap() {
        store
            .record_death(
                &nwd_store::testing::acting("records.manager"),
                &person.id.to_string(),
                jiff::civil::date(2012, 1, 1),
            )
            .await
            .unwrap();
    }
    store.close().await;
    let retention = ok(
        url,
        "tester",
        &["retention", "run", "--operator", "records.manager"],
    );
    let destroyed: usize = after(&retention, "destroyed ").parse().unwrap();
    assert!(destroyed > 0, "{retention}");
    ok(url, "tester", &["audit", "verify"]);

    let store = open(url).await;
    let trail = store.audit_for_user("cli:tester").await.unwrap();
    let e = entry(&trail, "cli users create-first-admin");
    names(e, "cli:tester", "change", ("user", Some(&admin)));
    assert!(e.detail.as_deref().unwrap().contains("role:administrator"));
    let e = entry(&trail, "cli teams add");
    names(e, "cli:tester", "change", ("team", Some(&team)));
    assert!(e.detail.as_deref().unwrap().contains("name:Access team"));
    let e = entry(&trail, "cli users add");
    names(e, "cli:tester", "change", ("user", Some(&user)));
    let detail = e.detail.as_deref().unwrap();
    assert!(
        detail.contains("by:cli:tester")
            && detail.contains(&format!(
                "role:clinician pending second approval: role_grant:{grant}"
            )),
        "{detail}"
    );
    let e = entry(&trail, "cli tokens create");
    names(e, "cli:tester", "change", ("api_token", Some(&token)));
    let detail = e.detail.as_deref().unwrap();
    assert!(
        detail.contains(&format!("for user:{user}"))
            && detail.contains("scopes:make_referral")
            && detail.contains("by:cli:tester"),
        "{detail}"
    );
    let e = entry(&trail, "cli tokens revoke");
    names(e, "cli:tester", "change", ("api_token", Some(&token)));
    assert!(e
        .detail
        .as_deref()
        .unwrap()
        .contains(&format!("of user:{user}")));
    let e = entry(&trail, "cli admin link-oidc");
    names(e, "cli:tester", "change", ("user", Some(&user)));
    assert!(e
        .detail
        .as_deref()
        .unwrap()
        .contains("subject subject-0001"));
    let e = entry(&trail, "cli admin unlink-oidc");
    names(e, "cli:tester", "change", ("user", Some(&user)));
    let e = entry(&trail, "cli users disable");
    names(e, "cli:tester", "change", ("user", Some(&user)));
    assert!(e.detail.as_deref().unwrap().contains("account disabled"));
    // The demo load names no single record: what it imported is the detail.
    let e = entry(&trail, "cli demo");
    assert_eq!(
        (
            e.user_id.as_deref(),
            e.action.as_str(),
            e.record_type.as_str()
        ),
        (Some("cli:tester"), "change", "demo"),
        "{e:?}"
    );
    assert!(
        e.detail.as_deref().unwrap().contains("150 referrals"),
        "{e:?}"
    );
    // And its commissioning record, as version 1.
    let e = entry(&trail, "cli demo commissioning");
    names(e, "cli:tester", "change", ("commissioning", Some("1")));
    // And its population table, as load 1; the operator's own as load 2.
    let e = entry(&trail, "cli demo population");
    names(e, "cli:tester", "change", ("population", Some("1")));
    let e = entry(&trail, "cli population load");
    names(e, "cli:tester", "change", ("population", Some("2")));
    let e = entry(&trail, "cli persons estimate");
    names(e, "cli:tester", "change", ("match_parameters", None));

    let second = store.audit_for_user("cli:second").await.unwrap();
    let e = entry(&second, "cli users approve-role");
    names(e, "cli:second", "change", ("role_grant", Some(&grant)));
    assert!(e.detail.as_deref().unwrap().contains("role approved"));

    let retention = store
        .audit_for_user("cli:records.manager")
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entry.route == "nowrongdoor retention run")
        .collect::<Vec<_>>();
    assert_eq!(retention.len(), destroyed);
    for e in &retention {
        names(&e.entry, "cli:records.manager", "destroy", ("person", None));
        assert_eq!(e.entry.person_id, e.entry.record_id);
    }
    assert!(store.verify_audit().await.unwrap().first_broken.is_none());
    store.close().await;
}

nwd_store::on_both_backends!(every_cli_command_that_changes_data_is_audited, |backend| {
    let db = nwd_store::testing::TestDatabase::new(backend)
        .await
        .unwrap();
    super::every_changing_command_is_audited(db.url()).await;
});

/// The command line calls the same checked functions as the administration pages and API, so
/// it gets their refusals, each naming what is wrong, and writes nothing: no parent/carer
/// account, no account in a team of another organisation, no account without a shown name,
/// no token for a disabled account or without saying what it is for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_gets_the_same_refusals_as_the_administration_pages() {
    let db = TestDatabase::sqlite().await;
    let url = db.url();
    let first = ok(
        url,
        "tester",
        &[
            "users",
            "create-first-admin",
            "--organisation",
            "Synthetic ICB",
            "--username",
            "admin.refusals",
            "--display-name",
            "Admin Refusals",
        ],
    );
    let admin = after(&first, "account created: id ");
    let store = open(url).await;
    let organisation = store.user(&admin).await.unwrap().organisation_id;
    let other = store
        .create_organisation(
            &nwd_store::testing::acting("tester"),
            nwd_domain::directory::OrganisationDetails {
                name: "Another trust".into(),
                kind: nwd_domain::directory::OrganisationKind::NhsTrust,
                ods_code: None,
            },
        )
        .await
        .unwrap()
        .0
        .id
        .to_string();
    store.close().await;
    let team_of = |organisation: &str, name: &str| {
        after(
            &ok(
                url,
                "tester",
                &[
                    "teams",
                    "add",
                    "--organisation-id",
                    organisation,
                    "--name",
                    name,
                    "--kind",
                    "other",
                ],
            ),
            "team created: id ",
        )
    };
    let team = team_of(&organisation, "Referrers");
    let foreign = team_of(&other, "Their team");
    let add = |username: &str, display: &str, team: &str, role: &str| {
        cli(
            url,
            "tester",
            &[
                "users",
                "add",
                "--username",
                username,
                "--display-name",
                display,
                "--organisation-id",
                &organisation,
                "--team-id",
                team,
                "--role",
                role,
            ],
        )
    };
    let stderr = |out: Output| {
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    assert!(stderr(add("p.carer", "P Carer", &team, "parent_carer"))
        .contains("the parent or carer role is given by linking a carer"));
    assert!(stderr(add(
        "f.referrer",
        "F Referrer",
        &foreign,
        "external_referrer"
    ))
    .contains("the team belongs to another organisation"));
    assert!(stderr(add("n.referrer", " ", &team, "external_referrer"))
        .contains("enter the name shown to others"));
    let created = add("e.referrer", "E Referrer", &team, "external_referrer");
    assert!(created.status.success());
    let user = after(
        &String::from_utf8_lossy(&created.stderr),
        "account created: id ",
    );
    let token = |name: &str| {
        cli(
            url,
            "tester",
            &[
                "tokens",
                "create",
                "--user-id",
                &user,
                "--name",
                name,
                "--scopes",
                "make_referral",
            ],
        )
    };
    assert!(stderr(token(" ")).contains("say what the token is for"));
    ok(url, "tester", &["users", "disable", "--user-id", &user]);
    assert!(stderr(token("school system")).contains("this account is disabled"));

    let store = open(url).await;
    let users = store.users().await.unwrap();
    assert_eq!(
        users
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        ["admin.refusals", "e.referrer"]
    );
    assert!(store.api_tokens(&user).await.unwrap().is_empty());
    store.close().await;
}
