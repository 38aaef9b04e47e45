//! The model's parameters ([`Params`]: per comparison level the m and u probabilities, the
//! expected number of true matches per record, term-frequency settings — estimated by
//! [`crate::estimate`], stored as JSON) and the decision thresholds ([`Thresholds`]: fixed
//! configuration, never estimated, never tuned per data set).

use serde::{Deserialize, Serialize};

use crate::comparison::{MODEL, N_COMPARISONS};

mod model;
mod thresholds;

pub(crate) use model::Model;
pub use thresholds::Thresholds;

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
    /// When a file of referrals was in hand ([`crate::Matcher::estimate_with_referrals`]): the
    /// EM fit on the pairs between the referrals and the register, and whether its m and prior
    /// replaced the register's.
    #[serde(default)]
    pub referrals: Option<ReferralEstimation>,
}

/// Estimation on the pairs being linked — the referrals against the register — as Splink
/// estimates a link job on its cross pairs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferralEstimation {
    /// Referrals in the file.
    pub referrals: usize,
    /// One entry per EM session over referral–register pairs.
    pub sessions: Vec<SessionSummary>,
    /// Expected number of registered people each referral is (the prior's numerator).
    pub matches_per_referral: f64,
    /// True when these m and this prior replaced the register's.
    pub used: bool,
    /// Why they were, or were not, used.
    pub note: String,
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
