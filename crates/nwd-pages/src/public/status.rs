//! The status page of a referral's private link (`/status/{token}`): the words are
//! `usecase::status`'s, shared with `GET /api/status/{token}`; this module only renders them.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use crate::layout::{render, Layout, PageResult, Sensitivity};
use nwd_http::AppState;
use nwd_usecase::status::{status_for_token, PublicStatus, Stage};

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    layout: Layout,
    status: PublicStatus,
    steps: Vec<(&'static str, bool, bool)>,
}

/// The status page of a private link.
#[utoipa::path(get, path = "/status/{token}", tag = "pages",
    params(("token" = String, Path, description = "The private token from the confirmation page")),
    responses((status = 200, description = "Where the request stands", content_type = "text/html"),
        (status = 404, description = "No such link (the same for every wrong token)", content_type = "text/html")))]
pub async fn status_page(State(state): State<AppState>, Path(token): Path<String>) -> PageResult {
    let status = status_for_token(&state.store, &token).await?;
    let order = [
        Stage::Received,
        Stage::BeingLookedAt,
        Stage::WhatHappensNext,
    ];
    let reached = |s: Stage| {
        status.stage == Stage::Finished
            || order.iter().position(|o| *o == s) <= order.iter().position(|o| *o == status.stage)
    };
    let steps = order
        .iter()
        .map(|s| (s.label(), reached(*s), *s == status.stage))
        .collect();
    let page = StatusPage {
        layout: Layout::public("Your request"),
        status,
        steps,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
