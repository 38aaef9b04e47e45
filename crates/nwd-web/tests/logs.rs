//! Operational logs carry opaque ids only. A capturing log layer at TRACE level records
//! everything the server and its libraries log while a scenario touches every kind of route
//! with synthetic canary values — intake, matching, search by NHS number, reads, bad input
//! echoing the values, failed sign-ins, break-glass reasons, a failed audit write — on each
//! database; the test fails if any canary (name, NHS number, date of birth, postcode,
//! address) appears in the log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

// Shared with the API suite; this binary uses only part of it.
#[allow(dead_code)]
#[path = "api/support.rs"]
mod support;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use reqwest::Method;
use serde_json::{json, Value};
use support::{Setup, TestApp};

const CANARIES: [&str; 6] = [
    "Wrenwhistle",
    "Ottoline",
    "9990000042",
    "2012-09-14",
    "TN23 7QZ",
    "14 Lanternfly Lane",
];

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture = Capture::default();
        let writer = capture.clone();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("trace"))
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .init();
        capture
    })
}

fn person() -> Value {
    json!({
        "nhs_number": CANARIES[2],
        "given_name": CANARIES[1],
        "family_name": CANARIES[0],
        "date_of_birth": CANARIES[3],
        "sex": "female",
        "postcode": CANARIES[4],
        "address": CANARIES[5],
    })
}

fn referral(person: Value) -> Value {
    json!({
        "person": person,
        "source": "gp",
        "priority": "urgent",
        "reasons": ["anxiety"],
        "presenting_needs": format!("{} {} has panic attacks.", CANARIES[1], CANARIES[0]),
        "referrer": {"name": "Dr Synthetic", "role": "GP", "organisation": "Synthetic Surgery"},
        "consent_to_share": ["GP"]
    })
}

async fn scenario(app: &TestApp) {
    let created: Value = app
        .staff(Method::POST, "/api/referrals")
        .json(&referral(person()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["referral"]["id"]
        .as_str()
        .expect("created")
        .to_owned();
    let person_id = created["referral"]["person_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The same child again (NHS number rule), and without the number (demographics).
    app.staff(Method::POST, "/api/referrals")
        .json(&referral(person()))
        .send()
        .await
        .unwrap();
    let mut without = person();
    without["nhs_number"] = Value::Null;
    app.staff(Method::POST, "/api/referrals")
        .json(&referral(without))
        .send()
        .await
        .unwrap();
    // Bad input carrying the values: an invalid NHS number, date and postcode.
    let mut bad = person();
    bad["nhs_number"] = json!("9990000043");
    bad["date_of_birth"] = json!(format!("{}-31", CANARIES[3]));
    bad["postcode"] = json!(format!("{}{}", CANARIES[4], CANARIES[0]));
    let response = app
        .staff(Method::POST, "/api/referrals")
        .json(&referral(bad))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    for path in [
        format!("/api/referrals/{id}"),
        format!("/api/referrals/{id}/events"),
        format!("/api/referrals/{id}/waits"),
        format!("/api/persons/{person_id}"),
        format!("/api/persons/{person_id}/history"),
        format!("/api/referrals?nhs_number={}", CANARIES[2]),
        format!("/api/referrals?person_id={person_id}"),
        "/api/match-reviews".to_owned(),
        "/api/transitions".to_owned(),
    ] {
        let response = app.staff(Method::GET, &path).send().await.unwrap();
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
    }
    // Self-referral and a failed sign-in carrying the values.
    app.public(Method::POST, "/api/self-referrals")
        .json(&json!({
            "who": "young_person",
            "person": {"given_name": CANARIES[1], "family_name": CANARIES[0], "date_of_birth": CANARIES[3], "postcode": CANARIES[4]},
            "presenting_needs": format!("I live at {}.", CANARIES[5]),
            "reasons": ["anxiety"],
            "contact": {"name": CANARIES[1], "phone": "07700 900456"}
        }))
        .send()
        .await
        .unwrap();
    app.public(Method::POST, "/api/session")
        .json(&json!({"username": CANARIES[0], "password": CANARIES[5], "code": "123456"}))
        .send()
        .await
        .unwrap();
    // Break-glass with the values in its reason.
    app.staff(
        Method::POST,
        &format!("/api/persons/{person_id}/break-glass"),
    )
    .json(&json!({"reason": format!("{} {} seen in A&E", CANARIES[1], CANARIES[0]), "minutes": 5}))
    .send()
    .await
    .unwrap();
    // A failed audit write is logged (with an error id), and must not log the record.
    if app.database_url.starts_with("sqlite") {
        app.raw_sql("CREATE TRIGGER audit_broken BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'disk full'); END").await.unwrap();
    } else {
        app.raw_sql("CREATE OR REPLACE FUNCTION audit_broken() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$").await.unwrap();
        app.raw_sql("CREATE TRIGGER audit_broken BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_broken()").await.unwrap();
    }
    let response = app
        .staff(Method::GET, &format!("/api/referrals/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_never_carry_identifiable_values() {
    let capture = capture();
    for backend in nwd_store::testing::backends() {
        let app = TestApp::spawn(backend, Setup::matching()).await;
        scenario(&app).await;
        app.finish().await;
    }
    let log = String::from_utf8_lossy(&capture.0.lock().unwrap()).to_string();
    // The capture works: the failed audit write was logged.
    assert!(
        log.contains("audit append failed"),
        "nothing captured: {} bytes",
        log.len()
    );
    let found: Vec<&str> = CANARIES.into_iter().filter(|c| log.contains(c)).collect();
    if !found.is_empty() {
        let line = log
            .lines()
            .find(|l| found.iter().any(|c| l.contains(c)))
            .unwrap_or_default();
        panic!("identifiable values {found:?} in the log, e.g.: {line}");
    }
}
