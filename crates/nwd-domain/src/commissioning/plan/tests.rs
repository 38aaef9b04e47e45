use jiff::civil::date;
use serde_json::json;

use super::*;
use crate::ValidationErrors;

pub(crate) fn camhs() -> ServiceId {
    ServiceId(uuid::Uuid::from_u128(1))
}
pub(crate) fn schools() -> ServiceId {
    ServiceId(uuid::Uuid::from_u128(2))
}

/// The directory of the tests: two services by name.
pub(crate) fn directory(name: &str) -> Result<ServiceId, String> {
    match name {
        "CAMHS" => Ok(camhs()),
        "Schools team" => Ok(schools()),
        other => Err(format!("{other:?} is not a service in the directory")),
    }
}

/// A Kent-shaped record: a section 76 pool (the council and the ICB), a block contract with
/// a funded element and two KPIs, and an activity-priced grant-funded contract.
pub(crate) fn kent() -> serde_json::Value {
    json!({
        "kpi": [{"kpi": "median_wait_days", "threshold": 28.0, "frequency": "quarterly"}],
        "party": [
            {"key": "kcc", "name": "Kent County Council", "kind": "local_authority", "roles": ["commissioner"]},
            {"key": "icb", "name": "Kent and Medway ICB", "kind": "integrated_care_board", "roles": ["commissioner"]},
            {"key": "nelft", "name": "NELFT NHS Foundation Trust", "kind": "nhs_trust", "roles": ["provider"]},
            {"key": "vcs", "name": "Young Minds Kent", "kind": "voluntary_community", "roles": ["provider"]}
        ],
        "agreement": [{
            "key": "s76", "name": "Emotional wellbeing pooled fund", "kind": "pooled_section_76", "lead": "icb",
            "outcomes": ["Help within four weeks of referral"],
            "contribution": [
                {"partner": "kcc", "year": "2026/27", "amount": 1290000.0},
                {"partner": "icb", "year": "2026/27", "amount": 1410000.0},
                {"partner": "kcc", "year": "2026/27", "amount": 1440000.0, "from": "2026-10-01", "reason": "Harmful sexual behaviour interventions added"}
            ]
        }],
        "contract": [
            {
                "key": "cyp-2026", "name": "CYP mental health service", "provider": "nelft", "agreement": "s76",
                "start": "2026-04-01", "end": "2029-03-31", "services": ["CAMHS", "Schools team"],
                "payment": {"type": "block"},
                "incentive": {"name": "CQUIN", "share": 0.0125},
                "value": [{"year": "2026/27", "amount": 2700000.0}, {"year": "2027/28", "amount": 2750000.0}],
                "element": [{"key": "lac", "name": "Looked-after children priority assessments", "funder": "kcc",
                             "services": ["CAMHS"], "value": [{"year": "2026/27", "amount": 365000.0}]}],
                "kpi": [
                    {"kpi": "seen_within_standard", "threshold": 80.0, "frequency": "quarterly"},
                    {"kpi": "did_not_attend_rate", "threshold": 10.0, "amber": 2.0, "frequency": "quarterly"}
                ]
            },
            {
                "key": "counselling", "name": "Counselling in the community", "provider": "vcs", "funder": "kcc",
                "start": "2026-07-15", "end": "2027-07-14", "services": ["Schools team"],
                "payment": {"type": "activity", "per": "contact", "price": 95.5}
            }
        ]
    })
}

fn check(document: serde_json::Value) -> Result<Commissioning, ValidationErrors> {
    let doc: CommissioningDocument = serde_json::from_value(document).unwrap();
    doc.check(&directory)
}

fn errors_of(document: serde_json::Value) -> Vec<(String, String)> {
    check(document)
        .unwrap_err()
        .0
        .into_iter()
        .map(|e| (e.field, e.message))
        .collect()
}

#[test]
fn a_kent_shaped_record_is_checked_with_its_references_resolved() {
    let plan = check(kent()).unwrap();
    assert_eq!(plan.parties.len(), 4);
    assert_eq!(plan.system_kpis.len(), 1, "the whole system's KPIs");
    assert_eq!(plan.system_kpis[0].amber, 5.0, "the default amber margin");
    let contract = plan.contract("cyp-2026").unwrap();
    assert_eq!(contract.services, vec![camhs(), schools()]);
    assert_eq!(contract.agreement, Some(0));
    assert_eq!(contract.end, date(2029, 3, 31));
    assert_eq!(
        contract
            .value_for(FinancialYear::parse("2027/28").unwrap())
            .to_string(),
        "£2,750,000"
    );
    assert_eq!(
        contract.elements[0].funder, 0,
        "the council pays for the element"
    );
    let counselling = plan.contract("counselling").unwrap();
    assert_eq!(
        counselling.payment,
        Payment::Activity {
            per: ActivityUnit::Contact,
            price: Money::from_pence(9550),
            capped: false
        }
    );
}

#[test]
fn a_variation_counts_from_the_day_it_takes_effect_and_the_first_line_stays() {
    let plan = check(kent()).unwrap();
    let pool = &plan.agreements[0];
    assert_eq!(
        pool.contributions.len(),
        3,
        "the variation is kept beside the first line"
    );
    assert_eq!(
        pool.annual_in_force(0, date(2026, 9, 30)).to_string(),
        "£1,290,000"
    );
    assert_eq!(
        pool.annual_in_force(0, date(2026, 10, 1)).to_string(),
        "£1,440,000"
    );
    // The council's year: 183 days at £1.29m a year, 182 days at £1.44m (365 days).
    let year = pool.contributed(0, date(2026, 4, 1), date(2027, 4, 1));
    let expected =
        (129_000_000.0 * 183.0 / 365.0 + 144_000_000.0 * 182.0 / 365.0_f64).round() as i64;
    assert_eq!(year.pence(), expected);
    assert_eq!(
        pool.contributed(1, date(2026, 4, 1), date(2027, 4, 1))
            .to_string(),
        "£1,410,000"
    );
    assert_eq!(pool.partners(), vec![0, 1]);
}

#[test]
fn every_problem_is_named_by_its_field_path() {
    let mut doc = kent();
    doc["contract"][0]["provider"] = json!("kcc");
    doc["contract"][0]["services"][1] = json!("Nowhere");
    doc["contract"][0]["kpi"][0]["kpi"] = json!("happiness");
    doc["contract"][0]["kpi"][1]["threshold"] = json!(140.0);
    doc["contract"][1]["end"] = json!("2026-01-01");
    doc["contract"][1]["payment"] = json!({"type": "activity", "per": "contact"});
    doc["agreement"][0]["contribution"][2]["from"] = json!("2027-05-01");
    doc["agreement"][0]["contribution"][1]["amount"] = json!(-5.0);
    doc["kpi"][0]["threshold"] = json!(-1.0);
    doc["contract"][0]["payment"]["capped"] = json!(true);
    let errors = errors_of(doc);
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    for expected in [
        "contract[0].provider",
        "contract[0].services[1]",
        "contract[0].kpi[0].kpi",
        "contract[0].kpi[1].threshold",
        "contract[1].end",
        "contract[1].payment.price",
        "contract[0].payment.capped",
        "agreement[0].contribution[2].from",
        "agreement[0].contribution[1].amount",
        "kpi[0].threshold",
    ] {
        assert!(
            fields.contains(&expected),
            "{expected} missing from {errors:?}"
        );
    }
    let says = |field: &str| {
        errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .unwrap()
    };
    assert!(says("contract[0].provider").contains("not a provider"));
    assert!(
        says("contract[0].kpi[0].kpi").contains("seen_within_standard"),
        "lists the library"
    );
    assert!(says("agreement[0].contribution[2].from").contains("not in 2026/27"));
}

#[test]
fn who_pays_must_be_said_once_and_a_variation_needs_a_reason() {
    let mut doc = kent();
    doc["contract"][1]["funder"] = serde_json::Value::Null;
    doc["agreement"][0]["contribution"][2]["reason"] = serde_json::Value::Null;
    let errors = errors_of(doc);
    assert!(
        errors
            .iter()
            .any(|(f, m)| f == "contract[1].funder" && m.contains("who pays")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|(f, m)| f == "agreement[0].contribution[2].reason" && m.contains("reason")),
        "{errors:?}"
    );
    let mut both = kent();
    both["contract"][0]["funder"] = json!("kcc");
    assert!(errors_of(both)
        .iter()
        .any(|(f, m)| f == "contract[0].funder" && m.contains("not both")));
}

#[test]
fn keys_are_unique_and_element_services_belong_to_the_contract() {
    let mut doc = kent();
    doc["contract"][1]["key"] = json!("cyp-2026");
    doc["contract"][1]["services"] = json!(["CAMHS"]);
    doc["contract"][0]["element"][0]["services"] = json!(["Schools team", "CAMHS"]);
    doc["contract"][0]["services"] = json!(["CAMHS"]);
    let errors = errors_of(doc);
    assert!(
        errors.iter().any(|(f, _)| f == "contract[1].key"),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|(f, m)| f == "contract[0].element[0].services[0]" && m.contains("not one of")),
        "{errors:?}"
    );
}

#[test]
fn unknown_keys_are_refused_when_read() {
    let mut doc = kent();
    doc["contract"][0]["payment"]["cap"] = json!(5);
    let err = serde_json::from_value::<CommissioningDocument>(doc).unwrap_err();
    assert!(err.to_string().contains("unknown field `cap`"), "{err}");
}
