//! The annual Transformation Plan (issue 20): for a financial year, each commissioner's
//! investment from the money model (chart and table), the principles agreed and who signed
//! them, each provider's declared staff (whole-time equivalents by service, role and skill)
//! beside its services' waits and activity in the year to date from the live record, and the
//! action plan's milestones with overdue ones marked — a page that prints cleanly to PDF, and
//! the data as CSV, suppressed. What is counted is
//! `nwd_usecase::commissioning::transformation_plan`'s; the plan is written in the
//! commissioning record (`[[transformation_plan]]`, edited on the Money and contracts page).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use nwd_domain::commissioning::transformation::MilestoneStatus;
use nwd_domain::commissioning::{Commissioning, FinancialYear};
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::AppState;
use nwd_usecase::commissioning::{self, PlanReport};
use serde::Deserialize;

use super::statement::kpi_text;
use crate::chart::{Chart, ChartKind, Series};
use crate::layout::{render, Layout, PageError, PageResult, Sensitivity};

/// The year asked for.
#[derive(Debug, Deserialize)]
pub struct YearQuery {
    /// `2026/27`; the current year by default.
    year: Option<String>,
    /// The version just saved by a milestone's update (the banner).
    saved: Option<i64>,
}

struct InvestmentLine {
    name: String,
    agreements: String,
    contracts: String,
    elements: String,
    total: String,
}

struct PrincipleLine {
    text: String,
    signed_by: String,
    signed_on: String,
}

struct StaffLine {
    service: String,
    role: String,
    skill: String,
    wte: String,
    /// Where its change form is.
    change: String,
}

struct ProviderLine {
    name: String,
    total_wte: String,
    staff: Vec<StaffLine>,
    figures: Vec<(&'static str, String)>,
}

struct ActionLine {
    action: String,
    owner: String,
    due: String,
    status: &'static str,
    tag: &'static str,
    overdue: bool,
    evidence: String,
    /// Where its update form is.
    update: String,
}

#[derive(Template)]
#[template(path = "money_plan.html")]
struct PlanPage {
    layout: Layout,
    year: String,
    to_date: bool,
    choices: Vec<(String, bool)>,
    title: Option<String>,
    summary: String,
    investment: Vec<InvestmentLine>,
    investment_total: String,
    svg: String,
    principles: Vec<PrincipleLine>,
    providers: Vec<ProviderLine>,
    actions: Vec<ActionLine>,
    may_edit: bool,
}

async fn load(
    state: &AppState,
    query: &YearQuery,
) -> Result<(Commissioning, PlanReport), PageError> {
    let record = commissioning::current(&state.store)
        .await
        .map_err(PageError::staff)?;
    let plan = record.plan.map_err(|_| {
        PageError::staff(ApiError::NotFound(
            "the commissioning record no longer checks: correct it on the Money and contracts page"
                .into(),
        ))
    })?;
    let year =
        commissioning::plan_year(&state.store, query.year.as_deref()).map_err(PageError::staff)?;
    let report = commissioning::transformation_plan(
        &state.store,
        &plan,
        year,
        &state.store.standards().suppression,
    )
    .await
    .map_err(PageError::staff)?;
    Ok((plan, report))
}

fn status_tag(status: MilestoneStatus, overdue: bool) -> &'static str {
    match (status, overdue) {
        (_, true) => "nhsuk-tag--red",
        (MilestoneStatus::Done, _) => "nhsuk-tag--green",
        (MilestoneStatus::OnTrack, _) => "nhsuk-tag--blue",
        (MilestoneStatus::AtRisk, _) => "nhsuk-tag--yellow",
        (MilestoneStatus::NotStarted, _) => "nhsuk-tag--grey",
    }
}

/// The Transformation Plan for a year.
#[utoipa::path(get, path = "/commissioning/plan", tag = "pages",
    params(("year" = Option<String>, Query, description = "The financial year, 2026/27; the current one by default")),
    responses((status = 200, description = "The plan", content_type = "text/html"), (status = 422, description = "Not a year that has begun", content_type = "text/html")))]
pub async fn page(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let (record, report) = load(&state, &query).await?;
    let this_year = FinancialYear::of(report.today);
    let mut choices = Vec::new();
    let mut y = this_year;
    for _ in 0..6 {
        choices.push((y.to_string(), y == report.year));
        y = y.previous();
    }
    let name = |i: usize| record.parties[i].name.clone();
    let investment: Vec<InvestmentLine> = report
        .investment
        .iter()
        .map(|inv| InvestmentLine {
            name: name(inv.party),
            agreements: inv.agreements.to_string(),
            contracts: inv.contracts.to_string(),
            elements: inv.elements.to_string(),
            total: inv.total().to_string(),
        })
        .collect();
    let total: i64 = report.investment.iter().map(|i| i.total().pence()).sum();
    let chart = Chart {
        id: "investment".into(),
        title: format!("Declared investment by commissioner, {}", report.year),
        description: "Horizontal bars of each commissioner's investment in thousands of pounds; the table beside it has the exact sums.".into(),
        x_labels: report.investment.iter().map(|i| name(i.party)).collect(),
        y_label: "£ thousands".into(),
        kind: ChartKind::HorizontalBar,
        series: vec![Series::new(
            "Investment",
            report
                .investment
                .iter()
                .map(|i| Some(i.total().pence() as f64 / 100_000.0))
                .collect(),
        )],
        y_max: None,
    };
    let plan = report.plan.as_ref();
    let principles = plan
        .map(|p| {
            p.principles
                .iter()
                .map(|pr| PrincipleLine {
                    text: pr.text.clone(),
                    signed_by: if pr.signed_by.is_empty() {
                        "Not yet signed".into()
                    } else {
                        pr.signed_by
                            .iter()
                            .map(|&i| name(i))
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                    signed_on: pr.signed_on.map_or(String::new(), |d| d.to_string()),
                })
                .collect()
        })
        .unwrap_or_default();
    let providers = report
        .providers
        .iter()
        .map(|part| {
            let a = &part.activity;
            let mut figures = vec![
                ("Referrals allocated", a.referrals.text()),
                ("Young people helped", a.young_people.text()),
                ("Contacts attended", a.attended.text()),
            ];
            for (kpi, value) in part.waits {
                figures.push((kpi.title(), kpi_text(kpi, value)));
            }
            // Its place in the plan as written (the form names the line by it).
            let declaration = report
                .plan
                .as_ref()
                .and_then(|p| p.declarations.iter().position(|d| *d == part.declaration))
                .map_or(0, |i| i + 1);
            ProviderLine {
                name: name(part.declaration.provider),
                total_wte: format!("{:.1}", part.declaration.total_wte()),
                staff: part
                    .declaration
                    .staff
                    .iter()
                    .enumerate()
                    .map(|(i, s)| StaffLine {
                        change: super::change::staff_path(report.year, declaration, i + 1),
                        service: s.service_name.clone(),
                        role: if s.clinical {
                            s.role.clone()
                        } else {
                            format!("{} (not clinical)", s.role)
                        },
                        skill: s.skill.clone().unwrap_or_default(),
                        wte: format!("{:.1}", s.wte),
                    })
                    .collect(),
                figures,
            }
        })
        .collect();
    let actions = plan
        .map(|p| {
            p.actions
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let overdue = a.overdue(report.today);
                    ActionLine {
                        action: a.action.clone(),
                        owner: name(a.owner),
                        due: a.due.to_string(),
                        status: a.status.label(),
                        tag: status_tag(a.status, overdue),
                        overdue,
                        evidence: a.evidence.clone().unwrap_or_default(),
                        update: super::change::milestone_path(report.year, i + 1),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let page = PlanPage {
        layout: Layout::staff(&format!("Transformation Plan, {}", report.year), &principal)
            .with_success(query.saved.map(super::saved_banner)),
        year: report.year.to_string(),
        to_date: report.to_date,
        choices,
        title: plan.map(|p| p.title.clone()),
        summary: plan.and_then(|p| p.summary.clone()).unwrap_or_default(),
        investment,
        investment_total: nwd_domain::commissioning::Money::from_pence(total).to_string(),
        svg: chart.svg(),
        principles,
        providers,
        actions,
        may_edit: principal
            .granted
            .contains(&nwd_domain::authz::Permission::ManageCommissioning),
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

/// The Transformation Plan's data as CSV: investment, staff, provider figures (suppressed as
/// on the page) and milestones, one line each.
#[utoipa::path(get, path = "/commissioning/plan.csv", tag = "pages",
    params(("year" = Option<String>, Query, description = "The financial year, 2026/27")),
    responses((status = 200, description = "The plan's data as CSV", content_type = "text/csv")))]
pub async fn download(
    State(state): State<AppState>,
    Caller(_principal): Caller,
    Query(query): Query<YearQuery>,
) -> Result<Response, PageError> {
    let (record, report) = load(&state, &query).await?;
    let name = |i: usize| record.parties[i].name.clone();
    let mut csv = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| PageError::staff(ApiError::Internal(format!("csv: {e}")));
    let year = report.year.to_string();
    csv.write_record(["year", "part", "who", "item", "detail", "value"])
        .map_err(io)?;
    for inv in &report.investment {
        for (item, money) in [
            ("agreements", inv.agreements),
            ("contracts", inv.contracts),
            ("funded_elements", inv.elements),
            ("total", inv.total()),
        ] {
            csv.write_record([
                &year,
                "investment",
                &name(inv.party),
                item,
                "",
                &format!("{:.2}", money.pence() as f64 / 100.0),
            ])
            .map_err(io)?;
        }
    }
    for part in &report.providers {
        let who = name(part.declaration.provider);
        for s in &part.declaration.staff {
            let detail = match &s.skill {
                Some(skill) => format!("{} ({skill})", s.role),
                None => s.role.clone(),
            };
            csv.write_record([
                &year,
                "staff_wte",
                &who,
                &s.service_name,
                &detail,
                &s.wte.to_string(),
            ])
            .map_err(io)?;
        }
        let a = &part.activity;
        for (item, value) in [
            ("referrals_allocated", a.referrals.text()),
            ("young_people_helped", a.young_people.text()),
            ("contacts_attended", a.attended.text()),
        ] {
            csv.write_record([&year, "year_to_date", &who, item, "", &value])
                .map_err(io)?;
        }
        for (kpi, value) in part.waits {
            csv.write_record([
                &year,
                "year_to_date",
                &who,
                kpi.code(),
                "",
                &kpi_text(kpi, value),
            ])
            .map_err(io)?;
        }
    }
    if let Some(plan) = &report.plan {
        for a in &plan.actions {
            let status = if a.overdue(report.today) {
                format!("{} (overdue)", a.status.label())
            } else {
                a.status.label().to_owned()
            };
            csv.write_record([
                &year,
                "milestone",
                &name(a.owner),
                &a.action,
                &a.due.to_string(),
                &status,
            ])
            .map_err(io)?;
        }
    }
    let file = format!("transformation-plan-{}", year.replace('/', "-"));
    super::csv_download(csv, &file)
}
