//! What the referral page's forms hold ([`TriageForm`], [`PageInput`]) and the rows it lists.

use crate::form::FormData;
use crate::layout::FieldMessage;
use crate::staff::actions::ActionForm;
use axum::http::StatusCode;
use nwd_store::Change;

/// What the triage form holds: as read, or as typed when it comes back.
#[derive(Debug, Clone, Default)]
pub struct TriageForm {
    /// The version the form was read at.
    pub version: u32,
    /// Need group (API name).
    pub need_group: String,
    /// Risk (API name).
    pub risk: String,
    /// Clinical response priority (API name).
    pub priority: String,
    /// Risk review date, YYYY-MM-DD, or "".
    pub review_on: String,
    /// Why.
    pub rationale: String,
    /// The young person's and family's preference.
    pub preference: String,
    /// Services to allocate to.
    pub allocate: Vec<String>,
    /// Competence: "yes", "no" or "".
    pub competent: String,
    /// Who assessed competence.
    pub assessed_by: String,
    /// Competence reasoning.
    pub competence_rationale: String,
    /// Destinations besides services (signpost, advice, decline).
    pub destinations: crate::staff::destinations::TriageDestinations,
}

impl TriageForm {
    pub(super) fn from_form(form: &FormData) -> TriageForm {
        TriageForm {
            version: form.first("version").parse().unwrap_or(0),
            need_group: form.first("need_group").to_owned(),
            risk: form.first("risk").to_owned(),
            priority: form.first("priority").to_owned(),
            review_on: form.first("risk_review_on").to_owned(),
            rationale: form.first("rationale").to_owned(),
            preference: form.first("preference").to_owned(),
            allocate: form
                .all("allocate")
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            competent: form.first("competent").to_owned(),
            assessed_by: form.first("assessed_by").to_owned(),
            competence_rationale: form.first("competence_rationale").to_owned(),
            destinations: crate::staff::destinations::TriageDestinations::from_form(form),
        }
    }
}

/// A service the referral could be allocated to.
#[derive(Debug, Clone)]
pub struct ServiceOption {
    /// Id.
    pub id: String,
    /// Name and what it serves.
    pub label: String,
    /// Ticked.
    pub checked: bool,
}

/// A change made by someone else while the form was open.
#[derive(Debug, Clone)]
pub struct ChangeLine {
    /// What.
    pub what: String,
    /// Who.
    pub actor: String,
    /// When.
    pub at: String,
}

/// An allocation, as the referral page lists it.
#[derive(Debug, Clone)]
pub struct AllocationRow {
    /// Service name.
    pub service: String,
    /// Need group at allocation.
    pub need_group: &'static str,
    /// Allocated, as shown.
    pub since: String,
    /// Waiting, seen, or how it ended.
    pub state: String,
    /// Still open.
    pub active: bool,
    /// The outcome measure due (open), or why it ended without a closing one.
    pub measure: String,
    /// Whether that measure is overdue.
    pub measure_overdue: bool,
}

/// What the referral page shows besides the record: the forms as typed, the invalid answers,
/// and the changes someone else made meanwhile.
#[derive(Debug, Clone)]
pub struct PageInput {
    /// The triage form.
    pub triage: TriageForm,
    /// The forms used after triage.
    pub actions: ActionForm,
    /// Invalid answers.
    pub errors: Vec<FieldMessage>,
    /// Changes made by someone else since the form was read.
    pub conflict: Vec<Change>,
    /// The page's status.
    pub status: StatusCode,
    /// The urgency form (`crate::staff::urgency`).
    pub urgency: crate::staff::urgency::UrgencyForm,
    /// The action just done, for the success banner (`?done=`).
    pub done: Option<String>,
}
