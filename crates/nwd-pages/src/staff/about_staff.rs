//! "About the young person" for staff: the section on the referral page
//! (`referral_about.html`) and its own page, `/staff/referrals/{id}/about`, that shows the
//! record and changes it.
//!
//! Shown only to staff with a relationship to the referral (the routes' `Scope::Referral`)
//! who may read demographics — the same rule as the referral page's other identifiable
//! details; every read is audited by the request's audit entry, which names the young person
//! (`Store::person_about`). A change is checked against the version the form was read at
//! (someone else's change in between is shown, and what was typed is kept), is recorded with
//! who made it (`person_about_changes`, migration 0013) and audited as a change in the same
//! transaction, and ends on this page with a success banner.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use nwd_domain::authz::Permission;
use nwd_domain::{PersonId, ReferralId, ValidationErrors};
use nwd_store::auth::Principal;
use nwd_store::StoreError;
use serde::Deserialize;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::public::about::{questions, summary_rows, AboutQuestion, Part, Voice};
use nwd_http::extract::{parse_id, Caller};
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::about::{parse_about, AboutInput};

/// The referral page's section.
#[derive(Debug, Clone)]
pub struct AboutSection {
    /// Label and answer, one per question.
    pub rows: Vec<(&'static str, String)>,
}

fn may_read(state: &AppState, principal: &Principal) -> bool {
    principal.holds(Permission::ReadDemographics, &state.store.access().roles)
}

/// The section for the referral page, or `None` when the viewer may not read demographics.
pub async fn section(
    state: &AppState,
    principal: &Principal,
    person: PersonId,
) -> Result<Option<AboutSection>, PageError> {
    if !may_read(state, principal) {
        return Ok(None);
    }
    let stored = state
        .store
        .person_about(person)
        .await
        .map_err(PageError::staff)?;
    Ok(Some(AboutSection {
        rows: summary_rows(&stored.about),
    }))
}

#[derive(Template)]
#[template(path = "about_edit.html")]
struct AboutPage {
    layout: Layout,
    id: String,
    reference: String,
    saved: bool,
    rows: Vec<(&'static str, String)>,
    conflict: Option<String>,
    version: u32,
    about_questions: Vec<AboutQuestion>,
    csrf: String,
}

/// The page's query: `saved=1` after a change.
#[derive(Debug, Default, Deserialize)]
pub struct AboutQuery {
    /// Set after a successful change.
    pub saved: Option<String>,
}

async fn person_of(
    state: &AppState,
    id: &str,
) -> Result<(ReferralId, PersonId, String), PageError> {
    let id = parse_id::<ReferralId>(id, "referral").map_err(PageError::staff)?;
    let referral = state.store.referral(id).await.map_err(PageError::staff)?;
    Ok((
        id,
        referral.person_id,
        nwd_usecase::intake::reference(&referral),
    ))
}

fn refuse() -> PageError {
    PageError::staff(ApiError::Forbidden(
        "your role does not include reading the young person's details".into(),
    ))
}

#[allow(
    clippy::too_many_arguments,
    reason = "the page's parts, each named at the call"
)]
fn page(
    principal: &Principal,
    id: ReferralId,
    reference: String,
    stored: &nwd_store::StoredAbout,
    answers: &AboutInput,
    version: u32,
    errors: Vec<FieldMessage>,
    conflict: Option<String>,
    saved: bool,
    status: StatusCode,
) -> PageResult {
    let about_questions = questions(Part::All, Voice::Professional, answers, &errors);
    let page = AboutPage {
        layout: Layout::staff("About the young person", principal).with_errors(errors),
        id: id.to_string(),
        reference,
        saved,
        rows: summary_rows(&stored.about),
        conflict,
        version,
        about_questions,
        csrf: principal.csrf_token.clone().unwrap_or_default(),
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// The young person's "about" record and the form that changes it.
#[utoipa::path(get, path = "/staff/referrals/{id}/about", tag = "pages",
    params(("id" = String, Path), ("saved" = Option<String>, Query, description = "Set after a change")),
    responses((status = 200, description = "About the young person", content_type = "text/html"), (status = 403, description = "Not for this role"), (status = 404, description = "Not found")))]
pub async fn show(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    Query(query): Query<AboutQuery>,
) -> PageResult {
    if !may_read(&state, &principal) {
        return Err(refuse());
    }
    let (id, person, reference) = person_of(&state, &id).await?;
    let stored = state
        .store
        .person_about(person)
        .await
        .map_err(PageError::staff)?;
    page(
        &principal,
        id,
        reference,
        &stored,
        &AboutInput::of(&stored.about),
        stored.version,
        Vec::new(),
        None,
        query.saved.is_some(),
        StatusCode::OK,
    )
}

/// Changes the record at the version the form was read at.
#[utoipa::path(post, path = "/staff/referrals/{id}/about", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Saved: back to the page with a success banner"), (status = 409, description = "Someone else changed it", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn change(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    if !may_read(&state, &principal) {
        return Err(refuse());
    }
    let (id, person, reference) = person_of(&state, &id).await?;
    let form = FormData::parse(&body);
    let answers = crate::public::about::input(&form);
    let version: u32 = form.first("version").trim().parse().unwrap_or(0);
    let mut problems = ValidationErrors::new();
    let about = parse_about(&answers, "", &mut problems);
    let again = |stored: &nwd_store::StoredAbout,
                 errors: Vec<FieldMessage>,
                 conflict: Option<String>,
                 version: u32,
                 status: StatusCode| {
        page(
            &principal,
            id,
            reference.clone(),
            stored,
            &answers,
            version,
            errors,
            conflict,
            false,
            status,
        )
    };
    if !problems.is_empty() {
        let stored = state
            .store
            .person_about(person)
            .await
            .map_err(PageError::staff)?;
        let errors = problems
            .0
            .into_iter()
            .map(|e| FieldMessage::new(&e.field, e.message))
            .collect();
        return again(
            &stored,
            errors,
            None,
            version,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match state
        .store
        .update_person_about(&trail.signed_in(&principal), person, version, about)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/staff/referrals/{id}/about?saved=1"))),
        Err(StoreError::Conflict { changes, .. }) => {
            let stored = state
                .store
                .person_about(person)
                .await
                .map_err(PageError::staff)?;
            let by = changes.first().map(|c| c.actor.clone()).unwrap_or_default();
            again(
                &stored,
                Vec::new(),
                Some(format!(
                    "{} changed these answers while you were editing them. Their answers are shown above; yours are kept in the form below. Check them, then save again.",
                    if by.is_empty() { "Someone else".to_owned() } else { by }
                )),
                stored.version,
                StatusCode::CONFLICT,
            )
        }
        Err(error) => Err(PageError::staff(error)),
    }
}
