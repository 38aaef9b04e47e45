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
