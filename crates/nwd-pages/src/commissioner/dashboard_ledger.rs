//! The commissioner dashboard's no-wrong-door ledger (issue 20): where the requests received
//! in the period have ended up so far — reached help, waiting, passed on between services
//! without help, ended without help, signposted, advice or another destination, not yet
//! triaged — and how many came back within six months of an earlier request closing, by
//! referrer, by need group and by service. One definition (`nwd_domain::ledger`), counted by
//! the store (`nwd_store::dashboard::Ledger`), published by `nwd_usecase::ledger` (small
//! numbers hidden and rounded, then secondary suppression over the tables that share the
//! "All" row); every share is worked out from the shown counts.

use std::collections::HashMap;

use nwd_domain::disclosure::protect::Shown;
use nwd_domain::disclosure::Suppression;
use nwd_domain::ledger::{Journey, PublishedLedgerRow, RETURN_WINDOW_DAYS};
use nwd_domain::need::NeedGroup;
use nwd_domain::ServiceId;
use nwd_store::dashboard::Dashboard;
use nwd_usecase::ledger::{publish_ledger, KeyedLedger};

use crate::chart::{Chart, ChartKind, Series};
use crate::commissioner::dashboard::{need_group_label, source_label, Block, Cell};

/// What every ledger block counts, in words.
fn definition() -> String {
    format!(
        "Requests received in the period and where each has ended up so far: reached help (seen by at least one service it was allocated to); waiting (allocated, not yet seen); passed on without help (allocated to two or more services in turn, every allocation ended without being seen); ended without help (one allocation, ended unseen); signposted outside the directory (whether the young person got there is not recorded); advice or another destination; not yet triaged. Came back: the young person had an earlier request closed in the {RETURN_WINDOW_DAYS} days (six months) before this one."
    )
}

/// The three ledger blocks: by referrer, by need group, by service. `services` names the
/// services by id. The tables are published together (`nwd_domain::ledger::publish`): the
/// referrer and need-group tables share the "All" row, and secondary suppression covers both.
pub fn blocks(
    d: &Dashboard,
    rule: Suppression,
    services: &HashMap<ServiceId, String>,
) -> Vec<Block> {
    blocks_of(&publish_ledger(&d.ledger, rule), rule, services)
}

/// The three ledger blocks of a published ledger (the dashboard's period, or a quarter of the
/// quarterly report).
pub(crate) fn blocks_of(
    p: &KeyedLedger,
    rule: Suppression,
    services: &HashMap<ServiceId, String>,
) -> Vec<Block> {
    let mut sources: Vec<(String, PublishedLedgerRow)> = p
        .by_source
        .iter()
        .map(|(key, row)| (source_label(key), *row))
        .collect();
    sources.sort_by(|a, b| a.0.cmp(&b.0));
    let mut needs: Vec<(String, PublishedLedgerRow)> = Vec::new();
    for group in NeedGroup::ALL {
        if let Some((_, row)) = p.by_need_group.iter().find(|(k, _)| k == group.as_str()) {
            needs.push((group.label().to_owned(), *row));
        }
    }
    if let Some((key, row)) = p.by_need_group.iter().find(|(k, _)| k == "not_triaged") {
        needs.push((need_group_label(key), *row));
    }
    let mut named: Vec<(String, PublishedLedgerRow)> = p
        .by_service
        .iter()
        .map(|(id, row)| {
            (
                services
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| "Service no longer listed".to_owned()),
                *row,
            )
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let labelled = |first: Option<&str>, rows: Vec<(String, PublishedLedgerRow)>| {
        let mut out: Vec<(String, PublishedLedgerRow)> = first
            .map(|label| (label.to_owned(), p.all))
            .into_iter()
            .collect();
        out.extend(rows);
        out
    };

    vec![
        block(
            rule,
            "ledger-by-referrer",
            "Where requests ended up, by referrer",
            &format!("{} By who made the request.", definition()),
            "Referrer",
            &labelled(Some("All referrers"), sources),
        ),
        block(
            rule,
            "ledger-by-need-group",
            "Where requests ended up, by need group",
            "The same figures by the request's THRIVE need group now.",
            "Need group",
            &labelled(Some("All"), needs),
        ),
        block(
            rule,
            "ledger-by-service",
            "Where requests ended up, by service allocated",
            "The same figures by each service a request was allocated to: a request passed from one service to another counts at both.",
            "Service",
            &labelled(None, named),
        ),
    ]
}

/// The cells of one published ledger row: received, each journey, the shares reached help
/// and passed on, came back and its share (shares from the published counts).
pub(crate) fn ledger_cells(r: &PublishedLedgerRow, rule: &Suppression) -> Vec<Cell> {
    let count = |s: Shown| Cell {
        text: s.text(),
        value: s.value(),
    };
    let share = |share: Option<u64>| Cell {
        text: share.map_or_else(|| "*".to_owned(), |s| s.to_string()),
        value: share,
    };
    let mut cells = vec![count(r.received)];
    cells.extend(r.journeys.iter().map(|n| count(*n)));
    cells.push(share(r.share(Journey::ReachedHelp, rule)));
    cells.push(share(r.share(Journey::PassedOnWithoutHelp, rule)));
    cells.push(count(r.returned));
    cells.push(share(r.returned_share(rule)));
    cells
}

/// The ledger by quarter: every request received in each quarter of the quarterly report.
pub(crate) fn by_quarter(rule: Suppression, rows: &[(String, PublishedLedgerRow)]) -> Block {
    block(
        rule,
        "ledger-by-quarter",
        "Where requests ended up, by quarter received",
        &format!("{} By the quarter the request was received: later quarters have had less time to reach help.", definition()),
        "Quarter",
        rows,
    )
}

fn block(
    rule: Suppression,
    id: &'static str,
    title: &str,
    note: &str,
    row_heading: &'static str,
    rows: &[(String, PublishedLedgerRow)],
) -> Block {
    let table: Vec<(String, Vec<Cell>)> = rows
        .iter()
        .map(|(label, r)| (label.clone(), ledger_cells(r, &rule)))
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
    use nwd_domain::ledger::LedgerCounts;
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
