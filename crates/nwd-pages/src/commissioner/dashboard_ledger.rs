//! The commissioner dashboard's no-wrong-door ledger (issue 20): where the requests received
//! in the period have ended up so far — reached help, waiting, passed on between services
//! without help, ended without help, signposted, advice or another destination, not yet
//! triaged — and how many came back within six months of an earlier request closing, by
//! referrer, by need group and by service. One definition (`nwd_domain::ledger`), counted by
//! the store (`nwd_store::dashboard::Ledger`); every count passes the dashboard's small-number
//! suppression and every share is worked out from the shown counts.

use std::collections::HashMap;

use nwd_domain::disclosure::Suppression;
use nwd_domain::ledger::{Journey, LedgerCounts, RETURN_WINDOW_DAYS};
use nwd_domain::need::NeedGroup;
use nwd_domain::ServiceId;
use nwd_store::dashboard::Dashboard;

use crate::chart::{Chart, ChartKind, Series};
use crate::commissioner::dashboard::{need_group_label, source_label, Block, Cell};

/// What every ledger block counts, in words.
fn definition() -> String {
    format!(
        "Requests received in the period and where each has ended up so far: reached help (seen by at least one service it was allocated to); waiting (allocated, not yet seen); passed on without help (allocated to two or more services in turn, every allocation ended without being seen); ended without help (one allocation, ended unseen); signposted outside the directory (whether the young person got there is not recorded); advice or another destination; not yet triaged. Came back: the young person had an earlier request closed in the {RETURN_WINDOW_DAYS} days (six months) before this one."
    )
}

/// The three ledger blocks: by referrer, by need group, by service. `services` names the
/// services by id.
pub fn blocks(
    d: &Dashboard,
    rule: Suppression,
    services: &HashMap<ServiceId, String>,
) -> Vec<Block> {
    let l = &d.ledger;
    let mut sources: Vec<(String, LedgerCounts)> = l
        .by_source
        .iter()
        .map(|(key, counts)| (source_label(key), *counts))
        .collect();
    sources.sort_by(|a, b| a.0.cmp(&b.0));
    let mut source_rows = vec![("All referrers".to_owned(), l.all)];
    source_rows.extend(sources);

    let mut need_rows = vec![("All".to_owned(), l.all)];
    for group in NeedGroup::ALL {
        if let Some(counts) = l.by_need_group.get(group.as_str()) {
            need_rows.push((group.label().to_owned(), *counts));
        }
    }
    if let Some(counts) = l.by_need_group.get("not_triaged") {
        need_rows.push((need_group_label("not_triaged"), *counts));
    }

    let mut named: Vec<(String, LedgerCounts)> = l
        .by_service
        .iter()
        .map(|(id, counts)| {
            (
                services
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| "Service no longer listed".to_owned()),
                *counts,
            )
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));

    vec![
        block(
            rule,
            "ledger-by-referrer",
            "Where requests ended up, by referrer",
            &format!("{} By who made the request.", definition()),
            "Referrer",
            &source_rows,
        ),
        block(
            rule,
            "ledger-by-need-group",
            "Where requests ended up, by need group",
            "The same figures by the request's THRIVE need group now.",
            "Need group",
            &need_rows,
        ),
        block(
            rule,
            "ledger-by-service",
            "Where requests ended up, by service allocated",
            "The same figures by each service a request was allocated to: a request passed from one service to another counts at both.",
            "Service",
            &named,
        ),
    ]
}

fn block(
    rule: Suppression,
    id: &'static str,
    title: &str,
    note: &str,
    row_heading: &'static str,
    rows: &[(String, LedgerCounts)],
) -> Block {
    let count = |n: u64| {
        let shown = rule.count(n);
        Cell {
            text: shown.text(),
            value: shown.value(),
        }
    };
    let share = |n: u64, of: u64| {
        let share = rule.share(rule.count(n), rule.count(of));
        Cell {
            text: share.map_or_else(|| "*".to_owned(), |s| s.to_string()),
            value: share,
        }
    };
    let table: Vec<(String, Vec<Cell>)> = rows
        .iter()
        .map(|(label, c)| {
            let mut cells = vec![count(c.received)];
            cells.extend(c.journeys.iter().map(|n| count(*n)));
            cells.push(share(c.journeys[Journey::ReachedHelp.index()], c.received));
            cells.push(share(
                c.journeys[Journey::PassedOnWithoutHelp.index()],
                c.received,
            ));
            cells.push(count(c.returned));
            cells.push(share(c.returned, c.received));
            (label.clone(), cells)
        })
        .collect();
    let mut columns = vec!["Received".to_owned()];
    columns.extend(Journey::ALL.iter().map(|j| j.label().to_owned()));
    columns.extend([
        "% reached help".to_owned(),
        "% passed on without help".to_owned(),
        "Came back within 6 months".to_owned(),
        "% came back".to_owned(),
    ]);
    // Shares, not counts: referrers and services of every size side by side.
    let shares = |column: usize| -> Vec<Option<f64>> {
        table
            .iter()
            .map(|(_, cells)| cells[column].value.map(|v| v as f64))
            .collect()
    };
    let first_share = 1 + Journey::ALL.len();
    let chart = Chart {
        id: format!("chart-{id}"),
        title: title.to_owned(),
        description: format!(
            "Three bars per row, in per cent of the requests received: those that reached help, those passed on without help, and those that came back within six months. Shares whose counts are hidden (below {}) are not drawn; the table \"{title}\" beside the chart has every value, and the count for each journey.",
            rule.below
        ),
        x_labels: table.iter().map(|(label, _)| label.clone()).collect(),
        y_label: "Per cent of requests".to_owned(),
        kind: ChartKind::HorizontalBar,
        series: vec![
            Series::new("% reached help", shares(first_share)),
            Series::new("% passed on without help", shares(first_share + 1)),
            Series::new("% came back within 6 months", shares(first_share + 3)),
        ],
        y_max: Some(100.0),
    };
    Block {
        id,
        title: title.to_owned(),
        note: note.to_owned(),
        row_heading,
        columns,
        rows: table,
        svg: chart.svg(),
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test: a failure stops it with its message"
)]
mod tests {
    use super::*;
    use nwd_store::dashboard::Ledger;

    #[test]
    fn ledger_cells_are_suppressed_and_shares_come_from_shown_counts() {
        let service = ServiceId(uuid::Uuid::from_u128(9));
        // 40 GP requests: 22 reached help, 3 waiting, 6 passed on, 9 ended unseen; 7 came back.
        let gp = LedgerCounts {
            received: 40,
            journeys: [22, 3, 6, 9, 0, 0, 0],
            returned: 7,
        };
        let ledger = Ledger {
            all: gp,
            by_source: [("gp".to_owned(), gp)].into(),
            by_need_group: [("getting_help".to_owned(), gp)].into(),
            by_service: [(service, gp)].into(),
        };
        let mut d = crate::commissioner::dashboard_waits::tests::empty();
        d.ledger = ledger;
        let names = HashMap::from([(service, "Community CYP".to_owned())]);
        let shown = blocks(&d, Suppression::default(), &names);
        assert_eq!(shown.len(), 3);
        let texts: Vec<&str> = shown[0].rows[1].1.iter().map(|c| c.text.as_str()).collect();
        // 40; 22 → 20, 3 hidden, 6 → 5, 9 → 10, none signposted, advised or untriaged
        // (hidden); 20 of 40 = 50 %, 5 of 40 = 13 %; 7 → 5, 13 %.
        assert_eq!(
            texts,
            ["40", "20", "*", "5", "10", "*", "*", "*", "50", "13", "5", "13"]
        );
        assert_eq!(shown[0].rows[1].0, source_label("gp"));
        assert_eq!(shown[0].columns[3], "Passed on without help");
        assert_eq!(shown[2].rows[0].0, "Community CYP");
        assert!(shown[0].note.contains("183 days"));
    }
}
