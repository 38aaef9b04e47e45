use crate::{
    bundled, load_bundled, FieldError, LoadError, MeasureDefinition, ReliableChange, BUNDLED_FILES,
};

const MINIMAL: &str = r#"
code = "demo"
name = "Demo"
licence = "test only"
completed_by = ["self"]
age_range = { min = 8, max = 18 }
items = [
  { id = "q1", responses = "yes_no" },
  { id = "q2", responses = "yes_no" },
  { id = "q3", responses = "yes_no" },
  { id = "q4", responses = "yes_no" },
]
[response_sets.yes_no]
options = [{ value = 0.0, label = "No" }, { value = 1.0, label = "Yes" }]
[[scales]]
id = "a"
name = "A"
items = ["q1", "q2"]
max_missing = 0
direction = "lower_is_better"
reliable_change = { method = "fixed", threshold = 1.0 }
[[scales]]
id = "b"
name = "B"
items = ["q1", "q2", "q3", "q4"]
max_missing = 1
direction = "higher_is_better"
reliable_change = { method = "jacobson_truax", sd = 10.0, reliability = 0.5 }
"#;

fn errors_of(toml_text: &str) -> Vec<FieldError> {
    match MeasureDefinition::from_toml_str(toml_text) {
        Err(LoadError::Invalid(invalid)) => invalid.errors,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

#[test]
fn every_bundled_file_loads_and_validates() {
    let set = load_bundled().unwrap_or_else(|(file, e)| panic!("{file}: {e}"));
    let codes: Vec<&str> = set.measures().iter().map(|m| m.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "phq_9",
            "gad_7",
            "yp_core",
            "core_10",
            "gbo",
            "rcads",
            "rcads_p",
            "sdq_self",
            "sdq_parent",
            "ors",
            "cors",
            "honosca",
            "cgas",
            "wemwbs",
            "swemwbs"
        ]
    );
    assert_eq!(BUNDLED_FILES.len(), codes.len());
}

#[test]
fn only_public_domain_measures_ship_item_text() {
    for measure in bundled().measures() {
        let with_text = measure.items.iter().filter(|i| i.text.is_some()).count();
        match measure.code.as_str() {
            "phq_9" | "gad_7" => assert_eq!(with_text, measure.items.len(), "{}", measure.code),
            _ => assert_eq!(with_text, 0, "{} must not ship item text", measure.code),
        }
    }
    assert!(crate::tests::measure("phq_9")
        .licence
        .contains("No permission required"));
    assert!(crate::tests::measure("gbo").licence.contains("CC BY-NC-SA"));
}

#[test]
fn a_valid_definition_loads_from_toml_and_json_alike() {
    let from_toml = MeasureDefinition::from_toml_str(MINIMAL).unwrap();
    let json = serde_json::to_string(&from_toml).unwrap();
    assert_eq!(MeasureDefinition::from_json_str(&json).unwrap(), from_toml);
}

#[test]
fn an_unknown_item_in_a_scale_is_named_by_its_path() {
    let text = MINIMAL.replace(
        r#"items = ["q1", "q2", "q3", "q4"]"#,
        r#"items = ["q1", "q2", "q3", "q14"]"#,
    );
    let errors = errors_of(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].to_string(),
        r#"scales[1].items[3]: unknown item "q14""#
    );
}

#[test]
fn every_broken_rule_is_reported_with_its_path() {
    let text = MINIMAL
        .replace(
            r#"{ id = "q2", responses = "yes_no" }"#,
            r#"{ id = "q1", responses = "maybe" }"#,
        )
        .replace("max_missing = 1", "max_missing = 4")
        .replace("reliability = 0.5", "reliability = 1.5")
        .replace(
            r#"items = ["q1", "q2"]"#,
            "items = [\"q1\", \"q2\"]\nreverse_items = [\"q3\"]",
        )
        .replace("threshold = 1.0", "threshold = -1.0");
    let paths: Vec<String> = errors_of(&text).into_iter().map(|e| e.path).collect();
    for expected in [
        "items[1].id",
        "items[1].responses",
        "scales[0].reverse_items[0]",
        "scales[0].reliable_change.threshold",
        "scales[1].max_missing",
        "scales[1].reliable_change.reliability",
    ] {
        assert!(
            paths.iter().any(|p| p == expected),
            "{expected} not in {paths:?}"
        );
    }
}

#[test]
fn overlapping_norms_and_a_bad_sd_are_refused() {
    let text = MINIMAL.replace(
        "reliable_change = { method = \"fixed\", threshold = 1.0 }",
        "reliable_change = { method = \"fixed\", threshold = 1.0 }\nt_score_norms = [\n  { sex = \"male\", ages = { min = 8, max = 10 }, mean = 1.0, sd = 1.0 },\n  { sex = \"male\", ages = { min = 10, max = 12 }, mean = 1.0, sd = 0.0 },\n  { sex = \"female\", ages = { min = 10, max = 12 }, mean = 1.0, sd = 1.0 },\n]",
    );
    let messages: Vec<String> = errors_of(&text).iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "scales[0].t_score_norms[1].sd: 0 must be a positive number",
            "scales[0].t_score_norms[1]: overlaps t_score_norms[0] for the same sex",
        ]
    );
}

#[test]
fn unknown_fields_are_refused_at_parse_time() {
    let text = MINIMAL.replace("max_missing = 0", "max_missing = 0\nmax_mising = 1");
    assert!(matches!(
        MeasureDefinition::from_toml_str(&text),
        Err(LoadError::Toml(_))
    ));
}

#[test]
fn jacobson_truax_threshold_is_1_96_sd_root2_root_one_minus_r() {
    // 1.96 × 10 × √2 × √(1 − 0.5) = 1.96 × 10 × 1 = 19.6
    let definition = MeasureDefinition::from_toml_str(MINIMAL).unwrap();
    let threshold = definition
        .scale("b")
        .unwrap()
        .reliable_change
        .as_ref()
        .unwrap()
        .threshold();
    assert!((threshold - 19.6).abs() < 1e-12, "{threshold}");
    // 1.96 × 5 × √2 × √0.16 = 1.96 × 5 × 0.4 × 1.41421356 = 5.54371716
    let other = ReliableChange::JacobsonTruax {
        sd: 5.0,
        reliability: 0.84,
    }
    .threshold();
    assert!((other - 5.543_717_16).abs() < 1e-6, "{other}");
    assert_eq!(ReliableChange::Fixed { threshold: 6.6 }.threshold(), 6.6);
}

#[test]
fn a_second_measure_with_the_same_code_is_refused() {
    let one = MeasureDefinition::from_toml_str(MINIMAL).unwrap();
    let error = crate::MeasureSet::new(vec![one.clone(), one]).unwrap_err();
    assert_eq!(
        error.errors[0].to_string(),
        "code: another measure has this code"
    );
}
