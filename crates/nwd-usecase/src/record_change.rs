//! Changing the commissioning record from a form (issue 20): a partner's contribution varied
//! during a year, a Transformation Plan milestone's status and evidence, a provider's declared
//! staff (the clinicians the what-if simulator asks about), a contract's value for a year and
//! a contract KPI's threshold.
//! The form's answers become one edit of the record in force
//! (`nwd_domain::commissioning::edit`, which keeps every other line as written), checked
//! like any save, with each problem under the form's own field (`amount`, `from`, …) when it is the changed entry's and under `document` when it
//! is elsewhere in the record; then saved as a new version with the same conflict rule as a
//! save of the whole text ([`crate::commissioning::save`]): refused, writing nothing, when
//! someone saved since the version the form was opened on.

use nwd_domain::commissioning::edit::{self, Edited, MilestoneUpdate, NewContribution};
use nwd_domain::commissioning::Commissioning;
use nwd_domain::FieldError;
use nwd_store::Store;

use crate::commissioning::{check_source, current, save};
use crate::error::UseCaseError;

/// A change worked out against the record in force, not yet saved.
#[derive(Debug, Clone)]
pub struct Change {
    /// The version it was made on.
    pub on_version: i64,
    /// The record as it stands.
    pub before: Commissioning,
    /// The record with the change, checked.
    pub after: Commissioning,
    /// The new text and the changed entry's path.
    pub edited: Edited,
}

/// Problems of the changed record, under the form's fields (named as the entry's keys) where
/// they are the changed entry's.
fn on_form(edited: &Edited, errors: Vec<FieldError>) -> UseCaseError {
    UseCaseError::Invalid(
        errors
            .into_iter()
            .map(|e| match edited.form_field(&e.field) {
                Some(key) => FieldError {
                    field: key.to_owned(),
                    message: e.message,
                },
                None => FieldError {
                    message: format!("{}: {}", e.field, e.message),
                    field: "document".into(),
                },
            })
            .collect(),
    )
}

/// The record in force (it must check: a form cannot mend what it does not show).
async fn in_force(store: &Store) -> Result<(i64, String, Commissioning), UseCaseError> {
    let record = current(store).await?;
    let number = record.number();
    let source = record.version.map(|v| v.source).unwrap_or_default();
    match record.plan {
        Ok(plan) => Ok((number, source, plan)),
        Err(errors) => Err(UseCaseError::Invalid(
            errors
                .into_iter()
                .map(|e| FieldError {
                    message: format!(
                        "the record in force does not check ({}: {}): correct it as text first",
                        e.field, e.message
                    ),
                    field: "document".into(),
                })
                .collect(),
        )),
    }
}

async fn checked(
    store: &Store,
    on_version: i64,
    before: Commissioning,
    edited: Result<Edited, FieldError>,
) -> Result<Change, UseCaseError> {
    let edited = edited.map_err(|e| UseCaseError::Invalid(vec![e]))?;
    match check_source(store, &edited.source).await {
        Ok(after) => Ok(Change {
            on_version,
            before,
            after,
            edited,
        }),
        Err(UseCaseError::Invalid(errors)) => Err(on_form(&edited, errors)),
        Err(other) => Err(other),
    }
}

/// Agreement `agreement`'s contributions with `line` added: a variation from `line.from`
/// (the earlier line stays as history). Problems come under `partner`, `year`, `amount`,
/// `from`, `reason`, or `document`.
pub async fn vary_contribution(
    store: &Store,
    agreement: &str,
    line: &NewContribution,
) -> Result<Change, UseCaseError> {
    let (on_version, source, before) = in_force(store).await?;
    let edited = edit::add_contribution(&source, agreement, line);
    checked(store, on_version, before, edited).await
}

/// Milestone `action` (from 0) of the plan for `year` with `update`. Problems come under
/// `status`, `evidence`, or `document`.
pub async fn update_milestone(
    store: &Store,
    year: &str,
    action: usize,
    update: &MilestoneUpdate,
) -> Result<Change, UseCaseError> {
    let (on_version, source, before) = in_force(store).await?;
    let edited = edit::update_milestone(&source, year, action, update);
    checked(store, on_version, before, edited).await
}

/// Staff line `line` of declaration `declaration` (both from 0) in the plan for `year` with
/// `wte` whole-time equivalents. Problems come under `wte` or `document`.
pub async fn set_staff_wte(
    store: &Store,
    year: &str,
    declaration: usize,
    line: usize,
    wte: f64,
) -> Result<Change, UseCaseError> {
    let (on_version, source, before) = in_force(store).await?;
    let edited = edit::set_staff_wte(&source, year, declaration, line, wte);
    checked(store, on_version, before, edited).await
}

/// Contract `contract`'s (by key) annual value for `year` (`2026/27`) set to `pounds`: the
/// year's value line changed, or added when it has none. Problems come under `year`,
/// `amount`, or `document` (a year outside the contract's term is the record's problem, so
/// it comes under `document`).
pub async fn set_contract_value(
    store: &Store,
    contract: &str,
    year: &str,
    pounds: f64,
) -> Result<Change, UseCaseError> {
    let (on_version, source, before) = in_force(store).await?;
    let edited = edit::set_contract_value(&source, contract, year, pounds);
    checked(store, on_version, before, edited).await
}

/// KPI `kpi` (from 0) of contract `contract` (by key) with a new `threshold` and amber margin
/// (`None`: the record's default). Problems come under `threshold`, `amber`, or `document`.
pub async fn set_kpi_terms(
    store: &Store,
    contract: &str,
    kpi: usize,
    threshold: f64,
    amber: Option<f64>,
) -> Result<Change, UseCaseError> {
    let (on_version, source, before) = in_force(store).await?;
    let edited = edit::set_kpi_terms(&source, contract, kpi, threshold, amber);
    checked(store, on_version, before, edited).await
}

/// Saves `change` as the version after `edited_from` (the version the form was opened on),
/// with `reason`. Refused (`Store(Conflict)`) when someone saved since.
pub async fn save_change(
    store: &Store,
    audit: &nwd_store::audit::AuditContext,
    by: &str,
    edited_from: i64,
    change: &Change,
    reason: &str,
) -> Result<i64, UseCaseError> {
    save(store, audit, by, edited_from, &change.edited.source, reason).await
}
