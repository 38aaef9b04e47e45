//! The access reports as CSV or JSON downloads, for a subject access request.

use super::reports::{filters, Report, ReportQuery, DOWNLOAD_LIMIT};
use crate::layout::{PageError, Sensitivity};
use axum::extract::State;
use axum::response::Response;
use nwd_http::extract::QueryParams;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::privacy::AuditQuery;
use nwd_usecase::privacy::export;

pub(super) async fn download(
    trail: &RequestAudit,
    state: AppState,
    report: Report,
    query: ReportQuery,
) -> Result<Response, PageError> {
    let filters = filters(&state, report, &query).await?;
    let Some((subject, record)) = filters.subject.filter(|_| filters.errors.is_empty()) else {
        let message = filters
            .errors
            .first()
            .map(|e| e.message.clone())
            .unwrap_or_else(|| "Say whose access to download".into());
        return Err(PageError::staff(ApiError::field("subject", message)));
    };
    trail.set_record("audit_report", record.clone());
    trail.set_detail(format!(
        "sar_export:{} from:{} to:{}",
        query.format.as_deref().unwrap_or("csv"),
        query.from.as_deref().unwrap_or_default(),
        query.to.as_deref().unwrap_or_default()
    ));
    let page = state
        .store
        .audit_page(&AuditQuery {
            subject,
            from_ms: filters.from_ms,
            until_ms: filters.until_ms,
            cursor: None,
            newest_first: false,
            limit: DOWNLOAD_LIMIT,
        })
        .await
        .map_err(PageError::staff)?;
    let download =
        export(&record, query.format.as_deref(), page.entries).map_err(PageError::staff)?;
    let mut response = nwd_http::headers::attachment(download);
    crate::layout::security_headers(response.headers_mut(), Sensitivity::Identifiable);
    Ok(response)
}

/// The person report as a CSV or JSON download (subject access request).
#[utoipa::path(get, path = "/staff/privacy/person-access/download", tag = "pages", params(ReportQuery),
    responses((status = 200, description = "CSV or JSON download"), (status = 422, description = "A filter needs correcting", content_type = "text/html")))]
pub async fn person_download(
    trail: RequestAudit,
    State(state): State<AppState>,
    QueryParams(query): QueryParams<ReportQuery>,
) -> Result<Response, PageError> {
    download(&trail, state, Report::Person, query).await
}

/// The user report as a CSV or JSON download.
#[utoipa::path(get, path = "/staff/privacy/user-access/download", tag = "pages", params(ReportQuery),
    responses((status = 200, description = "CSV or JSON download"), (status = 422, description = "A filter needs correcting", content_type = "text/html")))]
pub async fn user_download(
    trail: RequestAudit,
    State(state): State<AppState>,
    QueryParams(query): QueryParams<ReportQuery>,
) -> Result<Response, PageError> {
    download(&trail, state, Report::User, query).await
}
