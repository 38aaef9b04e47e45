//! [`Params`] checked and laid out for scoring ([`Model`]): m and u per comparison level, and
//! the weight of each level as log2(m/u).

use crate::comparison::{MAX_LEVELS, MODEL, N_COMPARISONS};

use super::{Params, ParamsError, TermFrequency, MODEL_VERSION};

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
