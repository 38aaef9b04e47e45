//! Waiting-time standards as data. A service carries an ordered list of standards; the first
//! whose conditions match a referral's priority and source is the one its wait is measured
//! against. Defaults, with their sources, live in configuration (`config/standards.toml`),
//! never silently in code.
//!
//! Clock arithmetic: hour targets are elapsed time (4 hours is 4 real hours, also across a
//! clock change); day and week targets are calendar days in the area's time zone (28 days
//! after 10:00 on 30 March is 10:00 on 27 April, whatever the clocks did in between).

use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::codes::{Priority, ReferralSource};
use crate::error::ValidationErrors;

/// How long a standard allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WaitTarget {
    /// Elapsed hours.
    Hours(u32),
    /// Calendar days in the area's time zone.
    Days(u32),
}

impl WaitTarget {
    /// When a wait that started at `start` breaches this target.
    pub fn deadline(&self, start: Timestamp, tz: &TimeZone) -> Timestamp {
        match *self {
            WaitTarget::Hours(hours) => start
                .saturating_add(Span::new().hours(i64::from(hours)))
                .unwrap_or(start),
            WaitTarget::Days(days) => start
                .to_zoned(tz.clone())
                .checked_add(i64::from(days).days())
                .map(|z| z.timestamp())
                .unwrap_or(start),
        }
    }

    /// The latest clock start that has breached this target by `now`: a wait started at or
    /// before it has breached. The inverse of [`WaitTarget::deadline`], exact for hour
    /// targets and for day targets except a start inside a clock-change hour (off by at most
    /// that hour). Lets a list count its breaches without computing every deadline.
    pub fn breach_cutoff(&self, now: Timestamp, tz: &TimeZone) -> Timestamp {
        match *self {
            WaitTarget::Hours(hours) => now
                .saturating_sub(Span::new().hours(i64::from(hours)))
                .unwrap_or(now),
            WaitTarget::Days(days) => now
                .to_zoned(tz.clone())
                .checked_sub(i64::from(days).days())
                .map(|z| z.timestamp())
                .unwrap_or(now),
        }
    }

    /// The target in days (an hour target as a fraction of a day), as the simulator counts
    /// time.
    pub fn in_days(&self) -> f64 {
        match *self {
            WaitTarget::Hours(hours) => f64::from(hours) / 24.0,
            WaitTarget::Days(days) => f64::from(days),
        }
    }

    /// A short description, e.g. `4 hours` or `28 days`.
    pub fn describe(&self) -> String {
        match *self {
            WaitTarget::Hours(1) => "1 hour".to_string(),
            WaitTarget::Hours(h) => format!("{h} hours"),
            WaitTarget::Days(1) => "1 day".to_string(),
            WaitTarget::Days(d) if d % 7 == 0 => format!("{} weeks", d / 7),
            WaitTarget::Days(d) => format!("{d} days"),
        }
    }
}

/// One waiting-time standard and when it applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitStandard {
    /// Short name, e.g. "Eating disorders: urgent".
    pub name: String,
    /// Time allowed from referral received to the first attended contact.
    pub target: WaitTarget,
    /// Priorities it applies to; empty means all.
    #[serde(default)]
    pub priorities: Vec<Priority>,
    /// Referral sources it applies to; empty means all.
    #[serde(default)]
    pub sources: Vec<ReferralSource>,
    /// Share of people expected to be seen within the target, in percent (e.g. 95).
    #[serde(default)]
    pub target_share_percent: Option<u8>,
    /// Where the standard comes from (citation).
    pub source: String,
}

impl WaitStandard {
    /// True when this standard applies to a referral of this priority and source.
    pub fn applies(&self, priority: Priority, source: ReferralSource) -> bool {
        (self.priorities.is_empty() || self.priorities.contains(&priority))
            && (self.sources.is_empty() || self.sources.contains(&source))
    }

    /// Records what is wrong with this standard under `prefix`.
    pub fn validate(&self, prefix: &str, errors: &mut ValidationErrors) {
        if self.name.trim().is_empty() {
            errors.add(format!("{prefix}.name"), "give the standard a name");
        }
        if self.source.trim().is_empty() {
            errors.add(
                format!("{prefix}.source"),
                "say where the standard comes from (a citation)",
            );
        }
        match self.target {
            WaitTarget::Hours(0) | WaitTarget::Days(0) => errors.add(
                format!("{prefix}.target"),
                "a waiting-time target must be greater than zero",
            ),
            WaitTarget::Hours(h) if h > 24 * 366 => errors.add(
                format!("{prefix}.target"),
                "use days for targets over a year",
            ),
            WaitTarget::Days(d) if d > 3660 => errors.add(
                format!("{prefix}.target"),
                "a target over ten years is not a standard",
            ),
            _ => {}
        }
        if let Some(share) = self.target_share_percent {
            if share == 0 || share > 100 {
                errors.add(
                    format!("{prefix}.target_share_percent"),
                    "a share must be between 1 and 100 percent",
                );
            }
        }
    }
}

/// Picks the first standard in `standards` that applies.
pub fn select(
    standards: &[WaitStandard],
    priority: Priority,
    source: ReferralSource,
) -> Option<&WaitStandard> {
    standards.iter().find(|s| s.applies(priority, source))
}

#[cfg(test)]
mod tests;

/// The area's default waiting-time standards per team type, loaded from configuration
/// (`config/standards.toml`, with each standard's source beside it). A service created
/// without its own standards gets its team type's defaults, then `fallback`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DefaultStandards {
    /// Months before a service's upper age at which a young person joins the transition list.
    pub transition_notice_months: i32,
    /// Standards for any team type not listed.
    pub fallback: Vec<WaitStandard>,
    /// Standards by team type (API name of [`crate::codes::TeamType`]).
    #[serde(default)]
    pub by_team_type: std::collections::BTreeMap<String, Vec<WaitStandard>>,
    /// Small-number suppression of commissioner-facing figures (`[suppression]`; default on,
    /// domain guide §3).
    #[serde(default)]
    pub suppression: crate::disclosure::Suppression,
}

impl DefaultStandards {
    /// The default standards for a team type.
    pub fn for_team_type(&self, team_type: crate::codes::TeamType) -> Vec<WaitStandard> {
        self.by_team_type
            .get(team_type.as_str())
            .cloned()
            .unwrap_or_else(|| self.fallback.clone())
    }

    /// The referral-to-first-help standard the what-if simulator reports against (the share
    /// seen within it): the area's fallback standard for a routine referral, by default the
    /// community CYP "start of meaningful help within 4 weeks" (`config/standards.toml`,
    /// domain guide §3). `None` when the configuration has no standard for routine referrals.
    pub fn first_help_standard(&self) -> Option<&WaitStandard> {
        self.fallback
            .iter()
            .find(|s| s.priorities.is_empty() || s.priorities.contains(&Priority::Routine))
    }

    /// Checks every standard and the notice period; errors name the configuration key.
    pub fn validate(&self) -> ValidationErrors {
        let mut errors = ValidationErrors::new();
        if !(0..=24).contains(&self.transition_notice_months) {
            errors.add(
                "transition_notice_months",
                "use a notice period between 0 and 24 months",
            );
        }
        if let Err((key, message)) = self.suppression.validate() {
            errors.add(key, message);
        }
        for (i, s) in self.fallback.iter().enumerate() {
            s.validate(&format!("fallback[{i}]"), &mut errors);
        }
        for (team, list) in &self.by_team_type {
            if crate::codes::TeamType::parse(team).is_err() {
                errors.add(
                    format!("by_team_type.{team}"),
                    "not a known team type (see TeamType)",
                );
            }
            for (i, s) in list.iter().enumerate() {
                s.validate(&format!("by_team_type.{team}[{i}]"), &mut errors);
            }
        }
        errors
    }
}
