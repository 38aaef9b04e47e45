//! The shared service directory: organisations and services, created, read, updated
//! (`If-Match`) and searched. Reading and searching the directory is public.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use nwd_domain::codes::DeliveryMode;
use nwd_domain::directory::{Organisation, OrganisationDetails, Service, ServiceDetails};
use nwd_domain::need::NeedGroup;
use nwd_domain::{OrganisationId, Postcode, ServiceId};
use nwd_store::ServiceFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::routes;

use nwd_domain::authz::{Permission::*, Policy::*, Scope};
use nwd_http::extract::Caller;
use nwd_http::extract::{parse_id, Actor, IfMatch, JsonBody, QueryParams};
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::RequestAudit;
use nwd_http::secure::SecureRouter;
use nwd_http::AppState;

/// Routes.
pub fn router() -> SecureRouter {
    // The directory is on the public allow-list: reading it needs no sign-in.
    SecureRouter::new()
        .route(Public, "organisation", routes!(list_organisations))
        .route(
            Requires(ManageDirectory, Scope::None),
            "organisation",
            routes!(create_organisation),
        )
        .route(Public, "organisation", routes!(get_organisation))
        .route(
            Requires(ManageDirectory, Scope::None),
            "organisation",
            routes!(update_organisation),
        )
        .route(Public, "service", routes!(search_services))
        .route(
            Requires(ManageDirectory, Scope::None),
            "service",
            routes!(create_service),
        )
        .route(Public, "service", routes!(get_service))
        .route(
            Requires(ManageDirectory, Scope::None),
            "service",
            routes!(update_service),
        )
}

/// An organisation with its version.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionedOrganisation {
    /// The organisation.
    #[serde(flatten)]
    pub organisation: Organisation,
    /// Version (send in `If-Match` to update).
    pub version: u32,
}

/// A service with its version.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionedService {
    /// The service.
    #[serde(flatten)]
    pub service: Service,
    /// Version (send in `If-Match` to update).
    pub version: u32,
}

/// Every organisation.
#[utoipa::path(get, path = "/api/organisations", tag = "directory", responses((status = 200, body = Vec<VersionedOrganisation>)))]
async fn list_organisations(
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<VersionedOrganisation>>> {
    let list = state.store.organisations().await?;
    Ok(Json(
        list.into_iter()
            .map(|(organisation, version)| VersionedOrganisation {
                organisation,
                version,
            })
            .collect(),
    ))
}

/// Add an organisation.
#[utoipa::path(post, path = "/api/organisations", tag = "directory", request_body = OrganisationDetails,
    responses((status = 201, body = VersionedOrganisation), (status = 422, body = Problem)))]
async fn create_organisation(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    _actor: Actor,
    body: JsonBody<OrganisationDetails>,
) -> ApiResult<Response> {
    let (organisation, version) = state
        .store
        .create_organisation(&trail.signed_in(&principal), body.value)
        .await?;
    Ok(super::with_etag(
        StatusCode::CREATED,
        version,
        VersionedOrganisation {
            organisation,
            version,
        },
    ))
}

/// One organisation.
#[utoipa::path(get, path = "/api/organisations/{id}", tag = "directory", params(("id" = String, Path)),
    responses((status = 200, body = VersionedOrganisation), (status = 404, body = Problem)))]
async fn get_organisation(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let (organisation, version) = state
        .store
        .organisation(parse_id::<OrganisationId>(&id, "organisation")?)
        .await?;
    Ok(super::with_etag(
        StatusCode::OK,
        version,
        VersionedOrganisation {
            organisation,
            version,
        },
    ))
}

/// Replace an organisation's details.
#[utoipa::path(put, path = "/api/organisations/{id}", tag = "directory", request_body = OrganisationDetails,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = VersionedOrganisation), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
async fn update_organisation(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    _actor: Actor,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<OrganisationDetails>,
) -> ApiResult<Response> {
    let id = parse_id::<OrganisationId>(&id, "organisation")?;
    let (organisation, version) = state
        .store
        .update_organisation(&trail.signed_in(&principal), id, body.value, version.0)
        .await?;
    Ok(super::with_etag(
        StatusCode::OK,
        version,
        VersionedOrganisation {
            organisation,
            version,
        },
    ))
}

/// Directory search parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceSearchParams {
    /// THRIVE group served (API name).
    pub need_group: Option<String>,
    /// Age in years.
    pub age: Option<i16>,
    /// Postcode or postcode district (e.g. `ME14` or `ME14 1XX`).
    pub postcode: Option<String>,
    /// `face_to_face`, `telephone`, `online`, `text`.
    pub delivery_mode: Option<String>,
    /// Only services that accept self-referral.
    pub self_referral: Option<bool>,
    /// Run by this organisation.
    pub organisation_id: Option<String>,
    /// Name contains.
    pub q: Option<String>,
    /// Include services not taking referrals.
    pub include_inactive: Option<bool>,
}

/// Search the directory.
#[utoipa::path(get, path = "/api/services", tag = "directory", params(ServiceSearchParams),
    responses((status = 200, body = Vec<VersionedService>), (status = 422, body = Problem)))]
async fn search_services(
    State(state): State<AppState>,
    QueryParams(params): QueryParams<ServiceSearchParams>,
) -> ApiResult<Json<Vec<VersionedService>>> {
    let filter = service_filter(params)?;
    let list = state.store.search_services(&filter).await?;
    Ok(Json(
        list.into_iter()
            .map(|(service, version)| VersionedService { service, version })
            .collect(),
    ))
}

/// Checks directory search parameters and turns them into a [`ServiceFilter`]: every invalid
/// parameter gets its own message.
pub fn service_filter(params: ServiceSearchParams) -> Result<ServiceFilter, ApiError> {
    let mut errors = nwd_domain::ValidationErrors::new();
    let postcode = params.postcode.and_then(|p| {
        // A district alone (ME14) is accepted by completing it with a placeholder inward code.
        let candidate = if p.trim().len() <= 4 {
            format!("{} 1AA", p.trim())
        } else {
            p.clone()
        };
        errors.check(
            "postcode",
            Postcode::parse(&candidate)
                .map_err(|_| "use a postcode or district, e.g. ME14 or ME14 1XX"),
        )
    });
    if let Some(age) = params.age {
        if !nwd_domain::person::SERVED_AGES.contains(&age) {
            errors.add(
                "age",
                format!(
                    "No Wrong Door serves ages {} to {}",
                    nwd_domain::person::MIN_SERVED_AGE_YEARS,
                    nwd_domain::person::MAX_SERVED_AGE_YEARS
                ),
            );
        }
    }
    let filter = ServiceFilter {
        need_group: params
            .need_group
            .and_then(|g| errors.check("need_group", NeedGroup::parse(&g))),
        age: params.age,
        postcode,
        delivery_mode: params
            .delivery_mode
            .and_then(|m| errors.check("delivery_mode", DeliveryMode::parse(&m))),
        self_referral: params.self_referral,
        organisation_id: params
            .organisation_id
            .and_then(|o| errors.check("organisation_id", o.parse::<OrganisationId>())),
        text: params.q.filter(|q| !q.trim().is_empty()),
        include_inactive: params.include_inactive.unwrap_or(false),
    };
    errors.into_result()?;
    Ok(filter)
}

/// Add a service. Without `standards`, the team type's defaults from configuration apply.
#[utoipa::path(post, path = "/api/services", tag = "directory", request_body = ServiceDetails,
    responses((status = 201, body = VersionedService), (status = 422, body = Problem)))]
async fn create_service(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    _actor: Actor,
    body: JsonBody<ServiceDetails>,
) -> ApiResult<Response> {
    let (service, version) = state
        .store
        .create_service(&trail.signed_in(&principal), body.value)
        .await?;
    Ok(super::with_etag(
        StatusCode::CREATED,
        version,
        VersionedService { service, version },
    ))
}

/// One service.
#[utoipa::path(get, path = "/api/services/{id}", tag = "directory", params(("id" = String, Path)),
    responses((status = 200, body = VersionedService), (status = 404, body = Problem)))]
async fn get_service(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Response> {
    let (service, version) = state
        .store
        .service(parse_id::<ServiceId>(&id, "service")?)
        .await?;
    Ok(super::with_etag(
        StatusCode::OK,
        version,
        VersionedService { service, version },
    ))
}

/// Replace a service's details (set `active: false` to stop taking referrals).
#[utoipa::path(put, path = "/api/services/{id}", tag = "directory", request_body = ServiceDetails,
    params(("id" = String, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = VersionedService), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
async fn update_service(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    _actor: Actor,
    version: IfMatch,
    Path(id): Path<String>,
    body: JsonBody<ServiceDetails>,
) -> ApiResult<Response> {
    let id = parse_id::<ServiceId>(&id, "service")?;
    let (service, version) = state
        .store
        .update_service(&trail.signed_in(&principal), id, body.value, version.0)
        .await?;
    Ok(super::with_etag(
        StatusCode::OK,
        version,
        VersionedService { service, version },
    ))
}
