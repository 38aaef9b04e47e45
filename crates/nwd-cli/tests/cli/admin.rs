//! The one-time first administrator and `audit verify`, through the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn nowrongdoor(db: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nowrongdoor"))
        .args(args)
        .env("NWD_DATABASE_URL", db)
        .env("NWD_ADMIN_PASSWORD", "amber river quiet lantern")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap()
}

#[test]
fn the_first_administrator_is_created_once_and_the_audit_trail_verifies() {
    let db = std::env::temp_dir().join(format!("nwd-admin-{}.sqlite", std::process::id()));
    let first = [
        "users",
        "create-first-admin",
        "--organisation",
        "Synthetic ICB",
        "--username",
        "admin.one",
        "--display-name",
        "Admin One",
    ];
    let out = nowrongdoor(&db, &first);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("otpauth://totp/"),
        "no TOTP enrolment shown: {stderr}"
    );
    // A second "first" administrator is refused: no default or extra bootstrap accounts.
    let out = nowrongdoor(&db, &first);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    // A breached password is refused with how to fix it.
    let out = Command::new(env!("CARGO_BIN_EXE_nowrongdoor"))
        .args([
            "users",
            "create-first-admin",
            "--organisation",
            "X",
            "--username",
            "x",
            "--display-name",
            "X",
        ])
        .env(
            "NWD_DATABASE_URL",
            std::env::temp_dir().join(format!("nwd-admin-b-{}.sqlite", std::process::id())),
        )
        .env("NWD_ADMIN_PASSWORD", "password123")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("breached"));
    let out = nowrongdoor(&db, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("intact"));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

/// `admin link-oidc` links an identity to an existing account once, `unlink-oidc` removes it,
/// bad input names the field, and the audit trail still verifies; `serve --oidc` refuses to
/// start without the client secret in the environment.
#[test]
fn oidc_identities_are_linked_and_unlinked_by_an_administrator() {
    let db = std::env::temp_dir().join(format!("nwd-admin-oidc-{}.sqlite", std::process::id()));
    let out = nowrongdoor(
        &db,
        &[
            "users",
            "create-first-admin",
            "--organisation",
            "Synthetic ICB",
            "--username",
            "admin.oidc",
            "--display-name",
            "Admin Oidc",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    let user_id = stderr
        .lines()
        .find_map(|l| l.strip_prefix("account created: id "))
        .unwrap()
        .trim()
        .to_owned();
    let link = |subject: &str, issuer: &str| {
        nowrongdoor(
            &db,
            &[
                "admin",
                "link-oidc",
                "--user-id",
                &user_id,
                "--issuer",
                issuer,
                "--subject",
                subject,
            ],
        )
    };
    let issuer = "https://idp.synthetic.example";
    let out = link("subject-0001", issuer);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = link("subject-0001", issuer);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already linked"));
    let bad = link("subject-0002", "idp.synthetic.example");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("issuer"));
    let unlink = [
        "admin",
        "unlink-oidc",
        "--issuer",
        issuer,
        "--subject",
        "subject-0001",
    ];
    assert!(nowrongdoor(&db, &unlink).status.success());
    let twice = nowrongdoor(&db, &unlink);
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("no account is linked"));
    let out = nowrongdoor(&db, &["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A providers file whose secret variable is not set stops the server before it serves.
    let file = std::env::temp_dir().join(format!("nwd-oidc-{}.toml", std::process::id()));
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../config/oidc.example.toml"
    ))
    .unwrap();
    std::fs::write(&file, example).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_nowrongdoor"))
        .args(["serve", "--bind", "127.0.0.1:0", "--oidc"])
        .arg(&file)
        .env("NWD_DATABASE_URL", &db)
        .env_remove("NWD_CIS2_CLIENT_SECRET")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("NWD_CIS2_CLIENT_SECRET"), "{stderr}");
    let _ = std::fs::remove_file(&file);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

/// `teams add` runs the administration page's checks: every problem is named with how to fix
/// it, and nothing is written.
#[test]
fn teams_add_names_what_is_wrong_and_writes_nothing() {
    let db = std::env::temp_dir().join(format!("nwd-admin-teams-{}.sqlite", std::process::id()));
    let out = nowrongdoor(
        &db,
        &[
            "teams",
            "add",
            "--organisation-id",
            "no-such-organisation",
            "--name",
            " ",
            "--kind",
            "other",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("enter the team's name"), "{stderr}");
    assert!(
        stderr.contains("choose the organisation the team belongs to"),
        "{stderr}"
    );
    assert!(!stderr.contains("team created"), "{stderr}");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}
