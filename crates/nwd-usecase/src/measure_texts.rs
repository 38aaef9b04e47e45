//! An organisation's licensed wording for a bundled outcome measure (issue 19), for every
//! door: loaded from TOML, JSON or a FHIR `Questionnaire` ([`load`]), removed ([`remove`]),
//! and merged into the measure wherever its questions are shown ([`definition`],
//! [`showable`]): the one-time link page, the FHIR `Questionnaire` another system presents,
//! and the choice of measures a link can be sent for. Scoring never reads the wording.

use std::borrow::Cow;

use jiff::Timestamp;
use nwd_domain::FieldError;
use nwd_outcomes::{ItemText, MeasureDefinition};
use nwd_store::Store;

use crate::error::UseCaseError;

/// Largest wording file accepted, in bytes (RCADS's 47 questions fit in a few kilobytes).
pub const MAX_TEXT_BYTES: usize = 256 * 1024;

/// A measure as a door lists it.
#[derive(Debug, Clone)]
pub struct MeasureWording {
    /// The measure, with its wording when it has some.
    pub definition: Cow<'static, MeasureDefinition>,
    /// Whether the wording is shipped with the measure (public domain, or licensed to ship).
    pub shipped: bool,
    /// Who loaded the organisation's wording, and when.
    pub loaded: Option<(String, Timestamp)>,
}

impl MeasureWording {
    /// Whether its questions can be shown to the person completing it.
    pub fn showable(&self) -> bool {
        self.definition.has_item_text()
    }
}

fn bundled(code: &str) -> Result<&'static MeasureDefinition, UseCaseError> {
    nwd_outcomes::bundled()
        .get(code)
        .ok_or_else(|| UseCaseError::NotFound(format!("no measure {code:?}")))
}

fn merged(
    definition: &'static MeasureDefinition,
    body: &str,
) -> Option<Cow<'static, MeasureDefinition>> {
    // Checked when loaded; a body that no longer fits (the bundled definition changed) is
    // ignored rather than shown half-worded.
    let text: ItemText = serde_json::from_str(body).ok()?;
    text.apply(definition).ok().map(Cow::Owned)
}

/// The measure `code` with the organisation's wording merged in, if loaded.
pub async fn definition(
    store: &Store,
    code: &str,
) -> Result<Cow<'static, MeasureDefinition>, UseCaseError> {
    let bundled = bundled(code)?;
    Ok(match store.measure_text(code).await? {
        Some(stored) => merged(bundled, &stored.body).unwrap_or(Cow::Borrowed(bundled)),
        None => Cow::Borrowed(bundled),
    })
}

/// Every bundled measure with its wording, in the bundled order.
pub async fn all(store: &Store) -> Result<Vec<MeasureWording>, UseCaseError> {
    let loaded = store.measure_texts().await?;
    Ok(nwd_outcomes::bundled()
        .measures()
        .iter()
        .map(|bundled| {
            let stored = loaded.iter().find(|s| s.measure == bundled.code);
            let definition = stored
                .and_then(|s| merged(bundled, &s.body))
                .unwrap_or(Cow::Borrowed(bundled));
            MeasureWording {
                shipped: bundled.has_item_text(),
                loaded: stored.map(|s| (s.loaded_by.clone(), s.loaded_at)),
                definition,
            }
        })
        .collect())
}

/// The measures whose questions can be shown, completed by the young person or a parent.
pub async fn showable(store: &Store) -> Result<Vec<MeasureWording>, UseCaseError> {
    Ok(all(store)
        .await?
        .into_iter()
        .filter(|m| {
            m.showable()
                && m.definition.completed_by.iter().any(|r| {
                    matches!(
                        r,
                        nwd_outcomes::Rater::YoungPerson | nwd_outcomes::Rater::ParentOrCarer
                    )
                })
        })
        .collect())
}

/// Reads a wording file: TOML, JSON, or a FHIR `Questionnaire` (JSON with `resourceType`).
fn parse(code: &str, text: &str) -> Result<ItemText, UseCaseError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(UseCaseError::field(
            "text",
            format!(
                "the wording is {} bytes; at most {MAX_TEXT_BYTES} are accepted",
                text.len()
            ),
        ));
    }
    if text.trim().is_empty() {
        return Err(UseCaseError::field("text", "paste or attach the wording"));
    }
    if text.trim_start().starts_with('{') {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| UseCaseError::field("text", format!("not valid JSON: {e}")))?;
        if value.get("resourceType").is_some() {
            return ItemText::from_questionnaire(bundled(code)?, &value).map_err(invalid);
        }
    }
    ItemText::parse(text).map_err(|e| UseCaseError::field("text", e.to_string()))
}

fn invalid(error: nwd_outcomes::InvalidDefinition) -> UseCaseError {
    UseCaseError::Invalid(
        error
            .errors
            .into_iter()
            .map(|e| FieldError {
                field: format!("text.{}", e.path),
                message: e.message,
            })
            .collect(),
    )
}

/// Loads (or replaces) the wording of `code` from `text` (TOML, JSON or a FHIR
/// `Questionnaire`), after checking that it covers every question and answer of the measure.
/// Refused, writing nothing, with each problem named (`text.items.q14`). `by` is the name
/// shown as who loaded it.
pub async fn load(
    store: &Store,
    audit: &nwd_store::audit::AuditContext,
    by: &str,
    code: &str,
    text: &str,
) -> Result<MeasureWording, UseCaseError> {
    let bundled = bundled(code)?;
    if bundled.has_item_text() {
        return Err(UseCaseError::field(
            "text",
            format!(
                "{} ships with its wording; there is nothing to load",
                bundled.name
            ),
        ));
    }
    let wording = parse(code, text)?;
    let definition = wording.apply(bundled).map_err(invalid)?;
    let body = serde_json::to_string(&wording)
        .map_err(|e| UseCaseError::Internal(format!("wording not stored: {e}")))?;
    store.put_measure_text(audit, code, &body, by).await?;
    Ok(MeasureWording {
        definition: Cow::Owned(definition),
        shipped: false,
        loaded: Some((by.to_owned(), store.now())),
    })
}

/// Removes the organisation's wording of `code`; whether there was one.
pub async fn remove(
    store: &Store,
    audit: &nwd_store::audit::AuditContext,
    code: &str,
) -> Result<bool, UseCaseError> {
    bundled(code)?;
    Ok(store.remove_measure_text(audit, code).await?)
}
