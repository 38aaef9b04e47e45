//! A partner's contribution varied from a day: the form, the check and the save.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use nwd_domain::commissioning::edit::NewContribution;
use nwd_domain::commissioning::{Commissioning, FinancialYear, Money};
use nwd_domain::FieldError;
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::auth::Principal;
use nwd_usecase::record_change::{self, Change};

use super::super::long_date;
use super::{
    check_page, csrf_of, form_messages, made_or_refused, pounds_typed, record, save_and_answer,
    CheckLine,
};
use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};

#[derive(Template)]
#[template(path = "money_vary.html")]
struct VaryPage {
    layout: Layout,
    csrf: String,
    agreement_key: String,
    partners: Vec<(String, String, bool)>,
    form: FormData,
    edited_from: i64,
}

impl VaryPage {
    fn field(&self, name: &str) -> &str {
        self.form.first(name)
    }
}

const VARY_FIELDS: [&str; 7] = [
    "partner",
    "amount",
    "from-day",
    "from-month",
    "from-year",
    "reason",
    "edited_from",
];

fn vary_path(key: &str) -> String {
    let key: String = form_urlencoded::byte_serialize(key.as_bytes()).collect();
    format!("/commissioning/money/agreements/{key}/vary")
}

fn agreement_of<'a>(
    plan: &'a Commissioning,
    key: &str,
) -> Result<&'a nwd_domain::commissioning::plan::Agreement, PageError> {
    plan.agreements
        .iter()
        .find(|a| a.key == key)
        .ok_or_else(|| {
            PageError::staff(ApiError::NotFound(format!(
                "the record has no agreement {key:?}"
            )))
        })
}

#[allow(clippy::too_many_arguments)]
fn vary_page(
    principal: &Principal,
    plan: &Commissioning,
    key: &str,
    form: FormData,
    edited_from: i64,
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> PageResult {
    let agreement = agreement_of(plan, key)?;
    let chosen = form.first("partner").to_owned();
    let mut partners: Vec<(String, String, bool)> = agreement
        .partners()
        .into_iter()
        .map(|i| {
            let p = &plan.parties[i];
            (p.key.clone(), p.name.clone(), p.key == chosen)
        })
        .collect();
    for p in &plan.parties {
        if p.commissioner && !partners.iter().any(|(k, _, _)| *k == p.key) {
            partners.push((p.key.clone(), p.name.clone(), p.key == chosen));
        }
    }
    Ok(render(
        &VaryPage {
            layout: Layout::staff(
                &format!("Vary a contribution to {}", agreement.name),
                principal,
            )
            .with_errors(errors),
            csrf: csrf_of(principal),
            agreement_key: agreement.key.clone(),
            partners,
            form,
            edited_from,
        },
        status,
        Sensitivity::Identifiable,
    ))
}

/// The form's answers as a contribution line, or what is wrong with them.
fn contribution_of(form: &FormData) -> Result<NewContribution, Vec<FieldError>> {
    let mut errors = Vec::new();
    let problem = |field: &str, message: &str| FieldError {
        field: field.into(),
        message: message.into(),
    };
    let amount = match pounds_typed(form.first("amount")) {
        None => {
            errors.push(problem(
                "amount",
                "Enter the annual sum from that day, in pounds",
            ));
            None
        }
        Some(None) => {
            errors.push(problem(
                "amount",
                "The annual sum must be a number of pounds, like 1,500,000 or 1500000.50",
            ));
            None
        }
        Some(amount) => amount,
    };
    let part = |name: &str| form.first(name).trim().parse::<i16>().ok();
    let from = match (part("from-day"), part("from-month"), part("from-year")) {
        (Some(d), Some(m), Some(y)) => jiff::civil::Date::new(y, m as i8, d as i8).ok(),
        _ => None,
    };
    if from.is_none() {
        errors.push(problem(
            "from",
            "Enter the day the new sum takes effect as a real date, for example 1 10 2026",
        ));
    }
    if form.first("partner").trim().is_empty() {
        errors.push(problem(
            "partner",
            "Choose the partner whose contribution varies",
        ));
    }
    if form.first("reason").trim().is_empty() {
        errors.push(problem(
            "reason",
            "Say why the contribution varies (it is kept with the line and the version)",
        ));
    }
    match (amount, from) {
        (Some(amount), Some(from)) if errors.is_empty() => Ok(NewContribution {
            partner: form.first("partner").trim().to_owned(),
            year: FinancialYear::of(from).to_string(),
            amount,
            from: from.to_string(),
            reason: form.first("reason").trim().to_owned(),
        }),
        _ => Err(errors),
    }
}

/// The form to vary a partner's contribution to an agreement.
#[utoipa::path(get, path = "/commissioning/money/agreements/{key}/vary", tag = "pages",
    params(("key" = String, Path, description = "The agreement's key")),
    responses((status = 200, description = "The form", content_type = "text/html"), (status = 404, description = "No such agreement", content_type = "text/html")))]
pub async fn vary_form(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(key): Path<String>,
    RawQuery(query): RawQuery,
) -> PageResult {
    let (number, plan) = record(&state).await?;
    let mut form = FormData::parse(query.unwrap_or_default().as_bytes());
    let edited_from = form.first("edited_from").parse().unwrap_or(number);
    if form.first("partner").is_empty() {
        let first = agreement_of(&plan, &key)?
            .partners()
            .first()
            .map(|&i| plan.parties[i].key.clone())
            .unwrap_or_default();
        form.set("partner", first);
    }
    vary_page(
        &principal,
        &plan,
        &key,
        form,
        edited_from,
        Vec::new(),
        StatusCode::OK,
    )
}

/// Checks the variation (before and after, nothing saved) or, with `confirmed=yes`, saves it.
#[utoipa::path(post, path = "/commissioning/money/agreements/{key}/vary", tag = "pages",
    params(("key" = String, Path, description = "The agreement's key"), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The change to check", content_type = "text/html"), (status = 303, description = "Saved: to the record"), (status = 409, description = "Someone saved meanwhile", content_type = "text/html"), (status = 422, description = "The answers need correcting", content_type = "text/html")))]
pub async fn vary(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(key): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let (number, plan) = record(&state).await?;
    let edited_from: i64 = form.first("edited_from").parse().unwrap_or(number);
    let known = ["partner", "amount", "from", "reason", "document"];
    let refused = |errors: Vec<FieldMessage>, status: StatusCode| {
        vary_page(
            &principal,
            &plan,
            &key,
            form.clone(),
            edited_from,
            errors,
            status,
        )
    };
    let line = match contribution_of(&form) {
        Ok(line) => line,
        Err(errors) => {
            return refused(
                form_messages(errors, &known),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    let made = record_change::vary_contribution(&state.store, &key, &line).await;
    let change = match made_or_refused(made, &known, refused) {
        Ok(change) => change,
        Err(answer) => return *answer,
    };
    if !crate::admin::confirm::confirmed(&form) {
        return vary_check(&principal, &key, &form, &line, &change);
    }
    let agreement = agreement_of(&plan, &key)?;
    let reason = format!(
        "{}: {} from {}. {}",
        agreement.name,
        change_party_name(&change, &line.partner),
        long_date(jiff::civil::Date::strptime("%Y-%m-%d", &line.from).unwrap_or_default()),
        line.reason
    );
    save_and_answer(
        &trail,
        &state,
        &principal,
        edited_from,
        &change,
        &reason,
        &known,
        |version| format!("/commissioning/money?saved={version}#agreement-{key}"),
        refused,
    )
    .await
}

fn change_party_name(change: &Change, key: &str) -> String {
    change
        .after
        .parties
        .iter()
        .find(|p| p.key == key)
        .map_or_else(|| key.to_owned(), |p| p.name.clone())
}

/// The partner's year before and after, and the sum in force the day before the change.
fn vary_check(
    principal: &Principal,
    key: &str,
    form: &FormData,
    line: &NewContribution,
    change: &Change,
) -> PageResult {
    let from = jiff::civil::Date::strptime("%Y-%m-%d", &line.from)
        .map_err(|e| PageError::staff(ApiError::Internal(e.to_string())))?;
    let year = FinancialYear::of(from);
    let party = |plan: &Commissioning| plan.parties.iter().position(|p| p.key == line.partner);
    let sums = |plan: &Commissioning| -> (Money, Money) {
        let agreement = plan.agreements.iter().find(|a| a.key == key);
        match (agreement, party(plan)) {
            (Some(a), Some(p)) => (
                from.yesterday()
                    .map_or(Money::ZERO, |day| a.annual_in_force(p, day)),
                a.contributed(p, year.first_day(), year.end()),
            ),
            _ => (Money::ZERO, Money::ZERO),
        }
    };
    let (in_force_before, year_before) = sums(&change.before);
    let (_, year_after) = sums(&change.after);
    let name = change
        .after
        .agreements
        .iter()
        .find(|a| a.key == key)
        .map_or_else(|| key.to_owned(), |a| a.name.clone());
    let amount = Money::from_pounds(line.amount).unwrap_or(Money::ZERO);
    let lines = vec![
        CheckLine {
            label: "Partner".into(),
            before: String::new(),
            after: change_party_name(change, &line.partner),
        },
        CheckLine {
            label: "Takes effect".into(),
            before: String::new(),
            after: format!("{} ({year})", long_date(from)),
        },
        CheckLine {
            label: "Annual sum".into(),
            before: in_force_before.to_string(),
            after: amount.to_string(),
        },
        CheckLine {
            label: format!("Contribution for {year}"),
            before: year_before.to_string(),
            after: year_after.to_string(),
        },
        CheckLine {
            label: "Why".into(),
            before: String::new(),
            after: line.reason.clone(),
        },
    ];
    let path = vary_path(key);
    check_page(
        principal,
        &format!("Check the variation to {name}"),
        "Nothing is saved yet. The earlier line stays in the record as history; the year's contribution counts each day at the sum in force that day.".into(),
        lines,
        &path,
        form,
        &VARY_FIELDS,
        "Save the variation".into(),
        "/commissioning/money".into(),
    )
}
