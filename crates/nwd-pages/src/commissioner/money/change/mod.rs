//! Changing the commissioning record by form (permission `manage_commissioning`), for the
//! changes made during a year without touching the record's text: a partner's contribution
//! varied from a day (Money and contracts, under each agreement), a Transformation Plan
//! milestone's status and evidence (the plan's action plan), a provider's declared staff and
//! a contract's value for a financial year and a contract KPI's threshold (the contract's
//! page). Each is a form, then "Check the
//! change" (before and after, nothing saved yet) with a "Save" button and a link back to the
//! form; the way back after saving is the record's history ("Restore"). The change itself and
//! its checks are `nwd_usecase::record_change`'s; two people at once are refused as a save of
//! the whole text is, naming who saved meanwhile.
//!
//! `vary` holds the contribution's form, `milestone` the milestone's, `staff` a provider's
//! declared staff line's, `value` a contract's value for a year, `kpi` a contract KPI's threshold; this module the "check the
//! change" page and what they share.

pub mod kpi;
pub mod milestone;
pub mod staff;
pub mod value;
pub mod vary;

pub(crate) use kpi::kpi_path;
pub(crate) use milestone::milestone_path;
pub(crate) use staff::staff_path;
pub(crate) use value::value_path;

use askama::Template;
use axum::http::StatusCode;
use nwd_domain::commissioning::Commissioning;
use nwd_domain::FieldError;
use nwd_http::problem::ApiError;
use nwd_http::AppState;
use nwd_store::auth::Principal;
use nwd_store::StoreError;

use crate::form::FormData;
use nwd_http::secure::RequestAudit;
use nwd_usecase::error::UseCaseError;
use nwd_usecase::record_change::{self, Change};

use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};

/// One line of the "check the change" page.
pub(super) struct CheckLine {
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

/// A sum typed in pounds, `£1,500,000` or `1500000.50`: `None` when blank, `Some(None)` when
/// not a number.
pub(super) fn pounds_typed(text: &str) -> Option<Option<f64>> {
    let text = text.trim().trim_start_matches('£').replace(',', "");
    if text.is_empty() {
        return None;
    }
    Some(text.parse::<f64>().ok().filter(|v| v.is_finite()))
}

pub(super) fn form_messages(fields: Vec<FieldError>, known: &[&str]) -> Vec<FieldMessage> {
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

/// The change the use case made of a form's answers, or the answer refusing them: the form
/// again through `refused`, with each problem under the `known` field it concerns (422).
pub(super) fn made_or_refused(
    made: Result<Change, UseCaseError>,
    known: &[&str],
    refused: impl FnOnce(Vec<FieldMessage>, StatusCode) -> PageResult,
) -> Result<Change, Box<PageResult>> {
    match made {
        Ok(change) => Ok(change),
        Err(UseCaseError::Invalid(errors)) => Err(Box::new(refused(
            form_messages(errors, known),
            StatusCode::UNPROCESSABLE_ENTITY,
        ))),
        Err(other) => Err(Box::new(Err(PageError::staff(other)))),
    }
}

/// Saves `change` (made on the form opened on `edited_from`) with `reason` (cut to the
/// record's longest reason), and answers: to
/// `then(version)` when saved, else the form again through `refused` — its problems under
/// the `known` fields, or who saved meanwhile (409).
#[allow(clippy::too_many_arguments)]
pub(super) async fn save_and_answer(
    trail: &RequestAudit,
    state: &AppState,
    principal: &Principal,
    edited_from: i64,
    change: &Change,
    reason: &str,
    known: &[&str],
    then: impl FnOnce(i64) -> String,
    refused: impl FnOnce(Vec<FieldMessage>, StatusCode) -> PageResult,
) -> PageResult {
    let reason: String = reason
        .chars()
        .take(nwd_usecase::commissioning::MAX_REASON)
        .collect();
    match record_change::save_change(
        &state.store,
        &trail.signed_in(principal),
        &principal.display_name,
        edited_from,
        change,
        &reason,
    )
    .await
    {
        Ok(version) => Ok(see_other(&then(version))),
        Err(UseCaseError::Invalid(errors)) => refused(
            form_messages(errors, known),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(UseCaseError::Store(error @ StoreError::Conflict { .. })) => refused(
            vec![FieldMessage::new(
                "document",
                conflict_message(state, &error),
            )],
            StatusCode::CONFLICT,
        ),
        Err(other) => Err(PageError::staff(other)),
    }
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

pub(super) async fn record(state: &AppState) -> Result<(i64, Commissioning), PageError> {
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

pub(super) fn csrf_of(principal: &Principal) -> String {
    principal.csrf_token.clone().unwrap_or_default()
}

pub(super) fn action_with_csrf(principal: &Principal, action: &str) -> String {
    let csrf: String = form_urlencoded::byte_serialize(csrf_of(principal).as_bytes()).collect();
    format!("{action}?csrf={csrf}")
}

pub(super) fn query_of(form: &FormData, names: &[&str]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(names.iter().map(|n| (*n, form.first(n))))
        .finish()
}

#[allow(clippy::too_many_arguments)]
pub(super) fn check_page(
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
