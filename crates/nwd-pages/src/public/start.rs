//! The start page: what No Wrong Door is, and every door in — a young person for themselves,
//! a parent or carer, a professional's referral and a professional's request for advice — with
//! when someone will be in touch (`usecase::promise`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use nwd_domain::codes::{Priority, ReferralSource};
use nwd_http::AppState;

use crate::layout::{render, Layout, Sensitivity};

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    layout: Layout,
    promise: String,
}

/// The start page: what No Wrong Door is and the ways in.
#[utoipa::path(get, path = "/", tag = "pages",
    responses((status = 200, description = "Start page", content_type = "text/html")))]
pub async fn start(State(state): State<AppState>) -> Response {
    render(
        &StartPage {
            layout: Layout::public("Get support with your mental health"),
            promise: nwd_usecase::promise::promise_sentence(
                state.store.standards(),
                Priority::Routine,
                ReferralSource::SelfReferral,
            ),
        },
        StatusCode::OK,
        Sensitivity::Public,
    )
}
