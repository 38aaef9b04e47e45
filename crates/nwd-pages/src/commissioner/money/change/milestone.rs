//! A Transformation Plan milestone's status and evidence: the form, the check and the save.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use nwd_domain::commissioning::edit::MilestoneUpdate;
use nwd_domain::commissioning::transformation::MilestoneStatus;
use nwd_domain::commissioning::{Commissioning, FinancialYear};
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::auth::Principal;
use nwd_usecase::record_change;

use super::super::long_date;
use super::{check_page, csrf_of, made_or_refused, record, save_and_answer, CheckLine};
use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};

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

const MILESTONE_FIELDS: [&str; 3] = ["status", "evidence", "edited_from"];

/// `2026-27` in a path is the year `2026/27`.
pub(super) fn year_of_path(year: &str) -> Result<FinancialYear, PageError> {
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
    let made =
        record_change::update_milestone(&state.store, &year.to_string(), number - 1, &update).await;
    let change = match made_or_refused(made, &known, refused) {
        Ok(change) => change,
        Err(answer) => return *answer,
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
    save_and_answer(
        &trail,
        &state,
        &principal,
        edited_from,
        &change,
        &reason,
        &known,
        |version| {
            format!(
                "/commissioning/plan?year={}&saved={version}#actions-heading",
                year.to_string().replace('/', "%2F")
            )
        },
        refused,
    )
    .await
}
