//! Scoring: answers to items → scale scores (reverse scoring, prorating, refusal when too many
//! items are missing) and raw → T-score conversion where a scale has norms. Does not judge
//! change (`change.rs`).

use std::collections::BTreeMap;

use crate::definition::{MeasureDefinition, ScaleDefinition, Sex};

/// Why answers could not be scored.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ScoringError {
    /// An answer names an item the measure does not have.
    #[error("{measure}: unknown item {item:?}")]
    UnknownItem {
        /// Measure code.
        measure: String,
        /// The item id given.
        item: String,
    },
    /// An answer's value is not one the item allows.
    #[error("{measure}: item {item:?} answered {value}, allowed {allowed}")]
    InvalidAnswer {
        /// Measure code.
        measure: String,
        /// Item id.
        item: String,
        /// The value given.
        value: f64,
        /// The allowed values, in words.
        allowed: String,
    },
    /// More items are missing than the scale's prorating rule allows.
    #[error("{measure} {scale}: {missing} of {items} items missing, at most {allowed} may be (prorated)")]
    TooManyMissing {
        /// Measure code.
        measure: String,
        /// Scale id.
        scale: String,
        /// Items missing.
        missing: usize,
        /// Items in the scale.
        items: usize,
        /// The most that may be missing.
        allowed: usize,
    },
    /// The ordered answer list has the wrong length.
    #[error("{measure}: {got} answers given, the measure has {expected} items")]
    WrongAnswerCount {
        /// Measure code.
        measure: String,
        /// Items in the measure.
        expected: usize,
        /// Answers given.
        got: usize,
    },
}

/// A scored scale.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleScore {
    /// Scale id.
    pub scale: String,
    /// Sum of item values after reverse scoring, prorated when items were missing.
    pub raw: f64,
    /// Items answered.
    pub answered: usize,
    /// Whether the sum was prorated.
    pub prorated: bool,
}

/// One item of one scale, resolved for scoring.
#[derive(Clone, Copy, Debug)]
struct ScaleItem {
    item: usize,
    reversed: bool,
    /// min + max of the item's response set (reverse: value' = lo_plus_hi − value).
    lo_plus_hi: f64,
}

/// A measure compiled for fast scoring of many responses.
#[derive(Clone, Debug)]
pub struct Scorer<'a> {
    definition: &'a MeasureDefinition,
    scales: Vec<Vec<ScaleItem>>,
}

impl MeasureDefinition {
    /// Compiles the measure for scoring. The definition must have passed
    /// [`MeasureDefinition::validate`] (every loader does so).
    pub fn scorer(&self) -> Scorer<'_> {
        let scales = self
            .scales
            .iter()
            .map(|scale| {
                scale
                    .items
                    .iter()
                    .filter_map(|id| {
                        let item = self.items.iter().position(|i| &i.id == id)?;
                        let (lo, hi) = self
                            .response_sets
                            .get(&self.items[item].responses)?
                            .bounds();
                        Some(ScaleItem {
                            item,
                            reversed: scale.reverse_items.contains(id),
                            lo_plus_hi: lo + hi,
                        })
                    })
                    .collect()
            })
            .collect();
        Scorer {
            definition: self,
            scales,
        }
    }

    /// Scores answers given by item id (a missing key is a missing answer); see
    /// [`Scorer::score_items`].
    pub fn score(
        &self,
        answers: &BTreeMap<String, f64>,
    ) -> Result<Vec<Result<ScaleScore, ScoringError>>, ScoringError> {
        let mut ordered = vec![None; self.items.len()];
        for (id, value) in answers {
            let Some(index) = self.items.iter().position(|i| &i.id == id) else {
                return Err(ScoringError::UnknownItem {
                    measure: self.code.clone(),
                    item: id.clone(),
                });
            };
            ordered[index] = Some(*value);
        }
        self.scorer().score_items(&ordered)
    }

    /// Lowest and highest raw score of a scale (every item at its minimum / maximum).
    pub fn raw_range(&self, scale: &ScaleDefinition) -> (f64, f64) {
        scale
            .items
            .iter()
            .filter_map(|id| self.item(id))
            .filter_map(|item| self.response_sets.get(&item.responses))
            .map(|set| set.bounds())
            .fold((0.0, 0.0), |(lo, hi), (a, b)| (lo + a, hi + b))
    }

    /// Range of the score change is judged on: the raw range, or for a scale with T-score
    /// norms the T-scores of the raw minimum and maximum under every norm.
    pub fn judged_range(&self, scale: &ScaleDefinition) -> (f64, f64) {
        let (lo, hi) = self.raw_range(scale);
        if scale.t_score_norms.is_empty() {
            return (lo, hi);
        }
        scale
            .t_score_norms
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), norm| {
                (
                    a.min(t_from_norm(lo, norm.mean, norm.sd)),
                    b.max(t_from_norm(hi, norm.mean, norm.sd)),
                )
            })
    }
}

impl Scorer<'_> {
    /// Scores one response: `answers[i]` answers the definition's `items[i]` (`None` = missing).
    /// An answer the item does not allow refuses the whole response; otherwise each scale, in
    /// definition order, is scored or refused on its own (a child may set one goal of three,
    /// and a missing HoNOSCA scale refuses the total but not the other scales).
    pub fn score_items(
        &self,
        answers: &[Option<f64>],
    ) -> Result<Vec<Result<ScaleScore, ScoringError>>, ScoringError> {
        let definition = self.definition;
        if answers.len() != definition.items.len() {
            return Err(ScoringError::WrongAnswerCount {
                measure: definition.code.clone(),
                expected: definition.items.len(),
                got: answers.len(),
            });
        }
        for (item, answer) in definition.items.iter().zip(answers) {
            let Some(value) = *answer else { continue };
            let allowed = definition
                .response_sets
                .get(&item.responses)
                .is_some_and(|set| set.allows(value));
            if !allowed {
                return Err(ScoringError::InvalidAnswer {
                    measure: definition.code.clone(),
                    item: item.id.clone(),
                    value,
                    allowed: describe_allowed(definition, &item.responses),
                });
            }
        }
        Ok(definition
            .scales
            .iter()
            .zip(&self.scales)
            .map(|(scale, items)| score_scale(definition, scale, items, answers))
            .collect())
    }
}

fn score_scale(
    definition: &MeasureDefinition,
    scale: &ScaleDefinition,
    items: &[ScaleItem],
    answers: &[Option<f64>],
) -> Result<ScaleScore, ScoringError> {
    let mut sum = 0.0;
    let mut answered = 0;
    for scale_item in items {
        if let Some(value) = answers[scale_item.item] {
            sum += if scale_item.reversed {
                scale_item.lo_plus_hi - value
            } else {
                value
            };
            answered += 1;
        }
    }
    let missing = items.len() - answered;
    if missing > scale.max_missing {
        return Err(ScoringError::TooManyMissing {
            measure: definition.code.clone(),
            scale: scale.id.clone(),
            missing,
            items: items.len(),
            allowed: scale.max_missing,
        });
    }
    let raw = if missing == 0 {
        sum
    } else {
        sum * items.len() as f64 / answered as f64
    };
    Ok(ScaleScore {
        scale: scale.id.clone(),
        raw,
        answered,
        prorated: missing > 0,
    })
}

fn describe_allowed(definition: &MeasureDefinition, set: &str) -> String {
    match definition.response_sets.get(set) {
        Some(set) => match set.range {
            Some([lo, hi]) => format!("{lo} to {hi}"),
            None => set
                .options
                .iter()
                .map(|o| o.value.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        },
        None => "nothing (unknown response set)".into(),
    }
}

/// T = (raw − mean) / sd × 10 + 50, as NHS England's `cyp_valid_unique_assessments_rcads`
/// computes it. Source: NHSDigital/mental-health-monthly-statistics
/// `Mental_Health_Monthly_Statistics/menh_bbrb/notebooks/02_Specific_Prepare/05_cyp_outcomes/cyp_outcomes_prep.py`
/// lines 208–215 (commit 7b4d7421838b4bcb85729fbc1b53843c35a36e29).
pub fn t_from_norm(raw: f64, mean: f64, sd: f64) -> f64 {
    (raw - mean) / sd * 10.0 + 50.0
}

impl ScaleDefinition {
    /// The T-score of a raw score for a person of this age (whole years, at referral as NHS
    /// England uses `AgeServReferRecDate`) and sex; `None` when the scale has no norm for them.
    pub fn t_score(&self, raw: f64, age: u8, sex: Sex) -> Option<f64> {
        self.t_score_norms
            .iter()
            .find(|n| n.sex == sex && n.ages.min <= age && age <= n.ages.max)
            .map(|n| t_from_norm(raw, n.mean, n.sd))
    }

    /// The score NHS England compares with the reliable-change threshold: the T-score where a
    /// norm matches age and sex, otherwise the raw score unchanged ("ELSE a.RawScore ---only
    /// transform RCADS scores else keep same", `cyp_outcomes_prep.py` line 214). Note that for
    /// an RCADS scale this compares a raw score against a T-score threshold when age or sex
    /// is outside the norms (under 8, over 17, sex not known); we reproduce it, not endorse it.
    pub fn mhs112_score(&self, raw: f64, age: Option<u8>, sex: Option<Sex>) -> f64 {
        match (age, sex) {
            (Some(age), Some(sex)) => self.t_score(raw, age, sex).unwrap_or(raw),
            _ => raw,
        }
    }
}
