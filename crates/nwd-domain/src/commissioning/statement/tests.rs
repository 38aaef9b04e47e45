use jiff::civil::date;

use super::super::plan::tests::{directory, kent};
use super::super::plan::CommissioningDocument;
use super::*;

fn plan() -> Commissioning {
    let doc: CommissioningDocument = serde_json::from_value(kent()).unwrap();
    doc.check(&directory).unwrap()
}

fn activity() -> Activity {
    Activity {
        referrals: 212,
        first_seen: 180,
        seen_with_standard: 180,
        seen_within_standard: 139,
        attended: 1203,
        did_not_attend: 118,
        expected: 1340,
        episodes_ended: 151,
        young_people: 402,
        wait_days: (1..=180).collect(),
        ..Activity::default()
    }
}

fn q(text: &str, n: usize) -> Quarter {
    FinancialYear::parse(text).unwrap().quarters()[n - 1]
}

#[test]
fn a_block_quarter_costs_its_days_share_and_is_split_by_the_pool_as_it_stood() {
    let plan = plan();
    let contract = plan.contract("cyp-2026").unwrap();
    let rule = Suppression::default();
    let today = date(2027, 6, 1);
    // Q3 2026/27: 92 days of £2.7m over 365.
    let row = contract_row(&plan, contract, q("2026/27", 3), &activity(), &rule, today);
    assert_eq!(
        row.cost.unwrap().pence(),
        (270_000_000.0 * 92.0 / 365.0_f64).round() as i64
    );
    assert!(!row.partial);
    assert_eq!(row.days_in_term, 92);
    // The pool in Q3 (after the variation): the council £1.44m, the ICB £1.41m a year.
    let kcc = row.funders.iter().find(|f| f.party == 0).unwrap().amount;
    let icb = row.funders.iter().find(|f| f.party == 1).unwrap().amount;
    assert_eq!(
        kcc.plus(icb),
        row.cost.unwrap(),
        "the shares add up to the cost"
    );
    let ratio = kcc.pence() as f64 / icb.pence() as f64;
    assert!((ratio - 1_440_000.0 / 1_410_000.0).abs() < 1e-4, "{ratio}");
    // Unit costs from the published counts: 1,205 contacts, 150 episodes, 400 young people.
    let cost = row.cost.unwrap();
    assert_eq!(row.per_contact, cost.per(1205));
    assert_eq!(row.per_episode, cost.per(150));
    assert_eq!(row.per_young_person, cost.per(400));
    assert_eq!(
        row.incentive.unwrap().pence(),
        (cost.pence() as f64 * 0.0125).round() as i64
    );
}

#[test]
fn kpis_are_rated_against_their_thresholds_from_published_counts() {
    let plan = plan();
    let contract = plan.contract("cyp-2026").unwrap();
    let row = contract_row(
        &plan,
        contract,
        q("2026/27", 1),
        &activity(),
        &Suppression::default(),
        date(2026, 5, 1),
    );
    assert!(row.partial, "1 May is inside Q1");
    // Counted and paid to date: 1 April to 1 May inclusive, 31 days of £2.7m over 365.
    assert_eq!(row.days_in_term, 31);
    assert_eq!(
        row.cost.unwrap().pence(),
        (270_000_000.0 * 31.0 / 365.0_f64).round() as i64
    );
    // Seen within standard: 140 of 180 published = 78 %, threshold 80, amber margin 5.
    assert_eq!(row.kpis[0].value, KpiValue::Value(78.0));
    assert_eq!(row.kpis[0].rag, Rag::Amber);
    // DNA: 120 of 1,340 = 9 %, ceiling 10: green.
    assert_eq!(row.kpis[1].value, KpiValue::Value(9.0));
    assert_eq!(row.kpis[1].rag, Rag::Green);
    let mut few = activity();
    few.seen_with_standard = 3;
    few.seen_within_standard = 2;
    assert_eq!(
        Kpi::SeenWithinStandard.value(&few, &Suppression::default()),
        KpiValue::Suppressed
    );
    // An empty quarter: suppressed like any count below 5; "no data" without suppression.
    assert_eq!(
        Kpi::MedianWaitDays.value(&Activity::default(), &Suppression::default()),
        KpiValue::Suppressed
    );
    let open = Suppression {
        enabled: false,
        ..Suppression::default()
    };
    assert_eq!(
        Kpi::MedianWaitDays.value(&Activity::default(), &open),
        KpiValue::NoData
    );
    assert_eq!(
        Kpi::SeenWithinStandard.value(&Activity::default(), &open),
        KpiValue::NoData
    );
    assert_eq!(
        Kpi::MedianWaitDays.value(&activity(), &Suppression::default()),
        KpiValue::Value(90.0)
    );
    assert_eq!(
        Kpi::P90WaitDays.value(&activity(), &Suppression::default()),
        KpiValue::Value(162.0)
    );
    assert_eq!(
        Rag::of(Kpi::DidNotAttendRate, KpiValue::Value(13.0), 10.0, 2.0),
        Rag::Red
    );
    assert_eq!(
        Rag::of(Kpi::DidNotAttendRate, KpiValue::Value(12.0), 10.0, 2.0),
        Rag::Amber
    );
}

#[test]
fn an_activity_contract_pays_for_units_only_inside_its_term() {
    let plan = plan();
    let contract = plan.contract("counselling").unwrap();
    let rule = Suppression::default();
    // Term from 15 July 2026: Q2 2026/27 has 78 days in term (15–31 July, August, September); cost is 1,203 contacts at £95.50.
    let row = contract_row(
        &plan,
        contract,
        q("2026/27", 2),
        &activity(),
        &rule,
        date(2027, 1, 1),
    );
    assert_eq!(row.days_in_term, 78);
    assert_eq!(row.cost.unwrap().pence(), 9550 * 1203);
    assert_eq!(row.funders.len(), 1);
    assert_eq!(row.funders[0].party, 0, "the council funds it directly");
    // Units below the threshold: the cost would reveal them, so it is suppressed with them.
    let few = Activity {
        attended: 3,
        ..activity()
    };
    let row = contract_row(
        &plan,
        contract,
        q("2026/27", 2),
        &few,
        &rule,
        date(2027, 1, 1),
    );
    assert_eq!(row.cost, None);
    assert_eq!(row.per_contact, None);
    assert!(row.funders.is_empty());
    // Before the term: no days, a block would cost nothing.
    let (from, to) = within_term(q("2026/27", 1), contract.start, contract.end);
    assert_eq!(from, to);
}

#[test]
fn a_funded_element_costs_its_own_value_and_is_paid_by_its_funder() {
    let plan = plan();
    let contract = plan.contract("cyp-2026").unwrap();
    let element = &contract.elements[0];
    let row = element_row(
        element,
        contract,
        q("2026/27", 4),
        &activity(),
        &Suppression::default(),
        date(2027, 6, 1),
    );
    // £365,000 over 365 days: £1,000 a day, 90 days in Q4 2026/27.
    assert_eq!(row.cost.unwrap().to_string(), "£90,000");
    assert_eq!(row.funders[0].party, 0);
}

#[test]
fn a_leap_year_spreads_the_annual_value_over_366_days() {
    let values = [YearValue {
        year: FinancialYear::parse("2027/28").unwrap(),
        amount: Money::from_pence(36_600_000),
    }];
    // £366,000 over 366 days: £1,000 a day; Q4 2027/28 has 91 days (29 February).
    let q4 = q("2027/28", 4);
    assert_eq!(
        pro_rata(&values, q4.first_day(), q4.end()).to_string(),
        "£91,000"
    );
    let year = FinancialYear::parse("2027/28").unwrap();
    assert_eq!(
        pro_rata(&values, year.first_day(), year.end()).to_string(),
        "£366,000"
    );
}

#[test]
fn a_capped_activity_contract_pays_at_most_the_years_value_and_shows_the_rest() {
    let mut doc = kent();
    doc["contract"][1]["payment"]["capped"] = serde_json::json!(true);
    doc["contract"][1]["value"] = serde_json::json!([
        {"year": "2026/27", "amount": 200000.0},
        {"year": "2027/28", "amount": 50000.0}
    ]);
    let doc: CommissioningDocument = serde_json::from_value(doc).unwrap();
    let plan = doc.check(&directory).unwrap();
    let contract = plan.contract("counselling").unwrap();
    let rule = Suppression::default();
    let a = activity();
    // 1,203 contacts at £95.50 each quarter: £114,886.50 earned.
    let earned = 9550 * 1203;
    let quarters = [
        (q("2026/27", 1), &a),
        (q("2026/27", 2), &a),
        (q("2026/27", 3), &a),
        (q("2026/27", 4), &a),
        (q("2027/28", 1), &a),
    ];
    let rows = contract_rows(&plan, contract, &quarters, &rule, date(2027, 8, 1));
    assert_eq!(rows[0].days_in_term, 0, "Q1 2026/27 is before the term");
    let paid: Vec<i64> = rows[1..].iter().map(|r| r.cost.unwrap().pence()).collect();
    let beyond: Vec<i64> = rows[1..]
        .iter()
        .map(|r| r.beyond_value.unwrap().pence())
        .collect();
    // Q2 paid in full; Q3 what is left of £200,000; Q4 nothing; 2027/28 starts afresh at
    // its own £50,000.
    assert_eq!(
        paid,
        [earned, 20_000_000 - earned, 0, 5_000_000],
        "capped at each year's value"
    );
    assert_eq!(
        beyond,
        [
            0,
            earned - (20_000_000 - earned),
            earned,
            earned - 5_000_000
        ],
        "the rest is shown as delivered beyond the value"
    );
    let year: i64 = paid[..3].iter().sum();
    assert_eq!(year, 20_000_000, "the year pays exactly its value");

    // Not capped: every unit is paid and nothing is "beyond".
    let plan = self::plan();
    let uncapped = plan.contract("counselling").unwrap();
    let rows = contract_rows(&plan, uncapped, &quarters, &rule, date(2027, 8, 1));
    let row = &rows[3];
    assert_eq!(row.cost.unwrap().pence(), earned);
    assert_eq!(row.beyond_value, None);
}

#[test]
fn a_capped_contract_without_a_value_for_a_year_of_its_term_is_refused() {
    let mut doc = kent();
    doc["contract"][1]["payment"]["capped"] = serde_json::json!(true);
    doc["contract"][1]["value"] = serde_json::json!([{"year": "2026/27", "amount": 200000.0}]);
    let doc: CommissioningDocument = serde_json::from_value(doc).unwrap();
    let errors = doc.check(&directory).unwrap_err();
    let text = format!("{errors:?}");
    assert!(text.contains("contract[1].value"), "{text}");
    assert!(text.contains("2027/28 has none"), "{text}");
}
