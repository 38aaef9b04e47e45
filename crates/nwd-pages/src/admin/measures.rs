//! The routine outcome measures and their wording (issue 19), for whoever manages the service
//! directory: which measures ship with their questions, which have the organisation's licensed
//! wording loaded, and for each measure shipped without it a form to load (or replace) the
//! wording — TOML, JSON or a FHIR `Questionnaire`, pasted — and a button to remove it, with
//! "Are you sure?" first (`admin::confirm`). What the wording must satisfy, and where it is
//! used, is `nwd_usecase::measure_texts`'s.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use nwd_http::extract::Caller;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_outcomes::MeasureDefinition;
use nwd_usecase::measure_texts::{self, MeasureWording};
use serde::Deserialize;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};

/// One row of the list.
struct Row {
    code: String,
    name: String,
    completed_by: String,
    wording: String,
    tag: &'static str,
}

#[derive(Template)]
#[template(path = "admin_measures.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "admin_measure.html")]
struct MeasurePage {
    layout: Layout,
    code: String,
    name: String,
    licence: String,
    shipped: bool,
    loaded: Option<String>,
    questions: usize,
    csrf: String,
    text: String,
    shape: String,
}

fn completed_by(definition: &MeasureDefinition) -> String {
    definition
        .completed_by
        .iter()
        .map(|r| match r {
            nwd_outcomes::Rater::YoungPerson => "young person",
            nwd_outcomes::Rater::ParentOrCarer => "parent or carer",
            nwd_outcomes::Rater::Clinician => "clinician",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn loaded_words(state: &AppState, wording: &MeasureWording) -> Option<String> {
    wording.loaded.as_ref().map(|(by, at)| {
        format!(
            "Loaded by {by} on {}",
            at.to_zoned(state.store.tz().clone()).strftime("%-d %B %Y")
        )
    })
}

/// The measures and whether each can be shown question by question.
#[utoipa::path(get, path = "/staff/admin/measures", tag = "pages",
    responses((status = 200, description = "The measures", content_type = "text/html")))]
pub async fn list(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let all = measure_texts::all(&state.store)
        .await
        .map_err(PageError::staff)?;
    let rows = all
        .iter()
        .map(|m| {
            let (wording, tag) = if m.shipped {
                ("Shipped with its questions".to_owned(), "nhsuk-tag--green")
            } else if let Some(words) = loaded_words(&state, m) {
                (words, "nhsuk-tag--blue")
            } else {
                (
                    "Scores only: wording not loaded".to_owned(),
                    "nhsuk-tag--grey",
                )
            };
            Row {
                code: m.definition.code.clone(),
                name: m.definition.name.clone(),
                completed_by: completed_by(&m.definition),
                wording,
                tag,
            }
        })
        .collect();
    Ok(render(
        &ListPage {
            layout: Layout::staff("Outcome measures", &principal),
            rows,
        },
        StatusCode::OK,
        Sensitivity::Identifiable,
    ))
}

/// A skeleton of the wording file for `definition`: every item and answer set it needs.
fn shape(definition: &MeasureDefinition) -> String {
    let mut out = format!(
        "measure = \"{}\"\nlicence = \"Used under licence from … (your agreement)\"\npreamble = \"…\"\n\n[items]\n",
        definition.code
    );
    for item in &definition.items {
        out.push_str(&format!("{} = \"…\"\n", item.id));
    }
    let mut sets: Vec<&String> = definition.items.iter().map(|i| &i.responses).collect();
    sets.sort();
    sets.dedup();
    let sets: Vec<_> = sets
        .into_iter()
        .filter_map(|name| Some((name, definition.response_sets.get(name)?)))
        .filter(|(_, set)| set.range.is_none())
        .collect();
    if !sets.is_empty() {
        out.push_str("\n[labels]\n");
        for (name, set) in sets {
            let labels: Vec<String> = set
                .options
                .iter()
                .map(|o| format!("\"… ({})\"", o.value))
                .collect();
            out.push_str(&format!("{name} = [{}]\n", labels.join(", ")));
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
async fn measure_page(
    state: &AppState,
    principal: &nwd_store::auth::Principal,
    code: &str,
    text: String,
    errors: Vec<FieldMessage>,
    success: Option<String>,
    status: StatusCode,
) -> PageResult {
    let all = measure_texts::all(&state.store)
        .await
        .map_err(PageError::staff)?;
    let Some(wording) = all.iter().find(|m| m.definition.code == code) else {
        return Err(PageError::staff(ApiError::NotFound(format!(
            "no measure {code:?}"
        ))));
    };
    let definition = &wording.definition;
    Ok(render(
        &MeasurePage {
            layout: Layout::staff(&definition.name, principal)
                .with_errors(errors)
                .with_success(success),
            code: code.to_owned(),
            name: definition.name.clone(),
            licence: definition.licence.clone(),
            shipped: wording.shipped,
            loaded: loaded_words(state, wording),
            questions: definition.items.len(),
            csrf: principal.csrf_token.clone().unwrap_or_default(),
            text,
            shape: shape(nwd_outcomes::bundled().get(code).unwrap_or(definition)),
        },
        status,
        Sensitivity::Identifiable,
    ))
}

/// What the page was reached with after a change.
#[derive(Debug, Deserialize)]
pub struct Done {
    /// `loaded` or `removed`.
    done: Option<String>,
}

/// One measure: its wording, and the form to load it.
#[utoipa::path(get, path = "/staff/admin/measures/{code}", tag = "pages",
    params(("code" = String, Path), ("done" = Option<String>, Query, description = "`loaded` or `removed`, after a change")),
    responses((status = 200, description = "The measure", content_type = "text/html"), (status = 404, description = "Not found", content_type = "text/html")))]
pub async fn measure(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(code): Path<String>,
    Query(done): Query<Done>,
) -> PageResult {
    let success = match done.done.as_deref() {
        Some("loaded") => Some("The wording is loaded: the measure can now be sent by link and is shown question by question.".to_owned()),
        Some("removed") => Some("The wording is removed: the measure is scores only again.".to_owned()),
        _ => None,
    };
    measure_page(
        &state,
        &principal,
        &code,
        String::new(),
        Vec::new(),
        success,
        StatusCode::OK,
    )
    .await
}

/// Loads (or replaces) the organisation's wording of a measure.
#[utoipa::path(post, path = "/staff/admin/measures/{code}", tag = "pages",
    params(("code" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Loaded: back to the measure"), (status = 404, description = "Not found", content_type = "text/html"), (status = 422, description = "The wording needs correcting", content_type = "text/html")))]
pub async fn load(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(code): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let text = form.first("text").to_owned();
    match measure_texts::load(
        &state.store,
        &trail.signed_in(&principal),
        &principal.display_name,
        &code,
        &text,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/staff/admin/measures/{code}?done=loaded"
        ))),
        Err(error) => match ApiError::from(error) {
            ApiError::Invalid(fields) => {
                let errors = fields
                    .into_iter()
                    .map(|f| {
                        let at = f.field.strip_prefix("text.").unwrap_or("");
                        let message = if at.is_empty() {
                            f.message
                        } else {
                            format!("{at}: {}", f.message)
                        };
                        FieldMessage::new("text", message)
                    })
                    .collect();
                measure_page(
                    &state,
                    &principal,
                    &code,
                    text,
                    errors,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            other => Err(PageError::staff(other)),
        },
    }
}

/// Removes the organisation's wording (after "Are you sure?").
#[utoipa::path(post, path = "/staff/admin/measures/{code}/remove", tag = "pages",
    params(("code" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Removed: back to the measure"), (status = 404, description = "Not found", content_type = "text/html")))]
pub async fn remove(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(code): Path<String>,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    if !crate::admin::confirm::confirmed(&form) {
        return Ok(crate::admin::confirm::to_question(
            &format!("/staff/admin/measures/{code}/remove"),
            &form,
        ));
    }
    measure_texts::remove(&state.store, &trail.signed_in(&principal), &code)
        .await
        .map_err(PageError::staff)?;
    Ok(see_other(&format!(
        "/staff/admin/measures/{code}?done=removed"
    )))
}

/// "Are you sure?" before removing a measure's wording.
#[utoipa::path(get, path = "/staff/admin/measures/{code}/remove", tag = "pages", params(("code" = String, Path)),
    responses((status = 200, description = "The confirmation page", content_type = "text/html"), (status = 404, description = "Not found", content_type = "text/html")))]
pub async fn remove_question(
    Caller(principal): Caller,
    Path(code): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> PageResult {
    let form = FormData::parse(query.unwrap_or_default().as_bytes());
    let Some(definition) = nwd_outcomes::bundled().get(&code) else {
        return Err(PageError::staff(ApiError::NotFound(format!(
            "no measure {code:?}"
        ))));
    };
    crate::admin::confirm::ask(
        &principal,
        &form,
        crate::admin::confirm::Question {
            title: format!("Remove the wording of {}?", definition.name),
            consequence: "Links already sent for this measure stop showing its questions, no new link can be sent for it, and other systems receive its Questionnaire without the wording. Scores already recorded are kept. The removal is recorded; you can load the wording again.".into(),
            button: "Yes, remove the wording".into(),
            action: format!("/staff/admin/measures/{code}/remove"),
            back: format!("/staff/admin/measures/{code}"),
        },
    )
}
