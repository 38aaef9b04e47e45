//! The decision thresholds ([`Thresholds`]): configuration, the same for every data set and
//! never estimated, with the reasoning beside each default.

use serde::{Deserialize, Serialize};

use super::ParamsError;

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
    /// The household safeguards (true, the default), each guarding against taking one child of
    /// a family for another: a twin (a candidate sharing the household — or, after a move, the
    /// family name — and the date of birth but not the given name) is held at review, a
    /// brother or sister at the same home is penalised ([`Thresholds::sibling_penalty_bits`]),
    /// and no auto-link is made without a given name, with dates of birth months or years
    /// apart, on weak evidence ([`Thresholds::min_identity_agreements`]) or from a differing
    /// home without exact names and date of birth. Turning it off lets the weights alone
    /// decide, which links data sets that corrupt duplicates by replacing the given name and
    /// date of birth (FEBRL) and also links some first referrals of a registered child's
    /// co-twin or sibling to that child — the trade-off is measured in docs/benchmarks.md. A
    /// clinical-safety setting: keep it on in a children's service unless the safety officer
    /// decides otherwise.
    ///
    /// Called `twin_review` before it switched more than the twin rule; that name is still
    /// read (deprecated: a file naming both is refused as a repeated field).
    #[serde(alias = "twin_review")]
    pub household_safeguards: bool,
    /// With the household safeguards on (`household_safeguards`), the fewest of the child's own
    /// details (given name, family name, date of birth) that must agree for an auto-link without an
    /// NHS number. 2 (issue 18): with one, the rest of the
    /// weight is the home's — a household shares it, so a sibling or a stranger at the same
    /// address would be linked on a given name and an address alone. 0 turns the rule off.
    pub min_identity_agreements: u8,
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
            household_safeguards: true,
            min_identity_agreements: 2,
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
        if self.min_identity_agreements > 3 {
            return Err(ParamsError::OutOfRange {
                what: "min_identity_agreements".to_owned(),
                allowed: "0 to 3 (of given name, family name, date of birth)",
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
