//! Changing the commissioning record (permission `manage_commissioning`): the record in force
//! as TOML in a form, "Check" (nothing saved: what it holds, or every problem under its field
//! path) then "Save" with a reason; the history of versions, each readable, and "Restore" (as
//! a new version, after "Are you sure?") as the way back. Two people editing at once: the
//! second save is refused, naming who saved meanwhile, with the text kept in the form.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nwd_domain::commissioning::Commissioning;
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::auth::Principal;
use nwd_store::StoreError;
use nwd_usecase::commissioning;
use nwd_usecase::error::UseCaseError;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};

#[derive(Template)]
#[template(path = "money_edit.html")]
struct EditPage {
    layout: Layout,
    csrf: String,
    edited_from: i64,
    source: String,
    reason: String,
    checked: Option<String>,
}

/// One version in the history.
struct VersionLine {
    version: i64,
    saved_by: String,
    saved_at: String,
    reason: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "money_history.html")]
struct HistoryPage {
    layout: Layout,
    versions: Vec<VersionLine>,
}

#[derive(Template)]
#[template(path = "money_version.html")]
struct VersionPage {
    layout: Layout,
    csrf: String,
    version: i64,
    saved: String,
    source: String,
    current: bool,
    edited_from: i64,
}

fn when(state: &AppState, at: jiff::Timestamp) -> String {
    at.to_zoned(state.store.tz().clone())
        .strftime("%-d %B %Y at %H:%M")
        .to_string()
}

/// What a checked record holds, in a sentence.
fn holds(plan: &Commissioning) -> String {
    let elements: usize = plan.contracts.iter().map(|c| c.elements.len()).sum();
    let kpis: usize = plan.contracts.iter().map(|c| c.kpis.len()).sum();
    format!(
        "The record checks: {} parties, {} agreements, {} contracts with {} funded elements and {} KPIs. Nothing is saved until you save it.",
        plan.parties.len(),
        plan.agreements.len(),
        plan.contracts.len(),
        elements,
        kpis
    )
}

/// Field problems as messages on the document box (each naming its path).
fn messages(fields: Vec<nwd_domain::FieldError>) -> Vec<FieldMessage> {
    fields
        .into_iter()
        .map(|f| {
            let id = if f.field == "reason" {
                "reason"
            } else {
                "source"
            };
            let message = if f.field == "reason" || f.field == "document" {
                f.message
            } else {
                format!("{}: {}", f.field, f.message)
            };
            FieldMessage::new(id, message)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn edit_page(
    principal: &Principal,
    edited_from: i64,
    source: String,
    reason: String,
    checked: Option<String>,
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> PageResult {
    Ok(render(
        &EditPage {
            layout: Layout::staff("Change the commissioning record", principal).with_errors(errors),
            csrf: principal.csrf_token.clone().unwrap_or_default(),
            edited_from,
            source,
            reason,
            checked,
        },
        status,
        Sensitivity::Identifiable,
    ))
}

/// The record in force, in a form to change.
#[utoipa::path(get, path = "/commissioning/money/edit", tag = "pages",
    responses((status = 200, description = "The record as TOML in a form", content_type = "text/html")))]
pub async fn form(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let current = state
        .store
        .commissioning_current()
        .await
        .map_err(PageError::staff)?;
    let (version, source) = current.map_or((0, String::new()), |v| (v.version, v.source));
    edit_page(
        &principal,
        version,
        source,
        String::new(),
        None,
        Vec::new(),
        StatusCode::OK,
    )
}

/// Checks (`action=check`) or saves (`action=save`) the record.
#[utoipa::path(post, path = "/commissioning/money/edit", tag = "pages",
    params(("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Checked: what it holds", content_type = "text/html"), (status = 303, description = "Saved: to the record"), (status = 409, description = "Someone saved meanwhile", content_type = "text/html"), (status = 422, description = "The record needs correcting", content_type = "text/html")))]
pub async fn save(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let source = form.first("source").replace("\r\n", "\n");
    let reason = form.first("reason").to_owned();
    let edited_from: i64 = form.first("edited_from").parse().unwrap_or(-1);
    if form.first("action") != "save" {
        return match commissioning::check_source(&state.store, &source).await {
            Ok(plan) => edit_page(
                &principal,
                edited_from,
                source,
                reason,
                Some(holds(&plan)),
                Vec::new(),
                StatusCode::OK,
            ),
            Err(UseCaseError::Invalid(fields)) => edit_page(
                &principal,
                edited_from,
                source,
                reason,
                None,
                messages(fields),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            Err(other) => Err(PageError::staff(other)),
        };
    }
    match commissioning::save(
        &state.store,
        &trail.signed_in(&principal),
        &principal.display_name,
        edited_from,
        &source,
        &reason,
    )
    .await
    {
        Ok(version) => Ok(see_other(&format!("/commissioning/money?saved={version}"))),
        Err(UseCaseError::Invalid(fields)) => edit_page(
            &principal,
            edited_from,
            source,
            reason,
            None,
            messages(fields),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(UseCaseError::Store(StoreError::Conflict {
            current, changes, ..
        })) => {
            let who = changes
                .iter()
                .map(|c| {
                    format!(
                        "version {} by {} on {}",
                        c.version,
                        c.actor,
                        when(&state, c.at)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            let message = format!(
                "Someone saved the record while you were changing it ({who}). Nothing of yours was saved: your text is below. Open the record again in a new tab, copy your changes into it, and save."
            );
            edit_page(
                &principal,
                i64::from(current),
                source,
                reason,
                None,
                vec![FieldMessage::new("source", message)],
                StatusCode::CONFLICT,
            )
        }
        Err(other) => Err(PageError::staff(other)),
    }
}

/// Every version of the record.
#[utoipa::path(get, path = "/commissioning/money/history", tag = "pages",
    responses((status = 200, description = "The versions", content_type = "text/html")))]
pub async fn history(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let versions = state
        .store
        .commissioning_versions()
        .await
        .map_err(PageError::staff)?;
    let newest = versions.first().map_or(0, |v| v.version);
    let versions = versions
        .into_iter()
        .map(|v| VersionLine {
            current: v.version == newest,
            version: v.version,
            saved_at: when(&state, v.saved_at),
            saved_by: v.saved_by,
            reason: v.reason,
        })
        .collect();
    Ok(render(
        &HistoryPage {
            layout: Layout::staff("History of the commissioning record", &principal),
            versions,
        },
        StatusCode::OK,
        Sensitivity::Identifiable,
    ))
}

async fn version_of(
    state: &AppState,
    version: i64,
) -> Result<(nwd_store::commissioning::CommissioningVersion, i64), PageError> {
    let found = state
        .store
        .commissioning_version(version)
        .await
        .map_err(PageError::staff)?
        .ok_or_else(|| {
            PageError::staff(ApiError::NotFound(format!(
                "no version {version} of the record"
            )))
        })?;
    let newest = state
        .store
        .commissioning_current()
        .await
        .map_err(PageError::staff)?
        .map_or(0, |v| v.version);
    Ok((found, newest))
}

/// One version as it was saved.
#[utoipa::path(get, path = "/commissioning/money/history/{version}", tag = "pages",
    params(("version" = i64, Path)),
    responses((status = 200, description = "The version", content_type = "text/html"), (status = 404, description = "No such version", content_type = "text/html")))]
pub async fn version(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(version): Path<i64>,
) -> PageResult {
    let (found, newest) = version_of(&state, version).await?;
    Ok(render(
        &VersionPage {
            layout: Layout::staff(
                &format!("Version {version} of the commissioning record"),
                &principal,
            ),
            csrf: principal.csrf_token.clone().unwrap_or_default(),
            version,
            saved: format!(
                "Saved by {} on {}: {}",
                found.saved_by,
                when(&state, found.saved_at),
                found.reason
            ),
            source: found.source,
            current: version == newest,
            edited_from: newest,
        },
        StatusCode::OK,
        Sensitivity::Identifiable,
    ))
}

/// Restores a version as the newest (after "Are you sure?").
#[utoipa::path(post, path = "/commissioning/money/history/{version}/restore", tag = "pages",
    params(("version" = i64, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Restored: to the record, or to the question"), (status = 404, description = "No such version", content_type = "text/html"), (status = 409, description = "Someone saved meanwhile", content_type = "text/html"), (status = 422, description = "It no longer checks", content_type = "text/html")))]
pub async fn restore(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(version): Path<i64>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let action = format!("/commissioning/money/history/{version}/restore");
    if !crate::admin::confirm::confirmed(&form) {
        return Ok(crate::admin::confirm::to_question(&action, &form));
    }
    let edited_from: i64 = form.first("edited_from").parse().unwrap_or(-1);
    let reason = format!("Restored version {version}");
    match commissioning::restore(
        &state.store,
        &trail.signed_in(&principal),
        &principal.display_name,
        edited_from,
        version,
        &reason,
    )
    .await
    {
        Ok(saved) => Ok(see_other(&format!("/commissioning/money?saved={saved}"))),
        Err(UseCaseError::Invalid(fields)) => {
            let (found, newest) = version_of(&state, version).await?;
            edit_page(
                &principal,
                newest,
                found.source,
                reason,
                None,
                messages(fields),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(UseCaseError::Store(StoreError::Conflict { .. })) => {
            let (found, newest) = version_of(&state, version).await?;
            Ok(render(
                &VersionPage {
                    layout: Layout::staff(&format!("Version {version} of the commissioning record"), &principal)
                        .with_errors(vec![FieldMessage::new("restore", "Someone saved the record since you opened this page: nothing was restored. Check the history, then restore again if you still want to.")]),
                    csrf: principal.csrf_token.clone().unwrap_or_default(),
                    version,
                    saved: format!("Saved by {} on {}: {}", found.saved_by, when(&state, found.saved_at), found.reason),
                    source: found.source,
                    current: version == newest,
                    edited_from: newest,
                },
                StatusCode::CONFLICT,
                Sensitivity::Identifiable,
            ))
        }
        Err(other) => Err(PageError::staff(other)),
    }
}

/// "Are you sure?" before restoring a version.
#[utoipa::path(get, path = "/commissioning/money/history/{version}/restore", tag = "pages",
    params(("version" = i64, Path)),
    responses((status = 200, description = "The confirmation page", content_type = "text/html")))]
pub async fn restore_question(
    Caller(principal): Caller,
    Path(version): Path<i64>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> PageResult {
    let form = FormData::parse(query.unwrap_or_default().as_bytes());
    crate::admin::confirm::ask(
        &principal,
        &form,
        crate::admin::confirm::Question {
            title: format!("Restore version {version} of the commissioning record?"),
            consequence: "Its agreements, contributions and contracts become the record in force, as a new version; every statement is priced from it at once. The version in force now stays in the history, so you can restore it again.".into(),
            button: format!("Yes, restore version {version}"),
            action: format!("/commissioning/money/history/{version}/restore"),
            back: format!("/commissioning/money/history/{version}"),
        },
    )
}
