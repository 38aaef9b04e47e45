//! Every (measure, scale) against NHS England's table, and its change at, just above and just
//! below the threshold in both directions.

use crate::{bundled, judge_change, Change, Direction};

use Direction::{HigherIsBetter as Up, LowerIsBetter as Down};

/// NHS England's `cyp_reliable_change_thresholds` and `cyp_ass_type_scaling`, typed from
/// `menh_bbrb/schemas/05_create_cyp_outcomes_tables.py` (commit 7b4d742) lines 287–366 and
/// 385–437, independently of the TOML files.
fn nhs_england_table() -> Vec<(&'static str, &'static str, f64, Direction)> {
    let mut table = vec![
        ("phq_9", "total", 6.0, Down),
        ("gad_7", "total", 4.0, Down),
        ("yp_core", "total", 8.0, Down),
        ("core_10", "total", 5.0, Down),
        ("ors", "total", 6.6, Up),
        ("cors", "total", 10.0, Up),
        ("cgas", "total", 11.0, Up),
        ("wemwbs", "total", 9.0, Up),
        ("swemwbs", "total", 3.0, Up),
        ("gbo", "goal1", 3.0, Up),
        ("gbo", "goal2", 3.0, Up),
        ("gbo", "goal3", 3.0, Up),
        ("rcads", "depression", 17.73, Down),
        ("rcads", "gad", 14.91, Down),
        ("rcads", "ocd", 16.35, Down),
        ("rcads", "panic", 18.29, Down),
        ("rcads", "separation_anxiety", 22.95, Down),
        ("rcads", "social_phobia", 13.99, Down),
        ("rcads_p", "depression", 22.87, Down),
        ("rcads_p", "gad", 18.30, Down),
        ("rcads_p", "ocd", 24.06, Down),
        ("rcads_p", "panic", 40.93, Down),
        ("rcads_p", "separation_anxiety", 28.0, Down),
        ("rcads_p", "social_phobia", 16.63, Down),
        ("sdq_self", "conduct", 4.0, Down),
        ("sdq_self", "emotional", 4.0, Down),
        ("sdq_self", "hyperactivity", 4.0, Down),
        ("sdq_self", "impact", 3.0, Down),
        ("sdq_self", "peer", 5.0, Down),
        ("sdq_self", "prosocial", 4.0, Down),
        ("sdq_parent", "conduct", 4.0, Down),
        ("sdq_parent", "emotional", 4.0, Down),
        ("sdq_parent", "hyperactivity", 4.0, Down),
        ("sdq_parent", "impact", 3.0, Down),
        ("sdq_parent", "peer", 3.0, Down),
        ("sdq_parent", "prosocial", 3.0, Down),
    ];
    const HONOSCA: [&str; 13] = [
        "scale1", "scale2", "scale3", "scale4", "scale5", "scale6", "scale7", "scale8", "scale9",
        "scale10", "scale11", "scale12", "scale13",
    ];
    table.extend(HONOSCA.iter().map(|s| ("honosca", *s, 2.0, Down)));
    table
}

#[test]
fn bundled_thresholds_and_directions_equal_nhs_englands() {
    let set = bundled();
    let table = nhs_england_table();
    for &(code, scale, threshold, direction) in &table {
        let id = set
            .scale_id(set.measure_index(code).unwrap(), scale)
            .unwrap();
        let rule = set.judged(id);
        assert_eq!(rule.threshold, Some(threshold), "{code} {scale}");
        assert_eq!(rule.direction, direction, "{code} {scale}");
    }
    // Every judged scale of the bundle is in the table; only the HoNOSCA total has no threshold.
    let judged: Vec<(&str, &str)> = (0..set.judged_len())
        .filter(|&id| set.judged(id).threshold.is_some())
        .map(|id| set.names(id))
        .collect();
    assert_eq!(judged.len(), table.len());
    let unjudged: Vec<(&str, &str)> = (0..set.judged_len())
        .filter(|&id| set.judged(id).threshold.is_none())
        .map(|id| set.names(id))
        .collect();
    assert_eq!(unjudged, [("honosca", "total")]);
}

#[test]
fn change_at_above_and_below_every_threshold() {
    let set = bundled();
    for (code, scale, threshold, direction) in nhs_england_table() {
        let first = 50.0;
        let better = |delta: f64| match direction {
            Up => first + delta,
            Down => first - delta,
        };
        let worse = |delta: f64| match direction {
            Up => first - delta,
            Down => first + delta,
        };
        let judge = |last: f64| set.judge(code, scale, first, last).unwrap();
        let case = format!("{code} {scale} (threshold {threshold})");
        assert_eq!(
            judge(better(threshold)),
            Change::Improved,
            "at, better: {case}"
        );
        assert_eq!(
            judge(better(threshold + 0.01)),
            Change::Improved,
            "above, better: {case}"
        );
        assert_eq!(
            judge(better(threshold - 0.01)),
            Change::NoChange,
            "below, better: {case}"
        );
        assert_eq!(
            judge(worse(threshold)),
            Change::Deteriorated,
            "at, worse: {case}"
        );
        assert_eq!(
            judge(worse(threshold + 0.01)),
            Change::Deteriorated,
            "above, worse: {case}"
        );
        assert_eq!(
            judge(worse(threshold - 0.01)),
            Change::NoChange,
            "below, worse: {case}"
        );
        assert_eq!(judge(first), Change::NoChange, "none: {case}");
    }
}

#[test]
fn a_decimal_change_equal_to_the_threshold_reaches_it_whichever_way_it_rounds() {
    // In binary 72.13 − 58.14 is 13.989999999999995 and 16.4 − 9.8 is below 6.6: without the
    // tolerance these changes, equal to the threshold in decimal, would not count.
    assert!((std::hint::black_box(72.13_f64) - 58.14).abs() < 13.99);
    assert_eq!(judge_change(9.8, 16.4, 6.6, Up), Change::Improved);
    assert_eq!(judge_change(16.4, 9.8, 6.6, Up), Change::Deteriorated);
    assert_eq!(judge_change(10.0, 3.4, 6.6, Up), Change::Deteriorated);
    assert_eq!(judge_change(10.0, 16.6, 6.6, Up), Change::Improved);
    assert_eq!(judge_change(10.0, 3.41, 6.6, Up), Change::NoChange);
    // RCADS self social phobia, 13.99 on T-scores.
    assert_eq!(judge_change(72.13, 58.14, 13.99, Down), Change::Improved);
    assert_eq!(judge_change(72.13, 58.15, 13.99, Down), Change::NoChange);
}

#[test]
fn sdq_prosocial_follows_nhs_england_not_the_questionnaire() {
    // NHS England scales every SDQ score "Negative": a rise of 4 in prosocial behaviour is a
    // reliable deterioration in MHS112. Kept on purpose; see the measure file.
    assert_eq!(
        bundled().judge("sdq_self", "prosocial", 4.0, 8.0),
        Some(Change::Deteriorated)
    );
}
