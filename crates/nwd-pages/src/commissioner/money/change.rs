//! Changing the commissioning record by form (permission `manage_commissioning`), for the
//! changes made during a year without touching the record's text: a partner's contribution
//! varied from a day (Money and contracts, under each agreement) and a Transformation Plan
//! milestone's status and evidence (the plan's action plan). Each is a form, then "Check the
//! change" (before and after, nothing saved yet) with a "Save" button and a link back to the
//! form; the way back after saving is the record's history ("Restore"). The change itself and
//! its checks are `nwd_usecase::record_change`'s; two people at once are refused as a save of
//! the whole text is, naming who saved meanwhile.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use nwd_domain::commissioning::edit::{MilestoneUpdate, NewContribution};
use nwd_domain::commissioning::transformation::MilestoneStatus;
use nwd_domain::commissioning::{Commissioning, FinancialYear, Money};
use nwd_domain::FieldError;
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::auth::Principal;
use nwd_store::StoreError;
use nwd_usecase::error::UseCaseError;
use nwd_usecase::record_change::{self, Change};

use super::long_date;
use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};

/// One line of the "check the change" page.
struct CheckLine {
    label: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "money_change_check.html")]
struct CheckPage {
    layout: Layout,
    intro: String,
    lines: Vec<CheckLine>,
    action: String,
    fields: Vec<(String, String)>,
    button: String,
    change_link: String,
    cancel: String,
}

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

#[derive(Template)]
#[template(path = "money_milestone.html")]
struct MilestonePage {
    layout: Layout,
    csrf: String,
    path: String,
    year: String,
    action_text: String,
    owner: String,
    due: String,
    statuses: Vec<(&'static str, &'static str, bool)>,
    evidence: String,
    edited_from: i64,
}

fn form_messages(fields: Vec<FieldError>, known: &[&str]) -> Vec<FieldMessage> {
    fields
        .into_iter()
        .map(|f| {
            let id = if known.contains(&f.field.as_str()) {
                f.field.as_str()
            } else {
                "document"
            };
            FieldMessage::new(id, f.message)
        })
        .collect()
}

fn conflict_message(state: &AppState, error: &StoreError) -> String {
    let who = match error {
        StoreError::Conflict { changes, .. } => changes
            .iter()
            .map(|c| {
                format!(
                    "version {} by {} on {}",
                    c.version,
                    c.actor,
                    c.at.to_zoned(state.store.tz().clone())
                        .strftime("%-d %B %Y at %H:%M")
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => String::new(),
    };
    format!("Someone saved the record while you were changing it ({who}). Nothing of yours was saved: check the record as it is now, then make your change again.")
}

async fn record(state: &AppState) -> Result<(i64, Commissioning), PageError> {
    let record = nwd_usecase::commissioning::current(&state.store)
        .await
        .map_err(PageError::staff)?;
    let number = record.number();
    let plan = record.plan.map_err(|_| {
        PageError::staff(ApiError::NotFound(
            "the commissioning record no longer checks: correct it as text on the Money and contracts page".into(),
        ))
    })?;
    Ok((number, plan))
}

fn csrf_of(principal: &Principal) -> String {
    principal.csrf_token.clone().unwrap_or_default()
}

fn action_with_csrf(principal: &Principal, action: &str) -> String {
    let csrf: String = form_urlencoded::byte_serialize(csrf_of(principal).as_bytes()).collect();
    format!("{action}?csrf={csrf}")
}

fn query_of(form: &FormData, names: &[&str]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(names.iter().map(|n| (*n, form.first(n))))
        .finish()
}

// ---- A contribution varied ----

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
    let amount_text: String = form
        .first("amount")
        .trim()
        .trim_start_matches('£')
        .replace(',', "");
    let amount = if amount_text.is_empty() {
        errors.push(problem(
            "amount",
            "Enter the annual sum from that day, in pounds",
        ));
        None
    } else {
        match amount_text.parse::<f64>() {
            Ok(v) if v.is_finite() => Some(v),
            _ => {
                errors.push(problem(
                    "amount",
                    "The annual sum must be a number of pounds, like 1,500,000 or 1500000.50",
                ));
                None
            }
        }
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
    let change = match record_change::vary_contribution(&state.store, &key, &line).await {
        Ok(change) => change,
        Err(UseCaseError::Invalid(errors)) => {
            return refused(
                form_messages(errors, &known),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(other) => return Err(PageError::staff(other)),
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
    let reason: String = reason
        .chars()
        .take(nwd_usecase::commissioning::MAX_REASON)
        .collect();
    match record_change::save_change(
        &state.store,
        &trail.signed_in(&principal),
        &principal.display_name,
        edited_from,
        &change,
        &reason,
    )
    .await
    {
        Ok(version) => Ok(see_other(&format!(
            "/commissioning/money?saved={version}#agreement-{key}"
        ))),
        Err(UseCaseError::Invalid(errors)) => refused(
            form_messages(errors, &known),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(UseCaseError::Store(error @ StoreError::Conflict { .. })) => refused(
            vec![FieldMessage::new(
                "document",
                conflict_message(&state, &error),
            )],
            StatusCode::CONFLICT,
        ),
        Err(other) => Err(PageError::staff(other)),
    }
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

#[allow(clippy::too_many_arguments)]
fn check_page(
    principal: &Principal,
    title: &str,
    intro: String,
    lines: Vec<CheckLine>,
    path: &str,
    form: &FormData,
    names: &[&str],
    button: String,
    cancel: String,
) -> PageResult {
    Ok(render(
        &CheckPage {
            layout: Layout::staff(title, principal),
            intro,
            lines,
            action: action_with_csrf(principal, path),
            fields: names
                .iter()
                .map(|n| ((*n).to_owned(), form.first(n).to_owned()))
                .collect(),
            button,
            change_link: format!("{path}?{}", query_of(form, names)),
            cancel,
        },
        StatusCode::OK,
        Sensitivity::Identifiable,
    ))
}

// ---- A milestone updated ----

const MILESTONE_FIELDS: [&str; 3] = ["status", "evidence", "edited_from"];

/// `2026-27` in a path is the year `2026/27`.
fn year_of_path(year: &str) -> Result<FinancialYear, PageError> {
    FinancialYear::parse(&year.replacen('-', "/", 1))
        .map_err(|e| PageError::staff(ApiError::NotFound(format!("no such plan year: {e}"))))
}

pub(crate) fn milestone_path(year: FinancialYear, number: usize) -> String {
    format!(
        "/commissioning/plan/{}/milestones/{number}",
        year.to_string().replace('/', "-")
    )
}

fn action_of(
    plan: &Commissioning,
    year: FinancialYear,
    number: usize,
) -> Result<&nwd_domain::commissioning::transformation::Action, PageError> {
    plan.plans
        .iter()
        .find(|p| p.year == year)
        .and_then(|p| number.checked_sub(1).and_then(|i| p.actions.get(i)))
        .ok_or_else(|| {
            PageError::staff(ApiError::NotFound(format!(
                "the {year} plan has no milestone {number}"
            )))
        })
}

#[allow(clippy::too_many_arguments)]
fn milestone_page(
    principal: &Principal,
    plan: &Commissioning,
    year: FinancialYear,
    number: usize,
    status: Option<MilestoneStatus>,
    evidence: Option<String>,
    edited_from: i64,
    errors: Vec<FieldMessage>,
    code: StatusCode,
) -> PageResult {
    let action = action_of(plan, year, number)?;
    let status = status.unwrap_or(action.status);
    Ok(render(
        &MilestonePage {
            layout: Layout::staff(
                &format!("Update milestone {number} of the {year} plan"),
                principal,
            )
            .with_errors(errors),
            csrf: csrf_of(principal),
            path: milestone_path(year, number),
            year: year.to_string(),
            action_text: action.action.clone(),
            owner: plan.parties[action.owner].name.clone(),
            due: long_date(action.due),
            statuses: MilestoneStatus::ALL
                .into_iter()
                .map(|s| (s.code(), s.label(), s == status))
                .collect(),
            evidence: evidence.unwrap_or_else(|| action.evidence.clone().unwrap_or_default()),
            edited_from,
        },
        code,
        Sensitivity::Identifiable,
    ))
}

/// The form to update a milestone of a year's Transformation Plan.
#[utoipa::path(get, path = "/commissioning/plan/{year}/milestones/{number}", tag = "pages",
    params(("year" = String, Path, description = "The financial year, 2026-27"), ("number" = usize, Path, description = "The milestone's number in the action plan, from 1")),
    responses((status = 200, description = "The form", content_type = "text/html"), (status = 404, description = "No such milestone", content_type = "text/html")))]
pub async fn milestone_form(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path((year, number)): Path<(String, usize)>,
    RawQuery(query): RawQuery,
) -> PageResult {
    let year = year_of_path(&year)?;
    let (current, plan) = record(&state).await?;
    let form = FormData::parse(query.unwrap_or_default().as_bytes());
    let status = MilestoneStatus::parse(form.first("status"));
    let evidence = (!form.first("status").is_empty()).then(|| form.first("evidence").to_owned());
    let edited_from = form.first("edited_from").parse().unwrap_or(current);
    milestone_page(
        &principal,
        &plan,
        year,
        number,
        status,
        evidence,
        edited_from,
        Vec::new(),
        StatusCode::OK,
    )
}

/// Checks the milestone's update (before and after, nothing saved) or, with
/// `confirmed=yes`, saves it.
#[utoipa::path(post, path = "/commissioning/plan/{year}/milestones/{number}", tag = "pages",
    params(("year" = String, Path, description = "The financial year, 2026-27"), ("number" = usize, Path, description = "The milestone's number, from 1"), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The change to check", content_type = "text/html"), (status = 303, description = "Saved: to the plan"), (status = 409, description = "Someone saved meanwhile", content_type = "text/html"), (status = 422, description = "The answers need correcting", content_type = "text/html")))]
pub async fn milestone(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path((year, number)): Path<(String, usize)>,
    body: Bytes,
) -> PageResult {
    let year = year_of_path(&year)?;
    let form = FormData::parse(&body);
    let (current, plan) = record(&state).await?;
    let before = action_of(&plan, year, number)?.clone();
    let edited_from: i64 = form.first("edited_from").parse().unwrap_or(current);
    let status = MilestoneStatus::parse(form.first("status"));
    let evidence = form.first("evidence").trim().to_owned();
    let known = ["status", "evidence", "document"];
    let refused = |errors: Vec<FieldMessage>, code: StatusCode| {
        milestone_page(
            &principal,
            &plan,
            year,
            number,
            status,
            Some(evidence.clone()),
            edited_from,
            errors,
            code,
        )
    };
    let Some(status) = status else {
        return refused(
            vec![FieldMessage::new(
                "status",
                "Choose where the milestone stands",
            )],
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let update = MilestoneUpdate {
        status,
        evidence: (!evidence.is_empty()).then(|| evidence.clone()),
    };
    let change =
        match record_change::update_milestone(&state.store, &year.to_string(), number - 1, &update)
            .await
        {
            Ok(change) => change,
            Err(UseCaseError::Invalid(errors)) => {
                return refused(
                    form_messages(errors, &known),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            }
            Err(other) => return Err(PageError::staff(other)),
        };
    let path = milestone_path(year, number);
    if !crate::admin::confirm::confirmed(&form) {
        let show = |e: &Option<String>| e.clone().unwrap_or_else(|| "None".into());
        return check_page(
            &principal,
            &format!("Check the update to milestone {number}"),
            format!(
                "“{}”, owned by {}, due {}. Nothing is saved yet.",
                before.action,
                plan.parties[before.owner].name,
                long_date(before.due)
            ),
            vec![
                CheckLine {
                    label: "Status".into(),
                    before: before.status.label().into(),
                    after: status.label().into(),
                },
                CheckLine {
                    label: "Evidence".into(),
                    before: show(&before.evidence),
                    after: show(&update.evidence),
                },
            ],
            &path,
            &form,
            &MILESTONE_FIELDS,
            "Save the update".into(),
            format!(
                "/commissioning/plan?year={}",
                year.to_string().replace('/', "%2F")
            ),
        );
    }
    let reason = format!(
        "Milestone {number} of the {year} plan: {} → {}",
        before.status.label(),
        status.label()
    );
    match record_change::save_change(
        &state.store,
        &trail.signed_in(&principal),
        &principal.display_name,
        edited_from,
        &change,
        &reason,
    )
    .await
    {
        Ok(version) => Ok(see_other(&format!(
            "/commissioning/plan?year={}&saved={version}#actions-heading",
            year.to_string().replace('/', "%2F")
        ))),
        Err(UseCaseError::Invalid(errors)) => refused(
            form_messages(errors, &known),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(UseCaseError::Store(error @ StoreError::Conflict { .. })) => refused(
            vec![FieldMessage::new(
                "document",
                conflict_message(&state, &error),
            )],
            StatusCode::CONFLICT,
        ),
        Err(other) => Err(PageError::staff(other)),
    }
}
