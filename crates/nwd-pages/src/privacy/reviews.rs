//! The review queues of break-glass grants and safeguarding overrides, and the form recording
//! each review's outcome and note.

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::staff::triage::shown;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nwd_http::extract::Caller;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::auth::Principal;
use nwd_store::privacy::{ReviewItem, ReviewOutcome};
use nwd_usecase::privacy::Review;

/// An item in a review queue.
#[derive(Debug, Clone, Default)]
pub struct QueueItem {
    /// Grant or override id.
    pub id: String,
    /// Who (username), for break-glass; who recorded it, for overrides.
    pub who: String,
    /// The young person's register id.
    pub person_id: String,
    /// What it covered.
    pub what: String,
    /// The reason given.
    pub reason: String,
    /// When.
    pub when: String,
    /// What was typed, when this item's form came back with errors.
    pub typed_outcome: String,
    /// The note typed.
    pub typed_note: String,
    /// The outcome's error.
    pub outcome_error: Option<String>,
    /// The note's error.
    pub note_error: Option<String>,
}

impl QueueItem {
    fn with_form(
        mut self,
        errors: &[FieldMessage],
        failed: Option<&(String, String, String)>,
    ) -> QueueItem {
        if let Some((_, outcome, note)) = failed.filter(|f| f.0 == self.id) {
            self.typed_outcome = outcome.clone();
            self.typed_note = note.clone();
            let find = |prefix: &str| {
                errors
                    .iter()
                    .find(|e| e.id == format!("{prefix}-{}", self.id))
                    .map(|e| e.message.clone())
            };
            self.outcome_error = find("outcome");
            self.note_error = find("note");
        }
        self
    }
}

#[derive(Template)]
#[template(path = "privacy_reviews.html")]
pub(super) struct ReviewsPage {
    layout: Layout,
    break_glass: Vec<QueueItem>,
    overrides: Vec<QueueItem>,
    outcomes: Vec<(&'static str, &'static str)>,
    csrf: String,
}

pub(super) async fn reviews_page(
    state: &AppState,
    principal: &Principal,
    errors: Vec<FieldMessage>,
    failed: Option<(String, String, String)>,
    status: StatusCode,
) -> PageResult {
    let break_glass = state
        .store
        .break_glass_queue()
        .await
        .map_err(PageError::staff)?
        .into_iter()
        .map(|g| QueueItem {
            when: format!(
                "{} to {}",
                shown(g.starts_at, state),
                shown(g.expires_at, state)
            ),
            what: "Break-glass access to the whole record".into(),
            who: g.username,
            person_id: g.person_id,
            reason: g.reason,
            id: g.id,
            ..QueueItem::default()
        })
        .map(|item| item.with_form(&errors, failed.as_ref()))
        .collect();
    let overrides = state
        .store
        .safeguarding_queue()
        .await
        .map_err(PageError::staff)?
        .into_iter()
        .map(|o| QueueItem {
            id: o.item.id.clone(),
            who: o.item.recorded_by.clone(),
            person_id: o.person_id.clone(),
            what: o.item.scope.as_str().replace('_', " "),
            reason: o.item.reason.clone(),
            when: shown(o.item.recorded_at, state),
            ..QueueItem::default()
        })
        .map(|item| item.with_form(&errors, failed.as_ref()))
        .collect();
    let page = ReviewsPage {
        layout: Layout::staff("Reviews waiting", principal).with_errors(errors),
        break_glass,
        overrides,
        outcomes: ReviewOutcome::ALL
            .iter()
            .map(|o| (o.as_str(), o.label()))
            .collect(),
        csrf: principal.csrf_token.clone().unwrap_or_default(),
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// The break-glass grants and safeguarding overrides waiting for review, each with its form.
#[utoipa::path(get, path = "/staff/privacy/reviews", tag = "pages",
    responses((status = 200, description = "Review queues", content_type = "text/html")))]
pub async fn reviews(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    reviews_page(&state, &principal, Vec::new(), None, StatusCode::OK).await
}

pub(super) async fn record(
    trail: &RequestAudit,
    state: AppState,
    principal: Principal,
    item: ReviewItem,
    id: String,
    body: Bytes,
) -> PageResult {
    let form = FormData::parse(&body);
    let review = Review {
        note: form.first("note").to_owned(),
        outcome: Some(form.first("outcome").to_owned()).filter(|o| !o.is_empty()),
    };
    let mut errors = Vec::new();
    if review.outcome.is_none() {
        errors.push(FieldMessage::new(
            &format!("outcome-{id}"),
            "Choose the outcome of the review",
        ));
    }
    let outcome = match review.check() {
        Ok(outcome) => outcome,
        Err(nwd_usecase::UseCaseError::Invalid(fields)) => {
            for f in fields {
                errors.push(FieldMessage::new(
                    &format!("{}-{id}", f.field),
                    if f.field == "note" {
                        "Say what the review found".to_owned()
                    } else {
                        "Choose the outcome of the review".to_owned()
                    },
                ));
            }
            None
        }
        Err(other) => return Err(PageError::staff(other)),
    };
    if !errors.is_empty() {
        errors.dedup_by(|a, b| a.id == b.id);
        let typed = (id, review.outcome.unwrap_or_default(), review.note);
        return reviews_page(
            &state,
            &principal,
            errors,
            Some(typed),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    state
        .store
        .record_review(
            &trail.signed_in(&principal),
            item,
            &id,
            outcome,
            review.note.trim(),
        )
        .await
        .map_err(PageError::staff)?;
    Ok(see_other("/staff/privacy/reviews"))
}

/// Records the review of a break-glass grant.
#[utoipa::path(post, path = "/staff/privacy/break-glass/{id}/review", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Reviewed: back to the queues"), (status = 404, description = "No such unreviewed grant"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn review_break_glass(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    record(&trail, state, principal, ReviewItem::BreakGlass, id, body).await
}

/// Records the review of a safeguarding override.
#[utoipa::path(post, path = "/staff/privacy/safeguarding-overrides/{id}/review", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Reviewed: back to the queues"), (status = 404, description = "No such unreviewed override"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn review_override(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    record(
        &trail,
        state,
        principal,
        ReviewItem::SafeguardingOverride,
        id,
        body,
    )
    .await
}
