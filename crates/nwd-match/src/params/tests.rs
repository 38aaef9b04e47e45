//! Unit tests of the model's parameters: the defaults fit and round-trip through JSON, misshapen
//! parameters are refused, and probability and weight are inverse.

use super::*;

#[test]
fn defaults_fit_the_model_and_round_trip_through_json() {
    let params = Params::default();
    let json = params.to_json();
    assert!(json.is_ok());
    let back = Params::from_json(&json.unwrap_or_default());
    assert_eq!(back, Ok(params));
    for comparison in &Params::default().comparisons {
        let m: f64 = comparison.levels.iter().map(|l| l.m).sum();
        let u: f64 = comparison.levels.iter().map(|l| l.u).sum();
        assert!(
            (m - 1.0).abs() < 1e-9,
            "{} m sums to {m}",
            comparison.comparison
        );
        assert!(
            (u - 1.0).abs() < 1e-9,
            "{} u sums to {u}",
            comparison.comparison
        );
    }
}

#[test]
fn misshapen_parameters_are_refused() {
    let mut params = Params::default();
    params.comparisons[1].levels.pop();
    assert!(matches!(
        Model::new(&params),
        Err(ParamsError::Shape { index: 1, .. })
    ));
    let mut params = Params::default();
    params.comparisons[0].levels[0].u = 0.0;
    assert!(matches!(
        Model::new(&params),
        Err(ParamsError::OutOfRange { .. })
    ));
    let params = Params {
        model: "other".into(),
        ..Params::default()
    };
    assert!(matches!(
        Model::new(&params),
        Err(ParamsError::WrongModel { .. })
    ));
}

#[test]
fn probability_and_weight_are_inverse() {
    for p in [0.01, 0.2, 0.5, 0.99] {
        assert!((probability_of(weight_of(p)) - p).abs() < 1e-12);
    }
    assert_eq!(probability_of(5000.0), 1.0);
}

/// `twin_review`, the household safeguards' old name, still switches them (a deprecated alias);
/// a file naming both is refused rather than one silently winning.
#[test]
fn twin_review_is_read_as_household_safeguards() {
    let old: Result<Thresholds, _> = serde_json::from_str(r#"{"twin_review": false}"#);
    assert!(old.is_ok_and(|t| !t.household_safeguards));
    let new: Result<Thresholds, _> = serde_json::from_str(r#"{"household_safeguards": false}"#);
    assert!(new.is_ok_and(|t| !t.household_safeguards));
    let both: Result<Thresholds, _> =
        serde_json::from_str(r#"{"twin_review": true, "household_safeguards": false}"#);
    assert!(both.is_err());
    assert!(Thresholds::default().household_safeguards);
}
