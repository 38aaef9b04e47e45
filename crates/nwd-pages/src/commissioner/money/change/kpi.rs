//! A contract KPI's threshold and amber margin, changed when the contract is varied: the form,
//! the check (the terms before and after, and how each quarter of the year so far would be
//! rated under them) and the save. The rating rule is the domain's (`Rag::of`).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nwd_domain::commissioning::kpi::Rag;
use nwd_domain::commissioning::plan::{Contract, KpiTerm};
use nwd_domain::commissioning::Commissioning;
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::auth::Principal;
use nwd_usecase::record_change;

use super::super::statement::{kpi_text, threshold_words};
use super::{check_page, csrf_of, made_or_refused, record, save_and_answer, CheckLine};
use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};

#[derive(Template)]
#[template(path = "money_kpi.html")]
struct KpiPage {
    layout: Layout,
    csrf: String,
    path: String,
    key: String,
    title: String,
    unit: String,
    now: String,
    threshold: String,
    amber: String,
    reason: String,
    edited_from: i64,
}

const KPI_FIELDS: [&str; 4] = ["threshold", "amber", "reason", "edited_from"];

/// Where KPI `number` (from 1) of contract `key` is changed.
pub(crate) fn kpi_path(key: &str, number: usize) -> String {
    let key: String = form_urlencoded::byte_serialize(key.as_bytes()).collect();
    format!("/commissioning/contracts/{key}/kpis/{number}")
}

fn term_of<'a>(
    plan: &'a Commissioning,
    key: &str,
    number: usize,
) -> Result<(&'a Contract, &'a KpiTerm), PageError> {
    plan.contract(key)
        .and_then(|c| {
            number
                .checked_sub(1)
                .and_then(|i| c.kpis.get(i))
                .map(|t| (c, t))
        })
        .ok_or_else(|| {
            PageError::staff(ApiError::NotFound(format!(
                "no KPI {number} in a contract {key:?}"
            )))
        })
}

/// A number as typed back: `12` for 12.0.
fn number_text(n: f64) -> String {
    format!("{n}")
}

#[allow(clippy::too_many_arguments)]
fn kpi_page(
    principal: &Principal,
    plan: &Commissioning,
    (key, number): (&str, usize),
    typed: Option<(String, String)>,
    reason: String,
    edited_from: i64,
    errors: Vec<FieldMessage>,
    code: StatusCode,
) -> PageResult {
    let (contract, term) = term_of(plan, key, number)?;
    let (threshold, amber) =
        typed.unwrap_or_else(|| (number_text(term.threshold), number_text(term.amber)));
    Ok(render(
        &KpiPage {
            layout: Layout::staff(&format!("Change a KPI of {}", contract.name), principal)
                .with_errors(errors),
            csrf: csrf_of(principal),
            path: kpi_path(key, number),
            key: contract.key.clone(),
            title: term.kpi.title().to_owned(),
            unit: term.kpi.unit().to_owned(),
            now: format!(
                "{}, amber when short by no more than {} {}",
                threshold_words(term.kpi, term.threshold),
                term.amber,
                term.kpi.unit()
            ),
            threshold,
            amber,
            reason,
            edited_from,
        },
        code,
        Sensitivity::Identifiable,
    ))
}

/// The form to change a contract KPI's threshold and amber margin.
#[utoipa::path(get, path = "/commissioning/contracts/{key}/kpis/{number}", tag = "pages",
    params(("key" = String, Path), ("number" = usize, Path, description = "The contract's KPI, from 1")),
    responses((status = 200, description = "The form", content_type = "text/html"), (status = 404, description = "No such KPI", content_type = "text/html")))]
pub async fn kpi_form(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path((key, number)): Path<(String, usize)>,
) -> PageResult {
    let (current, plan) = record(&state).await?;
    kpi_page(
        &principal,
        &plan,
        (&key, number),
        None,
        String::new(),
        current,
        Vec::new(),
        StatusCode::OK,
    )
}

/// Checks the KPI's new terms (before and after, with this year's ratings under both;
/// nothing saved) or, with `confirmed=yes`, saves them.
#[utoipa::path(post, path = "/commissioning/contracts/{key}/kpis/{number}", tag = "pages",
    params(("key" = String, Path), ("number" = usize, Path, description = "The contract's KPI, from 1"), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The change to check", content_type = "text/html"), (status = 303, description = "Saved: to the contract's page"), (status = 404, description = "No such KPI", content_type = "text/html"), (status = 409, description = "Someone saved meanwhile", content_type = "text/html"), (status = 422, description = "The answers need correcting", content_type = "text/html")))]
pub async fn kpi(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path((key, number)): Path<(String, usize)>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let (current, plan) = record(&state).await?;
    let (contract, before) = term_of(&plan, &key, number)?;
    let (contract, before) = (contract.clone(), *before);
    let edited_from: i64 = form.first("edited_from").parse().unwrap_or(current);
    let typed_threshold = form.first("threshold").trim().to_owned();
    let typed_amber = form.first("amber").trim().to_owned();
    let reason = form.first("reason").trim().to_owned();
    let known = ["threshold", "amber", "reason", "document"];
    let refused = |errors: Vec<FieldMessage>, code: StatusCode| {
        kpi_page(
            &principal,
            &plan,
            (&key, number),
            Some((typed_threshold.clone(), typed_amber.clone())),
            reason.clone(),
            edited_from,
            errors,
            code,
        )
    };
    let number_of = |text: &str| text.parse::<f64>().ok().filter(|n| n.is_finite());
    let mut problems = Vec::new();
    let threshold = number_of(&typed_threshold);
    if threshold.is_none() {
        problems.push(FieldMessage::new(
            "threshold",
            format!("Enter the threshold as a number, in {}", before.kpi.unit()),
        ));
    }
    // Blank: the record's default margin.
    let amber = if typed_amber.is_empty() {
        Some(None)
    } else {
        number_of(&typed_amber).map(Some)
    };
    if amber.is_none() {
        problems.push(FieldMessage::new(
            "amber",
            "Enter the amber margin as a number, or leave it blank for the default of 5",
        ));
    }
    if reason.is_empty() {
        problems.push(FieldMessage::new(
            "reason",
            "Say why the KPI changes (it is kept with the version)",
        ));
    }
    let (Some(threshold), Some(amber), true) = (threshold, amber, problems.is_empty()) else {
        return refused(problems, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let made = record_change::set_kpi_terms(&state.store, &key, number - 1, threshold, amber).await;
    let change = match made_or_refused(made, &known, refused) {
        Ok(change) => change,
        Err(answer) => return *answer,
    };
    let after = change
        .after
        .contract(&key)
        .and_then(|c| c.kpis.get(number - 1))
        .copied()
        .unwrap_or(before);
    let contract_page = format!(
        "/commissioning/contracts/{}",
        form_urlencoded::byte_serialize(key.as_bytes()).collect::<String>()
    );
    if !crate::admin::confirm::confirmed(&form) {
        // This year's quarters so far, rated under the terms now and after.
        let (year, _) = nwd_usecase::commissioning::year_for(&state.store, &contract, None)
            .map_err(PageError::staff)?;
        let statement = nwd_usecase::commissioning::statement(
            &state.store,
            &change.before,
            &contract,
            year,
            &state.store.standards().suppression,
        )
        .await
        .map_err(PageError::staff)?;
        let unit = before.kpi.unit();
        let mut lines = vec![
            CheckLine {
                label: "Threshold".into(),
                before: threshold_words(before.kpi, before.threshold),
                after: threshold_words(after.kpi, after.threshold),
            },
            CheckLine {
                label: "Amber when short by no more than".into(),
                before: format!("{} {unit}", before.amber),
                after: format!("{} {unit}", after.amber),
            },
        ];
        for row in &statement.rows {
            let Some(result) = row.kpis.get(number - 1) else {
                continue;
            };
            let rated = |t: &KpiTerm| Rag::of(t.kpi, result.value, t.threshold, t.amber).label();
            lines.push(CheckLine {
                label: format!(
                    "{}{}: {}",
                    row.quarter,
                    if row.partial { " (to date)" } else { "" },
                    kpi_text(before.kpi, result.value)
                ),
                before: rated(&before).into(),
                after: rated(&after).into(),
            });
        }
        lines.push(CheckLine {
            label: "Why".into(),
            before: String::new(),
            after: reason.clone(),
        });
        return check_page(
            &principal,
            &format!("Check the change to {}", before.kpi.title()),
            format!(
                "{}. Nothing is saved yet. The quarterly reports rate every quarter against the terms in force when they are read, earlier quarters included; below, this year's quarters so far under the terms now and after.",
                contract.name
            ),
            lines,
            &kpi_path(&key, number),
            &form,
            &KPI_FIELDS,
            "Save the change".into(),
            contract_page,
        );
    }
    let version_reason = format!(
        "{}, {}: {} → {}. {reason}",
        contract.name,
        before.kpi.title(),
        threshold_words(before.kpi, before.threshold),
        threshold_words(after.kpi, after.threshold)
    );
    save_and_answer(
        &trail,
        &state,
        &principal,
        edited_from,
        &change,
        &version_reason,
        &known,
        |version| format!("{contract_page}?saved={version}#kpis-heading"),
        refused,
    )
    .await
}
