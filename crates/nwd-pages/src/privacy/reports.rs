//! The access reports: who accessed a young person's record and everything a user accessed,
//! filtered by date and paged newest first.

use super::organisation_names;
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::staff::triage::shown;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::civil::Date;
use jiff::ToSpan;
use nwd_domain::NhsNumber;
use nwd_http::extract::{Caller, QueryParams};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::audit::AuditRecord;
use nwd_store::auth::Principal;
use nwd_store::privacy::{AccountName, AuditQuery, AuditSubject};
use nwd_usecase::privacy::{is_break_glass, is_safeguarding_override};
use serde::Deserialize;

/// Rows per page of a report.
pub(super) const PAGE_SIZE: u32 = 50;
/// At most this many rows in one download (a subject access request covers one person or
/// one user; a larger trail is narrowed by date).
pub(super) const DOWNLOAD_LIMIT: u32 = 100_000;

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

pub(super) fn rows(
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
pub(super) enum Report {
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
pub(super) struct ReportPage {
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
pub(super) struct Filters {
    pub(super) subject: Option<(AuditSubject, String)>,
    pub(super) from_ms: Option<i64>,
    pub(super) until_ms: Option<i64>,
    pub(super) errors: Vec<FieldMessage>,
}

pub(super) fn date(raw: Option<&str>, id: &str, errors: &mut Vec<FieldMessage>) -> Option<Date> {
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

pub(super) async fn filters(
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

pub(super) fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            out.append_pair(k, v);
        }
    }
    out.finish()
}

pub(super) async fn report(
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
