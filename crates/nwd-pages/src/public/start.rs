//! The start page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

use crate::layout::{render, Layout, Sensitivity};

#[derive(Template)]
#[template(path = "start.html")]
struct StartPage {
    layout: Layout,
}

/// The start page: what No Wrong Door is and the ways in.
#[utoipa::path(get, path = "/", tag = "pages",
    responses((status = 200, description = "Start page", content_type = "text/html")))]
pub async fn start() -> Response {
    render(
        &StartPage {
            layout: Layout::public("Get support with your mental health"),
        },
        StatusCode::OK,
        Sensitivity::Public,
    )
}
