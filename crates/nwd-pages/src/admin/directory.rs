//! The service directory for administrators (permission `manage_directory`): every service,
//! taking referrals or not; a form to add one and to change one at the version read. The form
//! is turned into the API's `ServiceDetails` and saved by the same store functions as
//! `POST`/`PUT /api/services`, so the domain's `ServiceDetails::validate` decides what is
//! valid for both; every refused field is named in an NHS error summary linked to it, and
//! nothing is written.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nwd_domain::codes::{DeliveryMode, TeamType};
use nwd_domain::directory::{Capacity, ServiceDetails};
use nwd_domain::need::NeedGroup;
use nwd_domain::{OrganisationId, ServiceId};
use nwd_store::auth::Principal;
use nwd_store::ServiceFilter;

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

/// The service form's values as typed.
#[derive(Debug, Clone, Default)]
pub struct ServiceForm {
    /// Organisation id.
    pub organisation_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Need groups ticked (API names).
    pub need_groups: Vec<String>,
    /// Youngest age.
    pub age_from: String,
    /// Oldest age.
    pub age_to: String,
    /// Team type (API name).
    pub team_type: String,
    /// Delivery modes ticked.
    pub delivery_modes: Vec<String>,
    /// Areas, separated by commas or spaces.
    pub areas: String,
    /// "yes" or "no".
    pub self_referral: String,
    /// Clinician whole-time equivalents.
    pub clinician_wte: String,
    /// Slots per week.
    pub slots_per_week: String,
    /// "yes" or "no".
    pub active: String,
}

impl ServiceForm {
    fn from_details(d: &ServiceDetails) -> ServiceForm {
        ServiceForm {
            organisation_id: d.organisation_id.to_string(),
            name: d.name.clone(),
            description: d.description.clone(),
            need_groups: d
                .need_groups
                .iter()
                .map(|g| g.as_str().to_owned())
                .collect(),
            age_from: d.age_from.to_string(),
            age_to: d.age_to.to_string(),
            team_type: d.team_type.as_str().to_owned(),
            delivery_modes: d
                .delivery_modes
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect(),
            areas: d.areas.join(", "),
            self_referral: yes_no(d.self_referral),
            clinician_wte: d.capacity.clinician_wte.to_string(),
            slots_per_week: d.capacity.slots_per_week.to_string(),
            active: yes_no(d.active),
        }
    }

    fn from_form(form: &FormData) -> ServiceForm {
        let text = |name: &str| form.first(name).to_owned();
        let all = |name: &str| form.all(name).into_iter().map(str::to_owned).collect();
        ServiceForm {
            organisation_id: text("organisation_id"),
            name: text("name"),
            description: text("description"),
            need_groups: all("need_groups"),
            age_from: text("age_from"),
            age_to: text("age_to"),
            team_type: text("team_type"),
            delivery_modes: all("delivery_modes"),
            areas: text("areas"),
            self_referral: text("self_referral"),
            clinician_wte: text("clinician_wte"),
            slots_per_week: text("slots_per_week"),
            active: text("active"),
        }
    }

    /// The details, or a message per field that cannot be read; the domain's own checks
    /// (`ServiceDetails::validate`) run in the store.
    fn details(
        &self,
        standards: Vec<nwd_domain::standards::WaitStandard>,
    ) -> Result<ServiceDetails, Vec<FieldMessage>> {
        let mut errors = Vec::new();
        let organisation_id = self
            .organisation_id
            .parse::<OrganisationId>()
            .map_err(|_| {
                errors.push(FieldMessage::new(
                    "organisation_id",
                    "Choose the organisation that runs the service",
                ))
            })
            .ok();
        let need_groups: Vec<NeedGroup> = self
            .need_groups
            .iter()
            .filter_map(|g| NeedGroup::parse(g).ok())
            .collect();
        let age = |raw: &str, id: &str, errors: &mut Vec<FieldMessage>| {
            raw.trim()
                .parse::<i16>()
                .map_err(|_| {
                    errors.push(FieldMessage::new(
                        id,
                        "Enter an age in whole years, for example 11",
                    ))
                })
                .ok()
        };
        let age_from = age(&self.age_from, "age_from", &mut errors);
        let age_to = age(&self.age_to, "age_to", &mut errors);
        let team_type = TeamType::parse(&self.team_type)
            .map_err(|_| {
                errors.push(FieldMessage::new(
                    "team_type",
                    "Choose the service's team type",
                ))
            })
            .ok();
        let delivery_modes: Vec<DeliveryMode> = self
            .delivery_modes
            .iter()
            .filter_map(|m| DeliveryMode::parse(m).ok())
            .collect();
        let yes = |raw: &str, id: &str, question: &str, errors: &mut Vec<FieldMessage>| match raw {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.push(FieldMessage::new(id, question));
                None
            }
        };
        let self_referral = yes(
            &self.self_referral,
            "self_referral",
            "Say whether young people and families can refer themselves",
            &mut errors,
        );
        let active = yes(
            &self.active,
            "active",
            "Say whether the service is taking referrals",
            &mut errors,
        );
        let clinician_wte = self
            .clinician_wte
            .trim()
            .parse::<f64>()
            .map_err(|_| {
                errors.push(FieldMessage::new(
                    "clinician_wte",
                    "Enter whole-time equivalents as a number, for example 3.5",
                ))
            })
            .ok();
        let slots_per_week = self
            .slots_per_week
            .trim()
            .parse::<u32>()
            .map_err(|_| {
                errors.push(FieldMessage::new(
                    "slots_per_week",
                    "Enter appointment slots per week as a whole number, for example 40",
                ))
            })
            .ok();
        let areas = self
            .areas
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|a| !a.is_empty())
            .map(str::to_uppercase)
            .collect();
        match (
            organisation_id,
            age_from,
            age_to,
            team_type,
            self_referral,
            active,
            clinician_wte,
            slots_per_week,
        ) {
            (
                Some(organisation_id),
                Some(age_from),
                Some(age_to),
                Some(team_type),
                Some(self_referral),
                Some(active),
                Some(clinician_wte),
                Some(slots_per_week),
            ) if errors.is_empty() => Ok(ServiceDetails {
                organisation_id,
                name: self.name.trim().to_owned(),
                description: self.description.trim().to_owned(),
                need_groups,
                age_from,
                age_to,
                team_type,
                delivery_modes,
                areas,
                self_referral,
                capacity: Capacity {
                    clinician_wte,
                    slots_per_week,
                },
                standards,
                active,
            }),
            _ => Err(errors),
        }
    }
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// The id of the form field a domain error is about (`areas[1]` → `areas`).
fn field_id(field: &str) -> &'static str {
    let head = field.split(['[', '.']).next().unwrap_or_default();
    match head {
        "organisation_id" => "organisation_id",
        "name" => "name",
        "need_groups" => "need_groups",
        "age_from" => "age_from",
        "age_to" => "age_to",
        "team_type" => "team_type",
        "delivery_modes" => "delivery_modes",
        "areas" => "areas",
        "capacity" => "clinician_wte",
        "self_referral" => "self_referral",
        _ => "name",
    }
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
    let details = match form.details(Vec::new()) {
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
    let details = match form.details(standards.clone()) {
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
