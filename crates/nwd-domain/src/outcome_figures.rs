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
//!   services run to 25. The figures are also split by age at referral ([`OutcomeAgeBand`]):
//!   the under-18 row is MHS112's population (`WHERE r.AgeServReferRecDate BETWEEN 0 AND 17`,
//!   `cyp_outcomes_prep.py` line 86, same commit), the one to set beside NHS England's.
//! * **Paired**: at least one scale of a measure has a first and last score paired and judged
//!   as MHS112 does ([`crate::referral::outcome::outcome_summary`]: first on or after the
//!   first attended direct contact, last a later one on or after the second, RCADS as
//!   T-scores, the measure's reliable-change threshold).
//!   "Paired" is MHS112/MHS112a's **any perspective**; each perspective (self, parent,
//!   clinician: MHS112b–g) is also counted.
//! * Per referral **and perspective**, as NHS England classifies (`cyp_meaningful_change`,
//!   `cyp_outcomes_prep.py` lines 372–383, joined per rater at lines 443–445): of the
//!   referrals with a paired score from that perspective, **reliable improvement** when any
//!   of its scales reliably improved, **reliable deterioration** when any reliably
//!   deteriorated, **meaningful improvement** when at least one improved and none
//!   deteriorated (`nwd_outcomes::OutcomeTally`). Pages and the API show one perspective at a
//!   time (self-rated unless asked), never several added together.
//!
//! Exact counts ([`OutcomeCounts`]) stay on the server; [`PublishedOutcomes`] is what may be
//! shown: every count through [`Suppression`] and every share computed from the shown counts.

use serde::Serialize;

use crate::disclosure::Suppression;
use crate::referral::outcome::{outcome_summary, OutcomeRater, OutcomeSummary};
use crate::referral::Referral;

/// Attended direct contacts a closed referral needs to be counted: NHS England's
/// `cyp_closed_referrals` requires a second contact (`Contact2 IS NOT NULL`,
/// `cyp_outcomes_prep.py` lines 359–363, commit 7b4d7421838b4bcb85729fbc1b53843c35a36e29).
pub const MIN_ATTENDED_CONTACTS: usize = 2;

/// The definition in words, for pages and the API description.
pub const DEFINITION: &str = "Referrals closed in the period after at least two attended direct contacts. Paired: at least one outcome measure has a first score (on or after the first contact) and a later last score (on or after the second contact), as NHS England's CYP outcome metric MHS112 pairs them, from any perspective. Then, for one perspective (self-rated, parent-rated or clinician-rated, as MHS112 reports them): referrals with a paired score from it, and of those reliable improvement (any scale improved by at least its reliable-change threshold), reliable deterioration (any scale worsened by at least its threshold) and meaningful improvement (at least one scale improved and none deteriorated).";

/// What one perspective's scales show on one closed referral.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RaterOutcome {
    /// At least one of its scales paired and judged.
    pub paired: bool,
    /// One of its scales reliably improved.
    pub improved: bool,
    /// One of its scales reliably deteriorated.
    pub deteriorated: bool,
}

impl RaterOutcome {
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

/// The place of a perspective in the per-rater arrays: self, parent, clinician.
pub fn rater_index(rater: OutcomeRater) -> usize {
    match rater {
        OutcomeRater::YoungPerson => 0,
        OutcomeRater::ParentOrCarer => 1,
        OutcomeRater::Clinician => 2,
    }
}

/// What one closed referral's measures show, per perspective.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ReferralOutcome {
    /// Self, parent and clinician, in [`rater_index`] order.
    pub raters: [RaterOutcome; 3],
}

impl ReferralOutcome {
    /// From a referral's summary: every judged scale, under its rater.
    pub fn from_summary(summary: &OutcomeSummary) -> ReferralOutcome {
        let mut outcome = ReferralOutcome::default();
        for scale in &summary.scales {
            let Some(change) = scale.change else { continue };
            let rater = &mut outcome.raters[rater_index(scale.rater)];
            rater.paired = true;
            match change {
                nwd_outcomes::Change::Improved => rater.improved = true,
                nwd_outcomes::Change::Deteriorated => rater.deteriorated = true,
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

    /// Paired from any perspective (MHS112).
    pub fn paired(&self) -> bool {
        self.raters.iter().any(|r| r.paired)
    }
}

/// Age at referral, as the outcome figures split it. NHS England's MHS112 counts referrals
/// of young people aged 0 to 17 when the referral was received (`AgeServReferRecDate BETWEEN
/// 0 AND 17`, `cyp_outcomes_prep.py` line 86, commit 7b4d7421838b4bcb85729fbc1b53843c35a36e29);
/// the area's services run to 25, so the 18–25s are counted too, in their own row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutcomeAgeBand {
    /// 0 to 17 at referral: MHS112's population.
    Under18,
    /// 18 or over at referral (the services run to 25).
    From18,
    /// No date of birth recorded.
    NotKnown,
}

impl OutcomeAgeBand {
    /// Every band, in the order shown (and of `Outcomes::by_age` in the store).
    pub const ALL: [OutcomeAgeBand; 3] = [
        OutcomeAgeBand::Under18,
        OutcomeAgeBand::From18,
        OutcomeAgeBand::NotKnown,
    ];

    /// The band of an age in whole years at referral (`None`: no date of birth).
    pub fn of(age_at_referral: Option<u8>) -> OutcomeAgeBand {
        match age_at_referral {
            Some(age) if age <= 17 => OutcomeAgeBand::Under18,
            Some(_) => OutcomeAgeBand::From18,
            None => OutcomeAgeBand::NotKnown,
        }
    }

    /// Its place in [`OutcomeAgeBand::ALL`].
    pub fn index(self) -> usize {
        match self {
            OutcomeAgeBand::Under18 => 0,
            OutcomeAgeBand::From18 => 1,
            OutcomeAgeBand::NotKnown => 2,
        }
    }

    /// The row's label on pages.
    pub fn label(self) -> &'static str {
        match self {
            OutcomeAgeBand::Under18 => "Under 18 (as MHS112)",
            OutcomeAgeBand::From18 => "18 to 25",
            OutcomeAgeBand::NotKnown => "Age not known",
        }
    }

    /// Its name in the API and CSV.
    pub fn api_name(self) -> &'static str {
        match self {
            OutcomeAgeBand::Under18 => "under_18",
            OutcomeAgeBand::From18 => "18_to_25",
            OutcomeAgeBand::NotKnown => "not_known",
        }
    }
}

/// Whether a closed referral with this many attended direct contacts is counted.
pub fn counted(attended_direct_contacts: usize) -> bool {
    attended_direct_contacts >= MIN_ATTENDED_CONTACTS
}

/// Exact counts for one perspective. Never shown as they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RaterCounts {
    /// Counted referrals with a paired score from this perspective.
    pub paired: u64,
    /// Of those, with a reliable improvement on one of its scales.
    pub reliable_improvement: u64,
    /// Of those, with a reliable deterioration on one of its scales.
    pub reliable_deterioration: u64,
    /// Of those, improved on at least one of its scales and deteriorated on none.
    pub meaningful_improvement: u64,
}

/// Exact counts for one breakdown row. Never shown as they are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    /// Counted closed referrals.
    pub closed: u64,
    /// Of those, with paired scores from any perspective.
    pub paired: u64,
    /// Per perspective, in [`rater_index`] order.
    pub raters: [RaterCounts; 3],
}

impl OutcomeCounts {
    /// Counts one counted closed referral.
    pub fn add(&mut self, outcome: &ReferralOutcome) {
        self.closed += 1;
        self.paired += u64::from(outcome.paired());
        for (counts, rater) in self.raters.iter_mut().zip(&outcome.raters) {
            if rater.paired {
                counts.paired += 1;
                counts.reliable_improvement += u64::from(rater.improved);
                counts.reliable_deterioration += u64::from(rater.deteriorated);
                counts.meaningful_improvement += u64::from(
                    rater.overall() == Some(nwd_outcomes::Overall::MeaningfulImprovement),
                );
            }
        }
    }

    /// The counts of one perspective.
    pub fn rater(&self, rater: OutcomeRater) -> &RaterCounts {
        &self.raters[rater_index(rater)]
    }
}

/// The figures as they may be shown, for one perspective: counts suppressed and rounded
/// (`null` when too few), shares in whole per cent from the shown counts (`null` when either
/// is hidden).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedOutcomes {
    /// Counted closed referrals.
    pub closed: Option<u64>,
    /// Of those, with paired scores from any perspective.
    pub paired: Option<u64>,
    /// Paired as a share of closed, per cent.
    pub paired_percent: Option<u64>,
    /// Of the closed, with a paired score from the perspective shown.
    pub rater_paired: Option<u64>,
    /// That as a share of closed, per cent.
    pub rater_paired_percent: Option<u64>,
    /// Of the perspective's paired, with a reliable improvement.
    pub reliable_improvement: Option<u64>,
    /// Reliable improvement as a share of the perspective's paired, per cent.
    pub reliable_improvement_percent: Option<u64>,
    /// Of the perspective's paired, with a reliable deterioration.
    pub reliable_deterioration: Option<u64>,
    /// Reliable deterioration as a share of the perspective's paired, per cent.
    pub reliable_deterioration_percent: Option<u64>,
    /// Of the perspective's paired, with meaningful improvement.
    pub meaningful_improvement: Option<u64>,
    /// Meaningful improvement as a share of the perspective's paired, per cent.
    pub meaningful_improvement_percent: Option<u64>,
}

impl PublishedOutcomes {
    /// The published form of `exact` under `rule`, for the perspective `rater`.
    pub fn from(
        rule: &Suppression,
        exact: &OutcomeCounts,
        rater: OutcomeRater,
    ) -> PublishedOutcomes {
        let by = exact.rater(rater);
        let closed = rule.count(exact.closed);
        let paired = rule.count(exact.paired);
        let rater_paired = rule.count(by.paired);
        let improved = rule.count(by.reliable_improvement);
        let deteriorated = rule.count(by.reliable_deterioration);
        let meaningful = rule.count(by.meaningful_improvement);
        PublishedOutcomes {
            closed: closed.value(),
            paired: paired.value(),
            paired_percent: rule.share(paired, closed),
            rater_paired: rater_paired.value(),
            rater_paired_percent: rule.share(rater_paired, closed),
            reliable_improvement: improved.value(),
            reliable_improvement_percent: rule.share(improved, rater_paired),
            reliable_deterioration: deteriorated.value(),
            reliable_deterioration_percent: rule.share(deteriorated, rater_paired),
            meaningful_improvement: meaningful.value(),
            meaningful_improvement_percent: rule.share(meaningful, rater_paired),
        }
    }

    /// The counts as shown (`*` when hidden), in the order of [`PublishedOutcomes::COLUMNS`].
    pub fn cells(&self) -> [Option<u64>; 11] {
        [
            self.closed,
            self.paired,
            self.paired_percent,
            self.rater_paired,
            self.rater_paired_percent,
            self.reliable_improvement,
            self.reliable_improvement_percent,
            self.reliable_deterioration,
            self.reliable_deterioration_percent,
            self.meaningful_improvement,
            self.meaningful_improvement_percent,
        ]
    }

    /// Column headings for [`PublishedOutcomes::cells`]; "this perspective" is named by the
    /// page.
    pub const COLUMNS: [&'static str; 11] = [
        "Closed",
        "Paired (any perspective)",
        "% paired",
        "Paired (this perspective)",
        "% paired (this perspective)",
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

    #[test]
    fn age_bands_split_at_eighteen_as_mhs112_counts_0_to_17() {
        assert_eq!(OutcomeAgeBand::of(Some(0)), OutcomeAgeBand::Under18);
        assert_eq!(OutcomeAgeBand::of(Some(17)), OutcomeAgeBand::Under18);
        assert_eq!(OutcomeAgeBand::of(Some(18)), OutcomeAgeBand::From18);
        assert_eq!(OutcomeAgeBand::of(Some(25)), OutcomeAgeBand::From18);
        assert_eq!(OutcomeAgeBand::of(None), OutcomeAgeBand::NotKnown);
        for (i, band) in OutcomeAgeBand::ALL.iter().enumerate() {
            assert_eq!(band.index(), i);
        }
    }

    fn rater(paired: bool, improved: bool, deteriorated: bool) -> RaterOutcome {
        RaterOutcome {
            paired,
            improved,
            deteriorated,
        }
    }

    /// Each case: a perspective's flags → what it adds (paired, improved, deteriorated,
    /// meaningful) to that perspective, and to "paired from any perspective".
    #[test]
    fn each_referral_counts_per_perspective_as_mhs112_classifies_it() {
        let check = |r: RaterOutcome, expected: [u64; 4]| {
            for slot in 0..3 {
                let mut outcome = ReferralOutcome::default();
                outcome.raters[slot] = r;
                let mut counts = OutcomeCounts::default();
                counts.add(&outcome);
                let c = counts.raters[slot];
                assert_eq!(
                    [
                        c.paired,
                        c.reliable_improvement,
                        c.reliable_deterioration,
                        c.meaningful_improvement
                    ],
                    expected,
                    "{r:?}"
                );
                assert_eq!(counts.closed, 1);
                assert_eq!(counts.paired, expected[0]);
                for other in (0..3).filter(|o| *o != slot) {
                    assert_eq!(counts.raters[other], RaterCounts::default());
                }
            }
        };
        check(rater(false, false, false), [0, 0, 0, 0]);
        check(rater(true, false, false), [1, 0, 0, 0]);
        check(rater(true, true, false), [1, 1, 0, 1]);
        // Improved on one scale, worse on another: deterioration, not meaningful improvement.
        check(rater(true, true, true), [1, 1, 1, 0]);
        check(rater(true, false, true), [1, 0, 1, 0]);
    }

    #[test]
    fn one_perspectives_improvement_does_not_hide_anothers_deterioration() {
        // The young person improved; the parent saw a deterioration: each is counted under
        // its own perspective, and the referral is paired once.
        let mut outcome = ReferralOutcome::default();
        outcome.raters[rater_index(OutcomeRater::YoungPerson)] = rater(true, true, false);
        outcome.raters[rater_index(OutcomeRater::ParentOrCarer)] = rater(true, false, true);
        let mut counts = OutcomeCounts::default();
        counts.add(&outcome);
        assert_eq!(counts.paired, 1);
        assert_eq!(
            counts
                .rater(OutcomeRater::YoungPerson)
                .meaningful_improvement,
            1
        );
        assert_eq!(
            counts
                .rater(OutcomeRater::ParentOrCarer)
                .reliable_deterioration,
            1
        );
        assert_eq!(
            counts
                .rater(OutcomeRater::ParentOrCarer)
                .meaningful_improvement,
            0
        );
        assert_eq!(counts.rater(OutcomeRater::Clinician).paired, 0);
    }

    #[test]
    fn shares_come_from_the_shown_counts_and_small_numbers_are_hidden() {
        let exact = OutcomeCounts {
            closed: 42,
            paired: 26,
            raters: [
                RaterCounts {
                    paired: 23,
                    reliable_improvement: 12,
                    reliable_deterioration: 3,
                    meaningful_improvement: 11,
                },
                RaterCounts::default(),
                RaterCounts::default(),
            ],
        };
        let shown =
            PublishedOutcomes::from(&Suppression::default(), &exact, OutcomeRater::YoungPerson);
        // 42 → 40, 26 → 25 (63 %), 23 → 25 (63 %); 12 → 10 of 25 = 40 %; 3 hidden; 11 → 10.
        assert_eq!(shown.closed, Some(40));
        assert_eq!(shown.paired, Some(25));
        assert_eq!(shown.paired_percent, Some(63));
        assert_eq!(shown.rater_paired, Some(25));
        assert_eq!(shown.reliable_improvement_percent, Some(40));
        assert_eq!(shown.reliable_deterioration, None);
        assert_eq!(shown.reliable_deterioration_percent, None);
        assert_eq!(shown.meaningful_improvement, Some(10));
        let parent =
            PublishedOutcomes::from(&Suppression::default(), &exact, OutcomeRater::ParentOrCarer);
        assert_eq!(
            parent.paired,
            Some(25),
            "any perspective, whichever is shown"
        );
        assert_eq!(
            parent.rater_paired, None,
            "no parent-rated pairs: hidden as zero"
        );
        assert!(counted(2) && !counted(1));
    }
}
