//! Outcome figures for services and commissioners (issue 19): the **one definition** of how
//! closed referrals' routine outcome measures add up — used by the store's dashboard (kept in
//! memory and computed afresh), the commissioner pages and the API alike.
//!
//! # The definition (NHS England's CYP outcome metric, MHS112)
//! * **Counted**: a referral closed in the period (its closure — the discharge from the last
//!   allocation or any other named destination — falls in the period) that had at least
//!   [`MIN_ATTENDED_CONTACTS`] attended direct contacts, as NHS England selects
//!   `cyp_closed_referrals` (closed referrals with a second contact,
//!   `cyp_outcomes_prep.py` lines 7–135 and 359–363 in NHSDigital/mental-health-monthly-statistics
//!   at commit 7b4d7421838b4bcb85729fbc1b53843c35a36e29,
//!   `Mental_Health_Monthly_Statistics/menh_bbrb/notebooks/02_Specific_Prepare/05_cyp_outcomes/cyp_outcomes_prep.py`).
//!   Unlike MHS112 we count every age we serve (0–25), not only under-18s: the area's
//!   services run to 25.
//! * **Paired**: at least one scale of a measure has a first and last score paired and judged
//!   as MHS112 does ([`crate::referral::outcome::outcome_summary`]: first on or after the
//!   first attended direct contact, last a later one on or after the second, RCADS as
//!   T-scores, the measure's reliable-change threshold).
//! * Of the paired: **reliable improvement** when any scale reliably improved, **reliable
//!   deterioration** when any scale reliably deteriorated, **meaningful improvement** when
//!   at least one improved and none deteriorated (`cyp_meaningful_change`,
//!   `cyp_outcomes_prep.py` lines 381–383, `nwd_outcomes::OutcomeTally`). NHS England
//!   classifies per referral *and rater*; a referral here takes every rater's scales together,
//!   so a deterioration seen by any rater is never hidden by another rater's improvement.
//!
//! Exact counts ([`OutcomeCounts`]) stay on the server; [`PublishedOutcomes`] is what may be
//! shown: every count through [`Suppression`] and every share computed from the shown counts.

use serde::Serialize;

use crate::disclosure::Suppression;
use crate::referral::outcome::{outcome_summary, OutcomeSummary};
use crate::referral::Referral;

/// Attended direct contacts a closed referral needs to be counted: NHS England's
/// `cyp_closed_referrals` requires a second contact (`Contact2 IS NOT NULL`,
/// `cyp_outcomes_prep.py` lines 359–363, commit 7b4d7421838b4bcb85729fbc1b53843c35a36e29).
pub const MIN_ATTENDED_CONTACTS: usize = 2;

/// The definition in words, for pages and the API description.
pub const DEFINITION: &str = "Referrals closed in the period after at least two attended direct contacts. Paired: at least one outcome measure has a first score (on or after the first contact) and a later last score (on or after the second contact), as NHS England's CYP outcome metric MHS112 pairs them. Of those paired: reliable improvement (any scale improved by at least its reliable-change threshold), reliable deterioration (any scale worsened by at least its threshold) and meaningful improvement (at least one scale improved and none deteriorated, across every rater).";

/// What one closed referral's measures show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ReferralOutcome {
    /// At least one scale paired and judged.
    pub paired: bool,
    /// Some scale reliably improved.
    pub improved: bool,
    /// Some scale reliably deteriorated.
    pub deteriorated: bool,
}

impl ReferralOutcome {
    /// From a referral's summary: every judged scale of every rater.
    pub fn from_summary(summary: &OutcomeSummary) -> ReferralOutcome {
        let mut outcome = ReferralOutcome::default();
        for change in summary.scales.iter().filter_map(|s| s.change) {
            outcome.paired = true;
            match change {
                nwd_outcomes::Change::Improved => outcome.improved = true,
                nwd_outcomes::Change::Deteriorated => outcome.deteriorated = true,
                nwd_outcomes::Change::NoChange => {}
            }
        }
        outcome
    }

    /// A referral's outcome as [`outcome_summary`] judges it (`age` at referral and `sex`
    /// choose the T-score norms, see [`crate::referral::outcome::norm_inputs`]).
    pub fn of(
        referral: &Referral,
        age: Option<u8>,
        sex: Option<nwd_outcomes::Sex>,
    ) -> ReferralOutcome {
        ReferralOutcome::from_summary(&outcome_summary(referral, age, sex))
    }

    /// MHS112's classification: meaningful improvement, deterioration or no change; `None`
    /// when nothing was paired.
    pub fn overall(&self) -> Option<nwd_outcomes::Overall> {
        if !self.paired {
            None
        } else if self.deteriorated {
            Some(nwd_outcomes::Overall::Deterioration)
        } else if self.improved {
            Some(nwd_outcomes::Overall::MeaningfulImprovement)
        } else {
            Some(nwd_outcomes::Overall::NoChange)
        }
    }
}

/// Whether a closed referral with this many attended direct contacts is counted.
pub fn counted(attended_direct_contacts: usize) -> bool {
    attended_direct_contacts >= MIN_ATTENDED_CONTACTS
}

/// Exact counts for one breakdown row. Never shown as they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    /// Counted closed referrals.
    pub closed: u64,
    /// Of those, with paired scores.
    pub paired: u64,
    /// Of the paired, with a reliable improvement on some scale.
    pub reliable_improvement: u64,
    /// Of the paired, with a reliable deterioration on some scale.
    pub reliable_deterioration: u64,
    /// Of the paired, improved on at least one scale and deteriorated on none.
    pub meaningful_improvement: u64,
}

impl OutcomeCounts {
    /// Counts one counted closed referral.
    pub fn add(&mut self, outcome: &ReferralOutcome) {
        self.closed += 1;
        if outcome.paired {
            self.paired += 1;
            self.reliable_improvement += u64::from(outcome.improved);
            self.reliable_deterioration += u64::from(outcome.deteriorated);
            self.meaningful_improvement +=
                u64::from(outcome.overall() == Some(nwd_outcomes::Overall::MeaningfulImprovement));
        }
    }
}

/// The figures as they may be shown: counts suppressed and rounded (`null` when too few),
/// shares in whole per cent from the shown counts (`null` when either is hidden).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedOutcomes {
    /// Counted closed referrals.
    pub closed: Option<u64>,
    /// Of those, with paired scores.
    pub paired: Option<u64>,
    /// Paired as a share of closed, per cent.
    pub paired_percent: Option<u64>,
    /// Of the paired, with a reliable improvement.
    pub reliable_improvement: Option<u64>,
    /// Reliable improvement as a share of paired, per cent.
    pub reliable_improvement_percent: Option<u64>,
    /// Of the paired, with a reliable deterioration.
    pub reliable_deterioration: Option<u64>,
    /// Reliable deterioration as a share of paired, per cent.
    pub reliable_deterioration_percent: Option<u64>,
    /// Of the paired, with meaningful improvement.
    pub meaningful_improvement: Option<u64>,
    /// Meaningful improvement as a share of paired, per cent.
    pub meaningful_improvement_percent: Option<u64>,
}

impl PublishedOutcomes {
    /// The published form of `exact` under `rule`.
    pub fn from(rule: &Suppression, exact: &OutcomeCounts) -> PublishedOutcomes {
        let closed = rule.count(exact.closed);
        let paired = rule.count(exact.paired);
        let improved = rule.count(exact.reliable_improvement);
        let deteriorated = rule.count(exact.reliable_deterioration);
        let meaningful = rule.count(exact.meaningful_improvement);
        PublishedOutcomes {
            closed: closed.value(),
            paired: paired.value(),
            paired_percent: rule.share(paired, closed),
            reliable_improvement: improved.value(),
            reliable_improvement_percent: rule.share(improved, paired),
            reliable_deterioration: deteriorated.value(),
            reliable_deterioration_percent: rule.share(deteriorated, paired),
            meaningful_improvement: meaningful.value(),
            meaningful_improvement_percent: rule.share(meaningful, paired),
        }
    }

    /// The counts as shown (`*` when hidden), in the order of [`PublishedOutcomes::COLUMNS`].
    pub fn cells(&self) -> [Option<u64>; 9] {
        [
            self.closed,
            self.paired,
            self.paired_percent,
            self.reliable_improvement,
            self.reliable_improvement_percent,
            self.reliable_deterioration,
            self.reliable_deterioration_percent,
            self.meaningful_improvement,
            self.meaningful_improvement_percent,
        ]
    }

    /// Column headings for [`PublishedOutcomes::cells`].
    pub const COLUMNS: [&'static str; 9] = [
        "Closed",
        "Paired",
        "% paired",
        "Reliably improved",
        "% reliably improved",
        "Reliably deteriorated",
        "% reliably deteriorated",
        "Meaningful improvement",
        "% meaningful improvement",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(paired: bool, improved: bool, deteriorated: bool) -> ReferralOutcome {
        ReferralOutcome {
            paired,
            improved,
            deteriorated,
        }
    }

    /// Each case: a referral's flags → what it adds (closed, paired, improved, deteriorated,
    /// meaningful).
    #[test]
    fn each_referral_counts_as_mhs112_classifies_it() {
        let check = |o: ReferralOutcome, expected: [u64; 5]| {
            let mut counts = OutcomeCounts::default();
            counts.add(&o);
            assert_eq!(
                [
                    counts.closed,
                    counts.paired,
                    counts.reliable_improvement,
                    counts.reliable_deterioration,
                    counts.meaningful_improvement
                ],
                expected,
                "{o:?}"
            );
        };
        check(outcome(false, false, false), [1, 0, 0, 0, 0]);
        check(outcome(true, false, false), [1, 1, 0, 0, 0]);
        check(outcome(true, true, false), [1, 1, 1, 0, 1]);
        // Improved on one scale, worse on another: deterioration, not meaningful improvement.
        check(outcome(true, true, true), [1, 1, 1, 1, 0]);
        check(outcome(true, false, true), [1, 1, 0, 1, 0]);
    }

    #[test]
    fn shares_come_from_the_shown_counts_and_small_numbers_are_hidden() {
        let exact = OutcomeCounts {
            closed: 42,
            paired: 23,
            reliable_improvement: 12,
            reliable_deterioration: 3,
            meaningful_improvement: 11,
        };
        let shown = PublishedOutcomes::from(&Suppression::default(), &exact);
        // 42 → 40, 23 → 25: 25 of 40 = 63 %; 12 → 10 of 25 = 40 %; 3 hidden; 11 → 10.
        assert_eq!(shown.closed, Some(40));
        assert_eq!(shown.paired, Some(25));
        assert_eq!(shown.paired_percent, Some(63));
        assert_eq!(shown.reliable_improvement_percent, Some(40));
        assert_eq!(shown.reliable_deterioration, None);
        assert_eq!(shown.reliable_deterioration_percent, None);
        assert_eq!(shown.meaningful_improvement, Some(10));
        assert!(counted(2) && !counted(1));
    }
}
