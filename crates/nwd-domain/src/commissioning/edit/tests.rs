#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::commissioning::plan::CommissioningDocument;

const RECORD: &str = r#"# The area's record. This comment must survive every form.

[[agreement]]
key = "pool"
name = "Pooled fund"
kind = "pooled_section_76"
lead = "icb"

  [[agreement.contribution]]
  partner = "icb"
  year = "2026/27"
  amount = 1510000 # the ICB's line

  [[agreement.contribution]]
  partner = "kcc"
  year = "2026/27"
  amount = 1440000

[[agreement]]
key = "aligned"
name = "Aligned budget"
kind = "aligned"
lead = "kcc"

  [[agreement.contribution]]
  partner = "kcc"
  year = "2026/27"
  amount = 90000

[[transformation_plan]]
year = "2025/26"
title = "Last year's plan"

  [[transformation_plan.action]]
  action = "Old action"
  owner = "icb"
  due = "2025-09-30"
  status = "done"
  evidence = "Done last year"

[[transformation_plan]]
year = "2026/27"
title = "This year's plan"

  [[transformation_plan.declaration]]
  provider = "trust"

    [[transformation_plan.declaration.staff]]
    service = "Community team"
    role = "Clinical psychologist"
    wte = 3.5 # after the spring recruitment

    [[transformation_plan.declaration.staff]]
    service = "Community team"
    role = "Administrator"
    wte = 2
    clinical = false

  [[transformation_plan.action]]
  action = "First"
  owner = "icb"
  due = "2026-09-30"
  status = "on_track"

  [[transformation_plan.action]]
  action = "Second"
  owner = "kcc"
  due = "2026-11-30"
  status = "at_risk"
  evidence = "A draft" # kept until changed
"#;

fn parsed(source: &str) -> CommissioningDocument {
    toml::from_str(source).expect("the edited record is still a record")
}

fn variation() -> NewContribution {
    NewContribution {
        partner: "kcc".into(),
        year: "2026/27".into(),
        amount: 1_500_000.5,
        from: "2026-10-01".into(),
        reason: "  Harmful sexual behaviour service added  ".into(),
    }
}

#[test]
fn a_variation_is_a_new_line_after_the_agreements_last_and_nothing_else_changes() {
    let edited = add_contribution(RECORD, "pool", &variation()).unwrap();
    assert_eq!(edited.at, "agreement[0].contribution[2]");
    let before = parsed(RECORD);
    let after = parsed(&edited.source);
    assert_eq!(after.agreements[0].contributions.len(), 3);
    let line = &after.agreements[0].contributions[2];
    assert_eq!(line.partner, "kcc");
    assert_eq!(line.year, "2026/27");
    assert_eq!(line.amount, 1_500_000.5);
    assert_eq!(line.from.as_deref(), Some("2026-10-01"));
    assert_eq!(
        line.reason.as_deref(),
        Some("Harmful sexual behaviour service added")
    );
    // Everything else is as it was.
    assert_eq!(
        after.agreements[0].contributions[..2],
        before.agreements[0].contributions[..]
    );
    assert_eq!(after.agreements[1], before.agreements[1]);
    assert_eq!(after.plans, before.plans);
    // The text: comments kept, the new line indented as its neighbours and placed before
    // the next agreement.
    assert!(edited
        .source
        .starts_with("# The area's record. This comment must survive every form."));
    assert!(edited.source.contains("amount = 1510000 # the ICB's line"));
    let new_line = edited.source.find("  partner = \"kcc\"\n  year = \"2026/27\"\n  amount = 1500000.5\n  from = \"2026-10-01\"").expect("indented like the others");
    let next_agreement = edited.source.find("key = \"aligned\"").unwrap();
    assert!(new_line < next_agreement);
    assert_eq!(
        edited.source.len() - RECORD.len(),
        edited.source[..next_agreement].len()
            - RECORD[..RECORD.find("key = \"aligned\"").unwrap()].len(),
        "only text before the next agreement was added"
    );
}

#[test]
fn whole_pounds_are_written_as_an_integer() {
    let mut line = variation();
    line.amount = 1_600_000.0;
    let edited = add_contribution(RECORD, "aligned", &line).unwrap();
    assert_eq!(edited.at, "agreement[1].contribution[1]");
    assert!(edited.source.contains("amount = 1600000\n"));
}

#[test]
fn an_agreement_without_lines_gets_its_first() {
    let record =
        "[[agreement]]\nkey = \"new\"\nname = \"New\"\nkind = \"aligned\"\nlead = \"icb\"\n";
    let edited = add_contribution(record, "new", &variation()).unwrap();
    assert_eq!(edited.at, "agreement[0].contribution[0]");
    assert_eq!(parsed(&edited.source).agreements[0].contributions.len(), 1);
}

#[test]
fn an_unknown_agreement_or_unreadable_record_is_refused_by_field() {
    let error = add_contribution(RECORD, "nope", &variation()).unwrap_err();
    assert_eq!(error.field, "agreement");
    assert!(error.message.contains("\"nope\""), "{}", error.message);
    let error = add_contribution("agreement = [", "pool", &variation()).unwrap_err();
    assert_eq!(error.field, "document");
    assert!(
        error.message.contains("not valid TOML"),
        "{}",
        error.message
    );
}

#[test]
fn a_problem_on_the_new_line_maps_to_its_form_field_and_others_do_not() {
    let edited = add_contribution(RECORD, "pool", &variation()).unwrap();
    assert_eq!(
        edited.form_field("agreement[0].contribution[2].from"),
        Some("from")
    );
    assert_eq!(
        edited.form_field("agreement[0].contribution[2].partner"),
        Some("partner")
    );
    assert_eq!(
        edited.form_field("agreement[0].contribution[20].from"),
        None
    );
    assert_eq!(edited.form_field("agreement[0].contribution[1].from"), None);
    assert_eq!(edited.form_field("contract[0].key"), None);
}

#[test]
fn a_milestone_update_changes_its_status_and_evidence_only() {
    let update = MilestoneUpdate {
        status: MilestoneStatus::Done,
        evidence: Some("Signed off by the board on 2 December".into()),
    };
    let edited = update_milestone(RECORD, "2026/27", 0, &update).unwrap();
    assert_eq!(edited.at, "transformation_plan[1].action[0]");
    let before = parsed(RECORD);
    let after = parsed(&edited.source);
    let action = &after.plans[1].actions[0];
    assert_eq!(action.status, MilestoneStatus::Done);
    assert_eq!(
        action.evidence.as_deref(),
        Some("Signed off by the board on 2 December")
    );
    assert_eq!(action.action, "First");
    assert!(
        edited.source.contains(
            "  status = \"done\"\n  evidence = \"Signed off by the board on 2 December\"\n"
        ),
        "a new key is indented as its neighbours: {}",
        edited.source
    );
    assert_eq!(after.plans[1].actions[1], before.plans[1].actions[1]);
    assert_eq!(after.plans[0], before.plans[0]);
    assert_eq!(after.agreements, before.agreements);
    assert!(edited
        .source
        .contains("evidence = \"A draft\" # kept until changed"));
}

#[test]
fn blank_evidence_removes_it() {
    let update = MilestoneUpdate {
        status: MilestoneStatus::OnTrack,
        evidence: Some("   ".into()),
    };
    let edited = update_milestone(RECORD, "2026/27", 1, &update).unwrap();
    let after = parsed(&edited.source);
    assert_eq!(after.plans[1].actions[1].status, MilestoneStatus::OnTrack);
    assert_eq!(after.plans[1].actions[1].evidence, None);
}

#[test]
fn an_unknown_plan_or_milestone_is_refused_by_field() {
    let update = MilestoneUpdate {
        status: MilestoneStatus::Done,
        evidence: None,
    };
    let error = update_milestone(RECORD, "2030/31", 0, &update).unwrap_err();
    assert_eq!(error.field, "transformation_plan");
    let error = update_milestone(RECORD, "2026/27", 2, &update).unwrap_err();
    assert_eq!(error.field, "action");
    assert!(
        error.message.contains("no milestone 3"),
        "{}",
        error.message
    );
}

#[test]
fn every_status_code_reads_back() {
    for status in MilestoneStatus::ALL {
        assert_eq!(MilestoneStatus::parse(status.code()), Some(status));
        let written: MilestoneStatus =
            serde_json::from_value(serde_json::json!(status.code())).unwrap();
        assert_eq!(written, status);
    }
    assert_eq!(MilestoneStatus::parse("finished"), None);
}

#[test]
fn a_staff_line_gets_its_new_whole_time_equivalents_and_nothing_else_changes() {
    let edited = set_staff_wte(RECORD, "2026/27", 0, 0, 5.5).unwrap();
    assert_eq!(edited.at, "transformation_plan[1].declaration[0].staff[0]");
    let before = parsed(RECORD);
    let after = parsed(&edited.source);
    let staff = &after.plans[1].declarations[0].staff;
    assert_eq!(staff[0].wte, 5.5);
    assert_eq!(staff[0].role, "Clinical psychologist");
    assert_eq!(staff[1], before.plans[1].declarations[0].staff[1]);
    assert_eq!(after.plans[1].actions, before.plans[1].actions);
    assert_eq!(after.agreements, before.agreements);
    assert_eq!(
        edited.source,
        RECORD.replace(
            "    wte = 3.5 # after the spring recruitment",
            "    wte = 5.5"
        ),
        "the one value changed, the rest as written"
    );
    assert_eq!(
        edited.form_field("transformation_plan[1].declaration[0].staff[0].wte"),
        Some("wte")
    );
    let error = set_staff_wte(RECORD, "2026/27", 0, 2, 1.0).unwrap_err();
    assert_eq!(error.field, "staff");
    assert!(
        error.message.contains("no staff line 3 in declaration 1"),
        "{}",
        error.message
    );
    let error = set_staff_wte(RECORD, "2026/27", 1, 0, 1.0).unwrap_err();
    assert_eq!(error.field, "staff");
}

const CONTRACTS: &str = r#"# Contracts. This comment must survive every form.

[[contract]]
key = "counselling"
name = "Community counselling"
provider = "hopfield"
funder = "kcc"
start = "2025-04-01"
end = "2028-03-31"
services = ["Hopfield Youth Counselling"]
payment = { type = "block" }

  [[contract.value]]
  year = "2025/26"
  amount = 180000

  [[contract.value]]
  year = "2026/27"
  amount = 180000 # agreed in March

  [[contract.kpi]]
  kpi = "did_not_attend_rate"
  threshold = 12
  frequency = "quarterly"
"#;

#[test]
fn a_contracts_value_for_a_year_it_has_is_changed_in_place() {
    let edited = set_contract_value(CONTRACTS, "counselling", "2026/27", 195_000.0).unwrap();
    assert_eq!(edited.at, "contract[0].value[1]");
    assert_eq!(
        edited.source,
        CONTRACTS.replace("  amount = 180000 # agreed in March", "  amount = 195000"),
        "the one amount changed, the rest as written"
    );
    assert_eq!(
        edited.form_field("contract[0].value[1].amount"),
        Some("amount")
    );
    assert_eq!(edited.form_field("contract[0].value"), None);
}

#[test]
fn a_year_without_a_value_gets_a_line_after_the_last() {
    let edited = set_contract_value(CONTRACTS, "counselling", "2027/28", 187_500.5).unwrap();
    assert_eq!(edited.at, "contract[0].value[2]");
    assert_eq!(
        edited.source,
        CONTRACTS.replace(
            "  amount = 180000 # agreed in March\n",
            "  amount = 180000 # agreed in March\n\n  [[contract.value]]\n  year = \"2027/28\"\n  amount = 187500.5\n"
        ),
        "a new line indented as the others, before the contract's KPIs in the text"
    );
    let after = parsed(&edited.source);
    assert_eq!(after.contracts[0].values.len(), 3);
    assert_eq!(after.contracts[0].kpis.len(), 1);
}

#[test]
fn an_unknown_contract_is_refused_by_field() {
    let error = set_contract_value(CONTRACTS, "nope", "2026/27", 1.0).unwrap_err();
    assert_eq!(error.field, "contract");
    assert!(
        error.message.contains("no contract \"nope\""),
        "{}",
        error.message
    );
}

#[test]
fn a_kpis_threshold_and_amber_margin_are_changed_in_place() {
    let edited = set_kpi_terms(CONTRACTS, "counselling", 0, 10.0, Some(2.5)).unwrap();
    assert_eq!(edited.at, "contract[0].kpi[0]");
    assert_eq!(
        edited.source,
        CONTRACTS
            .replace("  threshold = 12\n", "  threshold = 10\n")
            .replace(
                "  frequency = \"quarterly\"\n",
                "  frequency = \"quarterly\"\n  amber = 2.5\n"
            ),
        "the threshold changed, the margin added last with the line's indent, the rest as written"
    );
    let after = parsed(&edited.source);
    assert_eq!(after.contracts[0].kpis[0].threshold, 10.0);
    assert_eq!(after.contracts[0].kpis[0].amber, Some(2.5));
    // No margin: the one written is removed (the record's default applies).
    let back = set_kpi_terms(&edited.source, "counselling", 0, 12.0, None).unwrap();
    assert_eq!(back.source, CONTRACTS);
    let error = set_kpi_terms(CONTRACTS, "counselling", 1, 1.0, None).unwrap_err();
    assert_eq!(error.field, "kpi");
    assert!(error.message.contains("no KPI 2"), "{}", error.message);
    let error = set_kpi_terms(CONTRACTS, "nope", 0, 1.0, None).unwrap_err();
    assert_eq!(error.field, "contract");
}
