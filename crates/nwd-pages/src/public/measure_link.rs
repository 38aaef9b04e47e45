//! A questionnaire completed through a one-time link (`/measure/{token}`, issue 19): the young
//! person or a parent answers the measure their clinician sent, on their phone, without
//! signing in. The page shows that measure's questions and its licence line — never a name, a
//! reference or anything else about the referral. "Send answers" records the measure once
//! (`nwd_usecase::measure_links::complete`) and answers `303` to a thank-you page, so Back or
//! refresh cannot send it twice; a used, expired or wrong link gets the same "cannot be used"
//! page. Look-ups and answers are rate limited per address (`nwd_http::limits`) and audited
//! like every route; the token never appears in a log line (`limits::loggable_path`).

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nwd_http::headers::see_other;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::measure_links::{self, CompleteError, LinkForm};

use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageResult, Sensitivity};

/// Where a completed questionnaire lands.
pub const DONE_PATH: &str = "/measure/done";

/// One answer choice.
pub struct Option_ {
    /// The value sent.
    pub value: String,
    /// Its words.
    pub label: String,
    /// Chosen.
    pub checked: bool,
}

/// One question.
pub struct Question {
    /// The field (`item-{id}`).
    pub field: String,
    /// Its number.
    pub number: usize,
    /// The question.
    pub text: String,
    /// Its answers (empty for a line marked from `min` to `max`).
    pub options: Vec<Option_>,
    /// For a line: lowest and highest mark, and the value as typed.
    pub range: Option<(String, String)>,
    /// As typed (for a line).
    pub value: String,
}

#[derive(Template)]
#[template(path = "measure_link.html")]
struct MeasurePage {
    layout: Layout,
    token: String,
    title: String,
    preamble: String,
    licence: String,
    expires: String,
    questions: Vec<Question>,
}

#[derive(Template)]
#[template(path = "measure_link_done.html")]
struct DonePage {
    layout: Layout,
}

#[derive(Template)]
#[template(path = "measure_link_gone.html")]
struct GonePage {
    layout: Layout,
}

/// The one answer for a used, expired or wrong link: 404, whichever it is.
fn unusable() -> axum::response::Response {
    render(
        &GonePage {
            layout: Layout::public("This link cannot be used"),
        },
        StatusCode::NOT_FOUND,
        Sensitivity::Public,
    )
}

fn page(
    state: &AppState,
    token: &str,
    form: &LinkForm,
    typed: &BTreeMap<String, String>,
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> axum::response::Response {
    let definition = &form.definition;
    let questions = definition
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let set = definition.response_sets.get(&item.responses);
            let chosen = typed.get(&item.id).map(String::as_str).unwrap_or("");
            Question {
                field: format!("item-{}", item.id),
                number: i + 1,
                text: item.text.clone().unwrap_or_default(),
                options: set
                    .map(|s| {
                        s.options
                            .iter()
                            .map(|o| Option_ {
                                value: o.value.to_string(),
                                label: o.label.clone().unwrap_or_else(|| o.value.to_string()),
                                checked: chosen == o.value.to_string(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                range: set
                    .and_then(|s| s.range)
                    .map(|[lo, hi]| (lo.to_string(), hi.to_string())),
                value: chosen.to_owned(),
            }
        })
        .collect();
    let expires = form
        .expires_at
        .to_zoned(state.store.tz().clone())
        .strftime("%-d %B %Y")
        .to_string();
    let page = MeasurePage {
        layout: Layout::public(&definition.name).with_errors(errors),
        token: token.to_owned(),
        title: definition.name.clone(),
        preamble: definition.preamble.clone().unwrap_or_default(),
        licence: definition.licence.clone(),
        expires,
        questions,
    };
    render(&page, status, Sensitivity::Identifiable)
}

/// The questionnaire a link opens.
#[utoipa::path(get, path = "/measure/{token}", tag = "pages",
    params(("token" = String, Path, description = "The one-time token the service sent")),
    responses((status = 200, description = "The questionnaire", content_type = "text/html"),
        (status = 404, description = "Used, expired or wrong (the same for each)", content_type = "text/html")))]
pub async fn questionnaire(State(state): State<AppState>, Path(token): Path<String>) -> PageResult {
    let Some(form) = measure_links::open(&state.store, &token).await? else {
        return Ok(unusable());
    };
    Ok(page(
        &state,
        &token,
        &form,
        &BTreeMap::new(),
        Vec::new(),
        StatusCode::OK,
    ))
}

/// Sends the answers: recorded once, then the thank-you page.
#[utoipa::path(post, path = "/measure/{token}", tag = "pages",
    params(("token" = String, Path, description = "The one-time token the service sent")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Recorded: the thank-you page"),
        (status = 422, description = "Answers need correcting", content_type = "text/html"),
        (status = 404, description = "Used, expired or wrong (the same for each)", content_type = "text/html")))]
pub async fn answer(
    trail: RequestAudit,
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> PageResult {
    let Some(form) = measure_links::open(&state.store, &token).await? else {
        return Ok(unusable());
    };
    let posted = FormData::parse(&body);
    let answers: BTreeMap<String, String> = form
        .definition
        .items
        .iter()
        .map(|item| {
            (
                item.id.clone(),
                posted.first(&format!("item-{}", item.id)).to_owned(),
            )
        })
        .collect();
    let actor = match form.rater {
        nwd_domain::referral::outcome::OutcomeRater::ParentOrCarer => {
            nwd_domain::actor::Actor::ParentCarer
        }
        _ => nwd_domain::actor::Actor::YoungPerson,
    };
    let audit = trail.acting(actor, None);
    match measure_links::complete(&state.store, &audit, &token, &answers).await {
        Ok(()) => Ok(see_other(DONE_PATH)),
        Err(CompleteError::Unusable) => Ok(unusable()),
        Err(CompleteError::Invalid(fields)) => {
            let errors = fields
                .into_iter()
                .map(|f| FieldMessage::new(&f.field, f.message))
                .collect();
            Ok(page(
                &state,
                &token,
                &form,
                &answers,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(CompleteError::Other(error)) => Err(ApiError::from(error).into()),
    }
}

/// Thank you.
#[utoipa::path(get, path = "/measure/done", tag = "pages",
    responses((status = 200, description = "Answers sent", content_type = "text/html")))]
pub async fn done() -> PageResult {
    Ok(render(
        &DonePage {
            layout: Layout::public("Thank you"),
        },
        StatusCode::OK,
        Sensitivity::Public,
    ))
}
