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
            answers: Vec::new(),
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
    /// The scale in words: its name, or for a GBO goal the goal as agreed with the young
    /// person ("Goal 1: go back to football").
    pub scale_label: String,
    /// Every score, oldest first.
    pub scores: Vec<ScoreView>,
    /// The first score compared (a T-score where NHS England converts), when paired.
    pub first: Option<f64>,
    /// The last score compared, when paired.
    pub last: Option<f64>,
    /// `improved`, `no_change` or `deteriorated`, when paired.
    pub change: Option<&'static str>,
    /// The score's SNOMED CT concept id for this rater, where NHS England maps one.
    pub snomed: Option<String>,
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

/// A scale in words: a GBO goal's agreed wording (the latest agreed on any of the referral's
/// allocations), else the measure's name for the scale.
fn scale_label(referral: &Referral, measure: &str, scale: &str) -> String {
    let wording = (measure == "gbo")
        .then(|| {
            referral
                .goals
                .iter()
                .rev()
                .find_map(|g| referral.goal_wording(g.allocation_id, scale))
        })
        .flatten();
    let number = scale.strip_prefix("goal").unwrap_or(scale);
    match wording {
        Some(words) => format!("Goal {number}: {words}"),
        None => nwd_outcomes::bundled()
            .get(measure)
            .and_then(|m| m.scale(scale))
            .map(|s| s.name.clone())
            .unwrap_or_else(|| scale.to_owned()),
    }
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
                scale_label: scale_label(referral, &s.measure, &s.scale),
                snomed: nwd_outcomes::bundled()
                    .get(&s.measure)
                    .and_then(|m| m.scale(&s.scale))
                    .and_then(|scale| scale.snomed.get(&s.rater.measure_rater()).cloned()),
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

/// The scale scores of a questionnaire's item answers (by item id), scored as the measure
/// defines (reverse items, prorating); scales that cannot be scored (too many items missing)
/// are left out, and an answer set that scores no scale is refused.
pub fn scale_entries(
    definition: &nwd_outcomes::MeasureDefinition,
    answers: &std::collections::BTreeMap<String, f64>,
) -> Result<Vec<ScaleEntry>, String> {
    let scored = definition.score(answers).map_err(|e| e.to_string())?;
    let entries: Vec<ScaleEntry> = scored
        .into_iter()
        .filter_map(Result::ok)
        .map(|s| ScaleEntry {
            scale: s.scale,
            // Prorated sums can have more decimals than the record keeps (tenths).
            score_tenths: (s.raw * 10.0).round() as i32,
        })
        .collect();
    if entries.is_empty() {
        return Err(format!(
            "too few questions answered to score any scale of {}",
            definition.name
        ));
    }
    Ok(entries)
}

/// The answers by item id, in the measure's order of questions, as the record keeps them.
pub fn item_answers(
    definition: &nwd_outcomes::MeasureDefinition,
    answers: &std::collections::BTreeMap<String, f64>,
) -> Vec<nwd_domain::referral::outcome::ItemAnswer> {
    definition
        .items
        .iter()
        .filter_map(|item| {
            answers
                .get(&item.id)
                .map(|value| nwd_domain::referral::outcome::ItemAnswer {
                    item: item.id.clone(),
                    value_tenths: (value * 10.0).round() as i32,
                })
        })
        .collect()
}

/// A measure completed in another system and sent as an HL7 FHIR R4 `QuestionnaireResponse`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FhirOutcomeInput {
    /// The allocation (service) it was completed for.
    #[schema(value_type = String)]
    pub allocation_id: AllocationId,
    /// The measure's code (its Questionnaire is `GET /api/outcome-measures/{code}/questionnaire`).
    pub measure: String,
    /// Who completed it.
    pub rater: OutcomeRater,
    /// The `QuestionnaireResponse` (its `authored` time is when it was completed; now when
    /// absent).
    #[schema(value_type = Object)]
    pub response: serde_json::Value,
}

impl FhirOutcomeInput {
    /// The domain's assessment, scored from the response's answers; errors name the element
    /// (`response.item[2].answer[0]`).
    pub fn into_assessment(self, now: Timestamp) -> Result<OutcomeAssessment, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let Some(definition) = nwd_outcomes::bundled().get(&self.measure) else {
            errors.add("measure", format!("unknown measure {:?}", self.measure));
            return Err(errors);
        };
        let answers = match nwd_outcomes::fhir::response_answers(definition, &self.response) {
            Ok(answers) => answers,
            Err(problem) => {
                errors.add(format!("response.{}", problem.path), problem.message);
                return Err(errors);
            }
        };
        let at = match self.response["authored"].as_str() {
            None => now,
            Some(text) => match text.parse::<Timestamp>() {
                Ok(at) => at,
                Err(_) => {
                    errors.add(
                        "response.authored",
                        "give the time with its offset, e.g. 2026-03-27T10:15:00Z",
                    );
                    return Err(errors);
                }
            },
        };
        match scale_entries(definition, &answers) {
            Ok(scores) => Ok(OutcomeAssessment {
                allocation_id: self.allocation_id,
                measure: self.measure,
                rater: self.rater,
                at,
                scores,
                answers: item_answers(definition, &answers),
            }),
            Err(message) => {
                errors.add("response.item", message);
                Err(errors)
            }
        }
    }
}
