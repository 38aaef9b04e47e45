//! The privacy officer's findings, as every door gives them: the access report of a young
//! person's record (break-glass and safeguarding overrides highlighted) and its export for a
//! subject access request (CSV or JSON), and the review of a break-glass grant. The JSON API
//! (`api::privacy`) and the pages (`pages::privacy`) both call these, so a download and a
//! review are the same whichever door they came through.
//!
//! Owns: what counts as break-glass in a report, the export's columns and file name, and the
//! checks of a review. Does not own the audit trail (`nwd_store::audit`).

use nwd_store::audit::AuditRecord;
use nwd_store::privacy::ReviewOutcome;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{UseCaseError, UseCaseResult};

/// An audit report.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditReport {
    /// Entries, oldest first.
    pub entries: Vec<AuditRecord>,
    /// How many of them were break-glass access.
    pub break_glass: usize,
}

/// Whether an entry is break-glass access (highlighted in reports).
pub fn is_break_glass(record: &AuditRecord) -> bool {
    record.entry.why.starts_with("break_glass") || record.entry.record_type == "break_glass"
}

/// Whether an entry is a safeguarding override (highlighted in reports).
pub fn is_safeguarding_override(record: &AuditRecord) -> bool {
    record.entry.why.starts_with("safeguarding override")
}

/// The audit entries as CSV, one row per entry, with a header (for subject access requests).
pub fn audit_csv(entries: &[AuditRecord]) -> Result<String, UseCaseError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| UseCaseError::Internal(format!("csv: {e}"));
    writer
        .write_record([
            "seq",
            "at",
            "user_id",
            "username",
            "roles",
            "organisation_id",
            "action",
            "route",
            "record_type",
            "record_id",
            "person_id",
            "why",
            "outcome",
            "status",
            "break_glass",
        ])
        .map_err(fail)?;
    for r in entries {
        let e = &r.entry;
        writer
            .write_record(nwd_domain::spreadsheet::safe_row([
                r.seq.to_string(),
                e.at.to_string(),
                e.user_id.clone().unwrap_or_default(),
                e.username.clone().unwrap_or_default(),
                e.roles.clone(),
                e.organisation_id.clone().unwrap_or_default(),
                e.action.clone(),
                e.route.clone(),
                e.record_type.clone(),
                e.record_id.clone().unwrap_or_default(),
                e.person_id.clone().unwrap_or_default(),
                e.why.clone(),
                e.outcome.clone(),
                e.status.to_string(),
                if is_break_glass(r) { "yes" } else { "no" }.to_owned(),
            ]))
            .map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| UseCaseError::Internal(format!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| UseCaseError::Internal(format!("csv: {e}")))
}

/// A file to download: its bytes, media type and the name it is saved under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// The file's contents.
    pub body: String,
    /// Its media type (`Content-Type`).
    pub content_type: &'static str,
    /// The name it is saved under (ASCII letters, digits, `-` and `.` only, so it can go in a
    /// `Content-Disposition` header as it is).
    pub file_name: String,
}

/// A subject-access-request download of who accessed a young person's record, as CSV or JSON.
pub fn export(
    person: &str,
    format: Option<&str>,
    entries: Vec<AuditRecord>,
) -> UseCaseResult<Download> {
    let (body, content_type, ext) = match format.unwrap_or("csv") {
        "csv" => (audit_csv(&entries)?, "text/csv; charset=utf-8", "csv"),
        "json" => (
            serde_json::to_string_pretty(&report(entries))
                .map_err(|e| UseCaseError::Internal(format!("json: {e}")))?,
            "application/json",
            "json",
        ),
        other => {
            return Err(UseCaseError::field(
                "format",
                format!("unknown format {other:?}; use csv or json"),
            ))
        }
    };
    // Only a UUID reaches the file name (anything else was refused by the store lookup).
    let safe: String = person
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    Ok(Download {
        body,
        content_type,
        file_name: format!("access-report-{safe}.{ext}"),
    })
}

/// The report of these entries, counting the break-glass ones.
pub fn report(entries: Vec<AuditRecord>) -> AuditReport {
    let break_glass = entries.iter().filter(|e| is_break_glass(e)).count();
    AuditReport {
        entries,
        break_glass,
    }
}

/// A review of a break-glass grant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// The privacy officer's finding.
    pub note: String,
    /// The outcome: `appropriate`, `not_appropriate` or `ask_user` (optional for callers
    /// from before outcomes were recorded; the pages always ask for one).
    #[serde(default)]
    pub outcome: Option<String>,
}

impl Review {
    /// Checks the note and the outcome, naming each field that is wrong.
    pub fn check(&self) -> Result<Option<ReviewOutcome>, UseCaseError> {
        let mut errors = Vec::new();
        let outcome = match self.outcome.as_deref() {
            None => None,
            Some(value) => match ReviewOutcome::parse(value) {
                Ok(o) => Some(o),
                Err(message) => {
                    errors.push(nwd_domain::FieldError {
                        field: "outcome".into(),
                        message,
                    });
                    None
                }
            },
        };
        if self.note.trim().is_empty() {
            errors.push(nwd_domain::FieldError {
                field: "note".into(),
                message: "say what the review found".into(),
            });
        }
        if errors.is_empty() {
            Ok(outcome)
        } else {
            Err(UseCaseError::Invalid(errors))
        }
    }
}
