//! Completing a routine outcome measure through a one-time link (issue 19), for both doors:
//! a clinician sends the young person or a parent a link ([`send`]); whoever holds it sees
//! that one questionnaire and nothing else ([`open`]) and completes it once ([`complete`]),
//! which records the measure on the referral as if entered at a session.
//!
//! Who may be sent a link is decided by the rules that already govern contact: the measure's
//! own raters and ages and the licence of its questions (`MeasureLinkRequest::check`), the
//! allocation's team (`nwd_domain::referral::authority`), and for a parent or carer the
//! parent-contact rule (`nwd_domain::consent::parent_contact`: an under-16 self-referral is
//! not shared with a parent unless a clinician decided so). The link is 256 random bits, kept
//! as a hash, single-use and expires after `MEASURE_LINK_DAYS`; its page is rate limited and
//! audited like every anonymous route (`nwd_web::limits`).

use std::collections::BTreeMap;

use jiff::Timestamp;
use nwd_domain::referral::authority::WriteAuthority;
use nwd_domain::referral::measurement::MeasureLinkRequest;
use nwd_domain::referral::outcome::{OutcomeAssessment, OutcomeRater, ScaleEntry};
use nwd_domain::{FieldError, ReferralId};
use nwd_outcomes::MeasureDefinition;
use nwd_store::measure_links::CompletionError;
use nwd_store::Store;

use crate::error::UseCaseError;

/// Where a link's page lives: `/measure/{token}`.
pub const LINK_PATH: &str = "/measure/";

/// A link sent: shown once to the clinician, who passes it on.
#[derive(Debug, Clone)]
pub struct SentLink {
    /// The path to give (`/measure/{token}`); the door adds its address.
    pub path: String,
    /// When it stops working.
    pub expires_at: Timestamp,
    /// The referral's version after sending.
    pub version: u32,
}

/// Sends a completion link for `request` on the referral, at `version`, for a member of staff
/// whose teams give them `authority`.
pub async fn send(
    store: &Store,
    audit: &nwd_store::audit::AuditContext,
    referral_id: ReferralId,
    version: u32,
    request: MeasureLinkRequest,
    actor: &str,
    authority: &WriteAuthority,
) -> Result<SentLink, UseCaseError> {
    if let Some(bundled) = nwd_outcomes::bundled().get(&request.measure) {
        let definition = crate::measure_texts::definition(store, &bundled.code).await?;
        if !definition.has_item_text() {
            return Err(UseCaseError::field(
                "measure",
                format!(
                    "{} cannot be completed through a link: its questions are licensed and their wording is not loaded (an administrator loads it under Outcome measures); record its scores at a session",
                    definition.name
                ),
            ));
        }
    }
    if request.rater == OutcomeRater::ParentOrCarer {
        if let Err(refusal) = store.parent_contact(referral_id).await? {
            return Err(UseCaseError::field(
                "rater",
                format!("a link cannot be sent to a parent or carer: {refusal}"),
            ));
        }
    }
    let (token, referral, _) = store
        .send_measure_link(audit, referral_id, version, request, actor, authority)
        .await?;
    let expires_at = referral
        .measure_links
        .last()
        .map(|l| l.expires_at)
        .unwrap_or_else(|| store.now());
    Ok(SentLink {
        path: format!("{LINK_PATH}{token}"),
        expires_at,
        version: referral.version,
    })
}

/// What a link's holder sees: the measure's questions and nothing about the young person.
#[derive(Debug, Clone)]
pub struct LinkForm {
    /// The measure.
    pub definition: std::borrow::Cow<'static, MeasureDefinition>,
    /// Who completes it.
    pub rater: OutcomeRater,
    /// When the link stops working.
    pub expires_at: Timestamp,
    /// The allocation it is completed for.
    pub allocation_id: nwd_domain::AllocationId,
}

/// The form `token` opens, or `None` for a link that is malformed, unknown, used or expired
/// (all alike), or whose measure's licensed wording was removed since it was sent.
pub async fn open(store: &Store, token: &str) -> Result<Option<LinkForm>, UseCaseError> {
    let Some(link) = store.open_measure_link(token).await? else {
        return Ok(None);
    };
    if nwd_outcomes::bundled().get(&link.measure).is_none() {
        return Ok(None);
    }
    let definition = crate::measure_texts::definition(store, &link.measure).await?;
    // Wording removed since the link was sent: no questions to show, so no form.
    if !definition.has_item_text() {
        return Ok(None);
    }
    Ok(Some(LinkForm {
        definition,
        rater: link.rater,
        expires_at: link.expires_at,
        allocation_id: link.allocation_id,
    }))
}

/// Why a completion was refused.
#[derive(Debug, thiserror::Error)]
pub enum CompleteError {
    /// The link cannot be used (malformed, unknown, used or expired).
    #[error("this link has been used, has expired or is not a link")]
    Unusable,
    /// Answers to correct, by field (`item-{id}`).
    #[error("answers need correcting")]
    Invalid(Vec<FieldError>),
    /// Anything else.
    #[error(transparent)]
    Other(#[from] UseCaseError),
}

/// Scores `answers` (item id → value as typed) with the link's measure and records it.
pub async fn complete(
    store: &Store,
    audit: &nwd_store::audit::AuditContext,
    token: &str,
    answers: &BTreeMap<String, String>,
) -> Result<(), CompleteError> {
    let Some(form) = open(store, token).await? else {
        return Err(CompleteError::Unusable);
    };
    let scores = score(&form.definition, answers)?;
    let values: BTreeMap<String, f64> = answers
        .iter()
        .filter_map(|(item, raw)| raw.trim().parse::<f64>().ok().map(|v| (item.clone(), v)))
        .collect();
    let now = store.now();
    let assessment = OutcomeAssessment {
        // The store puts the link's own allocation, measure and rater here again, from the
        // row it claims.
        allocation_id: form.allocation_id,
        measure: form.definition.code.clone(),
        rater: form.rater,
        at: now,
        scores,
        answers: crate::outcomes::item_answers(&form.definition, &values),
    };
    let actor = match form.rater {
        OutcomeRater::ParentOrCarer => "parent or carer (completion link)",
        _ => "young person (completion link)",
    };
    match store
        .complete_measure_link(audit, token, assessment, actor)
        .await
    {
        Ok(_) => Ok(()),
        Err(CompletionError::Unusable) => Err(CompleteError::Unusable),
        Err(CompletionError::Store(error)) => Err(UseCaseError::from(error).into()),
    }
}

/// The scale scores of a completed questionnaire: every question must be answered with one of
/// its options (a child can leave a question out only where the measure's prorating allows,
/// and the page asks for every answer, so a gap is named).
fn score(
    definition: &MeasureDefinition,
    answers: &BTreeMap<String, String>,
) -> Result<Vec<ScaleEntry>, CompleteError> {
    let mut errors = Vec::new();
    let mut values = BTreeMap::new();
    for item in &definition.items {
        let field = format!("item-{}", item.id);
        match answers.get(&item.id).map(|v| v.trim()).unwrap_or("") {
            "" => errors.push(FieldError {
                field,
                message: format!(
                    "Answer question {}",
                    definition
                        .items
                        .iter()
                        .position(|i| i.id == item.id)
                        .map(|i| i + 1)
                        .unwrap_or(0)
                ),
            }),
            raw => match raw.parse::<f64>() {
                Ok(value)
                    if definition
                        .response_sets
                        .get(&item.responses)
                        .is_some_and(|set| set.allows(value)) =>
                {
                    values.insert(item.id.clone(), value);
                }
                _ => errors.push(FieldError {
                    field,
                    message: "Choose one of the answers".into(),
                }),
            },
        }
    }
    if !errors.is_empty() {
        return Err(CompleteError::Invalid(errors));
    }
    crate::outcomes::scale_entries(definition, &values).map_err(|message| {
        CompleteError::Invalid(vec![FieldError {
            field: format!(
                "item-{}",
                definition
                    .items
                    .first()
                    .map(|i| i.id.as_str())
                    .unwrap_or("")
            ),
            message,
        }])
    })
}
