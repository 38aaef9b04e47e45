//! A provider's declared staff in a year's Transformation Plan: one staff line's whole-time
//! equivalents (after recruitment or a vacancy), the form, the check and the save. The
//! what-if simulator takes each service's clinicians from these lines.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use nwd_domain::commissioning::transformation::{Declaration, Staff};
use nwd_domain::commissioning::{Commissioning, FinancialYear};
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::auth::Principal;
use nwd_usecase::record_change;

use super::milestone::year_of_path;
use super::{check_page, csrf_of, made_or_refused, record, save_and_answer, CheckLine};
use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};

#[derive(Template)]
#[template(path = "money_staff.html")]
struct StaffPage {
    layout: Layout,
    csrf: String,
    path: String,
    year: String,
    provider: String,
    service: String,
    role: String,
    clinical: bool,
    wte: String,
    reason: String,
    edited_from: i64,
}

const STAFF_FIELDS: [&str; 3] = ["wte", "reason", "edited_from"];

/// Where staff line `line` of declaration `declaration` (both from 1) is changed.
pub(crate) fn staff_path(year: FinancialYear, declaration: usize, line: usize) -> String {
    format!(
        "/commissioning/plan/{}/declarations/{declaration}/staff/{line}",
        year.to_string().replace('/', "-")
    )
}

fn staff_of(
    plan: &Commissioning,
    year: FinancialYear,
    declaration: usize,
    line: usize,
) -> Result<(&Declaration, &Staff), PageError> {
    plan.plans
        .iter()
        .find(|p| p.year == year)
        .and_then(|p| {
            declaration
                .checked_sub(1)
                .and_then(|i| p.declarations.get(i))
        })
        .and_then(|d| {
            line.checked_sub(1)
                .and_then(|i| d.staff.get(i))
                .map(|s| (d, s))
        })
        .ok_or_else(|| {
            PageError::staff(ApiError::NotFound(format!(
                "the {year} plan has no staff line {line} in declaration {declaration}"
            )))
        })
}

/// `3.5` for 3.5, `2` for 2.0.
fn wte_text(wte: f64) -> String {
    format!("{wte}")
}

#[allow(clippy::too_many_arguments)]
fn staff_page(
    principal: &Principal,
    plan: &Commissioning,
    year: FinancialYear,
    (declaration, line): (usize, usize),
    wte: Option<String>,
    reason: String,
    edited_from: i64,
    errors: Vec<FieldMessage>,
    code: StatusCode,
) -> PageResult {
    let (d, staff) = staff_of(plan, year, declaration, line)?;
    Ok(render(
        &StaffPage {
            layout: Layout::staff(
                &format!("Change declared staff in the {year} plan"),
                principal,
            )
            .with_errors(errors),
            csrf: csrf_of(principal),
            path: staff_path(year, declaration, line),
            year: year.to_string(),
            provider: plan.parties[d.provider].name.clone(),
            service: staff.service_name.clone(),
            role: staff.role.clone(),
            clinical: staff.clinical,
            wte: wte.unwrap_or_else(|| wte_text(staff.wte)),
            reason,
            edited_from,
        },
        code,
        Sensitivity::Identifiable,
    ))
}

/// The form to change one line of a provider's declared staff.
#[utoipa::path(get, path = "/commissioning/plan/{year}/declarations/{declaration}/staff/{line}", tag = "pages",
    params(("year" = String, Path, description = "The financial year, 2026-27"), ("declaration" = usize, Path, description = "The provider's declaration, from 1"), ("line" = usize, Path, description = "The staff line, from 1")),
    responses((status = 200, description = "The form", content_type = "text/html"), (status = 404, description = "No such staff line", content_type = "text/html")))]
pub async fn staff_form(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path((year, declaration, line)): Path<(String, usize, usize)>,
    RawQuery(query): RawQuery,
) -> PageResult {
    let year = year_of_path(&year)?;
    let (current, plan) = record(&state).await?;
    let form = FormData::parse(query.unwrap_or_default().as_bytes());
    let wte = (!form.first("wte").is_empty()).then(|| form.first("wte").to_owned());
    let edited_from = form.first("edited_from").parse().unwrap_or(current);
    staff_page(
        &principal,
        &plan,
        year,
        (declaration, line),
        wte,
        form.first("reason").to_owned(),
        edited_from,
        Vec::new(),
        StatusCode::OK,
    )
}

/// Checks the staff line's change (before and after, nothing saved) or, with
/// `confirmed=yes`, saves it.
#[utoipa::path(post, path = "/commissioning/plan/{year}/declarations/{declaration}/staff/{line}", tag = "pages",
    params(("year" = String, Path, description = "The financial year, 2026-27"), ("declaration" = usize, Path, description = "The provider's declaration, from 1"), ("line" = usize, Path, description = "The staff line, from 1"), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The change to check", content_type = "text/html"), (status = 303, description = "Saved: to the plan"), (status = 409, description = "Someone saved meanwhile", content_type = "text/html"), (status = 422, description = "The answers need correcting", content_type = "text/html")))]
pub async fn staff(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path((year, declaration, line)): Path<(String, usize, usize)>,
    body: Bytes,
) -> PageResult {
    let year = year_of_path(&year)?;
    let form = FormData::parse(&body);
    let (current, plan) = record(&state).await?;
    let (d, before) = staff_of(&plan, year, declaration, line)?;
    let (provider, before) = (plan.parties[d.provider].name.clone(), before.clone());
    let provider_total = d.total_wte();
    let edited_from: i64 = form.first("edited_from").parse().unwrap_or(current);
    let typed = form.first("wte").trim().to_owned();
    let reason = form.first("reason").trim().to_owned();
    let known = ["wte", "reason", "document"];
    let refused = |errors: Vec<FieldMessage>, code: StatusCode| {
        staff_page(
            &principal,
            &plan,
            year,
            (declaration, line),
            Some(typed.clone()),
            reason.clone(),
            edited_from,
            errors,
            code,
        )
    };
    let mut problems = Vec::new();
    let wte = typed.parse::<f64>().ok().filter(|w| w.is_finite());
    if wte.is_none() {
        problems.push(FieldMessage::new(
            "wte",
            "Enter the whole-time equivalents as a number, like 5.5",
        ));
    }
    if reason.is_empty() {
        problems.push(FieldMessage::new(
            "reason",
            "Say why the staff change (it is kept with the version)",
        ));
    }
    let Some(wte) = wte.filter(|_| problems.is_empty()) else {
        return refused(problems, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let made = record_change::set_staff_wte(
        &state.store,
        &year.to_string(),
        declaration - 1,
        line - 1,
        wte,
    )
    .await;
    let change = match made_or_refused(made, &known, refused) {
        Ok(change) => change,
        Err(answer) => return *answer,
    };
    let path = staff_path(year, declaration, line);
    let plan_page = format!(
        "/commissioning/plan?year={}",
        year.to_string().replace('/', "%2F")
    );
    if !crate::admin::confirm::confirmed(&form) {
        let after_total = provider_total - before.wte + wte;
        return check_page(
            &principal,
            &format!("Check the change to {provider}'s staff"),
            format!(
                "{}, {}{}. Nothing is saved yet.{}",
                before.service_name,
                before.role,
                if before.clinical {
                    ""
                } else {
                    " (not clinical)"
                },
                if before.clinical {
                    " The what-if simulator takes this service's clinicians from the plan."
                } else {
                    ""
                }
            ),
            vec![
                CheckLine {
                    label: "Whole-time equivalents".into(),
                    before: wte_text(before.wte),
                    after: wte_text(wte),
                },
                CheckLine {
                    label: format!("{provider}, all declared staff"),
                    before: format!("{provider_total:.1}"),
                    after: format!("{after_total:.1}"),
                },
                CheckLine {
                    label: "Why".into(),
                    before: String::new(),
                    after: reason.clone(),
                },
            ],
            &path,
            &form,
            &STAFF_FIELDS,
            "Save the change".into(),
            plan_page,
        );
    }
    let version_reason = format!(
        "{provider}, {} ({}), {year} plan: {} → {} WTE. {reason}",
        before.service_name,
        before.role,
        wte_text(before.wte),
        wte_text(wte)
    );
    save_and_answer(
        &trail,
        &state,
        &principal,
        edited_from,
        &change,
        &version_reason,
        &known,
        |version| format!("{plan_page}&saved={version}#providers-heading"),
        refused,
    )
    .await
}
