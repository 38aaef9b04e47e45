//! The public journeys' server-side drafts, as the pages use them: the cookie that holds a
//! draft's id, reading and saving the answers (`nwd_store::drafts` stores them), and the pages
//! for a draft that has gone ("Your answers have expired") or grown too big.
//!
//! Every answer is posted, checked, saved in the draft and answered with `303 See Other` to
//! the next question's own address (post/redirect/get), which reads the draft: the browser's
//! Back, Forward and refresh only ever repeat a GET, never a post, and the answers are still
//! there. The cookie is `HttpOnly`, `SameSite=Lax`, `Secure` and scoped to the journey's path;
//! it has no `Max-Age` (it ends with the browser session) and the draft itself ends
//! [`DRAFT_IDLE_LIFETIME`] after its last answer, or when the referral is sent.

use askama::Template;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use nwd_http::AppState;
use nwd_store::drafts::{Draft, DraftError, DRAFT_IDLE_LIFETIME, DRAFT_MAX_BYTES};

use crate::form::FormData;
use crate::layout::{render, see_other, Layout, PageError, Sensitivity};

/// The cookie holding a draft's id. `__Secure-`: browsers only accept it with `Secure`, which
/// they honour on `https://` and on the loopback address of a developer's machine.
pub const DRAFT_COOKIE: &str = "__Secure-nwd_draft";

/// A journey that keeps a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Journey {
    /// Its name in the drafts table.
    pub name: &'static str,
    /// The path its cookie is scoped to (every page of the journey is under it).
    pub cookie_path: &'static str,
    /// Where a fresh journey starts.
    pub start: &'static str,
}

/// The draft id in the request's cookie, if any.
pub fn draft_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == DRAFT_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// The request's live draft of `journey`: `None` when there is no cookie, no such draft, or it
/// has expired.
pub async fn read(
    state: &AppState,
    headers: &HeaderMap,
    journey: Journey,
) -> Result<Option<(String, Draft)>, PageError> {
    let Some(id) = draft_id(headers) else {
        return Ok(None);
    };
    let draft = state
        .store
        .read_draft(&id, journey.name)
        .await
        .map_err(nwd_http::problem::ApiError::from)?;
    Ok(draft.map(|d| (id, d)))
}

/// The request's draft of `journey` with its answers; or the page to show instead: the
/// confirmation at `done` once sent, "Your answers have expired" without a live draft.
pub async fn answers(
    state: &AppState,
    headers: &HeaderMap,
    journey: Journey,
    done: &str,
) -> Result<(String, FormData), Response> {
    match read(state, headers, journey).await {
        Ok(Some((_, draft))) if draft.sent.is_some() => Err(see_other(done)),
        Ok(Some((id, draft))) => Ok((id, FormData::from_pairs(draft.answers))),
        Ok(None) => Err(expired(journey)),
        Err(e) => Err(axum::response::IntoResponse::into_response(e)),
    }
}

/// Starts a fresh draft of `journey` with `answers` and answers `303 See Other` to `next`,
/// setting the cookie.
pub async fn start(
    state: &AppState,
    journey: Journey,
    answers: &FormData,
    next: &str,
) -> Result<Response, PageError> {
    let id = nwd_store::drafts::new_draft_id();
    save(state, &id, journey, answers).await?;
    let mut response = see_other(next);
    let cookie = format!(
        "{DRAFT_COOKIE}={id}; Path={}; Secure; HttpOnly; SameSite=Lax",
        journey.cookie_path
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// Why answers were not saved, in words for the page.
pub enum NotSaved {
    /// Bigger than a draft may keep: the page shows this message and nothing was written.
    TooLarge(String),
    /// Anything else: an error page.
    Failed(PageError),
}

/// Saves `answers` as draft `id` of `journey`.
pub async fn save(
    state: &AppState,
    id: &str,
    journey: Journey,
    answers: &FormData,
) -> Result<(), PageError> {
    save_checked(state, id, journey, answers)
        .await
        .map_err(|e| match e {
            NotSaved::TooLarge(message) => {
                nwd_http::problem::ApiError::PayloadTooLarge(message).into()
            }
            NotSaved::Failed(e) => e,
        })
}

/// Saves `answers` as draft `id` of `journey`, telling a draft too big apart.
pub async fn save_checked(
    state: &AppState,
    id: &str,
    journey: Journey,
    answers: &FormData,
) -> Result<(), NotSaved> {
    match state
        .store
        .save_draft(id, journey.name, answers.pairs())
        .await
    {
        Ok(()) => Ok(()),
        Err(DraftError::TooLarge { .. }) => Err(NotSaved::TooLarge(format!(
            "Your answers are too long for us to keep (more than {} KB). Shorten the longest answer and try again",
            DRAFT_MAX_BYTES / 1024
        ))),
        Err(DraftError::Store(e)) => Err(NotSaved::Failed(
            nwd_http::problem::ApiError::from(e).into(),
        )),
    }
}

#[derive(Template)]
#[template(path = "journey_expired.html")]
struct ExpiredPage {
    layout: Layout,
    start: &'static str,
    hours: i64,
}

/// "Your answers have expired": no draft behind this browser's cookie (never started, idle
/// too long, or from another browser). Nothing about why, and nothing was written.
pub fn expired(journey: Journey) -> Response {
    render(
        &ExpiredPage {
            layout: Layout::public("Your answers have expired"),
            start: journey.start,
            hours: DRAFT_IDLE_LIFETIME.as_hours(),
        },
        StatusCode::GONE,
        Sensitivity::Identifiable,
    )
}
