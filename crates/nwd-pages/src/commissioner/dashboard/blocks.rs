//! The dashboard's blocks: each table's cells suppressed, and its chart drawn from those
//! cells ([`blocks`]).

use crate::chart::{Chart, ChartKind, Series};
use nwd_domain::codes::{ContactStatus, ReferralSource};
use nwd_domain::disclosure::{Published, Suppression};
use nwd_domain::need::NeedGroup;
use nwd_store::dashboard::Dashboard;

/// One cell of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// As shown (`*` when suppressed).
    pub text: String,
    /// For the chart: `None` when suppressed.
    pub value: Option<u64>,
}

impl Cell {
    fn count(p: Published) -> Cell {
        Cell {
            text: p.text(),
            value: p.value(),
        }
    }

    fn share(share: Option<u64>) -> Cell {
        Cell {
            text: share.map_or_else(|| "*".to_owned(), |s| s.to_string()),
            value: share,
        }
    }
}

/// A table and the chart drawn from it.
#[derive(Debug, Clone)]
pub struct Block {
    /// Short id: the CSV's name and the chart's id.
    pub id: &'static str,
    /// Heading.
    pub title: String,
    /// What it counts, in a sentence.
    pub note: String,
    /// The first column's heading ("Month", or "Group" for the uptake tables).
    pub row_heading: &'static str,
    /// Column headings after the first.
    pub columns: Vec<String>,
    /// Month label and its cells.
    pub rows: Vec<(String, Vec<Cell>)>,
    /// The chart as SVG.
    pub svg: String,
}
pub(crate) fn need_group_label(key: &str) -> String {
    NeedGroup::parse(key)
        .map(|g| g.label().to_owned())
        .unwrap_or_else(|_| "Not yet triaged".to_owned())
}

pub(crate) fn source_label(key: &str) -> String {
    ReferralSource::parse(key)
        .map(|s| s.label().to_owned())
        .unwrap_or_else(|_| key.to_owned())
}

/// Builds one block from exact columns: cells suppressed, chart drawn from the cells.
pub(super) struct Builder<'a> {
    months: &'a [String],
    rule: Suppression,
}

impl Builder<'_> {
    #[allow(
        clippy::too_many_arguments,
        reason = "one call per block reads best as a table"
    )]
    fn block(
        &self,
        id: &'static str,
        title: &str,
        note: &str,
        y_label: &str,
        kind: ChartKind,
        columns: Vec<(String, Vec<Cell>)>,
        charted: usize,
        y_max: Option<f64>,
    ) -> Block {
        let series = columns
            .iter()
            .take(charted)
            .map(|(label, cells)| {
                Series::new(
                    label.clone(),
                    cells.iter().map(|c| c.value.map(|v| v as f64)).collect(),
                )
            })
            .collect();
        let chart = Chart {
            id: format!("chart-{id}"),
            title: title.to_owned(),
            description: format!(
                "{note} One {} per month, {} to {}. Numbers below {} are not drawn; the table \"{title}\" beside the chart has every value.",
                match kind {
                    ChartKind::Line => "point",
                    _ => "bar",
                },
                self.months.first().map(String::as_str).unwrap_or(""),
                self.months.last().map(String::as_str).unwrap_or(""),
                self.rule.below
            ),
            x_labels: self.months.to_vec(),
            y_label: y_label.to_owned(),
            kind,
            series,
            y_max,
        };
        let rows = self
            .months
            .iter()
            .enumerate()
            .map(|(i, m)| {
                (
                    m.clone(),
                    columns.iter().map(|(_, cells)| cells[i].clone()).collect(),
                )
            })
            .collect();
        Block {
            id,
            title: title.to_owned(),
            note: note.to_owned(),
            row_heading: "Month",
            columns: columns.into_iter().map(|(label, _)| label).collect(),
            rows,
            svg: chart.svg(),
        }
    }

    fn counts(&self, exact: &[u64]) -> Vec<Cell> {
        exact
            .iter()
            .map(|n| Cell::count(self.rule.count(*n)))
            .collect()
    }

    fn shares(&self, numerator: &[u64], denominator: &[u64]) -> Vec<Cell> {
        numerator
            .iter()
            .zip(denominator)
            .map(|(n, d)| Cell::share(self.rule.share(self.rule.count(*n), self.rule.count(*d))))
            .collect()
    }
}

/// Every block of the dashboard, suppressed.
pub fn blocks(d: &Dashboard, rule: Suppression) -> Vec<Block> {
    let months: Vec<String> = d
        .months
        .iter()
        .map(|m| m.strftime("%b %Y").to_string())
        .collect();
    let b = Builder {
        months: &months,
        rule,
    };
    let n = months.len();
    let mut out = Vec::new();

    // Referrals by source: the five largest sources drawn, the rest together.
    let mut sources: Vec<(&String, &Vec<u64>)> = d.referrals_by_source.iter().collect();
    sources.sort_by_key(|(key, counts)| {
        (
            std::cmp::Reverse(counts.iter().sum::<u64>()),
            (*key).clone(),
        )
    });
    let mut columns: Vec<(String, Vec<Cell>)> = Vec::new();
    let drawn = if sources.len() > 6 { 5 } else { sources.len() };
    for (key, counts) in sources.iter().take(drawn) {
        columns.push((source_label(key), b.counts(counts)));
    }
    if sources.len() > drawn {
        let mut rest = vec![0u64; n];
        for (_, counts) in sources.iter().skip(drawn) {
            for (r, c) in rest.iter_mut().zip(counts.iter()) {
                *r += c;
            }
        }
        columns.push(("Other sources".to_owned(), b.counts(&rest)));
    }
    let charted = columns.len();
    for (key, counts) in sources.iter().skip(drawn) {
        columns.push((source_label(key), b.counts(counts)));
    }
    columns.push(("All sources".to_owned(), b.counts(&d.referrals)));
    out.push(b.block(
        "referrals-by-source",
        "Referrals by source",
        "Referrals and advice requests received by the single point of access, by who made them.",
        "Referrals",
        ChartKind::StackedBar,
        columns,
        charted,
        None,
    ));

    // By need group: THRIVE order, then not yet triaged.
    let mut columns = Vec::new();
    for group in NeedGroup::ALL {
        if let Some(counts) = d.referrals_by_need_group.get(group.as_str()) {
            columns.push((group.label().to_owned(), b.counts(counts)));
        }
    }
    if let Some(counts) = d.referrals_by_need_group.get("not_triaged") {
        columns.push((need_group_label("not_triaged"), b.counts(counts)));
    }
    let charted = columns.len();
    columns.push(("All".to_owned(), b.counts(&d.referrals)));
    out.push(b.block(
        "referrals-by-need-group",
        "Referrals by need group",
        "Referrals received in the month, by their need group now (after any step up or down).",
        "Referrals",
        ChartKind::StackedBar,
        columns,
        charted,
        None,
    ));

    out.push(b.block(
        "waiting",
        "Waiting at the end of the month",
        "Allocations to a service not yet seen and not ended, at the end of each month (or now, for this month).",
        "Waiting",
        ChartKind::Bar,
        vec![("Waiting".to_owned(), b.counts(&d.waiting_at_end))],
        1,
        None,
    ));

    out.push(b.block(
        "seen-within-standard",
        "Seen within the waiting-time standard",
        "Allocations first seen in the month, and the percentage seen within their service's standard (for example 4 weeks for community services).",
        "Per cent within standard",
        ChartKind::Line,
        vec![
            ("% within standard".to_owned(), b.shares(&d.seen_within_standard, &d.seen_with_standard)),
            ("First seen".to_owned(), b.counts(&d.seen)),
            ("With a standard".to_owned(), b.counts(&d.seen_with_standard)),
            ("Within the standard".to_owned(), b.counts(&d.seen_within_standard)),
        ],
        1,
        Some(100.0),
    ));

    // Attendance: every status with contacts, then the did-not-attend rate.
    let mut expected = vec![0u64; n];
    let mut missed = vec![0u64; n];
    let mut columns: Vec<(String, Vec<Cell>)> = Vec::new();
    for status in ContactStatus::ALL {
        let Some(counts) = d.contacts_by_status.get(status.as_str()) else {
            continue;
        };
        if let Some(dna) = status.did_not_attend() {
            for i in 0..n {
                expected[i] += counts[i];
                if dna {
                    missed[i] += counts[i];
                }
            }
        }
        columns.push((status.label().to_owned(), b.counts(counts)));
    }
    columns.insert(
        0,
        ("% did not attend".to_owned(), b.shares(&missed, &expected)),
    );
    out.push(b.block(
        "attendance",
        "Appointments and attendance",
        "Direct contacts booked for the month, by what happened (the NHS Data Dictionary's attendance codes). Did not attend: no advance warning (code 3), as a share of the appointments the young person was expected at (attended, arrived late and seen or not seen, did not attend); cancellations are left out.",
        "Per cent did not attend",
        ChartKind::Line,
        columns,
        1,
        Some(100.0),
    ));

    let mhs95: Vec<u64> = d.access.iter().map(|a| a.mhs95_one_contact).collect();
    let mhs69: Vec<u64> = d.access.iter().map(|a| a.mhs69_two_contacts).collect();
    out.push(b.block(
        "access",
        "Access: children and young people seen",
        "The two CYP access measures for the 12 months to the end of each month: MHS95 (under 18, at least one counted contact) and MHS69 (at least two, the first before 18).",
        "Young people",
        ChartKind::Line,
        vec![
            ("MHS95: one contact".to_owned(), b.counts(&mhs95)),
            ("MHS69: two contacts".to_owned(), b.counts(&mhs69)),
        ],
        2,
        None,
    ));

    out.push(b.block(
        "steps",
        "Step-ups and step-downs",
        "Changes of need group recorded in the month: up to more intensive help, or down to less.",
        "Steps",
        ChartKind::Bar,
        vec![
            ("Step-ups".to_owned(), b.counts(&d.step_ups)),
            ("Step-downs".to_owned(), b.counts(&d.step_downs)),
        ],
        2,
        None,
    ));

    let other: Vec<u64> = d
        .triaged
        .iter()
        .zip(&d.triaged_allocated)
        .zip(&d.triaged_signposted)
        .map(|((t, a), s)| t.saturating_sub(a + s))
        .collect();
    out.push(b.block(
        "triage-outcomes",
        "Signposted or allocated at triage",
        "Referrals triaged in the month: allocated to a service, signposted elsewhere (and not allocated), or other (advice given, declined).",
        "Referrals",
        ChartKind::StackedBar,
        vec![
            ("Allocated".to_owned(), b.counts(&d.triaged_allocated)),
            ("Signposted".to_owned(), b.counts(&d.triaged_signposted)),
            ("Other".to_owned(), b.counts(&other)),
            ("All triaged".to_owned(), b.counts(&d.triaged)),
            ("% allocated".to_owned(), b.shares(&d.triaged_allocated, &d.triaged)),
            ("% signposted".to_owned(), b.shares(&d.triaged_signposted, &d.triaged)),
        ],
        3,
        None,
    ));
    out.extend(crate::commissioner::dashboard_uptake::blocks(d, rule));
    out
}
