//! The quarterly performance report (issue 20): the whole system's KPIs and activity, then
//! each contract's KPIs and money, for a quarter and the four before it — each KPI against
//! its threshold, rated red, amber or green (with the word, never colour alone), the
//! quarter not yet over marked "to date" — as a page that prints cleanly (the print
//! stylesheet leaves out menus and forms) and as CSV. What is counted and rated is
//! `nwd_usecase::commissioning::quarterly_report`'s.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use nwd_domain::commissioning::statement::{KpiDirection, KpiResult, Rag};
use nwd_domain::commissioning::{Commissioning, Quarter};
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::AppState;
use nwd_usecase::commissioning::{self, QuarterlyReport};
use serde::Deserialize;

use super::statement::kpi_text;
use crate::chart::{Chart, ChartKind, Series};
use crate::commissioner::dashboard::Block;
use crate::commissioner::dashboard_ledger;
use crate::layout::{render, Layout, PageError, PageResult, Sensitivity};

/// The quarter asked for.
#[derive(Debug, Deserialize)]
pub struct QuarterQuery {
    /// `2026/27 Q3`; the current quarter by default.
    quarter: Option<String>,
}

/// One rated cell.
pub(crate) struct RatedCell {
    text: String,
    rag: &'static str,
    tag: &'static str,
}

/// One KPI across the quarters.
struct KpiLine {
    title: &'static str,
    code: &'static str,
    threshold: String,
    cells: Vec<RatedCell>,
}

/// One line of figures across the quarters.
struct FigureLine {
    label: &'static str,
    cells: Vec<String>,
}

/// A contract's part of the report.
struct ContractPart {
    key: String,
    name: String,
    provider: String,
    kpis: Vec<KpiLine>,
    figures: Vec<FigureLine>,
}

#[derive(Template)]
#[template(path = "money_report.html")]
struct ReportPage {
    layout: Layout,
    quarter: String,
    choices: Vec<(String, bool)>,
    headings: Vec<String>,
    system_kpis: Vec<KpiLine>,
    system_figures: Vec<FigureLine>,
    svg: String,
    contracts: Vec<ContractPart>,
    ledger: Vec<Block>,
    definitions: Vec<(&'static str, &'static str, &'static str, &'static str)>,
}

fn tag(rag: Rag) -> &'static str {
    match rag {
        Rag::Green => "nhsuk-tag--green",
        Rag::Amber => "nhsuk-tag--yellow",
        Rag::Red => "nhsuk-tag--red",
        Rag::NotRated => "nhsuk-tag--grey",
    }
}

fn threshold_words(term: &nwd_domain::commissioning::plan::KpiTerm) -> String {
    let bound = match KpiDirection::of(term.kpi) {
        KpiDirection::HigherIsBetter => "at least",
        KpiDirection::LowerIsBetter => "at most",
    };
    format!("{bound} {} {}", term.threshold, term.kpi.unit())
}

fn rated(result: &KpiResult) -> RatedCell {
    RatedCell {
        text: kpi_text(result.kpi, result.value),
        rag: result.rag.label(),
        tag: tag(result.rag),
    }
}

fn contract_part(plan: &Commissioning, part: &commissioning::ContractQuarters) -> ContractPart {
    let c = &part.contract;
    let kpis = c
        .kpis
        .iter()
        .enumerate()
        .map(|(i, term)| KpiLine {
            title: term.kpi.title(),
            code: term.kpi.code(),
            threshold: threshold_words(term),
            cells: part
                .rows
                .iter()
                .map(|row| match row {
                    Some(row) => rated(&row.kpis[i]),
                    None => RatedCell {
                        text: "Not in the term".into(),
                        rag: Rag::NotRated.label(),
                        tag: tag(Rag::NotRated),
                    },
                })
                .collect(),
        })
        .collect();
    let money =
        |m: Option<nwd_domain::commissioning::Money>| m.map_or("*".to_owned(), |m| m.to_string());
    let line =
        |label: &'static str,
         f: &dyn Fn(&nwd_domain::commissioning::statement::StatementRow) -> String| {
            FigureLine {
                label,
                cells: part
                    .rows
                    .iter()
                    .map(|row| row.as_ref().map_or("Not in the term".to_owned(), f))
                    .collect(),
            }
        };
    let mut figures = vec![
        line("Cost", &|r| money(r.cost)),
        line("Contacts attended", &|r| r.activity.attended.text()),
        line("Young people helped", &|r| r.activity.young_people.text()),
        line("Cost per young person", &|r| money(r.per_young_person)),
    ];
    if matches!(
        c.payment,
        nwd_domain::commissioning::plan::Payment::Activity { capped: true, .. }
    ) {
        figures.insert(
            1,
            line("Delivered beyond the value, not paid", &|r| {
                money(r.beyond_value)
            }),
        );
    }
    ContractPart {
        key: c.key.clone(),
        name: c.name.clone(),
        provider: plan.parties[c.provider].name.clone(),
        kpis,
        figures,
    }
}

async fn load(
    state: &AppState,
    query: &QuarterQuery,
) -> Result<(Commissioning, QuarterlyReport), PageError> {
    let record = commissioning::current(&state.store)
        .await
        .map_err(PageError::staff)?;
    let plan = record.plan.map_err(|_| {
        PageError::staff(ApiError::NotFound(
            "the commissioning record no longer checks: correct it on the Money and contracts page"
                .into(),
        ))
    })?;
    let quarter = commissioning::quarter_for(&state.store, query.quarter.as_deref())
        .map_err(PageError::staff)?;
    let report = commissioning::quarterly_report(
        &state.store,
        &plan,
        quarter,
        &state.store.standards().suppression,
    )
    .await
    .map_err(PageError::staff)?;
    Ok((plan, report))
}

/// The ledger by quarter received, then the reported quarter's by referrer, need group and
/// service.
async fn ledger_blocks(
    state: &AppState,
    report: &QuarterlyReport,
    headings: &[String],
) -> Result<Vec<Block>, PageError> {
    let rule = state.store.standards().suppression;
    let names = service_names(state).await?;
    let rows: Vec<_> = headings
        .iter()
        .cloned()
        .zip(report.ledger.iter().map(|l| l.all))
        .collect();
    let mut blocks = vec![dashboard_ledger::by_quarter(rule, &rows)];
    if let Some(last) = report.ledger.last() {
        blocks.extend(dashboard_ledger::blocks_of(last, rule, &names));
    }
    Ok(blocks)
}

/// Every service's name, by id (services no longer listed included, by their last name).
async fn service_names(
    state: &AppState,
) -> Result<std::collections::HashMap<nwd_domain::ServiceId, String>, PageError> {
    Ok(state
        .store
        .search_services(&nwd_store::ServiceFilter {
            include_inactive: true,
            ..nwd_store::ServiceFilter::default()
        })
        .await
        .map_err(PageError::staff)?
        .into_iter()
        .map(|(s, _)| (s.id, s.details.name))
        .collect())
}

fn heading(report: &QuarterlyReport, i: usize) -> String {
    if report.partial[i] {
        format!("{} (to date)", report.quarters[i])
    } else {
        report.quarters[i].to_string()
    }
}

/// The quarterly performance report.
#[utoipa::path(get, path = "/commissioning/reports/quarterly", tag = "pages",
    params(("quarter" = Option<String>, Query, description = "The quarter, 2026/27 Q3; the current one by default")),
    responses((status = 200, description = "The report", content_type = "text/html"), (status = 422, description = "Not a quarter that has begun", content_type = "text/html")))]
pub async fn quarterly(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Query(query): Query<QuarterQuery>,
) -> PageResult {
    let (plan, report) = load(&state, &query).await?;
    let headings: Vec<String> = (0..report.quarters.len())
        .map(|i| heading(&report, i))
        .collect();
    let today = Quarter::of(state.store.now().to_zoned(state.store.tz().clone()).date());
    let mut choices = Vec::new();
    let mut q = today;
    for _ in 0..12 {
        choices.push((q.to_string(), q == report.quarter));
        q = q.previous();
    }
    let system_kpis = report
        .system_kpis
        .iter()
        .map(|(term, results)| KpiLine {
            title: term.kpi.title(),
            code: term.kpi.code(),
            threshold: threshold_words(term),
            cells: results.iter().map(rated).collect(),
        })
        .collect();
    let a = &report.system_activity;
    let figure = |label: &'static str,
                  f: &dyn Fn(
        &nwd_domain::commissioning::statement::PublishedActivity,
    ) -> nwd_domain::disclosure::Published| FigureLine {
        label,
        cells: a.iter().map(|x| f(x).text()).collect(),
    };
    let system_figures = vec![
        figure("Referrals received", &|x| x.received),
        figure("Referrals triaged", &|x| x.triaged),
        figure("Signposted at triage", &|x| x.signposted),
        figure("Referrals allocated", &|x| x.referrals),
        figure("Seen for the first time", &|x| x.first_seen),
        figure("Contacts attended", &|x| x.attended),
        figure("Did not attend", &|x| x.did_not_attend),
        figure("Episodes ended", &|x| x.episodes_ended),
        figure("Young people helped", &|x| x.young_people),
        figure("Stepped up", &|x| x.step_ups),
        figure("Stepped down", &|x| x.step_downs),
    ];
    let chart = Chart {
        id: "system-helped".into(),
        title: "Young people helped and seen for the first time, by quarter".into(),
        description: "Bars of the young people helped (an attended contact) and those seen for the first time in each of the five quarters; the table beside it has the figures, small numbers suppressed.".into(),
        x_labels: report.quarters.iter().map(ToString::to_string).collect(),
        y_label: "Young people".into(),
        kind: ChartKind::Bar,
        series: vec![
            Series::new("Helped", a.iter().map(|x| x.young_people.value().map(|v| v as f64)).collect()),
            Series::new("Seen for the first time", a.iter().map(|x| x.first_seen.value().map(|v| v as f64)).collect()),
        ],
        y_max: None,
    };
    let mut definitions = Vec::new();
    let mut seen = Vec::new();
    for term in plan
        .system_kpis
        .iter()
        .chain(plan.contracts.iter().flat_map(|c| c.kpis.iter()))
    {
        if !seen.contains(&term.kpi) {
            seen.push(term.kpi);
            definitions.push((
                term.kpi.code(),
                term.kpi.title(),
                term.kpi.definition(),
                term.kpi.source(),
            ));
        }
    }
    let contracts = report
        .contracts
        .iter()
        .map(|c| contract_part(&plan, c))
        .collect();
    let ledger = ledger_blocks(&state, &report, &headings).await?;
    let page = ReportPage {
        layout: Layout::staff(
            &format!("Quarterly performance report, {}", report.quarter),
            &principal,
        ),
        quarter: report.quarter.to_string(),
        choices,
        headings,
        system_kpis,
        system_figures,
        svg: chart.svg(),
        contracts,
        ledger,
        definitions,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

/// The quarterly report as CSV: one line per figure and quarter, suppressed as on the page.
#[utoipa::path(get, path = "/commissioning/reports/quarterly.csv", tag = "pages",
    params(("quarter" = Option<String>, Query, description = "The quarter, 2026/27 Q3")),
    responses((status = 200, description = "The report as CSV", content_type = "text/csv")))]
pub async fn quarterly_csv(
    State(state): State<AppState>,
    Caller(_principal): Caller,
    Query(query): Query<QuarterQuery>,
) -> Result<Response, PageError> {
    let (_, report) = load(&state, &query).await?;
    let mut csv = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| PageError::staff(ApiError::Internal(format!("csv: {e}")));
    csv.write_record([
        "part",
        "figure",
        "quarter",
        "to_date",
        "value",
        "threshold",
        "rating",
    ])
    .map_err(io)?;
    let quarter_cells = |i: usize| {
        (
            report.quarters[i].to_string(),
            report.partial[i].to_string(),
        )
    };
    for (term, results) in &report.system_kpis {
        for (i, r) in results.iter().enumerate() {
            let (q, partial) = quarter_cells(i);
            csv.write_record([
                "Whole system",
                term.kpi.code(),
                &q,
                &partial,
                &kpi_text(r.kpi, r.value),
                &term.threshold.to_string(),
                r.rag.label(),
            ])
            .map_err(io)?;
        }
    }
    for (i, a) in report.system_activity.iter().enumerate() {
        let (q, partial) = quarter_cells(i);
        for (figure, value) in [
            ("referrals_received", a.received),
            ("referrals_triaged", a.triaged),
            ("signposted_at_triage", a.signposted),
            ("referrals_allocated", a.referrals),
            ("seen_first_time", a.first_seen),
            ("contacts_attended", a.attended),
            ("did_not_attend", a.did_not_attend),
            ("episodes_ended", a.episodes_ended),
            ("young_people_helped", a.young_people),
            ("stepped_up", a.step_ups),
            ("stepped_down", a.step_downs),
        ] {
            csv.write_record(["Whole system", figure, &q, &partial, &value.text(), "", ""])
                .map_err(io)?;
        }
    }
    for (i, ledger) in report.ledger.iter().enumerate() {
        let (q, partial) = quarter_cells(i);
        let mut rows = vec![("Ledger: every request".to_owned(), ledger.all)];
        // The breakdowns for the quarter reported (the page's tables).
        if i + 1 == report.ledger.len() {
            rows.extend(
                ledger
                    .by_source
                    .iter()
                    .map(|(k, r)| (format!("Ledger by referrer: {k}"), *r)),
            );
            rows.extend(
                ledger
                    .by_need_group
                    .iter()
                    .map(|(k, r)| (format!("Ledger by need group: {k}"), *r)),
            );
            rows.extend(
                ledger
                    .by_service
                    .iter()
                    .map(|(k, r)| (format!("Ledger by service: {}", k.0), *r)),
            );
        }
        for (part, row) in rows {
            let mut figures = vec![("received", row.received)];
            figures.extend(
                nwd_domain::ledger::Journey::ALL
                    .iter()
                    .map(|j| (j.code(), row.journeys[j.index()])),
            );
            figures.push(("came_back_within_6_months", row.returned));
            for (figure, value) in figures {
                csv.write_record([part.as_str(), figure, &q, &partial, &value.text(), "", ""])
                    .map_err(io)?;
            }
        }
    }
    for part in &report.contracts {
        let name = &part.contract.name;
        for (i, row) in part.rows.iter().enumerate() {
            let (q, partial) = quarter_cells(i);
            let Some(row) = row else {
                csv.write_record([name.as_str(), "in_term", &q, &partial, "no", "", ""])
                    .map_err(io)?;
                continue;
            };
            let cost = row
                .cost
                .map_or("*".to_owned(), |m| format!("{:.2}", m.pounds()));
            csv.write_record([name.as_str(), "cost_pounds", &q, &partial, &cost, "", ""])
                .map_err(io)?;
            if let Some(beyond) = row.beyond_value {
                let beyond = format!("{:.2}", beyond.pounds());
                csv.write_record([
                    name.as_str(),
                    "beyond_value_not_paid_pounds",
                    &q,
                    &partial,
                    &beyond,
                    "",
                    "",
                ])
                .map_err(io)?;
            }
            for (term, r) in part.contract.kpis.iter().zip(&row.kpis) {
                csv.write_record([
                    name.as_str(),
                    term.kpi.code(),
                    &q,
                    &partial,
                    &kpi_text(r.kpi, r.value),
                    &term.threshold.to_string(),
                    r.rag.label(),
                ])
                .map_err(io)?;
            }
        }
    }
    super::csv_download(
        csv,
        &format!(
            "quarterly-report-{}",
            report.quarter.to_string().replace(['/', ' '], "-")
        ),
    )
}
