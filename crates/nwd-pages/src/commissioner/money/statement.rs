//! A contract's payment and activity statement for a financial year: each quarter's activity,
//! cost and cost per contact, episode and young person helped, who paid what, the KPIs
//! against their thresholds (red, amber, green), and each funded element; with a chart beside
//! the tables and the statement as CSV. What is counted and priced, and how it is suppressed,
//! is `nwd_domain::commissioning::statement`'s.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use nwd_domain::authz::Permission;
use nwd_domain::commissioning::plan::{Contract, Payment};
use nwd_domain::commissioning::statement::{Kpi, KpiValue, StatementRow};
use nwd_domain::commissioning::{Commissioning, FinancialYear, Money};
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::AppState;
use nwd_usecase::commissioning::{self, ContractStatement};
use serde::Deserialize;

use super::{long_date, paid_by, payment_words};
use crate::chart::{Chart, ChartKind, Series};
use crate::layout::{render, Layout, PageError, PageResult, Sensitivity};

/// The year asked for.
#[derive(Debug, Deserialize)]
pub struct YearQuery {
    /// `2026/27`; the current year when absent.
    year: Option<String>,
    /// The version just saved by the value's form (the banner).
    saved: Option<i64>,
}

/// One quarter's row as shown.
struct RowView {
    quarter: String,
    cells: Vec<String>,
}

/// One KPI across the quarters.
struct KpiView {
    code: &'static str,
    title: &'static str,
    threshold: String,
    /// Where its threshold is changed, for those who may change the record.
    change: Option<String>,
    cells: Vec<String>,
    definition: &'static str,
    source: &'static str,
}

/// A funded element's rows.
struct ElementView {
    name: String,
    funder: String,
    rows: Vec<RowView>,
}

#[derive(Template)]
#[template(path = "money_contract.html")]
struct ContractPage {
    layout: Layout,
    key: String,
    name: String,
    summary: Vec<(String, String)>,
    years: Vec<(String, bool)>,
    year: String,
    columns: Vec<&'static str>,
    rows: Vec<RowView>,
    funders: Vec<String>,
    funder_rows: Vec<RowView>,
    svg: String,
    kpis: Vec<KpiView>,
    quarters: Vec<String>,
    elements: Vec<ElementView>,
    /// Where the value for a year is set, for those who may change the record.
    value_link: Option<String>,
}

/// The activity and cost columns, in order.
const COLUMNS: [&str; 10] = [
    "Referrals allocated",
    "Seen for the first time",
    "Contacts attended",
    "Did not attend",
    "Episodes ended",
    "Young people helped",
    "Cost",
    "Cost per contact",
    "Cost per episode",
    "Cost per young person",
];

fn money(m: Option<Money>) -> String {
    m.map_or_else(|| "*".to_owned(), |m| m.to_string())
}

fn quarter_label(row: &StatementRow) -> String {
    if row.partial {
        format!("{} (to date)", row.quarter)
    } else {
        row.quarter.clone()
    }
}

fn cells(row: &StatementRow) -> Vec<String> {
    let a = &row.activity;
    vec![
        a.referrals.text(),
        a.first_seen.text(),
        a.attended.text(),
        a.did_not_attend.text(),
        a.episodes_ended.text(),
        a.young_people.text(),
        money(row.cost),
        money(row.per_contact),
        money(row.per_episode),
        money(row.per_young_person),
    ]
}

/// A KPI's threshold in words: `at most 12 %`, `at least 80 %`.
pub(crate) fn threshold_words(kpi: Kpi, threshold: f64) -> String {
    let direction = match nwd_domain::commissioning::statement::KpiDirection::of(kpi) {
        nwd_domain::commissioning::statement::KpiDirection::HigherIsBetter => "at least",
        nwd_domain::commissioning::statement::KpiDirection::LowerIsBetter => "at most",
    };
    format!("{direction} {threshold} {}", kpi.unit())
}

pub(crate) fn kpi_text(kpi: Kpi, value: KpiValue) -> String {
    match value {
        KpiValue::NoData => "No data".to_owned(),
        KpiValue::Suppressed => "*".to_owned(),
        KpiValue::Value(v) => match kpi.unit() {
            "%" => format!("{v:.0} %"),
            "hours" => format!("{v:.1} hours"),
            unit => format!("{v:.0} {unit}"),
        },
    }
}

/// The contract `key` and the record, or 404.
async fn find(state: &AppState, key: &str) -> Result<(Commissioning, Contract), PageError> {
    let record = commissioning::current(&state.store)
        .await
        .map_err(PageError::staff)?;
    let plan = record.plan.map_err(|_| {
        PageError::staff(ApiError::NotFound(
            "the commissioning record no longer checks: correct it on the Money and contracts page"
                .into(),
        ))
    })?;
    let contract = plan
        .contract(key)
        .cloned()
        .ok_or_else(|| PageError::staff(ApiError::NotFound(format!("no contract {key:?}"))))?;
    Ok((plan, contract))
}

/// The year asked for (the current one by default), checked against the contract's term.
fn year_of(
    state: &AppState,
    contract: &Contract,
    query: &YearQuery,
) -> Result<(FinancialYear, Vec<FinancialYear>), PageError> {
    commissioning::year_for(&state.store, contract, query.year.as_deref()).map_err(PageError::staff)
}

async fn statement_of(
    state: &AppState,
    plan: &Commissioning,
    contract: &Contract,
    year: FinancialYear,
) -> Result<ContractStatement, PageError> {
    commissioning::statement(
        &state.store,
        plan,
        contract,
        year,
        &state.store.standards().suppression,
    )
    .await
    .map_err(PageError::staff)
}

/// A contract's payment and activity statement for a year.
#[utoipa::path(get, path = "/commissioning/contracts/{key}", tag = "pages",
    params(("key" = String, Path), ("year" = Option<String>, Query, description = "Financial year, 2026/27; the current one by default"), ("saved" = Option<i64>, Query, description = "The version just saved, for the banner")),
    responses((status = 200, description = "The statement", content_type = "text/html"), (status = 404, description = "No such contract", content_type = "text/html"), (status = 422, description = "Not a year of the contract", content_type = "text/html")))]
pub async fn contract(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(key): Path<String>,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let (plan, contract) = find(&state, &key).await?;
    let (year, years) = year_of(&state, &contract, &query)?;
    let statement = statement_of(&state, &plan, &contract, year).await?;
    let rows: Vec<RowView> = statement
        .rows
        .iter()
        .map(|r| RowView {
            quarter: quarter_label(r),
            cells: cells(r),
        })
        .collect();
    let mut funders: Vec<usize> = Vec::new();
    for r in &statement.rows {
        for f in &r.funders {
            if !funders.contains(&f.party) {
                funders.push(f.party);
            }
        }
    }
    let funder_rows: Vec<RowView> = statement
        .rows
        .iter()
        .map(|r| RowView {
            quarter: quarter_label(r),
            cells: funders
                .iter()
                .map(|p| money(r.funders.iter().find(|f| f.party == *p).map(|f| f.amount)))
                .collect(),
        })
        .collect();
    let quarters: Vec<String> = statement.rows.iter().map(quarter_label).collect();
    let chart = Chart {
        id: "cost-by-funder".into(),
        title: format!("{}: cost by funder, {year}", contract.name),
        description: format!(
            "Stacked bars of each quarter's cost in thousands of pounds by who paid, {}; the table beside it has the exact sums.",
            quarters.join(", ")
        ),
        x_labels: statement.rows.iter().map(|r| r.quarter.clone()).collect(),
        y_label: "£ thousands".into(),
        kind: ChartKind::StackedBar,
        series: funders
            .iter()
            .map(|p| {
                Series::new(
                    plan.parties[*p].name.clone(),
                    statement
                        .rows
                        .iter()
                        .map(|r| {
                            r.funders
                                .iter()
                                .find(|f| f.party == *p)
                                .map(|f| f.amount.pounds() / 1000.0)
                        })
                        .collect(),
                )
            })
            .collect(),
        y_max: None,
    };
    let may_edit = principal.granted.contains(&Permission::ManageCommissioning);
    let kpis = contract
        .kpis
        .iter()
        .enumerate()
        .map(|(i, term)| KpiView {
            code: term.kpi.code(),
            title: term.kpi.title(),
            threshold: threshold_words(term.kpi, term.threshold),
            change: may_edit.then(|| super::change::kpi_path(&contract.key, i + 1)),
            cells: statement
                .rows
                .iter()
                .map(|r| {
                    let result = r.kpis[i];
                    format!(
                        "{}: {}",
                        kpi_text(term.kpi, result.value),
                        result.rag.label()
                    )
                })
                .collect(),
            definition: term.kpi.definition(),
            source: term.kpi.source(),
        })
        .collect();
    let elements = statement
        .elements
        .iter()
        .map(|(element, rows)| ElementView {
            name: element.name.clone(),
            funder: plan.parties[element.funder].name.clone(),
            rows: rows
                .iter()
                .map(|r| RowView {
                    quarter: quarter_label(r),
                    cells: cells(r),
                })
                .collect(),
        })
        .collect();
    let mut summary = vec![
        (
            "Provider".to_owned(),
            plan.parties[contract.provider].name.clone(),
        ),
        (
            "Term".to_owned(),
            format!(
                "{} to {}",
                long_date(contract.start),
                long_date(contract.end)
            ),
        ),
        ("Payment".to_owned(), payment_words(contract.payment)),
        (
            format!("Value in {year}"),
            contract.value_for(year).to_string(),
        ),
        ("Paid by".to_owned(), paid_by(&plan, &contract)),
    ];
    if matches!(contract.payment, Payment::Activity { capped: true, .. }) {
        summary.push((
            format!("Delivered beyond the value in {year}"),
            beyond_words(&statement.rows),
        ));
    }
    if let Some((name, share)) = &contract.incentive {
        summary.push((
            "Incentive".to_owned(),
            format!("{name}: {:.2} % of the cost", share * 100.0),
        ));
    }
    let names = crate::commissioner::money::statement::service_names(&state, &contract).await?;
    summary.push(("Services".to_owned(), names.join("; ")));
    let page = ContractPage {
        layout: Layout::staff(&contract.name, &principal)
            .with_success(query.saved.map(super::saved_banner)),
        key: contract.key.clone(),
        name: contract.name.clone(),
        summary,
        years: years.iter().map(|y| (y.to_string(), *y == year)).collect(),
        year: year.to_string(),
        columns: COLUMNS.to_vec(),
        rows,
        funders: funders
            .iter()
            .map(|p| plan.parties[*p].name.clone())
            .collect(),
        funder_rows,
        svg: chart.svg(),
        kpis,
        quarters,
        elements,
        value_link: may_edit.then(|| super::change::value_path(&contract.key)),
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

/// A capped contract's activity beyond the year's value, priced and not paid, in words.
fn beyond_words(rows: &[StatementRow]) -> String {
    let shown: Vec<Money> = rows.iter().filter_map(|r| r.beyond_value).collect();
    let total = shown.iter().fold(Money::ZERO, |sum, m| sum.plus(*m));
    let hidden = if shown.len() < rows.len() {
        " (quarters whose activity is a small number are left out)"
    } else {
        ""
    };
    format!(
        "{total} at the contract's prices, not paid: the contract is capped at its value{hidden}"
    )
}

/// The names of a contract's services, from the directory.
async fn service_names(state: &AppState, contract: &Contract) -> Result<Vec<String>, PageError> {
    let mut names = Vec::with_capacity(contract.services.len());
    for id in &contract.services {
        let (service, _) = state.store.service(*id).await.map_err(PageError::staff)?;
        names.push(service.details.name);
    }
    Ok(names)
}

/// The statement as CSV, suppressed exactly as on the page.
#[utoipa::path(get, path = "/commissioning/contracts/{key}/statement.csv", tag = "pages",
    params(("key" = String, Path), ("year" = Option<String>, Query, description = "Financial year, 2026/27")),
    responses((status = 200, description = "The statement as CSV", content_type = "text/csv"), (status = 404, description = "No such contract", content_type = "text/html")))]
pub async fn download(
    State(state): State<AppState>,
    Caller(_principal): Caller,
    Path(key): Path<String>,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    let (plan, contract) = find(&state, &key).await?;
    let (year, _) = year_of(&state, &contract, &query)?;
    let statement = statement_of(&state, &plan, &contract, year).await?;
    let mut csv = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["part", "quarter", "partial"];
    header.extend(COLUMNS);
    header.push("Delivered beyond the value, not paid");
    let capped = matches!(contract.payment, Payment::Activity { capped: true, .. });
    let record = |w: &mut csv::Writer<Vec<u8>>, part: &str, r: &StatementRow, whole: bool| {
        let mut line = vec![part.to_owned(), r.quarter.clone(), r.partial.to_string()];
        line.extend(cells(r).into_iter().map(|c| c.replace(['£', ','], "")));
        // Only a capped contract's own rows have a figure here; `*` when its units are hidden.
        line.push(if capped && whole {
            money(r.beyond_value).replace(['£', ','], "")
        } else {
            String::new()
        });
        w.write_record(&line)
    };
    let io = |e: csv::Error| PageError::staff(ApiError::Internal(format!("csv: {e}")));
    csv.write_record(&header).map_err(io)?;
    for r in &statement.rows {
        record(&mut csv, &contract.name, r, true).map_err(io)?;
    }
    for (element, rows) in &statement.elements {
        for r in rows {
            record(&mut csv, &element.name, r, false).map_err(io)?;
        }
    }
    super::csv_download(
        csv,
        &format!("{}-{}", contract.key, year.to_string().replace('/', "-")),
    )
}
