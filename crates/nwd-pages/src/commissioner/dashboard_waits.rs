//! The commissioner dashboard's waiting-time blocks (issue 20: "waits to first … contact
//! against each standard (median, 90th percentile, the distribution, share within
//! standard)"): how long the allocations first seen waited for their first attended contact,
//! month by month and by service over the period, with the distribution in bands
//! (`nwd_domain::waits::WAIT_BANDS`). The figures are the store's
//! (`nwd_store::dashboard::Waits`, counted with the dashboard's other figures); every count
//! passes the dashboard's small-number suppression and a median or 90th percentile shows only
//! where the count it summarises does (`nwd_domain::published::PublishedDistribution`: the
//! median of one young person's waits is that young person's wait).

use std::collections::HashMap;

use nwd_domain::disclosure::Suppression;
use nwd_domain::published::PublishedDistribution;
use nwd_domain::waits::{FirstContactWaits, WAIT_BANDS};
use nwd_domain::ServiceId;
use nwd_store::dashboard::Dashboard;

use crate::chart::{Chart, ChartKind, Series};
use crate::commissioner::dashboard::{Block, Cell};

/// What "days waited" means, for both blocks' notes.
const DEFINITION: &str = "Days from the clock start (the referral received, or the decision to step up or add a service) to the first attended contact, in calendar days, for the allocations first seen.";

fn count(rule: &Suppression, n: u64) -> Cell {
    let shown = rule.count(n);
    Cell {
        text: shown.text(),
        value: shown.value(),
    }
}

/// A median or percentile in whole units (`*` when hidden).
fn whole(value: Option<f64>) -> Cell {
    let value = value.map(|v| v.round().max(0.0) as u64);
    Cell {
        text: value.map_or_else(|| "*".to_owned(), |v| v.to_string()),
        value,
    }
}

/// The three waiting-time blocks: to a triage decision by month, to a first contact by
/// month, and to a first contact by service over the period. `services` names
/// the services by id.
pub fn blocks(
    d: &Dashboard,
    rule: Suppression,
    services: &HashMap<ServiceId, String>,
) -> Vec<Block> {
    vec![
        to_triage(d, rule),
        by_month(d, rule),
        by_service(d, rule, services),
    ]
}

fn by_month(d: &Dashboard, rule: Suppression) -> Block {
    monthly(
        d,
        rule,
        Monthly {
            id: "waits-by-month",
            title: "How long young people waited for a first contact",
            note: format!("{DEFINITION} By the month of the first contact; the median and 90th percentile by nearest rank, shown only where the number first seen is."),
            counted: "First seen",
            unit: "days",
        },
        &d.waits.by_month,
    )
}

fn to_triage(d: &Dashboard, rule: Suppression) -> Block {
    monthly(
        d,
        rule,
        Monthly {
            id: "waits-to-triage",
            title: "How long requests waited for a triage decision",
            note: "Hours from the request's receipt by the single point of access to the triage decision (the need group agreed and where it goes), by the month of the decision; the median and 90th percentile by nearest rank, shown only where the number triaged is. A wait no service's standard measures: its clock starts at receipt too.".to_owned(),
            counted: "Triaged",
            unit: "hours",
        },
        &d.waits.to_triage_by_month,
    )
}

/// What a monthly waits block says.
struct Monthly {
    id: &'static str,
    title: &'static str,
    note: String,
    /// The count column's heading.
    counted: &'static str,
    /// "days" or "hours".
    unit: &'static str,
}

fn monthly(
    d: &Dashboard,
    rule: Suppression,
    what: Monthly,
    waits: &[nwd_domain::waits::WaitDistribution],
) -> Block {
    let title = what.title;
    let months: Vec<String> = d
        .months
        .iter()
        .map(|m| m.strftime("%b %Y").to_string())
        .collect();
    let rows: Vec<(String, Vec<Cell>)> = months
        .iter()
        .zip(waits)
        .map(|(month, exact)| {
            let shown = PublishedDistribution::from(&rule, exact);
            (
                month.clone(),
                vec![
                    count(&rule, exact.count),
                    whole(shown.median),
                    whole(shown.p90),
                ],
            )
        })
        .collect();
    let series = |i: usize, label: &str| {
        Series::new(
            label,
            rows.iter()
                .map(|(_, cells)| cells[i].value.map(|v| v as f64))
                .collect(),
        )
    };
    let chart = Chart {
        id: format!("chart-{}", what.id),
        title: title.to_owned(),
        description: format!(
            "Two lines, in {}, one point per month: the median and the 90th percentile. Months with fewer than {} counted are not drawn; the table \"{title}\" beside the chart has every value.",
            what.unit, rule.below
        ),
        x_labels: months.clone(),
        y_label: format!("{}{}", what.unit[..1].to_uppercase(), &what.unit[1..]),
        kind: ChartKind::Line,
        series: vec![series(1, "Median"), series(2, "90th percentile")],
        y_max: None,
    };
    Block {
        id: what.id,
        title: title.to_owned(),
        note: what.note,
        row_heading: "Month",
        columns: vec![
            what.counted.to_owned(),
            format!("Median {}", what.unit),
            format!("90th percentile {}", what.unit),
        ],
        rows,
        svg: chart.svg(),
    }
}

fn by_service(d: &Dashboard, rule: Suppression, services: &HashMap<ServiceId, String>) -> Block {
    let title = "Waits for a first contact by service";
    let mut named: Vec<(String, FirstContactWaits)> = d
        .waits
        .by_service
        .iter()
        .map(|(id, waits)| {
            (
                services
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| "Service no longer listed".to_owned()),
                *waits,
            )
        })
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let mut rows_exact = vec![("All services".to_owned(), d.waits.all)];
    rows_exact.extend(named);
    let rows: Vec<(String, Vec<Cell>)> = rows_exact
        .iter()
        .map(|(name, exact)| {
            let shown = PublishedDistribution::from(&rule, &exact.days);
            let mut cells = vec![
                count(&rule, exact.days.count),
                whole(shown.median),
                whole(shown.p90),
                count(&rule, exact.with_standard),
                count(&rule, exact.within),
            ];
            let share = rule.share(rule.count(exact.within), rule.count(exact.with_standard));
            cells.push(Cell {
                text: share.map_or_else(|| "*".to_owned(), |s| s.to_string()),
                value: share,
            });
            cells.extend(exact.bands.iter().map(|n| count(&rule, *n)));
            (name.clone(), cells)
        })
        .collect();
    let mut columns = vec![
        "First seen".to_owned(),
        "Median days".to_owned(),
        "90th percentile days".to_owned(),
        "With a standard".to_owned(),
        "Within the standard".to_owned(),
        "% within standard".to_owned(),
    ];
    columns.extend(WAIT_BANDS.iter().map(|(label, _)| (*label).to_owned()));
    let chart = Chart {
        id: "chart-waits-by-service".to_owned(),
        title: title.to_owned(),
        description: format!(
            "Two bars per service, in days: the median wait to a first contact and the 90th percentile. Services with fewer than {} first seen are not drawn; the table \"{title}\" beside the chart has every value and the number who waited each length of time.",
            rule.below
        ),
        x_labels: rows.iter().map(|(name, _)| name.clone()).collect(),
        y_label: "Days".to_owned(),
        kind: ChartKind::HorizontalBar,
        series: [(1, "Median"), (2, "90th percentile")]
            .into_iter()
            .map(|(column, label)| {
                Series::new(
                    label,
                    rows.iter()
                        .map(|(_, cells)| cells[column].value.map(|v| v as f64))
                        .collect(),
                )
            })
            .collect(),
        y_max: None,
    };
    Block {
        id: "waits-by-service",
        title: title.to_owned(),
        note: format!("{DEFINITION} Over the whole period, by the service seen at; \"All services\" counts every allocation. The share within standard counts the allocations whose service has a standard for their priority and source (for example 4 weeks for community services)."),
        row_heading: "Service",
        columns,
        rows,
        svg: chart.svg(),
    }
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test: a failure stops it with its message"
)]
pub(crate) mod tests {
    use super::*;
    use jiff::civil::date;
    use nwd_store::dashboard::Waits;

    /// A dashboard of January and February 2025 with nothing counted (for the blocks' tests).
    pub(crate) fn empty() -> Dashboard {
        dashboard(Waits::default())
    }

    fn dashboard(waits: Waits) -> Dashboard {
        Dashboard {
            months: vec![date(2025, 1, 1), date(2025, 2, 1)],
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
            uptake: Vec::new(),
            outcomes: Default::default(),
            waits,
            ledger: Default::default(),
            contacts_by_status: Default::default(),
        }
    }

    #[test]
    fn a_median_shows_only_where_the_number_seen_does() {
        let service = ServiceId(uuid::Uuid::from_u128(3));
        // January: twelve seen after 3..=36 days (every third day); February: three.
        let january: Vec<(i32, Option<bool>)> =
            (1..=12).map(|i| (i * 3, Some(i * 3 <= 28))).collect();
        let february: Vec<(i32, Option<bool>)> = vec![(2, None), (40, None), (90, None)];
        let all = FirstContactWaits::of(january.iter().chain(&february).copied());
        let d = dashboard(Waits {
            by_month: vec![
                FirstContactWaits::of(january.clone()).days,
                FirstContactWaits::of(february.clone()).days,
            ],
            to_triage_by_month: vec![
                nwd_domain::waits::distribution(vec![1.4, 2.0, 3.0, 30.0, 50.0, 70.0]),
                nwd_domain::waits::distribution(vec![4.0]),
            ],
            all,
            by_service: [(service, all)].into(),
        });
        let names = HashMap::from([(service, "Schools team".to_owned())]);
        let shown = blocks(&d, Suppression::default(), &names);
        let texts = |row: &[Cell]| row.iter().map(|c| c.text.clone()).collect::<Vec<_>>();

        // Six triaged in January (shown 5): nearest rank of six, the 3rd (3 hours) and the
        // 6th (70 hours); one in February: hidden, with its median.
        let triage = &shown[0];
        assert_eq!(
            triage.columns,
            ["Triaged", "Median hours", "90th percentile hours"]
        );
        assert_eq!(texts(&triage.rows[0].1), ["5", "3", "70"]);
        assert_eq!(texts(&triage.rows[1].1), ["*", "*", "*"]);

        let months = &shown[1];
        // 12 → 10 shown; nearest rank: 6th of 12 = 18 days, 11th = 33 days.
        assert_eq!(texts(&months.rows[0].1), ["10", "18", "33"]);
        // Three seen: hidden, and so are their median and 90th percentile.
        assert_eq!(texts(&months.rows[1].1), ["*", "*", "*"]);

        let services = &shown[2];
        assert_eq!(services.rows[1].0, "Schools team");
        // Fifteen seen (shown 15); nearest rank of 15: 8th = 21 days, 14th = 40 days; 12
        // with a standard (shown 10) and 9 within it (shown 10): the share is of the shown
        // counts, as every dashboard share is. Bands: up to 7 days 3 (2, 3, 6: hidden), 8–28
        // days 7 (shown 5), 29–84 days 4 (hidden), 85–126 days 1 (hidden), none longer.
        assert_eq!(
            texts(&services.rows[0].1),
            ["15", "21", "40", "10", "10", "100", "*", "5", "*", "*", "*", "*"]
        );
        assert_eq!(services.rows[0].1, services.rows[1].1);
        assert_eq!(services.columns[6], "Up to 1 week");
        assert!(services.svg.contains("Schools team"));
    }
}
