//! A contract's annual value for a financial year of its term: set when the year's value is
//! agreed (a line added) or changed during it (the line changed), from the contract's page.
//! The form, the check (the year's value and the contract's whole-term value before and
//! after) and the save.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use nwd_domain::commissioning::plan::{Contract, Payment};
use nwd_domain::commissioning::{Commissioning, FinancialYear, Money};
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::auth::Principal;
use nwd_usecase::record_change;

use super::{
    check_page, csrf_of, made_or_refused, pounds_typed, record, save_and_answer, CheckLine,
};
use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};

#[derive(Template)]
#[template(path = "money_value.html")]
struct ValuePage {
    layout: Layout,
    csrf: String,
    path: String,
    key: String,
    years: Vec<(String, String, bool)>,
    amount: String,
    reason: String,
    edited_from: i64,
}

const VALUE_FIELDS: [&str; 4] = ["year", "amount", "reason", "edited_from"];

/// Where contract `key`'s value for a year is set.
pub(crate) fn value_path(key: &str) -> String {
    let key: String = form_urlencoded::byte_serialize(key.as_bytes()).collect();
    format!("/commissioning/contracts/{key}/value")
}

fn contract_of<'a>(plan: &'a Commissioning, key: &str) -> Result<&'a Contract, PageError> {
    plan.contract(key)
        .ok_or_else(|| PageError::staff(ApiError::NotFound(format!("no contract {key:?}"))))
}

/// The financial years the contract's term touches, first to last.
fn term_years(contract: &Contract) -> Vec<FinancialYear> {
    let mut years = Vec::new();
    let mut year = FinancialYear::of(contract.start);
    while year.first_day() <= contract.end {
        years.push(year);
        year = year.next();
    }
    years
}

/// The contract's values over its whole term.
fn whole_term(contract: &Contract) -> Money {
    term_years(contract)
        .into_iter()
        .fold(Money::ZERO, |sum, y| sum.plus(contract.value_for(y)))
}

#[allow(clippy::too_many_arguments)]
fn value_page(
    state: &AppState,
    principal: &Principal,
    plan: &Commissioning,
    key: &str,
    year: Option<FinancialYear>,
    amount: String,
    reason: String,
    edited_from: i64,
    errors: Vec<FieldMessage>,
    code: StatusCode,
) -> PageResult {
    let contract = contract_of(plan, key)?;
    let years = term_years(contract);
    let chosen = year.unwrap_or_else(|| {
        let today = state.store.now().to_zoned(state.store.tz().clone()).date();
        years
            .iter()
            .copied()
            .find(|y| y.first_day() <= today && today < y.end())
            .or_else(|| years.last().copied())
            .unwrap_or_else(|| FinancialYear::of(contract.start))
    });
    Ok(render(
        &ValuePage {
            layout: Layout::staff(&format!("Set the value of {}", contract.name), principal)
                .with_errors(errors),
            csrf: csrf_of(principal),
            path: value_path(key),
            key: contract.key.clone(),
            years: years
                .iter()
                .map(|y| {
                    let now = contract.value_for(*y);
                    let label = if contract.values.iter().any(|v| v.year == *y) {
                        format!("{y} (now {now})")
                    } else {
                        format!("{y} (no value yet)")
                    };
                    (y.to_string(), label, *y == chosen)
                })
                .collect(),
            amount,
            reason,
            edited_from,
        },
        code,
        Sensitivity::Identifiable,
    ))
}

/// The form to set a contract's value for a year of its term.
#[utoipa::path(get, path = "/commissioning/contracts/{key}/value", tag = "pages",
    params(("key" = String, Path), ("year" = Option<String>, Query, description = "The financial year chosen, 2026/27")),
    responses((status = 200, description = "The form", content_type = "text/html"), (status = 404, description = "No such contract", content_type = "text/html")))]
pub async fn value_form(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
) -> PageResult {
    let (current, plan) = record(&state).await?;
    let form = FormData::parse(query.unwrap_or_default().as_bytes());
    let year = FinancialYear::parse(form.first("year")).ok();
    value_page(
        &state,
        &principal,
        &plan,
        &key,
        year,
        form.first("amount").to_owned(),
        form.first("reason").to_owned(),
        form.first("edited_from").parse().unwrap_or(current),
        Vec::new(),
        StatusCode::OK,
    )
}

/// Checks the contract's new value for the year (before and after, nothing saved) or, with
/// `confirmed=yes`, saves it.
#[utoipa::path(post, path = "/commissioning/contracts/{key}/value", tag = "pages",
    params(("key" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The change to check", content_type = "text/html"), (status = 303, description = "Saved: to the contract's page"), (status = 404, description = "No such contract", content_type = "text/html"), (status = 409, description = "Someone saved meanwhile", content_type = "text/html"), (status = 422, description = "The answers need correcting", content_type = "text/html")))]
pub async fn value(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(key): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let (current, plan) = record(&state).await?;
    let contract = contract_of(&plan, &key)?.clone();
    let edited_from: i64 = form.first("edited_from").parse().unwrap_or(current);
    let typed = form.first("amount").trim().to_owned();
    let reason = form.first("reason").trim().to_owned();
    let year = FinancialYear::parse(form.first("year"))
        .ok()
        .filter(|y| term_years(&contract).contains(y));
    let known = ["year", "amount", "reason", "document"];
    let refused = |errors: Vec<FieldMessage>, code: StatusCode| {
        value_page(
            &state,
            &principal,
            &plan,
            &key,
            year,
            typed.clone(),
            reason.clone(),
            edited_from,
            errors,
            code,
        )
    };
    let mut problems = Vec::new();
    if year.is_none() {
        problems.push(FieldMessage::new(
            "year",
            "Choose a financial year of the contract's term",
        ));
    }
    let amount = match pounds_typed(&typed) {
        None => {
            problems.push(FieldMessage::new(
                "amount",
                "Enter the year's value, in pounds",
            ));
            None
        }
        Some(None) => {
            problems.push(FieldMessage::new(
                "amount",
                "The value must be a number of pounds, like 1,150,000 or 1150000.50",
            ));
            None
        }
        Some(amount) => amount,
    };
    if reason.is_empty() {
        problems.push(FieldMessage::new(
            "reason",
            "Say why the value is set (it is kept with the version)",
        ));
    }
    let (Some(year), Some(amount), true) = (year, amount, problems.is_empty()) else {
        return refused(problems, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let made =
        record_change::set_contract_value(&state.store, &key, &year.to_string(), amount).await;
    let change = match made_or_refused(made, &known, refused) {
        Ok(change) => change,
        Err(answer) => return *answer,
    };
    let before = contract.value_for(year);
    let after = change
        .after
        .contract(&key)
        .map_or(Money::ZERO, |c| c.value_for(year));
    let contract_page = format!(
        "/commissioning/contracts/{}?year={}",
        form_urlencoded::byte_serialize(key.as_bytes()).collect::<String>(),
        year.to_string().replace('/', "%2F")
    );
    if !crate::admin::confirm::confirmed(&form) {
        let had = contract.values.iter().any(|v| v.year == year);
        return check_page(
            &principal,
            &format!("Check the value of {}", contract.name),
            format!(
                "{} for {year}. Nothing is saved yet. The payment and activity statement prices the year at the value in force: a block contract is paid in equal daily shares of it{}.",
                if had { "A new value" } else { "A first value" },
                if matches!(
                    contract.payment,
                    Payment::Activity { capped: true, .. }
                ) {
                    "; this capped contract pays activity up to it"
                } else {
                    ""
                }
            ),
            vec![
                CheckLine {
                    label: format!("Value in {year}"),
                    before: if had { before.to_string() } else { "None".into() },
                    after: after.to_string(),
                },
                CheckLine {
                    label: "Whole term".into(),
                    before: whole_term(&contract).to_string(),
                    after: change
                        .after
                        .contract(&key)
                        .map_or(Money::ZERO, whole_term)
                        .to_string(),
                },
                CheckLine {
                    label: "Why".into(),
                    before: String::new(),
                    after: reason.clone(),
                },
            ],
            &value_path(&key),
            &form,
            &VALUE_FIELDS,
            "Save the value".into(),
            contract_page,
        );
    }
    let version_reason = format!(
        "{}, {year}: {} → {after}. {reason}",
        contract.name,
        if contract.values.iter().any(|v| v.year == year) {
            before.to_string()
        } else {
            "no value".into()
        }
    );
    save_and_answer(
        &trail,
        &state,
        &principal,
        edited_from,
        &change,
        &version_reason,
        &known,
        |version| format!("{contract_page}&saved={version}"),
        refused,
    )
    .await
}
