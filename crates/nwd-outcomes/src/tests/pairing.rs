use crate::{
    classify, pair_first_last, recovery, Change, ClinicalCutoff, ClinicalWhen, OutcomeTally,
    Overall, PairedScores, Recovery,
};

/// Dates as (year, month, day): any `Ord` type works.
type Day = (u16, u8, u8);

fn pair(scores: &[(Day, f64)], first: Day, second: Option<Day>) -> Option<(f64, f64)> {
    pair_first_last(scores, first, second).map(|p| (p.first, p.last))
}

#[test]
fn first_is_the_earliest_on_or_after_the_first_contact_last_the_latest_on_or_after_the_second() {
    let scores = [
        ((2025, 1, 5), 30.0),
        ((2025, 1, 10), 25.0),
        ((2025, 2, 1), 20.0),
        ((2025, 3, 1), 12.0),
    ];
    // The assessment before the first contact does not count.
    assert_eq!(
        pair(&scores, (2025, 1, 6), Some((2025, 2, 1))),
        Some((25.0, 12.0))
    );
    // On the first contact's day counts.
    assert_eq!(
        pair(&scores, (2025, 1, 5), Some((2025, 2, 1))),
        Some((30.0, 12.0))
    );
    let paired = pair_first_last(&scores, (2025, 1, 6), Some((2025, 3, 1))).unwrap();
    assert_eq!(
        paired,
        PairedScores {
            first_date: (2025, 1, 10),
            first: 25.0,
            last_date: (2025, 3, 1),
            last: 12.0
        }
    );
    // Last assessment before the second contact: no pair.
    assert_eq!(pair(&scores, (2025, 1, 6), Some((2025, 3, 2))), None);
}

#[test]
fn input_order_does_not_matter_but_ties_keep_it() {
    let scores = [
        ((2025, 3, 1), 12.0),
        ((2025, 1, 10), 25.0),
        ((2025, 2, 1), 20.0),
    ];
    assert_eq!(
        pair(&scores, (2025, 1, 1), Some((2025, 2, 1))),
        Some((25.0, 12.0))
    );
    let same_day = [((2025, 1, 10), 25.0), ((2025, 1, 10), 21.0)];
    assert_eq!(
        pair(&same_day, (2025, 1, 1), Some((2025, 1, 10))),
        Some((25.0, 21.0))
    );
}

#[test]
fn no_pair_without_a_second_contact_or_a_second_assessment() {
    let scores = [((2025, 1, 10), 25.0), ((2025, 3, 1), 12.0)];
    assert_eq!(pair(&scores, (2025, 1, 1), None), None);
    assert_eq!(pair(&scores[..1], (2025, 1, 1), Some((2025, 1, 2))), None);
    // A single assessment after the second contact is first, not last.
    assert_eq!(pair(&scores[1..], (2025, 1, 1), Some((2025, 2, 1))), None);
    assert_eq!(pair(&[], (2025, 1, 1), Some((2025, 2, 1))), None);
}

#[test]
fn both_assessments_after_the_second_contact_pair() {
    let scores = [((2025, 4, 1), 25.0), ((2025, 5, 1), 12.0)];
    assert_eq!(
        pair(&scores, (2025, 1, 1), Some((2025, 2, 1))),
        Some((25.0, 12.0))
    );
}

#[test]
fn an_exact_duplicate_counts_once() {
    let scores = [((2025, 2, 1), 20.0), ((2025, 2, 1), 20.0)];
    assert_eq!(pair(&scores, (2025, 1, 1), Some((2025, 1, 15))), None);
}

#[test]
fn referral_and_rater_outcome_as_mhs112() {
    use Change::*;
    assert_eq!(
        classify([Improved, NoChange]),
        Some(Overall::MeaningfulImprovement)
    );
    assert_eq!(
        classify([Improved, Deteriorated]),
        Some(Overall::Deterioration)
    );
    assert_eq!(
        classify([NoChange, Deteriorated, NoChange]),
        Some(Overall::Deterioration)
    );
    assert_eq!(classify([NoChange, NoChange]), Some(Overall::NoChange));
    assert_eq!(classify([Improved]), Some(Overall::MeaningfulImprovement));
    assert_eq!(classify([]), None);
    let mut tally = OutcomeTally::default();
    assert_eq!(tally.overall(), None);
    tally.add(Improved);
    tally.add(Improved);
    assert_eq!(tally.overall(), Some(Overall::MeaningfulImprovement));
    tally.add(Deteriorated);
    assert_eq!(tally.overall(), Some(Overall::Deterioration));
    assert_eq!(
        Overall::MeaningfulImprovement.code(),
        "meaningful_improvement"
    );
}

#[test]
fn recovery_crosses_the_cut_off_the_right_way() {
    let phq = ClinicalCutoff {
        value: 10.0,
        clinical_when: ClinicalWhen::AtOrAbove,
    };
    assert_eq!(recovery(15.0, 9.0, &phq), Recovery::Recovered);
    assert_eq!(recovery(15.0, 10.0, &phq), Recovery::NotRecovered);
    assert_eq!(recovery(9.0, 3.0, &phq), Recovery::NotApplicable);
    let ors = ClinicalCutoff {
        value: 28.0,
        clinical_when: ClinicalWhen::Below,
    };
    assert_eq!(recovery(20.0, 28.0, &ors), Recovery::Recovered);
    assert_eq!(recovery(20.0, 27.9, &ors), Recovery::NotRecovered);
    let cgas = ClinicalCutoff {
        value: 70.0,
        clinical_when: ClinicalWhen::AtOrBelow,
    };
    assert_eq!(recovery(70.0, 71.0, &cgas), Recovery::Recovered);
    let strict = ClinicalCutoff {
        value: 70.0,
        clinical_when: ClinicalWhen::Above,
    };
    assert_eq!(recovery(70.0, 60.0, &strict), Recovery::NotApplicable);
    // The bundled PHQ-9 cut-off is 10 and above.
    let bundled_phq = crate::tests::measure("phq_9")
        .scale("total")
        .unwrap()
        .clinical_cutoff
        .clone()
        .unwrap();
    assert_eq!(recovery(10.0, 9.0, &bundled_phq), Recovery::Recovered);
}

#[test]
fn a_referral_scale_end_to_end_converts_pairs_and_judges() {
    let set = crate::bundled();
    // RCADS self depression, boy aged 12 (norm: mean 6.71, SD 3.64, line 79): raw 20 → T 86.5,
    // raw 13 → T 67.3; a drop of 19.2 T points ≥ 17.73 is a reliable improvement. The
    // assessment before the first contact (raw 30) does not count.
    let raw = [
        ((2025, 1, 1), 30.0),
        ((2025, 1, 10), 20.0),
        ((2025, 4, 1), 13.0),
    ];
    let (paired, change) = set
        .judge_assessments(
            "rcads",
            "depression",
            &raw,
            (2025, 1, 5),
            Some((2025, 2, 1)),
            Some(12),
            Some(crate::Sex::Male),
        )
        .unwrap();
    assert!((paired.first - ((20.0 - 6.71) / 3.64 * 10.0 + 50.0)).abs() < 1e-9);
    assert!((paired.last - ((13.0 - 6.71) / 3.64 * 10.0 + 50.0)).abs() < 1e-9);
    assert_eq!(change, Change::Improved);
    // Without age and sex NHS England compares the raw scores: 7 points is no change.
    let (_, change) = set
        .judge_assessments(
            "rcads",
            "depression",
            &raw,
            (2025, 1, 5),
            Some((2025, 2, 1)),
            None,
            None,
        )
        .unwrap();
    assert_eq!(change, Change::NoChange);
    // PHQ-9 stays raw: 16 → 9 improves by 7 ≥ 6.
    let phq = [((2025, 1, 10), 16.0), ((2025, 3, 1), 9.0)];
    let (_, change) = set
        .judge_assessments(
            "phq_9",
            "total",
            &phq,
            (2025, 1, 10),
            Some((2025, 2, 1)),
            Some(15),
            None,
        )
        .unwrap();
    assert_eq!(change, Change::Improved);
    assert_eq!(
        set.judge_assessments("phq_9", "total", &phq, (2025, 1, 10), None, None, None),
        None
    );
    assert_eq!(
        set.judge_assessments(
            "honosca",
            "total",
            &phq,
            (2025, 1, 10),
            Some((2025, 2, 1)),
            None,
            None
        ),
        None
    );
}
