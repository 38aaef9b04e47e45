//! The Transformation Plan: checked by field path, investment from the money model, staff
//! declarations by service, milestones overdue.

use jiff::civil::date;
use serde_json::json;

use super::super::plan::tests::{camhs, directory, kent, schools};
use super::super::plan::CommissioningDocument;
use super::*;
use crate::ValidationErrors;

fn with_plan(plan: serde_json::Value) -> Result<Commissioning, ValidationErrors> {
    let mut doc = kent();
    doc["transformation_plan"] = json!([plan]);
    let doc: CommissioningDocument = serde_json::from_value(doc).unwrap();
    doc.check(&directory)
}

fn plan() -> serde_json::Value {
    json!({
        "year": "2026/27",
        "title": "Kent CYP Local Transformation Plan 2026/27",
        "principle": [
            {"text": "No wrong door: every request ends with a named destination.",
             "signed_by": ["kcc", "icb", "nelft"], "signed_on": "2026-06-20"}
        ],
        "declaration": [
            {"provider": "nelft", "staff": [
                {"service": "CAMHS", "role": "Clinical psychologist", "skill": "CBT", "wte": 4.5},
                {"service": "CAMHS", "role": "Mental health nurse", "wte": 6.0},
                {"service": "CAMHS", "role": "Administrator", "wte": 2.0, "clinical": false},
                {"service": "Schools team", "role": "Education mental health practitioner", "wte": 8.0}
            ]}
        ],
        "action": [
            {"action": "Open the 0–25 crisis line around the clock", "owner": "icb", "due": "2026-12-31",
             "status": "on_track"},
            {"action": "Publish waits by service every month", "owner": "nelft", "due": "2026-09-30",
             "status": "done", "evidence": "Dashboard published monthly since September"}
        ]
    })
}

#[test]
fn a_plan_is_checked_with_the_record_and_read_back_by_year() {
    let record = with_plan(plan()).unwrap();
    let year = FinancialYear::parse("2026/27").unwrap();
    let p = record.plan_for(year).unwrap();
    assert_eq!(p.principles[0].signed_by, [0, 1, 2]);
    assert_eq!(p.principles[0].signed_on, Some(date(2026, 6, 20)));
    assert_eq!(p.declarations[0].provider, 2);
    assert_eq!(p.declarations[0].total_wte(), 20.5);
    assert!(record.plan_for(year.next()).is_none());
    // Overdue: the crisis line is due on 31 December and not done; the evidence one is done.
    assert!(!p.actions[0].overdue(date(2026, 12, 31)));
    assert!(p.actions[0].overdue(date(2027, 1, 1)));
    assert!(!p.actions[1].overdue(date(2027, 1, 1)));
}

#[test]
fn every_problem_in_a_plan_is_reported_under_its_field() {
    let mut bad = plan();
    bad["year"] = json!("next year");
    bad["principle"][0]["signed_by"] = json!(["kcc", "kcc", "nobody"]);
    bad["declaration"][0]["provider"] = json!("kcc");
    bad["declaration"][0]["staff"][1]["wte"] = json!(0.0);
    bad["declaration"][0]["staff"][3]["service"] = json!("Nowhere");
    bad["action"][0]["due"] = json!("soon");
    bad["action"][1]["evidence"] = serde_json::Value::Null;
    let errors = with_plan(bad).unwrap_err();
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    for expected in [
        "transformation_plan[0].year",
        "transformation_plan[0].principle[0].signed_by[1]",
        "transformation_plan[0].principle[0].signed_by[2]",
        "transformation_plan[0].declaration[0].provider",
        "transformation_plan[0].declaration[0].staff[1].wte",
        "transformation_plan[0].declaration[0].staff[3].service",
        "transformation_plan[0].action[0].due",
        "transformation_plan[0].action[1].evidence",
    ] {
        assert!(fields.contains(&expected), "{expected} in {fields:?}");
    }
    // Two plans for one year.
    let mut doc = kent();
    doc["transformation_plan"] = json!([plan(), plan()]);
    let doc: CommissioningDocument = serde_json::from_value(doc).unwrap();
    let errors = doc.check(&directory).unwrap_err();
    assert!(errors.0.iter().any(
        |e| e.field == "transformation_plan[1].year" && e.message.contains("one plan per year")
    ));
}

#[test]
fn investment_comes_from_the_money_model() {
    let record = with_plan(plan()).unwrap();
    let year = FinancialYear::parse("2026/27").unwrap();
    let inv = investment(&record, year);
    assert_eq!(inv.len(), 2, "the two commissioners");
    // The council: 183 days at £1.29m and 182 at £1.44m into the pool, and the £365,000
    // looked-after children element; its counselling contract is priced by activity (no value).
    let council = &inv[0];
    assert_eq!(council.party, 0);
    let pool = (129_000_000.0 * 183.0 / 365.0 + 144_000_000.0 * 182.0 / 365.0_f64).round() as i64;
    assert_eq!(council.agreements.pence(), pool);
    assert_eq!(council.elements.pence(), 36_500_000);
    assert_eq!(council.contracts.pence(), 0);
    assert_eq!(council.total().pence(), pool + 36_500_000);
    assert_eq!(inv[1].party, 1);
    assert_eq!(inv[1].total().pence(), 141_000_000);
    // A year with no money: nobody invested.
    assert!(investment(&record, FinancialYear::parse("2030/31").unwrap()).is_empty());
}

#[test]
fn staff_declarations_give_each_service_its_clinical_wte() {
    let record = with_plan(plan()).unwrap();
    let year = FinancialYear::parse("2026/27").unwrap();
    let by_service = staff_by_service(&record, year);
    assert_eq!(
        by_service[&camhs()],
        10.5,
        "the administrator is not clinical"
    );
    assert_eq!(by_service[&schools()], 8.0);
    assert!(staff_by_service(&record, year.next()).is_empty());
}
