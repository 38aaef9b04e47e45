//! Evaluation: the issue's figures counted from labelled predictions, and empty ratios
//! failing every target.

use crate::record::Record;

use crate::synthetic::*;

fn labelled(
    id: &str,
    kind: QueryKind,
    truth: Option<&str>,
    nearest: Option<&str>,
) -> LabelledQuery {
    LabelledQuery {
        record: Record {
            id: id.to_owned(),
            ..Record::default()
        },
        truth: truth.map_or(Truth::New, |t| Truth::Existing(t.to_owned())),
        kind,
        errors: if id == "q2" {
            vec!["moved_house"]
        } else {
            vec![]
        },
        nearest: nearest.map(str::to_owned),
    }
}

#[test]
fn evaluation_counts_the_issue_figures() {
    use Predicted::{Auto, New, Review};
    use QueryKind::{CoTwin, NewPerson, SamePerson, Sibling};
    let a = |s: &str| Auto(s.to_owned());
    let r = |s: &str| Review(s.to_owned());
    let cases = [
        (labelled("q1", SamePerson, Some("R1"), Some("R1")), a("R1")), // correct auto
        (labelled("q2", SamePerson, Some("R2"), Some("R2")), r("R2")), // correct review
        (labelled("q3", SamePerson, Some("R3"), Some("R3")), a("R9")), // wrong auto
        (labelled("q4", SamePerson, Some("R4"), Some("R4")), New),     // missed
        (labelled("q5", SamePerson, Some("R5"), Some("R5")), a("R5")), // correct auto
        (labelled("q6", Sibling, None, Some("R6")), a("R6")),          // false auto to sibling
        (labelled("q7", Sibling, None, Some("R7")), r("R7")),
        (labelled("q8", CoTwin, None, Some("R8")), r("R8")),
        (labelled("q9", CoTwin, None, Some("R9")), New),
        (labelled("q10", CoTwin, None, Some("R1")), r("R1")),
        (labelled("q11", NewPerson, None, None), New),
        (labelled("q12", NewPerson, None, None), a("R3")), // false auto
        (labelled("q13", NewPerson, None, None), New),
        (labelled("q14", NewPerson, None, None), r("R2")),
    ];
    let set = SyntheticSet {
        register: Vec::new(),
        queries: cases.iter().map(|(q, _)| q.clone()).collect(),
    };
    let predictions: Vec<Predicted> = cases.iter().map(|(_, p)| p.clone()).collect();
    let report = evaluate(&set, &predictions);

    assert_eq!(report.counts, [5, 2, 3, 4]);
    assert_eq!(report.auto_precision, Ratio { hits: 2, total: 5 });
    assert_eq!(report.auto_recall, Ratio { hits: 2, total: 5 });
    assert_eq!(report.auto_review_recall, Ratio { hits: 3, total: 5 });
    assert_eq!(report.false_auto_new, Ratio { hits: 1, total: 4 });
    assert_eq!(report.false_auto_sibling, Ratio { hits: 1, total: 2 });
    assert_eq!(report.false_auto_co_twin, Ratio { hits: 0, total: 3 });
    assert_eq!(report.co_twin_review, Ratio { hits: 2, total: 3 });
    assert_eq!(report.sibling_review, Ratio { hits: 1, total: 2 });
    assert_eq!(report.review_share, Ratio { hits: 5, total: 14 });
    assert_eq!(report.same_person_wrong_auto, 1);
    assert!((report.auto_precision.value() - 0.4).abs() < 1e-12);

    let false_autos: Vec<(&str, bool)> = report
        .false_autos
        .iter()
        .map(|f| (f.query_id.as_str(), f.to_nearest))
        .collect();
    assert_eq!(false_autos, [("q3", false), ("q6", true), ("q12", false)]);

    let row = |tag: &str| report.by_error.iter().find(|r| r.error == tag).unwrap();
    let moved = row("moved_house");
    assert_eq!((moved.queries, moved.review_correct), (1, 1));
    let none = row("(no errors)");
    assert_eq!(
        (
            none.queries,
            none.auto_correct,
            none.wrong_person,
            none.missed
        ),
        (4, 2, 1, 1)
    );
    assert_eq!(row("(no nhs number)").queries, 5);

    let twin_rows: Vec<(&str, usize, usize)> = report
        .false_auto_by_error
        .iter()
        .filter(|r| r.kind == CoTwin)
        .map(|r| (r.error, r.queries, r.auto))
        .collect();
    assert_eq!(twin_rows, [("(no errors)", 3, 0)]);
    let new_rows: Vec<(&str, usize, usize)> = report
        .false_auto_by_error
        .iter()
        .filter(|r| r.kind == NewPerson)
        .map(|r| (r.error, r.queries, r.auto))
        .collect();
    assert_eq!(new_rows, [("(no errors)", 4, 1)]);

    let text = report.to_string();
    assert!(
        text.contains("auto-link precision        0.4000 (2/5)"),
        "{text}"
    );
    assert!(
        text.contains("co-twins in review         0.6667 (2/3)"),
        "{text}"
    );
}

#[test]
fn empty_ratios_fail_every_target() {
    let ratio = Ratio::default();
    assert!(ratio.value().is_nan());
    // Neither `>= target` nor `<= target` holds for NaN.
    assert!(ratio.value().partial_cmp(&0.99).is_none());
    assert_eq!(ratio.to_string(), "n/a (0/0)");
}

/// The 95 % Wilson interval resolves a 0.2 % target only with enough referrals: 0 of 400 is
/// consistent with up to 0.95 %, 0 of 2,000 with up to 0.19 %; 1 of 400 (the 0.25 % once seen)
/// spans 0.04 %–1.4 %.
#[test]
fn a_rate_comes_with_its_95_percent_interval() {
    let close = |a: f64, b: f64| (a - b).abs() < 5e-5;
    let (low, high) = Ratio {
        hits: 0,
        total: 400,
    }
    .interval_95();
    assert!(low.abs() < 1e-12 && close(high, 0.0095), "{high}");
    let (low, high) = Ratio {
        hits: 0,
        total: 2000,
    }
    .interval_95();
    assert!(
        low.abs() < 1e-12 && high < 0.002 && close(high, 0.0019),
        "{high}"
    );
    let (low, high) = Ratio {
        hits: 1,
        total: 400,
    }
    .interval_95();
    assert!(close(low, 0.00044) && close(high, 0.0140), "{low} {high}");
    let (low, high) = Ratio::default().interval_95();
    assert!(low.is_nan() && high.is_nan());
}
