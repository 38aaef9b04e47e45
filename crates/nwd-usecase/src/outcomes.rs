//! Routine outcome measures for both doors (issue 19): the input a clinician records — scores
//! as numbers, turned into the domain's [`OutcomeAssessment`] (tenths) with errors naming the
//! field — and what a referral's measures show ([`referral_outcomes`]): every score, the first
//! and last paired and judged for reliable change as NHS England's MHS112 does
//! (`nwd_domain::referral::outcome`), and the result per rater. The API
//! (`/api/referrals/{id}/outcomes`) and the referral page use these; the rules are the
//! domain's and `nwd_outcomes`'s.

use jiff::Timestamp;
use nwd_domain::referral::outcome::{
    norm_inputs, outcome_summary, OutcomeAssessment, OutcomeRater, ScaleEntry,
};
use nwd_domain::referral::Referral;
use nwd_domain::{AllocationId, ValidationErrors};
use nwd_store::{Store, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One scale's score as recorded.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleScoreInput {
    /// The scale, e.g. `total`, `depression`, `goal1`.
    pub scale: String,
    /// The raw score (at most one decimal place).
    pub score: f64,
}

/// A measure completed at an assessment, as a clinician records it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    /// The allocation (service) it was completed for.
    #[schema(value_type = String)]
    pub allocation_id: AllocationId,
    /// The measure's code: `phq_9`, `gad_7`, `yp_core`, `core_10`, `gbo`, `rcads`,
    /// `rcads_p`, `sdq_self`, `sdq_parent`, `ors`, `cors`, `honosca`, `cgas`, `wemwbs`,
    /// `swemwbs`.
    pub measure: String,
    /// Who completed it.
    pub rater: OutcomeRater,
    /// When it was completed; now when omitted.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<Timestamp>,
    /// The scale scores.
    pub scores: Vec<ScaleScoreInput>,
}

impl OutcomeInput {
    /// The domain's assessment (scores in tenths), or the scores that are not numbers with
    /// at most one decimal place, by field.
    pub fn into_assessment(self, now: Timestamp) -> Result<OutcomeAssessment, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut scores = Vec::with_capacity(self.scores.len());
        for (i, entry) in self.scores.into_iter().enumerate() {
            match ScaleEntry::tenths(entry.score) {
                Ok(score_tenths) => scores.push(ScaleEntry {
                    scale: entry.scale,
                    score_tenths,
                }),
                Err(message) => errors.add(format!("scores[{i}].score"), message),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(OutcomeAssessment {
            allocation_id: self.allocation_id,
            measure: self.measure,
            rater: self.rater,
            at: self.at.unwrap_or(now),
            scores,
        })
    }
}

/// One score as recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoreView {
    /// When.
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    /// The raw score.
    pub score: f64,
}

/// One scale of one measure and rater.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScaleOutcomeView {
    /// The measure's code.
    pub measure: String,
    /// The measure's name.
    pub measure_name: String,
    /// Who completed it.
    pub rater: OutcomeRater,
    /// The scale.
    pub scale: String,
    /// Every score, oldest first.
    pub scores: Vec<ScoreView>,
    /// The first score compared (a T-score where NHS England converts), when paired.
    pub first: Option<f64>,
    /// The last score compared, when paired.
    pub last: Option<f64>,
    /// `improved`, `no_change` or `deteriorated`, when paired.
    pub change: Option<&'static str>,
}

/// The referral's result for one rater.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RaterOutcomeView {
    /// Who.
    pub rater: OutcomeRater,
    /// `meaningful_improvement`, `deterioration` or `no_change`.
    pub overall: Option<&'static str>,
}

/// What a referral's outcome measures show.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomesView {
    /// Per measure, rater and scale.
    pub scales: Vec<ScaleOutcomeView>,
    /// Per rater with a paired scale.
    pub raters: Vec<RaterOutcomeView>,
}

/// What `referral`'s outcome measures show: its young person's age at referral and sex
/// choose the T-score norms.
pub async fn referral_outcomes(
    store: &Store,
    referral: &Referral,
) -> Result<OutcomesView, StoreError> {
    let (age, sex) = if referral.outcomes.is_empty() {
        (None, None)
    } else {
        let person = store.person(referral.person_id).await?;
        norm_inputs(
            referral,
            person.details.date_of_birth,
            person.details.sex,
            store.tz(),
        )
    };
    let summary = outcome_summary(referral, age, sex);
    Ok(OutcomesView {
        scales: summary
            .scales
            .into_iter()
            .map(|s| ScaleOutcomeView {
                measure: s.measure,
                measure_name: s.measure_name,
                rater: s.rater,
                scale: s.scale,
                scores: s
                    .scores
                    .iter()
                    .map(|&(at, score)| ScoreView { at, score })
                    .collect(),
                first: s.paired.map(|p| p.0),
                last: s.paired.map(|p| p.1),
                change: s.change.map(|c| c.code()),
            })
            .collect(),
        raters: summary
            .raters
            .into_iter()
            .map(|r| RaterOutcomeView {
                rater: r.rater,
                overall: r.overall.map(|o| o.code()),
            })
            .collect(),
    })
}
