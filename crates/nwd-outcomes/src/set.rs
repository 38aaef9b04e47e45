//! A validated set of measures with fast lookup of the rule that judges each (measure, scale),
//! and the bundled definitions shipped in `measures/*.toml`.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::change::{judge_change, pair_first_last, Change, PairedScores};
use crate::definition::{
    Direction, FieldError, InvalidDefinition, LoadError, MeasureDefinition, Rater, Sex,
};
use crate::key_hash::KeyHash;

/// What judging one (measure, scale) needs, resolved once.
#[derive(Clone, Debug, PartialEq)]
pub struct JudgedScale {
    /// Index of the measure in the set.
    pub measure: usize,
    /// Index of the scale in the measure.
    pub scale: usize,
    /// Reliable-change threshold; `None` when the scale has none.
    pub threshold: Option<f64>,
    /// Which way it improves.
    pub direction: Direction,
    /// Lowest and highest score change is judged on (T-scores where the scale has norms).
    pub range: (f64, f64),
}

/// Measures keyed by code.
#[derive(Clone, Debug)]
pub struct MeasureSet {
    measures: Vec<MeasureDefinition>,
    by_code: HashMap<String, usize, KeyHash>,
    scales_by_measure: Vec<HashMap<String, usize, KeyHash>>,
    judged: Vec<JudgedScale>,
}

impl MeasureSet {
    /// Builds a set; every definition must be valid and codes unique.
    pub fn new(measures: Vec<MeasureDefinition>) -> Result<MeasureSet, InvalidDefinition> {
        let mut by_code = HashMap::default();
        let mut scales_by_measure = Vec::new();
        let mut judged = Vec::new();
        for (m, measure) in measures.iter().enumerate() {
            measure.validate()?;
            if by_code.insert(measure.code.clone(), m).is_some() {
                return Err(InvalidDefinition {
                    code: measure.code.clone(),
                    errors: vec![FieldError {
                        path: "code".into(),
                        message: "another measure has this code".into(),
                    }],
                });
            }
            let mut scales = HashMap::default();
            for (s, scale) in measure.scales.iter().enumerate() {
                scales.insert(scale.id.clone(), judged.len());
                judged.push(JudgedScale {
                    measure: m,
                    scale: s,
                    threshold: scale.reliable_change.as_ref().map(|r| r.threshold()),
                    direction: scale.direction,
                    range: measure.judged_range(scale),
                });
            }
            scales_by_measure.push(scales);
        }
        Ok(MeasureSet {
            measures,
            by_code,
            scales_by_measure,
            judged,
        })
    }

    /// The measures, in the order given.
    pub fn measures(&self) -> &[MeasureDefinition] {
        &self.measures
    }

    /// The measure with this code.
    pub fn get(&self, code: &str) -> Option<&MeasureDefinition> {
        self.by_code.get(code).map(|&m| &self.measures[m])
    }

    /// Index of a measure by code.
    pub fn measure_index(&self, code: &str) -> Option<usize> {
        self.by_code.get(code).copied()
    }

    /// Global id of a scale of the measure at `measure` (see [`MeasureSet::judged`]).
    pub fn scale_id(&self, measure: usize, scale: &str) -> Option<usize> {
        self.scales_by_measure.get(measure)?.get(scale).copied()
    }

    /// The judging rule for a global scale id.
    pub fn judged(&self, id: usize) -> &JudgedScale {
        &self.judged[id]
    }

    /// Number of (measure, scale) pairs.
    pub fn judged_len(&self) -> usize {
        self.judged.len()
    }

    /// Measure code and scale id of a global scale id.
    pub fn names(&self, id: usize) -> (&str, &str) {
        let j = &self.judged[id];
        let measure = &self.measures[j.measure];
        (&measure.code, &measure.scales[j.scale].id)
    }

    /// Whether `rater` may complete the measure at `measure`.
    pub fn rater_allowed(&self, measure: usize, rater: Rater) -> bool {
        self.measures[measure].completed_by.contains(&rater)
    }

    /// Judges the change of one scale; `None` when the measure or scale is unknown or the
    /// scale has no reliable-change threshold.
    pub fn judge(&self, measure: &str, scale: &str, first: f64, last: f64) -> Option<Change> {
        let id = self.scale_id(self.measure_index(measure)?, scale)?;
        let rule = &self.judged[id];
        Some(judge_change(first, last, rule.threshold?, rule.direction))
    }
}

impl MeasureSet {
    /// One scale of one referral, end to end as MHS112: each raw score becomes the score NHS
    /// England compares ([`crate::ScaleDefinition::mhs112_score`]: the T-score where the scale
    /// has a norm for `age` and `sex`), the first and last are paired from the dated
    /// assessments ([`pair_first_last`]) and their change is judged. `None` when the measure
    /// or scale is unknown, the scale has no threshold, or there is no pair.
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per fact MHS112 uses"
    )]
    pub fn judge_assessments<D: Ord + Copy>(
        &self,
        measure: &str,
        scale: &str,
        raw_scores: &[(D, f64)],
        first_contact: D,
        second_contact: Option<D>,
        age: Option<u8>,
        sex: Option<Sex>,
    ) -> Option<(PairedScores<D>, Change)> {
        let id = self.scale_id(self.measure_index(measure)?, scale)?;
        let rule = &self.judged[id];
        let threshold = rule.threshold?;
        let definition = &self.measures[rule.measure].scales[rule.scale];
        let scores: Vec<(D, f64)> = raw_scores
            .iter()
            .map(|&(date, raw)| (date, definition.mhs112_score(raw, age, sex)))
            .collect();
        let paired = pair_first_last(&scores, first_contact, second_contact)?;
        Some((
            paired,
            judge_change(paired.first, paired.last, threshold, rule.direction),
        ))
    }
}

/// The bundled definition files, in the order `bundled()` lists them.
pub const BUNDLED_FILES: [(&str, &str); 15] = [
    ("phq_9.toml", include_str!("../measures/phq_9.toml")),
    ("gad_7.toml", include_str!("../measures/gad_7.toml")),
    ("yp_core.toml", include_str!("../measures/yp_core.toml")),
    ("core_10.toml", include_str!("../measures/core_10.toml")),
    ("gbo.toml", include_str!("../measures/gbo.toml")),
    ("rcads.toml", include_str!("../measures/rcads.toml")),
    ("rcads_p.toml", include_str!("../measures/rcads_p.toml")),
    ("sdq_self.toml", include_str!("../measures/sdq_self.toml")),
    (
        "sdq_parent.toml",
        include_str!("../measures/sdq_parent.toml"),
    ),
    ("ors.toml", include_str!("../measures/ors.toml")),
    ("cors.toml", include_str!("../measures/cors.toml")),
    ("honosca.toml", include_str!("../measures/honosca.toml")),
    ("cgas.toml", include_str!("../measures/cgas.toml")),
    ("wemwbs.toml", include_str!("../measures/wemwbs.toml")),
    ("swemwbs.toml", include_str!("../measures/swemwbs.toml")),
];

/// Loads the bundled files, reporting the first that fails.
pub fn load_bundled() -> Result<MeasureSet, (String, LoadError)> {
    let mut measures = Vec::new();
    for (file, text) in BUNDLED_FILES {
        measures.push(MeasureDefinition::from_toml_str(text).map_err(|e| (file.to_string(), e))?);
    }
    MeasureSet::new(measures).map_err(|e| ("(set)".to_string(), LoadError::Invalid(e)))
}

/// The bundled measures (PHQ-9, GAD-7, YP-CORE, CORE-10, GBO, RCADS self and parent, SDQ
/// self and parent, ORS, CORS, HoNOSCA, CGAS, WEMWBS, SWEMWBS), parsed once.
#[expect(
    clippy::panic,
    reason = "the bundled files are compiled in; a test loads every one of them"
)]
pub fn bundled() -> &'static MeasureSet {
    static SET: OnceLock<MeasureSet> = OnceLock::new();
    SET.get_or_init(|| match load_bundled() {
        Ok(set) => set,
        Err((file, error)) => panic!("bundled measure {file} is invalid: {error}"),
    })
}
