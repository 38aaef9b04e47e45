use std::collections::BTreeMap;

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

/// NHS England's own SNOMED CT codes for the bundled scales: `nhsd_snomed.csv` holds the rows
/// of MHSDS's `mh_ass` reference table (NHSDigital/mental-health-monthly-statistics,
/// `menh_bbrb/notebooks/01_Generic_Prepare/04_mhsds_ref_tables.py`, v2 codes, commit
/// 7b4d7421838b4bcb85729fbc1b53843c35a36e29, MIT) for each bundled measure, scale and rater.
const NHSD_SNOMED: &str = include_str!("nhsd_snomed.csv");

#[test]
fn every_bundled_scale_carries_the_snomed_code_nhs_england_maps_for_each_rater() {
    let mut expected = 0;
    for line in NHSD_SNOMED.lines().skip(1) {
        let fields: Vec<&str> = line.splitn(5, ',').collect();
        let (code, scale, rater, snomed) = (fields[0], fields[1], fields[2], fields[3]);
        let measure = bundled().get(code).unwrap();
        let rater = crate::Rater::parse(rater).unwrap();
        assert_eq!(
            measure
                .scale(scale)
                .unwrap()
                .snomed
                .get(&rater)
                .map(String::as_str),
            Some(snomed),
            "{code} {scale} {rater:?}"
        );
        expected += 1;
    }
    let carried: usize = bundled()
        .measures()
        .iter()
        .flat_map(|m| &m.scales)
        .map(|s| s.snomed.len())
        .sum();
    assert_eq!(
        carried, expected,
        "a bundled code not in NHS England's table"
    );
    assert_eq!(expected, 75);
    assert_eq!(
        bundled()
            .get("phq_9")
            .unwrap()
            .scale("total")
            .unwrap()
            .snomed[&crate::Rater::YoungPerson],
        "720433000"
    );
}

#[test]
fn a_mistyped_snomed_code_or_one_for_a_rater_who_does_not_complete_the_measure_is_refused() {
    // 720433000 is PHQ-9's total; one digit changed (720433001) and two adjacent digits
    // swapped (724033000) both fail the Verhoeff check digit.
    for bad in ["720433001", "724033000", "72043", "0720433000", "72043300x"] {
        let text = MINIMAL.replacen(
            "max_missing = 0",
            &format!("max_missing = 0\nsnomed = {{ self = \"{bad}\" }}"),
            1,
        );
        let errors = errors_of(&text);
        assert_eq!(errors.len(), 1, "{bad}: {errors:?}");
        assert_eq!(errors[0].path, "scales[0].snomed.self");
        assert!(
            errors[0].message.contains("Verhoeff"),
            "{}",
            errors[0].message
        );
    }
    let text = MINIMAL.replacen(
        "max_missing = 0",
        "max_missing = 0\nsnomed = { parent = \"720433000\" }",
        1,
    );
    let errors = errors_of(&text);
    assert_eq!(errors[0].path, "scales[0].snomed.parent");
    assert!(errors[0].message.contains("does not complete"));
    let good = MINIMAL.replacen(
        "max_missing = 0",
        "max_missing = 0\nsnomed = { self = \"720433000\" }",
        1,
    );
    assert!(MeasureDefinition::from_toml_str(&good).is_ok());
}

/// Synthetic wording for `code`: "Question q1" … and "Answer 0" … — never the licensed text.
pub(crate) fn synthetic_text(code: &str) -> crate::ItemText {
    let measure = bundled().get(code).unwrap();
    crate::ItemText {
        measure: code.to_owned(),
        licence: "Synthetic wording for tests".into(),
        preamble: Some("How has it been over the last two weeks?".into()),
        items: measure
            .items
            .iter()
            .map(|i| (i.id.clone(), format!("Question {}", i.id)))
            .collect(),
        labels: measure
            .response_sets
            .iter()
            .filter(|(_, set)| set.range.is_none())
            .map(|(name, set)| {
                let labels = set
                    .options
                    .iter()
                    .map(|o| format!("Answer {}", o.value))
                    .collect();
                (name.clone(), labels)
            })
            .collect(),
    }
}

#[test]
fn an_organisations_licensed_wording_makes_a_licensed_measure_showable_and_scores_the_same() {
    let rcads = bundled().get("rcads").unwrap();
    assert!(!rcads.has_item_text(), "shipped without its wording");
    let worded = synthetic_text("rcads").apply(rcads).unwrap();
    assert!(worded.has_item_text());
    assert_eq!(worded.items[0].text.as_deref(), Some("Question q1"));
    assert!(worded
        .licence
        .ends_with("Item text: Synthetic wording for tests"));
    assert!(worded.licence.starts_with(&rcads.licence));
    // The same scoring: every field but the wording is the bundled one.
    let answers: BTreeMap<String, f64> = rcads.items.iter().map(|i| (i.id.clone(), 2.0)).collect();
    let a = rcads.score(&answers).unwrap();
    let b = worded.score(&answers).unwrap();
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    assert_eq!(worded.scales, rcads.scales);
    // TOML and JSON read the same.
    let text = synthetic_text("gad_7");
    let toml_text = toml::to_string(&text).unwrap();
    let json_text = serde_json::to_string(&text).unwrap();
    assert_eq!(crate::ItemText::parse(&toml_text).unwrap(), text);
    assert_eq!(crate::ItemText::parse(&json_text).unwrap(), text);
    // A FHIR Questionnaire carries the same wording back in.
    let q = crate::fhir::questionnaire(&worded);
    let back = crate::ItemText::from_questionnaire(rcads, &q).unwrap();
    assert_eq!(back.apply(rcads).unwrap(), worded);
}

#[test]
fn wording_that_does_not_fit_the_measure_is_refused_naming_each_field() {
    let rcads = bundled().get("rcads").unwrap();
    let mut text = synthetic_text("rcads");
    text.items.remove("q14");
    text.items.insert("q99".into(), "Extra".into());
    text.items.insert("q2".into(), "   ".into());
    let set = text.labels.keys().next().unwrap().clone();
    text.labels.get_mut(&set).unwrap().pop();
    text.labels.insert("nonsense".into(), vec!["A".into()]);
    text.licence = String::new();
    let errors = text.apply(rcads).unwrap_err().errors;
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    for expected in [
        "licence",
        "items.q99",
        "items.q14",
        "items.q2",
        "labels.nonsense",
    ] {
        assert!(paths.contains(&expected), "{expected} not in {paths:?}");
    }
    assert!(
        paths.contains(&format!("labels.{set}").as_str()),
        "{paths:?}"
    );
    let mut other = synthetic_text("rcads");
    other.measure = "gad_7".into();
    assert_eq!(other.apply(rcads).unwrap_err().errors[0].path, "measure");
    let mut long = synthetic_text("gad_7");
    long.items
        .insert("q1".into(), "x".repeat(crate::MAX_TEXT_CHARS + 1));
    assert_eq!(
        long.apply(bundled().get("gad_7").unwrap())
            .unwrap_err()
            .errors[0]
            .path,
        "items.q1"
    );
    let mut unlabelled = synthetic_text("rcads");
    unlabelled.labels.clear();
    let errors = unlabelled.apply(rcads).unwrap_err().errors;
    assert!(errors[0].path.starts_with("labels."), "{errors:?}");
    assert!(errors[0].message.contains("missing"));
}
