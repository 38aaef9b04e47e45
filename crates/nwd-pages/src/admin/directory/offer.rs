//! A service's local offer, for administrators (permission `manage_directory`): telephone
//! numbers, email, web address, where people go (or online or by phone only), opening hours,
//! how to get in, what to bring, and whether it is a local crisis line shown on Urgent help.
//!
//! Saved with the rest of the service's details through `Store::update_service` (audited as
//! every directory edit is), so `ServiceOffer::validate` decides what is valid for this page
//! and for `PUT /api/services/{id}` alike; a refused form comes back with an NHS error
//! summary naming each field and nothing written. A change that removes something (a number,
//! the address, a day's hours, the crisis-line flag, …) first shows what would go, with
//! "Yes, save" and "No, go back to the form" (the answers typed are kept); a saved change
//! redirects (post/redirect/get) to the form with a success banner. A change someone made
//! meanwhile is shown, not overwritten.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use nwd_domain::directory::ServiceDetails;
use nwd_domain::ServiceId;
use nwd_store::auth::Principal;
use serde::Deserialize;

use super::offer_form::{field_id, removals, OfferForm};
use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use nwd_http::extract::{parse_id, Caller};
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

#[derive(Template)]
#[template(path = "admin_service_offer.html")]
struct OfferPage {
    layout: Layout,
    id: String,
    service: String,
    version: u32,
    form: OfferForm,
    conflict: bool,
    csrf: String,
}

#[derive(Template)]
#[template(path = "admin_service_offer_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    id: String,
    service: String,
    version: u32,
    removed: Vec<String>,
    fields: Vec<(String, String)>,
    csrf: String,
}

impl OfferPage {
    fn err(&self, id: &str) -> Option<&str> {
        self.layout.error(id)
    }

    fn row_err(&self, field: &str, row: impl std::fmt::Display) -> Option<&str> {
        self.layout.error(&format!("{field}-{row}"))
    }

    fn time_err(&self, which: &str, day: &str, n: impl std::fmt::Display) -> Option<&str> {
        self.layout.error(&format!("{which}-{day}-{n}"))
    }
}

/// Query of the form: `saved=1` after a change was saved.
#[derive(Debug, Default, Deserialize)]
pub struct Saved {
    /// Set after saving.
    pub saved: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn offer_page(
    principal: &Principal,
    id: String,
    details: &ServiceDetails,
    version: u32,
    form: OfferForm,
    errors: Vec<FieldMessage>,
    conflict: bool,
    success: Option<String>,
    status: StatusCode,
) -> PageResult {
    let page = OfferPage {
        layout: Layout::staff(
            "Contact details, opening hours and how to get in",
            principal,
        )
        .with_errors(errors)
        .with_success(success),
        id,
        service: details.name.clone(),
        version,
        form,
        conflict,
        csrf: principal.csrf_token.clone().unwrap_or_default(),
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// The form: the service's offer, at its current version.
#[utoipa::path(get, path = "/staff/admin/services/{id}/offer", tag = "pages",
    params(("id" = String, Path), ("saved" = Option<String>, Query)),
    responses((status = 200, description = "A service's contact details, opening hours and how to get in", content_type = "text/html"), (status = 404, description = "Not found", content_type = "text/html")))]
pub async fn form(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    Query(saved): Query<Saved>,
) -> PageResult {
    let service_id = parse_id::<ServiceId>(&id, "service").map_err(PageError::staff)?;
    let (service, version) = state
        .store
        .service(service_id)
        .await
        .map_err(PageError::staff)?;
    offer_page(
        &principal,
        id,
        &service.details,
        version,
        OfferForm::from_offer(&service.details.offer),
        Vec::new(),
        false,
        saved.saved.is_some().then(|| {
            format!(
                "{}: contact details, opening hours and how to get in saved",
                service.details.name
            )
        }),
        StatusCode::OK,
    )
}

/// Saves the offer at the version read; a change that removes something is confirmed first.
#[utoipa::path(post, path = "/staff/admin/services/{id}/offer", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Confirm what the change removes, or the form again (going back)", content_type = "text/html"),
        (status = 303, description = "Saved: to the form with a success banner"), (status = 404, description = "Not found", content_type = "text/html"),
        (status = 409, description = "Changed by someone else meanwhile", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn save(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let service_id = parse_id::<ServiceId>(&id, "service").map_err(PageError::staff)?;
    let (current, current_version) = state
        .store
        .service(service_id)
        .await
        .map_err(PageError::staff)?;
    let raw = FormData::parse(&body);
    let version: u32 = raw.first("version").parse().unwrap_or(0);
    let go = raw.first("go").to_owned();
    let form = OfferForm::from_form(&raw);
    let again = |form: OfferForm, errors: Vec<FieldMessage>, status: StatusCode| {
        offer_page(
            &principal,
            id.clone(),
            &current.details,
            version,
            form,
            errors,
            false,
            None,
            status,
        )
    };
    if go == "back" {
        return again(form, Vec::new(), StatusCode::OK);
    }
    let offer = match form.offer() {
        Ok(offer) => offer,
        Err(errors) => return again(form, errors, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let removed = removals(&current.details.offer, &offer);
    if !removed.is_empty() && go != "confirm" {
        let page = ConfirmPage {
            layout: Layout::staff("Are you sure you want to remove these?", &principal),
            id: id.clone(),
            service: current.details.name.clone(),
            version,
            removed,
            fields: form.hidden_fields(),
            csrf: principal.csrf_token.clone().unwrap_or_default(),
        };
        return Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable));
    }
    let details = ServiceDetails {
        offer: offer.clone(),
        ..current.details.clone()
    };
    match state
        .store
        .update_service(&trail.signed_in(&principal), service_id, details, version)
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/staff/admin/services/{id}/offer?saved=1"
        ))),
        Err(error) => match ApiError::from(error) {
            ApiError::Conflict { .. } => offer_page(
                &principal,
                id.clone(),
                &current.details,
                current_version,
                form,
                Vec::new(),
                true,
                None,
                StatusCode::CONFLICT,
            ),
            ApiError::Invalid(fields) => {
                let errors = fields
                    .into_iter()
                    .map(|f| {
                        let mut message = f.message;
                        if let Some(first) = message.get_mut(0..1) {
                            first.make_ascii_uppercase();
                        }
                        FieldMessage::new(&field_id(&f.field, &offer), message)
                    })
                    .collect();
                again(form, errors, StatusCode::UNPROCESSABLE_ENTITY)
            }
            other => Err(PageError::staff(other)),
        },
    }
}
