//! The model's parameters ([`Params`]: per comparison level the m and u probabilities, the
//! expected number of true matches per record, term-frequency settings — estimated by
//! [`crate::estimate`], stored as JSON) and the decision thresholds ([`Thresholds`]: fixed
//! configuration, never estimated, never tuned per data set).

use serde::{Deserialize, Serialize};

use crate::comparison::{MAX_LEVELS, MODEL, N_COMPARISONS};

/// The model these parameters belong to; a stored file for another model is refused.
pub const MODEL_VERSION: &str = "nwd-match/1";

/// Estimated parameters of the Fellegi–Sunter model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Always [`MODEL_VERSION`].
    pub model: String,
    /// Expected number of other records that are the same person as a given record (in the data
    /// the parameters were estimated on). With a register of `n` people the prior odds that a
    /// query is a given registered person are `matches_per_record / n`.
    pub matches_per_record: f64,
    /// How exact name agreements are adjusted for the name's frequency.
    pub term_frequency: TermFrequency,
    /// One entry per comparison, in model order.
    pub comparisons: Vec<ComparisonParams>,
    /// How the parameters were estimated (absent for the built-in starting values).
    #[serde(default)]
    pub estimation: Option<EstimationSummary>,
}

/// Term-frequency adjustment of exact given- and family-name agreement (as Splink: the u of the
/// exact level is replaced by the frequency of the agreeing value).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermFrequency {
    /// The value's frequency is `(count + pseudo_count · u_exact) / (total + pseudo_count)`:
    /// with few people registered the adjustment fades to zero instead of swinging wildly.
    pub pseudo_count: f64,
    /// Largest upward adjustment, in bits, for a rare name (a typo also makes a name rare).
    pub max_boost_bits: f64,
}

impl Default for TermFrequency {
    fn default() -> Self {
        TermFrequency {
            pseudo_count: 1000.0,
            max_boost_bits: 6.0,
        }
    }
}

/// The m and u probabilities of one comparison's levels (level 0, missing, has none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonParams {
    /// Comparison name, e.g. `given_name`.
    pub comparison: String,
    /// Levels in model order, strongest agreement first.
    pub levels: Vec<LevelParams>,
}

/// One comparison level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelParams {
    /// Level label, e.g. `jaro-winkler >= 0.92`.
    pub level: String,
    /// P(level | same person).
    pub m: f64,
    /// P(level | different people).
    pub u: f64,
}

/// How [`crate::estimate`] produced the parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EstimationSummary {
    /// Records estimated on.
    pub records: usize,
    /// Random pairs sampled for u.
    pub random_pairs: usize,
    /// Seed of the pair sampler.
    pub seed: u64,
    /// One entry per EM session.
    pub sessions: Vec<SessionSummary>,
    /// Set when the fitted m were discarded for the starting values, and why.
    #[serde(default)]
    pub m_fallback: Option<String>,
}

/// One expectation–maximisation session over blocked pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// The blocking rule; its comparisons' m are not estimated in this session.
    pub blocked_on: String,
    /// Pairs the rule yields.
    pub pairs: u64,
    /// Pairs used (a deterministic sample when there are too many).
    pub pairs_used: u64,
    /// EM iterations run.
    pub iterations: usize,
    /// Estimated share of the blocked pairs that are the same person.
    pub match_share: f64,
}

/// Starting values: used before a first estimate, and as EM's starting point.
const STARTING: [&[(f64, f64)]; N_COMPARISONS] = [
    &[(0.85, 0.000_01), (0.05, 0.000_1), (0.10, 0.999_89)],
    &[
        (0.80, 0.01),
        (0.005, 0.000_05),
        (0.08, 0.005),
        (0.03, 0.005),
        (0.02, 0.002),
        (0.065, 0.977_95),
    ],
    &[(0.85, 0.003), (0.07, 0.003), (0.03, 0.004), (0.05, 0.99)],
    &[
        (0.85, 0.000_2),
        (0.08, 0.001),
        (0.04, 0.03),
        (0.03, 0.968_8),
    ],
    &[
        (0.70, 0.000_05),
        (0.15, 0.000_1),
        (0.08, 0.002),
        (0.07, 0.997_85),
    ],
    &[(0.85, 0.000_2), (0.08, 0.01), (0.07, 0.989_8)],
    &[(0.97, 0.5), (0.03, 0.5)],
];

impl Default for Params {
    /// The untrained starting values: plausible, not estimated. Run [`crate::estimate`] on the
    /// register before relying on the matcher.
    fn default() -> Self {
        Params {
            model: MODEL_VERSION.to_owned(),
            matches_per_record: 1.0,
            term_frequency: TermFrequency::default(),
            comparisons: MODEL
                .iter()
                .zip(STARTING)
                .map(|(spec, values)| ComparisonParams {
                    comparison: spec.name.to_owned(),
                    levels: spec
                        .levels
                        .iter()
                        .zip(values)
                        .map(|(label, &(m, u))| LevelParams {
                            level: (*label).to_owned(),
                            m,
                            u,
                        })
                        .collect(),
                })
                .collect(),
            estimation: None,
        }
    }
}

impl Params {
    /// The parameters as pretty JSON, for storing.
    pub fn to_json(&self) -> Result<String, ParamsError> {
        serde_json::to_string_pretty(self).map_err(|e| ParamsError::Json(e.to_string()))
    }

    /// Reads stored parameters and checks they fit this model.
    pub fn from_json(json: &str) -> Result<Params, ParamsError> {
        let params: Params =
            serde_json::from_str(json).map_err(|e| ParamsError::Json(e.to_string()))?;
        Model::new(&params)?;
        Ok(params)
    }
}

/// Why parameters cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamsError {
    /// Stored for another model.
    #[error("these parameters are for model {found:?}; this matcher needs {MODEL_VERSION:?}: re-estimate")]
    WrongModel {
        /// The model named in the parameters.
        found: String,
    },
    /// Comparisons or levels do not match the model.
    #[error("comparison {index} should be {expected:?} with levels {levels:?}: re-estimate")]
    Shape {
        /// Position of the comparison.
        index: usize,
        /// Expected comparison name.
        expected: String,
        /// Expected level labels.
        levels: Vec<String>,
    },
    /// A probability outside (0, 1], or a non-finite setting.
    #[error("{what} must be {allowed}")]
    OutOfRange {
        /// Which value.
        what: String,
        /// What is allowed.
        allowed: &'static str,
    },
    /// Not valid JSON for [`Params`].
    #[error("parameters are not valid JSON: {0}")]
    Json(String),
}

/// Parameters checked and laid out for scoring: weights are log2(m/u) per level.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    pub m: [[f64; MAX_LEVELS]; N_COMPARISONS],
    pub u: [[f64; MAX_LEVELS]; N_COMPARISONS],
    pub weight: [[f64; MAX_LEVELS]; N_COMPARISONS],
    pub matches_per_record: f64,
    pub term_frequency: TermFrequency,
}

impl Model {
    pub fn new(params: &Params) -> Result<Model, ParamsError> {
        if params.model != MODEL_VERSION {
            return Err(ParamsError::WrongModel {
                found: params.model.clone(),
            });
        }
        let positive = |value: f64, what: String, allowed| {
            if value.is_finite() && value > 0.0 {
                Ok(())
            } else {
                Err(ParamsError::OutOfRange { what, allowed })
            }
        };
        positive(
            params.matches_per_record,
            "matches_per_record".into(),
            "a positive number",
        )?;
        positive(
            params.term_frequency.pseudo_count,
            "term_frequency.pseudo_count".into(),
            "a positive number",
        )?;
        positive(
            params.term_frequency.max_boost_bits + 1.0,
            "term_frequency.max_boost_bits".into(),
            "zero or more",
        )?;
        let mut model = Model {
            m: [[0.0; MAX_LEVELS]; N_COMPARISONS],
            u: [[0.0; MAX_LEVELS]; N_COMPARISONS],
            weight: [[0.0; MAX_LEVELS]; N_COMPARISONS],
            matches_per_record: params.matches_per_record,
            term_frequency: params.term_frequency.clone(),
        };
        for (index, spec) in MODEL.iter().enumerate() {
            let shape_error = || ParamsError::Shape {
                index,
                expected: spec.name.to_owned(),
                levels: spec.levels.iter().map(|l| (*l).to_owned()).collect(),
            };
            let found = params.comparisons.get(index).ok_or_else(shape_error)?;
            let labels_agree = found.comparison == spec.name
                && found.levels.len() == spec.levels.len()
                && found
                    .levels
                    .iter()
                    .zip(spec.levels)
                    .all(|(l, s)| l.level == *s);
            if !labels_agree {
                return Err(shape_error());
            }
            for (level, values) in found.levels.iter().enumerate() {
                for (value, name) in [(values.m, "m"), (values.u, "u")] {
                    if !(value.is_finite() && value > 0.0 && value <= 1.0) {
                        return Err(ParamsError::OutOfRange {
                            what: format!("{name} of {} / {}", spec.name, values.level),
                            allowed: "a probability in (0, 1]",
                        });
                    }
                }
                model.m[index][level + 1] = values.m;
                model.u[index][level + 1] = values.u;
                model.weight[index][level + 1] = (values.m / values.u).log2();
            }
        }
        if params.comparisons.len() != N_COMPARISONS {
            return Err(ParamsError::Shape {
                index: N_COMPARISONS,
                expected: "no further comparison".to_owned(),
                levels: Vec::new(),
            });
        }
        Ok(model)
    }
}

/// The decision thresholds: configuration, the same for every data set. Defaults chosen before
/// any evaluation against truth, with the reasoning beside each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// Auto-link at or above this match probability. 0.99 (a match weight of about +6.6 bits):
    /// at most one wrong auto-link in a hundred, before the household, twin and NHS-number
    /// safeguards, which only ever lower a band.
    pub auto_link_probability: f64,
    /// Send to review at or above this probability (below auto). 0.20 (about −2 bits): a human
    /// looks at anything with a one-in-five chance of being the same child; below that, a new
    /// person is registered (and a later merge remains possible).
    pub review_probability: f64,
    /// Extra penalty, in bits, when a candidate shares the household (address and family name)
    /// but has a different given name: on top of discounting the shared household evidence.
    /// 5 bits = a likelihood ratio of 1/32 for "a sibling, not the same child".
    pub sibling_penalty_bits: f64,
    /// Hold twins at review (true, the default): a candidate sharing the household and the date
    /// of birth but not the given name is never auto-linked. Turning it off lets the weights
    /// decide, which links data sets that corrupt duplicates by replacing the given name (FEBRL)
    /// and also links some first referrals of a registered child's co-twin to that child — the
    /// trade-off is measured in docs/benchmarks.md. A clinical-safety setting: keep it on in a
    /// children's service unless the safety officer decides otherwise.
    pub twin_review: bool,
    /// Candidates returned with an outcome (with explanations).
    pub top_k: usize,
    /// Most candidates taken from any one blocking key (larger blocks are sampled evenly).
    pub max_candidates_per_key: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            auto_link_probability: 0.99,
            review_probability: 0.20,
            sibling_penalty_bits: 5.0,
            twin_review: true,
            top_k: 5,
            max_candidates_per_key: 1000,
        }
    }
}

impl Thresholds {
    /// Checks the thresholds are usable: probabilities in (0, 1), review ≤ auto, `top_k` ≥ 1.
    pub fn validate(&self) -> Result<(), ParamsError> {
        let probability = |value: f64, what: &str| {
            if value > 0.0 && value < 1.0 {
                Ok(())
            } else {
                Err(ParamsError::OutOfRange {
                    what: what.to_owned(),
                    allowed: "a probability strictly between 0 and 1",
                })
            }
        };
        probability(self.auto_link_probability, "auto_link_probability")?;
        probability(self.review_probability, "review_probability")?;
        if self.review_probability > self.auto_link_probability {
            return Err(ParamsError::OutOfRange {
                what: "review_probability".to_owned(),
                allowed: "at most auto_link_probability",
            });
        }
        if self.top_k == 0 {
            return Err(ParamsError::OutOfRange {
                what: "top_k".to_owned(),
                allowed: "at least 1",
            });
        }
        if !(self.sibling_penalty_bits.is_finite() && self.sibling_penalty_bits >= 0.0) {
            return Err(ParamsError::OutOfRange {
                what: "sibling_penalty_bits".to_owned(),
                allowed: "zero or more",
            });
        }
        Ok(())
    }
}

/// log2 odds of a probability.
pub(crate) fn weight_of(probability: f64) -> f64 {
    (probability / (1.0 - probability)).log2()
}

/// Probability of a log2 odds.
pub(crate) fn probability_of(weight: f64) -> f64 {
    let odds = weight.exp2();
    if odds.is_infinite() {
        1.0
    } else {
        odds / (1.0 + odds)
    }
}

#[cfg(test)]
mod tests;
