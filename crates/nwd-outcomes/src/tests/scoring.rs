use super::{measure, raw, score};
use crate::{ScoringError, Sex};

fn items(prefix: &str, range: std::ops::RangeInclusive<u32>, value: f64) -> Vec<(String, f64)> {
    range.map(|i| (format!("{prefix}{i}"), value)).collect()
}

fn score_owned(
    code: &str,
    answers: &[(String, f64)],
) -> Vec<Result<crate::ScaleScore, ScoringError>> {
    let borrowed: Vec<(&str, f64)> = answers.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    score(code, &borrowed)
}

fn without(mut answers: Vec<(String, f64)>, ids: &[&str]) -> Vec<(String, f64)> {
    answers.retain(|(k, _)| !ids.contains(&k.as_str()));
    answers
}

fn with(mut answers: Vec<(String, f64)>, id: &str, value: f64) -> Vec<(String, f64)> {
    for (k, v) in &mut answers {
        if k == id {
            *v = value;
        }
    }
    answers
}

#[test]
fn phq_9_sums_and_refuses_any_missing_item() {
    let answers = [
        ("q1", 3.0),
        ("q2", 2.0),
        ("q3", 1.0),
        ("q4", 0.0),
        ("q5", 3.0),
        ("q6", 2.0),
        ("q7", 1.0),
        ("q8", 0.0),
        ("q9", 3.0),
    ];
    assert_eq!(raw(&score("phq_9", &answers), "phq_9", "total"), 15.0);
    let scored = score("phq_9", &answers[..8]);
    assert!(
        matches!(
            &scored[0],
            Err(ScoringError::TooManyMissing {
                missing: 1,
                allowed: 0,
                ..
            })
        ),
        "{scored:?}"
    );
}

#[test]
fn gad_7_refuses_an_answer_outside_its_options() {
    assert_eq!(
        raw(
            &score_owned("gad_7", &items("q", 1..=7, 2.0)),
            "gad_7",
            "total"
        ),
        14.0
    );
    let measure = measure("gad_7");
    let mut answers = vec![Some(1.0); 7];
    answers[3] = Some(4.0);
    let error = measure.scorer().score_items(&answers).unwrap_err();
    assert_eq!(
        error.to_string(),
        "gad_7: item \"q4\" answered 4, allowed 0, 1, 2, 3"
    );
    let error = measure.scorer().score_items(&[Some(1.0); 6]).unwrap_err();
    assert!(matches!(
        error,
        ScoringError::WrongAnswerCount {
            expected: 7,
            got: 6,
            ..
        }
    ));
}

#[test]
fn an_unknown_item_id_is_refused() {
    let answers: std::collections::BTreeMap<String, f64> = [("q10".to_string(), 1.0)].into();
    let error = measure("gad_7").score(&answers).unwrap_err();
    assert_eq!(
        error,
        ScoringError::UnknownItem {
            measure: "gad_7".into(),
            item: "q10".into()
        }
    );
}

#[test]
fn yp_core_reverses_its_positive_items_and_prorates_one_missing() {
    // All 4: the reversed items 3, 5, 10 score 0, the other seven 4 → 28.
    let all_four = items("q", 1..=10, 4.0);
    assert_eq!(
        raw(&score_owned("yp_core", &all_four), "yp_core", "total"),
        28.0
    );
    // q1 missing: nine answered sum to 24 → 24 × 10 / 9.
    let scored = score_owned("yp_core", &without(all_four.clone(), &["q1"]));
    let total = scored[0].as_ref().unwrap();
    assert!(total.prorated && total.answered == 9);
    assert!((total.raw - 240.0 / 9.0).abs() < 1e-12, "{}", total.raw);
    let scored = score_owned("yp_core", &without(all_four, &["q1", "q2"]));
    assert!(matches!(
        &scored[0],
        Err(ScoringError::TooManyMissing {
            missing: 2,
            allowed: 1,
            ..
        })
    ));
}

#[test]
fn core_10_reverses_items_2_and_3() {
    // All 0: items 2 and 3 reverse to 4 each → 8.
    assert_eq!(
        raw(
            &score_owned("core_10", &items("q", 1..=10, 0.0)),
            "core_10",
            "total"
        ),
        8.0
    );
    let scored = score_owned("core_10", &with(items("q", 1..=10, 0.0), "q2", 4.0));
    assert_eq!(raw(&scored, "core_10", "total"), 4.0);
}

#[test]
fn gbo_scores_each_goal_on_its_own() {
    let scored = score("gbo", &[("goal1", 3.0), ("goal2", 7.0)]);
    assert_eq!(raw(&scored, "gbo", "goal1"), 3.0);
    assert_eq!(raw(&scored, "gbo", "goal2"), 7.0);
    assert!(
        matches!(&scored[2], Err(ScoringError::TooManyMissing { .. })),
        "an unset goal is not scored"
    );
    let error = measure("gbo")
        .scorer()
        .score_items(&[Some(11.0), None, None])
        .unwrap_err();
    assert!(matches!(error, ScoringError::InvalidAnswer { .. }));
}

#[test]
fn rcads_subscales_follow_the_47_item_key() {
    for code in ["rcads", "rcads_p"] {
        let scored = score_owned(code, &items("q", 1..=47, 1.0));
        for (scale, items) in [
            ("depression", 10.0),
            ("gad", 6.0),
            ("ocd", 6.0),
            ("panic", 9.0),
            ("separation_anxiety", 7.0),
            ("social_phobia", 9.0),
        ] {
            assert_eq!(raw(&scored, code, scale), items, "{code} {scale}");
        }
        // Item 2 is a depression item, item 1 a generalised anxiety item.
        let scored = score_owned(code, &with(items("q", 1..=47, 0.0), "q2", 3.0));
        assert_eq!(raw(&scored, code, "depression"), 3.0);
        assert_eq!(raw(&scored, code, "gad"), 0.0);
        let scored = score_owned(code, &without(items("q", 1..=47, 0.0), &["q2"]));
        let depression = measure(code)
            .scales
            .iter()
            .position(|s| s.id == "depression")
            .unwrap();
        assert!(matches!(
            &scored[depression],
            Err(ScoringError::TooManyMissing { .. })
        ));
    }
}

#[test]
fn rcads_t_scores_use_nhs_englands_norms_by_age_and_sex() {
    let depression = measure("rcads").scale("depression").unwrap();
    // rcads_transform_score line 31: M, 8, depression, mean 8.25, SD 4.09.
    let t = depression.t_score(10.0, 8, Sex::Male).unwrap();
    assert!((t - ((10.0 - 8.25) / 4.09 * 10.0 + 50.0)).abs() < 1e-12);
    // Line 140: F, 17, depression, mean 9.36, SD 4.45.
    let t = depression.t_score(20.0, 17, Sex::Female).unwrap();
    assert!((t - ((20.0 - 9.36) / 4.45 * 10.0 + 50.0)).abs() < 1e-12);
    assert_eq!(depression.t_score(20.0, 18, Sex::Female), None);
    assert_eq!(depression.t_score(20.0, 7, Sex::Male), None);
    // NHS England falls back to the raw score when no norm applies.
    assert_eq!(
        depression.mhs112_score(20.0, Some(18), Some(Sex::Female)),
        20.0
    );
    assert_eq!(depression.mhs112_score(20.0, Some(12), None), 20.0);
    assert!(
        (depression.mhs112_score(20.0, Some(12), Some(Sex::Male))
            - ((20.0 - 6.71) / 3.64 * 10.0 + 50.0))
            .abs()
            < 1e-12
    );
    // Parent version, line 253: M, 16, panic, mean 1.5, SD 1.69.
    let panic = measure("rcads_p").scale("panic").unwrap();
    let t = panic.t_score(5.0, 16, Sex::Male).unwrap();
    assert!((t - ((5.0 - 1.5) / 1.69 * 10.0 + 50.0)).abs() < 1e-12);
    // Every RCADS subscale has a norm for each sex at every age 8–17, and none outside.
    for code in ["rcads", "rcads_p"] {
        for scale in &measure(code).scales {
            assert_eq!(scale.t_score_norms.len(), 10, "{code} {}", scale.id);
            for age in 8..=17 {
                for sex in [Sex::Male, Sex::Female] {
                    assert!(
                        scale.t_score(0.0, age, sex).is_some(),
                        "{code} {} {age} {sex:?}",
                        scale.id
                    );
                }
            }
        }
    }
}

#[test]
fn sdq_reverses_its_strength_items_and_prorates_three_of_five() {
    for code in ["sdq_self", "sdq_parent"] {
        let mut answers = items("q", 1..=25, 0.0);
        for id in [
            "impact_distress",
            "impact_home",
            "impact_friends",
            "impact_classroom",
            "impact_leisure",
        ] {
            answers.push((id.to_string(), 0.0));
        }
        let scored = score_owned(code, &answers);
        // Reversed items 7 (conduct), 21 and 25 (hyperactivity), 11 and 14 (peer) score 2 at "not true".
        assert_eq!(raw(&scored, code, "conduct"), 2.0);
        assert_eq!(raw(&scored, code, "hyperactivity"), 4.0);
        assert_eq!(raw(&scored, code, "peer"), 4.0);
        assert_eq!(raw(&scored, code, "emotional"), 0.0);
        assert_eq!(raw(&scored, code, "prosocial"), 0.0);
        assert_eq!(raw(&scored, code, "impact"), 0.0);
        let emotional_high = ["q3", "q8", "q13"]
            .iter()
            .fold(answers.clone(), |a, id| with(a, id, 2.0));
        // Items 16 and 24 missing: 3 answered sum to 6 → 6 × 5 / 3 = 10.
        let scored = score_owned(code, &without(emotional_high.clone(), &["q16", "q24"]));
        assert_eq!(raw(&scored, code, "emotional"), 10.0);
        let scored = score_owned(code, &without(emotional_high, &["q13", "q16", "q24"]));
        let emotional = measure(code)
            .scales
            .iter()
            .position(|s| s.id == "emotional")
            .unwrap();
        assert!(matches!(
            &scored[emotional],
            Err(ScoringError::TooManyMissing {
                missing: 3,
                allowed: 2,
                ..
            })
        ));
        // Impact: "quite a lot" 1, "a great deal" 2; 0.5 is not an answer.
        let scored = score_owned(
            code,
            &with(
                with(answers.clone(), "impact_home", 2.0),
                "impact_leisure",
                1.0,
            ),
        );
        assert_eq!(raw(&scored, code, "impact"), 3.0);
        let error = measure(code)
            .score(&with(answers, "impact_home", 0.5).into_iter().collect())
            .unwrap_err();
        assert!(matches!(error, ScoringError::InvalidAnswer { .. }));
    }
}

#[test]
fn ors_and_cors_sum_four_lines_marked_to_a_tenth() {
    for code in ["ors", "cors"] {
        let answers = [
            ("line1", 7.5),
            ("line2", 6.2),
            ("line3", 8.0),
            ("line4", 5.3),
        ];
        assert!((raw(&score(code, &answers), code, "total") - 27.0).abs() < 1e-9);
        let error = measure(code)
            .scorer()
            .score_items(&[Some(10.5), Some(1.0), Some(1.0), Some(1.0)])
            .unwrap_err();
        assert!(
            matches!(error, ScoringError::InvalidAnswer { .. }),
            "{code}"
        );
        let scored = score(code, &answers[..3]);
        assert!(
            matches!(&scored[0], Err(ScoringError::TooManyMissing { .. })),
            "{code}"
        );
    }
}

#[test]
fn honosca_scores_each_scale_and_a_total_of_all_thirteen() {
    let answers: Vec<(String, f64)> = (1..=13)
        .map(|i| (format!("scale{i}"), f64::from(i % 5)))
        .collect();
    let scored = score_owned("honosca", &answers);
    assert_eq!(raw(&scored, "honosca", "scale3"), 3.0);
    assert_eq!(raw(&scored, "honosca", "scale5"), 0.0);
    let expected: f64 = (1..=13).map(|i| f64::from(i % 5)).sum();
    assert_eq!(raw(&scored, "honosca", "total"), expected);
    // A scale rated 9 (not known) is left missing: that scale and the total are not scored.
    let scored = score_owned("honosca", &without(answers, &["scale7"]));
    assert_eq!(raw(&scored, "honosca", "scale6"), 1.0);
    assert!(scored[6].is_err() && scored[13].is_err());
}

#[test]
fn cgas_is_a_single_rating_from_1_to_100() {
    assert_eq!(
        raw(&score("cgas", &[("rating", 55.0)]), "cgas", "total"),
        55.0
    );
    assert!(measure("cgas").scorer().score_items(&[Some(0.0)]).is_err());
    assert!(measure("cgas").scorer().score_items(&[Some(55.5)]).is_err());
}

#[test]
fn wemwbs_and_swemwbs_sum_items_scored_1_to_5() {
    assert_eq!(
        raw(
            &score_owned("wemwbs", &items("q", 1..=14, 3.0)),
            "wemwbs",
            "total"
        ),
        42.0
    );
    assert_eq!(
        raw(
            &score_owned("swemwbs", &items("q", 1..=7, 5.0)),
            "swemwbs",
            "total"
        ),
        35.0
    );
    assert!(measure("swemwbs")
        .scorer()
        .score_items(&[Some(0.0); 7])
        .is_err());
    let scored = score_owned("wemwbs", &items("q", 1..=13, 3.0));
    assert!(matches!(
        &scored[0],
        Err(ScoringError::TooManyMissing { .. })
    ));
}

#[test]
fn raw_and_judged_ranges_follow_the_items_and_norms() {
    let phq = measure("phq_9");
    assert_eq!(phq.raw_range(phq.scale("total").unwrap()), (0.0, 27.0));
    let wemwbs = measure("wemwbs");
    assert_eq!(
        wemwbs.judged_range(wemwbs.scale("total").unwrap()),
        (14.0, 70.0)
    );
    let rcads = measure("rcads");
    let depression = rcads.scale("depression").unwrap();
    assert_eq!(rcads.raw_range(depression), (0.0, 30.0));
    let (lo, hi) = rcads.judged_range(depression);
    // The lowest T is raw 0 under the norm with the largest mean/SD; check against all norms.
    let expected_lo = depression
        .t_score_norms
        .iter()
        .map(|n| (0.0 - n.mean) / n.sd * 10.0 + 50.0)
        .fold(f64::INFINITY, f64::min);
    let expected_hi = depression
        .t_score_norms
        .iter()
        .map(|n| (30.0 - n.mean) / n.sd * 10.0 + 50.0)
        .fold(f64::NEG_INFINITY, f64::max);
    assert_eq!((lo, hi), (expected_lo, expected_hi));
    assert!(lo < 40.0 && hi > 100.0);
}
