//! Sending the young person or a parent a one-time link to complete a measure on their phone
//! (issue 19), from the referral page's "Outcome measures" section: a form (service, measure,
//! who) and "Make the link", after which the link is shown once — only its hash is kept — to
//! copy into the text or email the service sends. Who may be sent one, and which measures, is
//! the use case's (`nwd_usecase::measure_links::send`); a refusal comes back on the form with
//! every answer as typed, and "Cancel" goes back to the referral.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use nwd_domain::referral::measurement::MeasureLinkRequest;
use nwd_domain::referral::outcome::OutcomeRater;
use nwd_domain::referral::Referral;
use nwd_domain::{AllocationId, ReferralId};

use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::staff::triage::Choice;
use nwd_http::extract::{parse_id, Actor, Caller};
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::measure_texts::{self, MeasureWording};

#[derive(Template)]
#[template(path = "measure_link_new.html")]
struct NewLinkPage {
    layout: Layout,
    id: String,
    csrf: String,
    version: u32,
    allocations: Vec<Choice>,
    measures: Vec<Choice>,
    raters: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "measure_link_sent.html")]
struct SentPage {
    layout: Layout,
    id: String,
    address: String,
    measure: String,
    rater: String,
    expires: String,
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    state: &AppState,
    principal: &nwd_store::auth::Principal,
    referral: &Referral,
    version: u32,
    allocation: &str,
    measure: &str,
    rater: &str,
    showable: &[MeasureWording],
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> Response {
    let tz = state.store.tz().clone();
    let allocations = referral
        .active_allocations()
        .map(|a| Choice {
            value: a.id.to_string(),
            label: format!(
                "Allocated {} ({})",
                a.allocated_at.to_zoned(tz.clone()).strftime("%-d %B %Y"),
                a.need_group.label()
            ),
            selected: allocation == a.id.to_string(),
        })
        .collect();
    let measures = showable
        .iter()
        .map(|m| &m.definition)
        .map(|m| Choice {
            value: m.code.clone(),
            label: format!(
                "{} (ages {} to {})",
                m.name, m.age_range.min, m.age_range.max
            ),
            selected: measure == m.code,
        })
        .collect();
    let raters = [OutcomeRater::YoungPerson, OutcomeRater::ParentOrCarer]
        .into_iter()
        .map(|r| Choice {
            value: r.code().to_owned(),
            label: r.label().to_owned(),
            selected: rater == r.code(),
        })
        .collect();
    render(
        &NewLinkPage {
            layout: Layout::staff("Send a link to complete a measure", principal)
                .with_errors(errors),
            id: referral.id.to_string(),
            csrf: principal.csrf_token.clone().unwrap_or_default(),
            version,
            allocations,
            measures,
            raters,
        },
        status,
        Sensitivity::Identifiable,
    )
}

/// The form to send a completion link.
#[utoipa::path(get, path = "/staff/referrals/{id}/measure-links/new", tag = "pages",
    params(("id" = String, Path)),
    responses((status = 200, description = "The form", content_type = "text/html")))]
pub async fn new_link(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id::<ReferralId>(&id, "referral").map_err(PageError::staff)?;
    let referral = state.store.referral(id).await.map_err(PageError::staff)?;
    let first = referral
        .active_allocations()
        .next()
        .map(|a| a.id.to_string())
        .unwrap_or_default();
    let showable = measure_texts::showable(&state.store)
        .await
        .map_err(PageError::staff)?;
    Ok(form_page(
        &state,
        &principal,
        &referral,
        referral.version,
        &first,
        "",
        "",
        &showable,
        Vec::new(),
        StatusCode::OK,
    ))
}

/// Makes the link and shows it once.
#[utoipa::path(post, path = "/staff/referrals/{id}/measure-links", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The link, shown once", content_type = "text/html"), (status = 409, description = "Someone else changed the referral", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn send_link(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = parse_id::<ReferralId>(&id, "referral").map_err(PageError::staff)?;
    let form = FormData::parse(&body);
    let version: u32 = form.first("version").parse().unwrap_or(0);
    let (allocation, measure, rater) = (
        form.first("allocation").to_owned(),
        form.first("measure").to_owned(),
        form.first("rater").to_owned(),
    );
    let referral = state.store.referral(id).await.map_err(PageError::staff)?;
    let showable = measure_texts::showable(&state.store)
        .await
        .map_err(PageError::staff)?;
    let again = |referral: &Referral, version, errors, status| {
        form_page(
            &state,
            &principal,
            referral,
            version,
            &allocation,
            &measure,
            &rater,
            &showable,
            errors,
            status,
        )
    };
    let mut errors = Vec::new();
    let allocation_id = allocation.parse::<AllocationId>().ok();
    if allocation_id.is_none() {
        errors.push(FieldMessage::new("allocation", "Choose the service"));
    }
    if measure.is_empty() {
        errors.push(FieldMessage::new("measure", "Choose the measure"));
    }
    let who = OutcomeRater::parse(&rater).ok();
    if who.is_none() {
        errors.push(FieldMessage::new("rater", "Choose who the link is for"));
    }
    let (Some(allocation_id), Some(who), true) = (allocation_id, who, errors.is_empty()) else {
        return Ok(again(
            &referral,
            version,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let request = MeasureLinkRequest {
        allocation_id,
        measure: measure.clone(),
        rater: who,
    };
    let authority = principal.write_authority(&state.store.access().roles);
    match nwd_usecase::measure_links::send(
        &state.store,
        &trail.signed_in(&principal),
        id,
        version,
        request,
        &actor.0,
        &authority,
    )
    .await
    {
        Ok(sent) => {
            let host = headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("");
            let definition = nwd_outcomes::bundled().get(&measure);
            Ok(render(
                &SentPage {
                    layout: Layout::staff("Link ready to send", &principal),
                    id: id.to_string(),
                    address: format!("{host}{}", sent.path),
                    measure: definition
                        .map(|d| d.name.clone())
                        .unwrap_or(measure.clone()),
                    rater: who.label().to_lowercase(),
                    expires: sent
                        .expires_at
                        .to_zoned(state.store.tz().clone())
                        .strftime("%-d %B %Y at %H:%M")
                        .to_string(),
                },
                StatusCode::OK,
                Sensitivity::Identifiable,
            ))
        }
        Err(error) => {
            let (errors, status) = match ApiError::from(error) {
                ApiError::Invalid(fields) => (
                    fields
                        .into_iter()
                        .map(|f| {
                            let field = match f.field.as_str() {
                                "rater" => "rater",
                                "measure" => "measure",
                                _ => "allocation",
                            };
                            FieldMessage::new(field, f.message)
                        })
                        .collect(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                ApiError::Conflict { .. } => (
                    vec![FieldMessage::new(
                        "allocation",
                        "Someone else changed this referral meanwhile: check the service and send again",
                    )],
                    StatusCode::CONFLICT,
                ),
                ApiError::IllegalTransition(message)
                | ApiError::NotFound(message)
                | ApiError::Forbidden(message) => (
                    vec![FieldMessage::new("allocation", message)],
                    StatusCode::CONFLICT,
                ),
                other => return Err(PageError::staff(other)),
            };
            let now = state.store.referral(id).await.map_err(PageError::staff)?;
            Ok(again(&now, now.version, errors, status))
        }
    }
}
