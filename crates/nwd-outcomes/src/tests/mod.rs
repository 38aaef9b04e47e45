//! Unit tests, one module per concern: definitions and their validation, scoring of every
//! bundled measure, thresholds at their edges, pairing and classification, and the CSV door.

mod classify_csv;
mod definitions;
mod pairing;
mod properties;
mod scoring;
mod thresholds;

use std::collections::BTreeMap;

use crate::{bundled, MeasureDefinition, ScaleScore, ScoringError};

/// Scores `answers` (item id → value) with the bundled measure `code`.
pub(crate) fn score(code: &str, answers: &[(&str, f64)]) -> Vec<Result<ScaleScore, ScoringError>> {
    let measure = measure(code);
    let answers: BTreeMap<String, f64> = answers.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    measure.score(&answers).unwrap()
}

/// The bundled measure `code`.
pub(crate) fn measure(code: &str) -> &'static MeasureDefinition {
    bundled()
        .get(code)
        .unwrap_or_else(|| panic!("no bundled measure {code}"))
}

/// The raw score of `scale` in a scored response.
pub(crate) fn raw(scored: &[Result<ScaleScore, ScoringError>], code: &str, scale: &str) -> f64 {
    let index = measure(code)
        .scales
        .iter()
        .position(|s| s.id == scale)
        .unwrap();
    scored[index]
        .as_ref()
        .unwrap_or_else(|e| panic!("{scale} not scored: {e}"))
        .raw
}
