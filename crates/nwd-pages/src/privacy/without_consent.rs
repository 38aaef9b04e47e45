//! The privacy officer's list of referrals made on the safeguarding route: without the
//! young person's or family's knowledge or agreement, with the referrer's reason
//! (`Store::referrals_without_consent`). Viewing it is audited by the route guard, like every
//! privacy page; the entry's record names the list.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;

use crate::layout::{render, Layout, PageError, PageResult, Sensitivity};
use crate::staff::triage::shown;
use nwd_http::extract::Caller;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// The most rows the page shows.
const LIMIT: u32 = 500;

/// One row of the list.
#[derive(Debug, Clone)]
pub struct WithoutConsentRow {
    /// The referral's reference.
    pub reference: String,
    /// Its id (for the referral page).
    pub id: String,
    /// When received, as shown.
    pub received: String,
    /// The reason, in words.
    pub reason: &'static str,
    /// The referrer's words.
    pub detail: String,
    /// Where it stands.
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "privacy_without_consent.html")]
struct WithoutConsentPage {
    layout: Layout,
    rows: Vec<WithoutConsentRow>,
}

/// Referrals made without the young person's or family's agreement, newest first.
#[utoipa::path(get, path = "/staff/privacy/referrals-without-consent", tag = "pages",
    responses((status = 200, description = "Referrals made without the young person's or family's agreement, with the reason", content_type = "text/html"), (status = 401, description = "Not signed in"), (status = 403, description = "Not a privacy officer")))]
pub async fn without_consent(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> PageResult {
    let found = state
        .store
        .referrals_without_consent(LIMIT)
        .await
        .map_err(PageError::staff)?;
    trail.set_record("referral", "without_consent_list".to_owned());
    let rows = found
        .into_iter()
        .map(|r| WithoutConsentRow {
            reference: nwd_domain::search::ReferencePrefix::of(r.referral_id).shown(),
            id: r.referral_id.to_string(),
            received: shown(r.received_at, &state),
            reason: r.reason.label(),
            detail: r.detail,
            status: match r.status.as_str() {
                "awaiting_triage" => "Awaiting triage",
                "open" => "Open",
                _ => "Closed",
            },
        })
        .collect();
    let page = WithoutConsentPage {
        layout: Layout::staff("Referrals made without agreement", &principal),
        rows,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
