//! Scores a matcher's answers on a [`SyntheticSet`] with the figures issue 4 sets targets for.

use std::collections::BTreeMap;

use super::{QueryKind, SyntheticSet, Truth};

mod report;

pub use report::{ErrorBreakdown, EvalReport, FalseAuto, FalseAutoBreakdown, Ratio};

/// A matcher's answer for one referral, in the matcher-independent form the evaluation reads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Predicted {
    /// Linked automatically to this register id.
    Auto(String),
    /// Sent to review; this register id is the best candidate shown.
    Review(String),
    /// A new person.
    New,
}

impl Predicted {
    fn id(&self) -> Option<&str> {
        match self {
            Predicted::Auto(id) | Predicted::Review(id) => Some(id),
            Predicted::New => None,
        }
    }
}

/// Scores `predictions` (one per referral, in `set.queries` order).
///
/// # Panics
/// When there are not exactly as many predictions as referrals.
pub fn evaluate(set: &SyntheticSet, predictions: &[Predicted]) -> EvalReport {
    assert_eq!(
        set.queries.len(),
        predictions.len(),
        "one prediction per referral"
    );
    let mut counts = [0usize; 4];
    let mut auto_precision = Ratio::default();
    let mut auto_recall = Ratio::default();
    let mut auto_review_recall = Ratio::default();
    let mut false_auto = [Ratio::default(); 4];
    let mut co_twin_review = Ratio::default();
    let mut review_share = Ratio::default();
    let mut sibling_review = Ratio::default();
    let mut same_person_wrong_auto = 0;
    let mut by_error: BTreeMap<&'static str, ErrorBreakdown> = BTreeMap::new();
    let mut pseudo = [
        ErrorBreakdown::new("(no errors)"),
        ErrorBreakdown::new("(nhs number)"),
        ErrorBreakdown::new("(no nhs number)"),
    ];
    let mut false_autos = Vec::new();
    let mut false_auto_by_error: BTreeMap<(QueryKind, &'static str), FalseAutoBreakdown> =
        BTreeMap::new();

    for (query, predicted) in set.queries.iter().zip(predictions) {
        let kind_index = QueryKind::ALL
            .iter()
            .position(|k| *k == query.kind)
            .unwrap_or(0);
        counts[kind_index] += 1;
        let truth = match &query.truth {
            Truth::Existing(id) => Some(id.as_str()),
            Truth::New => None,
        };
        let right = truth.is_some() && predicted.id() == truth;
        let in_review = matches!(predicted, Predicted::Review(_));
        review_share.count(in_review);
        if let Predicted::Auto(id) = predicted {
            auto_precision.count(right);
            if !right {
                false_autos.push(FalseAuto {
                    query_id: query.record.id.clone(),
                    kind: query.kind,
                    linked_to: id.clone(),
                    to_nearest: query.nearest.as_deref() == Some(id.as_str()),
                    errors: query.errors.clone(),
                });
            }
        }
        if query.kind == QueryKind::SamePerson {
            let auto = matches!(predicted, Predicted::Auto(_));
            auto_recall.count(auto && right);
            auto_review_recall.count(right);
            if auto && !right {
                same_person_wrong_auto += 1;
            }
            let tally = |row: &mut ErrorBreakdown| {
                row.queries += 1;
                match predicted {
                    Predicted::Auto(_) if right => row.auto_correct += 1,
                    Predicted::Review(_) if right => row.review_correct += 1,
                    Predicted::New => row.missed += 1,
                    _ => row.wrong_person += 1,
                }
            };
            for (i, &tag) in query.errors.iter().enumerate() {
                // The same tag twice on one referral counts once.
                if query.errors[..i].contains(&tag) {
                    continue;
                }
                tally(
                    by_error
                        .entry(tag)
                        .or_insert_with(|| ErrorBreakdown::new(tag)),
                );
            }
            if query.errors.is_empty() {
                tally(&mut pseudo[0]);
            }
            tally(
                &mut pseudo[if query.record.nhs_number.is_some() {
                    1
                } else {
                    2
                }],
            );
        } else {
            let auto = matches!(predicted, Predicted::Auto(_));
            false_auto[kind_index].count(auto);
            let mut tags: Vec<&'static str> = query.errors.clone();
            tags.sort_unstable();
            tags.dedup();
            if tags.is_empty() {
                tags.push("(no errors)");
            }
            for tag in tags {
                let row = false_auto_by_error
                    .entry((query.kind, tag))
                    .or_insert_with(|| FalseAutoBreakdown {
                        kind: query.kind,
                        error: tag,
                        queries: 0,
                        auto: 0,
                    });
                row.queries += 1;
                row.auto += usize::from(auto);
            }
            if query.kind == QueryKind::CoTwin {
                co_twin_review.count(in_review);
            }
            if query.kind == QueryKind::Sibling {
                sibling_review.count(in_review);
            }
        }
    }

    let [_, false_auto_sibling, false_auto_co_twin, false_auto_new] = false_auto;
    let mut by_error: Vec<ErrorBreakdown> = by_error.into_values().collect();
    by_error.extend(pseudo);
    EvalReport {
        counts,
        auto_precision,
        auto_recall,
        auto_review_recall,
        false_auto_new,
        false_auto_sibling,
        false_auto_co_twin,
        co_twin_review,
        review_share,
        sibling_review,
        same_person_wrong_auto,
        by_error,
        false_auto_by_error: false_auto_by_error.into_values().collect(),
        false_autos,
    }
}
