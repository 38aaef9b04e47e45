//! Making the follow-up measure hard to forget (issue 19): when a routine outcome measure is
//! due on an allocation, and the closing measure at discharge.
//!
//! The domain guide (§4) asks for measures "at the start, during and at the end of help"; NHS
//! England's CYP outcome metric (MHS112) can pair scores only when a first is recorded on or
//! after the first attended contact and a later one on or after the second. So, per service
//! ([`MeasurementSchedule`], in the directory, changeable by an administrator):
//! - **start**: a measure is due at the first attended direct contact, and overdue once that
//!   contact has passed without one;
//! - **during**: after every `review_every_contacts` attended direct contacts without a measure
//!   one is due at the next contact, and overdue once that many have passed;
//! - **end**: discharging an allocation that has been seen, with no measure on or after the day
//!   of its last attended contact, needs a coded reason ([`MissingMeasure`]), kept in the
//!   allocation's history (`allocation_ended`); the discharge is refused without one.
//!
//! A measure counts for a contact when it is completed on the contact's day (in the area's
//! time zone) or later: a questionnaire filled in in the waiting room belongs to that session.
//! The default review interval (every 6 attended contacts) is a local choice, not a national
//! standard: each service sets its own.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::error::ValidationErrors;
use crate::ids::AllocationId;

use super::Referral;

/// Default review interval in attended contacts: a local choice (see the module's note).
pub const DEFAULT_REVIEW_EVERY_CONTACTS: u8 = 6;
/// The longest review interval a service may set.
pub const MAX_REVIEW_EVERY_CONTACTS: u8 = 52;

/// When a service collects routine outcome measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasurementSchedule {
    /// Whether the service uses routine outcome measures at all (a crisis line or a single
    /// advice session may not).
    #[serde(default = "yes")]
    pub routine: bool,
    /// A measure is due again after this many attended direct contacts without one (1–52).
    #[serde(default = "default_review")]
    pub review_every_contacts: u8,
    /// Whether a discharge without a closing measure must say why.
    #[serde(default = "yes")]
    pub closing_measure: bool,
    /// Whether a young person who referred themselves sees their own questionnaire scores
    /// through their status link (off unless the service chooses it).
    #[serde(default)]
    pub share_progress: bool,
}

fn yes() -> bool {
    true
}

fn default_review() -> u8 {
    DEFAULT_REVIEW_EVERY_CONTACTS
}

impl Default for MeasurementSchedule {
    fn default() -> Self {
        MeasurementSchedule {
            routine: true,
            review_every_contacts: DEFAULT_REVIEW_EVERY_CONTACTS,
            closing_measure: true,
            share_progress: false,
        }
    }
}

impl MeasurementSchedule {
    /// Checks the interval; problems are reported under `field`.
    pub fn validate(&self, field: &str, errors: &mut ValidationErrors) {
        if !(1..=MAX_REVIEW_EVERY_CONTACTS).contains(&self.review_every_contacts) {
            errors.add(
                format!("{field}.review_every_contacts"),
                format!("give a number of contacts from 1 to {MAX_REVIEW_EVERY_CONTACTS}"),
            );
        }
    }

    /// When [`MeasurementSchedule::follow_up`] says overdue, as thresholds on the counts a
    /// list can compare in its query (the caseload's "overdue only"); `None` when the service
    /// does not use routine measures. `OverdueWhen::holds` is exactly `follow_up` being
    /// `Overdue` (checked for every count in the tests).
    pub fn overdue_when(&self) -> Option<OverdueWhen> {
        self.routine.then(|| OverdueWhen {
            start_attended: 1,
            review_since: u32::from(self.review_every_contacts.max(1)),
        })
    }

    /// What is due on an allocation with these counts.
    pub fn follow_up(&self, counts: MeasureCounts) -> FollowUp {
        if !self.routine {
            return FollowUp::NotUsed;
        }
        if !counts.measured {
            return match counts.attended {
                0 => FollowUp::Due(DueKind::Start),
                _ => FollowUp::Overdue(DueKind::Start),
            };
        }
        let every = u32::from(self.review_every_contacts.max(1));
        if counts.since_measure >= every {
            FollowUp::Overdue(DueKind::Review)
        } else if counts.since_measure + 1 >= every {
            FollowUp::Due(DueKind::Review)
        } else {
            FollowUp::UpToDate
        }
    }
}

/// The follow-up rule's "overdue" as thresholds: no measure yet and at least
/// `start_attended` attended contacts, or a measure and at least `review_since` attended
/// contacts since it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverdueWhen {
    /// Attended contacts without a measure that make the first measure overdue.
    pub start_attended: u32,
    /// Attended contacts since the last measure that make a review overdue.
    pub review_since: u32,
}

impl OverdueWhen {
    /// Whether an allocation with `counts` is overdue.
    pub fn holds(&self, counts: MeasureCounts) -> bool {
        if counts.measured {
            counts.since_measure >= self.review_since
        } else {
            counts.attended >= self.start_attended
        }
    }
}

/// Attended direct contacts on an allocation and its measures, as the follow-up rule needs
/// them (kept with the allocation so a caseload can show what is due without reading every
/// referral).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeasureCounts {
    /// Attended direct contacts on the allocation.
    pub attended: u32,
    /// Of those, the ones on a later day than the allocation's last measure (all of them
    /// when there is none).
    pub since_measure: u32,
    /// Whether a measure was recorded on or after the day of the first attended contact
    /// (MHS112 pairs nothing earlier, so a measure before the first session does not count).
    pub measured: bool,
}

/// Why a measure is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DueKind {
    /// The first measure, at the start of help.
    Start,
    /// A review measure during help.
    Review,
}

/// What the follow-up rule says about an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", content = "kind", rename_all = "snake_case")]
pub enum FollowUp {
    /// The service does not use routine measures.
    NotUsed,
    /// Nothing due before the next contact but one.
    UpToDate,
    /// Due at the next contact.
    Due(DueKind),
    /// Should already have been collected.
    Overdue(DueKind),
}

impl FollowUp {
    /// In words, for a caseload or a referral page.
    pub fn label(self) -> &'static str {
        match self {
            FollowUp::NotUsed => "Not used by this service",
            FollowUp::UpToDate => "Up to date",
            FollowUp::Due(DueKind::Start) => "First measure due at the first session",
            FollowUp::Due(DueKind::Review) => "Review measure due at the next session",
            FollowUp::Overdue(DueKind::Start) => "First measure overdue",
            FollowUp::Overdue(DueKind::Review) => "Review measure overdue",
        }
    }

    /// Whether it asks for action now (due or overdue).
    pub fn needs_action(self) -> bool {
        matches!(self, FollowUp::Due(_) | FollowUp::Overdue(_))
    }

    /// Whether it is overdue.
    pub fn is_overdue(self) -> bool {
        matches!(self, FollowUp::Overdue(_))
    }
}

/// Why an allocation ended without a closing measure (recorded at discharge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MissingMeasureReason {
    /// The young person or family declined to complete it.
    Declined,
    /// Contact was lost before the end (did not attend, moved, disengaged).
    LostContact,
    /// Not clinically appropriate at the end (e.g. in crisis, or too distressed).
    NotClinicallyAppropriate,
    /// Completed with another service, or recorded elsewhere.
    CompletedElsewhere,
    /// Another reason, given in the note.
    Other,
}

impl MissingMeasureReason {
    /// Every reason, in a form's order.
    pub const ALL: [MissingMeasureReason; 5] = [
        MissingMeasureReason::Declined,
        MissingMeasureReason::LostContact,
        MissingMeasureReason::NotClinicallyAppropriate,
        MissingMeasureReason::CompletedElsewhere,
        MissingMeasureReason::Other,
    ];

    /// The code.
    pub fn code(self) -> &'static str {
        match self {
            MissingMeasureReason::Declined => "declined",
            MissingMeasureReason::LostContact => "lost_contact",
            MissingMeasureReason::NotClinicallyAppropriate => "not_clinically_appropriate",
            MissingMeasureReason::CompletedElsewhere => "completed_elsewhere",
            MissingMeasureReason::Other => "other",
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            MissingMeasureReason::Declined => "The young person or family declined",
            MissingMeasureReason::LostContact => "Contact was lost before the end",
            MissingMeasureReason::NotClinicallyAppropriate => "Not clinically appropriate",
            MissingMeasureReason::CompletedElsewhere => "Completed with another service",
            MissingMeasureReason::Other => "Another reason (say in the note)",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<MissingMeasureReason> {
        MissingMeasureReason::ALL
            .into_iter()
            .find(|r| r.code() == code)
    }
}

/// Why a discharge has no closing measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MissingMeasure {
    /// Coded reason.
    pub reason: MissingMeasureReason,
    /// A note (needed with `other`).
    #[serde(default)]
    pub note: Option<String>,
}

impl MissingMeasure {
    /// Checks the note; problems are reported under `field`.
    pub fn validate(&self, field: &str, errors: &mut ValidationErrors) {
        let note = self.note.as_deref().map(str::trim).unwrap_or("");
        if self.reason == MissingMeasureReason::Other && note.is_empty() {
            errors.add(
                format!("{field}.note"),
                "say why no closing measure was recorded",
            );
        }
        if note.chars().count() > 1_000 {
            errors.add(format!("{field}.note"), "keep the note to 1,000 characters");
        }
    }
}

impl Referral {
    /// The follow-up counts of one allocation; days are the area's (`tz`).
    pub fn measure_counts(&self, allocation_id: AllocationId, tz: &TimeZone) -> MeasureCounts {
        let day = |at: Timestamp| at.to_zoned(tz.clone()).date();
        let mut attended: Vec<Timestamp> = self
            .contacts
            .iter()
            .filter(|c| c.allocation_id == allocation_id && c.is_attended_direct())
            .map(|c| c.at)
            .collect();
        attended.sort();
        let last_measure = self
            .outcomes
            .iter()
            .filter(|o| o.allocation_id == allocation_id)
            .map(|o| o.at)
            .max();
        let since_measure = match last_measure {
            Some(measured) => attended
                .iter()
                .filter(|at| day(**at) > day(measured))
                .count(),
            None => attended.len(),
        };
        let measured = attended.first().is_some_and(|first| {
            self.outcomes
                .iter()
                .any(|o| o.allocation_id == allocation_id && day(o.at) >= day(*first))
        });
        MeasureCounts {
            attended: attended.len() as u32,
            since_measure: since_measure as u32,
            measured,
        }
    }

    /// Whether the allocation has a closing measure: one on or after the day of its last
    /// attended direct contact. `None` when it has never been seen (nothing to close).
    pub fn has_closing_measure(&self, allocation_id: AllocationId, tz: &TimeZone) -> Option<bool> {
        let day = |at: Timestamp| at.to_zoned(tz.clone()).date();
        let last_contact = self
            .contacts
            .iter()
            .filter(|c| c.allocation_id == allocation_id && c.is_attended_direct())
            .map(|c| c.at)
            .max()?;
        Some(
            self.outcomes
                .iter()
                .any(|o| o.allocation_id == allocation_id && day(o.at) >= day(last_contact)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(attended: u32, since_measure: u32, measured: bool) -> MeasureCounts {
        MeasureCounts {
            attended,
            since_measure,
            measured,
        }
    }

    #[test]
    fn the_first_measure_is_due_before_the_first_session_and_overdue_after_it() {
        let s = MeasurementSchedule::default();
        assert_eq!(
            s.follow_up(counts(0, 0, false)),
            FollowUp::Due(DueKind::Start)
        );
        assert_eq!(
            s.follow_up(counts(1, 1, false)),
            FollowUp::Overdue(DueKind::Start)
        );
    }

    #[test]
    fn a_review_is_due_at_the_nth_session_and_overdue_after_it() {
        let s = MeasurementSchedule {
            review_every_contacts: 4,
            ..MeasurementSchedule::default()
        };
        assert_eq!(s.follow_up(counts(3, 2, true)), FollowUp::UpToDate);
        assert_eq!(
            s.follow_up(counts(4, 3, true)),
            FollowUp::Due(DueKind::Review)
        );
        assert_eq!(
            s.follow_up(counts(5, 4, true)),
            FollowUp::Overdue(DueKind::Review)
        );
        let every_session = MeasurementSchedule {
            review_every_contacts: 1,
            ..MeasurementSchedule::default()
        };
        assert_eq!(
            every_session.follow_up(counts(2, 0, true)),
            FollowUp::Due(DueKind::Review)
        );
    }

    #[test]
    fn a_service_without_routine_measures_has_nothing_due() {
        let s = MeasurementSchedule {
            routine: false,
            ..MeasurementSchedule::default()
        };
        assert_eq!(s.follow_up(counts(9, 9, false)), FollowUp::NotUsed);
    }

    #[test]
    fn the_interval_and_the_other_reason_are_checked() {
        let mut errors = ValidationErrors::new();
        MeasurementSchedule {
            review_every_contacts: 0,
            ..MeasurementSchedule::default()
        }
        .validate("measurement", &mut errors);
        MissingMeasure {
            reason: MissingMeasureReason::Other,
            note: Some("  ".into()),
        }
        .validate("without_closing_measure", &mut errors);
        let fields: Vec<String> = errors.0.iter().map(|e| e.field.clone()).collect();
        assert_eq!(
            fields,
            [
                "measurement.review_every_contacts",
                "without_closing_measure.note"
            ]
        );
    }
}

/// How long a completion link stays usable: a local choice (two weeks covers the gap between
/// fortnightly sessions), not a national standard.
pub const MEASURE_LINK_DAYS: i64 = 14;

/// A request to send the young person or a parent a one-time link to complete a measure on
/// their phone without signing in (issue 19).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MeasureLinkRequest {
    /// The allocation (service) it is completed for.
    pub allocation_id: AllocationId,
    /// The measure's code. Whether its questions may be shown (shipped with their text, or
    /// the organisation's licensed wording loaded) is the use case's check, as the wording
    /// is stored data (`nwd_usecase::measure_links::send`).
    pub measure: String,
    /// Who completes it: `self` or `parent`.
    pub rater: super::outcome::OutcomeRater,
}

impl MeasureLinkRequest {
    /// Checks the measure, the rater and the young person's age (`age` in whole years);
    /// the allocation and whether a parent may be contacted are checked by the command and
    /// the use case.
    pub fn check(&self, age: i16, errors: &mut ValidationErrors) {
        use super::outcome::OutcomeRater;
        let set = nwd_outcomes::bundled();
        let Some(definition) = set.get(&self.measure) else {
            errors.add("measure", format!("unknown measure {:?}", self.measure));
            return;
        };
        if self.rater == OutcomeRater::Clinician {
            errors.add(
                "rater",
                "a link is for the young person or a parent or carer; a clinician records the measure",
            );
        } else if !definition
            .completed_by
            .iter()
            .any(|r| r.code() == self.rater.code())
        {
            errors.add(
                "rater",
                format!(
                    "{} is not completed by {}",
                    definition.name,
                    self.rater.label().to_lowercase()
                ),
            );
        }
        let range = definition.age_range;
        if self.rater == OutcomeRater::YoungPerson
            && !(i16::from(range.min)..=i16::from(range.max)).contains(&age)
        {
            errors.add(
                "measure",
                format!(
                    "{} is for ages {} to {}; the young person is {age}",
                    definition.name, range.min, range.max
                ),
            );
        }
    }
}

/// A completion link that was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentMeasureLink {
    /// The link's id.
    pub link_id: uuid::Uuid,
    /// The allocation, measure and rater.
    pub request: MeasureLinkRequest,
    /// When it was sent.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub sent_at: Timestamp,
    /// When it stops working.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub expires_at: Timestamp,
}

/// The measures a young person sees through their own status link (issue 19): only on a
/// referral they made themselves (the link's holder is then the young person, never a parent
/// or a professional), only what they completed themselves, and only for services that chose
/// to share progress (`share_progress`). Oldest first.
pub fn shared_progress(
    referral: &Referral,
    shares: impl Fn(crate::ids::ServiceId) -> bool,
) -> Vec<&super::outcome::OutcomeAssessment> {
    if referral.source != crate::codes::ReferralSource::SelfReferral {
        return Vec::new();
    }
    let mut shown: Vec<&super::outcome::OutcomeAssessment> = referral
        .outcomes
        .iter()
        .filter(|o| o.rater == super::outcome::OutcomeRater::YoungPerson)
        .filter(|o| {
            referral
                .allocation(o.allocation_id)
                .is_some_and(|a| shares(a.service_id))
        })
        .collect();
    shown.sort_by_key(|o| o.at);
    shown
}
