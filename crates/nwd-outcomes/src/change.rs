//! Judging change between two scores as NHS England's CYP outcome measure (MHS112) does:
//! pairing a first and last score from dated assessments, reliable improvement / no change /
//! deterioration per scale, the overall outcome per referral and rater, and recovery across a
//! clinical cut-off. All sources are in NHSDigital/mental-health-monthly-statistics at commit
//! 7b4d7421838b4bcb85729fbc1b53843c35a36e29, file
//! `Mental_Health_Monthly_Statistics/menh_bbrb/notebooks/02_Specific_Prepare/05_cyp_outcomes/cyp_outcomes_prep.py`
//! (below: `cyp_outcomes_prep.py`).

use crate::definition::{ClinicalCutoff, Direction};

/// Scores are decimals with a few places (ORS to 0.1, RCADS T-scores to 0.01); in binary
/// floating point 16.6 − 10.0 is 6.6000000000000005 but 10.0 − 3.4 is 6.6 minus a hair. A
/// change within this of the threshold counts as reaching it, which is what NHS England's
/// `ABS(Score_Change) >= Threshold` means for decimal scores.
pub const THRESHOLD_TOLERANCE: f64 = 1e-9;

/// Reliable change on one scale between the first and last score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// Changed by at least the threshold in the better direction.
    Improved,
    /// Changed by less than the threshold.
    NoChange,
    /// Changed by at least the threshold in the worse direction.
    Deteriorated,
}

impl Change {
    /// `improved`, `no_change` or `deteriorated`.
    pub fn code(self) -> &'static str {
        match self {
            Change::Improved => "improved",
            Change::NoChange => "no_change",
            Change::Deteriorated => "deteriorated",
        }
    }
}

/// Judges the change from `first` to `last` (`cyp_outcomes_prep.py` lines 333–345).
/// `Score_Change = last − first`. Higher-is-better ("Positive") improves when the change is
/// above 0 and its size is at least the threshold; lower-is-better ("Negative") when it is
/// below 0 and its size is at least the threshold. Deterioration is the mirror image; a
/// change smaller than the threshold is no change.
pub fn judge_change(first: f64, last: f64, threshold: f64, direction: Direction) -> Change {
    let change = last - first;
    if change.abs() < threshold - THRESHOLD_TOLERANCE || change == 0.0 {
        return Change::NoChange;
    }
    let better = match direction {
        Direction::HigherIsBetter => change > 0.0,
        Direction::LowerIsBetter => change < 0.0,
    };
    if better {
        Change::Improved
    } else {
        Change::Deteriorated
    }
}

/// Whether a pair crossed the clinical cut-off in the right direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recovery {
    /// First score clinical, last score not.
    Recovered,
    /// First score clinical, last score still clinical.
    NotRecovered,
    /// First score not clinical: recovery does not apply.
    NotApplicable,
}

/// Recovery across a cut-off. Not part of MHS112 (NHS England's code has no cut-offs); the
/// usual IAPT-style definition: clinical at the first score, not at the last.
pub fn recovery(first: f64, last: f64, cutoff: &ClinicalCutoff) -> Recovery {
    match (cutoff.is_clinical(first), cutoff.is_clinical(last)) {
        (false, _) => Recovery::NotApplicable,
        (true, false) => Recovery::Recovered,
        (true, true) => Recovery::NotRecovered,
    }
}

/// The outcome for one referral and rater across all their paired scales.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Overall {
    /// At least one scale reliably improved and none reliably deteriorated.
    MeaningfulImprovement,
    /// At least one scale reliably deteriorated.
    Deterioration,
    /// Neither.
    NoChange,
}

impl Overall {
    /// `meaningful_improvement`, `deterioration` or `no_change`.
    pub fn code(self) -> &'static str {
        match self {
            Overall::MeaningfulImprovement => "meaningful_improvement",
            Overall::Deterioration => "deterioration",
            Overall::NoChange => "no_change",
        }
    }
}

/// Accumulates the changes of one referral and rater, as `cyp_rci_referral` takes the MAX of
/// each flag over the rater's assessments (lines 352–367) and `cyp_meaningful_change`
/// classifies (lines 381–383): improvement = improved and never deteriorated; deterioration =
/// any deterioration; no change = otherwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutcomeTally {
    improved: bool,
    deteriorated: bool,
    paired: bool,
}

impl OutcomeTally {
    /// Adds one scale's change.
    pub fn add(&mut self, change: Change) {
        self.paired = true;
        match change {
            Change::Improved => self.improved = true,
            Change::Deteriorated => self.deteriorated = true,
            Change::NoChange => {}
        }
    }

    /// The overall outcome; `None` before any paired scale was added.
    pub fn overall(&self) -> Option<Overall> {
        if !self.paired {
            None
        } else if self.deteriorated {
            Some(Overall::Deterioration)
        } else if self.improved {
            Some(Overall::MeaningfulImprovement)
        } else {
            Some(Overall::NoChange)
        }
    }
}

/// Classifies a set of changes for one referral and rater; `None` when there are none.
pub fn classify(changes: impl IntoIterator<Item = Change>) -> Option<Overall> {
    let mut tally = OutcomeTally::default();
    changes.into_iter().for_each(|c| tally.add(c));
    tally.overall()
}

/// A first and last score chosen from dated assessments.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PairedScores<D> {
    /// Date of the first assessment.
    pub first_date: D,
    /// The first score.
    pub first: f64,
    /// Date of the last assessment.
    pub last_date: D,
    /// The last score.
    pub last: f64,
}

/// Picks the first and last score of one scale for one referral, as NHS England does
/// (`cyp_outcomes_prep.py`):
///
/// * assessments are numbered in date order (ties keep the given order; NHS England breaks
///   ties by `Der_AssUniqID`, so pass them in id order), counting only those **on or after
///   the first contact** (lines 224–230);
/// * the first score is number 1 (line 284);
/// * the last score is the highest-numbered assessment that is not number 1 and is **on or
///   after the second contact** (lines 235–244) — in date order that is the latest
///   assessment, if it is on or after the second contact;
/// * no second contact, no pair (lines 359–363 require `Contact2 IS NOT NULL`).
///
/// Exact duplicates (same date and score) count once, as the pre-processing keeps one row per
/// person, date, referral, measure and score
/// (`menh_bbrb/notebooks/01_Generic_Prepare/02_nhse_pre_processing_tables.py` line 410).
/// The caller passes only valid scores (within the measure's range, `Der_ValidScore`) dated on
/// or before discharge and the end of the period (`cyp_outcomes_prep.py` line 133).
pub fn pair_first_last<D: Ord + Copy>(
    assessments: &[(D, f64)],
    first_contact: D,
    second_contact: Option<D>,
) -> Option<PairedScores<D>> {
    let second_contact = second_contact?;
    let mut eligible: Vec<(D, f64)> = Vec::with_capacity(assessments.len());
    for &(date, score) in assessments {
        let duplicate = eligible
            .iter()
            .any(|&(d, s)| d == date && s.to_bits() == score.to_bits());
        if date >= first_contact && !duplicate {
            eligible.push((date, score));
        }
    }
    eligible.sort_by_key(|&(date, _)| date);
    let &(first_date, first) = eligible.first()?;
    let &(last_date, last) = eligible.last()?;
    if eligible.len() < 2 || last_date < second_contact {
        return None;
    }
    Some(PairedScores {
        first_date,
        first,
        last_date,
        last,
    })
}
