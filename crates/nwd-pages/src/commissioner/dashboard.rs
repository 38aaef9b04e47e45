//! The commissioner dashboard (`/commissioning`): month by month, referrals by source and by
//! need group, waits against standards, the CYP access measures, step-ups and step-downs,
//! and what triage decided — each as a server-drawn SVG chart with its data table beside it
//! and a CSV download of that table (`/commissioning/download?table=…`).
//!
//! Aggregates only (permission `read_aggregates`; a commissioner has nothing else). Every
//! number shown, drawn or downloaded has been through small-number suppression
//! ([`nwd_domain::disclosure`], domain guide §3: below 5 → `*`, the rest rounded to the nearest
//! 5; a share is suppressed with its numerator or denominator and is computed from the shown
//! counts). The chart, the table and the CSV are built from the same suppressed cells, so none
//! shows more than another.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use jiff::civil::Date;
use jiff::ToSpan;
use nwd_domain::codes::ReferralSource;
use nwd_domain::disclosure::{Published, Suppression};
use nwd_domain::need::NeedGroup;
use nwd_domain::ServiceId;
use nwd_store::dashboard::{Dashboard, DashboardQuery, MAX_MONTHS};
use nwd_store::ServiceFilter;
use serde::Deserialize;

use crate::chart::{Chart, ChartKind, Series};
use crate::layout::{
    render, security_headers, FieldMessage, Layout, PageError, PageResult, Sensitivity,
};
use crate::staff::triage::Choice;
use nwd_http::extract::Caller;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// The dashboard's filters, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct DashboardFilter {
    /// First month, `YYYY-MM`.
    pub from: Option<String>,
    /// Last month, `YYYY-MM`.
    pub to: Option<String>,
    /// A service id, or empty for all.
    pub service: Option<String>,
    /// For the download: which table.
    pub table: Option<String>,
}

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

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    from: String,
    to: String,
    services: Vec<Choice>,
    query: String,
    blocks: Vec<Block>,
    suppression: Suppression,
}

/// A month `YYYY-MM` as its first day.
fn parse_month(text: &str) -> Option<Date> {
    let (year, month) = text.trim().split_once('-')?;
    let year: i16 = year.parse().ok()?;
    let month: i8 = month.parse().ok()?;
    Date::new(year, month, 1).ok()
}

fn month_text(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The period asked for, or the errors naming the fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// First month.
    pub from: Date,
    /// Months.
    pub months: u32,
    /// Service filter.
    pub service_id: Option<ServiceId>,
}

/// Reads the filters: defaults are the 12 months ending with the current one.
pub fn period(filter: &DashboardFilter, today: Date) -> Result<Period, Vec<FieldMessage>> {
    let this_month = today.first_of_month();
    let mut errors = Vec::new();
    let mut month =
        |name: &str, value: &Option<String>, default: Date| match value.as_deref().map(str::trim) {
            None | Some("") => Some(default),
            Some(text) => match parse_month(text) {
                Some(d) => Some(d),
                None => {
                    errors.push(FieldMessage::new(
                        name,
                        format!(
                            "Enter the {} month as year and month, for example {}",
                            if name == "from" { "first" } else { "last" },
                            month_text(this_month)
                        ),
                    ));
                    None
                }
            },
        };
    let default_from = this_month.saturating_sub(11.months());
    let from = month("from", &filter.from, default_from);
    let to = month("to", &filter.to, this_month);
    let service_id = match filter.service.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match text.parse::<ServiceId>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldMessage::new(
                    "service",
                    "Choose a service from the list",
                ));
                None
            }
        },
    };
    let (Some(from), Some(to)) = (from, to) else {
        return Err(errors);
    };
    let months = (i32::from(to.year()) - i32::from(from.year())) * 12 + i32::from(to.month())
        - i32::from(from.month())
        + 1;
    if months < 1 {
        errors.push(FieldMessage::new(
            "to",
            "The last month must be the same as or after the first month",
        ));
    } else if months > MAX_MONTHS as i32 {
        errors.push(FieldMessage::new(
            "to",
            format!("Choose a period of {MAX_MONTHS} months or fewer"),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Period {
        from,
        months: months as u32,
        service_id,
    })
}

fn need_group_label(key: &str) -> String {
    NeedGroup::parse(key)
        .map(|g| g.label().to_owned())
        .unwrap_or_else(|_| "Not yet triaged".to_owned())
}

fn source_label(key: &str) -> String {
    ReferralSource::parse(key)
        .map(|s| s.label().to_owned())
        .unwrap_or_else(|_| key.to_owned())
}

/// Builds one block from exact columns: cells suppressed, chart drawn from the cells.
struct Builder<'a> {
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

async fn load(
    trail: &RequestAudit,
    state: &AppState,
    filter: &DashboardFilter,
) -> Result<Result<(Period, Vec<Block>), Vec<FieldMessage>>, PageError> {
    let today = state.store.now().to_zoned(state.store.tz().clone()).date();
    let period = match period(filter, today) {
        Ok(p) => p,
        Err(errors) => return Ok(Err(errors)),
    };
    trail.set_detail(format!(
        "commissioner dashboard; from={}, months={}, service filter={}",
        month_text(period.from),
        period.months,
        period.service_id.is_some()
    ));
    let dashboard = state
        .store
        .dashboard(&DashboardQuery {
            from: period.from,
            months: period.months,
            service_id: period.service_id,
        })
        .await
        .map_err(PageError::staff)?;
    let rule = state.store.standards().suppression;
    Ok(Ok((period, blocks(&dashboard, rule))))
}

/// The dashboard.
#[utoipa::path(get, path = "/commissioning", tag = "pages",
    params(("from" = Option<String>, Query, description = "First month, YYYY-MM"), ("to" = Option<String>, Query, description = "Last month, YYYY-MM"), ("service" = Option<String>, Query, description = "Only referrals that reached this service")),
    responses((status = 200, description = "The commissioner dashboard", content_type = "text/html"), (status = 422, description = "A filter needs correcting", content_type = "text/html")))]
pub async fn dashboard(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Query(filter): Query<DashboardFilter>,
) -> PageResult {
    let services = state
        .store
        .search_services(&ServiceFilter {
            include_inactive: true,
            ..ServiceFilter::default()
        })
        .await
        .map_err(PageError::staff)?;
    let selected = filter.service.clone().unwrap_or_default();
    let services = services
        .iter()
        .map(|(s, _)| Choice {
            value: s.id.to_string(),
            label: s.details.name.clone(),
            selected: s.id.to_string() == selected,
        })
        .collect();
    let (layout, from, to, query, blocks, status) = match load(&trail, &state, &filter).await? {
        Ok((period, blocks)) => {
            let to = period
                .from
                .saturating_add(i64::from(period.months - 1).months());
            let query = format!(
                "from={}&to={}{}",
                month_text(period.from),
                month_text(to),
                period
                    .service_id
                    .map(|s| format!("&service={s}"))
                    .unwrap_or_default()
            );
            (
                Layout::staff("Commissioning dashboard", &principal),
                month_text(period.from),
                month_text(to),
                query,
                blocks,
                StatusCode::OK,
            )
        }
        Err(errors) => (
            Layout::staff("Commissioning dashboard", &principal).with_errors(errors),
            filter.from.clone().unwrap_or_default(),
            filter.to.clone().unwrap_or_default(),
            String::new(),
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let page = DashboardPage {
        layout,
        from,
        to,
        services,
        query,
        blocks,
        suppression: state.store.standards().suppression,
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// One table of the dashboard as CSV (suppressed exactly as on the page).
#[utoipa::path(get, path = "/commissioning/download", tag = "pages",
    params(("table" = String, Query, description = "Which table, e.g. referrals-by-source"), ("from" = Option<String>, Query), ("to" = Option<String>, Query), ("service" = Option<String>, Query)),
    responses((status = 200, description = "The table as CSV", content_type = "text/csv"), (status = 404, description = "No such table")))]
pub async fn download(
    trail: RequestAudit,
    State(state): State<AppState>,
    Query(filter): Query<DashboardFilter>,
) -> PageResult {
    let (period, blocks) = match load(&trail, &state, &filter).await? {
        Ok(loaded) => loaded,
        Err(errors) => {
            let fields = errors
                .into_iter()
                .map(|e| nwd_domain::FieldError {
                    field: e.id,
                    message: e.message,
                })
                .collect();
            return Err(PageError::staff(nwd_http::problem::ApiError::Invalid(
                fields,
            )));
        }
    };
    let wanted = filter.table.as_deref().unwrap_or("");
    let Some(block) = blocks.into_iter().find(|b| b.id == wanted) else {
        return Err(PageError::staff(nwd_http::problem::ApiError::NotFound(
            "no such table".into(),
        )));
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec![block.row_heading.to_owned()];
    header.extend(block.columns.iter().cloned());
    let mut write =
        |record: Vec<String>| writer.write_record(nwd_domain::spreadsheet::safe_row(record));
    let result = write(header).and_then(|()| {
        block.rows.iter().try_for_each(|(month, cells)| {
            let mut record = vec![month.clone()];
            record.extend(cells.iter().map(|c| c.text.clone()));
            write(record)
        })
    });
    let bytes = result
        .map_err(std::io::Error::from)
        .and_then(|()| writer.into_inner().map_err(|e| e.into_error()))
        .map_err(|e| PageError::staff(nwd_http::problem::ApiError::Internal(e.to_string())))?;
    let mut response = (StatusCode::OK, bytes).into_response();
    security_headers(response.headers_mut(), Sensitivity::Identifiable);
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-{}-{}months.csv\"",
        block.id,
        month_text(period.from),
        period.months
    )) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test: a failure stops it with its message"
)]
mod tests {
    use jiff::civil::date;
    use nwd_domain::access::AccessMeasures;
    use std::collections::BTreeMap;

    use super::*;

    fn filter(from: &str, to: &str) -> DashboardFilter {
        DashboardFilter {
            from: Some(from.into()),
            to: Some(to.into()),
            ..DashboardFilter::default()
        }
    }

    #[test]
    fn the_period_defaults_to_twelve_months_and_errors_name_the_field() {
        let today = date(2025, 6, 17);
        let p = period(&DashboardFilter::default(), today).unwrap();
        assert_eq!((p.from, p.months), (date(2024, 7, 1), 12));
        let p = period(&filter("2025-01", "2025-03"), today).unwrap();
        assert_eq!((p.from, p.months), (date(2025, 1, 1), 3));
        let errors = period(&filter("January", "2025-03"), today).unwrap_err();
        assert_eq!(errors[0].id, "from");
        let errors = period(&filter("2025-03", "2025-01"), today).unwrap_err();
        assert_eq!(errors[0].id, "to");
        let errors = period(&filter("2020-01", "2025-01"), today).unwrap_err();
        assert!(errors[0].message.contains("36 months"));
        let mut bad = filter("2025-01", "2025-02");
        bad.service = Some("not-an-id".into());
        assert_eq!(period(&bad, today).unwrap_err()[0].id, "service");
    }

    fn dashboard() -> Dashboard {
        let months = vec![date(2025, 1, 1), date(2025, 2, 1)];
        let access = months
            .iter()
            .map(|m| AccessMeasures {
                period_start: *m,
                period_end: *m,
                mhs95_one_contact: 120,
                mhs69_two_contacts: 3,
            })
            .collect();
        Dashboard {
            months,
            referrals: vec![43, 9],
            referrals_by_source: BTreeMap::from([
                ("gp".to_owned(), vec![40, 6]),
                ("school".to_owned(), vec![3, 3]),
            ]),
            referrals_by_need_group: BTreeMap::from([("getting_help".to_owned(), vec![43, 9])]),
            seen: vec![20, 4],
            seen_within_standard: vec![17, 4],
            seen_with_standard: vec![20, 4],
            waiting_at_end: vec![12, 2],
            access,
            step_ups: vec![0, 5],
            step_downs: vec![1, 0],
            triaged: vec![43, 9],
            triaged_allocated: vec![36, 6],
            triaged_signposted: vec![7, 3],
            uptake: vec![Default::default(); nwd_domain::about::UptakeGroup::ALL.len()],
        }
    }

    fn cells<'a>(block: &'a Block, column: &str) -> Vec<&'a str> {
        let i = block.columns.iter().position(|c| c == column).unwrap();
        block.rows.iter().map(|(_, c)| c[i].text.as_str()).collect()
    }

    #[test]
    fn every_cell_is_suppressed_and_shares_come_from_shown_counts() {
        let blocks = blocks(&dashboard(), Suppression::default());
        let by = |id: &str| blocks.iter().find(|b| b.id == id).unwrap();
        let source = by("referrals-by-source");
        assert_eq!(cells(source, "GP practice"), ["40", "5"]);
        assert_eq!(cells(source, "School or education service"), ["*", "*"]);
        assert_eq!(cells(source, "All sources"), ["45", "10"]);
        let seen = by("seen-within-standard");
        // 17 of 20 → shown 15 of 20 → 75 %; 4 of 4 suppressed → share suppressed.
        assert_eq!(cells(seen, "% within standard"), ["75", "*"]);
        let access = by("access");
        assert_eq!(cells(access, "MHS95: one contact"), ["120", "120"]);
        assert_eq!(cells(access, "MHS69: two contacts"), ["*", "*"]);
        let triage = by("triage-outcomes");
        // 36/43 → 35/45 = 78 %; 6/9 → 5/10 = 50 %; 7/43 → 5/45 = 11 %; 3/9 → *; other 0 → *.
        assert_eq!(cells(triage, "% allocated"), ["78", "50"]);
        assert_eq!(cells(triage, "% signposted"), ["11", "*"]);
        assert_eq!(cells(triage, "Other"), ["*", "*"]);
        // The chart never draws a suppressed value: no bar for School's 3s.
        assert!(!source.svg.contains("School or education service 3"));
        assert!(source.svg.contains("GP practice 40"));
    }
}
