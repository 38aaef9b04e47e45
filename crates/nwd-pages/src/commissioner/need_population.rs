//! Loading the population table (permission `manage_commissioning`): paste the CSV, "Check"
//! (nothing loaded: what it holds, or the row and column of the first fault), then "Load" to
//! replace the whole table — the confirmation names what will be replaced. The rates in force
//! are the shipped ones (`config/prevalence.toml`); the CLI loads others.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use nwd_domain::population::read_csv;
use nwd_http::extract::Caller;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::auth::Principal;
use nwd_usecase::error::UseCaseError;
use nwd_usecase::need;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};

#[derive(Template)]
#[template(path = "need_population.html")]
struct LoadPage {
    layout: Layout,
    csrf: String,
    csv: String,
    source: String,
    /// After a good check: what it holds and what it replaces, with the "Load" button.
    checked: Option<String>,
    current: Option<String>,
}

async fn current(state: &AppState) -> Result<Option<String>, PageError> {
    let stored = state.store.population().await.map_err(PageError::staff)?;
    Ok(stored.map(|s| {
        format!(
            "The table in force is load {}: {} ({} rows, {} young people), loaded by {}.",
            s.load.load_id, s.load.source, s.load.rows, s.load.people, s.load.loaded_by
        )
    }))
}

fn page(
    principal: &Principal,
    csv: String,
    source: String,
    checked: Option<String>,
    current: Option<String>,
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> PageResult {
    Ok(render(
        &LoadPage {
            layout: Layout::staff("Load a population table", principal).with_errors(errors),
            csrf: principal.csrf_token.clone().unwrap_or_default(),
            csv,
            source,
            checked,
            current,
        },
        status,
        Sensitivity::Identifiable,
    ))
}

/// The form.
#[utoipa::path(get, path = "/commissioning/need/population", tag = "pages",
    responses((status = 200, description = "The population upload form", content_type = "text/html")))]
pub async fn form(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let current = current(&state).await?;
    page(
        &principal,
        String::new(),
        String::new(),
        None,
        current,
        Vec::new(),
        StatusCode::OK,
    )
}

/// Checks (`action=check`) or loads (`action=load`) the pasted table.
#[utoipa::path(post, path = "/commissioning/need/population", tag = "pages",
    params(("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Checked: what it holds, and Load to confirm", content_type = "text/html"), (status = 303, description = "Loaded: to the need page"), (status = 422, description = "The table needs correcting", content_type = "text/html")))]
pub async fn load(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let csv = form.first("csv").replace("\r\n", "\n");
    let source = form.first("source").trim().to_owned();
    let current = current(&state).await?;
    let refuse = |message: String| {
        page(
            &principal,
            csv.clone(),
            source.clone(),
            None,
            current.clone(),
            vec![FieldMessage::new("csv", message)],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    if source.is_empty() {
        return page(
            &principal,
            csv.clone(),
            source.clone(),
            None,
            current.clone(),
            vec![FieldMessage::new("source", "Enter where the table comes from, for example \"ONS mid-2023 estimates by postcode district\"")],
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    if form.first("action") != "load" {
        return match read_csv(csv.as_bytes()) {
            Ok(p) => {
                let words = format!(
                    "The table checks: {} rows, {} districts, {} young people aged 0 to 25. Nothing is loaded until you load it: loading replaces the whole table in force.",
                    p.rows(),
                    p.areas().len(),
                    p.people()
                );
                page(
                    &principal,
                    csv.clone(),
                    source.clone(),
                    Some(words),
                    current.clone(),
                    Vec::new(),
                    StatusCode::OK,
                )
            }
            Err(e) => refuse(e.to_string()),
        };
    }
    match need::load_population(
        &state.store,
        &trail.signed_in(&principal),
        csv.as_bytes(),
        None,
        &principal.display_name,
        &source,
    )
    .await
    {
        Ok(loaded) => Ok(see_other(&format!(
            "/commissioning/need?loaded={}",
            loaded.load_id
        ))),
        Err(UseCaseError::Invalid(fields)) => refuse(
            fields
                .into_iter()
                .map(|f| f.message)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Err(other) => Err(PageError::staff(other)),
    }
}
