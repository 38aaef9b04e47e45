//! Measure definitions as data: what a questionnaire asks, how its scales are scored, and the
//! rules (direction, reliable change, clinical cut-off, T-score norms) that judge two scores.
//! Owns the serde shape loaded from TOML or JSON and its validation; scoring lives in
//! `scoring.rs` and change rules in `change.rs`.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Who completes a measure. The CSV and the TOML files use `self`, `parent`, `clinician`,
/// as NHS England's `Der_Rater` (`Self`, `Parent`, `Clinician`) does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Rater {
    /// The child or young person.
    #[serde(rename = "self")]
    YoungPerson,
    /// A parent or carer.
    #[serde(rename = "parent")]
    ParentOrCarer,
    /// The clinician.
    #[serde(rename = "clinician")]
    Clinician,
}

impl Rater {
    /// The code used in CSV files and definitions.
    pub fn code(self) -> &'static str {
        match self {
            Rater::YoungPerson => "self",
            Rater::ParentOrCarer => "parent",
            Rater::Clinician => "clinician",
        }
    }

    /// Reads `self`, `parent` or `clinician`.
    pub fn parse(code: &str) -> Option<Rater> {
        match code {
            "self" => Some(Rater::YoungPerson),
            "parent" => Some(Rater::ParentOrCarer),
            "clinician" => Some(Rater::Clinician),
            _ => None,
        }
    }
}

/// Which way a scale improves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// NHS England's `Positive`: "high score good symptoms".
    HigherIsBetter,
    /// NHS England's `Negative`: "high score bad symptoms".
    LowerIsBetter,
}

/// Sex as NHS England's RCADS norms use it (`M`, `F`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male (MHSDS gender code 1).
    Male,
    /// Female (MHSDS gender code 2).
    Female,
}

/// An inclusive range of ages in whole years.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeRange {
    /// Youngest age, in whole years.
    pub min: u8,
    /// Oldest age, in whole years.
    pub max: u8,
}

/// One allowed answer: its value and, where the licence allows, its label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseOption {
    /// The value the answer scores (before any reverse scoring).
    pub value: f64,
    /// The label shown to the person; absent for licensed instruments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// The answers an item allows: a list of options, or a continuous range (visual analogue
/// scales such as the ORS lines, marked to 0.1).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseSet {
    /// Discrete options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ResponseOption>,
    /// A continuous inclusive range `[min, max]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<[f64; 2]>,
}

impl ResponseSet {
    /// Lowest and highest value an answer can take.
    pub fn bounds(&self) -> (f64, f64) {
        if let Some([lo, hi]) = self.range {
            return (lo, hi);
        }
        let lo = self
            .options
            .iter()
            .map(|o| o.value)
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .options
            .iter()
            .map(|o| o.value)
            .fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    }

    /// Whether `value` is an allowed answer.
    pub fn allows(&self, value: f64) -> bool {
        match self.range {
            Some([lo, hi]) => value.is_finite() && value >= lo && value <= hi,
            None => self.options.iter().any(|o| o.value == value),
        }
    }
}

/// One question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemDefinition {
    /// Stable identifier, e.g. `q1`.
    pub id: String,
    /// The question as printed; only for instruments whose licence allows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Name of an entry of [`MeasureDefinition::response_sets`].
    pub responses: String,
}

/// How a scale's reliable-change threshold is set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReliableChange {
    /// A fixed threshold on the score's own scale, as NHS England's
    /// `cyp_reliable_change_thresholds` table holds.
    Fixed {
        /// |last − first| at or above this is reliable.
        threshold: f64,
    },
    /// Jacobson & Truax (1991): 1.96 × SD × √2 × √(1 − r).
    JacobsonTruax {
        /// Reference standard deviation.
        sd: f64,
        /// Reliability (e.g. Cronbach's alpha), 0 ≤ r < 1.
        reliability: f64,
    },
}

impl ReliableChange {
    /// The threshold a change must reach (|last − first| ≥ threshold) to be reliable.
    pub fn threshold(&self) -> f64 {
        match *self {
            ReliableChange::Fixed { threshold } => threshold,
            ReliableChange::JacobsonTruax { sd, reliability } => {
                1.96 * sd * std::f64::consts::SQRT_2 * (1.0 - reliability).sqrt()
            }
        }
    }
}

/// Which side of a cut-off is the clinical range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClinicalWhen {
    /// score ≥ value is clinical.
    AtOrAbove,
    /// score > value is clinical.
    Above,
    /// score ≤ value is clinical.
    AtOrBelow,
    /// score < value is clinical.
    Below,
}

/// A clinical cut-off (caseness threshold).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClinicalCutoff {
    /// The cut-off score.
    pub value: f64,
    /// Which side of it is the clinical range.
    pub clinical_when: ClinicalWhen,
}

impl ClinicalCutoff {
    /// Whether `score` lies in the clinical range.
    pub fn is_clinical(&self, score: f64) -> bool {
        match self.clinical_when {
            ClinicalWhen::AtOrAbove => score >= self.value,
            ClinicalWhen::Above => score > self.value,
            ClinicalWhen::AtOrBelow => score <= self.value,
            ClinicalWhen::Below => score < self.value,
        }
    }
}

/// Normative mean and SD of a raw scale score for one sex and age band, turning the raw score
/// into a T-score: T = (raw − mean) / sd × 10 + 50.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TScoreNorm {
    /// Sex the norm applies to.
    pub sex: Sex,
    /// Ages (in whole years) the norm applies to.
    pub ages: AgeRange,
    /// Sample mean of the raw score.
    pub mean: f64,
    /// Sample standard deviation of the raw score.
    pub sd: f64,
}

/// One scale (subscale or total) of a measure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleDefinition {
    /// Stable identifier used in CSV files, e.g. `depression` or `total`.
    pub id: String,
    /// Human name.
    pub name: String,
    /// Items summed into the scale.
    pub items: Vec<String>,
    /// Items scored in reverse: value' = min + max − value of the item's response set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reverse_items: Vec<String>,
    /// Prorating: with at most this many items missing the sum is scaled up by
    /// items / answered; with more the scale is not scored.
    pub max_missing: usize,
    /// Which way the scale improves.
    pub direction: Direction,
    /// Reliable-change rule; `None` when no threshold is known (change is then not judged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reliable_change: Option<ReliableChange>,
    /// Clinical cut-off on the score that change is judged on (T-score where norms exist).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinical_cutoff: Option<ClinicalCutoff>,
    /// T-score norms by sex and age; when present, change is judged on T-scores.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub t_score_norms: Vec<TScoreNorm>,
    /// Where the direction, threshold, cut-off and norms come from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// The scale's SNOMED CT concept id for each rater, where NHS England maps one (the
    /// `mh_ass` reference table of MHSDS): the code a score carries to other systems.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub snomed: BTreeMap<Rater, String>,
}

/// A routine outcome measure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureDefinition {
    /// Stable code used in CSV files, e.g. `phq_9`.
    pub code: String,
    /// Human name.
    pub name: String,
    /// Licence or copyright line.
    pub licence: String,
    /// Who may complete it.
    pub completed_by: Vec<Rater>,
    /// Ages it is intended for.
    pub age_range: AgeRange,
    /// Instructions printed above the items, where the licence allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preamble: Option<String>,
    /// Named answer sets the items refer to.
    pub response_sets: BTreeMap<String, ResponseSet>,
    /// The questions, in order.
    pub items: Vec<ItemDefinition>,
    /// The scales.
    pub scales: Vec<ScaleDefinition>,
    /// Sources for the measure as a whole.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

/// One problem in a definition, with the path of the field at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// e.g. `scales[1].items[3]`.
    pub path: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every problem found in a definition.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("measure definition {code:?} is invalid: {}", .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct InvalidDefinition {
    /// The measure's code as given.
    pub code: String,
    /// The problems, each naming its field.
    pub errors: Vec<FieldError>,
}

/// A definition could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Not valid TOML for this shape.
    #[error("measure definition is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    /// Not valid JSON for this shape.
    #[error("measure definition is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Parsed, but breaks a rule.
    #[error(transparent)]
    Invalid(#[from] InvalidDefinition),
}

impl MeasureDefinition {
    /// Parses and validates a TOML definition.
    pub fn from_toml_str(text: &str) -> Result<MeasureDefinition, LoadError> {
        let definition: MeasureDefinition = toml::from_str(text)?;
        definition.validate()?;
        Ok(definition)
    }

    /// Parses and validates a JSON definition.
    pub fn from_json_str(text: &str) -> Result<MeasureDefinition, LoadError> {
        let definition: MeasureDefinition = serde_json::from_str(text)?;
        definition.validate()?;
        Ok(definition)
    }

    /// The scale with this id.
    pub fn scale(&self, id: &str) -> Option<&ScaleDefinition> {
        self.scales.iter().find(|s| s.id == id)
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&ItemDefinition> {
        self.items.iter().find(|i| i.id == id)
    }
}
