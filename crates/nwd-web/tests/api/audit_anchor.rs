//! The audit chain is anchored outside the database (issue 15): someone who can write to the
//! database alters an entry and recomputes the plain SHA-256 chain after it (and the head), as
//! the chain alone would allow — `audit verify` and the privacy officer's check still find it,
//! because each entry's MAC needs the server's key. TOTP secrets are sealed with the same key:
//! the database holds no usable second factor, and plain ones from before are sealed at start.
//! Both databases.

use nwd_store::audit::{chain_hash, AuditEntry};
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::Method;
use sqlx::{Connection, Row};

use crate::on_both_backends;
use crate::support::TestApp;

async fn connect(app: &TestApp) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap()
}

/// Changes entry `seq`'s route past the append-only triggers and recomputes the unkeyed chain
/// from it to the end, and the head — everything but the MACs, which need the key.
async fn alter_and_rechain(app: &TestApp, seq: i64) {
    if app.database_url.starts_with("sqlite") {
        app.raw_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
            .await
            .unwrap();
    } else {
        app.raw_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            .await
            .unwrap();
    }
    let mut conn = connect(app).await;
    let rows = sqlx::query(
        "SELECT seq, at, user_id, username, roles, organisation_id, session_id, address, action, \
         route, record_type, record_id, person_id, why, outcome, status, detail, prev_hash \
         FROM audit_log WHERE seq >= $1 ORDER BY seq",
    )
    .bind(seq)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut prev: String = rows[0].try_get("prev_hash").unwrap();
    let mut last = (0i64, String::new());
    for (i, row) in rows.iter().enumerate() {
        let position: i64 = row.try_get("seq").unwrap();
        let status: i64 = row.try_get("status").unwrap();
        let mut entry = AuditEntry {
            at: jiff::Timestamp::from_millisecond(row.try_get("at").unwrap()).unwrap(),
            user_id: row.try_get("user_id").unwrap(),
            username: row.try_get("username").unwrap(),
            roles: row.try_get("roles").unwrap(),
            organisation_id: row.try_get("organisation_id").unwrap(),
            session_id: row.try_get("session_id").unwrap(),
            address: row.try_get("address").unwrap(),
            action: row.try_get("action").unwrap(),
            route: row.try_get("route").unwrap(),
            record_type: row.try_get("record_type").unwrap(),
            record_id: row.try_get("record_id").unwrap(),
            person_id: row.try_get("person_id").unwrap(),
            why: row.try_get("why").unwrap(),
            outcome: row.try_get("outcome").unwrap(),
            status: status as u16,
            detail: row.try_get("detail").unwrap(),
        };
        if i == 0 {
            entry.route = "GET /api/nothing-to-see".into();
        }
        let hash = chain_hash(position as u64, &prev, &entry);
        sqlx::query("UPDATE audit_log SET route = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(&entry.route)
            .bind(&prev)
            .bind(&hash)
            .bind(position)
            .execute(&mut conn)
            .await
            .unwrap();
        prev = hash.clone();
        last = (position, hash);
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(last.0)
        .bind(&last.1)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

async fn a_rechained_audit_trail_fails_verification(app: &TestApp) {
    for _ in 0..3 {
        app.school_referral(None, "routine").await;
    }
    let verified = app.store.verify_audit().await.unwrap();
    assert!(verified.first_broken.is_none(), "{verified:?}");
    let total = verified.entries as i64;
    assert!(total >= 3, "{total}");
    alter_and_rechain(app, 2).await;
    // The plain chain is whole again ...
    let mut conn = connect(app).await;
    let rows = sqlx::query("SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    for pair in rows.windows(2) {
        assert_eq!(
            pair[1].try_get::<String, _>("prev_hash").unwrap(),
            pair[0].try_get::<String, _>("hash").unwrap()
        );
    }
    conn.close().await.unwrap();
    // ... but the MACs name the altered entry.
    let verified = app.store.verify_audit().await.unwrap();
    let broken = verified
        .first_broken
        .expect("a re-chained trail passed verification");
    assert_eq!(broken.seq, 2);
    assert!(broken.problem.contains("MAC"), "{}", broken.problem);
    // The privacy officer's check (`GET /api/audit/verify`, as `nowrongdoor audit verify`)
    // says so too.
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "Privacy".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: "Privacy team".into(),
            team_kind: TeamKind::Other,
            service_id: None,
        })
        .await
        .unwrap();
    let officer = app
        .store
        .create_user(
            NewUser {
                username: "p.officer".into(),
                display_name: "P Officer".into(),
                organisation_id: org,
                password: None,
                memberships: vec![(team, nwd_domain::authz::Role::PrivacyOfficer)],
            },
            "test",
        )
        .await
        .unwrap();
    let token = app
        .store
        .create_api_token(&officer.id, "t", &crate::support::all_scopes())
        .await
        .unwrap()
        .1;
    let response = app
        .as_token(&token, Method::GET, "/api/audit/verify")
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["first_broken"]["seq"], 2, "{body}");
}
on_both_backends!(a_rechained_audit_trail_fails_verification, strict);

async fn totp_secrets_are_sealed_at_rest(app: &TestApp) {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: "Sealed".into(),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: "Sealed team".into(),
            team_kind: TeamKind::SinglePointOfAccess,
            service_id: None,
        })
        .await
        .unwrap();
    let password = "violet kettle harbour lantern";
    let mut secrets = Vec::new();
    for username in ["s.one", "s.two"] {
        let created = app
            .store
            .create_user(
                NewUser {
                    username: username.into(),
                    display_name: username.into(),
                    organisation_id: org.clone(),
                    password: Some(password.into()),
                    memberships: vec![(team.clone(), nwd_domain::authz::Role::Triage)],
                },
                "test",
            )
            .await
            .unwrap();
        secrets.push((created.id, created.totp_secret.unwrap()));
    }
    let stored = |id: String| {
        let url = app.database_url.clone();
        async move {
            sqlx::any::install_default_drivers();
            let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
            let value: String = sqlx::query("SELECT totp_secret FROM users WHERE id = $1")
                .bind(id)
                .fetch_one(&mut conn)
                .await
                .unwrap()
                .try_get("totp_secret")
                .unwrap();
            conn.close().await.unwrap();
            value
        }
    };
    for (id, secret) in &secrets {
        let value = stored(id.clone()).await;
        assert!(value.starts_with("sealed1:"), "{value}");
        assert!(!value.contains(secret.as_str()));
    }
    // Signing in opens it.
    let sign_in = |username: &'static str, secret: String| {
        let code = nwd_store::auth::totp_code(&secret, app.store.now()).unwrap();
        app.public(Method::POST, "/api/session")
            .json(&serde_json::json!({"username": username, "password": password, "code": code}))
            .send()
    };
    assert_eq!(
        sign_in("s.one", secrets[0].1.clone())
            .await
            .unwrap()
            .status(),
        200
    );
    // A secret stored in plain text (from before the key) is sealed when a server with the
    // key starts, and still signs in.
    let (id, secret) = secrets[1].clone();
    app.raw_sql(&format!(
        "UPDATE users SET totp_secret = '{secret}' WHERE id = '{id}'"
    ))
    .await
    .unwrap();
    let mut options =
        nwd_store::StoreOptions::new(app.database_url.clone(), crate::support::standards());
    options.secret_key = Some(app.secret_key.clone());
    options.max_connections = 2;
    let restarted = nwd_store::Store::connect(options).await.unwrap();
    restarted.close().await;
    let value = stored(id.clone()).await;
    assert!(
        value.starts_with("sealed1:") && !value.contains(secret.as_str()),
        "{value}"
    );
    assert_eq!(sign_in("s.two", secret).await.unwrap().status(), 200);
}
on_both_backends!(totp_secrets_are_sealed_at_rest, strict);
