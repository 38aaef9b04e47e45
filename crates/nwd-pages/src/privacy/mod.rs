//! The privacy officer's pages (permissions `audit_reports`, `review_break_glass`): the home
//! page with the audit chain's verification, "who accessed this young person's record" (by
//! register id or NHS number) and "everything this user accessed" — tables with denials and
//! break-glass rows tagged, filtered by date, paged newest first, downloadable as CSV or JSON
//! for a subject access request — and the review queues of break-glass grants and
//! safeguarding overrides, each with a form recording the outcome and a note.
//!
//! Every view is audited by the guard like the API (`action = export` for audit reports),
//! with the subject of the report as the entry's record. The reports read
//! `Store::audit_page`; the review form posts to `Store::record_review`, as the API does.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::layout::{render, Layout, PageError, PageResult, Sensitivity};
use crate::staff::triage::shown;
use nwd_http::extract::{Caller, QueryParams};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

mod downloads;
mod reports;
mod reviews;
mod without_consent;

pub use downloads::{person_download, user_download};
pub use reports::{person_access, user_access, AccessRow, ReportQuery};
pub use reviews::{review_break_glass, review_override, reviews, QueueItem};
pub use without_consent::{without_consent, WithoutConsentRow};
// The handlers' OpenAPI paths, which `routes!` finds beside each handler.
pub use downloads::{__path_person_download, __path_user_download};
pub use reports::{__path_person_access, __path_user_access};
pub use reviews::{__path_review_break_glass, __path_review_override, __path_reviews};
pub use without_consent::__path_without_consent;

async fn organisation_names(state: &AppState) -> Result<Vec<(String, String)>, PageError> {
    Ok(state
        .store
        .organisations()
        .await
        .map_err(PageError::staff)?
        .into_iter()
        .map(|(o, _)| (o.id.to_string(), o.details.name))
        .collect())
}

#[derive(Template)]
#[template(path = "privacy_home.html")]
struct HomePage {
    layout: Layout,
    verified: u64,
    broken: Option<(u64, String)>,
    /// Whether the whole chain was recomputed on this view.
    full: bool,
    /// The first entry recomputed on this view.
    from_seq: u64,
    /// When this check ran, as shown.
    checked_at: String,
    /// When the whole chain was last recomputed by this server, as shown.
    full_at: Option<String>,
    break_glass_waiting: usize,
    overrides_waiting: usize,
}

/// The home page's query string.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HomeQuery {
    /// `full`: recompute the whole audit chain now, not only the entries added since this
    /// server last verified it.
    pub check: Option<String>,
}

/// The privacy officer's home: the audit chain's verification and the queues' sizes. A view
/// recomputes only the entries added since this server last verified the chain (and checks
/// the last one then verified is unchanged); `?check=full` recomputes the whole chain.
#[utoipa::path(get, path = "/staff/privacy", tag = "pages", params(HomeQuery),
    responses((status = 200, description = "Privacy officer's home", content_type = "text/html")))]
pub async fn home(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    QueryParams(query): QueryParams<HomeQuery>,
) -> PageResult {
    let full = query.check.as_deref() == Some("full");
    let check = state
        .store
        .check_audit(full)
        .await
        .map_err(PageError::staff)?;
    let break_glass_waiting = state
        .store
        .break_glass_queue()
        .await
        .map_err(PageError::staff)?
        .len();
    let overrides_waiting = state
        .store
        .safeguarding_queue()
        .await
        .map_err(PageError::staff)?
        .len();
    trail.set_record(
        "audit",
        if check.full {
            "verify"
        } else {
            "verify_since_last"
        }
        .to_owned(),
    );
    let page = HomePage {
        layout: Layout::staff("Privacy and audit", &principal),
        verified: check.verification.entries,
        broken: check.verification.first_broken.map(|b| (b.seq, b.problem)),
        full: check.full,
        from_seq: check.from_seq,
        checked_at: shown(check.at, &state),
        full_at: check.full_at.map(|at| shown(at, &state)),
        break_glass_waiting,
        overrides_waiting,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
