//! The commissioner dashboard's uptake tables: referrals received, reaching a service and
//! seen, by ethnic group, by gender identity (trans or not, as far as recorded) and by each
//! group the area's plans name (`nwd_domain::about::UptakeGroup`; the counts are
//! `nwd_store::dashboard::Uptake`, one definition for the SQL and the kept inputs).
//!
//! The 2016 equality impact assessment (`seeds/001_…`) asks for uptake by every group to be
//! monitored; the 2024 plan (`seeds/002_…`) names looked-after children, care leavers, the
//! justice pathway, trans, autistic and ADHD young people. Every cell passes the same
//! small-number suppression as the rest of the dashboard (`config/standards.toml`
//! `[suppression]`), and the chart is drawn from the suppressed cells.

use nwd_domain::about::{EthnicityGroup, GenderGroup, UptakeGroup};
use nwd_domain::disclosure::Suppression;
use nwd_store::dashboard::Dashboard;

use crate::chart::{Chart, ChartKind, Series};
use crate::commissioner::dashboard::{Block, Cell};

/// The three uptake blocks: ethnicity, gender identity, named groups.
pub fn blocks(d: &Dashboard, rule: Suppression) -> Vec<Block> {
    let is_ethnicity = |g: &UptakeGroup| matches!(g, UptakeGroup::Ethnicity(_));
    let is_gender = |g: &UptakeGroup| matches!(g, UptakeGroup::Gender(_));
    let ethnicity: Vec<UptakeGroup> = UptakeGroup::ALL.into_iter().filter(is_ethnicity).collect();
    let gender: Vec<UptakeGroup> = UptakeGroup::ALL.into_iter().filter(is_gender).collect();
    let named: Vec<UptakeGroup> = UptakeGroup::ALL
        .into_iter()
        .filter(|g| !is_ethnicity(g) && !is_gender(g))
        .collect();
    vec![
        block(
            d,
            rule,
            "uptake-ethnicity",
            "Uptake by ethnic group",
            "Referrals received in the period by the young person's ethnic group (NHS ethnic categories, grouped), how many reached a service and how many were seen. \"Not recorded\" means we never asked or it is not known.",
            &ethnicity,
        ),
        block(
            d,
            rule,
            "uptake-gender",
            "Uptake by gender identity",
            "Referrals received in the period by whether the young person's gender is the same as their sex registered at birth (the 2021 census question): trans, not trans, prefer not to say, or not recorded.",
            &gender,
        ),
        block(
            d,
            rule,
            "uptake-groups",
            "Uptake by group",
            "Referrals received in the period for young people in each group named in the area's plans (a young person can be in several), and those with none of the group questions answered.",
            &named,
        ),
    ]
}

/// A short label for the chart's axis.
pub(crate) fn short(group: UptakeGroup) -> &'static str {
    match group {
        UptakeGroup::Ethnicity(EthnicityGroup::White) => "White",
        UptakeGroup::Ethnicity(EthnicityGroup::Mixed) => "Mixed",
        UptakeGroup::Ethnicity(EthnicityGroup::Asian) => "Asian",
        UptakeGroup::Ethnicity(EthnicityGroup::Black) => "Black",
        UptakeGroup::Ethnicity(EthnicityGroup::Other) => "Other",
        UptakeGroup::Ethnicity(EthnicityGroup::PreferNotToSay)
        | UptakeGroup::Gender(GenderGroup::PreferNotToSay) => "Not said",
        UptakeGroup::Ethnicity(EthnicityGroup::NotRecorded)
        | UptakeGroup::Gender(GenderGroup::NotRecorded) => "Not recorded",
        UptakeGroup::Gender(GenderGroup::Trans) => "Trans",
        UptakeGroup::Gender(GenderGroup::NotTrans) => "Not trans",
        UptakeGroup::LookedAfter => "Looked after",
        UptakeGroup::CareLeaver => "Care leaver",
        UptakeGroup::YouthJustice => "Youth justice",
        UptakeGroup::SendEhcp => "SEND",
        UptakeGroup::Autistic => "Autistic",
        UptakeGroup::Adhd => "ADHD",
        UptakeGroup::YoungCarer => "Young carer",
        UptakeGroup::Disabled => "Disabled",
        UptakeGroup::NoGroupRecorded => "None answered",
    }
}

fn block(
    d: &Dashboard,
    rule: Suppression,
    id: &'static str,
    title: &str,
    note: &str,
    groups: &[UptakeGroup],
) -> Block {
    let count = |n: u64| {
        let p = rule.count(n);
        Cell {
            text: p.text(),
            value: p.value(),
        }
    };
    let rows: Vec<(String, Vec<Cell>)> = groups
        .iter()
        .map(|g| {
            let u = d.uptake.get(g.index()).copied().unwrap_or_default();
            let received = rule.count(u.received);
            let seen = rule.count(u.seen);
            let share = rule.share(seen, received);
            (
                g.label().to_owned(),
                vec![
                    count(u.received),
                    count(u.accepted),
                    count(u.seen),
                    Cell {
                        text: share.map_or_else(|| "*".to_owned(), |s| s.to_string()),
                        value: share,
                    },
                ],
            )
        })
        .collect();
    let columns = vec![
        "Received".to_owned(),
        "Reached a service".to_owned(),
        "Seen".to_owned(),
        "% seen".to_owned(),
    ];
    let series = columns
        .iter()
        .take(3)
        .enumerate()
        .map(|(c, label)| {
            Series::new(
                label.clone(),
                rows.iter()
                    .map(|(_, cells)| cells[c].value.map(|v| v as f64))
                    .collect(),
            )
        })
        .collect();
    let chart = Chart {
        id: format!("chart-{id}"),
        title: title.to_owned(),
        description: format!(
            "{note} Three bars per group: received, reached a service, seen. Numbers below {} are not drawn; the table \"{title}\" beside the chart has every value.",
            rule.below
        ),
        x_labels: groups.iter().map(|g| short(*g).to_owned()).collect(),
        y_label: "Referrals".to_owned(),
        kind: ChartKind::Bar,
        series,
        y_max: None,
    };
    Block {
        id,
        title: title.to_owned(),
        note: note.to_owned(),
        row_heading: "Group",
        columns,
        rows,
        svg: chart.svg(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nwd_store::dashboard::Uptake;

    #[test]
    fn uptake_cells_are_suppressed_and_rows_follow_the_groups() {
        let mut uptake = vec![Uptake::default(); UptakeGroup::ALL.len()];
        uptake[UptakeGroup::Gender(GenderGroup::Trans).index()] = Uptake {
            received: 3,
            accepted: 2,
            seen: 1,
        };
        uptake[UptakeGroup::LookedAfter.index()] = Uptake {
            received: 23,
            accepted: 12,
            seen: 9,
        };
        let d = Dashboard {
            months: Vec::new(),
            referrals: Vec::new(),
            referrals_by_source: Default::default(),
            referrals_by_need_group: Default::default(),
            seen: Vec::new(),
            seen_within_standard: Vec::new(),
            seen_with_standard: Vec::new(),
            waiting_at_end: Vec::new(),
            access: Vec::new(),
            step_ups: Vec::new(),
            step_downs: Vec::new(),
            triaged: Vec::new(),
            triaged_allocated: Vec::new(),
            triaged_signposted: Vec::new(),
            uptake,
            outcomes: Default::default(),
            waits: Default::default(),
            ledger: Default::default(),
            contacts_by_status: Default::default(),
        };
        let blocks = blocks(&d, Suppression::default());
        let gender = &blocks[1];
        assert_eq!(
            gender.rows[0].0,
            "Trans (gender not the same as sex at birth)"
        );
        let texts: Vec<&str> = gender.rows[0].1.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["*", "*", "*", "*"]);
        let groups = &blocks[2];
        let texts: Vec<&str> = groups.rows[0].1.iter().map(|c| c.text.as_str()).collect();
        // 23 → 25, 12 → 10, 9 → 10; 10 of 25 = 40 %.
        assert_eq!(texts, ["25", "10", "10", "40"]);
    }
}
