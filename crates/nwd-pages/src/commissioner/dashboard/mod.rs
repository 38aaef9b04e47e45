//! The commissioner dashboard (`/commissioning`): month by month, referrals by source and by
//! need group, waits against standards, the CYP access measures, step-ups and step-downs,
//! what triage decided, uptake by group and the outcome measures of closed referrals
//! (`dashboard_outcomes`) — each as a server-drawn SVG chart with its data table beside it
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
use jiff::ToSpan;
use nwd_domain::disclosure::Suppression;
use nwd_domain::referral::outcome::OutcomeRater;
use nwd_store::dashboard::DashboardQuery;
use nwd_store::ServiceFilter;
use serde::Deserialize;

use crate::layout::{
    render, security_headers, FieldMessage, Layout, PageError, PageResult, Sensitivity,
};
use crate::staff::triage::Choice;
use nwd_http::extract::Caller;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

mod blocks;
mod period;

pub use blocks::{blocks, Block, Cell};
pub(crate) use blocks::{need_group_label, source_label};
use period::month_text;
pub use period::{period, Period};

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
    /// The perspective of the outcome figures: `self` (default), `parent`, `clinician`.
    pub rater: Option<String>,
}

/// The perspective asked for, or the field's message.
fn rater_of(filter: &DashboardFilter) -> Result<OutcomeRater, FieldMessage> {
    match filter.rater.as_deref().filter(|r| !r.is_empty()) {
        None => Ok(OutcomeRater::YoungPerson),
        Some(text) => {
            OutcomeRater::parse(text).map_err(|message| FieldMessage::new("rater", message))
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    from: String,
    to: String,
    services: Vec<Choice>,
    raters: Vec<Choice>,
    query: String,
    blocks: Vec<Block>,
    suppression: Suppression,
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
    let rater = match rater_of(filter) {
        Ok(r) => r,
        Err(error) => return Ok(Err(vec![error])),
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
    let names = state
        .store
        .search_services(&ServiceFilter {
            include_inactive: true,
            ..ServiceFilter::default()
        })
        .await
        .map_err(PageError::staff)?
        .into_iter()
        .map(|(s, _)| (s.id, s.details.name))
        .collect();
    let mut shown = blocks(&dashboard, rule);
    shown.extend(crate::commissioner::dashboard_waits::blocks(
        &dashboard, rule, &names,
    ));
    shown.extend(crate::commissioner::dashboard_ledger::blocks(
        &dashboard, rule, &names,
    ));
    shown.extend(crate::commissioner::dashboard_outcomes::blocks(
        &dashboard, rule, &names, rater,
    ));
    Ok(Ok((period, shown)))
}

/// The dashboard.
#[utoipa::path(get, path = "/commissioning", tag = "pages",
    params(("from" = Option<String>, Query, description = "First month, YYYY-MM"), ("to" = Option<String>, Query, description = "Last month, YYYY-MM"), ("service" = Option<String>, Query, description = "Only referrals that reached this service"), ("rater" = Option<String>, Query, description = "Outcome figures' perspective: self (default), parent or clinician")),
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
    let chosen = rater_of(&filter).unwrap_or(OutcomeRater::YoungPerson);
    let raters = OutcomeRater::ALL
        .iter()
        .map(|r| Choice {
            value: r.code().to_owned(),
            label: r.label().to_owned(),
            selected: *r == chosen,
        })
        .collect();
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
                "from={}&to={}{}&rater={}",
                month_text(period.from),
                month_text(to),
                period
                    .service_id
                    .map(|s| format!("&service={s}"))
                    .unwrap_or_default(),
                chosen.code()
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
        raters,
        query,
        blocks,
        suppression: state.store.standards().suppression,
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// One table of the dashboard as CSV (suppressed exactly as on the page).
#[utoipa::path(get, path = "/commissioning/download", tag = "pages",
    params(("table" = String, Query, description = "Which table, e.g. referrals-by-source"), ("from" = Option<String>, Query), ("to" = Option<String>, Query), ("service" = Option<String>, Query), ("rater" = Option<String>, Query)),
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
    use nwd_store::dashboard::Dashboard;
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
            outcomes: Default::default(),
            waits: Default::default(),
            ledger: Default::default(),
            contacts_by_status: BTreeMap::from([
                ("attended".to_owned(), vec![38, 20]),
                ("attended_late".to_owned(), vec![2, 0]),
                ("did_not_attend".to_owned(), vec![10, 2]),
                ("cancelled_by_patient".to_owned(), vec![6, 0]),
            ]),
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
        // Did not attend: 10 of 50 expected (38 + 2 + 10; the 6 cancelled left out) → 20 %;
        // 2 of 22 → the 2 hidden, so the share too.
        let attendance = by("attendance");
        assert_eq!(cells(attendance, "% did not attend"), ["20", "*"]);
        assert_eq!(cells(attendance, "Did not attend"), ["10", "*"]);
        assert_eq!(cells(attendance, "Cancelled by patient"), ["5", "*"]);
        assert!(
            !attendance.columns.contains(&"Scheduled".to_owned()),
            "none booked"
        );
        // The chart never draws a suppressed value: no bar for School's 3s.
        assert!(!source.svg.contains("School or education service 3"));
        assert!(source.svg.contains("GP practice 40"));
    }
}
