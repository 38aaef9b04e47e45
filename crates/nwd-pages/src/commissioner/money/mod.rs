//! Money and contracts for commissioners (issue 20): the commissioning record's agreements —
//! each partner's contributions per financial year, variations with the day they took effect
//! and why — and its contracts; and, per contract, the payment and activity statement for a
//! year (`statement`). Changing the record is `edit`'s. Aggregates only: what the statements
//! count comes from the live record, suppressed as every commissioner figure is
//! (`nwd_domain::commissioning::statement`).

pub mod change;
pub mod edit;
pub mod plan;
pub mod report;
pub mod statement;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use nwd_domain::authz::Permission;
use nwd_domain::commissioning::plan::{Agreement, Contract, Payment};
use nwd_domain::commissioning::{Commissioning, FinancialYear};
use nwd_http::extract::Caller;
use nwd_http::AppState;
use nwd_usecase::commissioning;

use crate::chart::{Chart, ChartKind, Series};
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};

/// An agreement as shown.
struct AgreementView {
    key: String,
    name: String,
    kind: &'static str,
    lead: String,
    outcomes: Vec<String>,
    years: Vec<String>,
    /// Partner name and what it contributed each year.
    partners: Vec<(String, Vec<String>)>,
    totals: Vec<String>,
    variations: Vec<String>,
    svg: String,
}

/// A contract's line in the list.
struct ContractLine {
    key: String,
    name: String,
    provider: String,
    term: String,
    payment: String,
    value: String,
    paid_by: String,
}

#[derive(Template)]
#[template(path = "money.html")]
struct MoneyPage {
    layout: Layout,
    may_edit: bool,
    problems: Vec<String>,
    agreements: Vec<AgreementView>,
    contracts: Vec<ContractLine>,
    this_year: String,
}

/// `1 October 2025`.
pub(crate) fn long_date(day: jiff::civil::Date) -> String {
    day.strftime("%-d %B %Y").to_string()
}

/// How a contract pays, in words.
pub(crate) fn payment_words(payment: Payment) -> String {
    match payment {
        Payment::Block => "Block".to_owned(),
        Payment::Grant => "Grant".to_owned(),
        Payment::Activity { per, price, capped } => {
            let unit = match per {
                nwd_domain::commissioning::plan::ActivityUnit::Contact => "attended contact",
                nwd_domain::commissioning::plan::ActivityUnit::Episode => "episode",
            };
            let cap = if capped {
                ", paid up to the year's value"
            } else {
                ""
            };
            format!("Activity: {price} per {unit}{cap}")
        }
    }
}

/// Who pays for a contract, in words.
pub(crate) fn paid_by(plan: &Commissioning, contract: &Contract) -> String {
    match (contract.agreement, contract.funder) {
        (Some(a), _) => plan.agreements[a].name.clone(),
        (None, Some(f)) => plan.parties[f].name.clone(),
        (None, None) => String::new(),
    }
}

fn agreement_view(plan: &Commissioning, index: usize, agreement: &Agreement) -> AgreementView {
    let mut years: Vec<FinancialYear> = agreement.contributions.iter().map(|c| c.year).collect();
    years.sort();
    years.dedup();
    let partners = agreement.partners();
    let amounts: Vec<Vec<nwd_domain::commissioning::Money>> = partners
        .iter()
        .map(|&p| {
            years
                .iter()
                .map(|y| agreement.contributed(p, y.first_day(), y.end()))
                .collect()
        })
        .collect();
    let totals = (0..years.len())
        .map(|i| {
            amounts
                .iter()
                .fold(nwd_domain::commissioning::Money::ZERO, |t, row| {
                    t.plus(row[i])
                })
                .to_string()
        })
        .collect();
    let variations = agreement
        .contributions
        .iter()
        .filter(|c| c.from != c.year.first_day())
        .map(|c| {
            let before = c
                .from
                .yesterday()
                .map(|d| agreement.annual_in_force(c.partner, d))
                .unwrap_or_default();
            format!(
                "{}, {}: {} a year from {} (was {}){}",
                plan.parties[c.partner].name,
                c.year,
                c.amount,
                long_date(c.from),
                before,
                c.reason
                    .as_ref()
                    .map(|r| format!(". {r}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    let labels: Vec<String> = years.iter().map(ToString::to_string).collect();
    let chart = Chart {
        id: format!("agreement-{index}"),
        title: format!("{}: contributions by year", agreement.name),
        description: format!(
            "Stacked bars of each partner's contribution in thousands of pounds for {}; the table beside it has the exact sums.",
            labels.join(", ")
        ),
        x_labels: labels.clone(),
        y_label: "£ thousands".into(),
        kind: ChartKind::StackedBar,
        series: partners
            .iter()
            .zip(&amounts)
            .map(|(&p, row)| {
                Series::new(
                    plan.parties[p].name.clone(),
                    row.iter().map(|m| Some(m.pounds() / 1000.0)).collect(),
                )
            })
            .collect(),
        y_max: None,
    };
    AgreementView {
        key: agreement.key.clone(),
        name: agreement.name.clone(),
        kind: agreement.kind.label(),
        lead: plan.parties[agreement.lead].name.clone(),
        outcomes: agreement.outcomes.clone(),
        years: labels,
        partners: partners
            .iter()
            .zip(amounts)
            .map(|(&p, row)| {
                (
                    plan.parties[p].name.clone(),
                    row.iter().map(ToString::to_string).collect(),
                )
            })
            .collect(),
        totals,
        variations,
        svg: chart.svg(),
    }
}

/// The banner after a form saved version `version` of the record.
pub(crate) fn saved_banner(version: i64) -> String {
    format!("Version {version} of the record is saved. If this was a mistake, restore the version before it from the history of the record.")
}

/// The record's agreements and contracts.
#[utoipa::path(get, path = "/commissioning/money", tag = "pages",
    params(("saved" = Option<i64>, Query, description = "The version just saved, for the banner")),
    responses((status = 200, description = "Agreements and contracts", content_type = "text/html")))]
pub async fn overview(
    State(state): State<AppState>,
    Caller(principal): Caller,
    axum::extract::Query(saved): axum::extract::Query<Saved>,
) -> PageResult {
    let record = commissioning::current(&state.store)
        .await
        .map_err(PageError::staff)?;
    let today = state.store.now().to_zoned(state.store.tz().clone()).date();
    let this_year = FinancialYear::of(today);
    let (plan, problems) = match &record.plan {
        Ok(plan) => (plan.clone(), Vec::new()),
        Err(errors) => (
            Commissioning::default(),
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect(),
        ),
    };
    let agreements = plan
        .agreements
        .iter()
        .enumerate()
        .map(|(i, a)| agreement_view(&plan, i, a))
        .collect();
    let contracts = plan
        .contracts
        .iter()
        .map(|c| ContractLine {
            key: c.key.clone(),
            name: c.name.clone(),
            provider: plan.parties[c.provider].name.clone(),
            term: format!("{} to {}", long_date(c.start), long_date(c.end)),
            payment: payment_words(c.payment),
            value: c.value_for(this_year).to_string(),
            paid_by: paid_by(&plan, c),
        })
        .collect();
    let saved = saved.saved.map(saved_banner);
    let errors = if problems.is_empty() {
        Vec::new()
    } else {
        vec![FieldMessage::new(
            "problems",
            "The record in force no longer checks against the directory: correct it before its figures can be shown",
        )]
    };
    let page = MoneyPage {
        layout: Layout::staff("Money and contracts", &principal)
            .with_errors(errors)
            .with_success(saved),
        may_edit: principal.granted.contains(&Permission::ManageCommissioning),
        problems,
        agreements,
        contracts,
        this_year: this_year.to_string(),
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

/// The banner after a save.
#[derive(Debug, serde::Deserialize)]
pub struct Saved {
    /// The version saved.
    saved: Option<i64>,
}

/// A finished CSV writer as a download named `file` (without `.csv`).
pub(crate) fn csv_download(
    csv: csv::Writer<Vec<u8>>,
    file: &str,
) -> Result<axum::response::Response, PageError> {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    let body = csv.into_inner().map_err(|e| {
        PageError::staff(nwd_http::problem::ApiError::Internal(format!("csv: {e}")))
    })?;
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    let disposition = format!("attachment; filename=\"{file}.csv\"");
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
