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
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use jiff::ToSpan;
use nwd_domain::NhsNumber;
use nwd_store::audit::AuditRecord;
use nwd_store::auth::Principal;
use nwd_store::privacy::{AccountName, AuditQuery, AuditSubject, ReviewItem, ReviewOutcome};
use serde::Deserialize;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::staff::triage::shown;
use nwd_http::extract::{Caller, QueryParams};
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::privacy::{export, is_break_glass, is_safeguarding_override, Review};

/// Rows per page of a report.
const PAGE_SIZE: u32 = 50;
/// At most this many rows in one download (a subject access request covers one person or
/// one user; a larger trail is narrowed by date).
const DOWNLOAD_LIMIT: u32 = 100_000;

/// One audit entry as a table row.
#[derive(Debug, Clone)]
pub struct AccessRow {
    /// Position in the chain.
    pub seq: u64,
    /// When, as shown.
    pub at: String,
    /// Username, or "Not signed in".
    pub user: String,
    /// The account's name (e.g. "Dr Jane Smith"), when the account still exists.
    pub name: Option<String>,
    /// The user's id, for the link to their report.
    pub user_id: Option<String>,
    /// Roles held.
    pub roles: String,
    /// The user's organisation, by name.
    pub organisation: String,
    /// What was done (`read`, `search`, `change`, `export`, …).
    pub action: String,
    /// The record: its kind and id.
    pub record: String,
    /// The young person, for the link to their report.
    pub person_id: Option<String>,
    /// Sections or filters recorded.
    pub sections: String,
    /// The reason or relationship that allowed it, or why it was refused.
    pub why: String,
    /// `allowed`, `denied`, `failed`.
    pub outcome: String,
    /// Refused.
    pub denied: bool,
    /// Break-glass access.
    pub break_glass: bool,
    /// A safeguarding override.
    pub safeguarding: bool,
}

fn rows(
    state: &AppState,
    entries: &[AuditRecord],
    organisations: &[(String, String)],
    names: &[AccountName],
) -> Vec<AccessRow> {
    entries
        .iter()
        .map(|r| {
            let e = &r.entry;
            AccessRow {
                seq: r.seq,
                at: shown(e.at, state),
                user: e.username.clone().unwrap_or_else(|| "Not signed in".into()),
                name: e.user_id.as_ref().and_then(|id| {
                    names
                        .iter()
                        .find(|n| &n.user_id == id)
                        .map(|n| n.display_name.clone())
                }),
                user_id: e.user_id.clone(),
                roles: e.roles.replace(',', ", "),
                organisation: e
                    .organisation_id
                    .as_ref()
                    .map(|id| {
                        organisations
                            .iter()
                            .find(|(oid, _)| oid == id)
                            .map(|(_, name)| name.clone())
                            .unwrap_or_else(|| id.clone())
                    })
                    .unwrap_or_default(),
                action: e.action.clone(),
                record: match &e.record_id {
                    Some(id) => format!("{} {id}", e.record_type.replace('_', " ")),
                    None => e.record_type.replace('_', " "),
                },
                person_id: e.person_id.clone(),
                sections: e.detail.clone().unwrap_or_default(),
                why: e.why.clone(),
                outcome: e.outcome.clone(),
                denied: e.outcome == "denied",
                break_glass: is_break_glass(r),
                safeguarding: is_safeguarding_override(r),
            }
        })
        .collect()
}

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

/// A report's query string.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// Person report: the young person's register id or NHS number. User report: the
    /// username or user id.
    pub subject: Option<String>,
    /// From this date (YYYY-MM-DD, the area's time zone), inclusive.
    pub from: Option<String>,
    /// To this date (YYYY-MM-DD), inclusive.
    pub to: Option<String>,
    /// The next page: entries before this position in the chain.
    pub before: Option<u64>,
    /// Downloads: `csv` (default) or `json`.
    pub format: Option<String>,
}

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Report {
    Person,
    User,
}

impl Report {
    fn path(self) -> &'static str {
        match self {
            Report::Person => "/staff/privacy/person-access",
            Report::User => "/staff/privacy/user-access",
        }
    }
}

#[derive(Template)]
#[template(path = "privacy_report.html")]
struct ReportPage {
    layout: Layout,
    person: bool,
    path: &'static str,
    subject: String,
    from: String,
    to: String,
    searched: bool,
    /// Whose access this is: the user's name and username, or the young person's register
    /// ids.
    heading: Option<String>,
    rows: Vec<AccessRow>,
    next: Option<String>,
    download: String,
    first_page: String,
}

/// The checked filters of a report.
struct Filters {
    subject: Option<(AuditSubject, String)>,
    from_ms: Option<i64>,
    until_ms: Option<i64>,
    errors: Vec<FieldMessage>,
}

fn date(raw: Option<&str>, id: &str, errors: &mut Vec<FieldMessage>) -> Option<Date> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match raw.parse::<Date>() {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldMessage::new(
                id,
                "Enter a date as year-month-day, for example 2026-03-01",
            ));
            None
        }
    }
}

async fn filters(
    state: &AppState,
    report: Report,
    query: &ReportQuery,
) -> Result<Filters, PageError> {
    let mut errors = Vec::new();
    let tz = state.store.tz().clone();
    let from = date(query.from.as_deref(), "from", &mut errors);
    let to = date(query.to.as_deref(), "to", &mut errors);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            errors.push(FieldMessage::new(
                "to",
                "The end date must be on or after the start date",
            ));
        }
    }
    let start = |d: Date| {
        d.to_zoned(tz.clone())
            .ok()
            .map(|z| z.timestamp().as_millisecond())
    };
    let from_ms = from.and_then(start);
    let until_ms = to.and_then(|d| d.checked_add(1.day()).ok()).and_then(start);
    let raw = query
        .subject
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let subject = if raw.is_empty() {
        None
    } else {
        match report {
            Report::Person => {
                if let Ok(uuid) = uuid::Uuid::parse_str(&raw) {
                    Some((
                        AuditSubject::Persons(vec![uuid.to_string()]),
                        uuid.to_string(),
                    ))
                } else {
                    match NhsNumber::parse(&raw) {
                        Ok(nhs) => {
                            let ids = state
                                .store
                                .person_ids_by_nhs_number(&nhs.as_digits())
                                .await
                                .map_err(PageError::staff)?;
                            if ids.is_empty() {
                                errors.push(FieldMessage::new(
                                    "subject",
                                    "No young person on the register has this NHS number",
                                ));
                                None
                            } else {
                                let first = ids[0].clone();
                                Some((AuditSubject::Persons(ids), first))
                            }
                        }
                        Err(_) => {
                            errors.push(FieldMessage::new(
                                "subject",
                                "Enter a valid 10-digit NHS number or the young person's register id",
                            ));
                            None
                        }
                    }
                }
            }
            Report::User => {
                let id = if uuid::Uuid::parse_str(&raw).is_ok() {
                    Some(raw.clone())
                } else {
                    state
                        .store
                        .user_id_by_username(&raw)
                        .await
                        .map_err(PageError::staff)?
                };
                match id {
                    Some(id) => Some((AuditSubject::User(id.clone()), id)),
                    None => {
                        errors.push(FieldMessage::new("subject", "No account has this username"));
                        None
                    }
                }
            }
        }
    };
    Ok(Filters {
        subject,
        from_ms,
        until_ms,
        errors,
    })
}

fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            out.append_pair(k, v);
        }
    }
    out.finish()
}

async fn report(
    trail: &RequestAudit,
    state: AppState,
    principal: Principal,
    report: Report,
    query: ReportQuery,
) -> PageResult {
    let filters = filters(&state, report, &query).await?;
    let from = query.from.clone().unwrap_or_default();
    let to = query.to.clone().unwrap_or_default();
    let subject_text = query.subject.clone().unwrap_or_default();
    let mut rows_shown = Vec::new();
    let mut next = None;
    let mut download = String::new();
    let mut first_page = String::new();
    let searched = filters.subject.is_some() && filters.errors.is_empty();
    let mut heading = None;
    if let (Some((subject, record)), true) = (filters.subject.clone(), searched) {
        let subject_of = subject.clone();
        trail.set_record("audit_report", record.clone());
        trail.set_detail(format!(
            "{}_report from:{from} to:{to} before:{}",
            if report == Report::Person {
                "person"
            } else {
                "user"
            },
            query.before.map(|b| b.to_string()).unwrap_or_default()
        ));
        let page = state
            .store
            .audit_page(&AuditQuery {
                subject,
                from_ms: filters.from_ms,
                until_ms: filters.until_ms,
                cursor: query.before,
                newest_first: true,
                limit: PAGE_SIZE,
            })
            .await
            .map_err(PageError::staff)?;
        let organisations = organisation_names(&state).await?;
        let mut ids: Vec<String> = page
            .entries
            .iter()
            .filter_map(|r| r.entry.user_id.clone())
            .collect();
        if let AuditSubject::User(id) = &subject_of {
            ids.push(id.clone());
        }
        let names = state
            .store
            .account_names(&ids)
            .await
            .map_err(PageError::staff)?;
        heading = match &subject_of {
            AuditSubject::User(id) => Some(match names.iter().find(|n| &n.user_id == id) {
                Some(n) => format!("{} ({})", n.display_name, n.username),
                None => format!("Account {id} (no longer on the system)"),
            }),
            // The privacy officer's role does not hold read_demographics (config/roles.toml),
            // so the young person is named by register id only.
            AuditSubject::Persons(ids) => {
                Some(format!("Young person, register id {}", ids.join(", ")))
            }
        };
        rows_shown = rows(&state, &page.entries, &organisations, &names);
        let base = [
            ("subject", subject_text.as_str()),
            ("from", from.as_str()),
            ("to", to.as_str()),
        ];
        next = page.next.map(|n| {
            let n = n.to_string();
            let mut pairs = base.to_vec();
            pairs.push(("before", n.as_str()));
            format!("{}?{}", report.path(), query_string(&pairs))
        });
        download = format!("{}/download?{}", report.path(), query_string(&base));
        if query.before.is_some() {
            first_page = format!("{}?{}", report.path(), query_string(&base));
        }
    }
    let title = match report {
        Report::Person => "Who accessed a young person's record",
        Report::User => "Everything a user accessed",
    };
    let status = if filters.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ReportPage {
        layout: Layout::staff(title, &principal).with_errors(filters.errors),
        person: report == Report::Person,
        path: report.path(),
        subject: subject_text,
        from,
        to,
        searched,
        heading,
        rows: rows_shown,
        next,
        download,
        first_page,
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// Who accessed a young person's record: every audited read, search, export, change and
/// refusal about them, newest first, break-glass tagged.
#[utoipa::path(get, path = "/staff/privacy/person-access", tag = "pages", params(ReportQuery),
    responses((status = 200, description = "Access report for a young person", content_type = "text/html"), (status = 422, description = "A filter needs correcting", content_type = "text/html")))]
pub async fn person_access(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    QueryParams(query): QueryParams<ReportQuery>,
) -> PageResult {
    report(&trail, state, principal, Report::Person, query).await
}

/// Everything one user accessed, newest first, break-glass tagged.
#[utoipa::path(get, path = "/staff/privacy/user-access", tag = "pages", params(ReportQuery),
    responses((status = 200, description = "Access report for a user", content_type = "text/html"), (status = 422, description = "A filter needs correcting", content_type = "text/html")))]
pub async fn user_access(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    QueryParams(query): QueryParams<ReportQuery>,
) -> PageResult {
    report(&trail, state, principal, Report::User, query).await
}

async fn download(
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
struct ReviewsPage {
    layout: Layout,
    break_glass: Vec<QueueItem>,
    overrides: Vec<QueueItem>,
    outcomes: Vec<(&'static str, &'static str)>,
    csrf: String,
}

async fn reviews_page(
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

async fn record(
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
