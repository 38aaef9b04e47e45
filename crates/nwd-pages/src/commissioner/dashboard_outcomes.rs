//! The commissioner dashboard's outcome blocks (issue 19): of the referrals closed in the
//! period after at least two attended contacts, the share with paired outcome scores from any
//! perspective and, for the perspective chosen (self-, parent- or clinician-rated, as MHS112
//! reports each), the share paired and of those the shares reliably improved, reliably
//! deteriorated and with meaningful improvement — by service, by THRIVE need group, by
//! equality group and by age at referral (under 18, MHS112's ages; 18 to 25). The figures are the store's
//! (`nwd_store::dashboard::Outcomes`, one definition in `nwd_domain::outcome_figures`, shared
//! with `GET /api/measures/outcomes`); every count and share passes the dashboard's
//! small-number suppression (`PublishedOutcomes`), and the chart is drawn from the
//! suppressed cells, as the table and the CSV show them.

use std::collections::HashMap;

use nwd_domain::about::UptakeGroup;
use nwd_domain::disclosure::Suppression;
use nwd_domain::outcome_figures::{OutcomeAgeBand, OutcomeCounts, PublishedOutcomes, DEFINITION};
use nwd_domain::referral::outcome::OutcomeRater;
use nwd_domain::ServiceId;
use nwd_store::dashboard::Dashboard;

use crate::chart::{Chart, ChartKind, Series};
use crate::commissioner::dashboard::{Block, Cell};

/// The period in words: "closed from 1 January 2025 to 31 March 2025".
fn period_words(d: &Dashboard) -> String {
    match (d.months.first(), d.months.last()) {
        (Some(first), Some(last)) => format!(
            "Referrals closed from {} to {}.",
            first.strftime("%-d %B %Y"),
            last.last_of_month().strftime("%-d %B %Y")
        ),
        _ => String::new(),
    }
}

/// The four outcome blocks: by service (with every service first), by need group, by
/// equality group, by age at referral. `services` names the services by id.
pub fn blocks(
    d: &Dashboard,
    rule: Suppression,
    services: &HashMap<ServiceId, String>,
    rater: OutcomeRater,
) -> Vec<Block> {
    let period = period_words(d);
    let perspective = perspective(rater);
    let mut by_service: Vec<(String, String, OutcomeCounts)> = d
        .outcomes
        .by_service
        .iter()
        .map(|(id, counts)| {
            let name = services
                .get(id)
                .cloned()
                .unwrap_or_else(|| "Service no longer listed".to_owned());
            (name.clone(), name, *counts)
        })
        .collect();
    by_service.sort_by(|a, b| a.0.cmp(&b.0));
    let mut service_rows = vec![("All services".to_owned(), "All".to_owned(), d.outcomes.all)];
    service_rows.extend(by_service);
    let need_rows: Vec<(String, String, OutcomeCounts)> = d
        .outcomes
        .by_need_group
        .iter()
        .map(|(key, counts)| {
            let label = crate::commissioner::dashboard::need_group_label(key);
            (label.clone(), label, *counts)
        })
        .collect();
    let group_rows: Vec<(String, String, OutcomeCounts)> = UptakeGroup::ALL
        .iter()
        .map(|g| {
            (
                g.label().to_owned(),
                crate::commissioner::dashboard_uptake::short(*g).to_owned(),
                d.outcomes
                    .by_group
                    .get(g.index())
                    .copied()
                    .unwrap_or_default(),
            )
        })
        .collect();
    let age_rows: Vec<(String, String, OutcomeCounts)> = OutcomeAgeBand::ALL
        .iter()
        .map(|band| {
            (
                band.label().to_owned(),
                band.label().to_owned(),
                d.outcomes.by_age[band.index()],
            )
        })
        .collect();
    vec![
        block(
            rule,
            rater,
            "outcomes-by-service",
            &format!("Outcomes by service, {perspective}"),
            &format!("{period} {DEFINITION} A referral counts at every service it was allocated to; \"All services\" counts it once."),
            "Service",
            &service_rows,
        ),
        block(
            rule,
            rater,
            "outcomes-by-need-group",
            &format!("Outcomes by need group, {perspective}"),
            &format!("{period} The same figures by the referral's THRIVE need group when it closed."),
            "Need group",
            &need_rows,
        ),
        block(
            rule,
            rater,
            "outcomes-by-group",
            &format!("Outcomes by equality group, {perspective}"),
            &format!("{period} The same figures by the young person's ethnic group, gender identity and each group named in the area's plans (a young person can be in several)."),
            "Group",
            &group_rows,
        ),
        block(
            rule,
            rater,
            "outcomes-by-age",
            &format!("Outcomes by age at referral, {perspective}"),
            &format!("{period} The same figures by the young person's age when referred. NHS England's CYP outcome metric (MHS112) counts ages 0 to 17 only: the under-18 row is the one to set beside it; the area's services run to 25."),
            "Age when referred",
            &age_rows,
        ),
    ]
}

/// "self-rated", "parent-rated", "clinician-rated".
fn perspective(rater: OutcomeRater) -> &'static str {
    match rater {
        OutcomeRater::YoungPerson => "self-rated",
        OutcomeRater::ParentOrCarer => "parent-rated",
        OutcomeRater::Clinician => "clinician-rated",
    }
}

fn block(
    rule: Suppression,
    rater: OutcomeRater,
    id: &'static str,
    title: &str,
    note: &str,
    row_heading: &'static str,
    rows: &[(String, String, OutcomeCounts)],
) -> Block {
    let published: Vec<PublishedOutcomes> = rows
        .iter()
        .map(|(_, _, counts)| PublishedOutcomes::from(&rule, counts, rater))
        .collect();
    let table: Vec<(String, Vec<Cell>)> = rows
        .iter()
        .zip(&published)
        .map(|((label, _, _), shown)| {
            (
                label.clone(),
                shown
                    .cells()
                    .iter()
                    .map(|v| Cell {
                        text: v.map_or_else(|| "*".to_owned(), |n| n.to_string()),
                        value: *v,
                    })
                    .collect(),
            )
        })
        .collect();
    let percent = |f: fn(&PublishedOutcomes) -> Option<u64>| -> Vec<Option<f64>> {
        published.iter().map(|p| f(p).map(|v| v as f64)).collect()
    };
    let chart = Chart {
        id: format!("chart-{id}"),
        title: title.to_owned(),
        description: format!(
            "Three bars per row, in per cent: closed referrals with paired scores from any perspective, and of the referrals paired {}, those with meaningful improvement and those that reliably deteriorated. Shares whose counts are hidden (below {}) are not drawn; the table \"{title}\" beside the chart has every value.",
            perspective(rater),
            rule.below
        ),
        x_labels: rows.iter().map(|(_, short, _)| short.clone()).collect(),
        y_label: "Per cent".to_owned(),
        kind: ChartKind::Bar,
        series: vec![
            Series::new("% paired", percent(|p| p.paired_percent)),
            Series::new(
                "% meaningful improvement",
                percent(|p| p.meaningful_improvement_percent),
            ),
            Series::new(
                "% reliably deteriorated",
                percent(|p| p.reliable_deterioration_percent),
            ),
        ],
        y_max: Some(100.0),
    };
    Block {
        id,
        title: title.to_owned(),
        note: note.to_owned(),
        row_heading,
        columns: PublishedOutcomes::COLUMNS
            .iter()
            .map(|c| c.replace("this perspective", perspective(rater)))
            .collect(),
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
    use jiff::civil::date;
    use nwd_domain::outcome_figures::RaterCounts;
    use nwd_store::dashboard::Outcomes;

    #[test]
    fn outcome_cells_are_suppressed_and_the_period_is_in_words() {
        let service = ServiceId(uuid::Uuid::from_u128(7));
        let mut outcomes = Outcomes {
            by_group: vec![OutcomeCounts::default(); UptakeGroup::ALL.len()],
            ..Outcomes::default()
        };
        outcomes.all = OutcomeCounts {
            closed: 42,
            paired: 23,
            raters: [
                RaterCounts {
                    paired: 23,
                    reliable_improvement: 12,
                    reliable_deterioration: 3,
                    meaningful_improvement: 11,
                },
                RaterCounts::default(),
                RaterCounts::default(),
            ],
        };
        outcomes.by_service.insert(service, outcomes.all);
        outcomes.by_age[OutcomeAgeBand::Under18.index()] = outcomes.all;
        let d = Dashboard {
            months: vec![date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)],
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
            outcomes,
            waits: Default::default(),
            ledger: Default::default(),
            contacts_by_status: Default::default(),
        };
        let names = HashMap::from([(service, "Wellbeing service".to_owned())]);
        let shown = blocks(
            &d,
            Suppression::default(),
            &names,
            OutcomeRater::YoungPerson,
        );
        let by_service = &shown[0];
        assert!(by_service
            .note
            .contains("closed from 1 January 2025 to 31 March 2025"));
        assert_eq!(by_service.rows[1].0, "Wellbeing service");
        let texts: Vec<&str> = by_service.rows[0]
            .1
            .iter()
            .map(|c| c.text.as_str())
            .collect();
        // 42 → 40, 23 → 25 (63 %) from any and from the self-rated perspective, 12 → 10
        // (40 %), 3 hidden, 11 → 10 (40 %).
        assert_eq!(
            texts,
            ["40", "25", "63", "25", "63", "10", "40", "*", "*", "10", "40"]
        );
        assert_eq!(by_service.columns[3], "Paired (self-rated)");
        let parent = blocks(
            &d,
            Suppression::default(),
            &names,
            OutcomeRater::ParentOrCarer,
        );
        assert_eq!(parent[0].title, "Outcomes by service, parent-rated");
        assert_eq!(parent[0].rows[0].1[3].text, "*", "no parent-rated pairs");
        let groups = &shown[2];
        assert_eq!(groups.rows.len(), UptakeGroup::ALL.len());
        assert!(
            groups.rows.iter().all(|(_, cells)| cells[0].text == "*"),
            "none counted: hidden"
        );
        let ages = &shown[3];
        assert_eq!(ages.title, "Outcomes by age at referral, self-rated");
        assert!(ages.note.contains("MHS112"));
        let labels: Vec<&str> = ages.rows.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["Under 18 (as MHS112)", "18 to 25", "Age not known"]
        );
        assert_eq!(
            ages.rows[0].1[0].text, "40",
            "the under-18s are every referral"
        );
        assert_eq!(ages.rows[1].1[0].text, "*", "no 18–25s: hidden");
    }
}
