//! The privacy officer's home page verifies the audit chain incrementally — only the entries
//! added since this server last verified it — and the whole chain on request, saying which it
//! did; tampering after the remembered entry is found by the incremental check, tampering
//! anywhere by the full one. The access reports name users by name, not only by username.
//! Both databases.

use nwd_domain::authz::Role;
use nwd_store::auth::{Bootstrap, NewUser, TeamKind};
use reqwest::Method;

use crate::on_both_backends;
use crate::support::{all_scopes, html, TestApp};

/// An account with one role in a new team; returns (user id, API token).
async fn account(app: &TestApp, role: Role, username: &str, name: &str) -> (String, String) {
    let (org, team) = app
        .store
        .bootstrap_team(&Bootstrap {
            organisation: format!("{username} organisation"),
            organisation_kind: nwd_domain::directory::OrganisationKind::NhsTrust,
            team: format!("{username} team"),
            team_kind: TeamKind::Other,
            service_id: None,
        })
        .await
        .unwrap();
    let user = app
        .store
        .create_user(
            NewUser {
                username: username.to_owned(),
                display_name: name.to_owned(),
                organisation_id: org,
                password: None,
                memberships: vec![(team, role)],
            },
            "test",
        )
        .await
        .unwrap();
    let token = app
        .store
        .create_api_token(&user.id, "test", &all_scopes())
        .await
        .unwrap()
        .1;
    (user.id, token)
}

async fn home(app: &TestApp, token: &str, query: &str) -> String {
    html(
        app.as_token(token, Method::GET, &format!("/staff/privacy{query}"))
            .send()
            .await
            .unwrap(),
        200,
    )
    .await
}

/// Changes an audit entry past the append-only protection (as someone with the power to drop
/// it could), or puts it back.
async fn set_route(app: &TestApp, seq: i64, route: &str) {
    if app.database_url.starts_with("sqlite") {
        app.raw_sql("DROP TRIGGER IF EXISTS audit_log_no_update")
            .await
            .unwrap();
    } else {
        app.raw_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
            .await
            .unwrap();
    }
    app.raw_sql(&format!(
        "UPDATE audit_log SET route = '{route}' WHERE seq = {seq}"
    ))
    .await
    .unwrap();
}

async fn route_of(app: &TestApp, seq: i64) -> String {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&app.database_url)
        .await
        .unwrap();
    let row = sqlx::query("SELECT route FROM audit_log WHERE seq = $1")
        .bind(seq)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let route: String = row.try_get("route").unwrap();
    conn.close().await.unwrap();
    route
}

async fn the_home_page_verifies_new_entries_and_the_whole_chain_on_request(app: &TestApp) {
    let (officer_id, officer) =
        account(app, Role::PrivacyOfficer, "p.officer", "Pat Officer").await;
    // A few audited reads first, so that the remembered prefix has entries inside it.
    for _ in 0..3 {
        let response = app
            .as_token(&officer, Method::GET, "/staff/privacy/user-access")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    // The first view remembers nothing yet: the whole chain.
    let text = home(app, &officer, "").await;
    assert!(
        text.contains("The audit trail is intact: the whole chain"),
        "{text}"
    );
    let remembered = app.count("audit_log").await; // the view's own entry came after
                                                   // The next view checks only what was added since (its own first view's entry on).
    let text = home(app, &officer, "").await;
    assert!(
        text.contains(&format!("from entry {} on", remembered)),
        "{text}"
    );
    assert!(
        text.contains("The whole chain was last checked at"),
        "{text}"
    );

    // Tampering inside the remembered prefix: not re-read by the incremental check, found by
    // the full one, which names the entry.
    let original = route_of(app, 2).await;
    set_route(app, 2, "GET /nothing-to-see").await;
    let text = home(app, &officer, "").await;
    assert!(
        text.contains("The audit trail is intact up to entry"),
        "{text}"
    );
    let text = home(app, &officer, "?check=full").await;
    assert!(text.contains("The audit trail does not verify"), "{text}");
    assert!(
        text.contains("Entry 2: its content does not match its hash"),
        "{text}"
    );
    assert!(text.contains("The whole chain was checked"), "{text}");
    // Until it is mended every view checks the whole chain again and keeps saying so.
    let text = home(app, &officer, "").await;
    assert!(
        text.contains("Entry 2: its content does not match"),
        "{text}"
    );
    set_route(app, 2, &original).await;
    let text = home(app, &officer, "?check=full").await;
    assert!(
        text.contains("The audit trail is intact: the whole chain"),
        "{text}"
    );

    // Tampering after the remembered entry: the incremental check finds it.
    // (The full view checked entries up to the one before its own; the next view checks from
    // that one on, and its own entry is then the first after what is remembered.)
    let remembered = app.count("audit_log").await - 1;
    let _ = home(app, &officer, "").await;
    let after = remembered + 2;
    set_route(app, after, "GET /nothing-to-see").await;
    let text = home(app, &officer, "").await;
    assert!(text.contains("The audit trail does not verify"), "{text}");
    assert!(
        text.contains(&format!(
            "Entry {after}: its content does not match its hash"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("Entries from {after} on were checked")),
        "{text}"
    );
    // The store says the same as the page.
    let check = app.store.check_audit(true).await.unwrap();
    assert_eq!(
        check.verification.first_broken.map(|b| b.seq),
        Some(after as u64)
    );
    // Which check each view was is in the audit trail.
    let trail = app.store.audit_for_user(&officer_id).await.unwrap();
    let records: Vec<_> = trail
        .iter()
        .filter_map(|e| e.entry.record_id.as_deref())
        .collect();
    assert!(records.contains(&"verify") && records.contains(&"verify_since_last"));
}
on_both_backends!(the_home_page_verifies_new_entries_and_the_whole_chain_on_request);

async fn access_reports_name_users(app: &TestApp) {
    let (_, officer) = account(app, Role::PrivacyOfficer, "p.officer", "Pat Officer").await;
    let (clinician_id, clinician) =
        account(app, Role::Clinician, "c.jones", "Dr Carys Jones").await;
    // The clinician tries something they may not: refused, audited under their account.
    let response = app
        .as_token(&clinician, Method::GET, "/staff/privacy")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let text = html(
        app.as_token(
            &officer,
            Method::GET,
            "/staff/privacy/user-access?subject=c.jones",
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(
        text.contains("<h2 id=\"report-subject\">Dr Carys Jones (c.jones)</h2>"),
        "{text}"
    );
    assert!(text.contains("Dr Carys Jones (c.jones)</a>"), "{text}");
    // By id, the same heading.
    let text = html(
        app.as_token(
            &officer,
            Method::GET,
            &format!("/staff/privacy/user-access?subject={clinician_id}"),
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    assert!(text.contains("Dr Carys Jones (c.jones)"), "{text}");
}
on_both_backends!(access_reports_name_users);

/// A signed-in user puts a spreadsheet formula into the audit trail through a request path
/// (the id they ask for is recorded as the entry's record); the privacy officer's CSV download
/// carries it as text (`'=…`), never as a formula (OWASP, *CSV Injection*).
async fn csv_downloads_carry_no_formulas(app: &TestApp) {
    let (_, officer) = account(app, Role::PrivacyOfficer, "p.officer", "Pat Officer").await;
    let (_, clinician) = account(app, Role::Clinician, "c.jones", "Dr Carys Jones").await;
    for path in [
        "/api/referrals/=1+1",
        "/api/referrals/@SUM(1)",
        "/api/persons/-2+3",
    ] {
        let response = app
            .as_token(&clinician, Method::GET, path)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
    }
    let csv = html(
        app.as_token(
            &officer,
            Method::GET,
            "/staff/privacy/user-access/download?subject=c.jones&format=csv",
        )
        .send()
        .await
        .unwrap(),
        200,
    )
    .await;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let cells: Vec<String> = reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
        .collect();
    for formula in ["=1+1", "@SUM(1)", "-2+3"] {
        assert!(
            cells.iter().any(|c| *c == format!("'{formula}")),
            "{formula} not neutralised in {csv}"
        );
    }
    for cell in &cells {
        assert!(
            !cell.starts_with(['=', '+', '@', '\t', '\r'])
                && (!cell.starts_with('-') || cell.parse::<f64>().is_ok()),
            "a cell begins a formula: {cell:?}"
        );
    }
}
on_both_backends!(csv_downloads_carry_no_formulas);
