//! Liveness.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use nwd_http::problem::ApiResult;
use nwd_http::secure::SecureRouter;
use nwd_http::AppState;

/// Liveness answer.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the server and its database answer. Nothing else: which database engine or
    /// version runs is no business of an anonymous caller (issue 15).
    pub status: &'static str,
}

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new().route(nwd_domain::authz::Policy::Public, "none", routes!(healthz))
}

/// Liveness: the server answers and its database answers a trivial query.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = Health), (status = 500, body = nwd_http::problem::Problem)))]
async fn healthz(State(state): State<AppState>) -> ApiResult<Json<Health>> {
    state.store.ping().await?;
    Ok(Json(Health { status: "ok" }))
}
