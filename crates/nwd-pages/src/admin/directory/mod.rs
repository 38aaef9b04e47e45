//! The service directory for administrators (permission `manage_directory`): every service,
//! taking referrals or not; a form to add one and to change one at the version read. The form
//! is turned into the API's `ServiceDetails` and saved by the same store functions as
//! `POST`/`PUT /api/services`, so the domain's `ServiceDetails::validate` decides what is
//! valid for both; every refused field is named in an NHS error summary linked to it, and
//! nothing is written. A service's offer (contact details, opening hours, how to get in) has
//! its own page ([`offer`]); saving this form keeps it, as it keeps the standards.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nwd_domain::codes::{DeliveryMode, TeamType};
use nwd_domain::need::NeedGroup;
use nwd_domain::ServiceId;
use nwd_store::auth::Principal;
use nwd_store::ServiceFilter;

mod form;
pub mod offer;
mod offer_form;

use form::{field_id, ServiceForm};

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use nwd_http::extract::{parse_id, Caller};
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// A service as a row of the list.
#[derive(Debug, Clone)]
pub struct ServiceRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Team type, in words.
    pub team_type: String,
    /// Ages served.
    pub ages: String,
    /// Taking referrals.
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin_services.html")]
struct ServicesPage {
    layout: Layout,
    services: Vec<ServiceRow>,
}

/// Every service in the directory, taking referrals or not.
#[utoipa::path(get, path = "/staff/admin/services", tag = "pages",
    responses((status = 200, description = "The service directory", content_type = "text/html")))]
pub async fn services(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let list = state
        .store
        .search_services(&ServiceFilter {
            include_inactive: true,
            ..ServiceFilter::default()
        })
        .await
        .map_err(PageError::staff)?;
    let page = ServicesPage {
        layout: Layout::staff("Service directory", &principal),
        services: list
            .into_iter()
            .map(|(s, _)| ServiceRow {
                id: s.id.to_string(),
                team_type: s.details.team_type.label().to_owned(),
                ages: format!("{} to {}", s.details.age_from, s.details.age_to),
                active: s.details.active,
                name: s.details.name,
            })
            .collect(),
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

#[derive(Template)]
#[template(path = "admin_service.html")]
struct ServiceFormPage {
    layout: Layout,
    /// `None` for a new service.
    id: Option<String>,
    version: u32,
    form: ServiceForm,
    organisations: Vec<(String, String)>,
    need_groups: Vec<(&'static str, &'static str)>,
    team_types: Vec<(&'static str, &'static str)>,
    delivery_modes: Vec<(&'static str, &'static str)>,
    standards: Vec<(String, String, String)>,
    conflict: bool,
    csrf: String,
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    principal: &Principal,
    id: Option<String>,
    version: u32,
    form: ServiceForm,
    standards: &[nwd_domain::standards::WaitStandard],
    errors: Vec<FieldMessage>,
    conflict: bool,
    status: StatusCode,
) -> PageResult {
    let organisations = state
        .store
        .organisations()
        .await
        .map_err(PageError::staff)?
        .into_iter()
        .map(|(o, _)| (o.id.to_string(), o.details.name))
        .collect();
    let title = if id.is_some() {
        "Change a service"
    } else {
        "Add a service"
    };
    let page = ServiceFormPage {
        layout: Layout::staff(title, principal).with_errors(errors),
        id,
        version,
        form,
        organisations,
        need_groups: NeedGroup::ALL
            .iter()
            .map(|g| (g.as_str(), g.label()))
            .collect(),
        team_types: TeamType::ALL
            .iter()
            .map(|t| (t.as_str(), t.label()))
            .collect(),
        delivery_modes: DeliveryMode::ALL
            .iter()
            .map(|m| (m.as_str(), m.label()))
            .collect(),
        standards: standards
            .iter()
            .map(|s| (s.name.clone(), s.target.describe(), s.source.clone()))
            .collect(),
        conflict,
        csrf: principal.csrf_token.clone().unwrap_or_default(),
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// The form for a new service.
#[utoipa::path(get, path = "/staff/admin/services/new", tag = "pages",
    responses((status = 200, description = "New service form", content_type = "text/html")))]
pub async fn new_service(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let form = ServiceForm {
        self_referral: "no".into(),
        active: "yes".into(),
        measures_routine: "yes".into(),
        measure_every: nwd_domain::referral::measurement::DEFAULT_REVIEW_EVERY_CONTACTS.to_string(),
        closing_measure: "yes".into(),
        share_progress: "no".into(),
        ..ServiceForm::default()
    };
    form_page(
        &state,
        &principal,
        None,
        0,
        form,
        &[],
        Vec::new(),
        false,
        StatusCode::OK,
    )
    .await
}

fn domain_errors(error: ApiError) -> Result<Vec<FieldMessage>, ApiError> {
    match error {
        ApiError::Invalid(fields) => Ok(fields
            .into_iter()
            .map(|f| {
                let mut message = f.message;
                if let Some(first) = message.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                FieldMessage::new(field_id(&f.field), message)
            })
            .collect()),
        other => Err(other),
    }
}

/// Adds a service (the team type's default standards apply).
#[utoipa::path(post, path = "/staff/admin/services", tag = "pages",
    params(("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Added: to the directory"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn create_service(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    body: Bytes,
) -> PageResult {
    let form = ServiceForm::from_form(&FormData::parse(&body));
    let details = match form.details(Vec::new(), Default::default()) {
        Ok(d) => d,
        Err(errors) => {
            return form_page(
                &state,
                &principal,
                None,
                0,
                form,
                &[],
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    match state
        .store
        .create_service(&trail.signed_in(&principal), details)
        .await
    {
        Ok((service, _)) => {
            trail.set_record("service", service.id.to_string());
            Ok(see_other("/staff/admin/services"))
        }
        Err(error) => {
            let errors = domain_errors(error.into()).map_err(PageError::staff)?;
            form_page(
                &state,
                &principal,
                None,
                0,
                form,
                &[],
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The form to change a service, at its current version.
#[utoipa::path(get, path = "/staff/admin/services/{id}", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "Change a service", content_type = "text/html"), (status = 404, description = "Not found")))]
pub async fn edit_service(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> PageResult {
    let service_id = parse_id::<ServiceId>(&id, "service").map_err(PageError::staff)?;
    let (service, version) = state
        .store
        .service(service_id)
        .await
        .map_err(PageError::staff)?;
    form_page(
        &state,
        &principal,
        Some(id),
        version,
        ServiceForm::from_details(&service.details),
        &service.details.standards,
        Vec::new(),
        false,
        StatusCode::OK,
    )
    .await
}

/// Changes a service at the version read; a change someone made meanwhile is shown, not
/// overwritten. The service's waiting-time standards are kept as they are.
#[utoipa::path(post, path = "/staff/admin/services/{id}", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Changed: to the directory"), (status = 404, description = "Not found"), (status = 409, description = "Changed by someone else meanwhile", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn update_service(
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
    let form = ServiceForm::from_form(&raw);
    let standards = current.details.standards.clone();
    let details = match form.details(standards.clone(), current.details.offer.clone()) {
        Ok(d) => d,
        Err(errors) => {
            return form_page(
                &state,
                &principal,
                Some(id),
                version,
                form,
                &standards,
                errors,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    match state
        .store
        .update_service(&trail.signed_in(&principal), service_id, details, version)
        .await
    {
        Ok(_) => Ok(see_other("/staff/admin/services")),
        Err(error) => match ApiError::from(error) {
            ApiError::Conflict { .. } => {
                form_page(
                    &state,
                    &principal,
                    Some(id),
                    current_version,
                    form,
                    &standards,
                    Vec::new(),
                    true,
                    StatusCode::CONFLICT,
                )
                .await
            }
            other => {
                let errors = domain_errors(other).map_err(PageError::staff)?;
                form_page(
                    &state,
                    &principal,
                    Some(id),
                    version,
                    form,
                    &standards,
                    errors,
                    false,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        },
    }
}
