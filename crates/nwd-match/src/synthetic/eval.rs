//! Scores a matcher's answers on a [`SyntheticSet`] with the figures issue 4 sets targets for.

use std::collections::BTreeMap;
use std::fmt;

use super::{QueryKind, SyntheticSet, Truth};

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

/// A count out of a total. [`Ratio::value`] is NaN when the total is zero, so that a
/// comparison with a target fails rather than passing on no evidence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ratio {
    /// How many.
    pub hits: usize,
    /// Out of how many.
    pub total: usize,
}

impl Ratio {
    /// `hits / total` (NaN when `total` is zero).
    pub fn value(&self) -> f64 {
        if self.total == 0 {
            f64::NAN
        } else {
            self.hits as f64 / self.total as f64
        }
    }

    fn count(&mut self, hit: bool) {
        self.total += 1;
        if hit {
            self.hits += 1;
        }
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.total == 0 {
            write!(f, "n/a (0/0)")
        } else {
            write!(f, "{:.4} ({}/{})", self.value(), self.hits, self.total)
        }
    }
}

/// What happened to the same-person referrals carrying one error tag (or one of the pseudo-tags
/// `(no errors)`, `(nhs number)`, `(no nhs number)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorBreakdown {
    /// The tag.
    pub error: &'static str,
    /// Same-person referrals carrying it.
    pub queries: usize,
    /// Auto-linked to the right person.
    pub auto_correct: usize,
    /// Sent to review with the right person as best candidate.
    pub review_correct: usize,
    /// Auto-linked or sent to review with someone else as best candidate.
    pub wrong_person: usize,
    /// Called a new person.
    pub missed: usize,
}

impl ErrorBreakdown {
    fn new(error: &'static str) -> Self {
        ErrorBreakdown {
            error,
            queries: 0,
            auto_correct: 0,
            review_correct: 0,
            wrong_person: 0,
            missed: 0,
        }
    }
}

/// How often siblings, co-twins or new people carrying one error tag (or `(no errors)`) were
/// auto-linked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FalseAutoBreakdown {
    /// What the referrals really were.
    pub kind: QueryKind,
    /// The tag.
    pub error: &'static str,
    /// Referrals of that kind carrying it.
    pub queries: usize,
    /// Of those, auto-linked to anyone.
    pub auto: usize,
}

/// An automatic link to the wrong person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FalseAuto {
    /// The referral's id.
    pub query_id: String,
    /// What the referral really was.
    pub kind: QueryKind,
    /// The register id it was linked to.
    pub linked_to: String,
    /// True when that is the referral's nearest register person (the registered sibling or
    /// twin).
    pub to_nearest: bool,
    /// The errors the referral carried.
    pub errors: Vec<&'static str>,
}

/// The figures issue 4 sets targets for, with breakdowns for finding what goes wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    /// Referrals of each kind, in [`QueryKind::ALL`] order.
    pub counts: [usize; 4],
    /// Correct automatic links / all automatic links.
    pub auto_precision: Ratio,
    /// Correct automatic links / same-person referrals.
    pub auto_recall: Ratio,
    /// Same-person referrals auto-linked or sent to review with the right person as best
    /// candidate / same-person referrals.
    pub auto_review_recall: Ratio,
    /// New people auto-linked to anyone / new people.
    pub false_auto_new: Ratio,
    /// Siblings auto-linked to anyone / siblings.
    pub false_auto_sibling: Ratio,
    /// Co-twins auto-linked to anyone / co-twins.
    pub false_auto_co_twin: Ratio,
    /// Co-twins sent to review / co-twins.
    pub co_twin_review: Ratio,
    /// Same-person referrals auto-linked to someone else.
    pub same_person_wrong_auto: usize,
    /// Same-person outcomes per error tag, sorted by tag, then the pseudo-tags.
    pub by_error: Vec<ErrorBreakdown>,
    /// Siblings, co-twins and new people per error tag: how many were auto-linked (sorted by
    /// kind, then tag).
    pub false_auto_by_error: Vec<FalseAutoBreakdown>,
    /// Every automatic link to the wrong person, in referral order.
    pub false_autos: Vec<FalseAuto>,
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
                co_twin_review.count(matches!(predicted, Predicted::Review(_)));
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
        same_person_wrong_auto,
        by_error,
        false_auto_by_error: false_auto_by_error.into_values().collect(),
        false_autos,
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [same, sibling, twin, new] = self.counts;
        writeln!(
            f,
            "referrals: {same} same person, {sibling} siblings, {twin} co-twins, {new} new people"
        )?;
        writeln!(f, "auto-link precision        {}", self.auto_precision)?;
        writeln!(f, "auto-link recall           {}", self.auto_recall)?;
        writeln!(f, "auto + review recall       {}", self.auto_review_recall)?;
        writeln!(f, "false auto, new people     {}", self.false_auto_new)?;
        writeln!(f, "false auto, siblings       {}", self.false_auto_sibling)?;
        writeln!(f, "false auto, co-twins       {}", self.false_auto_co_twin)?;
        writeln!(f, "co-twins in review         {}", self.co_twin_review)?;
        writeln!(
            f,
            "same person auto-linked to someone else: {}",
            self.same_person_wrong_auto
        )?;
        writeln!(
            f,
            "same-person outcomes by error: {:<20} {:>6} {:>7} {:>7} {:>6} {:>6}",
            "error", "n", "auto", "review", "wrong", "new"
        )?;
        for row in &self.by_error {
            writeln!(
                f,
                "  {:<48} {:>6} {:>7} {:>7} {:>6} {:>6}",
                row.error,
                row.queries,
                row.auto_correct,
                row.review_correct,
                row.wrong_person,
                row.missed
            )?;
        }
        let hit: Vec<&FalseAutoBreakdown> = self
            .false_auto_by_error
            .iter()
            .filter(|row| row.auto > 0)
            .collect();
        if !hit.is_empty() {
            writeln!(f, "auto-linked siblings, co-twins and new people by error:")?;
            for row in hit {
                writeln!(
                    f,
                    "  {:<10} {:<20} {:>4} of {:>4} ({:.1} %)",
                    row.kind.label(),
                    row.error,
                    row.auto,
                    row.queries,
                    100.0 * row.auto as f64 / row.queries as f64
                )?;
            }
        }
        if !self.false_autos.is_empty() {
            let to_nearest = self.false_autos.iter().filter(|a| a.to_nearest).count();
            writeln!(
                f,
                "false auto-links: {} ({} to the referral's registered sibling or twin)",
                self.false_autos.len(),
                to_nearest
            )?;
            for auto in self.false_autos.iter().take(20) {
                writeln!(
                    f,
                    "  {} {} -> {}{} [{}]",
                    auto.query_id,
                    auto.kind.label(),
                    auto.linked_to,
                    if auto.to_nearest { " (nearest)" } else { "" },
                    auto.errors.join(", ")
                )?;
            }
            if self.false_autos.len() > 20 {
                writeln!(f, "  … {} more", self.false_autos.len() - 20)?;
            }
        }
        Ok(())
    }
}
