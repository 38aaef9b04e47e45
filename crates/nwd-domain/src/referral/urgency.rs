//! Urgency as living facts: the clinical response priority, the risk level and the date by
//! which the risk must be reviewed, recorded with a reason by triage and later by any
//! authorised clinician ([`UrgencyCommand`] → [`super::ReferralEvent::UrgencyRecorded`]), and
//! derived by folding events like everything else on a referral.
//!
//! # Requested and clinical priority
//!
//! A referral carries two priorities:
//!
//! * [`Referral::priority`](super::Referral) — the **clinical** response priority (MHSDS
//!   `ClinRespPriorityType`). It orders waiting lists and chooses every service's standard,
//!   so every breach date follows it. It is set at receipt only for a *verified* sender (a
//!   signed-in professional or an API client with a token), then by triage and by each
//!   urgency review.
//! * [`Referral::requested_priority`](super::Referral) — the urgency an **unverified** sender
//!   asked for: anonymous `/refer` (anyone can claim to be a professional), and a public
//!   self- or parent-referral whose safety answers signal risk
//!   ([`NewReferral::requested_priority`](super::NewReferral), with the sender's reason in
//!   `request_reason`). It is a request for triage to confirm: it moves nothing on a waiting
//!   list, but it does make triage look sooner — the referral is measured against the triage
//!   standard of the more urgent of the two ([`Referral::triage_priority`]) and, when very
//!   urgent or an emergency, it is on the crisis list. Triage settles the request: it must
//!   state the clinical priority while a request is pending ([`check_triage_priority`]), and
//!   then the request is cleared. A false claim therefore costs one early look by triage and
//!   cannot jump any service's queue.
//!
//! # Risk review
//!
//! A risk review date is a calendar date in the area's time zone; the review is overdue from
//! the start of the following day ([`review_overdue_from`]).

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::codes::{Priority, ReferralSource};
use crate::error::{DomainError, ValidationErrors};
use crate::need::RiskLevel;
use crate::standards::{select, WaitStandard};

use super::command::Context;
use super::event::ReferralEvent;
use super::state::{Referral, ReferralStatus};

/// The longest a risk review may be put off (days): a review date further away is a typing
/// mistake more often than a plan. Local default, not a national standard.
pub const MAX_REVIEW_DAYS: i64 = 366;

/// A change of priority and/or risk, with the reason (triage or a later review).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UrgencyCommand {
    /// The new clinical response priority, if it changes.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// The new risk level, if it changes.
    #[serde(default)]
    pub risk: Option<RiskLevel>,
    /// The date by which the risk is to be reviewed again (area's calendar).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub risk_review_on: Option<Date>,
    /// Why: part of the record.
    pub reason: String,
}

impl RiskLevel {
    /// Every level, lowest first.
    pub const ALL: &'static [RiskLevel] = &[
        RiskLevel::Low,
        RiskLevel::Medium,
        RiskLevel::High,
        RiskLevel::Immediate,
    ];

    /// Sort rank: higher is more risk (1 low … 4 immediate).
    pub fn rank(&self) -> i64 {
        match self {
            RiskLevel::Low => 1,
            RiskLevel::Medium => 2,
            RiskLevel::High => 3,
            RiskLevel::Immediate => 4,
        }
    }

    /// Shown label.
    pub fn label(&self) -> &'static str {
        match self {
            RiskLevel::Low => "Low",
            RiskLevel::Medium => "Medium",
            RiskLevel::High => "High",
            RiskLevel::Immediate => "Immediate",
        }
    }

    /// Parses the API name.
    pub fn parse(value: &str) -> Result<RiskLevel, String> {
        RiskLevel::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == value)
            .ok_or_else(|| {
                format!("unknown risk level {value:?}; allowed: low, medium, high, immediate")
            })
    }

    /// High or immediate: on the crisis list.
    pub fn is_crisis(&self) -> bool {
        self.rank() >= RiskLevel::High.rank()
    }
}

/// Emergency or very urgent: on the crisis list.
pub fn is_crisis_priority(priority: Priority) -> bool {
    matches!(priority, Priority::Emergency | Priority::VeryUrgent)
}

/// The more urgent of two priorities.
pub fn more_urgent(a: Priority, b: Priority) -> Priority {
    if b.rank() < a.rank() {
        b
    } else {
        a
    }
}

/// The moment a risk review due on `on` becomes overdue: the start of the next day in the
/// area's time zone.
pub fn review_overdue_from(on: Date, tz: &TimeZone) -> Timestamp {
    on.checked_add(1.day())
        .ok()
        .and_then(|next| next.to_zoned(tz.clone()).ok())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MAX)
}

/// When triage is due for a referral received at `received_at` with this triage priority
/// and source, by the single point of access's standards (`config/standards.toml`,
/// `by_team_type.single_point_of_access`): the one home of the "triage due" rule.
pub fn triage_due(
    triage_priority: Priority,
    source: ReferralSource,
    received_at: Timestamp,
    standards: &[WaitStandard],
    tz: &TimeZone,
) -> Option<Timestamp> {
    select(standards, triage_priority, source).map(|s| s.target.deadline(received_at, tz))
}

/// A new referral's clinical priority, requested priority and the request's reason, from
/// the priority its sender stated: a verified sender's (signed in, or an API client with a
/// token) is the clinical priority; an unverified sender's is a request for triage to
/// confirm, and the clinical priority stays routine until triage sets it.
pub fn stated_priority(
    stated: Priority,
    verified: bool,
) -> (Priority, Option<Priority>, Option<String>) {
    if verified || stated == Priority::Routine {
        (stated, None, None)
    } else {
        (
            Priority::Routine,
            Some(stated),
            Some(format!(
                "{} stated by a referrer who was not signed in",
                stated.label()
            )),
        )
    }
}

/// Triage must state the clinical priority while an unverified request for more urgency is
/// pending, so that a request is never silently dropped (nor silently granted).
pub fn check_triage_priority(
    referral: &Referral,
    priority: Option<Priority>,
    errors: &mut ValidationErrors,
) {
    if priority.is_none() {
        if let Some(requested) = referral.requested_priority {
            errors.add(
                "priority",
                format!(
                    "the sender asked for {} review ({}); confirm the clinical priority",
                    requested.label().to_lowercase(),
                    referral
                        .request_reason
                        .as_deref()
                        .unwrap_or("no reason given")
                ),
            );
        }
    }
}

impl Referral {
    /// The priority triage is measured against: the more urgent of the clinical priority and
    /// a pending request (see the module documentation).
    pub fn triage_priority(&self) -> Priority {
        match self.requested_priority {
            Some(requested) => more_urgent(self.priority, requested),
            None => self.priority,
        }
    }

    /// On the crisis list: not closed, and emergency or very urgent (clinical or requested),
    /// or at high or immediate risk.
    pub fn on_crisis_list(&self) -> bool {
        self.status != ReferralStatus::Closed
            && (is_crisis_priority(self.triage_priority())
                || self.risk.is_some_and(|r| r.is_crisis()))
    }

    pub(crate) fn decide_urgency(
        &self,
        command: UrgencyCommand,
        ctx: &Context<'_>,
    ) -> Result<Vec<ReferralEvent>, DomainError> {
        let mut errors = ValidationErrors::new();
        if command.reason.trim().is_empty() {
            errors.add(
                "reason",
                "say why the priority or risk changed: the reason is part of the record",
            );
        } else if command.reason.chars().count() > super::command::MAX_TEXT_CHARS {
            errors.add(
                "reason",
                format!(
                    "keep this under {} characters",
                    super::command::MAX_TEXT_CHARS
                ),
            );
        }
        let changes_priority = command
            .priority
            .is_some_and(|p| p != self.priority || self.requested_priority.is_some());
        let changes_risk = command.risk.is_some_and(|r| Some(r) != self.risk);
        let changes_review = command
            .risk_review_on
            .is_some_and(|on| Some(on) != self.risk_review_on);
        if !(changes_priority || changes_risk || changes_review) {
            errors.add(
                "priority",
                format!(
                    "nothing would change (priority {}, risk {}): change the priority, the risk level or the risk review date",
                    self.priority.label().to_lowercase(),
                    self.risk.map(|r| r.as_str()).unwrap_or("not assessed")
                ),
            );
        }
        check_review_date(command.risk_review_on, ctx, "risk_review_on", &mut errors);
        errors.into_result()?;
        Ok(vec![ReferralEvent::UrgencyRecorded {
            priority: command.priority,
            risk: command.risk,
            risk_review_on: command.risk_review_on,
            reason: command.reason.trim().to_owned(),
        }])
    }
}

/// A review date is today or later, and within [`MAX_REVIEW_DAYS`].
pub(crate) fn check_review_date(
    on: Option<Date>,
    ctx: &Context<'_>,
    field: &str,
    errors: &mut ValidationErrors,
) {
    let Some(on) = on else { return };
    let today = ctx.now.to_zoned(ctx.tz.clone()).date();
    if on < today {
        errors.add(field, "a review date cannot be in the past");
    } else if today
        .checked_add(MAX_REVIEW_DAYS.days())
        .is_ok_and(|latest| on > latest)
    {
        errors.add(
            field,
            format!("choose a review date within {MAX_REVIEW_DAYS} days"),
        );
    }
}

/// Applies the urgency part of an event (called from `Referral::apply`).
pub(crate) fn apply_urgency(
    referral: &mut Referral,
    priority: Option<Priority>,
    risk: Option<RiskLevel>,
    risk_review_on: Option<Date>,
) {
    if let Some(priority) = priority {
        referral.priority = priority;
        referral.requested_priority = None;
        referral.request_reason = None;
    }
    if let Some(risk) = risk {
        referral.risk = Some(risk);
    }
    if risk_review_on.is_some() {
        referral.risk_review_on = risk_review_on;
    }
}

/// A time left (or overdue) as shown: hours under two days, days after.
pub fn describe_hours(hours: i64) -> String {
    let magnitude = hours.abs();
    let text = match magnitude {
        1 => "1 hour".to_owned(),
        0..=47 => format!("{magnitude} hours"),
        _ if magnitude / 24 == 1 => "1 day".to_owned(),
        _ => format!("{} days", magnitude / 24),
    };
    if hours < 0 {
        format!("{text} overdue")
    } else {
        text
    }
}

#[cfg(test)]
mod tests;

/// Where a referral stands on the crisis list, projected when it changes so that the list is
/// read in order from an index (issue 14: 18,500 referrals on it at 1M). `None`: not on the
/// list (closed, or neither emergency/very urgent — clinical or requested — nor at high or
/// immediate risk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrisisPosition {
    /// The list's first keys as one number: 0 untriaged with a triage due time, 1 untriaged
    /// without one, 2 triaged with a waiting allocation's breach time, 3 triaged without.
    pub rank: i64,
    /// The triage due time (untriaged) or the earliest waiting allocation's breach (triaged).
    pub due: Option<Timestamp>,
}

impl Referral {
    /// This referral's place on the crisis list — untriaged first, then the soonest breach
    /// (past breaches first), then those with no breach time, oldest first — as stored keys, with
    /// `triage_standards` the single point of access's and `service_standards` each waiting
    /// allocation's service's (an unknown service gives no breach time).
    pub fn crisis_position(
        &self,
        triage_standards: &[WaitStandard],
        service_standards: &dyn Fn(crate::ids::ServiceId) -> Option<Vec<WaitStandard>>,
        tz: &TimeZone,
    ) -> Option<CrisisPosition> {
        let on_list = self.status != ReferralStatus::Closed
            && (is_crisis_priority(self.priority)
                || self.requested_priority.is_some_and(is_crisis_priority)
                || self.risk.is_some_and(|r| r.is_crisis()));
        if !on_list {
            return None;
        }
        let triaged = self.status != ReferralStatus::AwaitingTriage;
        let due = if triaged {
            self.active_allocations()
                .filter(|a| a.is_waiting())
                .filter_map(|a| {
                    let standards = service_standards(a.service_id)?;
                    select(&standards, self.priority, self.source)
                        .map(|s| s.target.deadline(a.clock_start, tz))
                })
                .min()
        } else {
            let priority = match self.requested_priority {
                Some(requested) => more_urgent(self.priority, requested),
                None => self.priority,
            };
            triage_due(
                priority,
                self.source,
                self.received_at,
                triage_standards,
                tz,
            )
        };
        Some(CrisisPosition {
            rank: 2 * i64::from(triaged) + i64::from(due.is_none()),
            due,
        })
    }
}
